/**
 * A Node.js worker thread of the threaded core: instantiates the shared module with the shared
 * memory it is given, reports ready, then serves the thread pool until the process exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initSync, sqrtk_worker } from '../../pkg-threads/sqrtk_wasm.js';

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
initSync({ module, memory, thread_stack_size: 2 ** 20 });
parentPort!.postMessage('ready');
sqrtk_worker();
