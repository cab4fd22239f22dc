/**
 * Training and evaluation. `fit` runs whole epochs of mini-batches; each batch is one call into
 * the core, which runs the full forward pass, backpropagation through time and one Adam step.
 */
import { takeBatch, validateDataset, type Dataset } from './data.js';
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
  /** Training accuracy over the epoch (cross-entropy only, else null). */
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

export function resolveFitOptions(options: FitOptions): ResolvedFitOptions {
  rejectUnknownKeys('fit options', options, FIT_KEYS);
  requireFunction('onProgress', options.onProgress, '(event) => { ... }');
  requireFunction('onCheckpoint', options.onCheckpoint, '(state) => { ... }');
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
    lr: requireNumber('lr', options.lr ?? 0.002, { exclusiveMin: 0, fix: 'use e.g. lr: 0.002' }),
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

/** Checks that a dataset fits the network (shapes, values, labels) before any work is done. */
function checkData(net: SparseRNN, name: string, data: Dataset): void {
  const { inputs, outputs, loss } = net.config;
  validateDataset(name, data, { inputs, outputs, loss });
}

/**
 * Trains `net` on `data` and returns the history. Each optimizer step is one call into the core
 * (forward through the whole sequence, backpropagation through time, one Adam step); every
 * `rewireEvery` steps the growth strategy rewires the learned synapses. Yields to the event loop
 * between batches, so a page stays responsive and an AbortSignal is seen.
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
  const batches = Math.ceil(size / opts.batchSize);
  const totalSteps = opts.epochs * batches;
  const state = startState(net, options.resume, batches, opts.epochs);
  const history: History = {
    epochs: state.epochs,
    rewires: state.rewires,
    options: opts,
    trainSeconds: 0,
    rewireSeconds: 0,
  };
  const learnsStructure = net.config.growth !== 'random';
  const every = options.checkpointEvery ?? 0;
  let batch: Dataset | undefined;
  for (; state.epoch <= opts.epochs; state.epoch++) {
    const started = performance.now();
    const order = core(() => handleOf(net).data_order(state.epoch - 1, size));
    while (state.batch < batches) {
      if (options.signal?.aborted) {
        throw new SqrtkError(
          'E_ABORTED',
          `training aborted at epoch ${state.epoch}, batch ${state.batch + 1}`,
        );
      }
      const b = state.batch;
      const indices = order.subarray(b * opts.batchSize, Math.min(size, (b + 1) * opts.batchSize));
      batch = takeBatch(data, indices, batch?.shape[0] === indices.length ? batch : undefined);

      let t = performance.now();
      const step = net.trainBatch(batch, opts.lr, opts.clipNorm);
      state.trainSeconds += (performance.now() - t) / 1000;

      const fraction = learnsStructure
        ? rewireFractionAt(opts, net.steps - state.firstStep, totalSteps)
        : null;
      if (fraction !== null) {
        t = performance.now();
        history.rewires.push({ step: net.steps, fraction, swapped: net.rewire(fraction) });
        state.rewireSeconds += (performance.now() - t) / 1000;
      }

      state.lossSum += step.loss * indices.length;
      state.correct += step.correct;
      state.batch++;
      options.onProgress?.({
        type: 'batch',
        epoch: state.epoch,
        batch: state.batch,
        batches,
        loss: step.loss,
      });
      // Checkpoints are taken between batches; one due at the end of an epoch waits for its record.
      if (every > 0 && (net.steps - state.firstStep) % every === 0 && state.batch < batches)
        await options.onCheckpoint?.(snapshot(state));
      await yieldToEventLoop();
    }
    const val = options.validation ? evaluate(net, options.validation) : undefined;
    const record: EpochRecord = {
      epoch: state.epoch,
      loss: state.lossSum / size,
      accuracy: net.config.loss === 'cross_entropy' ? state.correct / size : null,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      steps: net.steps,
      seconds: (performance.now() - started) / 1000,
    };
    history.epochs.push(record);
    Object.assign(state, { batch: 0, lossSum: 0, correct: 0 });
    options.onProgress?.({ type: 'epoch', epochs: opts.epochs, record });
    if (every > 0 && (net.steps - state.firstStep) % every === 0)
      await options.onCheckpoint?.(snapshot({ ...state, epoch: state.epoch + 1 }));
  }
  history.trainSeconds = state.trainSeconds;
  history.rewireSeconds = state.rewireSeconds;
  return history;
}

/** Where a `fit` is: with the network saved at that moment, enough to continue it exactly. */
export interface FitState {
  /** The network's optimizer step count when this fit started (the schedule counts from it). */
  firstStep: number;
  /** Epoch (1-based) and batch (0-based) to run next. */
  epoch: number;
  batch: number;
  /** Running sums over the current epoch's batches so far. */
  lossSum: number;
  correct: number;
  /** The history so far. */
  epochs: EpochRecord[];
  rewires: RewireRecord[];
  /** Wall-clock seconds spent so far in training steps and in rewiring (carried across resumes). */
  trainSeconds: number;
  rewireSeconds: number;
}

function snapshot(state: FitState): FitState {
  return structuredClone(state);
}

function startState(
  net: SparseRNN,
  resume: FitState | undefined,
  batches: number,
  epochs: number,
): FitState {
  if (!resume) {
    return {
      firstStep: net.steps,
      epoch: 1,
      batch: 0,
      lossSum: 0,
      correct: 0,
      epochs: [],
      rewires: [],
      trainSeconds: 0,
      rewireSeconds: 0,
    };
  }
  const steps = (resume.firstStep ?? 0) + (resume.epoch - 1) * batches + resume.batch;
  if (!(
    resume.epoch >= 1 &&
    resume.epoch <= epochs + 1 &&
    resume.batch >= 0 &&
    resume.batch < batches
  )) {
    throw optionError(
      'resume',
      { epoch: resume.epoch, batch: resume.batch },
      `is outside this fit (${epochs} epochs of ${batches} batches)`,
      'resume with the same data and fit options',
    );
  }
  if (net.steps !== steps) {
    const rule = `is ${steps} optimizer steps into training, but the network has taken ${net.steps}`;
    throw optionError(
      'resume',
      `epoch ${resume.epoch}, batch ${resume.batch}`,
      rule,
      'resume with the network saved together with this state',
    );
  }
  // States saved before the seconds were recorded start them from 0.
  const restored = snapshot(resume);
  restored.trainSeconds ??= 0;
  restored.rewireSeconds ??= 0;
  return restored;
}

export interface Evaluation {
  loss: number;
  /** Fraction of sequences classified correctly (cross-entropy), else null. */
  accuracy: number | null;
}

/** Mean loss (and accuracy) of `net` on `data`, without changing it. */
export function evaluate(
  net: SparseRNN,
  data: Dataset,
  options: { batchSize?: number } = {},
): Evaluation {
  checkData(net, 'evaluation data', data);
  const batchSize = requireInt('batchSize', options.batchSize ?? forwardBatch(net, data), {
    min: 1,
    fix: 'use e.g. batchSize: 64',
  });
  const size = data.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < size; start += batchSize) {
    const indices = range(start, Math.min(size, start + batchSize));
    const b = takeBatch(data, indices);
    const [loss, right] = core(() =>
      handleOf(net).evaluate(b.x, indices.length, data.shape[1], ...targetsOf(net, b)),
    );
    lossSum += loss * indices.length;
    correct += right;
  }
  return {
    loss: lossSum / size,
    accuracy: net.config.loss === 'cross_entropy' ? correct / size : null,
  };
}

/** The target fields the network's loss uses (the others are not sent to the core). */
function targetsOf(
  net: SparseRNN,
  d: Dataset,
): [Int32Array | undefined, Float32Array | undefined, Float32Array | undefined] {
  return net.config.loss === 'cross_entropy'
    ? [d.labels, undefined, undefined]
    : [undefined, d.targets, d.mask];
}

/**
 * Sequences per forward-only call: as many as fit in about 256 MB of states (2 × N × (T + 1)
 * floats each), at most 256, so evaluation works at any network size.
 */
function forwardBatch(net: SparseRNN, data: Pick<Dataset, 'shape'>): number {
  const perSequence = 8 * net.config.neurons * (data.shape[1] + 1);
  return Math.max(1, Math.min(256, Math.floor(2 ** 28 / perSequence)));
}

/**
 * Network outputs for the sequences `x` of shape [B, T, inputs]: class scores [B, outputs] for a
 * cross-entropy network, or outputs at every step [B, T, outputs] for an MSE network. Large
 * inputs are processed in batches.
 */
export function predict(net: SparseRNN, data: Pick<Dataset, 'x' | 'shape'>): Float32Array {
  checkData(net, 'prediction data', {
    x: data.x,
    shape: data.shape,
    ...dummyTarget(net, data.shape),
  });
  const [size, t, d] = data.shape;
  const step = forwardBatch(net, data);
  const parts: Float32Array[] = [];
  for (let start = 0; start < size; start += step) {
    const count = Math.min(step, size - start);
    const x = data.x.subarray(start * t * d, (start + count) * t * d);
    parts.push(core(() => handleOf(net).predict(x, count, t)));
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The class with the highest score for each sequence. */
export function classify(net: SparseRNN, data: Pick<Dataset, 'x' | 'shape'>): Int32Array {
  const scores = predict(net, data);
  const o = net.config.outputs;
  const out = new Int32Array(data.shape[0]);
  for (let s = 0; s < out.length; s++) {
    for (let k = 1; k < o; k++) if (scores[s * o + k] > scores[s * o + out[s]]) out[s] = k;
  }
  return out;
}

function dummyTarget(net: SparseRNN, shape: Dataset['shape']): Partial<Dataset> {
  const [b, t] = shape;
  return net.config.loss === 'cross_entropy'
    ? { labels: new Int32Array(b) }
    : { targets: new Float32Array(b * t * net.config.outputs) };
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** Lets timers, I/O and UI events run between batches (a browser tab stays responsive). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
