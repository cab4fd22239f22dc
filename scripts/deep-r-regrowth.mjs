// Why is `deep_r` worse than `random` on flip-flop? Its dead synapses (weights clamped at 0 after
// crossing their sign) wait for the next rewiring to be regrown, and after the last one
// (`rewireUntil`) nothing regrows them. This trains flip-flop (N = 300, K = 36, frozen backbone,
// 5 epochs, the `small` study of `npm run compare`) with `random` and with `deep_r` under
// several schedules, 5 seeds each, one thread, and prints deep_r's test loss relative to
// random's on the same seed, the dead fraction of learned synapses at the end and the turnover.
//   npm run build && node scripts/deep-r-regrowth.mjs      (about 2 minutes)
import { evaluate, fit, init, loadTask, SparseRNN } from '../dist/node.js';

await init({ threads: 1 });
const task = loadTask('flip-flop');
const seeds = [1, 2, 3, 4, 5];
const schedules = [
  {},
  { rewireEvery: 10 },
  { rewireEvery: 100 },
  { rewireUntil: 0.5 },
  { rewireUntil: 0.95 },
  { rewireEvery: 1 },
  { rewireEvery: 1, rewireUntil: 0.95 },
  { rewireEvery: 1, rewireUntil: 1 },
];

/** Trains one network; returns its test loss, dead fraction of learned synapses and turnover. */
async function train(growth, seed, schedule) {
  const net = new SparseRNN({
    inputs: task.inputs,
    outputs: task.outputs,
    loss: task.loss,
    neurons: 300,
    k: 36,
    growth,
    trainBackbone: false,
    seed,
  });
  await fit(net, task.train, { epochs: 5, rewireEvery: 25, ...schedule });
  const m = net.recurrentMatrix();
  let [dead, learned] = [0, 0];
  for (let e = 0; e < m.values.length; e++) {
    if (!m.learned[e]) continue;
    learned++;
    if (m.values[e] === 0) dead++;
  }
  const result = {
    loss: evaluate(net, task.test).loss,
    dead: dead / learned,
    turnover: net.rewireCounts().turnover,
  };
  net.free();
  return result;
}

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const random = [];
for (const seed of seeds) random.push((await train('random', seed, {})).loss);
for (const schedule of schedules) {
  const runs = [];
  for (const seed of seeds) runs.push(await train('deep_r', seed, schedule));
  const relative = runs.map((r, i) => 100 * (r.loss / random[i] - 1));
  console.log(
    JSON.stringify({
      schedule: { rewireEvery: 25, rewireUntil: 0.75, ...schedule },
      loss_vs_random_percent: relative.map((x) => +x.toFixed(1)),
      mean_percent: +mean(relative).toFixed(2),
      dead_at_end: +mean(runs.map((r) => r.dead)).toFixed(3),
      turnover: mean(runs.map((r) => r.turnover)),
    }),
  );
}
