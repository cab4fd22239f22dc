/**
 * What the analyses share: the rates of every neuron on a set of trials, and the grouping of
 * trials by a task variable.
 */
import type { Dataset } from '../data.js';
import { optionError } from '../errors.js';
import type { SparseRNN } from '../model.js';

/** The rates of a network on some trials. */
export interface PopulationRates {
  trials: number;
  steps: number;
  neurons: number;
  /** r_t of neuron i on trial b at rates[(b · steps + t) · neurons + i] (t = 0 is step 1). */
  rates: Float64Array;
}

/** Distinct values a task variable may have before its trials are pooled into quantile bins. */
export const MAX_LEVELS = 12;
/** Quantile bins of a variable with more distinct values than {@link MAX_LEVELS}. */
export const BINS = 5;
/** Trials per value (or bin) on average at least: fewer would make every neuron look selective. */
export const MIN_PER_LEVEL = 3;

/** The rates of every neuron on the first `trials` sequences of `data`. */
export function populationRates(
  net: SparseRNN,
  data: Pick<Dataset, 'x' | 'shape'>,
  trials: number,
): PopulationRates {
  const [total, steps, inputs] = data.shape;
  if (!Number.isInteger(trials) || trials < 2)
    throw optionError('trials', trials, 'must be an integer ≥ 2', 'analyze at least 2 trials');
  const b = Math.min(trials, total);
  const n = net.config.neurons;
  const x = data.x.subarray(0, b * steps * inputs);
  const all = Array.from({ length: n }, (_, i) => i);
  // [neuron][step][sequence] from the core, reordered sample-major.
  const r = net.activity({ x, shape: [b, steps, inputs] }, all);
  const rates = new Float64Array(b * steps * n);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < steps; t++)
      for (let s = 0; s < b; s++) rates[(s * steps + t) * n + i] = r[(i * steps + t) * b + s];
  return { trials: b, steps, neurons: n, rates };
}

/** The trials of one value (or one quantile bin) of a task variable. */
export interface Group {
  /** The value, or the bin's mean value. */
  value: number;
  /** The bin's range [low, high] for a binned variable; the value twice otherwise. */
  range: [number, number];
  trials: number[];
}

/**
 * The trials of each distinct value of `values` (the first `trials` of them), in increasing
 * order; with more than {@link MAX_LEVELS} values, or fewer than {@link MIN_PER_LEVEL} trials
 * per value on average, up to {@link BINS} bins of about equal counts (fewer, so that each bin
 * has about MIN_PER_LEVEL trials), never splitting trials of one value.
 */
export function groupTrials(values: ArrayLike<number>, trials: number): Group[] {
  const order = Array.from({ length: Math.min(trials, values.length) }, (_, b) => b).sort(
    (a, b) => values[a] - values[b] || a - b,
  );
  const distinct = [...new Set(order.map((b) => values[b]))];
  if (distinct.length <= MAX_LEVELS && order.length >= MIN_PER_LEVEL * distinct.length)
    return distinct.map((value) => ({
      value,
      range: [value, value],
      trials: order.filter((b) => values[b] === value).sort((a, b) => a - b),
    }));
  const groups: Group[] = [];
  const bins = Math.max(1, Math.min(BINS, Math.floor(order.length / MIN_PER_LEVEL)));
  // Cuts at equal counts, each moved on past trials of the value before it, so that equal
  // values never fall into two bins (a bin may then be empty and is left out).
  const cut = (k: number) => {
    let at = Math.floor((k * order.length) / bins);
    while (at > 0 && at < order.length && values[order[at]] === values[order[at - 1]]) at++;
    return at;
  };
  for (let k = 0; k < bins; k++) {
    const members = order.slice(cut(k), cut(k + 1));
    if (members.length === 0) continue;
    const mean = members.reduce((s, b) => s + values[b], 0) / members.length;
    const range: [number, number] = [values[members[0]], values[members[members.length - 1]]];
    groups.push({ value: mean, range, trials: members.sort((a, b) => a - b) });
  }
  return groups;
}

/** Each neuron's rate averaged over the steps of each trial: mean[b · neurons + i]. */
export function trialMeans(p: PopulationRates): Float64Array {
  const { trials, steps, neurons, rates } = p;
  const mean = new Float64Array(trials * neurons);
  for (let b = 0; b < trials; b++)
    for (let t = 0; t < steps; t++)
      for (let i = 0; i < neurons; i++)
        mean[b * neurons + i] += rates[(b * steps + t) * neurons + i] / steps;
  return mean;
}
