/**
 * Single-unit selectivity: for each neuron and each task variable, the fraction of the
 * neuron's trial-to-trial variance that the variable explains, η² = SS_between / SS_total of
 * the neuron's rate averaged over each trial's steps, with the trials grouped by the
 * variable's values (or quantile bins, see population.ts) — a one-way ANOVA's effect size.
 * η² is 0 for a neuron whose mean rate does not depend on the variable and 1 for one whose
 * rate the variable fixes; a neuron whose rate never varies has η² = 0.
 */
import { groupTrials, trialMeans, type PopulationRates } from './population.js';

/** Histogram bins of η² over [0, 1]. */
export const HISTOGRAM_BINS = 10;

/** The selectivity of each neuron for one task variable, and its distribution per population. */
export interface VariableSelectivity {
  variable: string;
  /** η² of every neuron. */
  perNeuron: number[];
  /** Per population ('all', or 'E' and 'I'): count, mean, quartiles, histogram over [0, 1]. */
  populations: {
    population: string;
    neurons: number;
    mean: number;
    median: number;
    quartiles: [number, number];
    histogram: number[];
  }[];
}

/**
 * η² of every neuron for each variable in `conditions`; `excitatory` (the number of
 * excitatory neurons, neurons 0 … E − 1, or null) splits the distribution by population;
 * `means` are {@link trialMeans} of `p`, if the caller has them already.
 */
export function selectivity(
  p: PopulationRates,
  conditions: Record<string, ArrayLike<number>>,
  excitatory: number | null,
  means: Float64Array = trialMeans(p),
): VariableSelectivity[] {
  return Object.entries(conditions).map(([variable, values]) => {
    const groups = groupTrials(values, p.trials);
    const perNeuron = Array.from({ length: p.neurons }, (_, i) => etaSquared(means, p, i, groups));
    const split =
      excitatory === null
        ? [{ population: 'all', from: 0, to: p.neurons }]
        : [
            { population: 'E', from: 0, to: excitatory },
            { population: 'I', from: excitatory, to: p.neurons },
          ];
    const populations = split
      .filter((s) => s.to > s.from)
      .map((s) => summarize(s.population, perNeuron.slice(s.from, s.to)));
    return { variable, perNeuron, populations };
  });
}

function etaSquared(
  means: Float64Array,
  p: PopulationRates,
  i: number,
  groups: { trials: number[] }[],
): number {
  const n = p.neurons;
  let grand = 0;
  for (let b = 0; b < p.trials; b++) grand += means[b * n + i];
  grand /= p.trials;
  let total = 0;
  for (let b = 0; b < p.trials; b++) total += (means[b * n + i] - grand) ** 2;
  let between = 0;
  for (const g of groups) {
    const m = g.trials.reduce((s, b) => s + means[b * n + i], 0) / g.trials.length;
    between += g.trials.length * (m - grand) ** 2;
  }
  // Rates constant to rounding: nothing to explain.
  return total > 1e-24 ? Math.min(1, between / total) : 0;
}

function summarize(population: string, values: number[]): VariableSelectivity['populations'][0] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => quantile(sorted, q);
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const v of values) histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(v * HISTOGRAM_BINS))]++;
  return {
    population,
    neurons: values.length,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    median: at(0.5),
    quartiles: [at(0.25), at(0.75)],
    histogram,
  };
}

/** Linear interpolation between order statistics (NumPy's default). */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
