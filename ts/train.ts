/**
 * Training and evaluation. `fit` runs whole epochs of mini-batches; each batch is one call into
 * the core, which runs the full forward pass, backpropagation through time and one Adam step.
 */
import { takeBatch, validateDataset, type Dataset } from './data.js';
import { optionError, rejectUnknownKeys, requireInt, requireNumber, SqrtkError } from './errors.js';
import { core } from './init.js';
import type { SparseRNN } from './model.js';

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
}

export type ResolvedFitOptions = Required<
  Pick<FitOptions, 'epochs' | 'batchSize' | 'lr' | 'clipNorm'>
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

export interface History {
  epochs: EpochRecord[];
  options: ResolvedFitOptions;
}

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'lr',
  'clipNorm',
  'validation',
  'onProgress',
  'signal',
] as const;

export function resolveFitOptions(options: FitOptions): ResolvedFitOptions {
  rejectUnknownKeys('fit options', options, FIT_KEYS);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw optionError(
      'onProgress',
      options.onProgress,
      'must be a function',
      'pass (event) => { ... }',
    );
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
  };
}

/** Checks that a dataset fits the network (shapes, values, labels) before any work is done. */
function checkData(net: SparseRNN, name: string, data: Dataset): void {
  const { inputs, outputs, loss } = net.config;
  validateDataset(name, data, { inputs, outputs, loss });
}

/** Trains `net` on `data` and returns the per-epoch history. Yields to the event loop between batches. */
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
    throw optionError(
      'batchSize',
      opts.batchSize,
      `must be at most the number of training sequences (=${size})`,
      'lower batchSize',
    );
  }
  const history: History = { epochs: [], options: opts };
  const batches = Math.ceil(size / opts.batchSize);
  const classify = net.config.loss === 'cross_entropy';
  let batch: Dataset | undefined;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const started = Date.now();
    const order = core(() => net.handle.data_order(epoch, size));
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) {
        throw new SqrtkError('E_ABORTED', `training aborted at epoch ${epoch + 1}, batch ${b + 1}`);
      }
      const indices = order.subarray(b * opts.batchSize, Math.min(size, (b + 1) * opts.batchSize));
      batch = takeBatch(data, indices, batch?.shape[0] === indices.length ? batch : undefined);
      const [loss, right] = core(() =>
        net.handle.train_batch(
          batch!.x,
          indices.length,
          data.shape[1],
          batch!.labels,
          batch!.targets,
          batch!.mask,
          opts.lr,
          opts.clipNorm,
        ),
      );
      lossSum += loss * indices.length;
      correct += right;
      options.onProgress?.({ type: 'batch', epoch: epoch + 1, batch: b + 1, batches, loss });
      await yieldToEventLoop();
    }
    const val = options.validation ? evaluate(net, options.validation) : undefined;
    const record: EpochRecord = {
      epoch: epoch + 1,
      loss: lossSum / size,
      accuracy: classify ? correct / size : null,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      steps: net.steps,
      seconds: (Date.now() - started) / 1000,
    };
    history.epochs.push(record);
    options.onProgress?.({ type: 'epoch', epochs: opts.epochs, record });
  }
  return history;
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
  { batchSize = 256 }: { batchSize?: number } = {},
): Evaluation {
  checkData(net, 'evaluation data', data);
  requireInt('batchSize', batchSize, { min: 1, fix: 'use e.g. batchSize: 256' });
  const size = data.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < size; start += batchSize) {
    const indices = range(start, Math.min(size, start + batchSize));
    const b = takeBatch(data, indices);
    const [loss, right] = core(() =>
      net.handle.evaluate(b.x, indices.length, data.shape[1], b.labels, b.targets, b.mask),
    );
    lossSum += loss * indices.length;
    correct += right;
  }
  return {
    loss: lossSum / size,
    accuracy: net.config.loss === 'cross_entropy' ? correct / size : null,
  };
}

/**
 * Network outputs for the sequences `x` of shape [B, T, inputs]: class scores [B, outputs] for a
 * cross-entropy network, or outputs at every step [B, T, outputs] for an MSE network.
 */
export function predict(net: SparseRNN, data: Pick<Dataset, 'x' | 'shape'>): Float32Array {
  checkData(net, 'prediction data', {
    x: data.x,
    shape: data.shape,
    ...dummyTarget(net, data.shape),
  });
  return core(() => net.handle.predict(data.x, data.shape[0], data.shape[1]));
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
