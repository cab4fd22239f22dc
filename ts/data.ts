/**
 * Datasets: the layout sqrtk trains on, checks with clear errors, batching, and the embedded
 * handwritten-digits task.
 */
import { dataError, rejectUnknownKeys, SqrtkError } from './errors.js';
import { DIGITS_BASE64, DIGITS_COUNT, DIGITS_TRAIN } from './generated/digits.js';

/**
 * A batch of sequences, stored as flat typed arrays with an explicit shape.
 *
 * - `x`: the inputs, B sequences × T time steps × D inputs, sample-major: the value of input `d`
 *   at time `t` in sequence `b` is `x[(b * T + t) * D + d]`.
 * - `labels` (for `loss: 'cross_entropy'`), classes in 0..outputs-1: either one per sequence
 *   (length B, scored on the outputs averaged over the last `readoutSteps` steps), or one per
 *   time step (length B × T, the class of step `t` of sequence `b` at `b * T + t`), as cognitive
 *   tasks need: the loss is then the mask-weighted mean of the per-step cross-entropies.
 * - `targets`: a target per time step, B × T × O (for `loss: 'mse'`).
 * - `mask`: optional weight per time step, B × T (0 ignores that step; with per-step labels the
 *   label of such a step is ignored and may be -1). Not used with per-sequence labels.
 */
export interface Dataset {
  x: Float32Array;
  /** [B, T, D]: sequences, time steps, inputs per step. */
  shape: [number, number, number];
  labels?: Int32Array;
  /** [B, T, O] */
  targets?: Float32Array;
  /** [B, T] */
  mask?: Float32Array;
  /**
   * Task variables, one value per sequence each (length B), by name: the direction and
   * coherence of a decision trial, the sample of a memory trial, … The task generators fill
   * them; `analyze` groups trials by them; training ignores them.
   */
  conditions?: Record<string, Float64Array>;
}

const DATASET_KEYS = ['x', 'shape', 'labels', 'targets', 'mask', 'conditions'] as const;

/** What a model expects of its data: sizes and the loss (which decides labels vs targets). */
export interface DataExpectation {
  inputs: number;
  outputs: number;
  loss: 'cross_entropy' | 'mse';
}

/**
 * Checks `data` against what the model expects and throws an E_DATA {@link SqrtkError} naming
 * the dataset (`name`, e.g. `'train'`), the field, its value, the rule and the fix.
 */
export function validateDataset(name: string, data: Dataset, expect: DataExpectation): void {
  if (data === null || typeof data !== 'object') {
    throw dataError(name, data, 'must be a dataset object', 'pass { x, shape, labels | targets }');
  }
  rejectUnknownKeys(name, data, DATASET_KEYS, 'E_DATA');

  const { shape } = data;
  const shapeOk =
    Array.isArray(shape) && shape.length === 3 && shape.every((n) => Number.isInteger(n) && n >= 0);
  if (!shapeOk || shape[1] === 0 || shape[2] === 0) {
    throw dataError(
      `${name}.shape`,
      shape,
      'must be 3 positive integers [B, T, D] (sequences, time steps, inputs)',
      'give the shape of x as [B, T, D]',
    );
  }
  const [B, T, D] = shape;
  if (B === 0) {
    throw dataError(`${name}.shape`, shape, 'has B = 0 sequences (empty data)', 'pass some data');
  }

  requireFloat32(`${name}.x`, data.x);
  if (data.x.length !== B * T * D) {
    throw dataError(
      `${name}.x.length`,
      data.x.length,
      `must equal B·T·D = ${B}·${T}·${D} = ${B * T * D}`,
      `fix ${name}.shape or ${name}.x`,
    );
  }
  if (D !== expect.inputs) {
    throw dataError(
      `${name}.shape[2]`,
      D,
      `must equal the model's inputs (=${expect.inputs})`,
      'give the data D inputs per step or build the model with inputs = D',
    );
  }
  requireFinite(`${name}.x`, data.x);

  if (expect.loss === 'cross_entropy') {
    const { labels } = data;
    if (labels === undefined) {
      throw dataError(
        `${name}.labels`,
        labels,
        "is required for loss 'cross_entropy'",
        'pass an Int32Array with one class per sequence, or use targets with loss "mse"',
      );
    }
    if (!(labels instanceof Int32Array)) {
      throw dataError(`${name}.labels`, labels, 'must be an Int32Array', 'use Int32Array.from()');
    }
    if (labels.length !== B && labels.length !== B * T) {
      throw dataError(
        `${name}.labels.length`,
        labels.length,
        `must equal B (=${B}, a class per sequence) or B·T (=${B * T}, a class per step)`,
        'give one label per sequence, or one per time step',
      );
    }
    const perStep = labels.length === B * T && T > 1;
    const mask = perStep ? data.mask : undefined;
    const bad = labels.findIndex(
      (c, at) => (mask === undefined || mask[at] !== 0) && !(c >= 0 && c < expect.outputs),
    );
    if (bad >= 0) {
      throw dataError(
        `${name}.labels[${bad}]`,
        labels[bad],
        `must be a class in 0..${expect.outputs - 1}` +
          (perStep ? ' at a step of nonzero mask' : ''),
        'number classes from 0, or build the model with more outputs' +
          (perStep ? ', or give that step mask 0' : ''),
      );
    }
  } else {
    const { targets } = data;
    if (targets === undefined) {
      throw dataError(
        `${name}.targets`,
        targets,
        "is required for loss 'mse'",
        'pass a Float32Array of shape [B, T, outputs], or use labels with "cross_entropy"',
      );
    }
    requireFloat32(`${name}.targets`, targets);
    const n = B * T * expect.outputs;
    if (targets.length !== n) {
      throw dataError(
        `${name}.targets.length`,
        targets.length,
        `must equal B·T·outputs = ${B}·${T}·${expect.outputs} = ${n}`,
        'give one target per output per time step',
      );
    }
    requireFinite(`${name}.targets`, targets);
  }

  if (data.mask !== undefined) {
    requireFloat32(`${name}.mask`, data.mask);
    if (data.mask.length !== B * T) {
      throw dataError(
        `${name}.mask.length`,
        data.mask.length,
        `must equal B·T = ${B}·${T} = ${B * T}`,
        'give one weight per time step',
      );
    }
    const bad = data.mask.findIndex((w) => !(Number.isFinite(w) && w >= 0));
    if (bad >= 0) {
      throw dataError(
        `${name}.mask[${bad}]`,
        data.mask[bad],
        'must be a finite number >= 0',
        'use 1 for steps that count and 0 for steps to ignore',
      );
    }
  }
  if (data.conditions !== undefined) validateConditions(`${name}.conditions`, data.conditions, B);
}

/** Task variables: an object of Float64Arrays of one finite value per sequence. */
function validateConditions(field: string, conditions: unknown, sequences: number): void {
  if (conditions === null || typeof conditions !== 'object' || Array.isArray(conditions)) {
    throw dataError(
      field,
      conditions,
      'must be an object of task variables',
      'pass e.g. { coherence: Float64Array.from(...) }',
    );
  }
  for (const [key, values] of Object.entries(conditions)) {
    if (!(values instanceof Float64Array)) {
      throw dataError(
        `${field}.${key}`,
        values,
        'must be a Float64Array',
        'convert with Float64Array.from()',
      );
    }
    if (values.length !== sequences) {
      throw dataError(
        `${field}.${key}.length`,
        values.length,
        `must equal B (=${sequences}), one value per sequence`,
        'give every sequence its value',
      );
    }
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw dataError(
        `${field}.${key}[${bad}]`,
        values[bad],
        'must be finite (no NaN or Infinity)',
        'give every sequence a number',
      );
    }
  }
}

/** Whether `data.labels` holds a class per time step ([B, T]) rather than one per sequence. */
export function hasStepLabels(data: Pick<Dataset, 'labels' | 'shape'>): boolean {
  const [B, T] = data.shape;
  return data.labels !== undefined && T > 1 && data.labels.length === B * T;
}

function requireFloat32(field: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) {
    throw dataError(field, value, 'must be a Float32Array', 'convert with Float32Array.from()');
  }
}

/** Throws E_DATA naming the first NaN or infinite entry of `values`. */
export function requireFinite(field: string, values: Float32Array): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw dataError(
      `${field}[${bad}]`,
      values[bad],
      'must be finite (no NaN or Infinity)',
      'clean or impute the data first',
    );
  }
}

/**
 * Copies the sequences `indices` of `data` into one contiguous batch, in that order.
 * Pass the previous batch as `out` to reuse its arrays when their sizes match (no allocation).
 */
export function takeBatch(data: Dataset, indices: ArrayLike<number>, out?: Dataset): Dataset {
  const [B, T, D] = data.shape;
  const n = indices.length;
  const O = data.targets ? data.targets.length / (B * T) : 0;
  const L = hasStepLabels(data) ? T : 1; // labels per sequence
  const batch: Dataset = { x: reuse(out?.x, n * T * D), shape: [n, T, D] };
  if (data.labels) batch.labels = reuseInt(out?.labels, n * L);
  if (data.targets) batch.targets = reuse(out?.targets, n * T * O);
  if (data.mask) batch.mask = reuse(out?.mask, n * T);

  for (let i = 0; i < n; i++) {
    const s = indices[i];
    if (!(Number.isInteger(s) && s >= 0 && s < B)) {
      throw dataError(`indices[${i}]`, s, `must be a sequence index in 0..${B - 1}`, 'fix indices');
    }
    copyRow(data.x, batch.x, s, i, T * D);
    if (data.labels && batch.labels) copyRow(data.labels, batch.labels, s, i, L);
    if (data.targets && batch.targets) copyRow(data.targets, batch.targets, s, i, T * O);
    if (data.mask && batch.mask) copyRow(data.mask, batch.mask, s, i, T);
  }
  return batch;
}

function copyRow<A extends Float32Array | Int32Array>(
  src: A,
  dst: A,
  from: number,
  to: number,
  size: number,
) {
  dst.set(src.subarray(from * size, (from + 1) * size), to * size);
}

function reuse(buffer: Float32Array | undefined, length: number): Float32Array {
  return buffer?.length === length ? buffer : new Float32Array(length);
}

function reuseInt(buffer: Int32Array | undefined, length: number): Int32Array {
  return buffer?.length === length ? buffer : new Int32Array(length);
}

/** The embedded digits task, split into train and test. */
export interface DigitsData {
  train: Dataset;
  test: Dataset;
  classes: 10;
  description: string;
}

let digitsCache: { train: Dataset; test: Dataset } | undefined;

/** Decodes the embedded bytes: per sample 64 pixels (0..16, row-major) then the label. */
function decodeDigits(): { train: Dataset; test: Dataset } {
  const bytes = Uint8Array.from(atob(DIGITS_BASE64), (c) => c.charCodeAt(0));
  const SIZE = 65;
  if (bytes.length !== DIGITS_COUNT * SIZE) {
    throw new SqrtkError('E_DATA', 'embedded digits data is corrupt; run npm run gen:data');
  }
  const split = (first: number, count: number): Dataset => {
    const x = new Float32Array(count * 64);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const at = (first + i) * SIZE;
      for (let p = 0; p < 64; p++) x[i * 64 + p] = bytes[at + p] / 16;
      labels[i] = bytes[at + 64];
    }
    return { x, shape: [count, 8, 8], labels, conditions: { digit: Float64Array.from(labels) } };
  };
  return { train: split(0, DIGITS_TRAIN), test: split(DIGITS_TRAIN, DIGITS_COUNT - DIGITS_TRAIN) };
}

function copyDataset(d: Dataset): Dataset {
  const conditions = { digit: Float64Array.from(d.labels ?? []) };
  return { x: d.x.slice(), shape: [...d.shape], labels: d.labels?.slice(), conditions };
}

/** Datasets shipped inside the package (nothing is downloaded). */
export const datasets = {
  /**
   * The UCI handwritten digits (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0; see data/NOTICE.md):
   * 1,797 8×8 images read row by row, so T = 8 time steps of D = 8 pixels scaled to [0, 1],
   * with 10 classes. A fixed shuffle splits them into 1,437 train and 360 test sequences.
   * Each call returns fresh arrays, which you may modify.
   */
  digits(): DigitsData {
    digitsCache ??= decodeDigits();
    return {
      train: copyDataset(digitsCache.train),
      test: copyDataset(digitsCache.test),
      classes: 10,
      description:
        'UCI handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0): 8×8 images read row by ' +
        'row (T = 8 steps of 8 pixels in [0, 1]), 10 classes, 1437 train / 360 test',
    };
  },
};
