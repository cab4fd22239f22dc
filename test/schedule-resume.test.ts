// Resuming a fit in the middle of a schedule (cosine with warm-up, plateau, early stopping with
// keepBest) gives the uninterrupted state hash; curricula are deterministic and resume too.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  delayedMatchToSample,
  fit,
  init,
  SparseRNN,
  type FitOptions,
  type FitState,
} from '../ts/node/index.js';
import { data, net, recorded, resumedFrom } from './schedule-fixtures.js';

const { train, wrong } = data;

beforeAll(() => init({ threads: 1 }));

describe('resuming in the middle of a schedule', () => {
  it('cosine with warm-up resumes to the uninterrupted state hash', async () => {
    const options: FitOptions = {
      epochs: 4,
      lrSchedule: 'cosine',
      warmup: 7,
      checkpointEvery: 5,
      lr: 0.01,
    };
    const run = await recorded(options);
    expect(run.checkpoints.length).toBe(4); // steps 5, 10, 15, 20 of 24
    for (const i of [0, 2]) {
      const resumed = await resumedFrom(run, i, options);
      expect(resumed.hash).toBe(run.hash);
      expect(resumed.history.epochs.map((e) => e.lr)).toEqual(run.history.epochs.map((e) => e.lr));
    }
  });

  it('plateau resumes after a reduction to the uninterrupted state hash', async () => {
    const options: FitOptions = {
      epochs: 6,
      lr: 0.02,
      lrSchedule: 'plateau',
      lrPatience: 1,
      validation: wrong,
      monitor: 'loss',
      checkpointEvery: 6,
    };
    const run = await recorded(options);
    const rates = run.history.epochs.map((e) => e.lr);
    expect(Math.min(...rates)).toBeLessThan(0.02); // the rate was reduced
    const i = run.checkpoints.findIndex((c) => c.state.schedule.plateau.scale < 1);
    expect(i).toBeGreaterThan(-1);
    expect(i).toBeLessThan(run.checkpoints.length - 1);
    const resumed = await resumedFrom(run, i, options);
    expect(resumed.hash).toBe(run.hash);
    expect(resumed.history.epochs.map((e) => e.lr)).toEqual(rates);
  });

  it('early stopping with keepBest resumes to the same kept epoch and state hash', async () => {
    const options: FitOptions = {
      epochs: 8,
      lr: 0.02,
      earlyStop: 3,
      keepBest: true,
      validation: wrong,
      monitor: 'loss',
      checkpointEvery: 4,
    };
    const run = await recorded(options);
    expect(run.history.stopReason).toBe('early_stop');
    // Resume from a checkpoint after the best epoch (its bytes must come back as resumeBest).
    const after = run.checkpoints.findIndex((c) => c.state.schedule.monitor.best !== null);
    expect(after).toBeGreaterThan(-1);
    for (const i of [after, run.checkpoints.length - 1]) {
      const resumed = await resumedFrom(run, i, options);
      expect(resumed.hash).toBe(run.hash);
      expect(resumed.history).toMatchObject({
        stopReason: 'early_stop',
        keptEpoch: run.history.keptEpoch,
        bestEpoch: run.history.bestEpoch,
      });
    }
    const c = run.checkpoints[after];
    using network = SparseRNN.load(c.bytes);
    await expect(fit(network, train, { ...options, resume: c.state })).rejects.toThrow(
      /^resumeBest \(=undefined\) is needed to resume a keepBest fit/,
    );
    // Bytes of another point of the run are refused when they would be used.
    const fresh = new SparseRNN(net);
    const stale = fresh.save();
    fresh.free();
    const last = run.checkpoints.at(-1)!;
    using other = SparseRNN.load(last.bytes);
    await expect(
      fit(other, train, { ...options, resume: last.state, resumeBest: stale }),
    ).rejects.toThrow(/^resumeBest: saved network \(state [0-9a-f]{16}\) is not the one expected/);
  });
});

describe('curriculum', () => {
  const dmsNet = { inputs: 9, outputs: 2, neurons: 40, k: 4, seed: 2 };
  // The delay grows with the epoch; each epoch's trials come from their own seed.
  const curriculum = (epoch: number) =>
    delayedMatchToSample({ trials: 64, delay: 2 + 2 * epoch, noise: 0.3, seed: 10 + epoch });

  it('trains epoch e on curriculum(e), deterministically, and resumes to the same hash', async () => {
    const first = curriculum(1);
    const options: FitOptions = { epochs: 3, curriculum, checkpointEvery: 1 };
    const states: { state: FitState; bytes: Uint8Array }[] = [];
    using a = new SparseRNN(dmsNet);
    await fit(a, first, {
      ...options,
      onCheckpoint: (state) => void states.push({ state, bytes: a.save() }),
    });
    using b = new SparseRNN(dmsNet);
    await fit(b, first, options);
    expect(b.stateHash()).toBe(a.stateHash());
    // Not the same as training on the first epoch's data throughout.
    using c = new SparseRNN(dmsNet);
    await fit(c, first, { epochs: 3 });
    expect(c.stateHash()).not.toBe(a.stateHash());
    const middle = states.find((s) => s.state.epoch === 2 && s.state.batch === 1)!;
    expect(middle).toBeDefined();
    using resumed = SparseRNN.load(middle.bytes);
    await fit(resumed, first, { ...options, resume: middle.state });
    expect(resumed.stateHash()).toBe(a.stateHash());
  });

  it('refuses a curriculum whose epochs change the number of sequences', async () => {
    using network = new SparseRNN(dmsNet);
    const growing = (epoch: number) =>
      delayedMatchToSample({ trials: 64 + epoch - 1, delay: 2, noise: 0.3, seed: epoch });
    await expect(fit(network, growing(1), { epochs: 2, curriculum: growing })).rejects.toThrow(
      'curriculum (="curriculum(2) with 65 sequences") must give as many sequences every epoch as the training data (=64)',
    );
  });
});
