/**
 * Reading `.safetensors` files (Hugging Face's tensor format, which PyTorch users save with
 * `safetensors.torch.save_file`).
 *
 * Why not a package: npm has no maintained stand-alone safetensors reader (none in the package
 * lists we checked; Hugging Face's JavaScript libraries read safetensors only as part of their
 * model hubs, with network access). The format is small and fully specified by Hugging Face: an
 * unsigned 64-bit little-endian header length N, N bytes of JSON
 * `{ "__metadata__": { str: str }, name: { "dtype": "F32", "shape": [..], "data_offsets": [b, e] } }`,
 * then the raw little-endian data, offsets counted from the end of the header. So this module
 * reads it itself, checking every offset before it reads a byte.
 */
import type { RawArray } from './dataset/npy.js';
import { dataFail } from './dataset/npy.js';

/** Bytes per element of each dtype sqrtk reads. */
const SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Header lengths above this are refused (the format's own limit is 100 MB). */
const MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  arrays: Record<string, RawArray>;
  metadata: Record<string, string>;
}

/** Whether `bytes` look like a safetensors file: a plausible length, then a JSON object. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

/** Parses every tensor of a safetensors file (converting nothing yet). */
export function parseSafetensors(file: string, bytes: Uint8Array): SafetensorsFile {
  const bad = (why: string) =>
    dataFail(
      file,
      `is not a readable .safetensors file (${why}); write it with safetensors' save_file`,
    );
  if (bytes.length < 8) throw bad('it is shorter than its 8-byte header length');
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (length > MAX_HEADER || 8 + length > bytes.length)
    throw bad(`its header length ${length} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  } catch (e) {
    throw bad(`its header is not JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw bad('its header is not a JSON object');
  const data = bytes.subarray(8 + length);
  const arrays: Record<string, RawArray> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    arrays[name] = tensor(file, name, entry, data);
  }
  return { arrays, metadata };
}

function tensor(file: string, name: string, entry: unknown, data: Uint8Array): RawArray {
  const fail = (why: string) => dataFail(file, `tensor "${name}" ${why}`);
  const e = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const size = typeof e.dtype === 'string' ? SIZES[e.dtype] : undefined;
  if (size === undefined)
    throw fail(
      `has dtype ${JSON.stringify(e.dtype)}, which sqrtk cannot read (it reads ${Object.keys(SIZES).join(', ')}); convert it, e.g. t.float()`,
    );
  const dtype = e.dtype as string;
  const shape = e.shape;
  const offsets = e.data_offsets;
  const whole = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(whole))
    throw fail(`has shape ${JSON.stringify(shape)}, not a list of sizes; the file is damaged`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(whole))
    throw fail(`has data_offsets ${JSON.stringify(offsets)}; the file is damaged`);
  const [begin, end] = offsets as number[];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end < begin || end > data.length || end - begin !== count * size)
    throw fail(
      `has data_offsets [${begin}, ${end}] for ${count} × ${size} bytes in ${data.length} bytes of data; the file is truncated or damaged`,
    );
  // A fresh, aligned copy (tensors need not be aligned in the file).
  const buffer = new Uint8Array(data.subarray(begin, end)).buffer;
  return { shape: shape as number[], values: decode(dtype, buffer), dtype };
}

function decode(dtype: string, buffer: ArrayBuffer): ArrayLike<number> {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer);
    case 'F32':
      return new Float32Array(buffer);
    case 'I64':
      return Float64Array.from(new BigInt64Array(buffer), Number);
    case 'U64':
      return Float64Array.from(new BigUint64Array(buffer), Number);
    case 'I32':
      return new Int32Array(buffer);
    case 'U32':
      return new Uint32Array(buffer);
    case 'I16':
      return new Int16Array(buffer);
    case 'U16':
      return new Uint16Array(buffer);
    case 'I8':
      return new Int8Array(buffer);
    default: // U8, BOOL
      return new Uint8Array(buffer);
  }
}
