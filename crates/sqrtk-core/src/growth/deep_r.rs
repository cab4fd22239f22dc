//! `deep_r` (DEEP R, Bellec et al., ICLR 2018): every learned synapse has a fixed sign; when
//! training pushes its weight across zero it is clamped there (see `Network::train_batch`) and
//! counts as dead. At each rewiring the dead synapses are regrown at random absent partners,
//! with weight 0 and the sign their first gradient step gives them (see `Births::sign`), so
//! that step moves them away from zero. Under Dale's law the sign is the presynaptic neuron's,
//! and partners are drawn at random among those whose gradient points that way (others only
//! when too few do). Optional L1 shrinkage and exploration noise.

use core::ops::Range;

use super::{Context, Strategy};
use crate::connectivity::sample_distinct;

pub struct DeepR;

/// Random candidates drawn per dead synapse under Dale's law.
const POOL_PER_SLOT: usize = 4;

impl Strategy for DeepR {
    /// Dead slots: weight exactly 0 after training (clamped at the sign boundary).
    fn drop_slots(&self, ctx: &Context, i: usize, _: usize) -> Vec<usize> {
        let s = ctx.structure;
        let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
        (0..s.learned).filter(|&slot| ctx.params.w_rec[first + slot] == 0.0).collect()
    }

    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
        rows.zip(counts)
            .map(|(i, &count)| {
                let forbidden = ctx.forbidden(i);
                if !ctx.config.dale || count == 0 {
                    return ctx.random_partners(i, count, &forbidden);
                }
                let pool = (POOL_PER_SLOT * count).min(ctx.config.neurons - forbidden.len());
                let mut rng = ctx.rng(i);
                let mut candidates = sample_distinct(&mut rng, ctx.config.neurons as u32, pool, &forbidden);
                // Fisher–Yates: a random order, so that agreeing partners are not picked by index.
                for at in (1..candidates.len()).rev() {
                    candidates.swap(at, rng.below(at as u64 + 1) as usize);
                }
                let (mut agree, disagree): (Vec<u32>, Vec<u32>) =
                    candidates.into_iter().partition(|&j| ctx.score(i, j as usize).is_some());
                agree.extend(disagree);
                agree.truncate(count);
                agree
            })
            .collect()
    }
}
