import { describe, expect, it } from 'vitest';
import {
  datasets,
  takeBatch,
  validateDataset,
  type DataExpectation,
  type Dataset,
} from '../ts/data.js';
import { SqrtkError } from '../ts/errors.js';

const CE: DataExpectation = { inputs: 2, outputs: 3, loss: 'cross_entropy' };
const MSE: DataExpectation = { inputs: 2, outputs: 1, loss: 'mse' };

/** A tiny valid dataset: B = 2 sequences, T = 3 steps, D = 2 inputs. */
function tiny(): Dataset {
  return {
    x: Float32Array.from({ length: 12 }, (_, i) => i),
    shape: [2, 3, 2],
    labels: Int32Array.from([0, 2]),
    targets: Float32Array.from({ length: 6 }, (_, i) => -i),
    mask: Float32Array.from([1, 1, 0, 1, 0, 1]),
  };
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function dataErrorOf(data: unknown, expectation = CE): SqrtkError {
  try {
    validateDataset('train', data as Dataset, expectation);
  } catch (err) {
    expect(err).toBeInstanceOf(SqrtkError);
    expect((err as SqrtkError).code).toBe('E_DATA');
    return err as SqrtkError;
  }
  throw new Error('expected validateDataset to throw');
}

describe('datasets.digits', () => {
  const { train, test, classes } = datasets.digits();

  it('has 1437 train and 360 test sequences of 8 steps × 8 pixels', () => {
    expect(classes).toBe(10);
    expect(train.shape).toEqual([1437, 8, 8]);
    expect(test.shape).toEqual([360, 8, 8]);
    expect(train.x.length).toBe(1437 * 64);
    expect(test.x.length).toBe(360 * 64);
    expect(train.labels?.length).toBe(1437);
    expect(test.labels?.length).toBe(360);
  });

  it('has pixels in [0, 1] and every class in both splits', () => {
    for (const split of [train, test]) {
      expect(split.x.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(split.x.some((v) => v === 1)).toBe(true);
      expect(new Set(split.labels).size).toBe(10);
      expect(split.labels?.every((c) => c >= 0 && c < 10)).toBe(true);
      expect(() =>
        validateDataset('digits', split, { ...CE, inputs: 8, outputs: 10 }),
      ).not.toThrow();
    }
  });

  it('is the same on every call and returns fresh arrays', () => {
    const again = datasets.digits();
    expect(sameValues(again.train.x, train.x)).toBe(true);
    expect(sameValues(again.test.x, test.x)).toBe(true);
    expect(sameValues(again.train.labels!, train.labels!)).toBe(true);
    expect(again.train.x).not.toBe(train.x);
    // A fixed shuffle (checked against an independent Python reimplementation): pin the first
    // labels of each split so a change of order is noticed.
    expect(Array.from(train.labels!.slice(0, 10))).toEqual([9, 7, 7, 0, 5, 8, 1, 2, 2, 6]);
    expect(Array.from(test.labels!.slice(0, 10))).toEqual([0, 0, 3, 6, 0, 9, 4, 9, 9, 1]);
  });
});

describe('validateDataset', () => {
  it('accepts valid data for both losses', () => {
    expect(() => validateDataset('train', tiny(), CE)).not.toThrow();
    expect(() => validateDataset('train', tiny(), MSE)).not.toThrow();
  });

  const cases: [string, (d: Dataset) => unknown, string, DataExpectation][] = [
    ['shape of 2 numbers', (d) => ({ ...d, shape: [2, 6] }), 'train.shape', CE],
    ['non-integer shape', (d) => ({ ...d, shape: [2, 1.5, 4] }), 'train.shape', CE],
    ['T = 0', (d) => ({ ...d, shape: [2, 0, 2] }), 'train.shape', CE],
    ['B = 0', (d) => ({ ...d, shape: [0, 3, 2], x: new Float32Array(0) }), 'empty', CE],
    ['x not Float32Array', (d) => ({ ...d, x: Array.from(d.x) }), 'train.x', CE],
    ['x wrong length', (d) => ({ ...d, x: d.x.slice(1) }), 'train.x.length', CE],
    ['D ≠ inputs', (d) => ({ ...d, shape: [2, 2, 3] }), 'train.shape[2]', CE],
    ['NaN in x', (d) => ((d.x[5] = NaN), d), 'train.x[5]', CE],
    ['Infinity in x', (d) => ((d.x[7] = Infinity), d), 'train.x[7]', CE],
    ['labels missing', (d) => ({ ...d, labels: undefined }), 'train.labels', CE],
    [
      'labels wrong length',
      (d) => ({ ...d, labels: new Int32Array(3) }),
      'train.labels.length',
      CE,
    ],
    ['label too large', (d) => ({ ...d, labels: Int32Array.from([0, 3]) }), 'train.labels[1]', CE],
    ['label negative', (d) => ({ ...d, labels: Int32Array.from([-1, 0]) }), 'train.labels[0]', CE],
    ['targets missing', (d) => ({ ...d, targets: undefined }), 'train.targets', MSE],
    [
      'targets wrong length',
      (d) => ({ ...d, targets: new Float32Array(5) }),
      'train.targets.length',
      MSE,
    ],
    ['NaN in targets', (d) => ((d.targets![4] = NaN), d), 'train.targets[4]', MSE],
    ['mask wrong length', (d) => ({ ...d, mask: new Float32Array(5) }), 'train.mask.length', CE],
    ['negative mask', (d) => ((d.mask![2] = -1), d), 'train.mask[2]', CE],
    ['NaN in mask', (d) => ((d.mask![3] = NaN), d), 'train.mask[3]', CE],
    ['unknown key', (d) => ({ ...d, lables: d.labels }), 'train.lables', CE],
  ];

  it.each(cases)('rejects %s', (_what, spoil, field, expectation) => {
    const err = dataErrorOf(spoil(tiny()), expectation);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(/\(=.*\) .*; /);
  });

  it('names the first bad index and the value', () => {
    const d = tiny();
    d.x[3] = NaN;
    d.x[9] = NaN;
    expect(dataErrorOf(d).message).toBe(
      'train.x[3] (=NaN) must be finite (no NaN or Infinity); clean or impute the data first',
    );
  });

  it('suggests the right key for a typo', () => {
    const err = dataErrorOf({ ...tiny(), lables: new Int32Array(2) });
    expect(err.message).toContain('did you mean "labels"');
  });
});

describe('takeBatch', () => {
  it('gathers sequences in the given order', () => {
    const d = tiny();
    const b = takeBatch(d, [1, 0, 1]);
    expect(b.shape).toEqual([3, 3, 2]);
    expect(Array.from(b.x)).toEqual([6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Array.from(b.labels!)).toEqual([2, 0, 2]);
    expect(Array.from(b.targets!)).toEqual([-3, -4, -5, -0, -1, -2, -3, -4, -5]);
    expect(Array.from(b.mask!)).toEqual([1, 0, 1, 1, 1, 0, 1, 0, 1]);
    expect(() => validateDataset('batch', b, CE)).not.toThrow();
  });

  it('reuses the arrays of `out` when sizes match', () => {
    const d = tiny();
    const first = takeBatch(d, [0, 1]);
    const second = takeBatch(d, [1, 0], first);
    expect(second.x).toBe(first.x);
    expect(second.labels).toBe(first.labels);
    expect(second.targets).toBe(first.targets);
    expect(second.mask).toBe(first.mask);
    expect(Array.from(second.labels!)).toEqual([2, 0]);
    const smaller = takeBatch(d, [1], first);
    expect(smaller.x).not.toBe(first.x);
    expect(smaller.x.length).toBe(6);
  });

  it('omits fields the source lacks and rejects bad indices', () => {
    const { x, shape } = tiny();
    const b = takeBatch({ x, shape }, [0]);
    expect(b.labels).toBeUndefined();
    expect(b.targets).toBeUndefined();
    expect(b.mask).toBeUndefined();
    expect(() => takeBatch({ x, shape }, [2])).toThrow(/indices\[0\] \(=2\)/);
  });

  it('works on the digits data', () => {
    const { test } = datasets.digits();
    const b = takeBatch(test, [359, 0]);
    expect(Array.from(b.x.subarray(0, 64))).toEqual(Array.from(test.x.subarray(359 * 64)));
    expect(b.labels![1]).toBe(test.labels![0]);
  });
});
