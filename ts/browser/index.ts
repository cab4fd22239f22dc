/**
 * sqrtk for browsers (bundlers and plain ES modules). `await init()` fetches the .wasm that
 * ships next to this module (same origin; nothing comes from elsewhere).
 *
 * Threads need SharedArrayBuffer (the page must be served with `Cross-Origin-Opener-Policy:
 * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`) and must run in a Worker,
 * because the main thread of a page may not block. Elsewhere the single-threaded build loads.
 */
import { requireInt } from '../errors.js';
import { checkThreads, initSingle, initThreaded, type WasmSource } from '../init.js';

export * from '../api.js';

export interface InitOptions {
  /** Threads to compute with (default: navigator.hardwareConcurrency where threads are possible). */
  threads?: number;
  /** Single-threaded build only: other bytes, a URL or a compiled module to load instead. */
  wasm?: WasmSource;
}

/** Whether this context can run the threaded build. */
export function threadsSupported(): boolean {
  const inWorker = typeof window === 'undefined' && typeof self !== 'undefined';
  return (
    inWorker && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
  );
}

/** Loads the core (idempotent: later calls return the first call's promise). */
export function init(options: InitOptions = {}): Promise<void> {
  const wanted = options.threads ?? (threadsSupported() ? navigator.hardwareConcurrency || 1 : 1);
  const threads = requireInt('threads', wanted, { min: 1, max: 256, fix: 'use e.g. threads: 2' });
  const effective = options.wasm !== undefined || !threadsSupported() ? 1 : threads;
  // The first call fixes the thread count; asking again for another count is an error.
  if (options.threads !== undefined) checkThreads(effective);
  if (effective === 1) {
    return initSingle(() => options.wasm ?? new URL('./sqrtk_wasm_bg.wasm', import.meta.url));
  }
  return initThreaded(threads, {
    bytes: async () =>
      new Uint8Array(
        await (await fetch(new URL('./sqrtk_wasm_bg.threads.wasm', import.meta.url))).arrayBuffer(),
      ),
    startWorkers: (count, module, memory) =>
      Promise.all(
        Array.from({ length: count }, () => {
          const worker = new Worker(new URL('./worker-browser.js', import.meta.url), {
            type: 'module',
          });
          return new Promise<void>((resolve, reject) => {
            worker.onmessage = () => resolve();
            worker.onerror = (e) => reject(new Error(`sqrtk worker failed: ${e.message}`));
            worker.postMessage({ module, memory });
          });
        }),
      ).then(() => undefined),
  });
}
