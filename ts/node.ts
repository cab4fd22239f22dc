/**
 * sqrtk for Node.js. `await init()` loads the WebAssembly core shipped inside the package.
 *
 *     import { init, SparseRNN, fit, datasets } from 'sqrtk';
 */
import { readFileSync } from 'node:fs';
import { initFrom, type WasmSource } from './init.js';

export * from './api.js';

const WASM_FILE = 'sqrtk_wasm_bg.wasm';

/** Loads the core (idempotent). Pass `wasm` to use other bytes or a compiled module. */
export function init(options: { wasm?: WasmSource } = {}): Promise<void> {
  return initFrom(() => options.wasm ?? readPackagedWasm());
}

/** The .wasm sits next to the bundle (dist/) in the package, or in pkg/ in a source checkout. */
function readPackagedWasm(): Uint8Array {
  const candidates = [
    new URL(`./${WASM_FILE}`, import.meta.url),
    new URL(`../pkg/${WASM_FILE}`, import.meta.url),
  ];
  for (const url of candidates) {
    try {
      return readFileSync(url);
    } catch {
      // try the next location
    }
  }
  throw new Error(
    `${WASM_FILE} not found next to the sqrtk module; rebuild with \`npm run build\``,
  );
}
