// sqrtk in WebAssembly (Node), one configuration per process; prints one JSON line.
//   node bench/sqrtk-wasm.mjs --neurons N --k K --batch B --steps T --threads P [--reps R] [--rewire] [--profile] [--compact]
// Same model and measurements as the other bench scripts (see bench/README.md). With --rewire
// it also times one `gradient` growth rewiring (fraction 0.3) after training. With --profile, R more
// training steps run with the core's per-phase profile on (profile_ms_per_step; `caller` is the
// wall time seen from JavaScript, so caller − step is the JS and boundary overhead). With
// --compact the network trains without its transpose (`net.compact()`, as the largest networks
// do): the same bits, to measure what the 8 bytes per synapse it saves cost in time.
import { parseArgs } from 'node:util';
import { init, predict, profile, SparseRNN, threadCount } from '../dist/node.js';

const { values: a } = parseArgs({
  options: {
    neurons: { type: 'string' },
    k: { type: 'string' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
    reps: { type: 'string', default: '3' },
    rewire: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    compact: { type: 'boolean', default: false },
  },
});
const [N, K, B, T, P, R] = [a.neurons, a.k, a.batch, a.steps, a.threads, a.reps].map(Number);
const [D, O] = [8, 10];
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const result = { implementation: 'sqrtk wasm', neurons: N, k: K, batch: B, steps: T, threads: P };
try {
  await init({ threads: P });
  result.threads = threadCount();
  const x = Float32Array.from({ length: B * T * D }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const batch = { x, shape: [B, T, D], labels: Int32Array.from({ length: B }, (_, b) => b % O) };
  let t = performance.now();
  const net = new SparseRNN({
    inputs: D,
    outputs: O,
    neurons: N,
    k: K,
    growth: a.rewire ? 'gradient' : 'random',
    seed: 1,
  });
  result.build_ms = performance.now() - t;
  if (a.compact) net.compact();
  result.compact = net.isCompact;
  const timeIt = (f) => {
    const s = performance.now();
    f();
    return performance.now() - s;
  };
  const train = () => timeIt(() => net.trainBatch(batch, 0.002, 1));
  const forward = () => timeIt(() => predict(net, { x, shape: [B, T, D] })) / T;
  train();
  result.train_step_ms = median(Array.from({ length: R }, train));
  if (a.profile) {
    profile(true);
    const wall = Array.from({ length: R }, train).reduce((s, v) => s + v, 0);
    const totals = profile(false);
    result.profile_ms_per_step = Object.fromEntries(
      [...Object.entries(totals), ['caller', wall]].map(([k, v]) => [k, v / R]),
    );
  }
  // A rewiring scores candidates on the last training batch, so it comes right after training.
  if (a.rewire) result.rewire_ms = timeIt(() => net.rewire(0.3));
  forward();
  result.forward_step_ms = median(Array.from({ length: R }, forward));
  result.synapses = net.inDegree().reduce((s, d) => s + d, 0);
  result.status = 'ok';
  result.notes = `simd128${result.threads > 1 ? ' + threads (shared memory, worker_threads)' : ', single-threaded build'}`;
} catch (e) {
  Object.assign(result, { status: 'failed', error: String(e?.message ?? e).split('\n')[0] });
}
result.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
process.exit(0);
