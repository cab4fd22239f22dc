/**
 * What structure learning found: does the set of learned synapses differ from the same number
 * of synapses placed at random? Each statistic below is computed on the learned synapses and
 * on `permutations` random placements, in which every neuron i keeps its number of learned
 * inputs m_i and draws them uniformly, without repetition, among the neurons that are neither
 * i nor a backbone input of i (what the `random` strategy would have grown; a cap on learned
 * out-degrees, `maxLearnedOut`, is not imposed on the placements). The p-value is
 * two-sided: p = (1 + #{placements at least as far from the placements' mean as the learned
 * set}) / (1 + permutations), the permutation test of Phipson & Smyth 2010 — under a random
 * placement it is uniform on {1, …, P + 1} / (P + 1) for a continuous statistic; for one with
 * ties (the block fractions are counts) it is conservative: P(p ≤ α) ≤ α.
 *
 * Statistics:
 * - `tuningSimilarity`: the mean, over learned synapses j → i, of the Pearson correlation of
 *   the two neurons' tuning curves (their mean rate per value of a task variable). Positive:
 *   learning connects neurons with similar selectivity ("like-to-like").
 * - `block X→Y` (with populations): the fraction of learned synapses from population X onto Y.
 * - `outDegree ~ rate` and `outDegree ~ selectivity`: Spearman's ρ between each neuron's
 *   number of learned outputs and its mean rate, or its largest η² over the task variables.
 *   (The learned in-degree is M for every neuron by construction, in both modes, so only the
 *   out-degree can depend on what a neuron does.)
 */
import { randomStream } from '../tasks/random.js';
import type { RecurrentMatrix } from '../model.js';

export interface StructureTest {
  statistic: string;
  /** The value on the learned synapses. */
  learned: number;
  /** Mean and standard deviation over the random placements. */
  randomMean: number;
  randomSd: number;
  pValue: number;
}

export interface StructureInputs {
  matrix: RecurrentMatrix;
  /** Tuning curve of every neuron, tuning[i] (one value per level of a task variable), or null. */
  tuning: number[][] | null;
  /** Mean rate of every neuron. */
  rate: ArrayLike<number>;
  /** Largest η² of every neuron, or null. */
  selectivity: ArrayLike<number> | null;
  /** Number of excitatory neurons (0 … E − 1), or null without populations. */
  excitatory: number | null;
}

/** A set of learned synapses as (pre, post) pairs, sorted by post. */
interface Placement {
  pre: Uint32Array;
  post: Uint32Array;
}

/** Every statistic of the file header on the learned synapses against random placements. */
export function structureTests(
  inputs: StructureInputs,
  permutations = 1000,
  seed = 1,
): StructureTest[] {
  const { matrix } = inputs;
  const learned = learnedPlacement(matrix);
  if (learned.pre.length === 0) return [];
  const statistics = statisticsOf(inputs);
  const observed = statistics.map((s) => s.value(learned));
  const draw = randomPlacer(matrix, learned, seed);
  const samples = statistics.map(() => new Float64Array(permutations));
  for (let k = 0; k < permutations; k++) {
    const placement = draw();
    statistics.forEach((s, q) => (samples[q][k] = s.value(placement)));
  }
  return statistics.map((s, q) => permutationTest(s.name, observed[q], samples[q]));
}

/** The two-sided permutation p-value of `learned` against `random` (see the file header). */
export function permutationTest(
  statistic: string,
  learned: number,
  random: Float64Array,
): StructureTest {
  const n = random.length;
  const mean = random.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(random.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const distance = Math.abs(learned - mean);
  // A tiny tolerance so that a placement equal to the learned one counts as "as far".
  const far = random.filter((v) => Math.abs(v - mean) >= distance - 1e-12 * (1 + distance)).length;
  return { statistic, learned, randomMean: mean, randomSd: sd, pValue: (1 + far) / (1 + n) };
}

function learnedPlacement(m: RecurrentMatrix): Placement {
  const pre: number[] = [];
  const post: number[] = [];
  for (let i = 0; i < m.shape[0]; i++)
    for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++)
      if (m.learned[e]) {
        pre.push(m.indices[e]);
        post.push(i);
      }
  return { pre: Uint32Array.from(pre), post: Uint32Array.from(post) };
}

/** Random placements with the learned in-degree of every neuron (see the file header). */
export function randomPlacer(
  m: RecurrentMatrix,
  learned: Placement,
  seed: number,
): () => Placement {
  const n = m.shape[0];
  const random = randomStream(seed);
  const taken = new Uint8Array(n);
  return () => {
    const pre = new Uint32Array(learned.pre.length);
    let at = 0;
    while (at < learned.post.length) {
      const i = learned.post[at];
      let end = at;
      while (end < learned.post.length && learned.post[end] === i) end++;
      // Neuron i's row: mark itself and its backbone inputs, draw end − at others.
      taken[i] = 1;
      for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++)
        if (!m.learned[e]) taken[m.indices[e]] = 1;
      for (let k = at; k < end; k++) {
        let j = random.below(n);
        while (taken[j]) j = random.below(n);
        taken[j] = 1;
        pre[k] = j;
      }
      taken[i] = 0;
      for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++) taken[m.indices[e]] = 0;
      for (let k = at; k < end; k++) taken[pre[k]] = 0;
      at = end;
    }
    return { pre, post: learned.post };
  };
}

function statisticsOf(inputs: StructureInputs): {
  name: string;
  value: (p: Placement) => number;
}[] {
  const n = inputs.matrix.shape[0];
  const out: { name: string; value: (p: Placement) => number }[] = [];
  if (inputs.tuning) {
    const z = inputs.tuning.map(standardize);
    out.push({
      name: 'tuningSimilarity',
      value: (p) => {
        let sum = 0;
        for (let k = 0; k < p.pre.length; k++) sum += dot(z[p.pre[k]], z[p.post[k]]);
        return sum / p.pre.length;
      },
    });
  }
  const e = inputs.excitatory;
  if (e !== null && e > 0 && e < n) {
    const pop = (i: number) => (i < e ? 'E' : 'I');
    for (const from of ['E', 'I'])
      for (const to of ['E', 'I'])
        out.push({
          name: `block ${from}→${to}`,
          value: (p) => {
            let count = 0;
            for (let k = 0; k < p.pre.length; k++)
              if (pop(p.pre[k]) === from && pop(p.post[k]) === to) count++;
            return count / p.pre.length;
          },
        });
  }
  const degree = (p: Placement) => {
    const d = new Float64Array(n);
    for (const j of p.pre) d[j]++;
    return d;
  };
  const rateRanks = ranks(inputs.rate);
  out.push({ name: 'outDegree ~ rate', value: (p) => pearson(ranks(degree(p)), rateRanks) });
  if (inputs.selectivity) {
    const selectivityRanks = ranks(inputs.selectivity);
    out.push({
      name: 'outDegree ~ selectivity',
      value: (p) => pearson(ranks(degree(p)), selectivityRanks),
    });
  }
  return out;
}

/** (v − mean) / ‖v − mean‖, or zeros for a constant v: dot products are correlations. */
function standardize(v: number[]): number[] {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const centred = v.map((x) => x - mean);
  const norm = Math.sqrt(dot(centred, centred));
  return norm > 1e-12 ? centred.map((x) => x / norm) : centred.map(() => 0);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const za = standardize(Array.from(a));
  const zb = standardize(Array.from(b));
  return dot(za, zb);
}

/** Ranks 1 … n, ties given their mean rank (as Spearman's ρ needs). */
export function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, k) => k).sort(
    (a, b) => values[a] - values[b],
  );
  const r = new Float64Array(values.length);
  for (let lo = 0; lo < order.length;) {
    let hi = lo;
    while (hi + 1 < order.length && values[order[hi + 1]] === values[order[lo]]) hi++;
    for (let k = lo; k <= hi; k++) r[order[k]] = (lo + hi) / 2 + 1;
    lo = hi + 1;
  }
  return r;
}
