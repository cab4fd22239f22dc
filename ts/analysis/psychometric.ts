/**
 * Psychometric curves of the decision tasks: the fraction of trials on which the network
 * chose option 1 at each level of the evidence, and a logistic fitted to it,
 *
 *   P(choice 1 | x) = 1 / (1 + exp(−(x − μ) / s)),
 *
 * by least squares on the fractions (ml-levenberg-marquardt with its analytic Jacobian). The
 * levels are not weighted by their trial counts: the task generators give every level about
 * as many trials, and ml-levenberg-marquardt 5.1's `weights` option did not converge on
 * exact logistic data in our test. μ is the bias (the point of subjective equality), 1 / (4s) the slope at μ, and
 * s · ln 3 the threshold: how far from μ the evidence must be for 75 % of one choice.
 *
 * The choice of a trial is the class (1 or 2) with the higher output averaged over the
 * response steps (the steps of mask weight RESPONSE_WEIGHT, see tasks/trial.ts).
 *
 * - perceptual-decision: x = direction · coherence (%), choice 1 = direction +1;
 * - context-dependent: one curve per context against the motion and one against the colour
 *   evidence (signed); choice 1 = the cued stream was positive — the relevant stream should
 *   steer the choice and the irrelevant one not (Mante et al. 2013, Fig. 2);
 * - parametric-wm: x = f1 − f2 (Hz), choice 1 = "f1 > f2" (Romo et al. 1999).
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { Dataset } from '../data.js';
import { predict } from '../evaluate.js';
import type { SparseRNN } from '../model.js';
import { RESPONSE_WEIGHT } from '../tasks/trial.js';
import { groupTrials } from './population.js';

export interface LogisticFit {
  /** μ: the evidence at which both choices are equally likely. */
  bias: number;
  /** s: the logistic's scale. */
  scale: number;
  /** 1 / (4s): dP/dx at μ. */
  slope: number;
  /** s · ln 3: |x − μ| at which P = 0.75 (or 0.25). */
  threshold: number;
}

export interface PsychometricCurve {
  /** What the curve shows, e.g. "context motion: motion evidence". */
  name: string;
  /** The evidence variable (its name in the task's conditions) and unit. */
  x: string;
  levels: { x: number; trials: number; choice1: number }[];
  /** null when every level has the same choice (no logistic to fit). */
  fit: LogisticFit | null;
}

/** The tasks with psychometric curves and how each defines its evidence. */
const DEFINITIONS: Record<
  string,
  (
    c: Record<string, Float64Array>,
  ) => { name: string; x: string; values: number[]; use: number[] }[]
> = {
  'perceptual-decision': (c) => [
    {
      name: 'choice 1 (direction +1) against signed coherence',
      x: 'direction × coherence (%)',
      values: Array.from(c.evidence),
      use: all(c.evidence.length),
    },
  ],
  'context-dependent': (c) =>
    [0, 1].flatMap((context) => {
      const use = all(c.context.length).filter((b) => c.context[b] === context);
      const label = context === 0 ? 'motion context' : 'colour context';
      return (['motion', 'colour'] as const).map((stream) => ({
        name: `${label}: against ${stream} evidence`,
        x: `${stream} evidence (signed)`,
        values: Array.from(c[stream]),
        use,
      }));
    }),
  'parametric-wm': (c) => [
    {
      name: 'choice "f1 > f2" against f1 − f2',
      x: 'f1 − f2 (Hz)',
      values: Array.from(c.f1, (f1, b) => f1 - c.f2[b]),
      use: all(c.f1.length),
    },
  ],
};

/** The tasks {@link psychometric} knows. */
export const PSYCHOMETRIC_TASKS = Object.keys(DEFINITIONS);

/**
 * The psychometric curves of `net` on the first `trials` trials of `data`, a test set of the
 * built-in task `task`; null for a task without them.
 */
export function psychometric(
  net: SparseRNN,
  task: string,
  data: Dataset,
  trials: number,
): PsychometricCurve[] | null {
  const define = DEFINITIONS[task];
  if (!define || !data.conditions || !data.mask) return null;
  const [total, steps, inputs] = data.shape;
  const b = Math.min(trials, total);
  const shape: Dataset['shape'] = [b, steps, inputs];
  const out = predict(net, { x: data.x.subarray(0, b * steps * inputs), shape }, { perStep: true });
  const o = net.config.outputs;
  const choice1 = Array.from({ length: b }, (_, s) => {
    let margin = 0;
    for (let t = 0; t < steps; t++)
      if (data.mask![s * steps + t] === RESPONSE_WEIGHT)
        margin += out[(s * steps + t) * o + 1] - out[(s * steps + t) * o + 2];
    return margin > 0 ? 1 : 0;
  });
  return define(data.conditions).map(({ name, x, values, use }) => {
    const kept = use.filter((s) => s < b);
    const groups = groupTrials(
      kept.map((s) => values[s]),
      kept.length,
    );
    const levels = groups.map((g) => ({
      x: g.value,
      trials: g.trials.length,
      choice1: g.trials.reduce((n, k) => n + choice1[kept[k]], 0) / g.trials.length,
    }));
    return { name, x, levels, fit: fitLogistic(levels) };
  });
}

/** The logistic through `levels` (see the file header); null if it has nothing to fit. */
export function fitLogistic(levels: PsychometricCurve['levels']): LogisticFit | null {
  const p = levels.map((l) => l.choice1);
  if (levels.length < 2 || p.every((v) => v === p[0])) return null;
  const xs = levels.map((l) => l.x);
  const spread = Math.max(...xs) - Math.min(...xs);
  const result = levenbergMarquardt(
    { x: xs, y: p },
    ([mu, s]) =>
      (x) =>
        1 / (1 + Math.exp(-(x - mu) / s)),
    {
      // dP/dμ = −P(1 − P)/s, dP/ds = −P(1 − P)(x − μ)/s².
      jacobianFunction:
        ([mu, s]) =>
        (x) => {
          const p = 1 / (1 + Math.exp(-(x - mu) / s));
          return [(-p * (1 - p)) / s, (-p * (1 - p) * (x - mu)) / (s * s)];
        },
      initialValues: [0, spread / 8],
      minValues: [Math.min(...xs) - spread, spread * 1e-4],
      maxValues: [Math.max(...xs) + spread, spread * 100],
      maxIterations: 500,
      errorTolerance: 1e-12,
    },
  );
  const [bias, scale] = result.parameterValues;
  return { bias, scale, slope: 1 / (4 * scale), threshold: scale * Math.log(3) };
}

function all(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
