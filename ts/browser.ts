/**
 * sqrtk for browsers (bundlers and plain ES modules). `await init()` fetches the .wasm that
 * ships next to this module (same origin; nothing comes from elsewhere).
 */
import { initFrom, type WasmSource } from './init.js';

export * from './api.js';

/** Loads the core (idempotent). Pass `wasm` to use other bytes, a URL or a compiled module. */
export function init(options: { wasm?: WasmSource } = {}): Promise<void> {
  return initFrom(() => options.wasm ?? new URL('./sqrtk_wasm_bg.wasm', import.meta.url));
}
