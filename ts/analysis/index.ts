/**
 * `analyze`: what a trained network learned, on the test trials of its task — population
 * trajectories (trajectories.ts), single-unit selectivity (selectivity.ts), psychometric
 * curves (psychometric.ts), the learned structure against random placement (structure.ts), the
 * fixed and slow points under constant inputs (fixed-points.ts) and the spectrum of W
 * (spectrum.ts). Each file documents its method.
 */
import type { Dataset } from '../data.js';
import { optionError, rejectUnknownKeys, requireInt } from '../errors.js';
import type { SparseRNN } from '../model.js';
import { excitatoryCount } from '../options.js';
import { checkData } from '../evaluate.js';
import { groupTrials, populationRates, trialMeans } from './population.js';
import { psychometric, type PsychometricCurve } from './psychometric.js';
import { selectivity, type VariableSelectivity } from './selectivity.js';
import { MAX_ARNOLDI, MAX_EXACT, spectrum, type Spectrum } from './spectrum.js';
import { structureTests, type StructureTest } from './structure.js';
import { trajectories, type Trajectories } from './trajectories.js';
import { dynamicsOf, findFixedPoints, rateOf, simulate, type Eigenvalue } from './fixed-points.js';
import { taskInfo } from '../tasks/index.js';

/** The task variable each built-in task's trajectories and tuning curves are grouped by. */
const PRIMARY: Record<string, string> = {
  digits: 'digit',
  'digits-pixels': 'digit',
  dms: 'sample',
  dnms: 'sample',
  'perceptual-decision': 'evidence',
  'context-dependent': 'context',
  'parametric-wm': 'f1',
  'go-no-go': 'go',
  'pro-anti': 'answer',
  'ready-set-go': 'interval',
  'flip-flop': 'bit0',
};

export interface AnalyzeOptions {
  /** The built-in task `data` comes from, for its psychometric curves and default condition. */
  task?: string;
  /** Test trials to analyze (default 256; the first ones of `data`; fewer when trials × steps × neurons > MAX_RATES). */
  trials?: number;
  /** The task variable to group trajectories and tuning curves by (default: the task's own). */
  condition?: string;
  /** Random placements in the structure tests (default 1000). */
  permutations?: number;
  /** Seed of the random placements (default 1). */
  seed?: number;
  /**
   * States along the test trials the fixed-point search starts from (0: no search). Default
   * {@link defaultFixedPointSeeds}: each seed costs thousands of products with W (about 10 s
   * at N = 1,000, K = 100 on one core).
   */
  fixedPointSeeds?: number;
  /** Told what is being computed, one line per stage (the CLI prints them). */
  onProgress?: (stage: string) => void;
}

/** The fixed and slow points under one constant input (see fixed-points.ts). */
export interface InputFixedPoints {
  /** What the input is: 'no input', or 'fixation cue' (input 0 on, as before a response). */
  input: string;
  u: number[];
  points: {
    kind: 'fixed' | 'slow';
    q: number;
    stable: boolean;
    /** Seeds that converged to it. */
    count: number;
    /** The leading eigenvalues of the Jacobian there, by |λ|. */
    eigenvalues: Eigenvalue[];
    /** The readout at the point: W_out φ(x*) + b_out. */
    output: number[];
    /** φ(x*) in the trajectories' principal components. */
    pcs: number[];
  }[];
}

export interface Analysis {
  task: string | null;
  trials: number;
  trajectories: Trajectories;
  /** Per task variable; empty without conditions. */
  selectivity: VariableSelectivity[];
  /** null for a task without psychometric curves. */
  psychometric: PsychometricCurve[] | null;
  /** The learned synapses against random placements; empty without learned synapses. */
  structure: StructureTest[];
  /** Exact up to 1,000 neurons, the leading ones beyond; null above {@link MAX_ARNOLDI}. */
  spectrum: Spectrum | null;
  /** Per constant input; empty with fixedPointSeeds 0. */
  fixedPoints: InputFixedPoints[];
}

/** Neurons up to which the fixed points are searched by default. */
export const FIXED_POINT_NEURONS = 5000;

/**
 * The default number of fixed-point seeds: 64 up to 300 neurons, then fewer as each costs more
 * (round(64 · 300 / N), at least 8: 19 at N = 1,000), none above FIXED_POINT_NEURONS.
 */
export function defaultFixedPointSeeds(neurons: number): number {
  if (neurons > FIXED_POINT_NEURONS) return 0;
  return Math.max(8, Math.min(64, Math.round((64 * 300) / neurons)));
}
/** Rates kept at most (8 bytes each): fewer trials are analyzed when more would not fit. */
export const MAX_RATES = 50_000_000;

const KEYS = [
  'task',
  'trials',
  'condition',
  'permutations',
  'seed',
  'fixedPointSeeds',
  'onProgress',
];

/** Every analysis of `net` on `data` (its task's test set; see the file header). */
export function analyze(net: SparseRNN, data: Dataset, options: AnalyzeOptions = {}): Analysis {
  rejectUnknownKeys('analyze options', options, KEYS);
  const trials = requireInt('trials', options.trials ?? 256, {
    min: 2,
    fix: 'use e.g. trials: 256',
  });
  const permutations = requireInt('permutations', options.permutations ?? 1000, {
    min: 1,
    fix: 'use e.g. permutations: 1000',
  });
  const defaultSeeds = defaultFixedPointSeeds(net.config.neurons);
  const seedCount = requireInt('fixedPointSeeds', options.fixedPointSeeds ?? defaultSeeds, {
    min: 0,
    fix: 'use e.g. fixedPointSeeds: 64 (0 skips the search)',
  });
  const seed = requireInt('seed', options.seed ?? 1, {
    min: 0,
    max: 2 ** 32 - 1,
    fix: 'use e.g. seed: 1',
  });
  // The data as training checks it: shapes, finite values, one task variable value per trial.
  checkData(net, 'analysis data', data);
  const task = options.task ?? null;
  const conditions = data.conditions ?? {};
  const own = task ? PRIMARY[task] : undefined;
  const name =
    options.condition ??
    (own !== undefined && own in conditions ? own : Object.keys(conditions)[0]);
  if (options.condition !== undefined && !(options.condition in conditions))
    throw optionError(
      'condition',
      options.condition,
      `is not a task variable of the data (${Object.keys(conditions).join(', ') || 'none'})`,
      'pick one of those',
    );
  const condition = name !== undefined ? { name, values: conditions[name] } : null;
  const say = options.onProgress ?? (() => {});

  // The rates of all neurons at every step of every trial are kept: at most MAX_RATES values
  // (but always 2 trials).
  const steps = data.shape[1];
  const fitting = Math.max(2, Math.floor(MAX_RATES / (steps * net.config.neurons)));
  say(
    `rates of ${net.config.neurons} neurons on ${Math.min(trials, fitting, data.shape[0])} trials`,
  );
  const rates = populationRates(net, data, Math.min(trials, fitting));
  const excitatory = net.config.excitatory === null ? null : excitatoryCount(net.config);
  const means = trialMeans(rates);
  const units = selectivity(rates, conditions, excitatory, means);
  const rate = Array.from({ length: rates.neurons }, (_, i) => {
    let s = 0;
    for (let b = 0; b < rates.trials; b++) s += means[b * rates.neurons + i];
    return s / rates.trials;
  });
  const tuning = condition
    ? tuningCurves(means, rates.neurons, condition.values, rates.trials)
    : null;
  const largest = units.length
    ? rate.map((_, i) => Math.max(...units.map((u) => u.perNeuron[i])))
    : null;
  const fixed = seedCount > 0 ? fixedPoints(net, data, rates.trials, seedCount, task, say) : [];
  const points = fixed.flatMap((f) => f.points.map((p) => p.rate));
  say('principal components');
  const pca = trajectories(rates, condition, points);
  say(`learned synapses against ${permutations} random placements`);
  const structure = structureTests(
    { matrix: net.recurrentMatrix(), tuning, rate, selectivity: largest, excitatory },
    permutations,
    seed,
  );
  const n = net.config.neurons;
  if (n <= MAX_ARNOLDI) say(`spectrum of W (${n <= MAX_EXACT ? 'exact' : 'Arnoldi'})`);
  // pca.points holds the projections of `points`, input after input: each input takes its own.
  let next = 0;
  const fixedPointsOut = fixed.map((f) => {
    const pcs = pca.points.slice(next, (next += f.points.length));
    const found = f.points.map(({ rate: _, ...p }, k) => ({ ...p, pcs: pcs[k] }));
    return { input: f.input, u: f.u, points: found };
  });
  return {
    task,
    trials: rates.trials,
    trajectories: pca.trajectories,
    selectivity: units,
    psychometric: task ? psychometric(net, task, data, rates.trials) : null,
    structure,
    spectrum: n <= MAX_ARNOLDI ? spectrum(net) : null,
    fixedPoints: fixedPointsOut,
  };
}

/**
 * The fixed points under each constant input the task has: none, and for tasks with a fixation
 * cue (per-step labels, input 0) that cue alone. The search starts from `count` states evenly
 * spread over the steps of the first `trials` test trials.
 */
function fixedPoints(
  net: SparseRNN,
  data: Dataset,
  trials: number,
  count: number,
  task: string | null,
  say: (stage: string) => void,
) {
  const dyn = dynamicsOf(net);
  const [, steps, d] = data.shape;
  const n = net.config.neurons;
  const x0 = net.initialState();
  // Seed k: trial k mod trials at step ⌊k · steps / used⌋, so the seeds cover every part of
  // the trials (the memories and the paths between them), not one step of each.
  const used = Math.min(count, trials * steps);
  const seeds: Float64Array[] = [];
  const simulated = new Map<number, Float64Array>();
  for (let k = 0; k < used; k++) {
    const b = k % trials;
    const t = Math.floor((k * steps) / used);
    let x = simulated.get(b);
    if (!x) {
      x = simulate(dyn, data.x.subarray(b * steps * d, (b + 1) * steps * d), x0);
      simulated.set(b, x);
    }
    seeds.push(x.slice(t * n, (t + 1) * n));
  }
  const inputs = [{ input: 'no input', u: new Array<number>(d).fill(0) }];
  if (task !== null && taskInfo(task).labels === 'step')
    inputs.push({ input: 'fixation cue', u: [1, ...new Array<number>(d - 1).fill(0)] });
  const readout = net.readoutWeights();
  const readoutBias = net.readoutBiases();
  return inputs.map(({ input, u }) => ({
    input,
    u,
    points: findFixedPoints(dyn, { input: u, seeds }, (done) =>
      done % 16 === 0
        ? say(`fixed points under ${input}: ${done}/${seeds.length} seeds`)
        : undefined,
    ).map((p) => {
      const rate = Array.from(p.x, (v) => rateOf(dyn.activation, v));
      const output = Array.from(readoutBias, (b, k) =>
        rate.reduce((s, r, i) => s + readout[k * n + i] * r, b),
      );
      const { kind, q, stable, count: c, eigenvalues } = p;
      return { kind, q, stable, count: c, eigenvalues, output, rate };
    }),
  }));
}

/** tuning[i][g]: neuron i's mean rate over the trials of group g of `values`. */
function tuningCurves(
  means: Float64Array,
  neurons: number,
  values: ArrayLike<number>,
  trials: number,
): number[][] {
  const groups = groupTrials(values, trials);
  return Array.from({ length: neurons }, (_, i) =>
    groups.map((g) => g.trials.reduce((s, b) => s + means[b * neurons + i], 0) / g.trials.length),
  );
}
