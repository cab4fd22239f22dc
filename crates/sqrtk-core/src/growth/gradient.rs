//! `gradient` (RigL-style, Evci et al., ICML 2020): an absent synapse j → i is scored by the
//! magnitude of the gradient it would have, |Σ_t Σ_b g_i(t, b) r_j(t − 1, b)|, on the last
//! training batch (under Dale's law only where that gradient points the allowed way, see
//! `Context::score`). Neurons are processed in blocks of rows with a running per-row top-k, so
//! memory stays O(block · k): never an N × N matrix.
//!
//! The scores of a block are a small dense product (block rows of g times all rows of r), done
//! in register tiles: R rows × J candidates share each load. Every score keeps the bits of
//! [`dot`], so the choice of tile (by CPU) changes the speed, never the result; only candidates
//! that could enter a row's top reach the top-k, in the same ascending order as a plain loop.
//!
//! Every dot is computed: pruning by Cauchy–Schwarz (stop a row once ‖g_i‖·‖r_j‖ falls below
//! its k-th score) would skip none at N = 20,000, K = 200, B = 32, T = 20 (measured after 1
//! and 16 training batches: the k-th score is 6–14 % of ‖g_i‖ · max ‖r_j‖, while the smallest
//! ‖r_j‖ is 22–31 % of the largest).

use core::cmp::Ordering;
use core::ops::Range;

use super::{Context, Strategy};
use crate::kernels::{dot, dots, Rows};

pub struct Gradient;

impl Strategy for Gradient {
    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
        let forbidden: Vec<Vec<u32>> = rows.clone().map(|i| ctx.forbidden(i)).collect();
        best_by_gradient(ctx, rows, counts, &forbidden)
    }
}

/// For each row i of the block, the `counts[i]` allowed partners (not in the sorted
/// `forbidden[i]`) with the largest gradient magnitude, best first (ties: lower index first).
/// Each presynaptic activity row is read once per block and used for every row of the block.
pub fn best_by_gradient(ctx: &Context, rows: Range<usize>, counts: &[usize], forbidden: &[Vec<u32>]) -> Vec<Vec<u32>> {
    best_with(Kernel::fastest(), ctx, rows, counts, forbidden)
}

fn best_with(
    kernel: Kernel,
    ctx: &Context,
    rows: Range<usize>,
    counts: &[usize],
    forbidden: &[Vec<u32>],
) -> Vec<Vec<u32>> {
    let block: Vec<usize> = rows.clone().filter(|&i| counts[i - rows.start] > 0).collect();
    let mut top: Vec<Vec<(f32, u32)>> = vec![Vec::new(); rows.len()];
    // The score of j is |dot| or none, so a |dot| not above bar[p] cannot enter the top of row
    // block[p]: bar is −∞ while that top has room, then its worst score (see `consider`).
    let mut bar = vec![f32::NEG_INFINITY; block.len()];
    // Candidates reach each row in ascending j, as a plain loop over j would give them.
    let offer = |p: usize, j: usize, d: f32| {
        if d.abs() > bar[p] || d.is_nan() {
            let b = block[p] - rows.start;
            bar[p] = consider(ctx, &mut top[b], counts[b], &forbidden[b], block[p], j, d.abs());
        }
    };
    let g: Vec<&[f32]> = block.iter().map(|&i| ctx.g.row(i)).collect();
    scan(kernel, &g, ctx.r, ctx.config.neurons, offer);
    top.into_iter().map(|t| t.into_iter().map(|(_, j)| j).collect()).collect()
}

/// Offers candidate j, whose score is `score` if it has one, to row i's `top` (at most `k`),
/// unless it is forbidden. `score_with` computes the same dot again (the same bits) for these
/// few candidates, so that Dale's law is decided in one place. Returns the row's new bar: −∞
/// while its top has room, then its worst score.
#[inline(never)]
fn consider(
    ctx: &Context,
    top: &mut Vec<(f32, u32)>,
    k: usize,
    forbidden: &[u32],
    i: usize,
    j: usize,
    score: f32,
) -> f32 {
    if enters(top, k, score) && forbidden.binary_search(&(j as u32)).is_err() {
        if let Some(score) = ctx.score_with(i, ctx.r.row(j), j) {
            insert_top(top, k, score, j as u32);
        }
    }
    if top.len() == k {
        top[k - 1].0
    } else {
        f32::NEG_INFINITY
    }
}

/// Whether `score` would enter `top` (at most `k` entries): it must beat the current worst
/// strictly, so among equal scores the earliest (lowest index) stays.
#[inline(always)]
fn enters(top: &[(f32, u32)], k: usize, score: f32) -> bool {
    top.len() < k || score.partial_cmp(&top[k - 1].0) == Some(Ordering::Greater)
}

/// Keeps `top` sorted by descending score with at most `k` entries (see [`enters`]).
fn insert_top(top: &mut Vec<(f32, u32)>, k: usize, score: f32, j: u32) {
    if !enters(top, k, score) {
        return;
    }
    let at = top.partition_point(|&(s, _)| s >= score);
    top.insert(at, (score, j));
    top.truncate(k);
}

/// Which register tile computes the scores: all give the same bits; wider registers (found at
/// run time on x86-64) hold more accumulators.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    const ALL: &'static [Kernel] = &[
        Kernel::Portable,
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx,
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512,
    ];

    fn supported(self) -> bool {
        match self {
            Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx => std::arch::is_x86_feature_detected!("avx"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512dq")
            }
        }
    }

    fn fastest() -> Kernel {
        *Kernel::ALL.iter().rev().find(|k| k.supported()).unwrap_or(&Kernel::Portable)
    }
}

/// Calls `offer(p, j, dot(g[p], r_j))` for every row p of `g` and every j < n, in ascending j
/// for each row. `kernel` must be supported.
fn scan(kernel: Kernel, g: &[&[f32]], r: Rows, n: usize, offer: impl FnMut(usize, usize, f32)) {
    // SAFETY: `kernel` is supported, so the CPU has the features of its tile.
    unsafe {
        match kernel {
            Kernel::Portable => scan_tiles::<1, 4, Portable>(g, r, n, offer),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx => scan_tiles::<2, 4, x86::Avx>(g, r, n, offer),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => scan_tiles::<4, 6, x86::Avx512>(g, r, n, offer),
        }
    }
}

/// A register tile: the R × J products ⟨g_p, r_q⟩, sharing each load, each with the bits of
/// [`dot`] (eight lane sums, lane l over the elements ≡ l mod 8 in order, folded as (l + l+4),
/// then (0+2)+(1+3), then the tail added in order).
trait Tile<const R: usize, const J: usize> {
    /// # Safety
    /// The CPU has the features the tile is written for.
    unsafe fn products(g: [&[f32]; R], r: [&[f32]; J]) -> [[f32; J]; R];
}

/// One row × 4 candidates: the crate's [`dots`] (explicit simd128 on wasm32).
struct Portable;

impl Tile<1, 4> for Portable {
    #[inline(always)]
    unsafe fn products(g: [&[f32]; 1], r: [&[f32]; 4]) -> [[f32; 4]; 1] {
        [dots(g[0], r)]
    }
}

/// `scan` with tile T: J candidates at a time against every R rows (the rows left over one at a
/// time), then the candidates left over one at a time.
///
/// # Safety
/// The CPU has the features of T.
#[inline(always)]
unsafe fn scan_tiles<const R: usize, const J: usize, T: Tile<R, J>>(
    g: &[&[f32]],
    r: Rows,
    n: usize,
    mut offer: impl FnMut(usize, usize, f32),
) {
    let tiled = g.len() / R * R;
    for j0 in (0..n / J * J).step_by(J) {
        let rj: [&[f32]; J] = core::array::from_fn(|q| r.row(j0 + q));
        for p0 in (0..tiled).step_by(R) {
            let d = T::products(core::array::from_fn(|p| g[p0 + p]), rj);
            for p in 0..R {
                for q in 0..J {
                    offer(p0 + p, j0 + q, d[p][q]);
                }
            }
        }
        for p in tiled..g.len() {
            let d = dots(g[p], rj);
            for q in 0..J {
                offer(p, j0 + q, d[q]);
            }
        }
    }
    for j in n / J * J..n {
        for p in 0..g.len() {
            offer(p, j, dot(g[p], r.row(j)));
        }
    }
}

/// Tiles in AVX registers (eight lanes: one product's lane sums) and AVX-512 registers (two
/// products side by side). Each tile is its own `target_feature` function, so that its
/// accumulators get the registers to themselves; its loops are plain loops, not closures, so that
/// every intrinsic is inlined into it.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    use super::Tile;

    /// 2 rows × 4 candidates, one 8-lane register per product (fits AVX's 16 registers).
    pub struct Avx;

    impl Tile<2, 4> for Avx {
        unsafe fn products(g: [&[f32]; 2], r: [&[f32]; 4]) -> [[f32; 4]; 2] {
            avx(g, r)
        }
    }

    #[target_feature(enable = "avx")]
    unsafe fn avx(g: [&[f32]; 2], r: [&[f32]; 4]) -> [[f32; 4]; 2] {
        let full = checked_len(&g, &r) / 8 * 8;
        let mut acc = [[_mm256_setzero_ps(); 4]; 2];
        let mut b = [_mm256_setzero_ps(); 4];
        for c in (0..full / 8).map(|c| 8 * c) {
            for q in 0..4 {
                // SAFETY: c + 8 <= full <= the length of every row.
                b[q] = _mm256_loadu_ps(r[q].as_ptr().add(c));
            }
            for p in 0..2 {
                let a = _mm256_loadu_ps(g[p].as_ptr().add(c));
                for q in 0..4 {
                    acc[p][q] = _mm256_add_ps(acc[p][q], _mm256_mul_ps(a, b[q]));
                }
            }
        }
        let mut lanes = [[[0.0f32; 8]; 4]; 2];
        for p in 0..2 {
            for q in 0..4 {
                _mm256_storeu_ps(lanes[p][q].as_mut_ptr(), acc[p][q]);
            }
        }
        core::array::from_fn(|p| core::array::from_fn(|q| fold(&lanes[p][q], g[p], r[q], full)))
    }

    /// 4 rows × 6 candidates; rows 2h and 2h + 1 share a 16-lane register (lanes 0..8, 8..16).
    /// Twelve accumulators: with more, the register allocator spills some of them.
    pub struct Avx512;

    impl Tile<4, 6> for Avx512 {
        unsafe fn products(g: [&[f32]; 4], r: [&[f32]; 6]) -> [[f32; 6]; 4] {
            avx512(g, r)
        }
    }

    #[target_feature(enable = "avx512f,avx512dq")]
    unsafe fn avx512(g: [&[f32]; 4], r: [&[f32]; 6]) -> [[f32; 6]; 4] {
        let full = checked_len(&g, &r) / 8 * 8;
        let mut acc = [[_mm512_setzero_ps(); 6]; 2];
        let mut a = [_mm512_setzero_ps(); 2];
        for c in (0..full / 8).map(|c| 8 * c) {
            for h in 0..2 {
                // SAFETY: c + 8 <= full <= the length of every row.
                let lo = _mm512_castps256_ps512(_mm256_loadu_ps(g[2 * h].as_ptr().add(c)));
                a[h] = _mm512_insertf32x8::<1>(lo, _mm256_loadu_ps(g[2 * h + 1].as_ptr().add(c)));
            }
            for q in 0..6 {
                let b = _mm512_broadcast_f32x8(_mm256_loadu_ps(r[q].as_ptr().add(c)));
                for h in 0..2 {
                    acc[h][q] = _mm512_add_ps(acc[h][q], _mm512_mul_ps(a[h], b));
                }
            }
        }
        let mut lanes = [[[0.0f32; 16]; 6]; 2];
        for h in 0..2 {
            for q in 0..6 {
                _mm512_storeu_ps(lanes[h][q].as_mut_ptr(), acc[h][q]);
            }
        }
        core::array::from_fn(|p| {
            core::array::from_fn(|q| {
                let half = &lanes[p / 2][q][8 * (p % 2)..8 * (p % 2) + 8];
                fold(half.try_into().unwrap(), g[p], r[q], full)
            })
        })
    }

    /// The common length of all rows (checked: the loads rely on it).
    #[inline(always)]
    fn checked_len(g: &[&[f32]], r: &[&[f32]]) -> usize {
        let len = g[0].len();
        assert!(g.iter().chain(r).all(|v| v.len() == len));
        len
    }

    /// `dot`'s fold of its eight lane sums, then its tail (elements `full..`) in order.
    #[inline(always)]
    fn fold(s: &[f32; 8], a: &[f32], b: &[f32], full: usize) -> f32 {
        let mut sum = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
        for (x, y) in a[full..].iter().zip(&b[full..]) {
            sum += x * y;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use core::ops::Range;

    use proptest::prelude::*;

    use super::{best_by_gradient, best_with, insert_top, scan, Kernel};
    use crate::config::Config;
    use crate::growth::Context;
    use crate::kernels::{dot, Rows};
    use crate::params::Tensors;
    use crate::populations::Populations;
    use crate::rng::{Rng, Stream};
    use crate::structure::Recurrent;

    #[test]
    fn top_k_keeps_the_best_and_the_earliest_of_ties() {
        let mut top = Vec::new();
        for (j, s) in [0.5f32, 0.1, 0.9, 0.5, 0.7, f32::NAN, 0.9].into_iter().enumerate() {
            insert_top(&mut top, 3, s, j as u32);
        }
        assert_eq!(top.iter().map(|t| t.1).collect::<Vec<_>>(), vec![2, 6, 4]);
    }

    fn supported() -> impl Iterator<Item = Kernel> {
        Kernel::ALL.iter().copied().filter(|k| k.supported())
    }

    /// `rows` activity rows of `width` values, `stride` apart. With `grid`, values are multiples
    /// of 1/4 (so that different rows often give exactly equal dots); some rows are all zero
    /// and some are copies of earlier rows.
    fn activity(rows: usize, width: usize, stride: usize, grid: bool, rng: &mut Rng) -> Vec<f32> {
        let mut data = vec![0.0f32; rows * stride];
        for j in 0..rows {
            let kind = rng.below(8);
            for e in 0..width {
                data[j * stride + e] = match kind {
                    0 => 0.0,
                    1 | 2 if j > 0 => data[(j - 1) * stride + e],
                    _ if grid => (rng.below(17) as f32 - 8.0) / 4.0,
                    _ => rng.normal() as f32,
                };
            }
        }
        data
    }

    /// The top-k by sorting every allowed candidate by (score descending, index ascending).
    fn brute_force(ctx: &Context, rows: Range<usize>, counts: &[usize], forbidden: &[Vec<u32>]) -> Vec<Vec<u32>> {
        rows.clone()
            .map(|i| {
                let b = i - rows.start;
                let mut scored: Vec<(f32, u32)> = (0..ctx.config.neurons as u32)
                    .filter(|j| !forbidden[b].contains(j))
                    .filter_map(|j| Some((ctx.score(i, j as usize)?, j)))
                    .collect();
                scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                scored.into_iter().take(counts[b]).map(|(_, j)| j).collect()
            })
            .collect()
    }

    /// Every kernel offers each (row, candidate) once, candidates in ascending order, with the
    /// bits of `dot`, whatever is left over after the tiles (rows, candidates, lane tails).
    #[test]
    fn every_kernel_gives_the_bits_of_dot() {
        let mut rng = Rng::new(5, Stream::Growth, 0);
        for width in [1, 5, 8, 13, 16, 40, 640] {
            for (rows, n) in [(1, 1), (3, 5), (4, 6), (5, 13), (9, 14), (8, 25)] {
                let g = activity(rows, width, width, false, &mut rng);
                let r = activity(n, width, width + 3, false, &mut rng);
                let (g_rows, r_rows) = (Rows::new(&g, width, width), Rows::new(&r, width + 3, width));
                let g: Vec<&[f32]> = (0..rows).map(|p| g_rows.row(p)).collect();
                for kernel in supported() {
                    let mut seen = vec![Vec::new(); rows];
                    scan(kernel, &g, r_rows, n, |p, j, d| {
                        assert_eq!(d.to_bits(), dot(g[p], r_rows.row(j)).to_bits(), "{kernel:?} {width} {p} {j}");
                        seen[p].push(j);
                    });
                    assert!(seen.iter().all(|s| s.iter().copied().eq(0..n)), "{kernel:?} width {width}");
                }
            }
        }
    }

    /// A random block: activity with ties and zero rows, Dale's law on or off, random forbidden
    /// partners and counts (some larger than the candidates allowed).
    fn check_against_brute_force(
        n: usize,
        width: usize,
        rows: Range<usize>,
        dale: Option<bool>,
        grid: bool,
        seed: u64,
    ) {
        let config =
            Config { excitatory: dale.map(|_| 0.7), dale: dale == Some(true), ..Config::with_sizes(1, n, 1, 2) };
        let structure = Recurrent::build(&config).unwrap();
        let params = Tensors::default();
        let mut rng = Rng::new(seed, Stream::Growth, 1);
        let g = activity(n, width, width, grid, &mut rng);
        let r = activity(n, width, width + 3, grid, &mut rng);
        let ctx = Context {
            config: &config,
            structure: &structure,
            params: &params,
            g: Rows::new(&g, width, width),
            r: Rows::new(&r, width + 3, width),
            round: 0,
            pops: Populations::of(&config),
            saturated: Vec::new(),
        };
        let counts: Vec<usize> = rows.clone().map(|_| rng.below(n as u64 + 3) as usize).collect();
        let forbidden: Vec<Vec<u32>> =
            rows.clone().map(|i| (0..n as u32).filter(|&j| j == i as u32 || rng.below(4) == 0).collect()).collect();
        let expected = brute_force(&ctx, rows.clone(), &counts, &forbidden);
        for kernel in supported() {
            let got = best_with(kernel, &ctx, rows.clone(), &counts, &forbidden);
            assert_eq!(got, expected, "{kernel:?}");
        }
        assert_eq!(best_by_gradient(&ctx, rows, &counts, &forbidden), expected);
    }

    #[test]
    fn the_top_k_is_exact_with_ties_zero_rows_and_dale() {
        for (seed, dale) in [(1, None), (2, Some(false)), (3, Some(true))] {
            check_against_brute_force(70, 24, 3..67, dale, true, seed);
            check_against_brute_force(70, 640, 0..64, dale, false, seed);
        }
    }

    /// Non-finite activity (a diverged batch): the same result as offering every allowed
    /// candidate to `insert_top` in ascending order, as the plain loop does.
    #[test]
    fn non_finite_scores_give_what_the_plain_loop_gives() {
        let (n, width) = (40, 12);
        let config = Config { excitatory: Some(0.5), dale: true, ..Config::with_sizes(1, n, 1, 2) };
        let structure = Recurrent::build(&config).unwrap();
        let params = Tensors::default();
        let mut rng = Rng::new(9, Stream::Growth, 2);
        let mut g = activity(n, width, width, false, &mut rng);
        let mut r = activity(n, width, width, false, &mut rng);
        for (e, v) in [(3, f32::NAN), (50, f32::INFINITY), (130, f32::NEG_INFINITY), (200, f32::NAN)] {
            g[e] = v;
            r[e + 7] = v;
        }
        for dale in [false, true] {
            let config = Config { dale, ..config.clone() };
            let ctx = Context {
                config: &config,
                structure: &structure,
                params: &params,
                g: Rows::new(&g, width, width),
                r: Rows::new(&r, width, width),
                round: 0,
                pops: Populations::of(&config),
                saturated: Vec::new(),
            };
            let counts: Vec<usize> = (0..n).map(|i| i % 7).collect();
            let forbidden: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
            let expected: Vec<Vec<u32>> = (0..n)
                .map(|i| {
                    let mut top = Vec::new();
                    for j in (0..n).filter(|&j| j != i && counts[i] > 0) {
                        if let Some(score) = ctx.score(i, j) {
                            insert_top(&mut top, counts[i], score, j as u32);
                        }
                    }
                    top.into_iter().map(|(_, j)| j).collect()
                })
                .collect();
            for kernel in supported() {
                assert_eq!(best_with(kernel, &ctx, 0..n, &counts, &forbidden), expected, "{kernel:?} dale {dale}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_top_k_is_the_brute_force_top_k(
            n in 8usize..90,
            width in 1usize..50,
            start in 0usize..90,
            len in 1usize..64,
            dale in prop_oneof![Just(None), Just(Some(false)), Just(Some(true))],
            grid in any::<bool>(),
            seed in 0u64..1000,
        ) {
            let start = start % n;
            check_against_brute_force(n, width, start..(start + len).min(n), dale, grid, seed);
        }
    }
}
