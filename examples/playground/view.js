// The live charts: the page keeps what the worker reported so far (losses, epoch records,
// rewirings) and redraws each chart from it.
import { barChart, connectivityChart, degreeChart, lineChart } from './charts.js';

const $ = (id) => document.getElementById(id);

/** Everything the charts draw, for one run. */
export function emptyRun() {
  return { losses: [], epochs: [], rewires: [], snapshot: null };
}

/** Adds a worker message's data to `run`. */
export function record(run, message) {
  if (message.type === 'epoch') run.epochs.push(message.record);
  if (message.type !== 'snapshot') return;
  run.losses.push(...message.losses);
  run.rewires.push(...message.rewires);
  run.snapshot = message;
}

/** At most `n` points: long runs are thinned evenly, so a redraw stays cheap. */
function thin(points, n = 400) {
  if (points.length <= n) return points;
  const every = points.length / n;
  return Array.from({ length: n }, (_, i) => points[Math.floor(i * every)]);
}

export function draw(run) {
  const isCe = run.snapshot?.trial.loss !== 'mse';
  const epochsAt = run.epochs.map((r) => r.steps);
  $('loss-chart').innerHTML = lineChart(
    'Loss',
    'optimizer step',
    isCe ? 'cross-entropy' : 'mean squared error',
    [
      { name: 'train (batch)', points: thin(run.losses), color: '#9ecae1' },
      {
        name: 'train (epoch)',
        points: run.epochs.map((r, i) => [epochsAt[i], r.loss]),
        dots: true,
        color: '#1f77b4',
      },
      {
        name: 'test',
        points: run.epochs.map((r, i) => [epochsAt[i], r.valLoss ?? NaN]),
        dots: true,
        color: '#d62728',
      },
    ],
  );
  $('accuracy-chart').innerHTML = isCe
    ? lineChart(
        'Accuracy',
        'epoch',
        'fraction correct',
        [
          {
            name: 'train',
            points: run.epochs.map((r) => [r.epoch, r.accuracy ?? NaN]),
            dots: true,
          },
          {
            name: 'test',
            points: run.epochs.map((r) => [r.epoch, r.valAccuracy ?? NaN]),
            dots: true,
          },
        ],
        { y: [0, 1] },
      )
    : '<p class="note">Accuracy applies to classification tasks (this one is trained with mean squared error).</p>';
  if (!run.snapshot) return;
  const s = run.snapshot;
  $('degree-chart').innerHTML = degreeChart(
    `In-degree (χ² p = ${s.inP.toPrecision(2)})`,
    'in-degree',
    s.inDegree,
    s.neurons,
    s.k,
  );
  $('out-degree-chart').innerHTML = degreeChart(
    `Out-degree (χ² p = ${s.outP.toPrecision(2)})`,
    'out-degree',
    s.outDegree,
    s.neurons,
    s.k,
  );
  $('turnover-chart').innerHTML = run.rewires.length ? turnoverChart(run.rewires) : NO_REWIRING;
  $('trial-chart').innerHTML = trialCharts(s.trial);
  $('connectivity-chart').innerHTML = connectivityChart(
    `Synapses among neurons 0–${s.connectivity.size - 1}`,
    s.connectivity,
  );
}

const NO_REWIRING =
  '<p class="note">No rewiring yet (growth <code>random</code> never rewires; the others every “Rewire every” steps until 75 % of training, deep_r after every step until 95 %).</p>';

/** Synapses swapped at each rewiring; bars are widened so that a few of them stay visible. */
function turnoverChart(rewires) {
  const span = rewires.at(-1).step - rewires[0].step || 1;
  const width = Math.max(0.8, span / 50);
  const bars = rewires.map((r) => ({ x: r.step - width / 2, width, height: r.swapped }));
  return barChart('Turnover per rewiring', 'optimizer step', 'synapses swapped', bars);
}

/** The first test trial: its inputs, and the target (dashed) against the output over time. */
function trialCharts(trial) {
  const [, t, d] = trial.shape;
  const o = trial.outputs;
  const ce = trial.loss === 'cross_entropy';
  const perStep = trial.labels && trial.labels.length === t && t > 1;
  const range = (n) => Array.from({ length: n }, (_, i) => i);
  const scored = (step) =>
    ce && !perStep ? step >= t - trial.readoutSteps : (trial.mask?.[step] ?? 1) > 0;
  const target = (step, c) => {
    if (!scored(step)) return NaN;
    if (!ce) return trial.targets[step * o + c];
    return (perStep ? trial.labels[step] : trial.labels[0]) === c ? 1 : 0;
  };
  const inputs = range(d).map((c) => ({
    name: d > 6 ? '' : `input ${c}`,
    points: range(t).map((s) => [s + 1, trial.x[s * d + c]]),
  }));
  const shown = range(Math.min(o, 10));
  const outputs = shown.flatMap((c) => [
    {
      name: o > 4 ? '' : ce ? `p(class ${c})` : `output ${c}`,
      points: range(t).map((s) => [s + 1, trial.y[s * o + c]]),
    },
    { name: '', points: range(t).map((s) => [s + 1, target(s, c)]), dashed: true, dots: true },
  ]);
  // Each output and its target share a colour.
  const paired = outputs.map((series, i) => ({
    ...series,
    color: [
      '#1f77b4',
      '#d62728',
      '#2ca02c',
      '#9467bd',
      '#ff7f0e',
      '#17becf',
      '#8c564b',
      '#e377c2',
      '#7f7f7f',
      '#bcbd22',
    ][Math.floor(i / 2) % 10],
  }));
  return (
    lineChart('Test trial 1: inputs', 'time step', 'input', inputs) +
    lineChart(
      'Test trial 1: target (dashed) and output',
      'time step',
      ce ? 'probability' : 'value',
      paired,
    )
  );
}
