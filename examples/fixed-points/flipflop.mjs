// Trains a sparse RNN on the 3-bit flip-flop (Sussillo & Barak 2013), then opens it up with
// `analyze`: its fixed points, their stability and what the readout says at each.
//   node flipflop.mjs
import { init, loadTask, SparseRNN, fit, evaluate, analyze } from 'sqrtk';

await init();

// Three input channels get rare ±1 pulses; output k must hold the sign of the last pulse on
// channel k. A network that solves it needs 2³ = 8 memories.
const task = loadTask('flip-flop');
const net = new SparseRNN({
  inputs: 3,
  outputs: 3,
  loss: 'mse',
  neurons: 64,
  k: 16,
  growth: 'gradient', // the 4 learned inputs of each neuron are chosen by their gradient
  seed: 1,
});
await fit(net, task.train, { epochs: 20, lr: 0.01 });
console.log(`test mean squared error ${evaluate(net, task.test).loss.toFixed(4)}`);

// analyze() runs every analysis on the test trials; here we look at the fixed points found
// without input, starting from 64 states visited during the trials.
const analysis = analyze(net, task.test, { task: 'flip-flop' });
const { points } = analysis.fixedPoints[0];
// 'fixed' points have q ≈ 0; 'slow' ones are places where the state only moves slowly.
const fixed = points.filter((p) => p.kind === 'fixed');
const stable = fixed.filter((p) => p.stable);
const slow = points.length - fixed.length;
console.log(`${fixed.length} fixed points (${stable.length} stable), ${slow} slow points:`);
for (const p of stable) {
  // The readout at the point: which memory it is (+ or − on each of the 3 outputs).
  const memory = p.output.map((y) => (y > 0 ? '+' : '-')).join('');
  const largest = Math.hypot(p.eigenvalues[0].re, p.eigenvalues[0].im);
  console.log(
    `  memory ${memory}  outputs ${p.output.map((y) => y.toFixed(2)).join(' ')}  largest |λ| ${largest.toFixed(2)}`,
  );
}
net.free();
