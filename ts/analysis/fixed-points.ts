/**
 * Fixed and slow points of a network under a constant input (Sussillo & Barak 2013, Neural
 * Comput. 25:626, "Opening the black box: low-dimensional dynamics in high-dimensional recurrent
 * neural networks").
 *
 * With a constant input u one step of the network (rnn.rs `forward`, elementwise.rs `integrate`)
 * is the map
 *
 *     F(x) = (1 − α) x + α (W φ(x) + d),   d = W_in u + b,
 *
 * with α = 1 for discrete dynamics and dt/τ for rate dynamics. A fixed point has F(x) = x; the
 * speed q(x) = ½ ‖F(x) − x‖² is 0 there, and its small local minima are the slow points. With
 * g = F(x) − x = α (−x + W φ(x) + d) the Jacobian of g is A = J − I = α (−I + W diag φ'(x)),
 * where J = (1 − α) I + α W diag φ'(x) is the Jacobian of F, and ∇q = Aᵀ g. A and Aᵀ are applied
 * to vectors through W's CSR rows (Aᵀ by scattering), O(nnz) each; everything is float64.
 *
 * q is minimised from each seed by Levenberg–Marquardt (Levenberg 1944; Marquardt 1963; Nocedal
 * & Wright 2006, §10.3), matrix-free: the step δ minimises ‖A δ + g‖² + λ ‖δ‖², solved by
 * conjugate gradients on the normal equations (CGLS, Hestenes & Stiefel 1952), and λ shrinks
 * after a step that lowers q and grows after one that does not. Near a fixed point this is
 * Newton's method on F(x) = x and converges quadratically, to q at the rounding level
 * (≈ 1e-30·N); near a slow point (a minimum with q > 0) it converges too, linearly.
 *
 * Why our own minimiser: ml-levenberg-marquardt fits a parameterised curve with a dense
 * finite-difference Jacobian (N + 1 evaluations and an O(N³) solve per step), the wrong shape
 * for N unknowns with a sparse analytic Jacobian; fmin 0.0.4 cannot be imported from Node (a
 * UMD bundle under "type": "module") and its conjugate gradient stops at ‖∇q‖ ≤ 1e-5, far from
 * a fixed point's q ≈ 1e-30.
 *
 * Stability: the eigenvalues of J at each point, leading ones by |λ|; a point is stable when
 * max |λ| < 1. Up to DENSE_EIGENVALUES neurons J is made dense and decomposed exactly by
 * ml-matrix's EigenvalueDecomposition (Hessenberg reduction and shifted QR); above, by the
 * Arnoldi iteration of eigen.ts (J applied sparsely), whose Ritz values converge first where
 * J's eigenvalues are separated from the rest (the outliers that decide a trained network's
 * stability).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { optionError, rejectUnknownKeys, requireInt, requireNumber } from '../errors.js';
import type { SparseRNN } from '../model.js';
import { ritzValues, type Eigenvalue } from './eigen.js';

export type { Eigenvalue } from './eigen.js';

/** Up to this many neurons J's eigenvalues are exact (dense); above, Arnoldi's Ritz values. */
export const DENSE_EIGENVALUES = 400;

/** One step's map x → F(x), as float64 copies of a network's parameters. */
export interface Dynamics {
  neurons: number;
  /** W in CSR: row i lists the synapses j → i, W_ij = values[e], j = indices[e]. */
  indptr: Uint32Array;
  indices: Uint32Array;
  values: Float64Array;
  /** W_in, neurons × inputs, row-major. */
  inputWeights: Float64Array;
  inputs: number;
  bias: Float64Array;
  /** Euler factor: 1 for discrete dynamics, dt / τ for rate dynamics. */
  alpha: number;
  activation: 'tanh' | 'relu';
}

export interface FixedPoint {
  x: Float64Array;
  /** The speed ½ ‖F(x) − x‖². */
  q: number;
  /** 'fixed': q ≤ tolerance; 'slow': tolerance < q ≤ slowTolerance. */
  kind: 'fixed' | 'slow';
  /** The leading eigenvalues of J at x, by decreasing |λ|. */
  eigenvalues: Eigenvalue[];
  /** max |λ| < 1. */
  stable: boolean;
  /** How many seeds converged to this point. */
  count: number;
}

export interface FixedPointOptions {
  /** The constant input u (length: the network's inputs). */
  input: ArrayLike<number>;
  /** Starting states (length: neurons each), e.g. states sampled along trajectories. */
  seeds: ArrayLike<number>[];
  /** Levenberg–Marquardt steps per seed, tried or taken (default 100). */
  maxIterations?: number;
  /** q at or below which a point is fixed (default 1e-12 · N). */
  tolerance?: number;
  /** q at or below which a point is slow; points above are dropped (default 1e-4 · N). */
  slowTolerance?: number;
  /** Points closer than dedupeDistance · √N are one (default 1e-3). */
  dedupeDistance?: number;
  /** Leading eigenvalues reported per point (default 10). */
  eigenvalues?: number;
}

const OPTION_KEYS = [
  'input',
  'seeds',
  'maxIterations',
  'tolerance',
  'slowTolerance',
  'dedupeDistance',
  'eigenvalues',
];

/** The network's one-step map, with float64 copies of its weights. */
export function dynamicsOf(net: SparseRNN): Dynamics {
  const c = net.config;
  const w = net.recurrentMatrix();
  return {
    neurons: c.neurons,
    indptr: Uint32Array.from(w.indptr),
    indices: Uint32Array.from(w.indices),
    values: Float64Array.from(w.values),
    inputWeights: Float64Array.from(net.inputWeights()),
    inputs: c.inputs,
    bias: Float64Array.from(net.biases()),
    alpha: c.dynamics === 'rate' ? c.dt / c.tau : 1,
    activation: c.activation,
  };
}

/**
 * The states x_1 … x_T (T × N, row-major) of one trial from x_0 = `x0` (default 0) under the
 * inputs `u` (T × D, row-major): x_t = F(x_{t−1}), with u_t in the drive.
 */
export function simulate(
  dyn: Dynamics,
  u: ArrayLike<number>,
  x0?: ArrayLike<number>,
): Float64Array {
  const { neurons: n, inputs: d } = dyn;
  if (u.length % d !== 0)
    throw optionError('u', u, `must hold steps × inputs values (inputs = ${d})`, 'pass T × D');
  requireFiniteValues('u', u);
  const x = x0 === undefined ? new Float64Array(n) : stateOf('x0', x0, n);
  const steps = u.length / d;
  const states = new Float64Array(steps * n);
  const work = workspace(n);
  for (let t = 0; t < steps; t++) {
    driveOf(dyn, u, t * d, work.drive);
    speed(dyn, work.drive, x, work);
    for (let i = 0; i < n; i++) x[i] += work.g[i];
    states.set(x, t * n);
  }
  return states;
}

/**
 * The fixed and slow points reached from `seeds` under the constant input `input`: each seed is
 * moved by Levenberg–Marquardt on q (see the file header), points with q above slowTolerance are
 * dropped, points closer than dedupeDistance · √N are merged (the one of lower q is kept and
 * counts the seeds of both), and the rest come sorted by q, with J's leading eigenvalues.
 * `onSeed` is told how many seeds are done after each.
 */
export function findFixedPoints(
  dyn: Dynamics,
  options: FixedPointOptions,
  onSeed: (done: number) => void = () => {},
): FixedPoint[] {
  const n = dyn.neurons;
  rejectUnknownKeys('findFixedPoints options', options, OPTION_KEYS);
  const o = resolveOptions(dyn, options);
  const drive = driveOf(dyn, o.input, 0, new Float64Array(n));
  const found = o.seeds
    .map((seed, k) => {
      const point = minimise(dyn, drive, seed, o.maxIterations);
      onSeed(k + 1);
      return point;
    })
    .filter((p) => p.q <= o.slowTolerance)
    .sort((a, b) => a.q - b.q);
  const radius = o.dedupeDistance * Math.sqrt(n);
  const kept: { x: Float64Array; q: number; count: number }[] = [];
  for (const p of found) {
    const same = kept.find((k) => distance(k.x, p.x) < radius);
    if (same) same.count++;
    else kept.push({ ...p, count: 1 });
  }
  return kept.map(({ x, q, count }) => {
    const leading = jacobianEigenvalues(dyn, x, Math.max(o.eigenvalues, 1));
    const stable = Math.hypot(leading[0].re, leading[0].im) < 1;
    const kind = q <= o.tolerance ? 'fixed' : 'slow';
    return { x, q, kind, eigenvalues: leading.slice(0, o.eigenvalues), stable, count };
  });
}

/**
 * The `count` leading eigenvalues (by |λ|) of J = (1 − α) I + α W diag φ'(x): exact up to
 * DENSE_EIGENVALUES neurons, Arnoldi's Ritz values above (see the file header).
 */
export function jacobianEigenvalues(dyn: Dynamics, x: ArrayLike<number>, count = 10): Eigenvalue[] {
  const n = dyn.neurons;
  const slope = new Float64Array(n);
  for (let i = 0; i < n; i++) slope[i] = derivative(dyn.activation, x[i]);
  const { indptr, indices, values: w, alpha } = dyn;
  let values: Eigenvalue[];
  if (n <= DENSE_EIGENVALUES) {
    const j = Matrix.eye(n, n).mul(1 - alpha);
    for (let i = 0; i < n; i++)
      for (let e = indptr[i]; e < indptr[i + 1]; e++)
        j.set(i, indices[e], j.get(i, indices[e]) + alpha * w[e] * slope[indices[e]]);
    const evd = new EigenvalueDecomposition(j, { assumeSymmetric: false });
    values = evd.realEigenvalues.map((re, k) => ({ re, im: evd.imaginaryEigenvalues[k] }));
  } else {
    values = ritzValues(n, (v, out) => {
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let e = indptr[i]; e < indptr[i + 1]; e++)
          sum += w[e] * slope[indices[e]] * v[indices[e]];
        out[i] = (1 - alpha) * v[i] + alpha * sum;
      }
    });
  }
  return values.sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im)).slice(0, count);
}

/** d = W_in u + b, u the `inputs` values of `u` from `at` on. */
function driveOf(dyn: Dynamics, u: ArrayLike<number>, at: number, out: Float64Array): Float64Array {
  const { neurons: n, inputs: d } = dyn;
  for (let i = 0; i < n; i++) {
    let sum = dyn.bias[i];
    for (let k = 0; k < d; k++) sum += dyn.inputWeights[i * d + k] * u[at + k];
    out[i] = sum;
  }
  return out;
}

/** φ(x), the rate of a state. */
export function rateOf(activation: Dynamics['activation'], x: number): number {
  return activation === 'relu' ? Math.max(x, 0) : Math.tanh(x);
}

function derivative(activation: Dynamics['activation'], x: number): number {
  if (activation === 'relu') return x > 0 ? 1 : 0;
  const t = Math.tanh(x);
  return 1 - t * t;
}

/** Buffers of one point: drive, rates, φ'(x) and g = F(x) − x. */
interface Work {
  drive: Float64Array;
  rate: Float64Array;
  slope: Float64Array;
  g: Float64Array;
}

function workspace(n: number): Work {
  const make = () => new Float64Array(n);
  return { drive: make(), rate: make(), slope: make(), g: make() };
}

/** Fills w.g = F(x) − x = α (−x + W φ(x) + drive), w.rate and w.slope; returns q = ½ ‖g‖². */
function speed(dyn: Dynamics, drive: Float64Array, x: Float64Array, w: Work): number {
  const { neurons: n, indptr, indices, values, alpha } = dyn;
  for (let i = 0; i < n; i++) {
    w.rate[i] = rateOf(dyn.activation, x[i]);
    w.slope[i] = derivative(dyn.activation, x[i]);
  }
  let q = 0;
  for (let i = 0; i < n; i++) {
    let sum = drive[i] - x[i];
    for (let e = indptr[i]; e < indptr[i + 1]; e++) sum += values[e] * w.rate[indices[e]];
    w.g[i] = alpha * sum;
    q += w.g[i] * w.g[i];
  }
  return q / 2;
}

/** out = A v = α (−v + W (φ' ⊙ v)). */
function applyA(dyn: Dynamics, slope: Float64Array, v: Float64Array, out: Float64Array): void {
  const { neurons: n, indptr, indices, values, alpha } = dyn;
  for (let i = 0; i < n; i++) {
    let sum = -v[i];
    for (let e = indptr[i]; e < indptr[i + 1]; e++) {
      const j = indices[e];
      sum += values[e] * slope[j] * v[j];
    }
    out[i] = alpha * sum;
  }
}

/** out = Aᵀ v = α (−v + φ' ⊙ (Wᵀ v)), Wᵀ v scattered over W's rows. */
function applyAT(dyn: Dynamics, slope: Float64Array, v: Float64Array, out: Float64Array): void {
  const { neurons: n, indptr, indices, values, alpha } = dyn;
  out.fill(0);
  for (let i = 0; i < n; i++)
    for (let e = indptr[i]; e < indptr[i + 1]; e++) out[indices[e]] += values[e] * v[i];
  for (let j = 0; j < n; j++) out[j] = alpha * (slope[j] * out[j] - v[j]);
}

/** q at or below this many times N is rounding (|g_i| ≈ 1e-15): minimisation stops there. */
const Q_FLOOR = 1e-30;
/** CGLS stops when ‖Aᵀr − λδ‖ falls below this fraction of its first value, or after INNER steps. */
const INNER_TOLERANCE = 1e-10;
const INNER = 100;

/** Levenberg–Marquardt on q from `seed` (see the file header). */
function minimise(dyn: Dynamics, drive: Float64Array, seed: Float64Array, maxIterations: number) {
  const n = dyn.neurons;
  let [at, trial] = [workspace(n), workspace(n)];
  let x = Float64Array.from(seed);
  let next = new Float64Array(n);
  const step = new Float64Array(n);
  const cg = {
    r: new Float64Array(n),
    s: new Float64Array(n),
    p: new Float64Array(n),
    ap: new Float64Array(n),
  };
  const scale = dyn.alpha * dyn.alpha; // AᵀA's scale
  let lambda = 1e-3 * scale;
  let q = speed(dyn, drive, x, at);
  for (let it = 0; it < maxIterations && q > Q_FLOOR * n; it++) {
    if (!dampedStep(dyn, at, lambda, step, cg)) break;
    for (let i = 0; i < n; i++) next[i] = x[i] + step[i];
    const qNext = speed(dyn, drive, next, trial);
    if (qNext < q) {
      [x, next, at, trial, q] = [next, x, trial, at, qNext];
      lambda = Math.max(lambda / 3, 1e-15 * scale);
    } else {
      lambda *= 4;
      if (lambda > 1e12 * scale) break; // no step lowers q: a minimum, to rounding
    }
  }
  return { x, q };
}

/**
 * The step δ minimising ‖A δ + g‖² + λ ‖δ‖² at the point of `w` (CGLS: conjugate gradients on
 * (AᵀA + λI) δ = −Aᵀ g, with A and Aᵀ applied sparsely); false, with δ = 0, where ∇q = 0.
 */
function dampedStep(
  dyn: Dynamics,
  w: Work,
  lambda: number,
  step: Float64Array,
  { r, s, p, ap }: Record<'r' | 's' | 'p' | 'ap', Float64Array>,
): boolean {
  const n = dyn.neurons;
  step.fill(0);
  for (let i = 0; i < n; i++) r[i] = -w.g[i]; // r = −g − A δ
  applyAT(dyn, w.slope, r, s); // s = Aᵀ r − λ δ
  p.set(s);
  let gamma = dot(s, s);
  if (gamma === 0) return false; // ∇q = 0: a minimum, or a maximum or saddle of q
  const stop = gamma * INNER_TOLERANCE * INNER_TOLERANCE;
  for (let k = 0; k < INNER && gamma > stop; k++) {
    applyA(dyn, w.slope, p, ap);
    const length = dot(ap, ap) + lambda * dot(p, p);
    if (!(length > 0)) break;
    const a = gamma / length;
    for (let i = 0; i < n; i++) {
      step[i] += a * p[i];
      r[i] -= a * ap[i];
    }
    applyAT(dyn, w.slope, r, s);
    for (let i = 0; i < n; i++) s[i] -= lambda * step[i];
    const next = dot(s, s);
    for (let i = 0; i < n; i++) p[i] = s[i] + (next / gamma) * p[i];
    gamma = next;
  }
  return true;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function distance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

function requireFiniteValues(option: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw optionError(`${option}[${i}]`, values[i], 'must be a finite number', 'fix the value');
}

/** A float64 copy of a state, checked: `n` finite values. */
function stateOf(option: string, value: ArrayLike<number>, n: number): Float64Array {
  if (value?.length !== n)
    throw optionError(
      option,
      value,
      `must hold neurons (=${n}) values`,
      'pass one value per neuron',
    );
  requireFiniteValues(option, value);
  return Float64Array.from(value);
}

function resolveOptions(dyn: Dynamics, o: FixedPointOptions) {
  const { neurons: n, inputs: d } = dyn;
  if (o.input?.length !== d)
    throw optionError(
      'input',
      o.input,
      `must hold inputs (=${d}) values`,
      'pass the constant input u',
    );
  requireFiniteValues('input', o.input);
  if (!Array.isArray(o.seeds) || o.seeds.length === 0)
    throw optionError(
      'seeds',
      o.seeds,
      'must be a non-empty array of states',
      'pass e.g. states of simulate()',
    );
  const seeds = o.seeds.map((s, k) => stateOf(`seeds[${k}]`, s, n));
  const maxIterations = requireInt('maxIterations', o.maxIterations ?? 100, {
    min: 1,
    fix: 'use e.g. maxIterations: 100',
  });
  const tolerance = requireNumber('tolerance', o.tolerance ?? 1e-12 * n, {
    exclusiveMin: 0,
    fix: 'use e.g. tolerance: 1e-12 · neurons',
  });
  const slowTolerance = requireNumber(
    'slowTolerance',
    o.slowTolerance ?? Math.max(1e-4 * n, tolerance),
    {
      min: tolerance,
      fix: 'use a slowTolerance at least the tolerance',
    },
  );
  const dedupeDistance = requireNumber('dedupeDistance', o.dedupeDistance ?? 1e-3, {
    min: 0,
    fix: 'use e.g. dedupeDistance: 1e-3',
  });
  const eigenvalues = requireInt('eigenvalues', o.eigenvalues ?? 10, {
    min: 0,
    fix: 'use e.g. eigenvalues: 10',
  });
  return {
    input: o.input,
    seeds,
    maxIterations,
    tolerance,
    slowTolerance,
    dedupeDistance,
    eigenvalues,
  };
}
