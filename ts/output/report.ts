/**
 * The HTML report of a run: one self-contained file (inline SVG, no scripts, no network) with
 * the learning curves, the in-degree distributions against Binomial(N − 1, K/N), the learned
 * weights, the turnover per rewiring, a sample of activity traces and, for a run on a task,
 * example test trials (inputs, target and the network's output over time).
 */
import type { Dataset } from '../data.js';
import type { SparseRNN } from '../model.js';
import { barChart, histogram, lineChart, PALETTE, type Series } from './svg.js';
import type { RewireRecord } from '../train.js';
import { exampleTrialCharts } from './trials.js';
import { analysisSection, type AnalysisFile } from './analysis-report.js';

export interface ReportInput {
  title: string;
  net: SparseRNN;
  /** metrics.jsonl records. */
  metrics: {
    epoch: number;
    train_loss: number;
    test_loss: number | null;
    train_accuracy: number | null;
    test_accuracy: number | null;
  }[];
  rewires: RewireRecord[];
  /** Sequences whose activity is traced (the first one is plotted). */
  sample?: Pick<Dataset, 'x' | 'shape'>;
  /**
   * A few test trials of the run's task, with their labels or targets (and mask): each is
   * drawn as its inputs and its target against the network's output over time.
   */
  examples?: { task: string; trials: Dataset };
  summary: Record<string, unknown>;
  /** DIR/analysis.json of `sqrtk analyze`, drawn as the section "What did it learn?". */
  analysis?: AnalysisFile;
}

/** Expected neuron counts for each in-degree under Binomial(n, p), over `degrees`' range. */
function binomialCurve(
  neurons: number,
  n: number,
  p: number,
  lo: number,
  hi: number,
): [number, number][] {
  const points: [number, number][] = [];
  let logPmf = n * Math.log1p(-p); // log P(X = 0)
  for (let k = 0; k <= hi; k++) {
    if (k >= lo) points.push([k + 0.5, neurons * Math.exp(logPmf)]);
    logPmf += Math.log(n - k) - Math.log(k + 1) + Math.log(p) - Math.log1p(-p);
  }
  return points;
}

function degreeChart(
  title: string,
  degrees: Uint32Array,
  neurons: number,
  k: number,
  axis = 'in-degree',
): string {
  let [lo, hi] = [Infinity, -Infinity];
  for (const d of degrees) [lo, hi] = [Math.min(lo, d), Math.max(hi, d)]; // no spread: N may be large
  const counts = new Map<number, number>();
  for (const d of degrees) counts.set(d, (counts.get(d) ?? 0) + 1);
  const bars = Array.from({ length: hi - lo + 1 }, (_, i) => ({
    x: lo + i,
    width: 1,
    height: counts.get(lo + i) ?? 0,
  }));
  const curve = binomialCurve(neurons, neurons - 1, k / neurons, lo, hi);
  return barChart(
    title,
    axis,
    'neurons',
    bars,
    [{ name: `Binomial(${neurons - 1}, ${k}/${neurons})`, points: curve, color: PALETTE[1] }],
    { x: { integer: true } },
  );
}

/** A number to 3 significant digits, or to the unit from 1000 on (0.0123, 14.4, 175, 1766). */
const sig3 = (v: number) => String(Math.abs(v) >= 1000 ? Math.round(v) : +v.toPrecision(3));

/**
 * A χ² test's p-value to 2 significant digits, with its relation: "= 9.6e-29", and "< 1e-300"
 * for one that underflowed to 0 (the test's Q(a, x) ends in exp(log p)).
 */
export const pValue = (p: number) => (p === 0 ? '< 1e-300' : `= ${+p.toPrecision(2)}`);

/**
 * A summary value as people read it: times in seconds to 3 significant digits ("14.4 s"),
 * other fractional numbers to 3 (accuracy 0.989, loss 0.0123); whole numbers, hashes and words
 * as they are. summary.json keeps every digit.
 */
export function shown(key: string, v: unknown): string {
  if (typeof v !== 'number' || Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const text = sig3(v);
  return key.endsWith('_seconds') ? `${text} s` : text;
}

export function buildReport(input: ReportInput): string {
  const { net, metrics, rewires, summary } = input;
  const { neurons, k } = net.config;
  const curves = (key: 'loss' | 'accuracy'): Series[] => [
    { name: 'train', points: metrics.map((m) => [m.epoch, m[`train_${key}`] ?? NaN]) },
    { name: 'test', points: metrics.map((m) => [m.epoch, m[`test_${key}`] ?? NaN]) },
  ];
  const m = net.recurrentMatrix();
  const learnedWeights = m.values.filter((_, e) => m.learned[e] === 1);
  const test = net.inDegreeTest();
  const charts = [
    lineChart(
      'Loss',
      'epoch',
      net.config.loss === 'mse' ? 'mean squared error' : 'cross-entropy',
      curves('loss'),
      { x: { integer: true }, y: { log: true } },
    ),
    net.config.loss === 'cross_entropy'
      ? lineChart('Accuracy', 'epoch', 'fraction correct', curves('accuracy'), {
          x: { integer: true },
        })
      : '',
    degreeChart('Backbone in-degree', net.backboneDegree(), neurons, k),
    degreeChart(`Final in-degree (χ² p ${pValue(test.pValue)})`, net.inDegree(), neurons, k),
    degreeChart(
      `Final out-degree (χ² p ${pValue(net.outDegreeTest().pValue)})`,
      net.outDegree(),
      neurons,
      k,
      'out-degree',
    ),
    learnedWeights.length
      ? barChart('Learned synapse weights', 'weight', 'synapses', histogram(learnedWeights, 40))
      : '',
    rewires.length
      ? barChart(
          'Turnover per rewiring',
          'optimizer step',
          'synapses swapped',
          rewires.map((r) => ({ x: r.step - 2, width: 4, height: r.swapped })),
          [],
          { x: { integer: true } },
        )
      : '<p>No rewiring in this run (growth: random).</p>',
    input.sample ? activityChart(net, input.sample) : '',
    ...(input.examples ? exampleTrialCharts(net, input.examples.trials, input.examples.task) : []),
  ];
  const rows = Object.entries(summary)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([key, v]) => `<tr><th>${key}</th><td>${shown(key, v)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${input.title}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;max-width:1000px}.charts{display:flex;flex-wrap:wrap;gap:12px}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ddd;padding:2px 8px;text-align:left}th{background:#f6f6f6}</style>
</head><body>
<h1>${input.title}</h1>
<p>${neurons} neurons, K = ${k}, ${net.config.learned} learned synapses per neuron (growth <b>${net.config.growth}</b>, mode <b>${net.config.mode}</b>).
In-degree test against Binomial(${neurons - 1}, ${k}/${neurons}): χ² = ${sig3(test.statistic)} with ${test.dof} dof, p ${pValue(test.pValue)}.</p>
<div class="charts">${charts.join('\n')}</div>
<table>${rows}</table>
${input.analysis ? analysisSection(input.analysis) : ''}
</body></html>
`;
}

/** Rates of the first neurons over the first sequence of `sample`. */
function activityChart(net: SparseRNN, sample: Pick<Dataset, 'x' | 'shape'>): string {
  const [b, t] = sample.shape;
  const shown = Math.min(6, net.config.neurons);
  const traces = net.activity(
    sample,
    Array.from({ length: shown }, (_, i) => i),
  ); // [neuron][step][batch]
  const series: Series[] = Array.from({ length: shown }, (_, i) => ({
    name: `neuron ${i}`,
    points: Array.from(
      { length: t },
      (_, s) => [s + 1, traces[(i * t + s) * b]] as [number, number],
    ),
  }));
  return lineChart('Activity of 6 neurons (first test sequence)', 'time step', 'rate r_t', series, {
    x: { integer: true },
  });
}
