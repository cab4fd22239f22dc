/**
 * Evaluation and prediction: forward passes only (no gradient buffers), batched by memory so
 * they work at any network size.
 */
import { hasStepLabels, takeBatch, validateDataset, type Dataset } from './data.js';
import { optionError, rejectUnknownKeys, requireInt } from './errors.js';
import { core } from './init.js';
import { handleOf, type SparseRNN } from './model.js';

/** Checks that a dataset fits the network (shapes, values, labels) before any work is done. */
export function checkData(net: SparseRNN, name: string, data: Dataset): void {
  const { inputs, outputs, loss } = net.config;
  validateDataset(name, data, { inputs, outputs, loss });
}

export interface Evaluation {
  /** Mean loss: over sequences, or the mask-weighted mean over steps (per-step labels, mse). */
  loss: number;
  /**
   * Cross-entropy only, else null: the fraction of sequences classified correctly, or with
   * per-step labels the fraction of scored steps (mask ≠ 0) classified correctly.
   */
  accuracy: number | null;
  /** Fraction of sequences whose every scored decision is right (cross-entropy only). */
  trialAccuracy: number | null;
}

export interface EvaluateOptions {
  /** Sequences per forward pass (default: as many as fit in memory). */
  batchSize?: number;
  /**
   * Draw the private noise and random initial states of training (default false: a noiseless
   * pass from x_0 = 0 or the learned x_0). Batch b draws under its own key, so the same data and
   * batchSize give the same result.
   */
  noise?: boolean;
}

/** Mean loss (and accuracy) of `net` on `data`, without changing it. */
export function evaluate(net: SparseRNN, data: Dataset, options: EvaluateOptions = {}): Evaluation {
  rejectUnknownKeys('evaluate options', options, ['batchSize', 'noise']);
  const noise = options.noise ?? false;
  if (typeof noise !== 'boolean')
    throw optionError('noise', noise, 'must be true or false', 'pass noise: true or leave it out');
  checkData(net, 'evaluation data', data);
  const batchSize = requireInt('batchSize', options.batchSize ?? forwardBatch(net, data), {
    min: 1,
    fix: 'use e.g. batchSize: 64',
  });
  const size = data.shape[0];
  // Batch losses are means over their sequences (or weighted steps): weight them back.
  const weightOf = (b: Dataset) => perStepWeight(b) ?? b.shape[0];
  let [lossSum, weight, correct, scored, trialsRight] = [0, 0, 0, 0, 0];
  for (let start = 0; start < size; start += batchSize) {
    const indices = range(start, Math.min(size, start + batchSize));
    const b = takeBatch(data, indices);
    const [loss, right, counted, trials] = core(() =>
      handleOf(net).evaluate(
        b.x,
        indices.length,
        data.shape[1],
        ...targetsOf(net, b),
        noise ? start / batchSize : undefined,
      ),
    );
    lossSum += loss * weightOf(b);
    weight += weightOf(b);
    [correct, scored, trialsRight] = [correct + right, scored + counted, trialsRight + trials];
  }
  const classifies = net.config.loss === 'cross_entropy';
  return {
    loss: weight > 0 ? lossSum / weight : 0,
    accuracy: classifies && scored > 0 ? correct / scored : null,
    trialAccuracy: classifies ? trialsRight / size : null,
  };
}

/**
 * The total step weight of a batch whose loss is a weighted mean over steps (per-step labels
 * or mse targets): the mask's sum, or B·T without a mask. Undefined for per-sequence labels.
 */
function perStepWeight(b: Dataset): number | undefined {
  const [size, steps] = b.shape;
  if (b.labels !== undefined && !hasStepLabels(b)) return undefined;
  if (b.mask === undefined) return size * steps;
  let sum = 0;
  for (const w of b.mask) sum += w;
  return sum;
}

/** The target fields the network's loss uses (the others are not sent to the core). */
function targetsOf(
  net: SparseRNN,
  d: Dataset,
): [Int32Array | undefined, Float32Array | undefined, Float32Array | undefined] {
  if (net.config.loss === 'mse') return [undefined, d.targets, d.mask];
  return [d.labels, undefined, hasStepLabels(d) ? d.mask : undefined];
}

/**
 * Sequences per forward-only call: as many as fit in about 256 MB of states (2 × N × (T + 1)
 * floats each), at most 256, so evaluation works at any network size.
 */
function forwardBatch(net: SparseRNN, data: Pick<Dataset, 'shape'>): number {
  const perSequence = 8 * net.config.neurons * (data.shape[1] + 1);
  return Math.max(1, Math.min(256, Math.floor(2 ** 28 / perSequence)));
}

export interface PredictOptions {
  /**
   * Outputs at every step [B, T, outputs] also for a cross-entropy network (as tasks with
   * per-step labels need; default false: class scores [B, outputs]).
   */
  perStep?: boolean;
}

/**
 * Network outputs for the sequences `x` of shape [B, T, inputs]: class scores [B, outputs] for a
 * cross-entropy network (averaged over the last `readoutSteps` steps), or outputs at every step
 * [B, T, outputs] for an MSE network or with `perStep`. Large inputs are processed in batches.
 */
export function predict(
  net: SparseRNN,
  data: Pick<Dataset, 'x' | 'shape'>,
  options: PredictOptions = {},
): Float32Array {
  checkData(net, 'prediction data', {
    x: data.x,
    shape: data.shape,
    ...dummyTarget(net, data.shape),
  });
  rejectUnknownKeys('options', options, ['perStep']);
  const perStep = options.perStep ?? false;
  const [size, t, d] = data.shape;
  const step = forwardBatch(net, data);
  const parts: Float32Array[] = [];
  for (let start = 0; start < size; start += step) {
    const count = Math.min(step, size - start);
    const x = data.x.subarray(start * t * d, (start + count) * t * d);
    parts.push(
      core(() =>
        perStep ? handleOf(net).outputs(x, count, t) : handleOf(net).predict(x, count, t),
      ),
    );
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The class with the highest score for each sequence [B], or with `perStep` for each step
 * [B, T] (the layout of per-step labels).
 */
export function classify(
  net: SparseRNN,
  data: Pick<Dataset, 'x' | 'shape'>,
  options: PredictOptions = {},
): Int32Array {
  const scores = predict(net, data, options);
  const o = net.config.outputs;
  const out = new Int32Array(scores.length / o);
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
