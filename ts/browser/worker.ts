/**
 * A browser Worker of the threaded core: waits for the shared module and memory, instantiates
 * them, reports ready, then serves the thread pool.
 */
import { initSync, sqrtk_worker } from '../../pkg-threads/sqrtk_wasm.js';

self.onmessage = (
  event: MessageEvent<{ module: WebAssembly.Module; memory: WebAssembly.Memory }>,
) => {
  initSync({ module: event.data.module, memory: event.data.memory, thread_stack_size: 2 ** 20 });
  self.postMessage('ready');
  sqrtk_worker();
};
