//! Random backbone graphs, generated row by row in O(nnz) time and memory (never N×N).
//! Row `i` draws from its own random substream, so the graph does not depend on the order or
//! the thread that generates it.

use core::ops::Range;

use crate::csr::{check_nnz, Csr};
use crate::error::Error;
use crate::memory::{self, try_with_capacity};
use crate::rng::{Rng, Stream};

/// Erdős–Rényi: each synapse j → i (j ≠ i) exists with probability p = k / n, independently.
/// The in-degree of a neuron is Binomial(n − 1, k / n).
pub fn erdos_renyi(n: usize, k: f64, seed: u64) -> Result<Csr, Error> {
    let p = k / n as f64;
    erdos_renyi_blocks(n, seed, 0, |_| vec![(0..n, p)])
}

/// Erdős–Rényi by blocks: `sources(i)` lists the source ranges of neuron i's inputs, each with
/// its own connection probability (for example its excitatory and its inhibitory neurons).
///
/// Exact Bernoulli sampling by geometric skips: the gap to the next present synapse is
/// Geometric(p), drawn as floor(ln U / ln(1 − p)).
///
/// The index array has room for `extra` more entries (the learned synapses the caller adds in
/// place: a second array beside this one would not fit at the largest sizes).
pub fn erdos_renyi_blocks(
    n: usize,
    seed: u64,
    extra: usize,
    sources: impl Fn(usize) -> Vec<(Range<usize>, f64)>,
) -> Result<Csr, Error> {
    let expected: f64 = [0, n - 1]
        .map(|i| sources(i).iter().map(|(r, p)| r.len() as f64 * p).sum::<f64>())
        .into_iter()
        .fold(0.0, f64::max)
        * n as f64;
    let expected = expected as usize;
    check_nnz(expected + expected / 8)?;
    let mut indptr = Vec::with_capacity(n + 1);
    let cushion = 4 * (expected as f64).sqrt() as usize;
    let mut indices: Vec<u32> = try_with_capacity(expected + cushion + extra, "the recurrent synapses")?;
    indptr.push(0u32);
    for i in 0..n {
        let mut rng = Rng::new(seed, Stream::Connectivity, i as u64);
        let sources = sources(i);
        // Rarely (a total 4 standard deviations above its mean) the last rows need more room:
        // the array grows by just what they may need, not by doubling, and running out of
        // memory then is an error, not an abort.
        let mean: f64 = sources.iter().map(|(r, p)| r.len() as f64 * p).sum();
        let bound = (mean + 8.0 * mean.sqrt()) as usize + 8;
        if indices.capacity() - indices.len() < bound {
            let more = bound + cushion;
            indices.try_reserve_exact(more).map_err(|_| memory::out_of_memory(4 * more, "the recurrent synapses"))?;
        }
        for (range, p) in sources {
            bernoulli_range(&mut rng, i, range, p, &mut indices);
        }
        check_nnz(indices.len())?;
        indptr.push(indices.len() as u32);
    }
    Ok(Csr { n_rows: n, n_cols: n, indptr, indices })
}

/// Appends each neuron of `range` other than `i` with probability p, in increasing order.
fn bernoulli_range(rng: &mut Rng, i: usize, range: Range<usize>, p: f64, out: &mut Vec<u32>) {
    // Candidates are the neurons of the range, numbered from 0 with `i` skipped.
    let skip = range.contains(&i);
    let count = (range.len() - skip as usize) as u64;
    if p <= 0.0 || count == 0 {
        return;
    }
    let log_q = libm::log1p(-p);
    let mut candidate: u64 = 0;
    loop {
        let gap = if p >= 1.0 { 0.0 } else { (libm::log(rng.uniform_open()) / log_q).floor() };
        if gap >= count as f64 {
            break;
        }
        candidate += gap as u64;
        if candidate >= count {
            break;
        }
        let j = range.start as u64 + candidate + (skip && candidate >= (i - range.start) as u64) as u64;
        out.push(j as u32);
        candidate += 1;
    }
}

/// Exactly `k` distinct random partners per neuron, none of them itself (Floyd's sampling).
/// The index array has room for `extra` more entries, as in [`erdos_renyi_blocks`].
pub fn fixed_indegree(n: usize, k: usize, seed: u64, extra: usize) -> Result<Csr, Error> {
    if k > n - 1 {
        return Err(Error::option("k", k, &format!("must be at most neurons − 1 (={})", n - 1), "lower k"));
    }
    fixed_indegree_blocks(n, seed, extra, |_| vec![(0..n, k)])
}

/// Exactly the given number of distinct random partners from each source range of neuron i
/// (`sources(i)`; the caller checks that every range has enough neurons other than i). The
/// index array has room for `extra` more entries, as in [`erdos_renyi_blocks`].
pub fn fixed_indegree_blocks(
    n: usize,
    seed: u64,
    extra: usize,
    sources: impl Fn(usize) -> Vec<(Range<usize>, usize)>,
) -> Result<Csr, Error> {
    let nnz: usize = (0..n).map(|i| sources(i).iter().map(|s| s.1).sum::<usize>()).sum();
    check_nnz(nnz)?;
    let mut indptr = Vec::with_capacity(n + 1);
    let mut indices: Vec<u32> = try_with_capacity(nnz + extra, "the recurrent synapses")?;
    indptr.push(0u32);
    for i in 0..n {
        let mut rng = Rng::new(seed, Stream::Connectivity, i as u64);
        for (range, k) in sources(i) {
            let skip = range.contains(&i);
            let picked = sample_distinct(&mut rng, (range.len() - skip as usize) as u32, k, &[]);
            indices.extend(picked.into_iter().map(|j| {
                let j = range.start as u32 + j;
                j + (skip && j >= i as u32) as u32
            }));
        }
        indptr.push(indices.len() as u32);
    }
    Ok(Csr { n_rows: n, n_cols: n, indptr, indices })
}

/// `count` distinct values from `0..n` that are not in `exclude` (sorted), returned sorted.
/// Floyd's algorithm over the `n − exclude.len()` allowed values: O(count · log count).
pub fn sample_distinct(rng: &mut Rng, n: u32, count: usize, exclude: &[u32]) -> Vec<u32> {
    let allowed = n as usize - exclude.len();
    debug_assert!(count <= allowed);
    let mut chosen: Vec<u32> = Vec::with_capacity(count);
    for top in (allowed - count)..allowed {
        let t = rng.below(top as u64 + 1) as u32;
        let pick = match chosen.binary_search(&t) {
            Ok(_) => top as u32,
            Err(_) => t,
        };
        let at = chosen.binary_search(&pick).unwrap_or_else(|at| at);
        chosen.insert(at, pick);
    }
    // Map ranks among the allowed values back to values, skipping the excluded ones.
    let mut skipped = 0;
    for value in chosen.iter_mut() {
        while skipped < exclude.len() && exclude[skipped] <= *value + skipped as u32 {
            skipped += 1;
        }
        *value += skipped as u32;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn degree_stats(csr: &Csr) -> (f64, f64) {
        let d: Vec<f64> = (0..csr.n_rows).map(|i| csr.row(i).len() as f64).collect();
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (d.len() as f64 - 1.0);
        (mean, var)
    }

    fn assert_simple_graph(csr: &Csr) {
        for i in 0..csr.n_rows {
            let row = csr.row(i);
            assert!(row.windows(2).all(|w| w[0] < w[1]), "row {i} not sorted/unique");
            assert!(!row.contains(&(i as u32)), "self-loop at {i}");
            assert!(row.iter().all(|&j| (j as usize) < csr.n_cols));
        }
    }

    #[test]
    fn erdos_renyi_statistics() {
        let (n, k) = (4000, 100.0);
        let csr = erdos_renyi(n, k, 11).unwrap();
        assert_simple_graph(&csr);
        let p = k / n as f64;
        let (mean, var) = degree_stats(&csr);
        let expected_mean = (n as f64 - 1.0) * p;
        let expected_var = (n as f64 - 1.0) * p * (1.0 - p);
        // Standard error of the mean ≈ sqrt(var / n) ≈ 0.16; of the variance ≈ var·sqrt(2/n) ≈ 2.2.
        assert!((mean - expected_mean).abs() < 0.8, "mean {mean} vs {expected_mean}");
        assert!((var - expected_var).abs() < 11.0, "var {var} vs {expected_var}");
        assert_eq!(csr, erdos_renyi(n, k, 11).unwrap(), "same seed, same graph");
        assert_ne!(csr, erdos_renyi(n, k, 12).unwrap());
    }

    #[test]
    fn erdos_renyi_edge_cases() {
        let full = erdos_renyi(5, 5.0, 1).unwrap();
        assert_eq!(full.nnz(), 20);
        assert_simple_graph(&full);
        assert_eq!(erdos_renyi(5, 0.0, 1).unwrap().nnz(), 0);
    }

    #[test]
    fn fixed_indegree_is_exact() {
        let csr = fixed_indegree(500, 40, 3, 0).unwrap();
        assert_simple_graph(&csr);
        assert!((0..500).all(|i| csr.row(i).len() == 40));
        assert!(fixed_indegree(10, 10, 3, 0).is_err());
    }

    #[test]
    fn sample_distinct_avoids_excluded_values() {
        let mut rng = Rng::new(5, Stream::Growth, 0);
        for _ in 0..200 {
            let exclude = [0u32, 3, 4, 9];
            let s = sample_distinct(&mut rng, 10, 6, &exclude);
            assert_eq!(s, vec![1, 2, 5, 6, 7, 8]);
            let s = sample_distinct(&mut rng, 10, 3, &exclude);
            assert!(s.windows(2).all(|w| w[0] < w[1]));
            assert!(s.iter().all(|v| !exclude.contains(v) && *v < 10));
        }
    }
}
