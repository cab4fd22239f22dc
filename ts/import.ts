/**
 * Importing a network from arrays: the reverse of `exportNetwork`, and the way in for a network
 * built elsewhere (a connectome, a network trained in PyTorch). The Rust core builds and checks
 * the network (`Network::from_arrays`); this module fills in the options the arrays imply.
 */
import { dataError, optionError, rejectUnknownKeys, SqrtkError } from './errors.js';
import { core } from './init.js';
import type { NetworkOptions, ResolvedNetworkOptions } from './options.js';
import { resolveNetworkOptions } from './options.js';
import type { Network } from '../pkg/sqrtk_wasm.js';

/** The arrays of a network, named as `sqrtk export` names them (its `data` is `values` here). */
export interface NetworkArrays {
  /**
   * Network options. `neurons` is read from `indptr`, `inputs` from `w_in`, `outputs` from
   * `w_out` (or `b_out`), `learned` from the flags of row 0 (0 without flags), `k` is the mean
   * backbone in-degree (rounded); any of them given here must agree with the arrays.
   */
  config?: Partial<NetworkOptions>;
  /** CSR row pointers, neurons + 1 of them: row i (the inputs of neuron i) is indptr[i]..indptr[i+1]. */
  indptr: ArrayLike<number>;
  /** Presynaptic partner of each synapse; within a row, backbone partners sorted and unique. */
  indices: ArrayLike<number>;
  /** Weight of each synapse. */
  values: ArrayLike<number>;
  /**
   * 1 for a learned synapse, 0 for a backbone one; exactly `learned` ones per row. Without it
   * every synapse is backbone, and `config.learned` (default 0) new learned synapses per neuron
   * are added at weight 0, chosen from the seed as a new network chooses them.
   */
  learned?: ArrayLike<number | boolean>;
  /** Input weights, neurons × inputs, row-major (default: random, as in a new network). */
  w_in?: ArrayLike<number>;
  /** Recurrent biases, one per neuron (default 0). */
  bias?: ArrayLike<number>;
  /** Readout weights, outputs × neurons, row-major (default: random, as in a new network). */
  w_out?: ArrayLike<number>;
  /** Readout biases, one per output (default 0). */
  b_out?: ArrayLike<number>;
  /** The learned initial state, one per neuron (needs initialState 'learned'; default 0). */
  x0?: ArrayLike<number>;
}

/** What `SparseRNN.fromArrays` takes: the configuration and the network's arrays. */
export const KEYS = [
  'config',
  'indptr',
  'indices',
  'values',
  'learned',
  'w_in',
  'bias',
  'w_out',
  'b_out',
  'x0',
] as const;

/** A network handle and its options, built by the core from `arrays`. */
export function buildFromArrays(
  arrays: NetworkArrays,
  valuesName = 'values',
): { config: ResolvedNetworkOptions; handle: Network } {
  rejectUnknownKeys('fromArrays arrays', arrays, KEYS);
  const fix = 'pass the CSR arrays of the recurrent matrix (scipy.sparse.csr_matrix)';
  for (const key of ['indptr', 'indices', 'values'] as const)
    if (arrays[key] === undefined) throw optionError(key, undefined, 'is required', fix);
  const indptr = int32s('indptr', arrays.indptr);
  const indices = int32s('indices', arrays.indices);
  const values = float32s(valuesName, arrays.values);
  const flags = arrays.learned === undefined ? undefined : zeroOnes(arrays.learned);
  const dense = (name: string, a: ArrayLike<number> | undefined) =>
    a === undefined ? undefined : float32s(name, a);
  const [w_in, bias, w_out, b_out, x0] = [
    dense('w_in', arrays.w_in),
    dense('bias', arrays.bias),
    dense('w_out', arrays.w_out),
    dense('b_out', arrays.b_out),
    dense('x0', arrays.x0),
  ];
  const config = resolveNetworkOptions(
    implied(arrays.config ?? {}, indptr, flags, w_in, w_out, b_out),
  );
  const handle = core((w) =>
    w.Network.from_arrays(
      JSON.stringify(config),
      indptr,
      indices,
      values,
      flags,
      w_in,
      bias,
      w_out,
      b_out,
      x0,
      valuesName,
    ),
  );
  return { config, handle };
}

/** The options with what the arrays imply filled in. */
function implied(
  given: Partial<NetworkOptions>,
  indptr: Int32Array,
  flags: Uint8Array | undefined,
  w_in: Float32Array | undefined,
  w_out: Float32Array | undefined,
  b_out: Float32Array | undefined,
): NetworkOptions {
  if (given === null || typeof given !== 'object')
    throw optionError(
      'config',
      given,
      'must be an object',
      'pass network options, e.g. { seed: 1 }',
    );
  const neurons = given.neurons ?? indptr.length - 1;
  if (given.neurons === undefined && neurons < 2)
    throw new SqrtkError(
      'E_DATA',
      `indptr has ${indptr.length} values: a network needs at least 2 neurons (neurons + 1 row pointers); pass the row pointers of an N × N matrix with N ≥ 2`,
    );
  const perNeuron = (name: string, a: Float32Array | undefined, option: string, shape: string) => {
    if (a === undefined)
      throw optionError(
        `config.${option}`,
        undefined,
        `is required when ${name} is not given`,
        `pass ${name} or config.${option}`,
      );
    if (a.length % neurons !== 0 || a.length === 0)
      throw new SqrtkError(
        'E_DATA',
        `${name} has ${a.length} values, not a positive multiple of neurons (=${neurons}, from indptr); pass ${name} as ${shape} array, row-major`,
      );
    return a.length / neurons;
  };
  const inputs = given.inputs ?? perNeuron('w_in', w_in, 'inputs', 'a neurons × inputs');
  const outputs =
    given.outputs ??
    (w_out === undefined && b_out !== undefined
      ? b_out.length
      : perNeuron('w_out', w_out, 'outputs', 'an outputs × neurons'));
  // learned: the flags of row 0 (the core checks that every row has as many).
  let firstRow = 0;
  if (flags)
    for (let e = Math.max(0, indptr[0]); e < Math.min(indptr[1], flags.length); e++)
      firstRow += flags[e];
  const learned = given.learned ?? firstRow;
  let learnedTotal = 0;
  if (flags) for (const f of flags) learnedTotal += f;
  const backbone = (indptr[indptr.length - 1] - learnedTotal) / Math.max(1, neurons);
  const k = given.k ?? Math.max(1, Math.min(Math.round(backbone), neurons - 1 - learned));
  return { ...given, neurons, inputs, outputs, learned, k };
}

/** Integer arrays (int64 from NumPy arrives as exact numbers) as Int32Array, range-checked. */
function int32s(name: string, a: ArrayLike<number>): Int32Array {
  if (a instanceof Int32Array) return a;
  requireArray(name, a);
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      throw dataError(
        `${name}[${i}]`,
        v,
        'is not a whole number below 2^31',
        `pass integer ${name} (int32 or int64)`,
      );
    out[i] = v;
  }
  return out;
}

function float32s(name: string, a: ArrayLike<number>): Float32Array {
  if (a instanceof Float32Array) return a;
  requireArray(name, a);
  return Float32Array.from(a);
}

function requireArray(name: string, a: unknown): void {
  const length = (a as { length?: unknown } | null)?.length;
  if (typeof a !== 'object' || a === null || typeof length !== 'number')
    throw optionError(name, a, 'must be an array of numbers', `pass ${name} as a typed array`);
}

/** The learned flags as 0/1 bytes (booleans allowed). */
function zeroOnes(a: ArrayLike<number | boolean>): Uint8Array {
  if (a instanceof Uint8Array) return a;
  requireArray('learned', a);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = Number(a[i]);
    if (v !== 0 && v !== 1)
      throw new SqrtkError(
        'E_DATA',
        `learned[${i}] (=${String(a[i])}) must be 0 (a backbone synapse) or 1 (a learned one); pass 0/1 flags`,
      );
    out[i] = v;
  }
  return out;
}
