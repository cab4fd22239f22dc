// E/I populations from TypeScript and the CLI: the options (defaults, shorthands, errors), Dale's
// law after training in both modes, hidden mode's exact out-degrees, the excitatory flag of an
// export, config.json, and the CLI's messages in its own flags.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasets, exportNetwork, fit, init, loadNetwork, SparseRNN } from '../ts/node/index.js';
import { thrown } from './helpers.js';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sqrtk-populations-'));
const cli = (...args: string[]) =>
  spawnSync('node', [join(root, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
const base = { inputs: 8, outputs: 10, neurons: 200, k: 20, seed: 3 };

beforeAll(() => init({ threads: 1 }));

/** Whether every recurrent weight has its presynaptic neuron's sign (or is 0). */
function obeysDale(net: SparseRNN): boolean {
  const excitatory = Math.round((net.config.excitatory ?? 0) * net.config.neurons);
  const m = net.recurrentMatrix();
  return Array.from(m.indices).every((j, e) => m.values[e] * (j < excitatory ? 1 : -1) >= 0);
}

describe('population options', () => {
  it('default to no populations, and resolve shorthands and balanced defaults', () => {
    using plain = new SparseRNN(base);
    expect(plain.config).toMatchObject({
      excitatory: null,
      dale: false,
      blocks: null,
      scaling: 'standard',
      maxLearnedOut: 0,
    });
    using short = new SparseRNN({ ...base, excitatory: 0.8, blocks: { kE: 15, kI: 5 } });
    expect(short.config.blocks).toEqual({ kEE: 15, kEI: 5, kIE: 15, kII: 5 });
    // Balanced scaling without blocks: k/2 inputs from each population (van Vreeswijk &
    // Sompolinsky 1998), couplings from that paper unless overridden.
    using balanced = new SparseRNN({
      ...base,
      excitatory: 0.8,
      dale: true,
      scaling: 'balanced',
      couplings: { II: -2 },
    });
    expect(balanced.config.blocks).toEqual({ kEE: 10, kEI: 10, kIE: 10, kII: 10 });
    expect(balanced.config.couplings).toEqual({ EE: 1, EI: -2, IE: 1, II: -2, E0: 0.1, I0: 0.08 });
    // Balanced weights: J_AB / √k_AB for every backbone synapse; drive √k_AE · J_A0.
    const m = balanced.recurrentMatrix();
    const weights = new Set(Array.from(m.values).filter((_, e) => m.learned[e] === 0));
    const r = Math.fround;
    expect([...weights].sort()).toEqual([r(1 / Math.sqrt(10)), r(-2 / Math.sqrt(10))].sort());
    expect(balanced.biases()[0]).toBeCloseTo(Math.sqrt(10) * 0.1, 6);
    expect(balanced.biases()[199]).toBeCloseTo(Math.sqrt(10) * 0.08, 6);
  });

  it('reject bad values with the option, the rule and the fix', () => {
    const message = (o: object) => thrown(() => new SparseRNN({ ...base, ...o })).message;
    expect(message({ dale: true })).toBe(
      'dale (=true) needs populations; set excitatory to the fraction of excitatory neurons, e.g. excitatory: 0.8',
    );
    expect(message({ excitatory: 1 })).toMatch(/^excitatory \(=1\) must leave at least one neuron/);
    expect(message({ excitatory: 0.8, blocks: { kE: 10, kI: 5 } })).toMatch(
      /^blocks kE \+ kI \(=15\) must equal k \(=20\)/,
    );
    expect(message({ excitatory: 0.8, blocks: { kE: 10, kEI: 10 } })).toMatch(
      /^blocks .* needs either kE and kI, or all of kEE, kEI, kIE and kII/,
    );
    expect(message({ excitatory: 0.8, blocks: { ke: 20 } })).toMatch(/blocks.*ke/);
    expect(message({ excitatory: 0.8, couplings: { XY: 1 } })).toMatch(/couplings.*XY/);
    expect(message({ maxLearnedOut: 2 })).toMatch(/^maxLearnedOut \(=2\) must be at least learned/);
    expect(message({ maxLearnedOut: 9, mode: 'hidden' })).toMatch(/applies to mode 'add' only/);
    // The core's own check: a coupling of the wrong sign under Dale's law.
    expect(message({ excitatory: 0.8, dale: true, couplings: { EI: 2 } })).toMatch(
      /^couplings\.EI \(=2\) must have the sign of its presynaptic population/,
    );
  });
});

describe("Dale's law and hidden mode in training", () => {
  for (const mode of ['add', 'hidden'] as const) {
    it(`keeps every sign through training and rewiring (gradient growth, ${mode} mode)`, async () => {
      const options = { ...base, excitatory: 0.8, dale: true, growth: 'gradient' as const, mode };
      using net = new SparseRNN(options);
      const before = net.outDegree();
      const history = await fit(net, datasets.digits().train, {
        epochs: 2,
        rewireEvery: 10,
        lr: 0.01,
      });
      expect(net.rewireCounts().turnover).toBeGreaterThan(0);
      expect(obeysDale(net)).toBe(true);
      expect(history.epochs.length).toBe(2);
      if (mode === 'hidden') expect(Array.from(net.outDegree())).toEqual(Array.from(before));
      // The same run without Dale's law does cross zero.
      using free = new SparseRNN({ ...options, dale: false });
      await fit(free, datasets.digits().train, { epochs: 2, rewireEvery: 10, lr: 0.01 });
      expect(obeysDale(free)).toBe(false);
    });
  }
});

describe('export and CLI', () => {
  it('exports a per-neuron excitatory flag with populations, and none without', () => {
    using net = new SparseRNN({ ...base, excitatory: 0.75 });
    const npz = unzipSync(exportNetwork(net, 'npz')['network.npz']);
    const flags = npz['excitatory.npy'];
    const data = flags.subarray(flags.length - 200);
    expect(Array.from(data).slice(148, 152)).toEqual([1, 1, 0, 0]);
    expect(data.reduce((a, b) => a + b, 0)).toBe(150);
    const csv = new TextDecoder().decode(exportNetwork(net, 'csv')['excitatory.csv']);
    expect(csv.trim().split('\n').map(Number)).toEqual(Array.from(data));
    using plain = new SparseRNN(base);
    expect(Object.keys(unzipSync(exportNetwork(plain, 'npz')['network.npz']))).not.toContain(
      'excitatory.npy',
    );
  });

  it('imports an exported E/I network: the flags give excitatory, and must agree with it', async () => {
    using net = new SparseRNN({ ...base, excitatory: 0.75, dale: true });
    const npz = exportNetwork(net, 'npz')['network.npz'];
    const { excitatory, ...withoutPopulations } = net.config;
    expect(excitatory).toBe(0.75);
    // The flag array alone restores the populations (Dale's law comes from the config).
    using back = await loadNetwork(npz, { config: { ...withoutPopulations } });
    expect(back.config.excitatory).toBe(0.75);
    expect(back.recurrentMatrix()).toEqual(net.recurrentMatrix());
    const wrong = await loadNetwork(npz, {
      name: 'n.npz',
      config: { ...withoutPopulations, excitatory: 0.5 },
    }).catch((e: Error) => e);
    expect((wrong as Error).message).toMatch(
      /n\.npz: has 150 excitatory neurons but its configuration says excitatory: 0\.5/,
    );
  });

  it('sqrtk train takes the population flags and records them in config.json', () => {
    const r = cli(
      'train',
      ...['--task', 'digits', '--neurons', '150', '--k', '20', '--epochs', '1', '--threads', '1'],
      ...['--excitatory', '0.8', '--dale', '--scaling', 'balanced', '--blocks', 'kE=12,kI=8'],
      ...['--couplings', 'II=-2', '--growth', 'sampled', '--out', 'ei'],
    );
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'ei', 'config.json'), 'utf8'));
    expect(config.network).toMatchObject({
      excitatory: 0.8,
      dale: true,
      scaling: 'balanced',
      blocks: { kEE: 12, kEI: 8, kIE: 12, kII: 8 },
      couplings: { II: -2, EI: -2 },
    });
    const summary = JSON.parse(readFileSync(join(dir, 'ei', 'summary.json'), 'utf8'));
    expect(summary.populations).toMatchObject({ excitatory: 120, inhibitory: 30, dale: true });
    expect(summary.out_degree_test.against).toMatch(/per population/);
  });

  it('names its own flags in errors', () => {
    const r = cli('train', '--task', 'digits', '--dale', '--out', 'bad');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: --dale \(=true\) needs populations; .*--excitatory 0\.8/);
    const pairs = cli('train', '--task', 'digits', '--blocks', 'kE=80;kI=20', '--out', 'bad');
    expect(pairs.status).toBe(2);
    expect(pairs.stderr).toMatch(/--blocks.*must be key=number pairs/);
    const cap = cli('train', '--task', 'digits', '--max-learned-out', '3', '--out', 'bad');
    expect(cap.stderr).toMatch(
      /error: --max-learned-out \(=3\) must be at least --learned \(=10\)/,
    );
  });
});
