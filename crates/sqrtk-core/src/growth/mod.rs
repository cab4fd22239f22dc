//! Structure learning. Every neuron owns exactly `learned` slots (the last `learned` entries of
//! its CSR row) whose presynaptic partner is chosen by a growth strategy. A strategy only decides
//! which slots to free and which partners to grow; [`rewire`] does all the bookkeeping (new
//! partners written, new weights 0, their Adam moments reset, transpose rebuilt, invariants
//! checked), once for every strategy.

mod deep_r;
mod gradient;
mod random;
mod sampled;

use core::ops::Range;

use crate::config::{Config, Growth};
use crate::connectivity::sample_distinct;
use crate::csr::Transpose;
use crate::error::Error;
use crate::kernels::Rows;
use crate::optim::Adam;
use crate::parallel::{self, Disjoint};
use crate::params::Tensors;
use crate::rng::{growth_substream, mix, Rng, Stream};
use crate::structure::{forbidden_partners, Recurrent};

/// What a strategy sees: the structure and weights, and the activity of the last training batch
/// (`g` = dLoss/dx_t and `r` = rates, laid out as in `rnn`), for gradient-based scores.
pub struct Context<'a> {
    pub config: &'a Config,
    pub structure: &'a Recurrent,
    pub params: &'a Tensors,
    /// Row i of `g` holds g_i(t, b) for t = 1..T; row j of `r` holds r_j(t − 1, b) for t = 1..T
    /// (T · B values each).
    pub g: Rows<'a>,
    pub r: Rows<'a>,
    /// Rewiring round, to give each round fresh random numbers.
    pub round: u64,
}

impl Context<'_> {
    /// The random generator of neuron `i` for this round of rewiring.
    pub fn rng(&self, i: usize) -> Rng {
        Rng::new(mix(self.config.seed ^ mix(self.round)), Stream::Growth, growth_substream::INITIAL + i as u64)
    }

    /// Partners neuron `i` may not grow (sorted): itself, its backbone and its current learned
    /// partners (including those being dropped, so that every growth is a real change).
    pub fn forbidden(&self, i: usize) -> Vec<u32> {
        forbidden_partners(i as u32, self.structure.csr.row(i))
    }

    /// `count` random partners for neuron `i` outside `forbidden`.
    pub fn random_partners(&self, i: usize, count: usize, forbidden: &[u32]) -> Vec<u32> {
        sample_distinct(&mut self.rng(i), self.config.neurons as u32, count, forbidden)
    }
}

/// A growth strategy: which learned slots to free, and which partners to grow in their place.
pub trait Strategy: Sync {
    /// Slots (0..learned) of neuron `i` to free now. The default frees the `count` weakest by |w|.
    fn drop_slots(&self, ctx: &Context, i: usize, count: usize) -> Vec<usize> {
        weakest_slots(ctx, i, count)
    }

    /// For each neuron `i` in `rows`, `counts[i - rows.start]` new partners, none forbidden.
    fn grow(&self, ctx: &Context, rows: Range<usize>, counts: &[usize]) -> Vec<Vec<u32>>;
}

/// The strategy registered under a configuration's `growth` name.
pub fn strategy(growth: Growth) -> &'static dyn Strategy {
    match growth {
        Growth::Random => &random::Random,
        Growth::Gradient => &gradient::Gradient,
        Growth::Sampled => &sampled::Sampled,
        Growth::DeepR => &deep_r::DeepR,
    }
}

/// The `count` learned slots of neuron `i` with the smallest |w| (ties: lower slot first).
pub fn weakest_slots(ctx: &Context, i: usize, count: usize) -> Vec<usize> {
    let s = ctx.structure;
    let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
    let mut slots: Vec<usize> = (0..s.learned).collect();
    slots.sort_by(|&a, &b| {
        ctx.params.w_rec[first + a].abs().total_cmp(&ctx.params.w_rec[first + b].abs()).then(a.cmp(&b))
    });
    slots.truncate(count);
    slots
}

/// Rows handled together (the gradient strategy reuses each presynaptic activity row across them).
pub const ROW_BLOCK: usize = 64;

/// One neuron's change: which slots are freed and the partners that take them.
pub struct Swap {
    pub neuron: usize,
    pub slots: Vec<usize>,
    pub partners: Vec<u32>,
}

/// How many learned synapses neuron `i` of `neurons` swaps when the schedule asks for
/// `fraction` of them. fraction · M is rarely an integer (M is small), so each neuron rounds it
/// up or down with its own evenly spaced offset (k + ½)/N, rotated every round so every neuron
/// gets its turn. By Hermite's identity the total is round(fraction · M · N).
pub fn swap_count(fraction: f32, learned: usize, i: usize, neurons: usize, round: u64) -> usize {
    let k = (i as u64 + round.wrapping_mul(7919)) % neurons as u64;
    let offset = (k as f64 + 0.5) / neurons as f64;
    ((fraction as f64 * learned as f64 + offset).floor() as usize).min(learned)
}

/// Decides a rewiring without changing anything: every neuron frees the slots its strategy
/// picks (`swap_count` of them for scheduled strategies) and gets as many new partners.
pub fn plan(ctx: &Context, fraction: f32) -> Result<Vec<Swap>, Error> {
    let n = ctx.config.neurons;
    let strategy = strategy(ctx.config.growth);
    let mut blocks: Vec<Result<Vec<Swap>, Error>> = (0..n.div_ceil(ROW_BLOCK)).map(|_| Ok(Vec::new())).collect();
    let results = Disjoint::new(&mut blocks);
    // Blocks of neurons are planned in parallel; each writes only its own result.
    parallel::pool().run(n.div_ceil(ROW_BLOCK), &|block| {
        let rows = block * ROW_BLOCK..((block + 1) * ROW_BLOCK).min(n);
        // SAFETY: block `block` owns result `block`.
        unsafe { results.set(block, plan_block(ctx, strategy, fraction, rows)) };
    });
    let mut swaps = Vec::new();
    for block in blocks {
        swaps.extend(block?);
    }
    Ok(swaps)
}

fn plan_block(ctx: &Context, strategy: &dyn Strategy, fraction: f32, rows: Range<usize>) -> Result<Vec<Swap>, Error> {
    let n = ctx.config.neurons;
    let count = |i| swap_count(fraction, ctx.config.learned, i, n, ctx.round);
    // A neuron can only grow partners it does not have yet: with almost every other neuron as an
    // input already, it swaps fewer synapses (or none) this round.
    let allowed = |i: usize| n - 1 - ctx.structure.csr.row(i).len();
    let drops: Vec<Vec<usize>> = rows
        .clone()
        .map(|i| {
            let mut slots = strategy.drop_slots(ctx, i, count(i).min(allowed(i)));
            slots.truncate(allowed(i));
            slots
        })
        .collect();
    let counts: Vec<usize> = drops.iter().map(Vec::len).collect();
    let grown = strategy.grow(ctx, rows.clone(), &counts);
    let mut swaps = Vec::new();
    for ((neuron, slots), partners) in rows.zip(drops).zip(grown) {
        if slots.len() != partners.len() {
            let message = format!(
                "growth strategy gave {} partners for {} freed slots of neuron {neuron}",
                partners.len(),
                slots.len()
            );
            return Err(Error::state(message));
        }
        if !slots.is_empty() {
            swaps.push(Swap { neuron, slots, partners });
        }
    }
    Ok(swaps)
}

/// The mutable state that rewiring updates.
pub struct State<'a> {
    pub structure: &'a mut Recurrent,
    pub params: &'a mut Tensors,
    pub adam: &'a mut Adam,
    /// Fixed signs of the learned synapses (`deep_r` only; empty otherwise).
    pub signs: &'a mut [f32],
}

/// Applies a plan: new partners written, their weights and Adam moments set to 0, a random sign
/// for `deep_r`, the transpose rebuilt, the invariants checked. Returns the synapses swapped.
pub fn apply(state: State, swaps: Vec<Swap>, seed: u64, round: u64) -> Result<u64, Error> {
    let State { structure, params, adam, signs } = state;
    let mut swapped = 0u64;
    for Swap { neuron, slots, partners } in swaps {
        let first = structure.csr.indptr[neuron] as usize + structure.backbone_len[neuron] as usize;
        let substream = growth_substream::REWIRE_SIGNS + neuron as u64;
        let mut rng = Rng::new(mix(seed ^ mix(round)), Stream::Growth, substream);
        for (slot, partner) in slots.into_iter().zip(partners) {
            let e = first + slot;
            structure.csr.indices[e] = partner;
            for t in [&mut params.w_rec, &mut adam.m.w_rec, &mut adam.v.w_rec] {
                t[e] = 0.0;
            }
            if !signs.is_empty() {
                signs[neuron * structure.learned + slot] = random_sign(&mut rng);
            }
            swapped += 1;
        }
    }
    if swapped > 0 {
        structure.transpose = Transpose::of(&structure.csr);
    }
    structure.check_invariants()?;
    Ok(swapped)
}

/// The rewiring schedule: the fraction of learned synapses swapped at optimizer step `step`
/// decays from `base` with a cosine to 0 at step `until` (Evci et al. 2020), and is 0 after.
pub fn cosine_fraction(base: f32, step: u64, until: u64) -> f32 {
    if step >= until {
        return 0.0;
    }
    let phase = core::f64::consts::PI * step as f64 / until as f64;
    (base as f64 * 0.5 * (1.0 + libm::cos(phase))) as f32
}

pub fn random_sign(rng: &mut Rng) -> f32 {
    if rng.next_u64() & 1 == 0 {
        1.0
    } else {
        -1.0
    }
}
