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

use crate::config::{Config, Growth, Mode};
use crate::connectivity::sample_distinct;
use crate::error::Error;
use crate::kernels::{dot, Rows};
use crate::memory::try_with_capacity;
use crate::optim::Adam;
use crate::parallel::{self, Disjoint};
use crate::params::Tensors;
use crate::populations::Populations;
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
    pub pops: Option<Populations>,
    /// Neurons that send `maxLearnedOut` learned synapses already (sorted; `add` mode).
    pub saturated: Vec<u32>,
}

impl Context<'_> {
    /// The score of an absent synapse j → i: |Σ_t Σ_b g_i(t, b) r_j(t − 1, b)|, the magnitude of
    /// the gradient it would have. Under Dale's law `None` unless the gradient step would move it
    /// the way j's sign allows (−∂L/∂w_ij has the sign of j): a synapse born on the wrong side
    /// would be held at 0 at once.
    pub fn score(&self, i: usize, j: usize) -> Option<f32> {
        self.score_with(i, self.r.row(j), j)
    }

    /// `score(i, j)` with j's activity row `rj` already at hand.
    pub fn score_with(&self, i: usize, rj: &[f32], j: usize) -> Option<f32> {
        let d = dot(self.g.row(i), rj);
        match self.pops {
            Some(pops) if self.config.dale && d * pops.sign(j) >= 0.0 => None,
            _ => Some(d.abs()),
        }
    }

    /// The random generator of neuron `i` for this round of rewiring.
    pub fn rng(&self, i: usize) -> Rng {
        Rng::new(mix(self.config.seed ^ mix(self.round)), Stream::Growth, growth_substream::INITIAL + i as u64)
    }

    /// Partners neuron `i` may not grow (sorted): itself, its backbone and its current learned
    /// partners (including those being dropped, so that every growth is a real change).
    pub fn forbidden(&self, i: usize) -> Vec<u32> {
        let mut forbidden = forbidden_partners(i as u32, self.structure.csr.row(i));
        if !self.saturated.is_empty() {
            forbidden.extend_from_slice(&self.saturated);
            forbidden.sort_unstable();
            forbidden.dedup();
        }
        forbidden
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

/// One neuron's change: which slots are freed and the partners that take them. Every neuron
/// of a large network has one, all held at once: exact-size slices, 32-bit slots.
pub struct Swap {
    pub neuron: u32,
    pub slots: Box<[u32]>,
    pub partners: Box<[u32]>,
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
    let total = blocks.iter().map(|b| b.as_ref().map_or(0, Vec::len)).sum();
    let mut swaps = try_with_capacity(total, "the rewiring plan")?;
    for block in blocks {
        swaps.extend(block?);
    }
    Ok(swaps)
}

fn plan_block(ctx: &Context, strategy: &dyn Strategy, fraction: f32, rows: Range<usize>) -> Result<Vec<Swap>, Error> {
    let n = ctx.config.neurons;
    let count = |i| swap_count(fraction, ctx.config.learned, i, n, ctx.round);
    // A neuron can only grow partners it does not have yet and, under a learned out-degree cap,
    // partners that are not saturated: with almost every other neuron forbidden, it swaps fewer
    // synapses (or none) this round.
    let allowed = |i: usize| n - ctx.forbidden(i).len();
    let drops: Vec<Vec<usize>> = rows
        .clone()
        .map(|i| {
            let allowed = allowed(i);
            let mut slots = strategy.drop_slots(ctx, i, count(i).min(allowed));
            slots.truncate(allowed);
            slots
        })
        .collect();
    let counts: Vec<usize> = drops.iter().map(Vec::len).collect();
    let grown = strategy.grow(ctx, rows.clone(), &counts);
    let mut swaps = Vec::new();
    for ((neuron, mut slots), partners) in rows.zip(drops).zip(grown) {
        // A strategy may find fewer partners than slots (under Dale's law, too few gradients
        // may point the allowed way): the weakest freed slots are swapped, the others kept.
        slots.truncate(partners.len());
        if slots.len() != partners.len() {
            let message = format!(
                "growth strategy gave {} partners for {} freed slots of neuron {neuron}",
                partners.len(),
                slots.len()
            );
            return Err(Error::state(message));
        }
        if !slots.is_empty() {
            let slots = slots.iter().map(|&s| s as u32).collect();
            swaps.push(Swap { neuron: neuron as u32, slots, partners: partners.into_boxed_slice() });
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

/// What `apply` needs to start new synapses: the last batch's activity (for their gradient and
/// `deep_r`'s signs) and that batch's gradient-clipping factor.
pub struct Births<'a> {
    pub g: Rows<'a>,
    pub r: Rows<'a>,
    pub pops: Option<Populations>,
    pub config: &'a Config,
    pub round: u64,
    /// The factor clipping applied to the last batch's gradient (1 if none).
    pub clip_scale: f32,
}

impl Births<'_> {
    /// ∂L/∂w_ij of a synapse j → i on the last batch, as the optimizer saw it (clipped).
    fn gradient(&self, i: usize, j: usize) -> f32 {
        dot(self.g.row(i), self.r.row(j)) * self.config.alpha() * self.clip_scale
    }

    /// The fixed sign of a new `deep_r` synapse j → i: j's sign under Dale's law; otherwise the
    /// sign its first gradient step gives it, −sign(∂L/∂w_ij), so that the step moves it away
    /// from zero instead of killing it (random only if that gradient is exactly 0).
    fn sign(&self, i: usize, j: usize, rng: &mut Rng) -> f32 {
        if let (true, Some(pops)) = (self.config.dale, self.pops) {
            return pops.sign(j);
        }
        let d = dot(self.g.row(i), self.r.row(j));
        if d < 0.0 {
            1.0
        } else if d > 0.0 {
            -1.0
        } else {
            random_sign(rng)
        }
    }
}

/// Applies a plan: new partners written at weight 0, the sign of `deep_r` synapses set, the
/// transpose rebuilt, the invariants checked. Returns the synapses swapped.
///
/// A new synapse's Adam moments start as if it had existed and seen its birth gradient g (the
/// gradient on the last batch): m̂ = g and v̂ = g², i.e. m = (1 − β1^t) g and v = (1 − β2^t) g²
/// at optimizer step t. With moments reset to 0 instead, Adam's global bias correction (made
/// for moments that have been accumulating for t steps) makes a new synapse's first steps 3 to
/// 6 times the learning rate, and its first step follows whatever gradient the next batch has;
/// warm moments keep that step at about lr and in its birth gradient's direction.
///
/// `add` mode with `maxLearnedOut`: a partner that sends that many learned synapses already is
/// not grown (the slot keeps its synapse).
///
/// `hidden` mode keeps every in- and out-degree by construction: neuron i replacing its learned
/// partner j_old by j_new is one half of a double-edge swap (Maslov & Sneppen 2002, Science
/// 296:910): a learned synapse j_new → i' elsewhere becomes j_old → i', so j_new sends and j_old
/// loses exactly one synapse each time. i' is the weakest such synapse whose swap keeps the
/// graph simple; with populations, j_old and j_new are of the same population, so every
/// per-block degree is kept too. A swap with no valid partner is not made.
pub fn apply(state: State, swaps: Vec<Swap>, births: &Births) -> Result<u64, Error> {
    let State { structure, params, adam, signs } = state;
    let config = births.config;
    let (n, m) = (config.neurons, structure.learned);
    let hidden = config.mode == Mode::Hidden;
    let cap = config.max_learned_out;
    let mut learned_out = if cap > 0 { structure.out_degree(true) } else { Vec::new() };
    let mut senders = if hidden { OutEdges::of(structure) } else { OutEdges(Vec::new()) };
    // Learned slots (neuron · m + slot) changed in this round: never changed twice.
    let mut changed = vec![false; n * m];
    let (beta1_t, beta2_t) = ((1.0 - adam.beta1_t) as f32, (1.0 - adam.beta2_t) as f32);
    let mut swapped = 0u64;
    for Swap { neuron, slots, partners } in swaps {
        let neuron = neuron as usize;
        let substream = growth_substream::REWIRE_SIGNS + neuron as u64;
        let mut rng = Rng::new(mix(config.seed ^ mix(births.round)), Stream::Growth, substream);
        for (slot, partner) in pair_by_population(structure, births.pops.filter(|_| hidden), neuron, &slots, &partners)
        {
            let old = structure.learned_partners(neuron)[slot];
            if changed[neuron * m + slot] || structure.csr.row(neuron).contains(&partner) {
                continue;
            }
            let other = if hidden {
                match compensation(structure, &params.w_rec, &senders, &changed, neuron, old, partner) {
                    Some(other) => Some(other),
                    None => continue,
                }
            } else {
                if cap > 0 {
                    if learned_out[partner as usize] as usize >= cap {
                        continue;
                    }
                    learned_out[old as usize] -= 1;
                    learned_out[partner as usize] += 1;
                }
                None
            };
            let mut set = |structure: &mut Recurrent, i: usize, slot: usize, j: u32, rng: &mut Rng| {
                let e = structure.csr.indptr[i] as usize + structure.backbone_len[i] as usize + slot;
                let was = core::mem::replace(&mut structure.csr.indices[e], j);
                if hidden {
                    senders.moved(i, slot, was, j);
                }
                let g = births.gradient(i, j as usize);
                params.w_rec[e] = 0.0;
                adam.m.w_rec[e] = beta1_t * g;
                adam.v.w_rec[e] = beta2_t * g * g;
                if !signs.is_empty() {
                    signs[i * m + slot] = births.sign(i, j as usize, rng);
                }
                changed[i * m + slot] = true;
            };
            set(structure, neuron, slot, partner, &mut rng);
            swapped += 1;
            if let Some((other, other_slot)) = other {
                set(structure, other, other_slot, old, &mut rng);
                swapped += 1;
            }
        }
    }
    if swapped > 0 {
        structure.rebuild_transpose();
    }
    structure.check_invariants()?;
    if cap > 0 && structure.out_degree(true).iter().any(|&d| d as usize > cap) {
        return Err(Error::state(format!("a neuron sends more than maxLearnedOut (={cap}) learned synapses")));
    }
    Ok(swapped)
}

/// The slots and partners of one neuron's swap, paired. In hidden mode with populations a new
/// partner only takes a slot whose partner is of its own population (the first such freed
/// slot); a partner with none is not grown.
fn pair_by_population(
    structure: &Recurrent,
    pops: Option<Populations>,
    neuron: usize,
    slots: &[u32],
    partners: &[u32],
) -> Vec<(usize, u32)> {
    let Some(pops) = pops else {
        return slots.iter().map(|&s| s as usize).zip(partners.iter().copied()).collect();
    };
    let learned = structure.learned_partners(neuron);
    let mut free: Vec<Option<usize>> = slots.iter().map(|&s| Some(s as usize)).collect();
    let mut pairs = Vec::new();
    for &partner in partners {
        let population = pops.population(partner as usize);
        let same = free.iter_mut().find(|s| s.is_some_and(|s| pops.population(learned[s] as usize) == population));
        if let Some(slot) = same.and_then(Option::take) {
            pairs.push((slot, partner));
        }
    }
    pairs
}

/// For each neuron, the learned synapses it sends, as (postsynaptic neuron, slot).
struct OutEdges(Vec<Vec<(u32, u32)>>);

impl OutEdges {
    fn of(structure: &Recurrent) -> OutEdges {
        let mut out = vec![Vec::new(); structure.csr.n_rows];
        for i in 0..structure.csr.n_rows {
            for (slot, &j) in structure.learned_partners(i).iter().enumerate() {
                out[j as usize].push((i as u32, slot as u32));
            }
        }
        OutEdges(out)
    }

    fn moved(&mut self, i: usize, slot: usize, from: u32, to: u32) {
        let list = &mut self.0[from as usize];
        if let Some(at) = list.iter().position(|&e| e == (i as u32, slot as u32)) {
            list.swap_remove(at);
        }
        self.0[to as usize].push((i as u32, slot as u32));
    }
}

/// The other half of a hidden-mode swap in which `neuron` trades learned partner `old` for
/// `partner`: the weakest learned synapse partner → i' (ties: lowest i', then slot) that may
/// become old → i' (i' is not `neuron` and not `old`, does not have `old` as an input yet, and
/// that slot was not changed in this round).
fn compensation(
    structure: &Recurrent,
    w_rec: &[f32],
    senders: &OutEdges,
    changed: &[bool],
    neuron: usize,
    old: u32,
    partner: u32,
) -> Option<(usize, usize)> {
    let m = structure.learned;
    let weight = |i: usize, slot: usize| {
        w_rec[structure.csr.indptr[i] as usize + structure.backbone_len[i] as usize + slot].abs()
    };
    senders.0[partner as usize]
        .iter()
        .map(|&(i, slot)| (i as usize, slot as usize))
        .filter(|&(i, slot)| {
            i != neuron && i != old as usize && !changed[i * m + slot] && !structure.csr.row(i).contains(&old)
        })
        .min_by(|&(a, sa), &(b, sb)| weight(a, sa).total_cmp(&weight(b, sb)).then((a, sa).cmp(&(b, sb))))
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
