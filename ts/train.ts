/**
 * Training. `fit` runs whole epochs of mini-batches; each batch is one call into the core, which
 * runs the full forward pass, backpropagation through time and one Adam step.
 */
import { takeBatch, type Dataset } from './data.js';
import { checkData, evaluate } from './evaluate.js';
import { resumeState, startState, type FitState } from './fit-state.js';
import {
  checkWarmup,
  resolveFitOptions,
  splitValidation,
  type FitOptions,
  type ResolvedFitOptions,
} from './fit-options.js';
import { optionError, SqrtkError } from './errors.js';
import { core } from './init.js';
import { learningRate } from './lr-schedule.js';
import { handleOf, type SparseRNN } from './model.js';
import type { Monitor } from './monitor.js';
import { rewireFractionAt } from './schedule.js';
import { restoreBest, selectEpoch, startKeeping } from './select-epoch.js';

export type { FitState } from './fit-state.js';
export { resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './fit-options.js';

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches (weights changing as it goes). */
  loss: number;
  /** Training accuracy over the epoch's scored decisions (cross-entropy only, else null). */
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Learning rate of the epoch's last optimizer step. */
  lr: number;
  /** Optimizer steps taken so far. */
  steps: number;
  seconds: number;
}

export type ProgressEvent =
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; epochs: number; record: EpochRecord };

export interface RewireRecord {
  /** Optimizer step after which the rewiring happened. */
  step: number;
  /** Scheduled fraction of learned synapses per neuron. */
  fraction: number;
  /** Synapses swapped. */
  swapped: number;
}

export interface History {
  epochs: EpochRecord[];
  rewires: RewireRecord[];
  options: ResolvedFitOptions;
  /** Wall-clock seconds spent in training steps and in rewiring. */
  trainSeconds: number;
  rewireSeconds: number;
  /** The validation metric that selected epochs; null without validation data. */
  monitor: Monitor | null;
  /** The best validation epoch and its value of `monitor` (null without validation data). */
  bestEpoch: number | null;
  best: number | null;
  /** The epoch whose network `net` holds at the end: the best one with keepBest, else the last. */
  keptEpoch: number;
  /** Why training ended: every epoch ran, or early stopping ended it. */
  stopReason: 'epochs' | 'early_stop';
}

/**
 * Trains `net` on `data` and returns the history. Each optimizer step is one call into the core
 * (forward through the whole sequence, backpropagation through time, one Adam step); every
 * `rewireEvery` steps the growth strategy rewires the learned synapses. It yields to the event
 * loop every few milliseconds, so a page stays responsive and an AbortSignal is seen.
 *
 * When `signal` aborts, the batch in progress finishes, a checkpoint is taken (when
 * `checkpointEvery` is set), and fit rejects with E_ABORTED (fields `epoch` and `step`).
 * A NaN, infinite or exploding loss (more than 1000× the first batch's) rejects with E_DIVERGED
 * before anything else is saved, so the last checkpoint stays the last good one.
 *
 * Each step's learning rate follows `lrSchedule` (lr-schedule.ts). With validation data (given,
 * or `validationFraction` of `data` held out) every epoch is scored on `monitor`; the history
 * says the best epoch, `earlyStop` ends training after that many epochs without improvement,
 * and `keepBest` puts the best epoch's network back at the end (select-epoch.ts). The schedule's
 * and the selection's positions are part of the checkpointed state, so a resumed fit continues
 * them exactly. With `curriculum`, epoch e trains on `curriculum(e)` instead of `data`.
 */
export async function fit(
  net: SparseRNN,
  data: Dataset,
  options: FitOptions = {},
): Promise<History> {
  const opts = resolveFitOptions(options, net.config.growth);
  checkData(net, 'training data', data);
  if (options.validation) checkData(net, 'validation data', options.validation);
  const monitor = opts.monitor ?? (net.config.loss === 'mse' ? 'loss' : 'accuracy');
  if (monitor === 'accuracy' && net.config.loss === 'mse')
    throw optionError('monitor', monitor, 'needs a cross-entropy network', "use monitor: 'loss'");
  const split =
    opts.validationFraction === null
      ? { train: data, validation: options.validation }
      : splitValidation(data, opts.validationFraction, net.config.seed);
  const { train, validation } = split;
  const size = train.shape[0];
  if (opts.batchSize > size) {
    const rule = `must be at most the number of training sequences (=${size})`;
    throw optionError('batchSize', opts.batchSize, rule, 'lower batchSize');
  }
  net.checkTrainingMemory(opts.batchSize, train.shape[1]);
  const scored = net.config.growth === 'gradient' || net.config.growth === 'sampled';
  const scoreSize = scored ? Math.min(opts.rewireBatch, size) : 0;
  if (scoreSize > 0) net.checkTrainingMemory(scoreSize, train.shape[1]);
  const batches = Math.ceil(size / opts.batchSize);
  const totalSteps = opts.epochs * batches;
  checkWarmup(opts, totalSteps);
  const state =
    options.resume !== undefined
      ? resumeState(net, options.resume, batches, opts.epochs)
      : startState(net);
  const kept = startKeeping(opts, state, options.resumeBest);
  const checkpoint = async () => {
    if (options.checkpointEvery !== undefined) await options.onCheckpoint?.(structuredClone(state));
  };
  const pause = eventLoopPauser();
  let batch: Dataset | undefined;
  let lr = opts.lr;

  for (
    ;
    state.epoch <= opts.epochs && state.schedule.stopped === null;
    state.epoch++, state.batch = 0
  ) {
    const started = performance.now();
    const epochData = curriculumData(net, options.curriculum, state.epoch, train, opts.batchSize);
    const order = core(() => handleOf(net).data_order(state.epoch - 1, size));
    while (state.batch < batches) {
      if (options.signal?.aborted) {
        await checkpoint();
        throw aborted(state.epoch, net.steps);
      }
      const from = state.batch * opts.batchSize;
      const indices = order.subarray(from, Math.min(size, from + opts.batchSize));
      batch = takeBatch(epochData, indices, batch?.shape[0] === indices.length ? batch : undefined);

      const step = net.steps - state.firstStep;
      const plateauScale = state.schedule.plateau.scale;
      lr = learningRate(opts, { step, epoch: state.epoch, totalSteps, plateauScale });
      trainStep(net, batch, lr, opts, state);
      rewireIfDue(net, opts, state, totalSteps, scoreSize, () =>
        takeBatch(epochData, scoreIndices(order, from, scoreSize)),
      );
      state.batch++;

      options.onProgress?.({ type: 'batch', ...position(state, batches), loss: state.lastLoss });
      if (checkpointDue(net, state, options.checkpointEvery) && state.batch < batches)
        await checkpoint(); // one due at the end of an epoch waits for the epoch's record
      await pause();
    }
    const record = { ...epochRecord(net, state, size, started, validation), lr };
    state.epochs.push(record);
    state.lossSum = 0;
    state.correct = 0;
    state.scored = 0;
    if (validation)
      await selectEpoch(net, state, record, { opts, monitor, kept, onBest: options.onBest });
    options.onProgress?.({ type: 'epoch', epochs: opts.epochs, record });
    if (checkpointDue(net, state, options.checkpointEvery))
      await options.onCheckpoint?.({ ...structuredClone(state), epoch: state.epoch + 1, batch: 0 });
  }
  const keptEpoch = opts.keepBest ? restoreBest(net, state, kept) : null;
  const { epochs, rewires, trainSeconds, rewireSeconds } = state;
  const best = state.schedule.monitor.best;
  return {
    epochs,
    rewires,
    options: opts,
    trainSeconds,
    rewireSeconds,
    monitor: validation ? monitor : null,
    bestEpoch: best?.epoch ?? null,
    best: best?.value ?? null,
    keptEpoch: keptEpoch ?? epochs.length,
    stopReason: state.schedule.stopped ?? 'epochs',
  };
}

/**
 * The data epoch `epoch` trains on: `curriculum(epoch)` when given (checked like the training
 * data, with as many sequences, and against the memory bound for its length), else `train`.
 */
function curriculumData(
  net: SparseRNN,
  curriculum: FitOptions['curriculum'],
  epoch: number,
  train: Dataset,
  batchSize: number,
): Dataset {
  if (curriculum === undefined) return train;
  const data = curriculum(epoch);
  checkData(net, `curriculum(${epoch})`, data);
  if (data.shape[0] !== train.shape[0])
    throw optionError(
      'curriculum',
      `curriculum(${epoch}) with ${data.shape[0]} sequences`,
      `must give as many sequences every epoch as the training data (=${train.shape[0]})`,
      'return datasets of one size',
    );
  net.checkTrainingMemory(batchSize, data.shape[1]);
  return data;
}

/** One optimizer step: the loss and accuracy sums, the time, and the divergence check. */
function trainStep(
  net: SparseRNN,
  batch: Dataset,
  lr: number,
  opts: ResolvedFitOptions,
  state: FitState,
) {
  const started = performance.now();
  const step = net.trainBatch(batch, lr, opts.clipNorm);
  state.trainSeconds += (performance.now() - started) / 1000;
  state.firstLoss ??= step.loss;
  if (step.loss > EXPLODED * Math.max(state.firstLoss, MIN_REFERENCE_LOSS)) {
    throw new SqrtkError(
      'E_DIVERGED',
      `training diverged at optimizer step ${net.steps} (loss ${step.loss}, more than ${EXPLODED}× the first batch's ${state.firstLoss}); lower lr or gain`,
    );
  }
  state.lossSum += step.loss * batch.shape[0];
  state.correct += step.correct;
  state.scored += step.scored;
  state.lastLoss = step.loss;
}

/** A loss this many times the first batch's counts as diverged, like a NaN loss. */
const EXPLODED = 1000;
/** The first loss is floored at this value, so a near-perfect start does not trip the check. */
const MIN_REFERENCE_LOSS = 1e-3;

/**
 * Rewires the learned synapses when the schedule says so (never for 'random' growth), scored on
 * `scoreData()` (`scoreSize` sequences) for gradient-scored strategies when `rewireBatch` > 0.
 */
function rewireIfDue(
  net: SparseRNN,
  opts: ResolvedFitOptions,
  state: FitState,
  total: number,
  scoreSize: number,
  scoreData: () => Dataset,
) {
  if (net.config.growth === 'random') return;
  const fraction = rewireFractionAt(opts, net.steps - state.firstStep, total);
  if (fraction === null) return;
  const started = performance.now();
  if (scoreSize > 0) net.scoreBatch(scoreData());
  state.rewires.push({ step: net.steps, fraction, swapped: net.rewire(fraction) });
  state.rewireSeconds += (performance.now() - started) / 1000;
}

/** `count` positions of `order` from `from` on, wrapping around (the batches after this one). */
function scoreIndices(order: Uint32Array, from: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = order[(from + i) % order.length];
  return out;
}

function checkpointDue(net: SparseRNN, state: FitState, every: number | undefined): boolean {
  return every !== undefined && (net.steps - state.firstStep) % every === 0;
}

function position(state: FitState, batches: number) {
  return { epoch: state.epoch, batch: state.batch, batches };
}

function epochRecord(
  net: SparseRNN,
  state: FitState,
  size: number,
  started: number,
  validation: Dataset | undefined,
): Omit<EpochRecord, 'lr'> {
  const val = validation ? evaluate(net, validation) : undefined;
  return {
    epoch: state.epoch,
    loss: state.lossSum / size,
    accuracy:
      net.config.loss === 'cross_entropy' && state.scored > 0 ? state.correct / state.scored : null,
    valLoss: val?.loss ?? null,
    valAccuracy: val?.accuracy ?? null,
    steps: net.steps,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The E_ABORTED error of an interrupted fit; `epoch` and `step` say where it stopped. */
function aborted(epoch: number, step: number): SqrtkError & { epoch: number; step: number } {
  const error = new SqrtkError('E_ABORTED', `training interrupted at epoch ${epoch}, step ${step}`);
  return Object.assign(error, { epoch, step });
}

/** Milliseconds of work between two yields to the event loop (like tfjs `yieldEvery`). */
const YIELD_EVERY_MS = 25;

/**
 * Returns a function that yields to the event loop (timers, I/O, UI events, abort signals) when
 * more than YIELD_EVERY_MS have passed since the last yield, and returns at once otherwise.
 */
function eventLoopPauser(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}
