/**
 * SparseRNN: a handle on one network living in WebAssembly memory. Create it with options,
 * train it with `fit`, inspect its structure, and `free()` it (or use `using`) when done.
 */
import type { Network } from '../pkg/sqrtk_wasm.js';
import { hasStepLabels, requireFinite, type Dataset } from './data.js';
import { optionError, requireNumber, SqrtkError } from './errors.js';
import { core } from './init.js';
import { buildFromArrays, type NetworkArrays } from './import.js';
import {
  resolveNetworkOptions,
  type NetworkOptions,
  type ResolvedNetworkOptions,
} from './options.js';

/** The recurrent weight matrix in CSR form: row i lists the inputs of neuron i. */
export interface RecurrentMatrix {
  shape: [number, number];
  indptr: Uint32Array;
  indices: Uint32Array;
  values: Float32Array;
  /** 1 where the synapse is a learned one, 0 where it belongs to the backbone. */
  learned: Uint8Array;
}

let live = 0;

/** Bytes handed to WebAssembly at a time when loading: a large file never sits there whole. */
const LOAD_CHUNK = 16 << 20;

function* pieces(bytes: Uint8Array): Iterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += LOAD_CHUNK) yield bytes.subarray(at, at + LOAD_CHUNK);
}

function requireBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new SqrtkError(
      'E_DATA',
      `saved network (=${typeof bytes}) must be a Uint8Array; pass the bytes from save()`,
    );
  }
}

/**
 * Feeds `chunks` (a saved network's bytes, in order) to the core's loader and finishes it:
 * the network handle (unless `headerOnly`) and the header it was saved with.
 */
function readChunks(
  chunks: Iterable<Uint8Array>,
  headerOnly: boolean,
): { handle?: Network; config: ResolvedNetworkOptions; extra: unknown } {
  return core((w) => {
    const loader = new w.NetworkLoader(headerOnly);
    try {
      for (const chunk of chunks) loader.push(chunk);
      const handle = headerOnly ? (loader.finish_header(), undefined) : loader.finish();
      const header = JSON.parse(loader.header()!);
      return { handle, config: header.config as ResolvedNetworkOptions, extra: header.extra };
    } finally {
      loader.free();
    }
  });
}

/** The configuration and the `extra` value stored in saved bytes (the whole file is checked). */
export function readSaved(bytes: Uint8Array): { config: ResolvedNetworkOptions; extra: unknown } {
  requireBytes(bytes);
  const { config, extra } = readChunks(pieces(bytes), true);
  return { config, extra };
}

/**
 * A network from a saved file's bytes given a chunk at a time (for files too large to read
 * whole), with its `extra`; for the library's own modules (node/files.ts), not exported.
 */
export function loadChunks(chunks: Iterable<Uint8Array>): { net: SparseRNN; extra: unknown } {
  const { handle, config, extra } = readChunks(chunks, false);
  return { net: new SparseRNN(config, handle!), extra };
}

/** Number of networks created and not yet freed (for leak checks). */
export function liveNetworks(): number {
  return live;
}

/**
 * The core handle of a network, for the library's own modules (train.ts); not exported to users.
 * Throws if the network was freed.
 */
export let handleOf: (net: SparseRNN) => Network;

/**
 * Puts a state saved by `save()` back into the same `SparseRNN` object (weights, structure,
 * optimizer state and counters), for the library's own modules (fit's `keepBest`); not exported.
 * Bytes of a network with another configuration, or whose state hash is not `hash`, are refused
 * with E_DATA, and `net` is left as it was.
 */
export let restoreInPlace: (net: SparseRNN, bytes: Uint8Array, hash: string) => void;

export class SparseRNN {
  /** The fully resolved options (defaults filled in). */
  readonly config: ResolvedNetworkOptions;
  #handle: Network | undefined;

  constructor(options: NetworkOptions);
  /** @internal used by `SparseRNN.load` and `SparseRNN.fromArrays` (a handle built already) */
  constructor(options: NetworkOptions, handle: Network);
  constructor(options: NetworkOptions, handle?: Network) {
    this.config = resolveNetworkOptions(options);
    this.#handle = handle ?? core((w) => new w.Network(JSON.stringify(this.config)));
    live++;
  }

  /**
   * Restores a network from bytes made by `save()`: structure, weights, optimizer state and
   * counters, exactly (the state hash is the same). Throws a clear E_DATA error for truncated,
   * corrupted, foreign or newer-version bytes.
   */
  static load(bytes: Uint8Array): SparseRNN {
    requireBytes(bytes);
    return loadChunks(pieces(bytes)).net;
  }

  /**
   * A network with exactly the given structure and weights: the reverse of `exportNetwork`, or
   * a network built elsewhere (see README "Import a network"). The core checks every array
   * (sizes, sorted unique partners, no self-connections, exactly `learned` learned synapses per
   * neuron, finite values) and throws E_DATA naming the array and the entry. The optimizer
   * state starts fresh (step 0).
   */
  static fromArrays(arrays: NetworkArrays): SparseRNN {
    const { config, handle } = buildFromArrays(arrays);
    return new SparseRNN(config, handle);
  }

  /**
   * The network as bytes in sqrtk's versioned, checksummed format (see README). `extra` is any
   * JSON-serialisable value stored alongside (for example the training position); read it back
   * with `readSaved(bytes).extra`.
   */
  save(extra: unknown = null): Uint8Array {
    const chunks: Uint8Array[] = [];
    this.saveTo((chunk) => chunks.push(chunk.slice()), extra);
    const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  }

  /**
   * The bytes of `save(extra)`, handed to `write` a chunk (about 1 MiB) at a time, so that a
   * network too large to copy whole can be written to a file or a stream. Each chunk is a view
   * into WebAssembly memory, valid only during the call: write or copy it before returning. An
   * error `write` throws stops the save and is thrown again, unchanged.
   */
  saveTo(write: (chunk: Uint8Array) => void, extra: unknown = null): void {
    const json = extraJson(extra);
    let failed: { error: unknown } | undefined;
    const sink = (chunk: Uint8Array) => {
      try {
        write(chunk);
      } catch (error) {
        failed = { error };
        throw error;
      }
    };
    try {
      core(() => this.handle.save_to(json, sink));
    } catch (e) {
      throw failed ? failed.error : e;
    }
  }

  /** The core handle; throws if the network was freed. */
  private get handle(): Network {
    if (!this.#handle)
      throw new SqrtkError('E_STATE', 'this SparseRNN was freed; create a new one');
    return this.#handle;
  }

  static {
    handleOf = (net) => net.handle;
    restoreInPlace = (net, bytes, hash) => {
      const config = resolveNetworkOptions(readSaved(bytes).config);
      const same = JSON.stringify(config) === JSON.stringify(net.config);
      const loaded = same ? readChunks(pieces(bytes), false).handle : undefined;
      const found = loaded ? core(() => loaded.state_hash()) : 'of another configuration';
      if (!loaded || found !== hash) {
        loaded?.free();
        throw new SqrtkError(
          'E_DATA',
          `saved network (state ${found}) is not the one expected (state ${hash}); pass the bytes saved from this network at that point`,
        );
      }
      net.handle.free();
      net.#handle = loaded;
    };
  }

  /**
   * Throws E_OPTION (with the largest batch size that fits) when training on `batchSize`
   * sequences of `steps` steps would not fit in WebAssembly memory beside this network. `fit`
   * checks this before its first step; the CLI before it writes any file.
   */
  checkTrainingMemory(batchSize: number, steps: number): void {
    core(() => this.handle.check_training_memory(batchSize, steps));
  }

  /**
   * Drops the transpose of the connectivity, 8 of the 28 bytes a synapse takes: training then
   * gives the same bits, more slowly (the backward pass scatters along the rows). A network too
   * large for its transpose is built without one, and training drops it by itself when the
   * batch would not fit beside it; call this only to free memory for something else.
   */
  compact(): void {
    core(() => this.handle.compact());
  }

  /** Whether the network has no transpose (see `compact`). */
  get isCompact(): boolean {
    return core(() => this.handle.is_compact());
  }

  /** In-degree (backbone + learned synapses) of every neuron. */
  inDegree(): Uint32Array {
    return core(() => this.handle.in_degree());
  }

  /** Backbone in-degree of every neuron (without the learned synapses). */
  backboneDegree(): Uint32Array {
    return core(() => this.handle.backbone_degree());
  }

  /** A copy of the recurrent matrix with a backbone/learned flag per synapse. */
  recurrentMatrix(): RecurrentMatrix {
    const h = this.handle;
    const n = this.config.neurons;
    return core(() => ({
      shape: [n, n],
      indptr: h.indptr(),
      indices: h.indices(),
      values: h.recurrent_weights(),
      learned: h.learned_flags(),
    }));
  }

  /** Input weights, neurons × inputs, row-major (a copy). */
  inputWeights(): Float32Array {
    return core(() => this.handle.input_weights());
  }

  /** Recurrent biases b, one per neuron (a copy). */
  biases(): Float32Array {
    return core(() => this.handle.biases());
  }

  /** Readout biases, one per output (a copy). */
  readoutBiases(): Float32Array {
    return core(() => this.handle.readout_biases());
  }

  /** The learned initial state x_0, one per neuron (a copy); undefined unless initialState is 'learned'. */
  initialState(): Float32Array | undefined {
    if (this.config.initialState !== 'learned') return undefined;
    return core(() => this.handle.initial_state());
  }

  /** Rates r_t of the given neurons while the network runs on `data`: [neuron][step][sequence]. */
  activity(data: Pick<Dataset, 'x' | 'shape'>, neurons: number[]): Float32Array {
    const [b, t] = data.shape;
    requireFinite('activity data x', data.x);
    return core(() => this.handle.activity(data.x, b, t, Uint32Array.from(neurons)));
  }

  /** Readout weights, outputs × neurons, row-major (a copy). */
  readoutWeights(): Float32Array {
    return core(() => this.handle.readout_weights());
  }

  /** A 16-hex-digit hash of structure, weights and optimizer state: equal hashes, equal networks. */
  stateHash(): string {
    return core(() => this.handle.state_hash());
  }

  /**
   * One optimizer step on a batch (forward, backpropagation through time, Adam). Most users call
   * `fit`, which batches the data and runs the rewiring schedule around this. `correct` of
   * `scored` decisions were right: sequences, or steps of nonzero mask with per-step labels.
   */
  trainBatch(
    batch: Dataset,
    lr: number,
    clipNorm: number,
  ): { loss: number; correct: number; scored: number; gradNorm: number } {
    requireNumber('lr', lr, { exclusiveMin: 0, max: 1, fix: 'use e.g. lr: 0.002' });
    requireNumber('clipNorm', clipNorm, { min: 0, fix: 'use e.g. clipNorm: 1 (0 turns it off)' });
    const [b, t] = batch.shape;
    // Only the target fields of this network's loss go to the core.
    const ce = this.config.loss === 'cross_entropy';
    const [loss, correct, gradNorm, scored] = core(() =>
      this.handle.train_batch(
        batch.x,
        b,
        t,
        ce ? batch.labels : undefined,
        ce ? undefined : batch.targets,
        !ce || hasStepLabels(batch) ? batch.mask : undefined,
        lr,
        clipNorm,
      ),
    );
    return { loss, correct, scored, gradNorm };
  }

  /**
   * Loss and gradient on `batch` without changing any weight, so that the next `rewire` scores
   * its candidates on this batch instead of the last training batch (fit's `rewireBatch`).
   * Returns the loss.
   */
  scoreBatch(batch: Dataset): number {
    const [b, t] = batch.shape;
    const ce = this.config.loss === 'cross_entropy';
    return core(() =>
      this.handle.score_batch(
        batch.x,
        b,
        t,
        ce ? batch.labels : undefined,
        ce ? undefined : batch.targets,
        !ce || hasStepLabels(batch) ? batch.mask : undefined,
      ),
    );
  }

  /**
   * Rewires the learned synapses once with the network's growth strategy, scored on the last
   * training batch: each neuron swaps round(fraction × learned) of them ('deep_r' regrows its
   * dead synapses whatever the fraction; 'random' never changes). Returns the synapses swapped.
   */
  rewire(fraction: number): number {
    return core(() => this.handle.rewire(fraction));
  }

  /**
   * Chi-square goodness-of-fit test of the in-degrees against Binomial(neurons − 1, k/neurons),
   * the distribution of a random graph (with `blocks`: per population, against the sum of one
   * binomial per block, the tests combined). A small p-value means the learned synapses show in
   * the degree statistics ('add' mode shifts every degree by `learned`; 'hidden' mode does not).
   */
  inDegreeTest(): { test: 'chi-square'; statistic: number; dof: number; pValue: number } {
    const [statistic, dof, pValue] = core(() => this.handle.in_degree_test());
    return { test: 'chi-square', statistic, dof, pValue };
  }

  /**
   * Out-degree of every neuron: the synapses it sends, backbone and learned (or with
   * `learnedOnly` its learned synapses alone, which shows hubs that growth piles onto).
   */
  outDegree(options: { learnedOnly?: boolean } = {}): Uint32Array {
    const learnedOnly = options.learnedOnly ?? false;
    return core(() => this.handle.out_degree(learnedOnly));
  }

  /**
   * Chi-square test of the out-degrees against Binomial(neurons − 1, k/neurons) (per
   * population with `blocks`), the out-degree distribution of the random graph it started from.
   * 'hidden' mode keeps every out-degree exactly.
   */
  outDegreeTest(): { test: 'chi-square'; statistic: number; dof: number; pValue: number } {
    const [statistic, dof, pValue] = core(() => this.handle.out_degree_test());
    return { test: 'chi-square', statistic, dof, pValue };
  }

  /** Rewirings so far and the synapses they swapped. */
  rewireCounts(): { rewires: number; turnover: number } {
    const [rewires, turnover] = core(() => this.handle.rewire_counts());
    return { rewires, turnover };
  }

  /** Optimizer steps taken so far. */
  get steps(): number {
    return core(() => this.handle.optimizer_steps());
  }

  /** Releases the WebAssembly memory of this network. Safe to call twice. */
  free(): void {
    if (!this.#handle) return;
    this.#handle.free();
    this.#handle = undefined;
    live--;
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** `extra` as JSON, or E_OPTION when it cannot be saved as JSON (a BigInt, a cycle, a function). */
function extraJson(extra: unknown): string {
  const fix = 'pass plain JSON data (objects, arrays, strings, finite numbers, booleans, null)';
  let json: string | undefined;
  try {
    json = JSON.stringify(extra ?? null);
  } catch (cause) {
    const rule = `cannot be saved as JSON (${(cause as Error).message.split('\n')[0]})`;
    throw optionError('extra', extra, rule, fix);
  }
  if (json === undefined) throw optionError('extra', extra, 'cannot be saved as JSON', fix);
  return json;
}
