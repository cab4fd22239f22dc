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
export const MAX_COVARIANCE = 2000;

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
): { trajectories: Trajectories; points: number[][] } {
  const { trials, steps, neurons, rates } = p;
  const samples = trials * steps;
  const data = new Matrix(samples, neurons);
  for (let s = 0; s < samples; s++)
    for (let i = 0; i < neurons; i++) data.set(s, i, rates[s * neurons + i]);
  const total = totalVariance(p);
  const method: Trajectories['method'] = neurons <= MAX_COVARIANCE ? 'covariance' : 'NIPALS';
  const components = Math.min(COMPONENTS, neurons, samples - 1);
  const pca =
    method === 'covariance'
      ? new PCA(data, { method: 'covarianceMatrix' })
      : new PCA(data, { method: 'NIPALS', nCompNIPALS: components });
  const eigenvalues = pca.getEigenvalues().slice(0, components);
  const explained = eigenvalues.map((e) => (total > 0 ? e / total : 0));
  const dims = Math.min(DIMENSIONS, components);
  const projected = pca.predict(data, { nComponents: dims });
  const groups = (
    condition
      ? groupTrials(condition.values, trials)
      : [{ value: 0, range: [0, 0] as [number, number], trials: range(trials) }]
  ).map((g) => {
    const mean = Array.from({ length: steps }, (_, t) =>
      Array.from(
        { length: dims },
        (_, c) =>
          g.trials.reduce((s, b) => s + projected.get(b * steps + t, c), 0) / g.trials.length,
      ),
    );
    return { value: g.value, range: g.range, trials: g.trials.length, mean };
  });
  const extra = points.length
    ? pca.predict(new Matrix(points.map((r) => Array.from(r))), { nComponents: dims }).to2DArray()
    : [];
  return {
    trajectories: { explained, condition: condition?.name ?? null, groups, method },
    points: extra,
  };
}

/** Σ_i Var(r_i) over all samples (with the n − 1 of the covariance ml-pca computes). */
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
