/**
 * Reading NumPy `.npy` arrays (one array per file; an `.npz` is a zip of them).
 *
 * Why not a package: the two NPY readers on npm (npyjs, numpy-parser) read single `.npy` files
 * only (no `.npz`), and neither says *why* an array cannot be read (big-endian, Fortran order,
 * object dtype), which is the help our users need; numpy-parser has no 64-bit integers, which
 * `np.save` writes for labels by default. The format itself is small and documented by NumPy
 * (numpy.lib.format): the magic `\x93NUMPY`, a version byte pair (1.0, 2.0 or 3.0), the header
 * length (2 bytes in 1.0, 4 bytes later, little-endian), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (100, 8, 8), }` and the raw data. So this
 * module parses that header itself (about a hundred lines, written from the format description).
 *
 * The data is read assuming a little-endian host, as every JavaScript engine in use runs on.
 */
import { SqrtkError } from '../errors.js';

/** At most this many bytes of Float32 per array (1 GiB): larger data sets are refused up front. */
export const MAX_DATASET_BYTES = 2 ** 30;

/** An array as read from a file, before it becomes part of a {@link Dataset}. */
export interface RawArray {
  shape: number[];
  values: ArrayLike<number>;
  /** The NumPy dtype (`'<f8'`), or `'text'` for CSV and JSON numbers. */
  dtype: string;
}

/** Where an array comes from, for messages: `train.npz: array "x"`. */
export interface ArrayOrigin {
  file: string;
  array: string;
  /** How the user wrote it, for the suggested fix: `np.savez(..., x=...)` or `np.save(...)`. */
  container: 'npz' | 'npy';
}

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KIND_NAMES: Record<string, string> = { f: 'float', i: 'int', u: 'uint', b: 'bool' };
const READABLE: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8] };

export function dataFail(file: string, message: string): SqrtkError {
  return new SqrtkError('E_DATA', `${file}: ${message}`);
}

/** The dtype the fix should convert to: classes as int32, everything else float32. */
function wanted(array: string): string {
  return array === 'labels' ? '<i4' : '<f4';
}

function saveCall(o: ArrayOrigin, expr: string): string {
  return o.container === 'npz' ? `np.savez(..., ${o.array}=${expr})` : `np.save(..., ${expr})`;
}

/** Parses one `.npy` file and converts nothing yet: integers stay integers, float64 stays. */
export function parseNpy(bytes: Uint8Array, o: ArrayOrigin): RawArray {
  const what = `array "${o.array}"`;
  const bad = (why: string) =>
    dataFail(o.file, `${what} is not a readable .npy file (${why}); write it with np.save`);
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) throw bad('no NPY magic');
  const major = bytes[6];
  if (major < 1 || major > 3) throw bad(`format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + length > bytes.length) throw bad('the header is cut short');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + length),
  );

  const descr = /['"]descr['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|(\[))/.exec(header);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeText) throw bad(`header ${JSON.stringify(header.trim())}`);
  if (descr[3]) {
    throw dataFail(
      o.file,
      `${what} has a structured dtype (fields); save each field as its own plain numeric array`,
    );
  }
  const dtype = descr[1] ?? descr[2];
  const shape = shapeText[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw bad(`shape (${shapeText[1]})`);

  const [order, kind, size] = [dtype[0], dtype[1], Number(dtype.slice(2))];
  const typeName = kind === 'b' ? 'bool' : `${KIND_NAMES[kind] ?? kind}${size * 8}`;
  if (kind === 'O') {
    throw dataFail(
      o.file,
      `${what} has dtype object ('${dtype}'), which only Python can read (pickle); store numbers: ` +
        `${saveCall(o, `${o.array}.astype('${wanted(o.array)}')`)}; pad ragged sequences to one T ` +
        'and pass a mask',
    );
  }
  const readable = kind === 'b' ? size === 1 : (READABLE[kind] ?? []).includes(size);
  if (!readable || !['<', '>', '|', '='].includes(order)) {
    throw dataFail(
      o.file,
      `${what} has dtype '${dtype}', which sqrtk cannot read (it reads float16/32/64, int8–64, ` +
        `uint8–64 and bool); convert it: ${saveCall(o, `${o.array}.astype('${wanted(o.array)}')`)}`,
    );
  }
  if (order === '>' && size > 1) {
    throw dataFail(
      o.file,
      `${what} is big-endian ${typeName} ('${dtype}'); save it little-endian: ` +
        saveCall(o, `${o.array}.astype('${wanted(o.array)}')`),
    );
  }
  if (fortran[1] === 'True' && shape.length > 1) {
    throw dataFail(
      o.file,
      `${what} is stored in Fortran (column-major) order; save it in C order: ` +
        saveCall(o, `np.ascontiguousarray(${o.array})`),
    );
  }

  const count = shape.reduce((a, b) => a * b, 1);
  checkSize(o.file, o.array, shape, count);
  const offset = start + length;
  if (offset + count * size > bytes.length) {
    throw bad(
      `shape (${shape.join(', ')}) needs ${count * size} bytes of data, ` +
        `${bytes.length - offset} follow`,
    );
  }
  // Copy into a fresh, aligned buffer (npz members need not be aligned). Not bytes.slice():
  // on a Node Buffer that is a view, not a copy.
  const buffer = new Uint8Array(bytes.subarray(offset, offset + count * size)).buffer;
  return { shape, values: decode(kind, size, buffer), dtype };
}

/** Refuses an array whose Float32 copy would exceed {@link MAX_DATASET_BYTES}. */
export function checkSize(file: string, array: string, shape: number[], count: number): void {
  if (count * 4 > MAX_DATASET_BYTES) {
    const gib = ((count * 4) / 2 ** 30).toFixed(2);
    throw dataFail(
      file,
      `array "${array}" of shape [${shape.join(', ')}] would take ${gib} GiB as float32, over ` +
        `sqrtk's limit of 1 GiB (MAX_DATASET_BYTES); load fewer sequences or time steps at a time`,
    );
  }
}

function decode(kind: string, size: number, buffer: ArrayBuffer): ArrayLike<number> {
  if (kind === 'f') {
    if (size === 4) return new Float32Array(buffer);
    if (size === 8) return new Float64Array(buffer);
    return Float32Array.from(new Uint16Array(buffer), halfToFloat);
  }
  if (kind === 'b' || (kind === 'u' && size === 1)) return new Uint8Array(buffer);
  if (kind === 'i' && size === 1) return new Int8Array(buffer);
  if (size === 2) return kind === 'i' ? new Int16Array(buffer) : new Uint16Array(buffer);
  if (size === 4) return kind === 'i' ? new Int32Array(buffer) : new Uint32Array(buffer);
  // 64-bit integers: exact as numbers up to 2^53, far beyond any valid class or input.
  const wide = kind === 'i' ? new BigInt64Array(buffer) : new BigUint64Array(buffer);
  return Float64Array.from(wide, Number);
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
