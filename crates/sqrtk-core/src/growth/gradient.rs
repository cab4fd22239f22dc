//! `gradient` (RigL-style, Evci et al., ICML 2020): an absent synapse j → i is scored by the
//! magnitude of the gradient it would have, |Σ_t Σ_b g_i(t, b) r_j(t − 1, b)|, on the last
//! training batch (under Dale's law only where that gradient points the allowed way, see
//! `Context::score`). Neurons are processed in blocks of rows with a running per-row top-k, so
//! memory stays O(block · k): never an N × N matrix.

use core::ops::Range;

use super::{Context, Strategy};

pub struct Gradient;

impl Strategy for Gradient {
    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
        let forbidden: Vec<Vec<u32>> = rows.clone().map(|i| ctx.forbidden(i)).collect();
        best_by_gradient(ctx, rows, counts, &forbidden)
    }
}

/// For each row i of the block, the `counts[i]` allowed partners with the largest gradient
/// magnitude, best first (ties: lower index first). Each presynaptic activity row is read once
/// per block and used for every row of the block.
pub fn best_by_gradient(ctx: &Context, rows: Range<usize>, counts: &[usize], forbidden: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let block: Vec<usize> = rows.clone().filter(|&i| counts[i - rows.start] > 0).collect();
    let mut top: Vec<Vec<(f32, u32)>> = vec![Vec::new(); rows.len()];
    let mut next_forbidden = vec![0usize; rows.len()];
    for j in 0..ctx.config.neurons as u32 {
        let rj = ctx.r.row(j as usize);
        for &i in &block {
            let b = i - rows.start;
            let f = &forbidden[b];
            while next_forbidden[b] < f.len() && f[next_forbidden[b]] < j {
                next_forbidden[b] += 1;
            }
            if f.get(next_forbidden[b]) == Some(&j) {
                continue;
            }
            if let Some(score) = ctx.score_with(i, rj, j as usize) {
                insert_top(&mut top[b], counts[b], score, j);
            }
        }
    }
    top.into_iter().map(|t| t.into_iter().map(|(_, j)| j).collect()).collect()
}

/// Keeps `top` sorted by descending score with at most `k` entries. A new entry must beat the
/// current worst strictly, so among equal scores the earliest (lowest index) stays.
fn insert_top(top: &mut Vec<(f32, u32)>, k: usize, score: f32, j: u32) {
    if top.len() == k && score.partial_cmp(&top[k - 1].0) != Some(core::cmp::Ordering::Greater) {
        return;
    }
    let at = top.partition_point(|&(s, _)| s >= score);
    top.insert(at, (score, j));
    top.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::insert_top;

    #[test]
    fn top_k_keeps_the_best_and_the_earliest_of_ties() {
        let mut top = Vec::new();
        for (j, s) in [0.5f32, 0.1, 0.9, 0.5, 0.7, f32::NAN, 0.9].into_iter().enumerate() {
            insert_top(&mut top, 3, s, j as u32);
        }
        assert_eq!(top.iter().map(|t| t.1).collect::<Vec<_>>(), vec![2, 6, 4]);
    }
}
