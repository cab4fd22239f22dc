// The largest networks: train, rewire (`sampled`), save and load in one WebAssembly process.
//   node bench/scale.mjs --neurons N --k K [--batch 8] [--steps 10] [--threads 2] [--dir D] [--compact]
// Prints one JSON line: synapses, the time of each stage, the WebAssembly memory after each
// stage (it only grows, so the last one is the peak of the instance), the bytes the core had
// allocated after it (heap_mb) and the peak RSS. The
// network is saved to D/scale.sqrtk (a temporary directory by default; removed at the end)
// and loaded back, and the loaded network must have the same state hash and train on.
// `compact` says whether the network went without its transpose (20 instead of 28 bytes per
// synapse): a network too large for it does so by itself; --compact makes a smaller one do it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  heapBytesInUse,
  init,
  loadNetworkFile,
  saveNetworkFile,
  SparseRNN,
  threadCount,
  wasmMemoryBytes,
} from '../dist/node.js';

const { values: a } = parseArgs({
  options: {
    neurons: { type: 'string' },
    k: { type: 'string' },
    batch: { type: 'string', default: '8' },
    steps: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    dir: { type: 'string' },
    compact: { type: 'boolean', default: false },
  },
});
const [N, K, B, T, P] = [a.neurons, a.k, a.batch, a.steps, a.threads].map(Number);
const [D, O] = [8, 10];
const dir = a.dir ?? mkdtempSync(join(tmpdir(), 'sqrtk-scale-'));
const path = join(dir, 'scale.sqrtk');
const mb = (bytes) => Math.round(bytes / 2 ** 20); // MiB
const result = { neurons: N, k: K, batch: B, steps: T, stages: {} };
const stage = (name, f) => {
  const start = performance.now();
  const value = f();
  const [wasm_mb, heap_mb] = [mb(wasmMemoryBytes()), mb(heapBytesInUse())];
  result.stages[name] = { seconds: (performance.now() - start) / 1000, wasm_mb, heap_mb };
  console.error(
    `${name}: ${result.stages[name].seconds.toFixed(1)} s, wasm memory ${wasm_mb} MiB, in use ${heap_mb} MiB`,
  );
  return value;
};
try {
  await init({ threads: P });
  result.threads = threadCount();
  const x = Float32Array.from({ length: B * T * D }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const batch = { x, shape: [B, T, D], labels: Int32Array.from({ length: B }, (_, b) => b % O) };
  const options = { inputs: D, outputs: O, neurons: N, k: K, growth: 'sampled', seed: 1 };
  const net = stage('build', () => new SparseRNN(options));
  if (a.compact) net.compact();
  result.synapses = net.inDegree().reduce((s, d) => s + d, 0);
  result.learned_per_neuron = net.config.learned;
  console.error(`${result.synapses.toLocaleString('en-US')} synapses`);
  stage('check_memory', () => net.checkTrainingMemory(B, T));
  stage('train_step', () => net.trainBatch(batch, 0.002, 1));
  result.swapped = stage('rewire', () => net.rewire(0.3));
  stage('train_step_after_rewire', () => net.trainBatch(batch, 0.002, 1));
  result.compact = net.isCompact;
  const hash = net.stateHash();
  stage('save', () => saveNetworkFile(path, net, { note: 'scale' }));
  result.file_mb = mb(statSync(path).size);
  net.free();
  const loaded = stage('load', () => loadNetworkFile(path).net);
  if (a.compact) loaded.compact();
  result.same_state_after_load = loaded.stateHash() === hash;
  stage('train_step_after_load', () => loaded.trainBatch(batch, 0.002, 1));
  loaded.free();
  result.status = result.same_state_after_load ? 'ok' : 'failed: the loaded network differs';
} catch (e) {
  Object.assign(result, { status: 'failed', error: String(e?.message ?? e).split('\n')[0] });
} finally {
  if (!a.dir) rmSync(dir, { recursive: true, force: true });
}
result.peak_wasm_mb = Math.max(0, ...Object.values(result.stages).map((s) => s.wasm_mb));
result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
process.exit(result.status === 'ok' ? 0 : 1);
