// fit's own promises: option checks, interruption with a checkpoint, divergence, yielding.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { datasets, fit, init, readSaved, SparseRNN, type FitState } from '../ts/node/index.js';
import { startState } from '../ts/fit-state.js';

const small = { inputs: 8, outputs: 10, neurons: 120, k: 12, seed: 3 };

beforeAll(() => init({ threads: 1 }));
afterEach(() => vi.restoreAllMocks());

describe('fit', () => {
  it('rejects a signal that is not an AbortSignal, a malformed resume state and a huge lr', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN(small);
    const bad = fit(net, train, { signal: 5 as unknown as AbortSignal });
    await expect(bad).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(bad).rejects.toThrow(/^signal \(=5\) must be an AbortSignal; pass the signal of/);
    for (const resume of [
      5,
      null,
      {},
      { epoch: 1, batch: 0 },
      { ...startState(net), epoch: 'one' },
    ]) {
      const run = fit(net, train, { resume: resume as unknown as FitState });
      await expect(run).rejects.toThrow(/^resume \(=.*\) is not a training position saved by fit/);
    }
    await expect(fit(net, train, { lr: 1e25 })).rejects.toThrow(
      /^lr \(=1e\+25\) must be a finite number > 0 and <= 1; use e\.g\. lr: 0\.002/,
    );
    expect(net.steps).toBe(0);
  });

  it('an exploding loss stops training like a NaN loss does', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN({ ...small, activation: 'relu', gain: 4 });
    const saved: number[] = [];
    const run = fit(net, train, {
      epochs: 3,
      lr: 1,
      clipNorm: 0,
      checkpointEvery: 1,
      onCheckpoint: () => void saved.push(net.steps),
    });
    await expect(run).rejects.toMatchObject({ code: 'E_DIVERGED' });
    await expect(run).rejects.toThrow(
      /^training diverged at optimizer step \d+ \(loss [\d.e+]+, more than 1000× the first batch's [\d.]+\); lower lr or gain$/,
    );
    // No checkpoint was taken after the step that exploded.
    expect(Math.max(...saved)).toBeLessThan(net.steps);
  });

  it('an abort finishes the batch, takes a checkpoint, and says where it stopped', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN(small);
    const controller = new AbortController();
    let last: FitState | undefined;
    let bytes: Uint8Array | undefined;
    const run = fit(net, train, {
      epochs: 2,
      signal: controller.signal,
      checkpointEvery: 1000,
      onCheckpoint: (state) => {
        last = state;
        bytes = net.save({ fit: state });
      },
      onProgress: (e) => e.type === 'batch' && e.epoch === 2 && e.batch === 5 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED', epoch: 2, step: 45 + 5 });
    await expect(run).rejects.toThrow('training interrupted at epoch 2, step 50');
    expect(last).toMatchObject({ epoch: 2, batch: 5 });

    // The checkpoint continues to the same end as an uninterrupted fit.
    using reference = new SparseRNN(small);
    await fit(reference, train, { epochs: 2 });
    using resumed = SparseRNN.load(bytes!);
    const state = (readSaved(bytes!).extra as { fit: FitState }).fit;
    await fit(resumed, train, { epochs: 2, resume: state });
    expect(resumed.stateHash()).toBe(reference.stateHash());
  });

  it('yields to the event loop on a time budget, not after every batch', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN({ ...small, neurons: 40, k: 4 });
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await fit(net, train, { epochs: 6, batchSize: 8 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    const batches = 6 * Math.ceil(1437 / 8);
    // Far fewer yields than batches, but timers still ran while training.
    expect(timeouts.mock.calls.length).toBeLessThan(batches / 4);
    expect(ticks).toBeGreaterThan(Math.min(5, seconds * 10));
  });
});
