/**
 * `loadDataset`: reads a data set from bytes, a Blob/File or a fetch Response, in any runtime.
 * The format is told by the content, not the name: a zip is `.npz`, `\x93NUMPY` is `.npy`, text
 * starting with `{` or `[` is JSON, anything else is CSV (long form, see {@link parseCsv}).
 */
import { unzipSync } from 'fflate';
import { optionError, rejectUnknownKeys, SqrtkError } from '../errors.js';
import {
  assemble,
  CONDITION_ARRAY,
  DATASET_ARRAYS,
  type ArrayName,
  type LoadedDataset,
  type RawArrays,
} from './assemble.js';
import { dataFail, MAX_DATASET_BYTES, NPY_MAGIC, parseNpy } from './npy.js';
import { nestedArray, parseCsv, parseJson, parseJsonValue } from './text.js';

export type { LoadedDataset } from './assemble.js';

/** Where a data set comes from. In Node, read a path with `loadDatasetFile(path)`. */
export type DatasetSource = Uint8Array | ArrayBuffer | Blob | Response;

export interface LoadDatasetOptions {
  /** Names the data set in messages (default: the File's name, the Response's URL or "dataset"). */
  name?: string;
  /** Classes in a separate source (.npy or a JSON array), e.g. when the main source is one .npy. */
  labels?: DatasetSource;
  /** Targets [B, T, O] in a separate source (.npy or JSON). */
  targets?: DatasetSource;
  /** Mask [B, T] in a separate source (.npy or JSON). */
  mask?: DatasetSource;
}

/** A zip's local file header, or the end record of an empty zip. */
const ZIP_MAGIC = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
];
const OPTION_KEYS = ['name', 'labels', 'targets', 'mask'] as const;
type Extra = Exclude<ArrayName, 'x'>;

/** Bytes with the name to show in messages. */
export interface NamedBytes {
  bytes: Uint8Array;
  name: string;
}

/**
 * Reads a data set. The layouts:
 * - `.npz` (np.savez or np.savez_compressed) with `x` [B, T, D] and either `labels` [B] (a class
 *   per sequence) or [B, T] (a class per step, see {@link LoadedDataset.labelsPerStep}), or
 *   `targets` [B, T, O]; optionally `mask` [B, T], and task variables `condition_NAME` [B]
 *   (one finite value per sequence; `data.conditions.NAME`).
 * - `.npy`: `x` alone; pass labels, targets or mask as separate sources in `options`.
 * - CSV, long form with a required header: `sequence,step,x0,...,x{D-1}` then `label` or
 *   `y0,...,y{O-1}`, optionally `mask`; rows in any order, every sequence with every step.
 * - JSON: `{ "x": [[[...]]], "labels": [...] }` or `{ "x", "targets", "mask" }`.
 *
 * Floats of any width become Float32 (float64 adds a line to `notes`); classes may be any
 * integer dtype, or whole floats, in 0..2^31-1. Throws E_DATA naming the file, the array, what
 * was found and the fix; x over {@link MAX_DATASET_BYTES} of float32 is refused before it is
 * allocated.
 */
export async function loadDataset(
  source: DatasetSource,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset> {
  rejectUnknownKeys('loadDataset options', options, OPTION_KEYS);
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw optionError('name', options.name, 'must be a string', 'pass e.g. name: "train.npz"');
  }
  const main = await readSource('source', source, options.name, 'dataset');
  const extra: Partial<Record<Extra, NamedBytes>> = {};
  for (const key of ['labels', 'targets', 'mask'] as const) {
    const s = options[key];
    if (s !== undefined) extra[key] = await readSource(key, s, undefined, `${main.name} (${key})`);
  }
  return loadBytes(main, extra);
}

/** The neutral loader on bytes already read (the Node path reader calls this). */
export function loadBytes(
  main: NamedBytes,
  extra: Partial<Record<Extra, NamedBytes>> = {},
): LoadedDataset {
  const { bytes, name } = main;
  const notes: string[] = [];
  let format: LoadedDataset['format'];
  let arrays: RawArrays;
  if (ZIP_MAGIC.some((m) => m.every((b, i) => bytes[i] === b))) {
    format = 'npz';
    arrays = readNpz(name, bytes);
  } else if (hasNpyMagic(bytes)) {
    format = 'npy';
    arrays = { x: parseNpy(bytes, { file: name, array: 'x', container: 'npy' }) };
  } else {
    const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
    const json = /^\s*[[{]/.test(text);
    format = json ? 'json' : 'csv';
    arrays = json ? parseJson(name, text) : parseCsv(name, text);
  }
  for (const [key, src] of Object.entries(extra) as [Extra, NamedBytes][]) {
    if (arrays[key]) {
      throw dataFail(name, `already holds "${key}"; drop options.${key} or the array in the file`);
    }
    arrays[key] = readOneArray(src, key);
  }
  return assemble(name, arrays, format, notes);
}

function hasNpyMagic(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/** An `.npz` (np.savez or np.savez_compressed): members x.npy, labels.npy, targets.npy, mask.npy. */
function readNpz(file: string, bytes: Uint8Array): RawArrays {
  const unknown: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const array = f.name.replace(/\.npy$/, '');
        const known = (DATASET_ARRAYS as readonly string[]).includes(array);
        if (!known && !CONDITION_ARRAY.test(array)) {
          unknown.push(array);
          return false;
        }
        // Refuse before inflating what cannot fit: at most 8 bytes per value, so a member over
        // 2 GiB is over 1 GiB as float32. Smaller ones are checked exactly in parseNpy.
        if (f.originalSize > 2 * MAX_DATASET_BYTES + 4096) {
          throw dataFail(
            file,
            `array "${array}" holds ${(f.originalSize / 2 ** 30).toFixed(2)} GiB, over sqrtk's ` +
              'limit of 1 GiB of float32 (MAX_DATASET_BYTES); load fewer sequences or steps at a time',
          );
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof SqrtkError) throw e;
    throw dataFail(
      file,
      `is not a readable .npz (zip: ${(e as Error).message}); write it with np.savez`,
    );
  }
  if (unknown.length > 0) {
    throw dataFail(
      file,
      `holds arrays sqrtk does not know (${unknown.map((u) => `"${u}"`).join(', ')}); name them ` +
        'x, labels or targets, mask, and task variables condition_NAME: np.savez(path, x=x, labels=labels, condition_coherence=c)',
    );
  }
  const arrays: RawArrays = {};
  for (const [member, data] of Object.entries(files)) {
    const array = member.replace(/\.npy$/, '');
    const parsed = parseNpy(data, { file, array, container: 'npz' });
    const condition = CONDITION_ARRAY.exec(array);
    if (condition) (arrays.conditions ??= {})[condition[1]] = parsed;
    else arrays[array as ArrayName] = parsed;
  }
  return arrays;
}

/** A separate labels / targets / mask source: one .npy array or a JSON (nested) array. */
function readOneArray({ bytes, name }: NamedBytes, key: Extra) {
  if (hasNpyMagic(bytes)) return parseNpy(bytes, { file: name, array: key, container: 'npy' });
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
  if (/^\s*\[/.test(text)) return nestedArray(name, key, parseJsonValue(name, text));
  throw dataFail(name, `is neither a .npy file nor a JSON array; save ${key} with np.save`);
}

/** The bytes of a source, with the name to show in messages. */
export async function readSource(
  what: string,
  source: unknown,
  name: string | undefined,
  fallback: string,
): Promise<NamedBytes> {
  if (source instanceof Uint8Array) return { bytes: source, name: name ?? fallback };
  if (source instanceof ArrayBuffer)
    return { bytes: new Uint8Array(source), name: name ?? fallback };
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const fileName = (source as Blob & { name?: unknown }).name;
    const label = name ?? (typeof fileName === 'string' && fileName ? fileName : fallback);
    return { bytes: new Uint8Array(await source.arrayBuffer()), name: label };
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const label = name ?? (source.url || fallback);
    if (!source.ok) {
      throw new SqrtkError(
        'E_IO',
        `${label}: the server answered ${source.status} ${source.statusText}; check the URL`,
      );
    }
    return { bytes: new Uint8Array(await source.arrayBuffer()), name: label };
  }
  const hint =
    typeof source === 'string'
      ? '; in Node read a path with loadDatasetFile(path); for CSV or JSON text pass ' +
        'new TextEncoder().encode(text)'
      : '';
  throw optionError(
    what,
    source,
    `must be a Uint8Array, ArrayBuffer, Blob/File or Response${hint}`,
    'pass the file contents',
  );
}
