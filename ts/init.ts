/**
 * Loading the WebAssembly core. `init()` is idempotent: call it (and await it) once before
 * anything else; later calls return the same promise. Platform entries (node.ts, browser.ts)
 * supply the bytes; nothing is downloaded from the network.
 */
import initWasm, { initSync } from '../pkg/sqrtk_wasm.js';
import { SqrtkError } from './errors.js';

export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

let loading: Promise<void> | undefined;
let ready = false;

/** Instantiates the core from `source` once; later calls are no-ops. */
export function initFrom(load: () => Promise<WasmSource> | WasmSource): Promise<void> {
  loading ??= (async () => {
    try {
      const source = await load();
      if (source instanceof URL || typeof source === 'string')
        await initWasm({ module_or_path: source });
      else initSync({ module: source });
      ready = true;
    } catch (cause) {
      loading = undefined;
      throw new SqrtkError(
        'E_INIT',
        `could not load the sqrtk WebAssembly core: ${String(cause)}`,
        { cause },
      );
    }
  })();
  return loading;
}

/** Throws a clear error when the core is used before `await init()`. */
export function requireInit(): void {
  if (!ready) throw new SqrtkError('E_INIT', 'sqrtk is not initialised; call `await init()` first');
}

/**
 * Runs a call into the core and turns its errors into SqrtkErrors. The core reports errors as
 * `CODE: message`; anything else (a trap) is a bug in sqrtk and is reported as such.
 */
export function core<T>(call: () => T): T {
  requireInit();
  try {
    return call();
  } catch (e) {
    if (e instanceof SqrtkError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const coded = /^(E_[A-Z]+): ([\s\S]*)$/.exec(message);
    if (coded) throw new SqrtkError(coded[1], coded[2]);
    throw new SqrtkError(
      'E_INTERNAL',
      `internal error in the sqrtk core (please report it): ${message}`,
      { cause: e },
    );
  }
}
