//! `sampled`: the gradient score of [`super::gradient`], evaluated only on `candidates · count`
//! random absent partners per neuron, so the cost does not grow with the network size.

use core::ops::Range;

use super::{Context, Strategy};
use crate::connectivity::sample_distinct;

pub struct Sampled;

impl Strategy for Sampled {
    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
        rows.zip(counts)
            .map(|(i, &count)| {
                if count == 0 {
                    return Vec::new();
                }
                let forbidden = ctx.forbidden(i);
                let allowed = ctx.config.neurons - forbidden.len();
                let pool = (ctx.config.candidates * count).min(allowed);
                let candidates = sample_distinct(&mut ctx.rng(i), ctx.config.neurons as u32, pool, &forbidden);
                let mut scored: Vec<(f32, u32)> =
                    candidates.into_iter().filter_map(|j| Some((ctx.score(i, j as usize)?, j))).collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                scored.into_iter().take(count).map(|(_, j)| j).collect()
            })
            .collect()
    }
}
