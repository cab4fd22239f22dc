// Too little memory is an option error before anything is allocated, never a trap.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, SparseRNN, SqrtkError } from '../ts/node/index.js';
import { thrown } from './helpers.js';

const root = resolve(__dirname, '..');

beforeAll(() => init({ threads: 1 }));

describe('memory limits', () => {
  it('a network too large for WebAssembly is refused at once with sizes that fit', () => {
    const started = performance.now();
    const e = thrown(() => new SparseRNN({ inputs: 1, outputs: 2, neurons: 200000, k: 5000 }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(e).toBeInstanceOf(SqrtkError);
    expect(e.code).toBe('E_OPTION');
    expect(e.message).toMatch(
      /^neurons \(=200000\) with k \(=5000\) needs about 18\.\d GiB for the network, more than the 3\.9 GiB this build can address; use at most k = \d+ at this size, or at most neurons = \d+ at this k$/,
    );
  });

  it('a training batch too large is refused before the first step, with the largest that fits', () => {
    using net = new SparseRNN({ inputs: 1, outputs: 2, neurons: 20000, k: 10 });
    const e = thrown(() => net.checkTrainingMemory(100000, 100));
    expect(e.code).toBe('E_OPTION');
    const largest = Number(/use at most batchSize = (\d+) for 100 steps/.exec(e.message)![1]);
    expect(() => net.checkTrainingMemory(largest, 100)).not.toThrow();
    expect(() => net.checkTrainingMemory(largest + 1, 100)).toThrow(/batchSize/);
    expect(net.steps).toBe(0);
  });

  it('without its transpose a network trains and rewires to the same bits', () => {
    const options = {
      inputs: 3,
      outputs: 3,
      neurons: 300,
      k: 20,
      growth: 'gradient',
      seed: 4,
    } as const;
    const x = Float32Array.from({ length: 16 * 6 * 3 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const batch = {
      x,
      shape: [16, 6, 3] as [number, number, number],
      labels: Int32Array.from({ length: 16 }, (_, b) => b % 3),
    };
    const hashes = [false, true].map((compact) => {
      using net = new SparseRNN(options);
      expect(net.isCompact).toBe(false);
      if (compact) net.compact();
      expect(net.isCompact).toBe(compact);
      for (let step = 0; step < 4; step++) {
        net.trainBatch(batch, 0.01, 1);
        net.rewire(0.5);
      }
      return net.stateHash();
    });
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('a network built, trained, rewired, saved and freed leaves nothing allocated', () => {
    // Anything left would sit between the arrays of the next large network and split the room
    // it needs: wasm-bindgen's table of JS values did, made by the first call that passes one
    // (a save's sink), until it was made at start. A fresh process, so that this save is the
    // first such call.
    const script = `
      import { heapBytesInUse, init, SparseRNN } from '${pathToFileURL(join(root, 'dist', 'node.js')).href}';
      await init({ threads: 2 });
      const before = heapBytesInUse();
      const net = new SparseRNN({ inputs: 2, outputs: 2, neurons: 200, k: 10, growth: 'sampled', seed: 5 });
      const grew = heapBytesInUse() > before;
      const x = Float32Array.from({ length: 24 }, (_, i) => (i % 7) / 7 - 0.5);
      net.trainBatch({ x, shape: [4, 3, 2], labels: Int32Array.from([0, 1, 0, 1]) }, 0.01, 1);
      net.rewire(0.5);
      net.saveTo(() => {});
      net.free();
      console.log(JSON.stringify({ grew, left: heapBytesInUse() - before }));`;
    const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-heap-')), 'heap.mjs');
    writeFileSync(file, script);
    const run = spawnSync('node', [file], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ grew: true, left: 0 });
  });

  it('the CLI says it in flag names and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sqrtk-memory-')), 'run');
    for (const args of [
      ['--neurons', '200000', '--k', '5000'],
      ['--neurons', '100000', '--k', '10', '--batch-size', '1437'],
    ]) {
      const cli = spawnSync('node', ['dist/cli.js', 'train', ...args, '--out', out], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(cli.status, cli.stderr).toBe(2);
      expect(cli.stderr).toMatch(/^error: --(neurons|batch-size) \(=\d+\) .* use at most --/);
      expect(cli.stderr).not.toMatch(/unreachable|E_INTERNAL|\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
  });
});
