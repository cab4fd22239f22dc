// Issue 10 §4: what one rewiring does. Trains like `fit` (same rewiring schedule) and, at every
// rewiring, measures on a fixed set of 256 training sequences the loss just before and just
// after it, the mean |w| of the dropped learned synapses against all learned ones, and how many
// of the dropped ones were born at the previous rewiring (churn of newborns). The rewiring scores
// on the last training batch recomputed after its optimizer step (fit uses the activity of the
// step itself), or on `rewireBatch` sequences.
//   npm run build && node scripts/rewire-diagnostics.mjs '{"growth":"gradient","seed":1}'
// Keys (all optional): task, neurons, k, learned, epochs, growth, seed, frozen, rewireEvery,
// rewireFraction, rewireUntil, rewireBatch.
import { evaluate, init, loadTask, SparseRNN } from '../dist/node.js';

const o = {
  task: 'digits-pixels',
  neurons: 512,
  k: 50,
  learned: 7,
  epochs: 10,
  growth: 'gradient',
  seed: 1,
  frozen: true,
  rewireEvery: 50,
  rewireFraction: 0.3,
  rewireUntil: 0.75,
  rewireBatch: 0,
  lr: 0.002,
  ...JSON.parse(process.argv[2] ?? '{}'),
};
await init({ threads: 1 });
const task = loadTask(o.task);
const [size, steps, inputs] = task.train.shape;
const B = 32;
const take = (from, count, order) => {
  const x = new Float32Array(count * steps * inputs);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const s = order[(from + k) % size];
    x.set(task.train.x.subarray(s * steps * inputs, (s + 1) * steps * inputs), k * steps * inputs);
    labels[k] = task.train.labels[s];
  }
  return { x, shape: [count, steps, inputs], labels };
};
const identity = Array.from({ length: size }, (_, i) => i);
const probe = take(0, 256, identity);
const net = new SparseRNN({
  inputs,
  outputs: task.outputs,
  neurons: o.neurons,
  k: o.k,
  learned: o.learned,
  growth: o.growth,
  trainBackbone: !o.frozen,
  seed: o.seed,
});
const M = o.learned;
const learnedWeights = () => {
  const m = net.recurrentMatrix();
  const partner = new Uint32Array(o.neurons * M);
  const w = new Float32Array(o.neurons * M);
  for (let i = 0; i < o.neurons; i++)
    for (let s = 0; s < M; s++) {
      const e = m.indptr[i + 1] - M + s;
      partner[i * M + s] = m.indices[e];
      w[i * M + s] = m.values[e];
    }
  return { partner, w };
};
const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const batches = Math.ceil(size / B);
const total = o.epochs * batches;
const until = Math.floor(o.rewireUntil * total);
let bornAt = new Int32Array(o.neurons * M).fill(-100); // rewiring round a slot's synapse was born
let step = 0;
let round = 0;
let rng = o.seed * 7919 + 1;
for (let epoch = 1; epoch <= o.epochs; epoch++) {
  const order = identity.slice();
  for (let i = size - 1; i > 0; i--) {
    rng = (rng * 1103515245 + 12345) % 2 ** 31;
    const j = rng % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let b = 0; b < batches; b++) {
    const batch = take(b * B, Math.min(B, size - b * B), order);
    net.trainBatch(batch, o.lr, 1);
    step++;
    if (o.growth === 'random' || step % o.rewireEvery !== 0 || step >= until) continue;
    const fraction = o.rewireFraction * 0.5 * (1 + Math.cos((Math.PI * step) / until));
    const before = learnedWeights();
    const lossBefore = evaluate(net, probe).loss;
    net.scoreBatch(o.rewireBatch ? take(b * B, o.rewireBatch, order) : batch); // evaluate cleared it
    net.rewire(fraction);
    const lossAfter = evaluate(net, probe).loss;
    const after = learnedWeights();
    const dropped = [];
    let newbornDropped = 0;
    for (let e = 0; e < before.partner.length; e++) {
      if (before.partner[e] === after.partner[e]) continue;
      dropped.push(Math.abs(before.w[e]));
      if (bornAt[e] === round - 1) newbornDropped++;
      bornAt[e] = round;
    }
    const newborn = [];
    const older = [];
    for (let e = 0; e < before.w.length; e++)
      (bornAt[e] === round - 1 ? newborn : older).push(Math.abs(before.w[e]));
    console.log(
      JSON.stringify({
        growth: o.growth,
        seed: o.seed,
        step,
        fraction: +fraction.toFixed(3),
        swapped: dropped.length,
        loss_before: +lossBefore.toFixed(4),
        loss_after: +lossAfter.toFixed(4),
        dropped_abs_w: +mean(dropped).toFixed(4),
        learned_abs_w: +mean(Array.from(before.w, Math.abs)).toFixed(4),
        newborn_abs_w: +mean(newborn).toFixed(4),
        older_abs_w: +mean(older).toFixed(4),
        dropped_newborn_share: +(newbornDropped / Math.max(1, dropped.length)).toFixed(3),
      }),
    );
    round++;
  }
}
const out = net.outDegree({ learnedOnly: true });
const outMean = mean(Array.from(out));
console.log(
  JSON.stringify({
    growth: o.growth,
    seed: o.seed,
    test_accuracy: evaluate(net, task.test).accuracy,
    learned_out_degree: {
      sd: +Math.sqrt(mean(Array.from(out, (d) => (d - outMean) ** 2))).toFixed(2),
      max: Math.max(...out),
      senders: out.filter((d) => d > 0).length,
    },
  }),
);
net.free();
