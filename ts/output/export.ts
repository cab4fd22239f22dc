/**
 * Exporting a trained network for other tools, without sqrtk:
 * - `npz`: NumPy arrays; `scipy.sparse.csr_matrix((data, indices, indptr))` rebuilds W.
 * - `safetensors`: PyTorch / Hugging Face tensors, with the configuration as metadata.
 * - `csv`: plain text for MATLAB, R or a spreadsheet (W as row, col, weight, learned triplets).
 * Every format also carries `config.json` (the fully resolved network options).
 */
import { zipSync } from 'fflate';
import { requireOneOf } from '../errors.js';
import type { SparseRNN } from '../model.js';
import { excitatoryCount } from '../options.js';

export const EXPORT_FORMATS = ['npz', 'safetensors', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Typed = Float32Array | Int32Array | Uint8Array;
interface Tensor {
  data: Typed;
  shape: number[];
}

/** The arrays of a network, named as in the README. */
export function networkArrays(net: SparseRNN): Record<string, Tensor> {
  const { neurons: n, inputs: d, outputs: o } = net.config;
  const m = net.recurrentMatrix();
  const x0 = net.initialState();
  return {
    indptr: { data: Int32Array.from(m.indptr), shape: [n + 1] },
    indices: { data: Int32Array.from(m.indices), shape: [m.indices.length] },
    data: { data: m.values, shape: [m.values.length] },
    learned: { data: m.learned, shape: [m.learned.length] },
    w_in: { data: net.inputWeights(), shape: [n, d] },
    bias: { data: net.biases(), shape: [n] },
    w_out: { data: net.readoutWeights(), shape: [o, n] },
    b_out: { data: net.readoutBiases(), shape: [o] },
    ...(net.config.excitatory !== null && { excitatory: excitatoryFlags(net) }),
    // The learned initial state, only when the network has one.
    ...(x0 === undefined ? {} : { x0: { data: x0, shape: [n] } }),
  };
}

/** 1 for an excitatory neuron, 0 for an inhibitory one (networks with populations). */
function excitatoryFlags(net: SparseRNN): Tensor {
  const n = net.config.neurons;
  const count = excitatoryCount(net.config);
  return { data: Uint8Array.from({ length: n }, (_, i) => (i < count ? 1 : 0)), shape: [n] };
}

/** One .npy file (format 1.0): magic, header dict padded to 64 bytes, little-endian data. */
export function npy(t: Tensor): Uint8Array {
  const descr =
    t.data instanceof Float32Array ? '<f4' : t.data instanceof Int32Array ? '<i4' : '|u1';
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set([
    0x93,
    ...new TextEncoder().encode('NUMPY'),
    1,
    0,
    header.length & 0xff,
    header.length >> 8,
  ]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}

/** safetensors: u64 header length, JSON header (dtypes, shapes, byte offsets, metadata), data. */
export function safetensors(
  arrays: Record<string, Tensor>,
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(arrays)) {
    const dtype =
      t.data instanceof Float32Array ? 'F32' : t.data instanceof Int32Array ? 'I32' : 'U8';
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep the data 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(arrays)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

function csvMatrix(t: Tensor): string {
  const cols = t.shape.length === 2 ? t.shape[1] : 1;
  const lines: string[] = [];
  for (let r = 0; r < t.data.length / cols; r++)
    lines.push(Array.from(t.data.subarray(r * cols, (r + 1) * cols)).join(','));
  return lines.join('\n') + '\n';
}

/** The files of an export, by name. Pure: works in browsers too (write them where you like). */
export function exportNetwork(net: SparseRNN, format: ExportFormat): Record<string, Uint8Array> {
  requireOneOf('format', format, EXPORT_FORMATS);
  const arrays = networkArrays(net);
  const config = new TextEncoder().encode(JSON.stringify(net.config, null, 2) + '\n');
  const text = (s: string) => new TextEncoder().encode(s);
  if (format === 'npz') {
    const files = Object.fromEntries(
      Object.entries(arrays).map(([name, t]) => [`${name}.npy`, npy(t)]),
    );
    return { 'network.npz': zipSync(files, { level: 0 }), 'config.json': config };
  }
  if (format === 'safetensors') {
    return {
      'network.safetensors': safetensors(arrays, {
        config: JSON.stringify(net.config),
        format: 'sqrtk',
      }),
      'config.json': config,
    };
  }
  const { indptr, indices, data, learned } = arrays;
  const triplets = ['row,col,weight,learned'];
  for (let i = 0; i < indptr.data.length - 1; i++) {
    for (let e = indptr.data[i]; e < indptr.data[i + 1]; e++)
      triplets.push(`${i},${indices.data[e]},${data.data[e]},${learned.data[e]}`);
  }
  return {
    'recurrent.csv': text(triplets.join('\n') + '\n'),
    'w_in.csv': text(csvMatrix(arrays.w_in)),
    'bias.csv': text(csvMatrix(arrays.bias)),
    'w_out.csv': text(csvMatrix(arrays.w_out)),
    'b_out.csv': text(csvMatrix(arrays.b_out)),
    ...(arrays.excitatory && { 'excitatory.csv': text(csvMatrix(arrays.excitatory)) }),
    ...(arrays.x0 === undefined ? {} : { 'x0.csv': text(csvMatrix(arrays.x0)) }),
    'config.json': config,
  };
}
