// The API rejects nonsense with E_OPTION / E_DATA naming the option, never with a trap.
import { beforeAll, describe, expect, it } from 'vitest';
import { datasets, init, SparseRNN } from '../ts/node/index.js';
import { thrown } from './helpers.js';

const small = { inputs: 8, outputs: 10, neurons: 60, k: 6, seed: 2 };

beforeAll(() => init({ threads: 1 }));

describe('API validation', () => {
  it('trainBatch checks the learning rate and the clipping norm', () => {
    using net = new SparseRNN(small);
    const { train } = datasets.digits();
    const batch = {
      x: train.x.subarray(0, 4 * 64),
      shape: [4, 8, 8] as [number, number, number],
      labels: train.labels!.subarray(0, 4),
    };
    for (const lr of [-0.1, 0, NaN, 5]) {
      const e = thrown(() => net.trainBatch(batch, lr, 1));
      expect(e.code).toBe('E_OPTION');
      expect(e.message).toMatch(
        /^lr \(=.*\) must be a finite number > 0 and <= 1; use e\.g\. lr: 0\.002/,
      );
    }
    expect(thrown(() => net.trainBatch(batch, 0.01, -1)).message).toMatch(/^clipNorm \(=-1\)/);
    expect(net.steps).toBe(0);
    expect(net.trainBatch(batch, 0.01, 1).loss).toBeGreaterThan(0);
  });

  it('save(extra) refuses what JSON cannot hold', () => {
    using net = new SparseRNN(small);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const extra of [10n, cycle, () => 1, Symbol('s')]) {
      const e = thrown(() => net.save(extra));
      expect(e.code).toBe('E_OPTION');
      expect(e.message).toMatch(/^extra \(=.*\) cannot be saved as JSON.*; pass plain JSON data/);
    }
    expect(net.save({ ok: [1, 'two', null] }).length).toBeGreaterThan(0);
  });

  it('activity refuses NaN or infinite inputs', () => {
    using net = new SparseRNN(small);
    const x = new Float32Array(2 * 8 * 8);
    x[17] = NaN;
    const e = thrown(() => net.activity({ x, shape: [2, 8, 8] }, [0, 1]));
    expect(e.code).toBe('E_DATA');
    expect(e.message).toMatch(/^activity data x\[17\] \(=NaN\) must be finite/);
    x[17] = Infinity;
    expect(thrown(() => net.activity({ x, shape: [2, 8, 8] }, [0])).code).toBe('E_DATA');
  });
});
