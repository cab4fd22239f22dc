/**
 * Loading the WebAssembly core. `init()` is idempotent: call it (and await it) once before
 * anything else; later calls return the same promise. The platform entries (node.ts,
 * browser.ts) decide where the bytes come from and how worker threads start; nothing is
 * downloaded from the network.
 *
 * Two builds ship: a single-threaded one (SIMD) and a threaded one (SIMD + atomics + shared
 * memory). Both expose the same functions; `core()` calls whichever was loaded.
 */
import * as single from '../pkg/sqrtk_wasm.js';
import * as threaded from '../pkg-threads/sqrtk_wasm.js';
import { SqrtkError } from './errors.js';

export type WasmSource = BufferSource | WebAssembly.Module | URL | string;
type Glue = typeof single;

/** How a platform starts the threaded build: compile, create shared memory, start workers. */
export interface ThreadedLoader {
  /** The bytes of the threaded build (pkg-threads/sqrtk_wasm_bg.wasm). */
  bytes: () => Promise<Uint8Array>;
  /** Starts `count` workers that each instantiate `module` with `memory` and call `sqrtk_worker`. */
  startWorkers: (
    count: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
  ) => Promise<void>;
}

let loading: Promise<void> | undefined;
let glue: Glue | undefined;
let threads = 1;
let memory: WebAssembly.Memory | undefined;

/** Instantiates the single-threaded core from `source` once; later calls are no-ops. */
export function initSingle(load: () => Promise<WasmSource> | WasmSource): Promise<void> {
  return once(async () => {
    const source = await load();
    const exports =
      source instanceof URL || typeof source === 'string'
        ? await single.default({ module_or_path: source })
        : single.initSync({ module: source });
    memory = exports.memory;
    glue = single;
  }, 1);
}

/** Instantiates the threaded core with `count` threads in all (the caller + count − 1 workers). */
export function initThreaded(count: number, loader: ThreadedLoader): Promise<void> {
  return once(async () => {
    const bytes = await loader.bytes();
    const module = await WebAssembly.compile(bytes as BufferSource);
    const shared = new WebAssembly.Memory({
      initial: importedMemoryMinimum(bytes),
      maximum: 65536,
      shared: true,
    });
    threaded.initSync({ module, memory: shared });
    final = true; // wasm-bindgen keeps this instance; a retry would reuse it with a broken pool
    memory = shared;
    threaded.init_thread_pool(count);
    await loader.startWorkers(count - 1, module, shared);
    glue = threaded as unknown as Glue;
    threads = count;
  }, count);
}

let requested: number | undefined;
/** Set once the threaded instance exists: from then on a failed init cannot be retried safely. */
let final = false;

/**
 * Throws when `init` is asked for a different thread count than the first call used: a process
 * (or Worker) keeps its thread pool for life.
 */
export function checkThreads(count: number): void {
  if (loading && requested !== undefined && requested !== count) {
    throw new SqrtkError(
      'E_INIT',
      `threads (=${count}) differs from the first init call (threads = ${requested}); the thread count is fixed for the life of a process or Worker: start a new one to change it`,
    );
  }
}

function once(start: () => Promise<void>, count: number): Promise<void> {
  if (!loading) requested = count;
  loading ??= start().catch((cause) => {
    if (!final) loading = undefined;
    throw cause instanceof SqrtkError
      ? cause
      : new SqrtkError('E_INIT', `could not load the sqrtk WebAssembly core: ${String(cause)}`, {
          cause,
        });
  });
  return loading;
}

/** Reads the minimum page count of the memory import from a wasm binary's import section. */
export function importedMemoryMinimum(bytes: Uint8Array): number {
  let at = 8; // magic + version
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  const skipName = () => {
    const length = leb();
    at += length;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id !== 2) {
      at += size;
      continue;
    }
    for (let count = leb(); count > 0; count--) {
      skipName();
      skipName();
      const kind = bytes[at++];
      if (kind === 0)
        leb(); // function: type index
      else if (kind === 1) {
        at++; // table: element type
        if (bytes[at++] & 1) leb();
        leb();
      } else if (kind === 2) {
        const flags = bytes[at++];
        const minimum = leb();
        if (flags & 1) leb();
        return minimum;
      } else if (kind === 3)
        at += 2; // global: type, mutability
      else if (kind === 4) {
        at++; // tag: attribute byte, then its type index
        leb();
      }
    }
  }
  throw new SqrtkError('E_INIT', 'the threaded sqrtk module imports no memory; rebuild it');
}

/**
 * The loaded core's functions; throws a clear error before `await init()`, and E_INTERNAL at
 * once after the core trapped (see `core`).
 */
export function wasm(): Glue {
  if (poisoned !== undefined) throw new SqrtkError('E_INTERNAL', poisoned);
  if (!glue) throw new SqrtkError('E_INIT', 'sqrtk is not initialised; call `await init()` first');
  return glue;
}

/** The E_INTERNAL message every call gets once the core is unusable. */
let poisoned: string | undefined;

const UNUSABLE =
  'this sqrtk instance is unusable: recreate the network (reload the page or restart the process)';

/**
 * The message the core's panic hook recorded before trapping. Reading it is a call into the
 * trapped instance, which is safe: it only reads a value set once, and a failure here must not
 * hide the original error.
 */
function panicMessage(g: Glue): string | undefined {
  try {
    return g.last_panic_message() ?? undefined;
  } catch {
    return undefined;
  }
}

/** Bytes of WebAssembly memory in use by the core (it grows, never shrinks). */
export function wasmMemoryBytes(): number {
  return memory?.buffer.byteLength ?? 0;
}

/** Bytes the core has allocated and not freed (at most `wasmMemoryBytes()`; 0 before `init`). */
export function heapBytesInUse(): number {
  return glue ? glue.heap_bytes_in_use() : 0;
}

/**
 * Where training steps spend their time (for benchmarks): `profile(true)` clears and starts the
 * per-phase counters, `profile(false)` stops them; both return the milliseconds accumulated per
 * phase (spmm, spmm_transposed, sddmm, nonlinearity, input_readout, loss, adam: thread time
 * summed over threads; step: wall time of whole steps). Timing does not change any result.
 */
export function profile(on: boolean): Record<string, number> {
  return core((g) => {
    const totals = JSON.parse(g.profile_totals()) as Record<string, number>;
    g.profile_enable(on);
    return totals;
  });
}

/** Threads the core computes with (1 for the single-threaded build). */
export function threadCount(): number {
  return threads;
}

/**
 * Runs a call into the core and turns its errors into SqrtkErrors. The core reports errors as
 * `CODE: message`; anything else is a bug in sqrtk and is reported as such. A trap (a panic:
 * panics abort in WebAssembly) or an E_INTERNAL from the core (a worker thread trapped) poisons
 * the instance: its locks and data may be half-updated, so every later call fails at once with
 * the same error instead of computing garbage or waiting for a lock that is never released.
 */
export function core<T>(call: (glue: Glue) => T): T {
  const g = wasm();
  try {
    return call(g);
  } catch (e) {
    if (e instanceof SqrtkError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const coded = /^(E_[A-Z]+): ([\s\S]*)$/.exec(message);
    if (coded && coded[1] !== 'E_INTERNAL') throw new SqrtkError(coded[1], coded[2]);
    if (!coded && !(e instanceof WebAssembly.RuntimeError)) {
      throw new SqrtkError(
        'E_INTERNAL',
        `internal error in the sqrtk core (please report it): ${message}`,
        { cause: e },
      );
    }
    poisoned =
      coded?.[2] ??
      `${panicMessage(g) ?? `the sqrtk core trapped (a bug in sqrtk, please report it): ${message}`}; ${UNUSABLE}`;
    throw new SqrtkError('E_INTERNAL', poisoned, { cause: e });
  }
}
