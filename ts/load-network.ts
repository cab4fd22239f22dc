/**
 * `loadNetwork`: a network from the `.npz` or `.safetensors` file that `sqrtk export` writes, or
 * that you build with NumPy/SciPy or PyTorch. The format is told by the content (a zip is an
 * `.npz`), the arrays are read with the NPY parser of `loadDataset`, and the core builds and
 * checks the network (see {@link SparseRNN.fromArrays}).
 */
import { unzipSync } from 'fflate';
import { optionError, rejectUnknownKeys, SqrtkError } from './errors.js';
import { dataFail, parseNpy, type RawArray } from './dataset/npy.js';
import { readSource, type DatasetSource, type NamedBytes } from './dataset/load.js';
import { buildFromArrays, KEYS, type NetworkArrays } from './import.js';
import { SparseRNN } from './model.js';
import { excitatoryCount, type NetworkOptions } from './options.js';
import { isSafetensors, parseSafetensors } from './safetensors.js';

/** Where a network file comes from (in Node, `loadNetwork` also takes a path). */
export type NetworkSource = DatasetSource;

export interface LoadNetworkOptions {
  /** Names the file in messages (default: the File's name, the Response's URL or "network"). */
  name?: string;
  /**
   * Network options, over those stored in the file (a `.safetensors` export stores them; for an
   * `.npz` export pass the `config.json` written beside it). Sizes are read from the arrays.
   */
  config?: Partial<NetworkOptions>;
}

/** The arrays a network file may hold: `data` (SciPy's name) or `values` for the weights. */
const ARRAYS: string[] = [
  ...KEYS.filter((key) => key !== 'config'),
  'data',
  // The populations, as `sqrtk export` writes them (1 = excitatory).
  'excitatory',
];
/** Written by `scipy.sparse.save_npz` beside indptr, indices and data. */
const SCIPY = ['shape', 'format'];
const ZIP = [0x50, 0x4b, 0x03, 0x04];

/** Reads a network file; throws E_DATA naming the file, the array, what is wrong and the fix. */
export async function loadNetwork(
  source: NetworkSource,
  options: LoadNetworkOptions = {},
): Promise<SparseRNN> {
  rejectUnknownKeys('loadNetwork options', options, ['name', 'config']);
  if (typeof source === 'string')
    throw optionError(
      'source',
      source,
      'must be the file contents (Uint8Array, ArrayBuffer, Blob/File or Response), not a path',
      "in Node import loadNetwork from 'sqrtk', which reads paths; in a browser pass await fetch(url)",
    );
  if (options.name !== undefined && typeof options.name !== 'string')
    throw optionError('name', options.name, 'must be a string', 'pass e.g. name: "network.npz"');
  return networkFromBytes(
    await readSource('source', source, options.name, 'network'),
    options.config,
  );
}

/** The neutral loader on bytes already read (the Node path reader and the CLI call this). */
export function networkFromBytes(
  { bytes, name }: NamedBytes,
  config: Partial<NetworkOptions> = {},
): SparseRNN {
  let arrays: Record<string, RawArray>;
  let stored: Partial<NetworkOptions> = {};
  if (ZIP.every((b, i) => bytes[i] === b)) {
    arrays = readNpz(name, bytes);
  } else if (isSafetensors(bytes)) {
    const file = parseSafetensors(name, bytes);
    arrays = file.arrays;
    if (file.metadata.config !== undefined) stored = storedConfig(name, file.metadata.config);
  } else {
    throw dataFail(
      name,
      'is neither an .npz (zip) nor a .safetensors file; write it with `sqrtk export`, np.savez or safetensors',
    );
  }
  const unknown = Object.keys(arrays).filter((a) => !ARRAYS.includes(a) && !SCIPY.includes(a));
  if (unknown.length > 0)
    throw dataFail(
      name,
      `holds arrays sqrtk does not know (${unknown.map((u) => `"${u}"`).join(', ')}); a network file holds ${ARRAYS.join(', ')}`,
    );
  if (arrays.data && arrays.values)
    throw dataFail(name, 'holds both "data" and "values"; keep one of them (the weights)');
  const valuesName = arrays.values ? 'values' : 'data';
  for (const required of ['indptr', 'indices', valuesName])
    if (!arrays[required])
      throw dataFail(
        name,
        `has no array "${required}"; a network file needs indptr, indices and data (the CSR arrays of the recurrent matrix)`,
      );
  const given: NetworkArrays = {
    config: { ...stored, ...config },
    indptr: vector(name, 'indptr', arrays.indptr),
    indices: vector(name, 'indices', arrays.indices),
    values: vector(name, valuesName, arrays[valuesName]),
  };
  const n = given.indptr.length - 1;
  if (arrays.shape) checkScipyShape(name, arrays.shape, n);
  if (arrays.excitatory) {
    const fraction = excitatoryFraction(name, vector(name, 'excitatory', arrays.excitatory), n);
    const recorded = given.config?.excitatory;
    if (
      recorded !== undefined &&
      recorded !== null &&
      excitatoryCount({ excitatory: recorded, neurons: n }) !==
        excitatoryCount({ excitatory: fraction, neurons: n })
    )
      throw dataFail(
        name,
        `has ${Math.round(fraction * n)} excitatory neurons but its configuration says excitatory: ${recorded}; make them agree`,
      );
    given.config = { ...given.config, excitatory: recorded ?? fraction };
  }
  if (arrays.learned) given.learned = vector(name, 'learned', arrays.learned);
  if (arrays.bias) given.bias = vector(name, 'bias', arrays.bias);
  if (arrays.b_out) given.b_out = vector(name, 'b_out', arrays.b_out);
  if (arrays.x0) given.x0 = vector(name, 'x0', arrays.x0);
  if (arrays.w_in) given.w_in = matrix(name, 'w_in', arrays.w_in, n, 0);
  if (arrays.w_out) given.w_out = matrix(name, 'w_out', arrays.w_out, n, 1);
  try {
    const { config: resolved, handle } = buildFromArrays(given, valuesName);
    return new SparseRNN(resolved, handle);
  } catch (e) {
    if (!(e instanceof SqrtkError) || e.code === 'E_INTERNAL') throw e;
    throw new SqrtkError(e.code, `${name}: ${e.message}`, { cause: e });
  }
}

/**
 * The fraction of excitatory neurons of a per-neuron flag array (1 = excitatory), which must
 * mark neurons 0 … E − 1 (sqrtk's layout: excitatory neurons first).
 */
function excitatoryFraction(file: string, flags: ArrayLike<number>, n: number): number {
  const count = Array.from(flags).filter((f) => f === 1).length;
  const ordered = Array.from(flags).every((f, i) => f === (i < count ? 1 : 0));
  if (flags.length !== n || !ordered || count === 0 || count === n)
    throw dataFail(
      file,
      `has an "excitatory" array that is not ${n} flags 1…1 0…0 with both populations present; sqrtk numbers excitatory neurons first: reorder the neurons`,
    );
  return count / n;
}

function storedConfig(file: string, text: string): Partial<NetworkOptions> {
  try {
    const config: unknown = JSON.parse(text);
    if (config !== null && typeof config === 'object' && !Array.isArray(config))
      return config as Partial<NetworkOptions>;
  } catch {
    // reported below
  }
  throw dataFail(
    file,
    'has a "config" metadata entry that is not a JSON object; the file is damaged',
  );
}

function readNpz(file: string, bytes: Uint8Array): Record<string, RawArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (e) {
    throw dataFail(
      file,
      `is not a readable .npz (zip: ${(e as Error).message}); write it with np.savez`,
    );
  }
  const arrays: Record<string, RawArray> = {};
  for (const [member, data] of Object.entries(members)) {
    const array = member.replace(/\.npy$/, '');
    if (array === 'format') checkScipyFormat(file, data);
    else arrays[array] = parseNpy(data, { file, array, container: 'npz' });
  }
  return arrays;
}

/** `scipy.sparse.save_npz` stores the matrix format as a string array: it must be CSR. */
function checkScipyFormat(file: string, npy: Uint8Array): void {
  // A one-element .npy of dtype '|S3' (bytes) or '<U3' (UTF-32): header as in parseNpy, then text.
  const view = new DataView(npy.buffer, npy.byteOffset, npy.byteLength);
  const v1 = npy[6] === 1;
  const start = v1 ? 10 : 12;
  const length = npy.length < 12 ? 0 : v1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const header = new TextDecoder('latin1').decode(npy.subarray(start, start + length));
  const wide = /'descr':\s*'<U/.test(header);
  let format = '';
  for (let i = start + length; i < npy.length; i += wide ? 4 : 1)
    if (npy[i] !== 0) format += String.fromCharCode(npy[i]);
  if (format !== 'csr')
    throw dataFail(
      file,
      `holds a sparse matrix in format ${JSON.stringify(format)}; sqrtk reads CSR (row i lists the inputs of neuron i): save A.tocsr()`,
    );
}

function checkScipyShape(file: string, shape: RawArray, n: number): void {
  const [rows, cols] = Array.from(shape.values);
  if (shape.values.length !== 2 || rows !== n || cols !== n)
    throw dataFail(
      file,
      `array "shape" is [${Array.from(shape.values).join(', ')}]; the recurrent matrix must be neurons × neurons (=${n} × ${n}, from indptr)`,
    );
}

function vector(file: string, array: string, a: RawArray): ArrayLike<number> {
  if (a.shape.length !== 1)
    throw dataFail(
      file,
      `array "${array}" has shape [${a.shape.join(', ')}]; it must be one-dimensional: save ${array}.ravel()`,
    );
  return a.values;
}

/** w_in is neurons × inputs (`axis` 0 is the neurons), w_out outputs × neurons (axis 1). */
function matrix(
  file: string,
  array: string,
  a: RawArray,
  n: number,
  axis: 0 | 1,
): ArrayLike<number> {
  const want = axis === 0 ? 'neurons × inputs' : 'outputs × neurons';
  if (a.shape.length !== 2 || a.shape[axis] !== n) {
    const transposed = a.shape.length === 2 && a.shape[1 - axis] === n;
    throw dataFail(
      file,
      `array "${array}" has shape [${a.shape.join(', ')}]; it must be ${want} (neurons = ${n}, from indptr)` +
        (transposed ? `: save ${array}.T` : ''),
    );
  }
  return a.values;
}
