// The paired t-test of `sqrtk compare` against scipy.stats (1.17.1): 2 * t.sf(t, dof) and
// ttest_rel(b, a), printed by python3 and pasted here.
import { describe, expect, it } from 'vitest';
import { pairedTest, tTwoSided } from '../ts/output/paired.js';

const SCIPY_T: [number, number, number][] = [
  [0.5, 1, 0.7048327646991335],
  [2.0, 1, 0.2951672353008665],
  [1.5, 2, 0.2723931248910011],
  [2.776, 4, 0.05002277831997642],
  [1.0, 3, 0.3910022189557705],
  [3.0, 5, 0.030099247897462586],
  [0.3, 9, 0.7709907037415248],
  [4.5, 10, 0.0011431050868040656],
  [2.0, 29, 0.05494363718296717],
  [10, 7, 2.1394202890772802e-5],
];

describe('paired t-test', () => {
  it.each(SCIPY_T)('P(|T| ≥ %s) with %s dof matches scipy', (t, dof, p) => {
    expect(tTwoSided(t, dof)).toBeCloseTo(p, 12);
    expect(tTwoSided(-t, dof)).toBeCloseTo(p, 12);
    expect(tTwoSided(t, dof) / p).toBeCloseTo(1, 9);
  });

  it('matches scipy.stats.ttest_rel on two 5-seed comparisons', () => {
    const a = [0.637, 0.61, 0.66, 0.645, 0.63];
    const noGain = pairedTest(a, [0.64, 0.58, 0.7, 0.62, 0.61]);
    expect(noGain.t).toBeCloseTo(-0.4960495144133619, 12);
    expect(noGain.p_value).toBeCloseTo(0.6458790987444422, 12);
    expect(noGain.dof).toBe(4);
    const gain = pairedTest([0.91, 0.88, 0.95, 0.93, 0.9], [0.95, 0.93, 0.97, 0.96, 0.94]);
    expect(gain.t).toBeCloseTo(7.0601808649746145, 10);
    expect(gain.p_value).toBeCloseTo(0.0021228830538394805, 12);
    expect(gain.mean).toBeCloseTo(0.036, 12);
    expect(gain.differences.map((d) => +d.toFixed(6))).toEqual([0.04, 0.05, 0.02, 0.03, 0.04]);
  });

  it('handles ties, constant differences, missing values and bad degrees of freedom', () => {
    expect(pairedTest([1, 2, 3], [1, 2, 3])).toMatchObject({ mean: 0, sd: 0, t: 0, p_value: 1 });
    expect(pairedTest([1, 2, 3], [2, 3, 4])).toMatchObject({ t: Infinity, p_value: 0 });
    const partial = pairedTest([1, NaN, 3, 4], [2, 5, 3.5, 5.5]);
    expect(partial.n).toBe(3);
    expect(partial.dof).toBe(2);
    expect(partial.p_value).toBeCloseTo(0.07417990022744854, 12); // ttest_rel without the NaN pair
    expect(pairedTest([1], [2])).toMatchObject({ n: 1, p_value: null, t: null });
    expect(() => pairedTest([1, 2], [1])).toThrow(/equal lengths/);
    expect(() => tTwoSided(1, 0)).toThrow(/dof/);
    expect(tTwoSided(0, 4)).toBeCloseTo(1, 15);
  });
});
