// Trains a sparse RNN on a random-dots perceptual decision task with a label at every step,
// then prints its psychometric curve: accuracy against motion coherence.
//   node train.mjs
import { init, tasks, SparseRNN, fit, evaluate, classify } from 'sqrtk';

await init();

// Each trial: 2 steps of fixation, 10 steps of noisy evidence for one of two directions, then
// 3 response steps. Inputs: a fixation cue and one evidence channel per direction. The label
// of each step is 0 ("fixate") before the response and the direction (1 or 2) during it.
const coherences = [0, 6.4, 12.8, 25.6, 51.2]; // % of dots moving coherently
const train = tasks.perceptualDecision({ coherences, trials: 2000, seed: 1 });
const test = tasks.perceptualDecision({ coherences, trials: 1000, seed: 2 });
const [trials, steps, inputs] = test.shape;

const net = new SparseRNN({ inputs, outputs: 3, neurons: 200, k: 20, growth: 'sampled', seed: 1 });
await fit(net, train, { epochs: 8, lr: 0.005 });

// accuracy: the fraction of scored steps (fixation and response) classified right;
// trialAccuracy: the fraction of trials with every scored step right.
const { accuracy, trialAccuracy } = evaluate(net, test);
console.log(
  `step accuracy ${accuracy.toFixed(3)}, whole-trial accuracy ${trialAccuracy.toFixed(3)}`,
);

// The class the network outputs at every step, [trials, steps].
const choices = classify(net, test, { perStep: true });

// Trial b has coherence coherences[b % 5]. Count, per coherence, the response steps (label 1
// or 2) where the network chose the right direction.
for (const [level, coherence] of coherences.entries()) {
  let [right, counted] = [0, 0];
  for (let b = level; b < trials; b += coherences.length) {
    for (let t = 0; t < steps; t++) {
      const label = test.labels[b * steps + t];
      if (label === 0) continue; // not a response step
      counted++;
      if (choices[b * steps + t] === label) right++;
    }
  }
  console.log(`coherence ${String(coherence).padStart(4)}%: ${(right / counted).toFixed(3)} right`);
}
net.free();
