// Private noise and the initial state: options, what training and evaluation draw, the learned
// x_0 in save/load and export, and the CLI flags.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasets, evaluate, exportNetwork, init, SparseRNN } from '../ts/node/index.js';
import { thrown } from './helpers.js';

const rate = { inputs: 8, outputs: 10, neurons: 60, k: 6, seed: 2, dynamics: 'rate' as const };

beforeAll(() => init({ threads: 1 }));

function digits(size: number) {
  const { train } = datasets.digits();
  return {
    x: train.x.subarray(0, size * 64),
    shape: [size, 8, 8] as [number, number, number],
    labels: train.labels!.subarray(0, size),
  };
}

describe('noise and initialState options', () => {
  it('default to no noise and x_0 = 0', () => {
    using net = new SparseRNN({ inputs: 8, outputs: 10, neurons: 60, k: 6 });
    expect(net.config.noise).toBe(0);
    expect(net.config.initialState).toBe('zero');
    expect(net.initialState()).toBeUndefined();
  });

  it('refuse bad values with the option, the rule and the fix', () => {
    const cases: [object, RegExp][] = [
      [{ noise: -0.1 }, /^noise \(=-0\.1\) must be a finite number >= 0; use e\.g\. noise: 0\.05/],
      [{ noise: NaN }, /^noise \(=NaN\) must be a finite number/],
      [
        { noise: 0.1, dynamics: 'discrete' },
        /^noise \(=0\.1\) needs dynamics 'rate' .*; set dynamics: 'rate' or noise: 0/,
      ],
      [
        { initialState: 'ones' },
        /^initialState \(="ones"\) must be one of .*zero.*random.*learned/,
      ],
    ];
    for (const [bad, message] of cases) {
      const e = thrown(() => new SparseRNN({ ...rate, ...bad } as never));
      expect(e.code).toBe('E_OPTION');
      expect(e.message).toMatch(message);
    }
    using net = new SparseRNN({ ...rate });
    expect(thrown(() => evaluate(net, digits(4), { noise: 1 as never })).message).toMatch(
      /^noise \(=1\) must be true or false/,
    );
  });
});

describe('noise in training and evaluation', () => {
  it('changes training, not evaluation, unless asked', () => {
    using quiet = new SparseRNN({ ...rate });
    using noisy = new SparseRNN({ ...rate, noise: 0.5, initialState: 'random' });
    const data = digits(16);
    expect(evaluate(noisy, data)).toEqual(evaluate(quiet, data));
    const asked = evaluate(noisy, data, { noise: true, batchSize: 8 });
    expect(asked.loss).not.toBe(evaluate(noisy, data).loss);
    expect(evaluate(noisy, data, { noise: true, batchSize: 8 })).toEqual(asked);
    const a = quiet.trainBatch(data, 0.01, 1).loss;
    const b = noisy.trainBatch(data, 0.01, 1).loss;
    expect(Math.abs(a - b)).toBeGreaterThan(1e-3);
    expect(noisy.stateHash()).not.toBe(quiet.stateHash());
  });

  it('a network loaded mid-training draws the noise the original draws', () => {
    using net = new SparseRNN({ ...rate, noise: 0.3, initialState: 'random' });
    net.trainBatch(digits(8), 0.01, 1);
    using back = SparseRNN.load(net.save());
    net.trainBatch(digits(8), 0.01, 1);
    back.trainBatch(digits(8), 0.01, 1);
    expect(back.stateHash()).toBe(net.stateHash());
  });

  it('a learned x_0 trains, survives save/load and is exported', () => {
    using net = new SparseRNN({ ...rate, initialState: 'learned' });
    expect(Array.from(net.initialState()!)).toEqual(new Array(60).fill(0));
    for (let i = 0; i < 3; i++) net.trainBatch(digits(8), 0.05, 1);
    const x0 = net.initialState()!;
    expect(x0.some((v) => v !== 0)).toBe(true);
    using back = SparseRNN.load(net.save());
    expect(back.stateHash()).toBe(net.stateHash());
    expect(back.initialState()).toEqual(x0);
    const csv = new TextDecoder().decode(exportNetwork(net, 'csv')['x0.csv']);
    expect(csv.trim().split('\n').map(Number)).toEqual(Array.from(x0));
    const { indptr, indices, data, learned, w_in, bias, w_out, b_out } = exportArrays(net);
    using imported = SparseRNN.fromArrays({
      config: { dynamics: 'rate', initialState: 'learned', seed: 2 },
      ...{ indptr, indices, values: data, learned, w_in, bias, w_out, b_out, x0 },
    });
    expect(imported.initialState()).toEqual(x0);
  });
});

function exportArrays(net: SparseRNN) {
  const m = net.recurrentMatrix();
  return {
    indptr: m.indptr,
    indices: m.indices,
    data: m.values,
    learned: m.learned,
    w_in: net.inputWeights(),
    bias: net.biases(),
    w_out: net.readoutWeights(),
    b_out: net.readoutBiases(),
  };
}

describe('CLI --noise and --initial-state', () => {
  const root = resolve(__dirname, '..');
  const cli = (...args: string[]) =>
    spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
  const train = ['train', '--task', 'digits', '--neurons', '80', '--k', '8', '--epochs', '1'];

  it('records both in config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-noise-'));
    const flags = ['--dynamics', 'rate', '--noise', '0.1', '--initial-state', 'learned'];
    const r = cli(...train, ...flags, '--threads', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.network.noise).toBe(0.1);
    expect(config.network.initialState).toBe('learned');
  });

  it('names the flag in its errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-noise-'));
    const r = cli(...train, '--noise', '0.1', '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /--noise \(=0\.1\) needs dynamics 'rate'.*; set --dynamics rate or --noise 0$/m,
    );
    const bad = cli(...train, '--initial-state', 'ones', '--out', dir);
    expect(bad.stderr).toMatch(/--initial-state \(="ones"\) must be one of/);
  });
});
