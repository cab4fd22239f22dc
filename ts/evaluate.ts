/**
 * Evaluation and prediction: forward passes only (no gradient buffers), batched by memory so
 * they work at any network size.
 */
import { takeBatch, validateDataset, type Dataset } from './data.js';
import { requireInt } from './errors.js';
import { core } from './init.js';
import { handleOf, type SparseRNN } from './model.js';

/** Checks that a dataset fits the network (shapes, values, labels) before any work is done. */
export function checkData(net: SparseRNN, name: string, data: Dataset): void {
  const { inputs, outputs, loss } = net.config;
  validateDataset(name, data, { inputs, outputs, loss });
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
