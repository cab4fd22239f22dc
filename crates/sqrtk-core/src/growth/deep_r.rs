//! `deep_r` (DEEP R, Bellec et al., ICLR 2018): every learned synapse has a fixed sign; when
//! training pushes its weight across zero it is clamped there (see `Network::train_batch`) and
//! counts as dead. At each rewiring the dead synapses are regrown at random absent partners,
//! with a random sign and weight 0. Optional L1 shrinkage and exploration noise.

use core::ops::Range;

use super::{Context, Strategy};

pub struct DeepR;

impl Strategy for DeepR {
    /// Dead slots: weight exactly 0 after training (clamped at the sign boundary).
    fn drop_slots(&self, ctx: &Context, i: usize, _: usize) -> Vec<usize> {
        let s = ctx.structure;
        let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
        (0..s.learned).filter(|&slot| ctx.params.w_rec[first + slot] == 0.0).collect()
    }

    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
        rows.zip(counts).map(|(i, &count)| ctx.random_partners(i, count, &ctx.forbidden(i))).collect()
    }
}
