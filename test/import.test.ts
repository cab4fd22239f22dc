// SparseRNN.fromArrays and loadNetwork: export → import round trips, and every rule of the
// arrays with its exact message.
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  datasets,
  exportNetwork,
  fit,
  init,
  liveNetworks,
  loadNetwork,
  SparseRNN,
  type NetworkArrays,
} from '../ts/node/index.js';
import { handleOf } from '../ts/model.js';
import { npy, safetensors } from '../ts/output/export.js';
import { thrown } from './helpers.js';

beforeAll(() => init({ threads: 1 }));

/** A trained network whose rewirings left its learned slots out of partner order. */
async function trained(): Promise<SparseRNN> {
  const { train } = datasets.digits();
  const net = new SparseRNN({
    inputs: 8,
    outputs: 10,
    neurons: 60,
    k: 8,
    growth: 'sampled',
    seed: 4,
  });
  await fit(net, train, { epochs: 1, batchSize: 64, rewireEvery: 3, rewireUntil: 1 });
  expect(net.rewireCounts().turnover).toBeGreaterThan(0);
  return net;
}

/** The network as fromArrays takes it (what exportNetwork writes). */
function arraysOf(net: SparseRNN): NetworkArrays {
  const m = net.recurrentMatrix();
  return {
    config: net.config,
    indptr: m.indptr,
    indices: m.indices,
    values: m.values,
    learned: m.learned,
    w_in: net.inputWeights(),
    bias: net.biases(),
    w_out: net.readoutWeights(),
    b_out: net.readoutBiases(),
  };
}

/** Resets the original's optimizer state and rewiring counters (an internal test hook). */
function resetHash(net: SparseRNN): string {
  handleOf(net).reset_training_state();
  return net.stateHash();
}

describe('export → import round trip', () => {
  it('gives the same weights, structure and (after a reset) state hash, from arrays, npz and safetensors', async () => {
    const net = await trained();
    const before = net.stateHash();
    const fromArrays = SparseRNN.fromArrays(arraysOf(net));
    const npz = exportNetwork(net, 'npz')['network.npz'];
    const fromNpz = await loadNetwork(npz, { config: net.config });
    const fromSafetensors = await loadNetwork(
      exportNetwork(net, 'safetensors')['network.safetensors'],
    );
    for (const back of [fromArrays, fromNpz, fromSafetensors]) {
      expect(back.steps).toBe(0);
      expect(back.config).toEqual(net.config);
      expect(back.recurrentMatrix()).toEqual(net.recurrentMatrix());
      expect(back.inputWeights()).toEqual(net.inputWeights());
      expect(back.readoutWeights()).toEqual(net.readoutWeights());
      expect(back.stateHash()).not.toBe(before); // the original has optimizer state
    }
    const after = resetHash(net);
    for (const back of [fromArrays, fromNpz, fromSafetensors]) {
      expect(back.stateHash()).toBe(after);
      back.free();
    }
    net.free();
    expect(liveNetworks()).toBe(0);
  });

  it('an imported network trains, rewires, saves and loads like any other, deterministically', async () => {
    const net = await trained();
    const { train } = datasets.digits();
    const hashes = [];
    for (let run = 0; run < 2; run++) {
      using back = SparseRNN.fromArrays(arraysOf(net));
      await fit(back, train, { epochs: 1, batchSize: 128, rewireEvery: 2, rewireUntil: 1 });
      expect(back.rewireCounts().turnover).toBeGreaterThan(0);
      using saved = SparseRNN.load(back.save());
      expect(saved.stateHash()).toBe(back.stateHash());
      hashes.push(back.stateHash());
    }
    expect(hashes[1]).toBe(hashes[0]);
    net.free();
  });

  it('without learned flags every synapse is backbone; config.learned adds silent learned synapses', () => {
    const base: NetworkArrays = {
      indptr: [0, 2, 3, 5, 6],
      indices: [1, 3, 2, 0, 1, 0],
      values: [0.5, -0.5, 1, 2, -1, 0.25],
      w_in: new Float32Array(4),
      w_out: new Float32Array(8),
    };
    using plain = SparseRNN.fromArrays(base);
    expect(plain.config).toMatchObject({ neurons: 4, inputs: 1, outputs: 2, learned: 0, k: 2 });
    expect(Array.from(plain.backboneDegree())).toEqual([2, 1, 2, 1]);
    using grown = SparseRNN.fromArrays({ ...base, config: { learned: 1, seed: 2 } });
    const m = grown.recurrentMatrix();
    expect(Array.from(grown.inDegree())).toEqual([3, 2, 3, 2]);
    expect(Array.from(m.values.filter((_, e) => m.learned[e] === 1))).toEqual([0, 0, 0, 0]);
  });
});

/** A valid 4-neuron network, rows sorted: one learned partner per row (row 2 starts with it). */
const good = (): NetworkArrays & { learned: number[]; indices: number[]; indptr: number[] } => ({
  indptr: [0, 3, 5, 7, 10],
  indices: [1, 2, 3, 0, 2, 0, 3, 0, 1, 2],
  values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  learned: [0, 0, 1, 0, 1, 1, 0, 0, 0, 1],
  w_in: new Float32Array(4),
  w_out: new Float32Array(8),
});

function messageOf(edit: (a: ReturnType<typeof good>) => void, code = 'E_DATA'): string {
  const a = good();
  edit(a);
  const e = thrown(() => SparseRNN.fromArrays(a));
  expect(e.code).toBe(code);
  return e.message;
}

describe('fromArrays validation', () => {
  const CSR =
    'pass the CSR arrays of an N × N matrix (scipy.sparse.csr_matrix: indptr, indices, data)';
  it('accepts the valid network', () => {
    using net = SparseRNN.fromArrays(good());
    expect(net.config).toMatchObject({ neurons: 4, learned: 1, k: 2 });
  });

  it('names the array, what it found, the rule and the fix', () => {
    expect(messageOf((a) => (a.config = { neurons: 5, inputs: 1, outputs: 2 }))).toBe(
      `indptr has 5 values, but needs 6: neurons + 1 (neurons = 5); ${CSR}`,
    );
    expect(messageOf((a) => (a.indptr[0] = 1))).toBe(`indptr[0] (=1) must be 0; ${CSR}`);
    expect(messageOf((a) => (a.indptr[2] = 2))).toBe(
      `indptr[2] (=2) is below indptr[1] (=3): row pointers never decrease; ${CSR}`,
    );
    expect(messageOf((a) => (a.indptr[4] = 9))).toBe(
      `indptr[4] (=9) must equal the number of synapses (=10, the length of indices); ${CSR}`,
    );
    expect(messageOf((a) => (a.values = new Float32Array(9)))).toBe(
      'values has 9 values, but needs 10: one per synapse (the length of indices); pass values of length 10',
    );
    expect(messageOf((a) => a.learned.pop())).toBe(
      'learned has 9 values, but needs 10: one flag per synapse (the length of indices); pass learned of length 10',
    );
    expect(messageOf((a) => (a.indices[3] = 4))).toBe(
      `indices[3] (=4) in row 1 must be a neuron, in 0..4 (neurons = 4); ${CSR}`,
    );
    expect(messageOf((a) => (a.indices[3] = -1))).toMatch(
      /^indices\[3\] \(=-1\) in row 1 must be a neuron/,
    );
    expect(messageOf((a) => (a.indices[3] = 1))).toBe(
      'indices[3] (=1) in row 1 is a self-connection; sqrtk networks have none: remove the diagonal (A.setdiag(0); A.eliminate_zeros())',
    );
    expect(messageOf((a) => (a.indices[1] = 1))).toBe(
      'indices[1] (=1) in row 0 repeats a partner of that row (indices[0] = 1): the backbone partners of a row must be sorted and unique; merge repeated synapses (A.sum_duplicates())',
    );
    expect(messageOf((a) => ([a.indices[0], a.indices[1]] = [2, 1]))).toBe(
      'indices[1] (=1) in row 0 comes after a larger one (indices[0] = 2): the backbone partners of a row must be sorted and unique; sort every row (A.sort_indices())',
    );
    expect(messageOf((a) => (a.indices[2] = 1))).toBe(
      'indices: row 0 has partner 1 twice (a learned synapse repeats a learned or backbone one); every partner may appear once per row: merge them (A.sum_duplicates())',
    );
    expect(
      messageOf((a) => (a.learned = Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 0, 2, 1]) as never)),
    ).toBe('learned[8] (=2) must be 0 (a backbone synapse) or 1 (a learned one); pass 0/1 flags');
    expect(messageOf((a) => (a.learned[8] = 2))).toBe(
      'learned[8] (=2) must be 0 (a backbone synapse) or 1 (a learned one); pass 0/1 flags',
    );
    expect(messageOf((a) => (a.learned[7] = 1))).toBe(
      'learned: row 3 has 2 learned synapses (flag 1), but every neuron needs exactly learned (=1); flag exactly 1 synapses of every row, or set learned to the count every row has',
    );
    expect(messageOf((a) => (a.values = [0.1, NaN, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(
      'values[1] (=NaN) is not a finite number; every weight must be finite: replace NaN and infinite values',
    );
    expect(messageOf((a) => (a.w_in = [0, Infinity, 0, 0]))).toBe(
      'w_in[1] (=inf) is not a finite number; every weight must be finite: replace NaN and infinite values',
    );
    expect(messageOf((a) => (a.config = { inputs: 2 }))).toBe(
      'w_in has 4 values, but needs 8: neurons × inputs (=4 × 2); pass w_in of length 8',
    );
    expect(messageOf((a) => (a.w_out = new Float32Array(7)))).toBe(
      'w_out has 7 values, not a positive multiple of neurons (=4, from indptr); pass w_out as an outputs × neurons array, row-major',
    );
    expect(messageOf((a) => (a.indices[0] = 1.5))).toBe(
      'indices[0] (=1.5) is not a whole number below 2^31; pass integer indices (int32 or int64)',
    );
  });

  it('checks the options too, by the names the user wrote', () => {
    expect(messageOf((a) => (a.config = { growth: 'rigl' as never }), 'E_OPTION')).toMatch(
      /^growth \(="rigl"\) must be one of/,
    );
    expect(messageOf((a) => delete (a as Partial<NetworkArrays>).w_in, 'E_OPTION')).toBe(
      'config.inputs (=undefined) is required when w_in is not given; pass w_in or config.inputs',
    );
    expect(messageOf((a) => Object.assign(a, { w_rec: [] }), 'E_OPTION')).toMatch(
      /^fromArrays arrays/,
    );
    expect(messageOf((a) => (a.indptr = [0, 0]))).toBe(
      'indptr has 2 values: a network needs at least 2 neurons (neurons + 1 row pointers); pass the row pointers of an N × N matrix with N ≥ 2',
    );
  });

  it('hostile arrays never trap the core: each gives a network or an E_DATA / E_OPTION error', () => {
    const ints = fc.array(fc.integer({ min: -3, max: 12 }), { maxLength: 24 });
    fc.assert(
      fc.property(
        ints,
        ints,
        fc.array(fc.double(), { maxLength: 24 }),
        fc.option(fc.array(fc.nat(2), { maxLength: 24 })),
        (indptr, indices, values, learned) => {
          try {
            SparseRNN.fromArrays({
              indptr,
              indices,
              values,
              learned: learned ?? undefined,
              config: { inputs: 1, outputs: 2 },
            }).free();
          } catch (e) {
            expect(['E_DATA', 'E_OPTION']).toContain((e as { code: string }).code);
          }
        },
      ),
      { numRuns: 300 },
    );
    using net = SparseRNN.fromArrays(good()); // the instance is still healthy
    expect(net.stateHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(liveNetworks()).toBe(1);
  });
});

describe('loadNetwork files', () => {
  const npz = (
    arrays: Record<string, { data: Float32Array | Int32Array | Uint8Array; shape: number[] }>,
  ) => zipSync(Object.fromEntries(Object.entries(arrays).map(([k, t]) => [`${k}.npy`, npy(t)])));
  const csr = () => {
    const g = good();
    return {
      indptr: { data: Int32Array.from(g.indptr), shape: [5] },
      indices: { data: Int32Array.from(g.indices), shape: [10] },
      data: { data: Float32Array.from(g.values as number[]), shape: [10] },
    };
  };
  const fails = async (bytes: Uint8Array, name = 'net.npz') => {
    const e = await loadNetwork(bytes, { name, config: { inputs: 1, outputs: 2 } }).then(
      () => new Error('loaded'),
      (e: Error) => e,
    );
    return e.message;
  };

  it('reads an npz with only the CSR arrays (all backbone), and says what is wrong with others', async () => {
    using net = await loadNetwork(npz(csr()), { config: { inputs: 1, outputs: 2 } });
    expect(net.config).toMatchObject({ neurons: 4, learned: 0 });
    expect(await fails(new TextEncoder().encode('hello'))).toBe(
      'net.npz: is neither an .npz (zip) nor a .safetensors file; write it with `sqrtk export`, np.savez or safetensors',
    );
    const { indptr: _, ...noIndptr } = csr();
    expect(await fails(npz(noIndptr))).toMatch(
      /^net\.npz: has no array "indptr"; a network file needs indptr, indices and data/,
    );
    expect(await fails(npz({ ...csr(), w: { data: new Float32Array(1), shape: [1] } }))).toMatch(
      /^net\.npz: holds arrays sqrtk does not know \("w"\)/,
    );
    expect(
      await fails(npz({ ...csr(), w_out: { data: new Float32Array(8), shape: [4, 2] } })),
    ).toBe(
      'net.npz: array "w_out" has shape [4, 2]; it must be outputs × neurons (neurons = 4, from indptr): save w_out.T',
    );
    expect(
      await fails(
        npz({ ...csr(), indptr: { data: Int32Array.from([0, 3, 2, 7, 10]), shape: [5] } }),
      ),
    ).toMatch(/^net\.npz: indptr\[2\] \(=2\) is below indptr\[1\]/);
    const st = safetensors(csr(), {});
    expect(await fails(st.subarray(0, st.length - 4), 'net.safetensors')).toMatch(
      /^net\.safetensors: tensor "data" has data_offsets \[\d+, \d+\] for 10 × 4 bytes in \d+ bytes of data; the file is truncated or damaged$/,
    );
    await expect(loadNetwork('no-such.npz')).rejects.toThrow('no-such.npz: does not exist');
  });
});
