/**
 * sqrtk for Node.js. `await init()` loads the WebAssembly core shipped inside the package.
 *
 *     import { init, SparseRNN, fit, datasets } from 'sqrtk';
 *     await init();               // all cores (results are identical for any thread count)
 *     await init({ threads: 1 }); // the single-threaded build
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { requireInt, SqrtkError } from '../errors.js';
import { checkThreads, initSingle, initThreaded, type WasmSource } from '../init.js';
import {
  loadNetwork as loadNetworkSource,
  type LoadNetworkOptions,
  type NetworkSource,
} from '../load-network.js';
import type { SparseRNN } from '../model.js';

export * from '../api.js';
export { saveNetworkFile, loadNetworkFile } from './files.js';
export { loadDatasetFile, type LoadDatasetFileOptions } from './dataset-file.js';

/**
 * Reads a network from an `.npz` or `.safetensors` file (a path, or the bytes as in browsers):
 * what `sqrtk export` writes, or arrays you saved with NumPy/SciPy or PyTorch. See the README,
 * "Import a network".
 */
export async function loadNetwork(
  source: string | NetworkSource,
  options: LoadNetworkOptions = {},
): Promise<SparseRNN> {
  if (typeof source !== 'string') return loadNetworkSource(source, options);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${source}: ${why}`, { cause });
  }
  return loadNetworkSource(bytes, { ...options, name: options.name ?? source });
}

export interface InitOptions {
  /** Threads to compute with (default: the machine's available parallelism). */
  threads?: number;
  /** Single-threaded build only: other bytes, a URL or a compiled module to load instead. */
  wasm?: WasmSource;
}

/** Loads the core (idempotent: later calls return the first call's promise). */
export function init(options: InitOptions = {}): Promise<void> {
  const threads = requireInt('threads', options.threads ?? availableParallelism(), {
    min: 1,
    max: 256,
    fix: 'use e.g. threads: 2',
  });
  const effective = options.wasm !== undefined ? 1 : threads;
  // The first call fixes the thread count; asking again for another count is an error.
  if (options.threads !== undefined) checkThreads(effective);
  if (effective === 1) {
    return initSingle(() => options.wasm ?? readPackaged('sqrtk_wasm_bg.wasm', 'pkg'));
  }
  return initThreaded(threads, {
    bytes: async () =>
      readPackaged('sqrtk_wasm_bg.threads.wasm', 'pkg-threads', 'sqrtk_wasm_bg.wasm'),
    startWorkers: (count, module, memory) =>
      Promise.all(
        Array.from({ length: count }, () => {
          const worker = new Worker(locate('worker-node.js', 'dist'), {
            workerData: { module, memory },
          });
          return new Promise<void>((resolve, reject) => {
            worker.once('message', () => {
              worker.unref(); // a parked worker never keeps the process alive
              resolve();
            });
            worker.once('error', reject);
          });
        }),
      ).then(() => undefined),
  });
}

/**
 * Files sit next to the bundle (dist/) in the package, or in `dir/` of a source checkout (this
 * module is then ts/node/index.ts).
 */
function locate(name: string, dir: string, sourceName = name): URL {
  const candidates = [
    new URL(`./${name}`, import.meta.url),
    new URL(`../../${dir}/${sourceName}`, import.meta.url),
  ];
  for (const url of candidates) {
    try {
      readFileSync(url, { flag: 'r' }).subarray(0, 0);
      return url;
    } catch {
      // try the next location
    }
  }
  throw new Error(`${name} not found next to the sqrtk module; rebuild with \`npm run build\``);
}

function readPackaged(name: string, dir: string, sourceName = name): Uint8Array {
  return readFileSync(locate(name, dir, sourceName));
}
