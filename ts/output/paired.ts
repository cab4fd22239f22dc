/**
 * Paired comparisons of two strategies run on the same seeds: the per-seed differences, their
 * mean and standard deviation, and a two-sided paired t-test (Student 1908), as
 * `scipy.stats.ttest_rel` computes it.
 */

/** The outcome of a paired t-test of b − a. */
export interface PairedTest {
  /** Seeds paired (both values finite). */
  n: number;
  /** Per-seed differences b − a, in seed order (NaN where a value is missing). */
  differences: number[];
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for one pair. */
  sd: number;
  /** t = mean / (sd / √n); ±Infinity when every difference is the same non-zero number. */
  t: number | null;
  /** Degrees of freedom, n − 1. */
  dof: number;
  /** Two-sided p-value; null with fewer than two pairs. */
  p_value: number | null;
}

/**
 * P(|T| ≥ |t|) for Student's t with `dof` (a positive integer) degrees of freedom. Uses the
 * exact finite series for integer degrees of freedom (Abramowitz & Stegun 26.7.3 and 26.7.4):
 * with θ = atan(|t| / √ν), P(|T| < |t|) is sin θ · Σ of a cos² θ series for even ν, and
 * (2/π)(θ + sin θ cos θ · Σ …) for odd ν. Absolute error near 1e-15.
 */
export function tTwoSided(t: number, dof: number): number {
  if (!Number.isInteger(dof) || dof < 1)
    throw new RangeError(`dof (=${dof}) must be an integer ≥ 1`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(dof));
  const [s, c2] = [Math.sin(theta), Math.cos(theta) ** 2];
  let inside: number;
  if (dof % 2 === 0) {
    // 1 + (1/2) c² + (1·3)/(2·4) c⁴ + … up to c^(ν−2)
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= dof - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    inside = s * sum;
  } else {
    // θ + sin θ cos θ (1 + (2/3) c² + (2·4)/(3·5) c⁴ + … up to c^(ν−3)), ν ≥ 3
    let sum = 0;
    if (dof > 1) {
      let term = 1;
      sum = 1;
      for (let k = 3; k <= dof - 2; k += 2) {
        term *= ((k - 1) / k) * c2;
        sum += term;
      }
    }
    inside = (2 / Math.PI) * (theta + s * Math.sqrt(c2) * sum);
  }
  return Math.min(1, Math.max(0, 1 - inside));
}

/** Paired t-test of `b` against `a` (same seeds, same order); pairs with a NaN are skipped. */
export function pairedTest(a: readonly number[], b: readonly number[]): PairedTest {
  if (a.length !== b.length)
    throw new RangeError(`paired values need equal lengths (${a.length} and ${b.length})`);
  const differences = b.map((v, i) => v - a[i]);
  const d = differences.filter(Number.isFinite);
  const n = d.length;
  const mean = n === 0 ? NaN : d.reduce((x, y) => x + y, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1));
  if (n < 2) return { n, differences, mean, sd, t: null, dof: Math.max(0, n - 1), p_value: null };
  const t = sd > 0 ? mean / (sd / Math.sqrt(n)) : mean === 0 ? 0 : Math.sign(mean) * Infinity;
  return { n, differences, mean, sd, t, dof: n - 1, p_value: tTwoSided(t, n - 1) };
}
