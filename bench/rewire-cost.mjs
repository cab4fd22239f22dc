// Cost of rewiring relative to training, at one size (default N = 20,000, K = 200, B = 32, T = 20).
//   node bench/rewire-cost.mjs [neurons] [k] [steps]
// Times `steps` training steps and one rewiring per learned strategy (fraction 0.3), single
// thread, and prints JSON. Run `npm run build` first.
import { init, SparseRNN } from '../dist/node.js';

await init();
const [neurons = 20000, k = 200, steps = 3] = process.argv.slice(2).map(Number);
const [B, T, D, O] = [32, 20, 8, 10];
const x = Float32Array.from({ length: B * T * D }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
const labels = Int32Array.from({ length: B }, (_, b) => b % O);
const batch = { x, shape: [B, T, D], labels };
const results = [];
for (const growth of ['gradient', 'sampled', 'deep_r']) {
  let t = performance.now();
  const net = new SparseRNN({ inputs: D, outputs: O, neurons, k, growth, seed: 1 });
  const buildSeconds = (performance.now() - t) / 1000;
  net.trainBatch(batch, 0.002, 1); // warm-up
  t = performance.now();
  for (let s = 0; s < steps; s++) net.trainBatch(batch, 0.002, 1);
  const stepSeconds = (performance.now() - t) / 1000 / steps;
  t = performance.now();
  const swapped = net.rewire(0.3);
  const rewireSeconds = (performance.now() - t) / 1000;
  results.push({ growth, neurons, k, learned: net.config.learned, batch: B, steps: T, buildSeconds, stepSeconds, rewireSeconds, swapped, rewireOverStep: rewireSeconds / stepSeconds });
  console.error(JSON.stringify(results.at(-1)));
  net.free();
}
console.log(JSON.stringify(results, null, 2));
