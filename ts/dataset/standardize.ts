/**
 * `standardize`: z-scores each input with the training set's statistics, so that the test set is
 * scaled exactly as the network saw during training.
 */
import type { Dataset } from '../data.js';
import { dataError } from '../errors.js';

export interface Standardized {
  train: Dataset;
  /** The test set scaled with the training statistics (undefined when none was given). */
  test: Dataset | undefined;
  /** Per input (length D): the training mean. */
  mean: Float32Array;
  /** Per input (length D): the training standard deviation (population, 1 where it is 0). */
  sd: Float32Array;
}

/**
 * Per input d, mean and standard deviation over all sequences and steps of `train` (masked steps
 * included), then `(x - mean) / sd` for both sets. A constant input gets sd = 1, so it becomes 0
 * rather than NaN. Returns new datasets; the inputs are not modified.
 */
export function standardize(train: Dataset, test?: Dataset): Standardized {
  const [B, T, D] = train.shape;
  const n = B * T;
  if (train.x.length !== n * D || n === 0) {
    throw dataError(
      'train.x.length',
      train.x.length,
      `must equal B·T·D = ${n * D} > 0`,
      'fix train.shape',
    );
  }
  const sum = new Float64Array(D);
  const squares = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) sum[d] += train.x[i * D + d];
  }
  const mean = Float64Array.from(sum, (s) => s / n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) squares[d] += (train.x[i * D + d] - mean[d]) ** 2;
  }
  const sd = Float64Array.from(squares, (s) => Math.sqrt(s / n) || 1);

  const apply = (data: Dataset, name: string): Dataset => {
    if (data.shape[2] !== D) {
      throw dataError(
        `${name}.shape[2]`,
        data.shape[2],
        `must equal the training set's inputs (=${D})`,
        'standardize sets with the same inputs',
      );
    }
    const x = Float32Array.from(data.x, (v, i) => (v - mean[i % D]) / sd[i % D]);
    const out: Dataset = { x, shape: [...data.shape] };
    if (data.labels) out.labels = data.labels.slice();
    if (data.targets) out.targets = data.targets.slice();
    if (data.mask) out.mask = data.mask.slice();
    if (data.conditions) out.conditions = data.conditions;
    return out;
  };
  return {
    train: apply(train, 'train'),
    test: test === undefined ? undefined : apply(test, 'test'),
    mean: Float32Array.from(mean),
    sd: Float32Array.from(sd),
  };
}
