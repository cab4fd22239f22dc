/**
 * Example trials for the HTML report: for a few test trials of a task, the inputs, the target
 * and the network's output over time, as small line charts.
 */
import { hasStepLabels, type Dataset } from '../data.js';
import type { SparseRNN } from '../model.js';
import { predict } from '../evaluate.js';
import { lineChart, orderedColors, type Series } from './svg.js';

/** Softmax of each step's outputs: class probabilities, [trial][step][class]. */
function probabilities(y: Float32Array, o: number): Float32Array {
  const p = new Float32Array(y.length);
  for (let at = 0; at < y.length; at += o) {
    const row = y.subarray(at, at + o);
    const max = Math.max(...row);
    let sum = 0;
    for (let k = 0; k < o; k++) sum += Math.exp(row[k] - max);
    for (let k = 0; k < o; k++) p[at + k] = Math.exp(row[k] - max) / sum;
  }
  return p;
}

const STEP = (s: number) => s + 1;

/**
 * Two charts per trial of `examples` (a few test trials with their labels or targets): the
 * inputs, and the target (dashed; unscored steps left out) against the network's output
 * (solid; class probabilities for cross-entropy, values for MSE) over time.
 */
export function exampleTrialCharts(net: SparseRNN, examples: Dataset, name: string): string[] {
  const [b, t, d] = examples.shape;
  const { outputs: o, loss, readoutSteps } = net.config;
  const ce = loss === 'cross_entropy';
  const raw = predict(net, examples, { perStep: true }); // [trial][step][output]
  const y = ce ? probabilities(raw, o) : raw;
  const perStep = hasStepLabels(examples);
  const charts: string[] = [];
  for (let s = 0; s < b; s++) {
    const scored = (step: number) =>
      ce && !perStep ? step >= t - readoutSteps : (examples.mask?.[s * t + step] ?? 1) > 0;
    const inputs: Series[] = Array.from({ length: d }, (_, c) => ({
      name: `input ${c}`,
      points: range(t).map((step) => [STEP(step), examples.x[(s * t + step) * d + c]]),
    }));
    const target = (step: number, k: number): number => {
      if (!scored(step)) return NaN;
      if (!ce) return examples.targets![(s * t + step) * o + k];
      const label = perStep ? examples.labels![s * t + step] : examples.labels![s];
      return label === k ? 1 : 0;
    };
    // One colour per output, its target dashed in the same colour: the legend names the
    // outputs only (the title says which lines are targets), one distinct entry each.
    const colors = orderedColors(o);
    const outputs: Series[] = range(o).flatMap((k) => [
      {
        name: ce ? `p(class ${k})` : `output ${k}`,
        color: colors[k],
        points: range(t).map((step) => [STEP(step), y[(s * t + step) * o + k]] as [number, number]),
      },
      {
        name: '',
        color: colors[k],
        points: range(t).map((step) => [STEP(step), target(step, k)] as [number, number]),
        dashed: true,
      },
    ]);
    const legendless = d > 6 ? inputs.map((series) => ({ ...series, name: '' })) : inputs;
    charts.push(
      lineChart(`${name}, test trial ${s + 1}: inputs`, 'time step', 'input', legendless, {
        x: { integer: true },
      }),
      lineChart(
        `test trial ${s + 1}: target (dashed) and output`,
        'time step',
        ce ? 'probability' : 'value',
        outputs,
        { x: { integer: true } },
      ),
    );
  }
  return charts;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The first `n` trials of `data` (per-sequence or per-step labels, targets, mask), copied. */
export function firstTrials(data: Dataset, n: number): Dataset {
  const [b, t, d] = data.shape;
  const count = Math.min(n, b);
  const out: Dataset = { x: data.x.slice(0, count * t * d), shape: [count, t, d] };
  if (data.labels) out.labels = data.labels.slice(0, data.labels.length === b ? count : count * t);
  if (data.targets) out.targets = data.targets.slice(0, (data.targets.length / b) * count);
  if (data.mask) out.mask = data.mask.slice(0, count * t);
  return out;
}
