/**
 * `sqrtk import FILE --out DIR`: a network from an `.npz` / `.safetensors` file (what `sqrtk
 * export` writes, or arrays saved with NumPy/SciPy or PyTorch) becomes a run directory that
 * `sqrtk report DIR` and `sqrtk export DIR` read, and whose DIR/model.sqrtk loads with
 * `loadNetworkFile` to train further. Everything is read and checked before DIR is touched;
 * DIR is locked while it is written, every file is written atomically, and a directory holding
 * another run is refused without --overwrite.
 */
import { randomUUID } from 'node:crypto';
import { sha256 } from './input-file.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SqrtkError } from '../errors.js';
import { networkFromBytes } from '../load-network.js';
import type { SparseRNN } from '../model.js';
import type { NetworkOptions } from '../options.js';
import { degreeStats } from '../output/stats.js';
import { saveNetworkFile } from '../node/files.js';
import { writeFileAtomic } from '../node/atomic.js';
import { clearForNewRun, RunDirectory } from './run-dir.js';
import { lockRunDirectory } from './lock.js';

export interface ImportCommandOptions {
  out: string;
  /** A JSON file of network options (default: config.json beside an .npz, if there is one). */
  config?: string;
  overwrite?: boolean;
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${what} ${path}: ${why}`, { cause });
  }
}

/** The options of --config, or of the config.json `sqrtk export` wrote beside an .npz. */
function readOptions(file: string, bytes: Uint8Array, given?: string) {
  const beside = join(dirname(file), 'config.json');
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const path = given ?? (isZip && existsSync(beside) ? beside : undefined);
  if (path === undefined) return { path, options: {} };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(readBytes(path, '--config')));
  } catch (cause) {
    if (cause instanceof SqrtkError) throw cause;
    throw new SqrtkError(
      'E_DATA',
      `${path}: is not valid JSON (${(cause as Error).message}); pass network options as a JSON object`,
      { cause },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SqrtkError('E_DATA', `${path}: must hold a JSON object of network options`);
  // A run's config.json keeps them under "network"; `sqrtk export` writes them at the top.
  const network = (value as { network?: unknown }).network;
  const options = (network !== null && typeof network === 'object' ? network : value) as object;
  return { path, options: options as Partial<NetworkOptions> };
}

/** What summary.json says about an imported network. */
function summary(net: SparseRNN, source: object) {
  const inDegree = net.inDegree();
  const backbone = net.backboneDegree();
  const test = net.inDegreeTest();
  const { neurons, k } = net.config;
  return {
    imported_from: source,
    neurons,
    k,
    synapses: inDegree.reduce((a, b) => a + b, 0),
    in_degree: degreeStats(inDegree),
    backbone_in_degree: degreeStats(backbone),
    in_degree_test: {
      test: test.test,
      against: `Binomial(${neurons - 1}, ${k}/${neurons})`,
      statistic: test.statistic,
      dof: test.dof,
      p_value: test.pValue,
    },
    learned_per_neuron: net.config.learned,
    growth: net.config.growth,
    mode: net.config.mode,
    train_backbone: net.config.trainBackbone,
    rewires: 0,
    turnover: 0,
    seed: net.config.seed,
    state_hash: net.stateHash(),
  };
}

/** Imports FILE into the run directory `o.out`; returns the files written. */
export function importRun(file: string, o: ImportCommandOptions): string[] {
  const bytes = readBytes(file, 'network file');
  const { path: configPath, options } = readOptions(file, bytes, o.config);
  if (configPath && o.config === undefined) console.error(`network options from ${configPath}`);
  let net: SparseRNN;
  try {
    net = networkFromBytes({ bytes, name: file }, options);
  } catch (e) {
    // Options come from a file here, not from flags: say which file (E_DATA, not E_OPTION).
    if (!(e instanceof SqrtkError) || e.code !== 'E_OPTION' || !configPath) throw e;
    const message = e.cause instanceof SqrtkError ? e.cause.message : e.message;
    throw new SqrtkError('E_DATA', `${configPath}: ${message}`, { cause: e });
  }
  let release: (() => void) | undefined;
  try {
    release = lockRunDirectory(o.out);
    clearForNewRun(o.out, o.overwrite ?? false);
    const run = new RunDirectory(o.out);
    const source = {
      file: resolve(file),
      name: basename(file),
      bytes: statSync(file).size,
      sha256: sha256(bytes),
      ...(configPath && { config: resolve(configPath) }),
    };
    const runId = randomUUID();
    run.writeJson('config.json', { run_id: runId, imported_from: source, network: net.config });
    writeFileAtomic(join(o.out, 'metrics.jsonl'), '');
    run.writeJson('rewires.json', []);
    run.writeJson('summary.json', summary(net, source));
    saveNetworkFile(join(o.out, 'model.sqrtk'), net, { fit: null, run_id: runId });
    const { neurons, learned } = net.config;
    console.log(
      `imported ${neurons} neurons, ${net.inDegree().reduce((a, b) => a + b, 0)} synapses (${learned} learned per neuron); state ${net.stateHash()}`,
    );
    return ['config.json', 'metrics.jsonl', 'rewires.json', 'summary.json', 'model.sqrtk'].map(
      (name) => join(o.out, name),
    );
  } finally {
    release?.();
    net.free();
  }
}
