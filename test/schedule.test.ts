// Training schedules: learning-rate schedules against their closed forms, epoch selection on
// scripted metric sequences, keepBest, early stopping and validation splits in fit.
import { beforeAll, describe, expect, it } from 'vitest';
import { fit, init, SparseRNN, type FitOptions } from '../ts/node/index.js';
import { learningRate, plateauStep, type LrSchedule } from '../ts/lr-schedule.js';
import { selectEpochs } from '../ts/monitor.js';
import { splitValidation } from '../ts/fit-options.js';
import { data, net, recorded } from './schedule-fixtures.js';

const { train, wrong } = data;

beforeAll(() => init({ threads: 1 }));

const base: LrSchedule = {
  lrSchedule: 'constant',
  lr: 0.01,
  warmup: 0,
  lrStepEvery: 2,
  lrFactor: 0.5,
  minLr: 0,
  lrPatience: 2,
};
const at = (s: LrSchedule, step: number, epoch = 1, totalSteps = 100, plateauScale = 1) =>
  learningRate(s, { step, epoch, totalSteps, plateauScale });

describe('learning-rate schedules', () => {
  it('constant and warm-up: lr, and a linear ramp lr·(s+1)/W over the first W steps', () => {
    for (const s of [0, 7, 99]) expect(at(base, s)).toBe(0.01);
    const warm = { ...base, warmup: 8 };
    for (let s = 0; s < 8; s++) expect(at(warm, s)).toBeCloseTo((0.01 * (s + 1)) / 8, 15);
    expect(at(warm, 8)).toBe(0.01);
  });

  it('step: lr · factor^⌊(epoch − 1) / every⌋', () => {
    const s = { ...base, lrSchedule: 'step' as const, lrStepEvery: 3, lrFactor: 0.3 };
    for (let epoch = 1; epoch <= 10; epoch++)
      expect(at(s, 0, epoch)).toBeCloseTo(0.01 * 0.3 ** Math.floor((epoch - 1) / 3), 15);
  });

  it('cosine with warm-up: minLr + (lr − minLr)(1 + cos(π t / (T − W)))/2 after W steps', () => {
    const s = { ...base, lrSchedule: 'cosine' as const, warmup: 10, minLr: 0.001 };
    const total = 60;
    for (let step = 0; step < total; step++) {
      const t = step - 10;
      const expected =
        step < 10
          ? (0.01 * (step + 1)) / 10
          : 0.001 + 0.009 * 0.5 * (1 + Math.cos((Math.PI * t) / (total - 10)));
      expect(at(s, step, 1, total)).toBeCloseTo(expected, 8); // the cosine factor is an f32
    }
    expect(at(s, 10, 1, total)).toBe(0.01);
    // The last step is just above minLr; the rate reaches minLr as training ends.
    expect(at(s, total - 1, 1, total)).toBeGreaterThan(0.001);
    expect(at(s, total - 1, 1, total)).toBeLessThan(0.00101);
  });

  it('plateau: the scale drops by lrFactor after lrPatience epochs without improvement', () => {
    const s = { ...base, lrSchedule: 'plateau' as const, minLr: 0.002 };
    const improved = [true, false, false, false, true, false, false, false, false];
    let state = { scale: 1, waited: 0 };
    const scales = improved.map((i) => (state = plateauStep(state, i, s)).scale);
    expect(scales).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125]);
    expect(at(s, 0, 1, 100, 0.5)).toBe(0.005);
    expect(at(s, 0, 1, 100, 0.125)).toBe(0.002); // floored at minLr
  });
});

describe('epoch selection on a scripted metric sequence', () => {
  it('finds the best epoch (ties keep the earlier one) and stops after `patience` epochs', () => {
    const accuracy = [0.5, 0.6, 0.6, 0.55, 0.7, 0.65, 0.7, 0.6, 0.9];
    expect(selectEpochs(accuracy, 'accuracy', 3)).toEqual({
      bestEpoch: 5,
      best: 0.7,
      stoppedAfter: 8,
    });
    expect(selectEpochs(accuracy, 'accuracy', 4)).toEqual({
      bestEpoch: 9,
      best: 0.9,
      stoppedAfter: null,
    });
    expect(selectEpochs(accuracy, 'accuracy', null).bestEpoch).toBe(9);
  });

  it('loss: lower is better; NaN, Infinity and null never improve', () => {
    const loss = [NaN, 2, 1.5, Infinity, null, 1.6, 1.4];
    expect(selectEpochs(loss, 'loss', 4)).toEqual({ bestEpoch: 7, best: 1.4, stoppedAfter: null });
    expect(selectEpochs(loss, 'loss', 3)).toEqual({ bestEpoch: 3, best: 1.5, stoppedAfter: 6 });
    expect(selectEpochs(loss, 'loss', 2)).toEqual({ bestEpoch: 3, best: 1.5, stoppedAfter: 5 });
    expect(selectEpochs([NaN, NaN], 'loss', 2)).toEqual({
      bestEpoch: null,
      best: null,
      stoppedAfter: 2,
    });
  });
});

describe('fit with schedules', () => {
  it('gives every step the scheduled rate and records each epoch’s last one', async () => {
    using network = new SparseRNN(net);
    const rates: number[] = [];
    const trainBatch = network.trainBatch.bind(network);
    network.trainBatch = (batch, lr, clip) => (rates.push(lr), trainBatch(batch, lr, clip));
    const options = { lrSchedule: 'cosine', warmup: 5, minLr: 0.001, lr: 0.01 } as const;
    const history = await fit(network, train, { ...options, epochs: 3, batchSize: 32 });
    const schedule = { ...base, ...options };
    expect(rates).toEqual(rates.map((_, step) => at(schedule, step, 1, 18)));
    expect(history.epochs.map((e) => e.lr)).toEqual([rates[5], rates[11], rates[17]]);
    expect(history).toMatchObject({ stopReason: 'epochs', keptEpoch: 3, monitor: null });
  });

  it('early stopping and keepBest follow the metric sequence and restore the best epoch', async () => {
    const options: FitOptions = { epochs: 8, lr: 0.02, validation: wrong, monitor: 'loss' };
    const run = await recorded({ ...options, earlyStop: 2, keepBest: true });
    const { history } = run;
    const values = history.epochs.map((e) => e.valLoss);
    const expected = selectEpochs(values, 'loss', 2);
    expect(expected.stoppedAfter).toBeLessThan(8); // the scripted-by-data plateau stops it
    expect(history.epochs.length).toBe(expected.stoppedAfter);
    expect(history).toMatchObject({
      stopReason: 'early_stop',
      bestEpoch: expected.bestEpoch,
      best: expected.best,
      keptEpoch: expected.bestEpoch,
    });
    expect(history.keptEpoch).toBeLessThan(history.epochs.length);
    // The network holds exactly the best epoch's state, not the last one's.
    expect(run.hash).toBe(run.hashes[history.keptEpoch - 1]);
    expect(run.hash).not.toBe(run.hashes.at(-1));
  });

  it('refuses selection without validation data, and knobs of another schedule', async () => {
    using network = new SparseRNN(net);
    await expect(fit(network, train, { earlyStop: 3 })).rejects.toThrow(
      /^earlyStop \(=3\) selects epochs on validation data, and there is none; pass validation, or validationFraction: 0\.1/,
    );
    await expect(fit(network, train, { lrSchedule: 'plateau' })).rejects.toThrow(/^lrSchedule/);
    await expect(fit(network, train, { keepBest: true })).rejects.toMatchObject({
      code: 'E_OPTION',
    });
    await expect(fit(network, train, { lrSchedule: 'cosine', lrStepEvery: 2 })).rejects.toThrow(
      "lrStepEvery (=2) only applies to lrSchedule: 'step'; use lrSchedule: 'step', or leave lrStepEvery out",
    );
    await expect(fit(network, train, { lrSchedule: 'cosine', minLr: 0.01 })).rejects.toThrow(
      'minLr (=0.01) must be less than lr (=0.002); lower minLr or raise lr',
    );
    await expect(fit(network, train, { epochs: 1, warmup: 6 })).rejects.toThrow(
      "warmup (=6) must be less than the fit's optimizer steps (=6: epochs × batches per epoch)",
    );
    await expect(
      fit(network, train, { validation: train, validationFraction: 0.1 }),
    ).rejects.toThrow('validationFraction (=0.1) cannot be combined with validation');
    await expect(fit(network, train, { validationFraction: 1 })).rejects.toThrow(
      /^validationFraction \(=1\) must be a fraction between 0 and 1/,
    );
    expect(network.steps).toBe(0);
  });

  it('validationFraction trains on the rest of a seeded split and validates on the part held out', async () => {
    using network = new SparseRNN(net);
    const history = await fit(network, train, { epochs: 1, validationFraction: 0.25 });
    expect(history.epochs[0].steps).toBe(Math.ceil(144 / 32));
    const { validation } = splitValidation(train, 0.25, net.seed);
    using copy = new SparseRNN(net);
    const again = await fit(copy, splitValidation(train, 0.25, net.seed).train, {
      epochs: 1,
      validation,
    });
    expect(again.epochs[0].valLoss).toBe(history.epochs[0].valLoss);
    expect(copy.stateHash()).toBe(network.stateHash());
    expect(history.bestEpoch).toBe(1);
  });
});
