import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDataset, type Dataset } from '../ts/data.js';
import { loadDataset, splitDataset, standardize } from '../ts/dataset/index.js';
import { SqrtkError } from '../ts/errors.js';
import { loadDatasetFile } from '../ts/node/dataset-file.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A .npy file built by hand (format 1.0 or 2.0), so these cases need no NumPy. */
function npyBytes(
  descr: string,
  shape: number[],
  data: ArrayBufferView,
  { fortran = false, version = 1 } = {},
): Uint8Array<ArrayBuffer> {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${dims}, }`;
  const pre = version === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((pre + header.length) % 64)) + '\n';
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, ...enc('NUMPY'), version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(enc(header), pre);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}

async function dataErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(SqrtkError);
    expect((e as SqrtkError).code).toBe('E_DATA');
    return (e as SqrtkError).message;
  }
  throw new Error('expected an E_DATA error');
}

const CE = (inputs: number, outputs: number) =>
  ({ inputs, outputs, loss: 'cross_entropy' }) as const;

describe('hand-made .npy (no NumPy needed)', () => {
  const x = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i / 4);

  it('reads x from one .npy and int64 labels from another, and passes validateDataset', async () => {
    const labels = npyBytes('<i8', [2], BigInt64Array.from([1n, 0n]));
    const got = await loadDataset(npyBytes('<f4', [2, 3, 2], x), { name: 'x.npy', labels });
    expect(got.format).toBe('npy');
    expect(Array.from(got.data.x)).toEqual(Array.from(x));
    expect(got.data.shape).toEqual([2, 3, 2]);
    expect(Array.from(got.data.labels!)).toEqual([1, 0]);
    expect(got.outputs).toBe(2);
    expect(got.notes).toEqual([]);
    validateDataset('x.npy', got.data, CE(2, 2));
  });

  it('reads format 2.0, float16 inputs and JSON labels from a Blob', async () => {
    const half = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0, 0x3c00, 0x3c00]); // 1,-2,0.5,0,1,1
    const got = await loadDataset(npyBytes('<f2', [2, 3, 1], half, { version: 2 }), {
      labels: new Blob(['[0, 1]']),
    });
    expect(Array.from(got.data.x)).toEqual([1, -2, 0.5, 0, 1, 1]);
    expect(got.notes).toEqual([]); // float16 fits float32 exactly
  });

  it('names big-endian, Fortran-order, object and complex arrays with the fix', async () => {
    const be = npyBytes('>f8', [2, 3, 2], new Float64Array(12));
    expect(await dataErrorOf(loadDataset(be, { name: 'train.npy' }))).toBe(
      `train.npy: array "x" is big-endian float64 ('>f8'); save it little-endian: ` +
        `np.save(..., x.astype('<f4'))`,
    );
    const f = npyBytes('<f4', [2, 3, 2], x, { fortran: true });
    expect(await dataErrorOf(loadDataset(f))).toMatch(
      /^dataset: array "x" is stored in Fortran .*np\.ascontiguousarray\(x\)/,
    );
    const obj = npyBytes('|O', [2], new Uint8Array(16));
    expect(await dataErrorOf(loadDataset(obj))).toMatch(/dtype object \('\|O'\).*astype\('<f4'\)/);
    const complex = npyBytes('<c8', [2, 3, 2], new Float32Array(24));
    expect(await dataErrorOf(loadDataset(complex))).toMatch(/dtype '<c8', which sqrtk cannot/);
  });

  it('refuses x over 1 GiB of float32 before allocating', async () => {
    const huge = npyBytes('<f4', [100000, 1000, 10], new Uint8Array(0));
    expect(await dataErrorOf(loadDataset(huge, { name: 'big.npy' }))).toMatch(
      /^big\.npy: array "x" of shape \[100000, 1000, 10\] would take 3\.73 GiB .* limit of 1 GiB/,
    );
  });

  it('rejects labels out of range, non-integer labels and wrong dimensionality', async () => {
    const xs = npyBytes('<f4', [2, 3, 2], x);
    const neg = npyBytes('<i4', [2], Int32Array.from([0, -1]));
    expect(await dataErrorOf(loadDataset(xs, { labels: neg }))).toMatch(
      /array "labels" holds -1 at flat index 1; classes must be whole numbers/,
    );
    const frac = npyBytes('<f8', [2], Float64Array.from([0, 1.5]));
    expect(await dataErrorOf(loadDataset(xs, { labels: frac }))).toMatch(/holds 1\.5/);
    const flat = npyBytes('<f4', [2, 6], x);
    expect(await dataErrorOf(loadDataset(flat))).toMatch(/shape \[2, 6\] \(2-D\).*x\[:, :, None\]/);
  });

  it('reads a File (named) and a Response; rejects a path string with a pointer', async () => {
    const file = new File([npyBytes('<f4', [2, 3, 2], x)], 'mine.npy');
    const bad = npyBytes('>f4', [2, 3, 2], x);
    expect(await dataErrorOf(loadDataset(new File([bad], 'mine.npy')))).toMatch(/^mine\.npy: /);
    expect((await loadDataset(file)).data.shape).toEqual([2, 3, 2]);
    expect((await loadDataset(new Response(npyBytes('<f4', [2, 3, 2], x)))).data.x.length).toBe(12);
    await expect(loadDataset('train.npz' as never)).rejects.toThrow(/loadDatasetFile\(path\)/);
  });
});

/** Python with NumPy: python3 (CI installs numpy there) or the system's. */
function findNumpy(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}
const python = findNumpy();
if (!python) console.warn('SKIPPED the NumPy fixture tests: no python3 with numpy found');

const [B, T, D] = [12, 5, 3];
const xValue = (i: number) => Math.fround(i / 10);

describe.skipIf(!python)('NumPy fixtures', () => {
  let dir = '';
  const at = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqrtk-dataset-'));
    const script = `
import numpy as np, sys, os
os.chdir(sys.argv[1])
B, T, D = ${B}, ${T}, ${D}
x = np.arange(B * T * D).reshape(B, T, D) / 10
labels = np.arange(B) % 3
np.savez('stored.npz', x=x.astype(np.float32), labels=labels)
np.savez_compressed('compressed.npz', x=x, labels=labels.astype(np.int64))
step = (np.arange(B * T).reshape(B, T) % 4).astype(np.int32)
np.savez('perstep.npz', x=x.astype('<f4'), labels=step, mask=np.arange(B * T).reshape(B, T) % 5 != 0)
np.savez_compressed('targets.npz', x=x.astype('<f4'), targets=np.ones((B, T, 2), '<f4'), mask=np.ones((B, T), '<f8'))
np.save('x.npy', x.astype('<f4'))
np.save('labels.npy', labels.astype(np.uint8))
np.savez('big-endian.npz', x=x.astype('>f8'), labels=labels)
np.save('fortran.npy', np.asfortranarray(x.astype('<f4')))
np.save('object.npy', np.array([np.zeros(3), np.zeros(4)], dtype=object), allow_pickle=True)
np.savez('mismatch.npz', x=x.astype('<f4'), labels=labels[:10])
np.savez('typo.npz', x=x, y=labels)
np.savez('conditions.npz', x=x.astype('<f4'), labels=labels, condition_coherence=np.arange(B) * 6.4, condition_side=(np.arange(B) % 2).astype(np.int8))
np.savez('bad-condition.npz', x=x.astype('<f4'), labels=labels, condition_coherence=np.zeros((B, 2)))
np.savez('nan-condition.npz', x=x.astype('<f4'), labels=labels, condition_rt=np.where(np.arange(B) == 4, np.nan, 1.0))
`;
    execFileSync(python!, ['-c', script, dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectX(data: Dataset) {
    expect(data.shape).toEqual([B, T, D]);
    expect(data.x.every((v, i) => v === xValue(i))).toBe(true);
  }

  it('np.savez (stored): float32 x, int64 labels', async () => {
    const got = await loadDatasetFile(at('stored.npz'));
    expect(got.format).toBe('npz');
    expectX(got.data);
    expect(Array.from(got.data.labels!)).toEqual(Array.from({ length: B }, (_, b) => b % 3));
    expect(got.notes).toEqual([]);
    validateDataset('stored.npz', got.data, CE(D, got.outputs));
    expect(got.outputs).toBe(3);
  });

  it('np.savez_compressed: float64 x becomes float32 with one note', async () => {
    const got = await loadDatasetFile(at('compressed.npz'));
    expectX(got.data);
    expect(got.notes).toEqual([
      `${at('compressed.npz')}: array "x" is float64; read as float32 (sqrtk computes in float32)`,
    ]);
    validateDataset('compressed.npz', got.data, CE(D, 3));
  });

  it('per-step labels with a bool mask: flagged, B·T classes, valid for cross_entropy', async () => {
    const got = await loadDatasetFile(at('perstep.npz'));
    expect(got.labelsPerStep).toBe(true);
    expect(got.data.labels!.length).toBe(B * T);
    expect(got.data.labels![7]).toBe(7 % 4);
    expect(Array.from(got.data.mask!.subarray(0, 6))).toEqual([0, 1, 1, 1, 1, 0]);
    validateDataset('perstep', got.data, CE(D, 4));
    expect(() => validateDataset('perstep', got.data, CE(D, 3))).toThrow(
      /perstep\.labels\[3\] \(=3\) must be a class in 0\.\.2 at a step of nonzero mask/,
    );
  });

  it('targets with a mask pass validateDataset for mse', async () => {
    const got = await loadDatasetFile(at('targets.npz'));
    expect(got.outputs).toBe(2);
    expect(got.labelsPerStep).toBe(false);
    validateDataset('targets', got.data, { inputs: D, outputs: 2, loss: 'mse' });
  });

  it('task variables from condition_NAME arrays, kept through a split', async () => {
    const got = await loadDatasetFile(at('conditions.npz'));
    const c = got.data.conditions!;
    expect(Object.keys(c)).toEqual(['coherence', 'side']);
    expect(Array.from(c.coherence)).toEqual(Array.from({ length: B }, (_, b) => b * 6.4));
    expect(Array.from(c.side)).toEqual(Array.from({ length: B }, (_, b) => b % 2));
    validateDataset('conditions.npz', got.data, CE(D, 3));
    const { train, test } = splitDataset(got.data, { test: 0.25, seed: 1 });
    // Each part keeps the variables of its own sequences (x[b] starts at b·T·D / 10).
    for (const part of [train, test]) {
      expect(part.conditions!.coherence).toHaveLength(part.shape[0]);
      part.conditions!.coherence.forEach((v, i) =>
        expect(v).toBeCloseTo((part.x[i * T * D] * 10 * 6.4) / (T * D), 9),
      );
    }
    expect(await dataErrorOf(loadDatasetFile(at('bad-condition.npz')))).toBe(
      `${at('bad-condition.npz')}: array "condition_coherence" has shape [12, 2]; give one value per sequence [B]`,
    );
    expect(await dataErrorOf(loadDatasetFile(at('nan-condition.npz')))).toBe(
      `${at('nan-condition.npz')}: array "condition_rt" has NaN at sequence 4; give every sequence a finite value`,
    );
  });

  it('x.npy with labels from a second file', async () => {
    const got = await loadDatasetFile(at('x.npy'), { labels: at('labels.npy') });
    expectX(got.data);
    validateDataset('x.npy', got.data, CE(D, 3));
  });

  it('errors name the file, the array, what was found and the fix', async () => {
    expect(await dataErrorOf(loadDatasetFile(at('big-endian.npz')))).toBe(
      `${at('big-endian.npz')}: array "x" is big-endian float64 ('>f8'); save it little-endian: ` +
        `np.savez(..., x=x.astype('<f4'))`,
    );
    expect(await dataErrorOf(loadDatasetFile(at('fortran.npy')))).toContain(
      `${at('fortran.npy')}: array "x" is stored in Fortran (column-major) order`,
    );
    expect(await dataErrorOf(loadDatasetFile(at('object.npy')))).toMatch(/dtype object \('\|O'\)/);
    expect(await dataErrorOf(loadDatasetFile(at('mismatch.npz')))).toBe(
      `${at('mismatch.npz')}: array "labels" has 10 sequences (shape [10]) but "x" has 12 ` +
        '(shape [12, 5, 3]); give every array the same first dimension B',
    );
    expect(await dataErrorOf(loadDatasetFile(at('typo.npz')))).toMatch(/"y".*np\.savez\(path, x=x/);
    await expect(loadDatasetFile(at('missing.npz'))).rejects.toThrow(
      /missing\.npz: does not exist/,
    );
  });
});

/** Long-form CSV of a dataset: rows shuffled, ids 1-based as MATLAB writes them. */
function toCsv(data: Dataset, column: 'label' | 'targets'): string {
  const [b, t, d] = data.shape;
  const o = data.targets ? data.targets.length / (b * t) : 0;
  const head = ['sequence', 'step', ...Array.from({ length: d }, (_, i) => `x${i}`)];
  head.push(...(column === 'label' ? ['label'] : Array.from({ length: o }, (_, i) => `y${i}`)));
  const rows: string[] = [];
  for (let s = 0; s < b; s++) {
    for (let k = 0; k < t; k++) {
      const xs = Array.from(data.x.subarray((s * t + k) * d, (s * t + k + 1) * d));
      const ys =
        column === 'label'
          ? [data.labels![s]]
          : Array.from(data.targets!.subarray((s * t + k) * o, (s * t + k + 1) * o));
      rows.push([s + 1, k + 1, ...xs, ...ys].join(','));
    }
  }
  rows.reverse();
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}

function sample(b = 30, t = 4, d = 2, classes = 3): Dataset {
  return {
    x: Float32Array.from({ length: b * t * d }, (_, i) => Math.fround(Math.sin(i) * 3 + 1)),
    shape: [b, t, d],
    labels: Int32Array.from({ length: b }, (_, s) => s % classes),
  };
}

describe('CSV and JSON', () => {
  it('CSV long form round trip (rows in any order, 1-based ids)', async () => {
    const data = sample();
    const got = await loadDataset(enc(toCsv(data, 'label')), { name: 'train.csv' });
    expect(got.format).toBe('csv');
    expect(got.data).toEqual(data);
    validateDataset('train.csv', got.data, CE(2, 3));

    const reg: Dataset = { ...sample(3, 2, 1), targets: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    delete reg.labels;
    const back = await loadDataset(enc(toCsv(reg, 'targets')));
    expect(Array.from(back.data.targets!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('CSV: per-step labels and a mask column', async () => {
    const csv = 'sequence,step,x0,label,mask\n0,0,1,0,1\n0,1,2,1,1\n1,0,3,1,1\n1,1,4,1,0\n';
    const got = await loadDataset(enc(csv));
    expect(got.labelsPerStep).toBe(true);
    expect(Array.from(got.data.labels!)).toEqual([0, 1, 1, 1]);
    expect(Array.from(got.data.mask!)).toEqual([1, 1, 1, 0]);
  });

  it('CSV and JSON: task variables as condition_NAME, one value per sequence', async () => {
    const csv =
      'sequence,step,x0,label,mask,condition_coherence,condition_side\n' +
      '2,1,3,1,1,25.6,0\n1,1,1,0,1,6.4,1\n1,2,2,0,1,6.4,1\n2,2,4,1,0,25.6,0\n';
    const got = await loadDataset(enc(csv), { name: 'c.csv' });
    expect(Array.from(got.data.conditions!.coherence)).toEqual([6.4, 25.6]);
    expect(Array.from(got.data.conditions!.side)).toEqual([1, 0]);
    expect(Array.from(got.data.mask!)).toEqual([1, 1, 1, 0]);
    const changing = 'sequence,step,x0,label,condition_rt\n1,1,1,0,0.3\n1,2,2,0,0.4\n';
    expect(await dataErrorOf(loadDataset(enc(changing), { name: 'rt.csv' }))).toBe(
      'rt.csv: column "condition_rt" changes within sequence 1 (0.3 at step 1, 0.4 at step 2); ' +
        'a task variable has one value per sequence: repeat it on every row of the sequence',
    );
    const json = { x: [[[1]], [[2]]], labels: [0, 1], condition_coherence: [6.4, 12.8] };
    const fromJson = await loadDataset(enc(JSON.stringify(json)));
    expect(Array.from(fromJson.data.conditions!.coherence)).toEqual([6.4, 12.8]);
    const wrong = { ...json, condition_coherence: [6.4] };
    expect(await dataErrorOf(loadDataset(enc(JSON.stringify(wrong)), { name: 'w.json' }))).toMatch(
      /^w\.json: array "condition_coherence" has 1 sequences/,
    );
  });

  it('CSV errors: missing step, duplicate step, no header, bad header, bad cell', async () => {
    const missing = 'sequence,step,x0,label\n1,1,0.5,0\n1,2,0.5,0\n2,1,0.5,1\n';
    expect(await dataErrorOf(loadDataset(enc(missing), { name: 'a.csv' }))).toBe(
      'a.csv: sequence 2 has no row for step 2 (it has 1 of the 2 steps in the file); every ' +
        'sequence needs every step: pad the missing steps (e.g. with zeros) and add a mask ' +
        'column that is 0 there',
    );
    const twice = 'sequence,step,x0,label\n1,1,0.5,0\n1,1,0.5,0\n';
    expect(await dataErrorOf(loadDataset(enc(twice)))).toMatch(/step 1 twice \(lines 2 and 3\)/);
    expect(await dataErrorOf(loadDataset(enc('1,1,0.5,0\n1,2,0.5,0\n')))).toMatch(
      /line 1 holds numbers, but sqrtk needs a header line: sequence,step,x0/,
    );
    const header = 'seq,step,x0,label\n1,1,0.5,0\n';
    expect(await dataErrorOf(loadDataset(enc(header)))).toMatch(
      /header "seq,step,x0,label" is not sqrtk's long form \(column 1 is "seq"\)/,
    );
    const cell = 'sequence,step,x0,label\n1,1,abc,0\n';
    expect(await dataErrorOf(loadDataset(enc(cell)))).toMatch(/line 2, column "x0" holds "abc"/);
  });

  it('JSON: labels, targets with mask, and ragged arrays named', async () => {
    const json = {
      x: [
        [[1], [2]],
        [[3], [4]],
      ],
      labels: [0, 1],
    };
    const got = await loadDataset(enc(JSON.stringify(json)));
    expect(got.format).toBe('json');
    expect(Array.from(got.data.x)).toEqual([1, 2, 3, 4]);
    validateDataset('json', got.data, CE(1, 2));

    const reg = { x: [[[1], [2]]], targets: [[[0.5], [1]]], mask: [[1, 0]] };
    const r = await loadDataset(enc(JSON.stringify(reg)));
    validateDataset('json', r.data, { inputs: 1, outputs: 1, loss: 'mse' });

    const ragged = { x: [[[1], [2]], [[3]]], labels: [0, 1] };
    expect(await dataErrorOf(loadDataset(enc(JSON.stringify(ragged)), { name: 'r.json' }))).toBe(
      'r.json: "x" is ragged: x[1] has 1 items but x[0] has 2; pad every sequence to the same ' +
        'length and mark padding with a mask',
    );
    expect(await dataErrorOf(loadDataset(enc('{"x": [[[1]]], "label": [0]}')))).toMatch(
      /key "label" that sqrtk does not know/,
    );
  });
});

describe('splitDataset', () => {
  const data = sample(50, 2, 1, 3); // classes of 17, 17, 16 sequences

  it('is stratified, a partition, ordered, and deterministic', () => {
    const { train, test } = splitDataset(data, { test: 0.2, seed: 7 });
    expect(test.shape[0]).toBe(10);
    expect(train.shape[0] + test.shape[0]).toBe(50);
    for (let c = 0; c < 3; c++) {
      const n = data.labels!.filter((l) => l === c).length;
      const k = test.labels!.filter((l) => l === c).length;
      expect(Math.abs(k - 0.2 * n)).toBeLessThanOrEqual(1);
    }
    // x[b] = sin(2b)·3 + 1 is distinct per sequence: recover indices, check order and coverage.
    const index = (d: Dataset) =>
      Array.from({ length: d.shape[0] }, (_, i) =>
        Array.from(data.x).findIndex((v, j) => j % 2 === 0 && v === d.x[i * 2]),
      ).map((j) => j / 2);
    const [a, b] = [index(train), index(test)];
    expect([...a, ...b].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual([...a].sort((p, q) => p - q));
    expect(b).toEqual([...b].sort((p, q) => p - q));
    expect(b.every((s) => test.labels![b.indexOf(s)] === data.labels![s])).toBe(true);

    expect(splitDataset(data, { test: 0.2, seed: 7 })).toEqual({ train, test });
    expect(splitDataset(data, { test: 0.2, seed: 8 }).test.x).not.toEqual(test.x);
    validateDataset('train', train, CE(1, 3));
  });

  it('validates its options', () => {
    expect(() => splitDataset(data, { test: 1 })).toThrow(/test \(=1\) must be a fraction/);
    expect(() => splitDataset(data, { test: 0.2, seed: 1.5 })).toThrow(/seed \(=1.5\)/);
    expect(() => splitDataset(data, { test: 0.001 })).toThrow(/leaves the test part empty/);
    expect(() => splitDataset(data, { test: 0.2, sed: 1 } as never)).toThrow(/did you mean "seed"/);
  });
});

describe('standardize', () => {
  it('gives mean 0 and sd 1 on train, uses train statistics for test, copies', () => {
    const { train, test } = splitDataset(sample(40, 3, 2), { test: 0.25, seed: 1 });
    train.x[1] = 5; // make input 1 differ from a constant
    const before = train.x.slice();
    const s = standardize(train, test);
    expect(train.x).toEqual(before);
    for (let d = 0; d < 2; d++) {
      const v = Array.from(s.train.x).filter((_, i) => i % 2 === d);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(sd).toBeCloseTo(1, 5);
      expect(s.test!.x[d]).toBeCloseTo((test.x[d] - s.mean[d]) / s.sd[d], 5);
    }
    const flat: Dataset = { x: new Float32Array(6).fill(3), shape: [2, 3, 1] };
    const c = standardize(flat);
    expect(Array.from(c.sd)).toEqual([1]);
    expect(c.train.x.every((v) => v === 0)).toBe(true);
    expect(c.test).toBeUndefined();
  });
});

describe('platform boundary', () => {
  it('ts/dataset/ imports no Node built-ins (it runs in browsers too)', () => {
    const dir = new URL('../ts/dataset/', import.meta.url);
    for (const name of readdirSync(dir)) {
      const source = readFileSync(new URL(name, dir), 'utf8');
      expect(source, name).not.toMatch(/from ['"](node:|\.\.\/node\/|\.\.\/cli\/)/);
    }
  });
});

describe('splitDataset with per-step labels', () => {
  it('splits whole sequences (not stratified) and keeps their steps together', async () => {
    const csv = ['sequence,step,x0,label']
      .concat(Array.from({ length: 10 }, (_, s) => [`${s},0,${s},0`, `${s},1,${s},1`]).flat())
      .join('\n');
    const { data, labelsPerStep } = await loadDataset(enc(csv));
    expect(labelsPerStep).toBe(true);
    const { train, test } = splitDataset(data, { test: 0.3, seed: 3 });
    expect([train.shape[0], test.shape[0]]).toEqual([7, 3]);
    expect(Array.from(test.labels!)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(test.x[0]).toBe(test.x[1]);
  });
});

describe('shape checks', () => {
  it('names 2-D targets and a mask with the wrong T', async () => {
    const two = { x: [[[1], [2]]], targets: [[1, 2]] };
    expect(await dataErrorOf(loadDataset(enc(JSON.stringify(two))))).toBe(
      'dataset: array "targets" has shape [1, 2]; give [B, T, O]; for one output reshape to ' +
        '[B, T, 1] (targets[:, :, None])',
    );
    const mask = { x: [[[1], [2]]], labels: [0], mask: [[1, 1, 1]] };
    expect(await dataErrorOf(loadDataset(enc(JSON.stringify(mask))))).toMatch(
      /array "mask" has 3 time steps \(shape \[1, 3\]\) but "x" has 2/,
    );
  });
});
