// How many synapses that deep_r grows survive their first optimizer step (issue 10 §2).
// A new synapse starts at weight 0 with a sign; if the first step pushes it across zero it is
// clamped there and counts as dead again. The first step is on the next batch, not the one the
// births were scored on. On our 2-core machine this printed 0.488 when births had a random
// sign and reset Adam moments, 0.559 with the sign of their birth gradient alone, and 0.986
// with that sign and Adam moments started from the birth gradient (what the core does now).
//   npm run build && node scripts/deep-r-births.mjs
import { init, SparseRNN, datasets } from '../dist/node.js';

await init({ threads: 1 });
const { train } = datasets.digits();
const B = 32;
/** Training batch number i: 32 consecutive digits (wrapping around). */
function batch(i) {
  const x = new Float32Array(B * 64);
  const labels = new Int32Array(B);
  for (let k = 0; k < B; k++) {
    const s = (i * B + k) % train.shape[0];
    x.set(train.x.subarray(s * 64, (s + 1) * 64), k * 64);
    labels[k] = train.labels[s];
  }
  return { x, shape: [B, 8, 8], labels };
}

const net = new SparseRNN({
  inputs: 8,
  outputs: 10,
  neurons: 300,
  k: 30,
  growth: 'deep_r',
  seed: 1,
});
let step = 0;
const trainSteps = (n) => {
  for (let i = 0; i < n; i++) net.trainBatch(batch(step++), 0.002, 1);
};
trainSteps(50);
let [born, alive] = [0, 0];
for (let round = 0; round < 5; round++) {
  const before = net.recurrentMatrix().indices;
  net.rewire(0.3);
  const after = net.recurrentMatrix();
  const fresh = [];
  after.indices.forEach((j, e) => after.learned[e] && before[e] !== j && fresh.push(e));
  trainSteps(1);
  const w = net.recurrentMatrix().values;
  born += fresh.length;
  alive += fresh.filter((e) => w[e] !== 0).length;
  trainSteps(20);
}
console.log(
  `deep_r: ${born} synapses born over 5 rewirings, ${alive} alive after one step (${(alive / born).toFixed(3)})`,
);
net.free();
