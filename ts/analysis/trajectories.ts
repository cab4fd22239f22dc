/**
 * Population trajectories: the principal components of the rates of all neurons over all
 * steps of all trials (each trial-step one sample, each neuron one feature, centred, not
 * scaled), and the mean trajectory of each condition in the first components.
 *
 * The components come from ml-pca: the eigenvectors of the N × N covariance matrix for
 * N ≤ {@link MAX_COVARIANCE}, else the first {@link COMPONENTS} by NIPALS. The explained
 * variance of a component is its eigenvalue over the total variance (the sum of every neuron's
 * variance), so it means the same for both methods.
 */
import { PCA } from 'ml-pca';
import { Matrix } from 'ml-matrix';
import { groupTrials, type PopulationRates } from './population.js';

/** Components whose explained variance is reported. */
export const COMPONENTS = 10;
/** Dimensions of the stored trajectories. */
export const DIMENSIONS = 3;
/** Above this many neurons the components are found by NIPALS instead of the covariance. */
export const MAX_COVARIANCE = 1000;

export interface Trajectories {
  /** Fraction of the total variance along each of the first components. */
  explained: number[];
  /** The task variable the trials are grouped by, or null (one group of all trials). */
  condition: string | null;
  /** Per value (or bin) of the condition: the mean trajectory, [step][component]. */
  groups: { value: number; range: [number, number]; trials: number; mean: number[][] }[];
  /** How the components were found (see the file header). */
  method: 'covariance' | 'NIPALS';
}

/**
 * PCA of `p`'s rates, trials grouped by `values` (a task variable, one per trial) if given;
 * `points` (rate vectors, e.g. at fixed points) are projected on the same components.
 */
export function trajectories(
  p: PopulationRates,
  condition: { name: string; values: ArrayLike<number> } | null,
  points: ArrayLike<number>[] = [],
  method: Trajectories['method'] = p.neurons <= MAX_COVARIANCE ? 'covariance' : 'NIPALS',
): { trajectories: Trajectories; points: number[][] } {
  const { trials, steps, neurons: n, rates } = p;
  const samples = trials * steps;
  const mean = new Float64Array(n);
  for (let s = 0; s < samples; s++) for (let i = 0; i < n; i++) mean[i] += rates[s * n + i];
  for (let i = 0; i < n; i++) mean[i] /= samples;
  const total = totalVariance(p);
  const components = Math.min(COMPONENTS, n, samples - 1);
  const dims = Math.min(DIMENSIONS, components);
  let eigenvalues: number[];
  /** The first `dims` columns of the eigenvector matrix, U[i · dims + c]. */
  const u = new Float64Array(n * dims);
  if (method === 'covariance') {
    // ml-pca decomposes the covariance; computing it here in flat loops is ~20× faster than
    // through ml-matrix's element accessors (16 s → 0.8 s at N = 500, 3,840 samples).
    const pca = new PCA(covariance(p, mean), { isCovarianceMatrix: true });
    eigenvalues = pca.getEigenvalues().slice(0, components);
    const vectors = pca.getEigenvectors();
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) u[i * dims + c] = vectors.get(i, c);
  } else {
    const data = new Matrix(samples, n);
    for (let s = 0; s < samples; s++) for (let i = 0; i < n; i++) data.set(s, i, rates[s * n + i]);
    const pca = new PCA(data, { method: 'NIPALS', nCompNIPALS: components });
    // ml-pca's NIPALS gives the squared singular values: the eigenvalues are those / (samples − 1).
    eigenvalues = pca.getEigenvalues().map((e) => e / (samples - 1));
    const vectors = pca.getEigenvectors();
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) u[i * dims + c] = vectors.get(i, c);
  }
  // Rates that do not vary (to rounding) have no components worth a share of variance.
  const varies = total > 1e-24 * n;
  const explained = eigenvalues.map((e) =>
    varies && Number.isFinite(e) ? Math.min(1, Math.max(0, e / total)) : 0,
  );
  /** (r − mean) · U for the first `dims` components. */
  const project = (r: ArrayLike<number>, at = 0): number[] => {
    const out = new Array<number>(dims).fill(0);
    for (let i = 0; i < n; i++) {
      const v = r[at + i] - mean[i];
      for (let c = 0; c < dims; c++) out[c] += v * u[i * dims + c];
    }
    return out;
  };
  const projected = Array.from({ length: samples }, (_, s) => project(rates, s * n));
  const groups = (
    condition
      ? groupTrials(condition.values, trials)
      : [{ value: 0, range: [0, 0] as [number, number], trials: range(trials) }]
  ).map((g) => {
    const path = Array.from({ length: steps }, (_, t) =>
      Array.from(
        { length: dims },
        (_, c) => g.trials.reduce((s, b) => s + projected[b * steps + t][c], 0) / g.trials.length,
      ),
    );
    return { value: g.value, range: g.range, trials: g.trials.length, mean: path };
  });
  return {
    trajectories: { explained, condition: condition?.name ?? null, groups, method },
    points: points.map((r) => project(r)),
  };
}

/** The covariance of the neurons' rates over all samples (samples − 1 normalisation, as ml-pca's). */
function covariance(p: PopulationRates, mean: Float64Array): Matrix {
  const { trials, steps, neurons: n, rates } = p;
  const samples = trials * steps;
  const c = new Float64Array(n * n);
  const centred = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) centred[i] = rates[s * n + i] - mean[i];
    for (let i = 0; i < n; i++) {
      const v = centred[i];
      if (v === 0) continue;
      const row = i * n;
      for (let j = i; j < n; j++) c[row + j] += v * centred[j];
    }
  }
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = c[i * n + j] / (samples - 1);
      m.set(i, j, v);
      m.set(j, i, v);
    }
  return m;
}

/** Σ_i Var(r_i) over all samples (with the samples − 1 of the covariance ml-pca computes). */
function totalVariance(p: PopulationRates): number {
  const { trials, steps, neurons, rates } = p;
  const samples = trials * steps;
  let total = 0;
  for (let i = 0; i < neurons; i++) {
    let sum = 0;
    let squares = 0;
    for (let s = 0; s < samples; s++) sum += rates[s * neurons + i];
    const mean = sum / samples;
    for (let s = 0; s < samples; s++) squares += (rates[s * neurons + i] - mean) ** 2;
    total += squares / (samples - 1);
  }
  return total;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
