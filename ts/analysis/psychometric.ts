/**
 * Psychometric curves of the decision tasks: the fraction of trials on which the network
 * chose option 1 at each level of the evidence, and a logistic fitted to it,
 *
 *   P(choice 1 | x) = 1 / (1 + exp(−β (x − μ))),
 *
 * by least squares on the fractions (ml-levenberg-marquardt with its analytic Jacobian; levels
 * with the same x are pooled first). The levels are not weighted by their trial counts: the
 * task generators give every level about as many trials, and ml-levenberg-marquardt 5.1's
 * `weights` option did not converge on exact logistic data in our test. μ is the bias (the
 * point of subjective equality), β / 4 the slope at μ (negative for a curve that falls: a
 * network that answers backwards, or an irrelevant stream), and ln 3 / |β| the threshold: how
 * far from μ the evidence must be for 75 % of one choice. `undetermined` flags a slope the
 * levels cannot tell: a threshold under half the smallest gap between levels (the curve steps
 * between two of them, so only a lower bound on the slope is known), over twice their range
 * (no slope to speak of), or a fit that ended on a bound of μ or β.
 *
 * The choice of a trial is the class (1 or 2) with the higher output averaged over the
 * response steps (the steps of mask weight RESPONSE_WEIGHT, see tasks/trial.ts), even where
 * the network's top class there is still 0 ("fixate"): every trial counts as a choice.
 *
 * - perceptual-decision: x = direction · coherence (%), choice 1 = direction +1;
 * - context-dependent: one curve per context against the motion and one against the colour
 *   evidence (signed); choice 1 = the cued stream was positive — the relevant stream should
 *   steer the choice and the irrelevant one not (Mante et al. 2013, Fig. 2);
 * parametric-wm has no curve here: its f2 is f1 ± one `difference`, so f1 − f2 takes two
 * values only, and a logistic through two points says nothing.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { Dataset } from '../data.js';
import { predict } from '../evaluate.js';
import type { SparseRNN } from '../model.js';
import { RESPONSE_WEIGHT } from '../tasks/trial.js';
import { optionError } from '../errors.js';
import { groupTrials } from './population.js';

export interface LogisticFit {
  /** μ: the evidence at which both choices are equally likely. */
  bias: number;
  /** 1 / β: the logistic's scale (negative for a falling curve). */
  scale: number;
  /** β / 4: dP/dx at μ. */
  slope: number;
  /** ln 3 / |β|: |x − μ| at which P = 0.75 (or 0.25). */
  threshold: number;
  /** The levels cannot tell the slope: too steep or too flat for them (see the file header). */
  undetermined: boolean;
}

export interface PsychometricCurve {
  /** What the curve shows, e.g. "motion context: against motion evidence". */
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
};

/** The task variables each definition reads. */
const NEEDED: Record<string, string[]> = {
  'perceptual-decision': ['evidence'],
  'context-dependent': ['context', 'motion', 'colour'],
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
  if (!define) return null;
  const needed = NEEDED[task];
  const found = Object.keys(data.conditions ?? {});
  if (!needed.every((v) => found.includes(v)) || !data.mask)
    throw optionError(
      'task',
      task,
      `needs the task variables ${needed.join(', ')} and the mask of its trials; the data has ${found.join(', ') || 'no task variables'}${data.mask ? '' : ' and no mask'}`,
      `pass that task's test set (loadTask('${task}').test), or leave out task`,
    );
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
  return define(data.conditions!).map(({ name, x, values, use }) => {
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
  // Levels with the same evidence pooled (the fit needs distinct x).
  const pooled = new Map<number, { trials: number; chose: number }>();
  for (const l of levels) {
    const at = pooled.get(l.x) ?? { trials: 0, chose: 0 };
    at.trials += l.trials;
    at.chose += l.choice1 * l.trials;
    pooled.set(l.x, at);
  }
  const xs = [...pooled.keys()].sort((a, b) => a - b);
  const p = xs.map((x) => pooled.get(x)!.chose / pooled.get(x)!.trials);
  if (xs.length < 2 || p.every((v) => v === p[0])) return null;
  const [lo, hi] = [xs[0], xs[xs.length - 1]];
  const spread = hi - lo;
  // β from a fall over 10⁻⁴ of the range to a rise over it; μ within a range's width around.
  const steepest = 1e4 / spread;
  const bounds = { min: [lo - spread, -steepest], max: [hi + spread, steepest] };
  const sign = p[p.length - 1] >= p[0] ? 1 : -1;
  const result = levenbergMarquardt(
    { x: xs, y: p },
    ([mu, beta]) =>
      (x) =>
        1 / (1 + Math.exp(-beta * (x - mu))),
    {
      // dP/dμ = −β P(1 − P), dP/dβ = (x − μ) P(1 − P).
      jacobianFunction:
        ([mu, beta]) =>
        (x) => {
          const q = 1 / (1 + Math.exp(-beta * (x - mu)));
          return [-beta * q * (1 - q), (x - mu) * q * (1 - q)];
        },
      initialValues: [(lo + hi) / 2, (sign * 8) / spread],
      minValues: bounds.min,
      maxValues: bounds.max,
      maxIterations: 500,
      errorTolerance: 1e-12,
    },
  );
  const [bias, beta] = result.parameterValues;
  const near = (v: number, edge: number) => Math.abs(v - edge) <= 1e-6 * (Math.abs(edge) + 1);
  const atBound = [bias, beta].some((v, k) => near(v, bounds.min[k]) || near(v, bounds.max[k]));
  const threshold = Math.log(3) / Math.abs(beta);
  const gap = Math.min(...xs.slice(1).map((x, k) => x - xs[k]));
  const undetermined = atBound || threshold < gap / 2 || threshold > 2 * spread;
  return { bias, scale: 1 / beta, slope: beta / 4, threshold, undetermined };
}

function all(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
