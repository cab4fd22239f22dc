/**
 * Training. `fit` runs whole epochs of mini-batches; each batch is one call into the core, which
 * runs the full forward pass, backpropagation through time and one Adam step.
 */
import { takeBatch, type Dataset } from './data.js';
import { checkData, evaluate } from './evaluate.js';
import { resumeState, startState, type FitState } from './fit-state.js';
import {
  optionError,
  rejectUnknownKeys,
  requireFunction,
  requireInt,
  requireNumber,
  SqrtkError,
} from './errors.js';
import { core } from './init.js';
import { handleOf, type SparseRNN } from './model.js';
import { rewireFractionAt } from './schedule.js';

export type { FitState } from './fit-state.js';

export interface FitOptions {
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** Sequences per optimizer step (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 0.002). */
  lr?: number;
  /** Gradients with a larger global norm are rescaled to this norm; 0 turns clipping off (default 1). */
  clipNorm?: number;
  /** Evaluated after every epoch. */
  validation?: Dataset;
  /** Called after every batch and every epoch. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops training (with an E_ABORTED error) at the next batch. */
  signal?: AbortSignal;
  /** Rewire the learned synapses every this many optimizer steps (default 100). */
  rewireEvery?: number;
  /** Fraction of each neuron's learned synapses swapped at the first rewiring (default 0.3). */
  rewireFraction?: number;
  /** Rewiring stops at this fraction of training; the swapped fraction decays to 0 there (default 0.75). */
  rewireUntil?: number;
  /** Call `onCheckpoint` every this many optimizer steps (default: never). */
  checkpointEvery?: number;
  /** Receives the training position; save it with the network (`net.save(state)`) to resume later. */
  onCheckpoint?: (state: FitState) => void | Promise<void>;
  /** Continue an interrupted fit: the state saved with the network you loaded (same data and options). */
  resume?: FitState;
}

export type ResolvedFitOptions = Required<
  Pick<
    FitOptions,
    'epochs' | 'batchSize' | 'lr' | 'clipNorm' | 'rewireEvery' | 'rewireFraction' | 'rewireUntil'
  >
>;

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches (weights changing as it goes). */
  loss: number;
  /** Training accuracy over the epoch's scored decisions (cross-entropy only, else null). */
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
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
}

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'lr',
  'clipNorm',
  'validation',
  'onProgress',
  'signal',
  'rewireEvery',
  'rewireFraction',
  'rewireUntil',
  'checkpointEvery',
  'onCheckpoint',
  'resume',
] as const;

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

export function resolveFitOptions(options: FitOptions): ResolvedFitOptions {
  rejectUnknownKeys('fit options', options, FIT_KEYS);
  requireFunction('onProgress', options.onProgress, '(event) => { ... }');
  requireFunction('onCheckpoint', options.onCheckpoint, '(state) => { ... }');
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    const fix = 'pass the signal of an AbortController (new AbortController().signal)';
    throw optionError('signal', options.signal, 'must be an AbortSignal', fix);
  }
  if (options.checkpointEvery !== undefined) {
    requireInt('checkpointEvery', options.checkpointEvery, {
      min: 1,
      fix: 'use e.g. checkpointEvery: 100',
    });
  }
  return {
    epochs: requireInt('epochs', options.epochs ?? 10, { min: 1, fix: 'use e.g. epochs: 10' }),
    batchSize: requireInt('batchSize', options.batchSize ?? 32, {
      min: 1,
      fix: 'use e.g. batchSize: 32',
    }),
    lr: requireNumber('lr', options.lr ?? 0.002, {
      exclusiveMin: 0,
      max: 1,
      fix: 'use e.g. lr: 0.002 (Adam steps larger than 1 only diverge)',
    }),
    clipNorm: requireNumber('clipNorm', options.clipNorm ?? 1, {
      min: 0,
      fix: 'use e.g. clipNorm: 1 (0 turns clipping off)',
    }),
    rewireEvery: requireInt('rewireEvery', options.rewireEvery ?? 100, {
      min: 1,
      fix: 'use e.g. rewireEvery: 100',
    }),
    rewireFraction: requireNumber('rewireFraction', options.rewireFraction ?? 0.3, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireFraction: 0.3',
    }),
    rewireUntil: requireNumber('rewireUntil', options.rewireUntil ?? 0.75, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireUntil: 0.75',
    }),
  };
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
 */
export async function fit(
  net: SparseRNN,
  data: Dataset,
  options: FitOptions = {},
): Promise<History> {
  const opts = resolveFitOptions(options);
  checkData(net, 'training data', data);
  if (options.validation) checkData(net, 'validation data', options.validation);
  const size = data.shape[0];
  if (opts.batchSize > size) {
    const rule = `must be at most the number of training sequences (=${size})`;
    throw optionError('batchSize', opts.batchSize, rule, 'lower batchSize');
  }
  net.checkTrainingMemory(opts.batchSize, data.shape[1]);
  const batches = Math.ceil(size / opts.batchSize);
  const totalSteps = opts.epochs * batches;
  const state =
    options.resume !== undefined
      ? resumeState(net, options.resume, batches, opts.epochs)
      : startState(net);
  const checkpoint = async () => {
    if (options.checkpointEvery !== undefined) await options.onCheckpoint?.(structuredClone(state));
  };
  const pause = eventLoopPauser();
  let batch: Dataset | undefined;

  for (; state.epoch <= opts.epochs; state.epoch++, state.batch = 0) {
    const started = performance.now();
    const order = core(() => handleOf(net).data_order(state.epoch - 1, size));
    while (state.batch < batches) {
      if (options.signal?.aborted) {
        await checkpoint();
        throw aborted(state.epoch, net.steps);
      }
      const from = state.batch * opts.batchSize;
      const indices = order.subarray(from, Math.min(size, from + opts.batchSize));
      batch = takeBatch(data, indices, batch?.shape[0] === indices.length ? batch : undefined);

      trainStep(net, batch, opts, state);
      rewireIfDue(net, opts, state, totalSteps);
      state.batch++;

      options.onProgress?.({ type: 'batch', ...position(state, batches), loss: state.lastLoss });
      if (checkpointDue(net, state, options.checkpointEvery) && state.batch < batches)
        await checkpoint(); // one due at the end of an epoch waits for the epoch's record
      await pause();
    }
    const record = epochRecord(net, state, size, started, options.validation);
    state.epochs.push(record);
    state.lossSum = 0;
    state.correct = 0;
    state.scored = 0;
    options.onProgress?.({ type: 'epoch', epochs: opts.epochs, record });
    if (checkpointDue(net, state, options.checkpointEvery))
      await options.onCheckpoint?.({ ...structuredClone(state), epoch: state.epoch + 1, batch: 0 });
  }
  const { epochs, rewires, trainSeconds, rewireSeconds } = state;
  return { epochs, rewires, options: opts, trainSeconds, rewireSeconds };
}

/** One optimizer step: the loss and accuracy sums, the time, and the divergence check. */
function trainStep(net: SparseRNN, batch: Dataset, opts: ResolvedFitOptions, state: FitState) {
  const started = performance.now();
  const step = net.trainBatch(batch, opts.lr, opts.clipNorm);
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

/** Rewires the learned synapses when the schedule says so (never for 'random' growth). */
function rewireIfDue(net: SparseRNN, opts: ResolvedFitOptions, state: FitState, total: number) {
  if (net.config.growth === 'random') return;
  const fraction = rewireFractionAt(opts, net.steps - state.firstStep, total);
  if (fraction === null) return;
  const started = performance.now();
  state.rewires.push({ step: net.steps, fraction, swapped: net.rewire(fraction) });
  state.rewireSeconds += (performance.now() - started) / 1000;
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
): EpochRecord {
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
