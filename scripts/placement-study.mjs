// Issue 10 §4: does learned placement beat random placement, paired by seed? Trains one
// setting for several seeds and growth strategies (one thread) and prints one JSON line per run,
// then the paired differences against `random` with their t statistic.
//   npm run build && node scripts/placement-study.mjs '{"task":"digits-pixels","epochs":10}'
// Keys (all optional): task, neurons, k, learned, epochs, seeds (count), growth (list),
// frozen (bool), fit (extra fit options, e.g. {"rewireFraction":0.1}), net (extra network
// options), label (a name for the setting).
import { fit, init, loadTask, SparseRNN, evaluate } from '../dist/node.js';

const spec = {
  task: 'digits-pixels',
  neurons: 512,
  k: 50,
  learned: 7,
  epochs: 10,
  seeds: 5,
  growth: ['random', 'gradient', 'sampled', 'deep_r'],
  frozen: true,
  fit: {},
  net: {},
  ...JSON.parse(process.argv[2] ?? '{}'),
};
spec.label ??= JSON.stringify({ fit: spec.fit, net: spec.net });
await init({ threads: 1 });
const task = loadTask(spec.task);
const results = {};
for (const growth of spec.growth) {
  results[growth] = [];
  for (let seed = 1; seed <= spec.seeds; seed++) {
    const started = performance.now();
    const net = new SparseRNN({
      inputs: task.inputs,
      outputs: task.outputs,
      loss: task.loss,
      neurons: spec.neurons,
      k: spec.k,
      learned: spec.learned,
      growth,
      trainBackbone: !spec.frozen,
      seed,
      ...spec.net,
    });
    const history = await fit(net, task.train, { epochs: spec.epochs, rewireEvery: 50, ...spec.fit });
    const test = evaluate(net, task.test);
    const row = {
      label: spec.label,
      task: spec.task,
      backbone: spec.frozen ? 'frozen' : 'trainable',
      growth,
      seed,
      accuracy: test.accuracy,
      loss: test.loss,
      train_loss: history.epochs.at(-1).loss,
      turnover: net.rewireCounts().turnover,
      learned_out_max: Math.max(...net.outDegree({ learnedOnly: true })),
      seconds: (performance.now() - started) / 1000,
    };
    net.free();
    results[growth].push(row.accuracy);
    console.log(JSON.stringify(row));
  }
}
for (const growth of spec.growth) {
  const a = results[growth];
  const line = { label: spec.label, growth, mean: a.reduce((x, y) => x + y, 0) / a.length };
  if (growth !== 'random' && results.random) {
    const d = a.map((v, i) => v - results.random[i]);
    const mean = d.reduce((x, y) => x + y, 0) / d.length;
    const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (d.length - 1));
    Object.assign(line, { delta: mean, delta_sd: sd, t: mean / (sd / Math.sqrt(d.length)) });
  }
  console.log('#', JSON.stringify(line));
}
