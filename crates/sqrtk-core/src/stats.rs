//! Is the in-degree distribution still that of a random graph? A chi-square goodness-of-fit test
//! of observed in-degrees against Binomial(n, p), computed with libm so every platform reports
//! the same numbers.

/// Result of [`binomial_chi_square`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    /// Degrees of freedom: bins − 1.
    pub dof: usize,
    pub p_value: f64,
}

/// log P(X = k) for X ~ Binomial(n, p), 0 < p < 1.
pub fn binomial_log_pmf(n: u64, p: f64, k: u64) -> f64 {
    libm::lgamma(n as f64 + 1.0) - libm::lgamma(k as f64 + 1.0) - libm::lgamma((n - k) as f64 + 1.0)
        + k as f64 * libm::log(p)
        + (n - k) as f64 * libm::log1p(-p)
}

/// P(X = k) for X ~ Binomial(n, p), k = 0..=n. With 0 < p < 1 every value is computed; at
/// p = 0 or 1 the mass sits at 0 or n.
pub fn binomial_pmf(n: u64, p: f64) -> Vec<f64> {
    if p <= 0.0 || p >= 1.0 {
        let mut pmf = vec![0.0; n as usize + 1];
        pmf[if p <= 0.0 { 0 } else { n as usize }] = 1.0;
        return pmf;
    }
    (0..=n).map(|k| libm::exp(binomial_log_pmf(n, p, k))).collect()
}

/// The distribution of X + Y for independent X and Y (values beyond `len` − 1 are added to the
/// last entry). Terms below 1e-300 are skipped, so the cost is that of the bulk of each.
pub fn convolve(a: &[f64], b: &[f64], len: usize) -> Vec<f64> {
    let mut out = vec![0.0; len];
    for (x, &pa) in a.iter().enumerate().filter(|(_, &p)| p > 1e-300) {
        for (y, &pb) in b.iter().enumerate().filter(|(_, &p)| p > 1e-300) {
            out[(x + y).min(len - 1)] += pa * pb;
        }
    }
    out
}

/// Chi-square test of `degrees` against Binomial(n, p). See [`chi_square`].
pub fn binomial_chi_square(degrees: &[u32], n: u64, p: f64) -> ChiSquare {
    chi_square(degrees, &binomial_pmf(n, p))
}

/// Chi-square test of `degrees` against the distribution `pmf` (P(D = k) for k = 0..). Neighbouring
/// degree values are merged into bins, from the low end up, until each bin expects at least 5
/// neurons (the first and the last bin also take the tails), the usual condition for the
/// chi-square approximation.
pub fn chi_square(degrees: &[u32], pmf: &[f64]) -> ChiSquare {
    let n = pmf.len() - 1;
    let total = degrees.len() as f64;
    let mut counts = vec![0u64; n + 1];
    for &d in degrees {
        counts[(d as usize).min(n)] += 1;
    }
    let mut bins: Vec<(f64, f64)> = Vec::new(); // (expected, observed)
    let (mut expected, mut observed) = (0.0, 0.0);
    for k in 0..=n {
        expected += total * pmf[k];
        observed += counts[k] as f64;
        if expected >= 5.0 {
            bins.push((expected, observed));
            expected = 0.0;
            observed = 0.0;
        }
    }
    match bins.last_mut() {
        Some(last) => {
            last.0 += expected;
            last.1 += observed;
        }
        None => bins.push((expected, observed)),
    }
    let statistic: f64 = bins.iter().map(|&(e, o)| (o - e) * (o - e) / e).sum();
    with_p_value(statistic, bins.len().saturating_sub(1))
}

/// Independent tests (for example one per population) combined: their statistics and degrees of
/// freedom add up.
pub fn combine(parts: &[ChiSquare]) -> ChiSquare {
    with_p_value(parts.iter().map(|c| c.statistic).sum(), parts.iter().map(|c| c.dof).sum())
}

fn with_p_value(statistic: f64, dof: usize) -> ChiSquare {
    let p_value = if dof == 0 { 1.0 } else { gamma_q(dof as f64 / 2.0, statistic / 2.0) };
    ChiSquare { statistic, dof, p_value }
}

/// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): the chi-square
/// survival function is Q(dof / 2, χ² / 2). Series below a + 1, continued fraction above.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefactor = a * libm::log(x) - x - libm::lgamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^{-x} x^a / Γ(a + 1) · Σ_n x^n / ((a + 1)…(a + n))
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * libm::exp(log_prefactor)
    } else {
        // Continued fraction for Q (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        libm::exp(log_prefactor) * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectivity::erdos_renyi;

    #[test]
    fn gamma_q_matches_closed_forms() {
        for x in [0.01, 0.5, 1.0, 2.5, 7.0, 30.0] {
            // Q(1, x) = e^{-x}; Q(1/2, x) = erfc(√x)
            assert!((gamma_q(1.0, x) - (-x).exp()).abs() < 1e-12, "Q(1, {x})");
            assert!((gamma_q(0.5, x) - libm::erfc(x.sqrt())).abs() < 1e-12, "Q(1/2, {x})");
        }
        // chi-square with 10 dof: P(χ² > 18.307) = 0.05 (standard table value)
        assert!((gamma_q(5.0, 18.307 / 2.0) - 0.05).abs() < 1e-4);
    }

    #[test]
    fn binomial_pmf_sums_to_one() {
        let s: f64 = (0..=999).map(|k| binomial_log_pmf(999, 0.1, k).exp()).sum();
        assert!((s - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_sum_of_two_binomials_is_tested_against_their_convolution() {
        let (a, b) = (binomial_pmf(300, 0.05), binomial_pmf(100, 0.8));
        let pmf = convolve(&a, &b, 401);
        assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let mean: f64 = pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        assert!((mean - 95.0).abs() < 1e-6, "{mean}");
        let mut rng = crate::rng::Rng::new(3, crate::rng::Stream::DataOrder, 0);
        let mut draw = |n: usize, p: f64| (0..n).filter(|_| rng.uniform_open() < p).count() as u32;
        let degrees: Vec<u32> = (0..3000).map(|_| draw(300, 0.05) + draw(100, 0.8)).collect();
        assert!(chi_square(&degrees, &pmf).p_value > 0.01);
        // Against a single binomial of the same mean the variance is wrong (14.25 + 16 vs 72.4).
        assert!(binomial_chi_square(&degrees, 400, 95.0 / 400.0).p_value < 1e-6);
        let both = combine(&[chi_square(&degrees, &pmf), chi_square(&degrees, &pmf)]);
        assert_eq!(both.dof, 2 * chi_square(&degrees, &pmf).dof);
    }

    #[test]
    fn erdos_renyi_passes_and_a_shifted_degree_fails() {
        let (n, k) = (2000, 100.0);
        let g = erdos_renyi(n, k, 21).unwrap();
        let degrees: Vec<u32> = (0..n).map(|i| g.row(i).len() as u32).collect();
        let fit = binomial_chi_square(&degrees, n as u64 - 1, k / n as f64);
        assert!(fit.dof > 10 && fit.p_value > 0.01, "{fit:?}");
        let shifted: Vec<u32> = degrees.iter().map(|d| d + 10).collect();
        assert!(binomial_chi_square(&shifted, n as u64 - 1, k / n as f64).p_value < 1e-12);
    }
}
