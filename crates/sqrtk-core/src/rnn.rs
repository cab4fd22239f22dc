//! Dynamics, loss and backpropagation through time.
//!
//! State layout: neuron-major, then time, then batch. Neuron i's whole sequence is the
//! contiguous block `[i * (T + 1) * B ..]` (slot 0 is the initial state), so one recurrent
//! step reads a batch vector per synapse, and the recurrent weight gradient is one dot product
//! of length T·B per synapse for the whole sequence.
//!
//!   x_t = (1 − α) x_{t−1} + α (W r_{t−1} + W_in u_t + b) + σ √(2α) ξ_t,
//!   r_t = φ(x_t),   y_t = W_out r_t + b_out
//!
//! `discrete` dynamics is α = 1; `rate` dynamics is α = dt / τ. The private noise ξ_t ~ N(0, 1)
//! per neuron, step and sequence (σ = `noise`, `rate` dynamics only) is the form of PsychRNN's
//! `Basic.recurrent_timestep` (murraylab/PsychRNN, psychrnn/backend/models/basic.py): the
//! Euler step of τ dx/dt = −x + … + √(2τ) σ η(t) with white noise η. It enters only passes
//! given a draw key (training); the stored states include it, so BPTT through them is exact.
//! x_0 is 0, a trained vector (`learned`) or, in a pass with a draw key, N(0, σ0²) (`random`).

use core::ops::Range;

use crate::config::{Activation, Config, InitialState, Loss, INITIAL_STATE_SD};
use crate::elementwise::{integrate, phi_prime, through_phi, Later};
use crate::error::Error;
use crate::kernels::{dot, sddmm_in_pieces, spmm, spmm_transposed, Rows, SparseView, SDDMM_PIECE};
use crate::math;
use crate::memory::try_resize;
use crate::parallel::{self, Disjoint};
use crate::params::Tensors;
use crate::profile::{self, Phase};
use crate::rng::{keyed, Rng, Stream};
use crate::structure::Recurrent;

/// One mini-batch. `x` is laid out [batch][step][input], as users hold it.
pub struct Batch<'a> {
    pub x: &'a [f32],
    pub size: usize,
    pub steps: usize,
    pub target: Target<'a>,
}

pub enum Target<'a> {
    /// No target (prediction only).
    None,
    /// One class per sequence, scored on the outputs averaged over the last `readout_steps`.
    Labels(&'a [i32]),
    /// A class per step [batch][step] and an optional weight per step [batch][step]: the loss is
    /// the mask-weighted mean of the per-step cross-entropies. Steps of weight 0 are not scored
    /// and their label is ignored (it may be −1).
    StepLabels { labels: &'a [i32], mask: Option<&'a [f32]> },
    /// Targets [batch][step][output] and an optional mask [batch][step].
    Values { y: &'a [f32], mask: Option<&'a [f32]> },
}

/// Buffers reused from one batch to the next; they are only reallocated when the batch shape
/// changes, never inside the time loop.
#[derive(Default, Clone, Debug)]
pub struct Workspace {
    pub batch: usize,
    pub steps: usize,
    /// The first step (0-based) whose outputs the last forward pass computed (see [`forward`]).
    pub y_from: usize,
    /// Inputs, [input][step][batch].
    pub u: Vec<f32>,
    /// States x and rates r, [neuron][step 0..=T][batch].
    pub x: Vec<f32>,
    pub r: Vec<f32>,
    /// Outputs and their gradients, [output][step 1..=T][batch].
    pub y: Vec<f32>,
    pub dy: Vec<f32>,
    /// dLoss/dx_t, [neuron][step 1..=T][batch].
    pub g: Vec<f32>,
    /// One step of recurrent input (forward) or W^T g (backward), [neuron][batch].
    pub tmp: Vec<f32>,
    /// Two steps, [2][neuron][batch]: the rates (forward) or dLoss/dx (backward) of the step
    /// just done, contiguous, beside the step being computed. A step's sparse product then
    /// reads one compact block instead of rows spread over the whole sequence (far fewer
    /// cache and TLB misses); the values are copies, so the results do not change.
    pub pair: Vec<f32>,
}

impl Workspace {
    /// Allocates the buffers a pass over `batch` × `steps` needs (with `gradient`: the backward
    /// pass too), failing with an error rather than aborting when memory runs out. The passes
    /// themselves then find their buffers sized and allocate nothing.
    pub fn reserve(&mut self, cfg: &Config, batch: usize, steps: usize, gradient: bool) -> Result<(), Error> {
        let (n, tb, sb) = (cfg.neurons, steps * batch, (steps + 1) * batch);
        let states =
            n.checked_mul(sb).ok_or_else(|| Error::option("batchSize", batch, "is too large", "lower batchSize"))?;
        try_resize(&mut self.u, cfg.inputs * tb, 0.0, "the inputs of the batch")?;
        try_resize(&mut self.x, states, 0.0, "the states of the batch")?;
        try_resize(&mut self.r, states, 0.0, "the rates of the batch")?;
        try_resize(&mut self.y, cfg.outputs * tb, 0.0, "the outputs of the batch")?;
        try_resize(&mut self.dy, cfg.outputs * tb, 0.0, "the output gradients of the batch")?;
        try_resize(&mut self.tmp, n * batch, 0.0, "one step of the batch")?;
        try_resize(&mut self.pair, 2 * n * batch, 0.0, "two steps of the batch")?;
        if gradient {
            try_resize(&mut self.g, n * tb, 0.0, "the gradients through time")?;
        }
        Ok(())
    }

    fn prepare(&mut self, cfg: &Config, batch: usize, steps: usize) {
        let (n, tb, sb) = (cfg.neurons, steps * batch, (steps + 1) * batch);
        self.batch = batch;
        self.steps = steps;
        self.u.resize(cfg.inputs * tb, 0.0);
        self.x.resize(n * sb, 0.0);
        self.r.resize(n * sb, 0.0);
        self.y.resize(cfg.outputs * tb, 0.0);
        self.dy.resize(cfg.outputs * tb, 0.0);
        self.tmp.resize(n * batch, 0.0);
        self.pair.resize(2 * n * batch, 0.0);
        // `g` (N·T·B values) is only needed by `backward`, which sizes it: forward-only passes
        // (evaluation, prediction) do not pay for it.
    }
}

/// r = φ(x), element by element.
fn phi(activation: Activation, x: &[f32], r: &mut [f32]) {
    match activation {
        Activation::Tanh => math::tanh_slice(x, r),
        Activation::Relu => r.iter_mut().zip(x).for_each(|(r, &x)| *r = x.max(0.0)),
    }
}

/// Neurons per parallel chunk. Fixed, so results do not depend on the number of threads.
pub const CHUNK: usize = 128;

/// The first step (0-based) whose outputs the loss of `target` reads: only the last
/// `readout_steps` for one label per sequence, every step otherwise.
pub fn scored_from(cfg: &Config, target: &Target, steps: usize) -> usize {
    match target {
        Target::Labels(_) => steps.saturating_sub(cfg.readout_steps),
        _ => 0,
    }
}

/// Runs the network over the batch, filling states and outputs in `ws`. Outputs are computed
/// for steps `y_from..T` only (earlier ones are left 0): a loss that reads only the last steps
/// does not pay for a readout at every step (see [`scored_from`]). `draws` is the key of
/// the pass's random draws (see [`crate::rng::noise_key`]): with it, the private noise and a
/// random initial state are drawn; without it (`None`), the pass is deterministic.
///
/// Neuron i's draws come from its own substream [`keyed`]`(key, i)`: its initial states are
/// normals 0..B of [`Stream::InitialState`] ([`Rng::normal`]); its noise at step t (1-based)
/// comes from [`Stream::Noise`] as ⌈B/2⌉ pairs ([`Rng::normal_pair_f32`]) per step, in order:
/// sequences 2p and 2p + 1 of step t take pair (t − 1)·⌈B/2⌉ + p.
pub fn forward(
    cfg: &Config,
    rec: &Recurrent,
    p: &Tensors,
    batch: &Batch,
    ws: &mut Workspace,
    draws: Option<u64>,
    y_from: usize,
) {
    let (n, d, o) = (cfg.neurons, cfg.inputs, cfg.outputs);
    let (b, t_max) = (batch.size, batch.steps);
    ws.prepare(cfg, b, t_max);
    ws.y_from = y_from.min(t_max);
    let from = ws.y_from * b;
    let (tb, sb) = (t_max * b, (t_max + 1) * b);
    let Workspace { u, x, r, y, tmp, pair, .. } = ws;

    // The inputs in neuron-major order, and the initial state (its rate counts as input work).
    profile::time(Phase::InputReadout, || {
        for s in 0..b {
            for t in 0..t_max {
                for k in 0..d {
                    u[k * tb + t * b + s] = batch.x[(s * t_max + t) * d + k];
                }
            }
        }
        for i in 0..n {
            let x0 = &mut x[i * sb..i * sb + b];
            match (cfg.initial_state, draws) {
                (InitialState::Learned, _) => x0.fill(p.x0[i]),
                (InitialState::Random, Some(key)) => {
                    let mut rng = Rng::new(cfg.seed, Stream::InitialState, keyed(key, i));
                    x0.iter_mut().for_each(|v| *v = INITIAL_STATE_SD * rng.normal() as f32);
                }
                _ => x0.fill(0.0),
            }
            phi(cfg.activation, &x[i * sb..i * sb + b], &mut r[i * sb..i * sb + b]);
            pair[i * b..(i + 1) * b].copy_from_slice(&r[i * sb..i * sb + b]);
        }
    });

    let alpha = cfg.alpha();
    // σ √(2α), the standard deviation of the noise added to a state in one step.
    let noise = match draws {
        Some(key) if cfg.noise > 0.0 => Some((key, (cfg.noise as f64 * (2.0 * alpha as f64).sqrt()) as f32)),
        _ => None,
    };
    let w = SparseView { indptr: &rec.csr.indptr, indices: &rec.csr.indices, values: &p.w_rec };
    let u: &[f32] = u;
    let (xs, rs, tmps) = (Disjoint::new(x), Disjoint::new(r), Disjoint::new(tmp));
    // Step t's rates are also written to half t mod 2 of `pair`, which step t + 1 reads.
    let halves = pair.split_at_mut(n * b);
    let halves = [Disjoint::new(halves.0), Disjoint::new(halves.1)];
    for t in 1..=t_max {
        // A chunk of neurons reads every neuron's rate at step t − 1 and writes its own neurons'
        // state and rate at step t (and their rows of `tmp` and of `pair`): the accesses never
        // overlap. SAFETY: step t − 1 (its half of `pair`) is not written during step t.
        let (r_prev, r_next) = (unsafe { halves[(t - 1) % 2].rows(b, b) }, &halves[t % 2]);
        parallel::for_rows(n, CHUNK, |rows| {
            // SAFETY: each chunk takes only its own neurons' rows (see above).
            let recurrent = unsafe { tmps.range(rows.start * b..rows.end * b) };
            profile::time(Phase::Spmm, || spmm(w, r_prev, recurrent, b, rows.clone()));
            profile::time(Phase::InputReadout, || {
                for i in rows.clone() {
                    let at = i * sb + t * b;
                    let (x_prev, x_now) = unsafe { (xs.range(at - b..at), xs.range(at..at + b)) };
                    let w_in = &p.w_in[i * d..(i + 1) * d];
                    let mut noise_rng = noise.map(|(key, _)| {
                        let mut rng = Rng::new(cfg.seed, Stream::Noise, keyed(key, i));
                        rng.skip(2 * ((t - 1) * b.div_ceil(2)) as u64);
                        rng
                    });
                    let rec_i = &recurrent[(i - rows.start) * b..(i - rows.start + 1) * b];
                    integrate(x_now, x_prev, rec_i, w_in, &u[(t - 1) * b..], tb, p.bias[i], alpha);
                    if let (Some(rng), Some((_, scale))) = (noise_rng.as_mut(), noise) {
                        let mut pair = (0.0f32, 0.0f32);
                        for (s, v) in x_now.iter_mut().enumerate() {
                            if s % 2 == 0 {
                                pair = rng.normal_pair_f32();
                            }
                            *v += scale * if s % 2 == 0 { pair.0 } else { pair.1 };
                        }
                    }
                }
            });
            profile::time(Phase::Nonlinearity, || {
                for i in rows.clone() {
                    let at = i * sb + t * b;
                    let (x_now, r_now) = unsafe { (xs.range(at..at + b), rs.range(at..at + b)) };
                    phi(cfg.activation, x_now, r_now);
                    unsafe { r_next.range(i * b..(i + 1) * b) }.copy_from_slice(r_now);
                }
            });
        });
    }

    let r: &[f32] = r;
    let ys = Disjoint::new(y);
    parallel::for_rows(o, 1, |outputs| {
        profile::time(Phase::InputReadout, || {
            for k in outputs {
                // SAFETY: output k's row belongs to this chunk only.
                let yk = unsafe { ys.range(k * tb..(k + 1) * tb) };
                yk[..from].fill(0.0);
                yk[from..].fill(p.b_out[k]);
                for i in 0..n {
                    let w = p.w_out[k * n + i];
                    for (yv, &rv) in yk[from..].iter_mut().zip(&r[i * sb + b + from..(i + 1) * sb]) {
                        *yv += w * rv;
                    }
                }
            }
        })
    });
}

/// What the loss of one batch found: the mean loss and the classification counts (zero for mse).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    pub loss: f64,
    /// Scored decisions that were right: sequences (`Labels`) or steps (`StepLabels`).
    pub correct: u32,
    /// Scored decisions: sequences, or steps of nonzero weight.
    pub scored: u32,
    /// Sequences with at least one scored decision, all of them right.
    pub trials_correct: u32,
}

/// Loss of the last forward pass and its classification counts, and (into `ws.dy`) the
/// gradient of the loss with respect to the outputs.
pub fn loss(cfg: &Config, target: &Target, ws: &mut Workspace) -> Score {
    ws.dy.fill(0.0);
    match *target {
        Target::None => Score::default(),
        Target::Labels(labels) => sequence_cross_entropy(cfg, labels, ws),
        Target::StepLabels { labels, mask } => step_cross_entropy(cfg, labels, mask, ws),
        Target::Values { y, mask } => mean_squared_error(cfg, y, mask, ws),
    }
}

/// Log-softmax of `logits`: returns log Σ exp(logits) (computed stably) and the arg max.
fn log_partition(logits: &[f32]) -> (f32, usize) {
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let sum_exp: f32 = logits.iter().map(|&l| math::exp(l - max)).sum();
    let best = (0..logits.len()).fold(0, |best, k| if logits[k] > logits[best] { k } else { best });
    (max + libm::logf(sum_exp), best)
}

fn sequence_cross_entropy(cfg: &Config, labels: &[i32], ws: &mut Workspace) -> Score {
    let (o, b, t_max) = (cfg.outputs, ws.batch, ws.steps);
    let (tb, window) = (t_max * b, cfg.readout_steps);
    let mut total = 0.0f64;
    let mut correct = 0;
    let mut logits = vec![0.0f32; o];
    for s in 0..b {
        window_logits(cfg, ws, s, &mut logits);
        let label = labels[s] as usize;
        let (log_z, best) = log_partition(&logits);
        total += (log_z - logits[label]) as f64;
        correct += (best == label) as u32;
        for k in 0..o {
            let p = math::exp(logits[k] - log_z);
            let d = (p - (k == label) as u32 as f32) / (b as f32) / (window as f32);
            for t in t_max - window..t_max {
                ws.dy[k * tb + t * b + s] = d;
            }
        }
    }
    Score { loss: total / b as f64, correct, scored: b as u32, trials_correct: correct }
}

fn step_cross_entropy(cfg: &Config, labels: &[i32], mask: Option<&[f32]>, ws: &mut Workspace) -> Score {
    let (o, b, t_max) = (cfg.outputs, ws.batch, ws.steps);
    let tb = t_max * b;
    let weight = |s: usize, t: usize| mask.map_or(1.0, |m| m[s * t_max + t]);
    let total_weight: f64 = mask.map_or((b * t_max) as f64, |m| m.iter().map(|&w| w as f64).sum());
    if total_weight == 0.0 {
        return Score::default();
    }
    let mut score = Score::default();
    let mut total = 0.0f64;
    let mut logits = vec![0.0f32; o];
    for s in 0..b {
        let (mut scored, mut right) = (0, 0);
        for t in 0..t_max {
            let m = weight(s, t);
            if m == 0.0 {
                continue;
            }
            for (k, logit) in logits.iter_mut().enumerate() {
                *logit = ws.y[k * tb + t * b + s];
            }
            let label = labels[s * t_max + t] as usize;
            let (log_z, best) = log_partition(&logits);
            total += m as f64 * (log_z - logits[label]) as f64;
            scored += 1;
            right += (best == label) as u32;
            for k in 0..o {
                let p = math::exp(logits[k] - log_z);
                let d = m as f64 * (p - (k == label) as u32 as f32) as f64 / total_weight;
                ws.dy[k * tb + t * b + s] = d as f32;
            }
        }
        score.scored += scored;
        score.correct += right;
        score.trials_correct += (scored > 0 && right == scored) as u32;
    }
    score.loss = total / total_weight;
    score
}

fn mean_squared_error(cfg: &Config, targets: &[f32], mask: Option<&[f32]>, ws: &mut Workspace) -> Score {
    let (o, b, t_max) = (cfg.outputs, ws.batch, ws.steps);
    let tb = t_max * b;
    let weight = |s: usize, t: usize| mask.map_or(1.0, |m| m[s * t_max + t]);
    let mut count = 0.0f64;
    for s in 0..b {
        for t in 0..t_max {
            count += weight(s, t) as f64;
        }
    }
    let denom = count * o as f64;
    if denom == 0.0 {
        return Score::default();
    }
    let mut total = 0.0f64;
    for s in 0..b {
        for t in 0..t_max {
            let m = weight(s, t);
            for k in 0..o {
                let diff = ws.y[k * tb + t * b + s] - targets[(s * t_max + t) * o + k];
                total += (m * diff * diff) as f64;
                ws.dy[k * tb + t * b + s] = (2.0 * (m * diff) as f64 / denom) as f32;
            }
        }
    }
    Score { loss: total / denom, ..Score::default() }
}

/// Class scores of sequence `s`: outputs averaged over the last `readout_steps` steps.
pub fn window_logits(cfg: &Config, ws: &Workspace, s: usize, logits: &mut [f32]) {
    let (b, t_max, window) = (ws.batch, ws.steps, cfg.readout_steps);
    for (k, logit) in logits.iter_mut().enumerate() {
        let mut sum = 0.0f32;
        for t in t_max - window..t_max {
            sum += ws.y[k * t_max * b + t * b + s];
        }
        *logit = sum / window as f32;
    }
}

/// Backpropagation through the whole sequence (after [`forward`] and [`loss`]): writes the
/// gradient of every parameter into `grads`. No parameter changes here.
pub fn backward(cfg: &Config, rec: &Recurrent, p: &Tensors, ws: &mut Workspace, grads: &mut Tensors) {
    let (n, d, o) = (cfg.neurons, cfg.inputs, cfg.outputs);
    let (b, t_max) = (ws.batch, ws.steps);
    let (tb, sb) = (t_max * b, (t_max + 1) * b);
    let alpha = cfg.alpha();
    ws.g.resize(n * tb, 0.0);
    // Output gradients before step y_from are 0 (the forward pass computed no outputs there).
    // The readout sums below start at the 8-aligned index at or before it, so they keep the
    // lanes (and bits) of sums over the whole sequence: the terms skipped are exact zeros.
    let (y_from, scored) = (ws.y_from, ws.y_from * b / 8 * 8);
    let Workspace { u, x, r, dy, g, tmp, pair, .. } = ws;
    let (u, x, r, dy): (&[f32], &[f32], &[f32], &[f32]) = (u, x, r, dy);

    // Readout: dW_out = Σ_t dy_t r_tᵀ, db_out = Σ_t dy_t (one chunk per output).
    let (w_out_g, b_out_g) = (Disjoint::new(&mut grads.w_out), Disjoint::new(&mut grads.b_out));
    parallel::for_rows(o, 1, |outputs| {
        profile::time(Phase::InputReadout, || {
            for k in outputs {
                let dyk = &dy[k * tb + scored..(k + 1) * tb];
                // SAFETY: output k's gradients belong to this chunk only.
                unsafe { b_out_g.set(k, dyk.iter().sum()) };
                let row = unsafe { w_out_g.range(k * n..(k + 1) * n) };
                for (i, wg) in row.iter_mut().enumerate() {
                    *wg = dot(dyk, &r[i * sb + b + scored..(i + 1) * sb]);
                }
            }
        })
    });

    // Recurrent weights in transposed order, gathered once per batch into the buffer of their
    // gradient: the copy is read only by the backward pass through time (and dL/dx_0), which
    // ends before the weight gradient is written, so it costs no memory of its own.
    let w_t = match &rec.transpose {
        Some(t) => {
            let w_rec_t = &mut grads.w_rec;
            debug_assert_eq!(w_rec_t.len(), t.perm.len());
            let gathered = Disjoint::new(w_rec_t);
            parallel::for_rows(n, CHUNK, |cols| {
                profile::time(Phase::SpmmTransposed, || {
                    let span = t.indptr[cols.start] as usize..t.indptr[cols.end] as usize;
                    // SAFETY: the entries of these columns belong to this chunk only.
                    let out = unsafe { gathered.range(span.clone()) };
                    for (v, &e) in out.iter_mut().zip(&t.perm[span]) {
                        *v = p.w_rec[e as usize];
                    }
                })
            });
            Transposed::Gathered(SparseView { indptr: &t.indptr, indices: &t.rows, values: &grads.w_rec })
        }
        None => {
            let w = SparseView { indptr: &rec.csr.indptr, indices: &rec.csr.indices, values: &p.w_rec };
            Transposed::Scattered(w, &rec.backbone_len)
        }
    };
    let chunk = w_t.chunk(n);

    // Backward through time: g_t = dL/dx_t.
    //   dL/dr_t = W_outᵀ dy_t + α Wᵀ g_{t+1},   g_t = dL/dr_t ⊙ φ'(x_t) + (1 − α) g_{t+1}
    // Step t's g is also written to half t mod 2 of `pair`, which step t − 1 reads.
    let (gs, tmps) = (Disjoint::new(g), Disjoint::new(&mut tmp[..]));
    let halves = pair.split_at_mut(n * b);
    let halves = [Disjoint::new(halves.0), Disjoint::new(halves.1)];
    for t in (1..=t_max).rev() {
        let has_next = t < t_max;
        // SAFETY: step t + 1 (its half of `pair`) is read while step t (the other half) is written.
        let (g_next, g_copy) = (unsafe { halves[(t + 1) % 2].rows(b, b) }, &halves[t % 2]);
        parallel::for_rows(n, chunk, |rows| {
            // SAFETY: each chunk takes only its own neurons' rows.
            let back = unsafe { tmps.range(rows.start * b..rows.end * b) };
            if has_next {
                profile::time(Phase::SpmmTransposed, || w_t.product(g_next, back, b, rows.clone()));
            }
            // SAFETY: step t's rows of these neurons belong to this chunk only.
            let g_now = |i: usize| unsafe { gs.range(i * tb + (t - 1) * b..i * tb + t * b) };
            profile::time(Phase::InputReadout, || {
                for i in rows.clone() {
                    // dL/dr_t from the readout, W_outᵀ dy_t, summed over outputs in order
                    // (0 before step y_from, where dy_t is 0).
                    let g_now = g_now(i);
                    g_now.fill(0.0);
                    if t <= y_from {
                        continue;
                    }
                    for k in 0..o {
                        let (w, dyk) = (p.w_out[k * n + i], &dy[k * tb + (t - 1) * b..k * tb + t * b]);
                        g_now.iter_mut().zip(dyk).for_each(|(v, &d)| *v += w * d);
                    }
                }
            });
            profile::time(Phase::Nonlinearity, || {
                for i in rows.clone() {
                    // g_now holds dL/dr_t here and dL/dx_t after.
                    let (g_now, at) = (g_now(i), i * sb + t * b);
                    let later = has_next.then(|| Later {
                        back: &back[(i - rows.start) * b..(i - rows.start + 1) * b],
                        next: g_next.row(i),
                    });
                    through_phi(cfg.activation, g_now, &x[at..at + b], &r[at..at + b], later, alpha);
                    unsafe { g_copy.range(i * b..(i + 1) * b) }.copy_from_slice(g_now);
                }
            });
        });
    }

    let g: &[f32] = g;
    if cfg.initial_state == InitialState::Learned {
        initial_state_gradient(cfg, &w_t, Rows::new(g, tb, b), x, r, tmp, &mut grads.x0, b, sb);
    }

    // dW = α Σ_t g_t r_{t−1}ᵀ at the synapses, dW_in = α Σ_t g_t u_tᵀ, db = α Σ_t g_t.
    let (g_rows, r_rows) = (Rows::new(g, tb, tb), Rows::new(r, sb, tb));
    let (w_rec_g, w_in_g, bias_g) =
        (Disjoint::new(&mut grads.w_rec), Disjoint::new(&mut grads.w_in), Disjoint::new(&mut grads.bias));
    let indptr = &rec.csr.indptr;
    let synapses = |rows: &Range<usize>| indptr[rows.start] as usize..indptr[rows.end] as usize;
    // Frozen backbone synapses keep a zero gradient and cost no work.
    let skip = (!cfg.train_backbone).then_some(&rec.backbone_len[..]);
    parallel::for_rows(n, sddmm_block(n, tb), |rows| {
        // SAFETY: the synapses of these neurons belong to this block.
        let w_rec = unsafe { w_rec_g.range(synapses(&rows)) };
        w_rec.fill(0.0);
        // In pieces with a transpose of their own even when the network has one: measured
        // 28 % faster at N = 20,000, K = 200 than through the network's (bench/README.md).
        profile::time(Phase::Sddmm, || {
            let indices = &rec.csr.indices;
            sddmm_in_pieces(indptr, indices, n, g_rows, r_rows, w_rec, rows.clone(), skip, SDDMM_PIECE)
        });
    });
    parallel::for_rows(n, CHUNK, |rows| {
        // SAFETY: the synapses, input weights and biases of these neurons belong to this chunk.
        let w_rec = unsafe { w_rec_g.range(synapses(&rows)) };
        let (w_in, bias) = unsafe { (w_in_g.range(rows.start * d..rows.end * d), bias_g.range(rows.clone())) };
        profile::time(Phase::InputReadout, || {
            for i in rows.clone() {
                let gi = g_rows.row(i);
                bias[i - rows.start] = gi.iter().sum();
                for k in 0..d {
                    w_in[(i - rows.start) * d + k] = dot(gi, &u[k * tb..(k + 1) * tb]);
                }
            }
        });
        if alpha != 1.0 {
            for v in w_rec.iter_mut().chain(w_in.iter_mut()).chain(bias.iter_mut()) {
                *v *= alpha;
            }
        }
    });
}

/// Bytes of dL/dx rows one block of the weight gradient holds (see [`sddmm_block`]).
const SDDMM_BLOCK_BYTES: usize = 4 << 20;

/// Neurons per block of the weight gradient: as many as fit their rows of dL/dx (T·B floats
/// each) in about 4 MiB, so that the rows stay in cache while the rates stream past once per
/// piece of the block ([`sddmm_in_pieces`]), at least two blocks per thread and a multiple
/// of the threads in all (five blocks on two threads left one idle a fifth of the time at
/// N = 8,192, K = 256), and at least one chunk. Each synapse's gradient is one dot product
/// whatever the blocks, so the bits do not depend on this.
fn sddmm_block(neurons: usize, tb: usize) -> usize {
    let threads = parallel::pool().threads();
    let rows = (SDDMM_BLOCK_BYTES / (4 * tb).max(1)).min(neurons.div_ceil(2 * threads)).max(1);
    let blocks = neurons.div_ceil(rows).next_multiple_of(threads);
    neurons.div_ceil(blocks).max(CHUNK)
}

/// dL/dx_0 summed over the batch, from g_1 = dL/dx_1 (the gradient flowing into slot 0):
///   dL/dx_0 = (1 − α) g_1 + α φ'(x_0) ⊙ Wᵀ g_1.
#[allow(clippy::too_many_arguments)]
fn initial_state_gradient(
    cfg: &Config,
    w_t: &Transposed,
    g_1: Rows,
    x: &[f32],
    r: &[f32],
    tmp: &mut [f32],
    x0_grad: &mut [f32],
    b: usize,
    sb: usize,
) {
    let alpha = cfg.alpha();
    let (tmps, out) = (Disjoint::new(tmp), Disjoint::new(x0_grad));
    parallel::for_rows(cfg.neurons, w_t.chunk(cfg.neurons), |rows| {
        // SAFETY: each chunk takes only its own neurons' rows of `tmp` and entries of the gradient.
        let (back, grad) = unsafe { (tmps.range(rows.start * b..rows.end * b), out.range(rows.clone())) };
        w_t.product(g_1, back, b, rows.clone());
        for i in rows.clone() {
            let mut sum = 0.0f32;
            for s in 0..b {
                let deriv = phi_prime(cfg.activation, x[i * sb + s], r[i * sb + s]);
                sum += (1.0 - alpha) * g_1.row(i)[s] + alpha * deriv * back[(i - rows.start) * b + s];
            }
            grad[i - rows.start] = sum;
        }
    });
}

/// Wᵀ of the recurrent weights for the backward pass: the weights gathered in the transpose's
/// order, or (without a transpose) the rows themselves with their sorted backbone lengths.
/// Both give the same bits (see [`spmm_transposed`]).
enum Transposed<'a> {
    Gathered(SparseView<'a>),
    Scattered(SparseView<'a>, &'a [u32]),
}

impl Transposed<'_> {
    /// y[j] = (Wᵀx)[j] for the neurons `cols`, row `cols.start + r` at `y[r * y_stride..]`.
    fn product(&self, x: Rows, y: &mut [f32], y_stride: usize, cols: Range<usize>) {
        match *self {
            Transposed::Gathered(w_t) => spmm(w_t, x, y, y_stride, cols),
            Transposed::Scattered(w, sorted) => spmm_transposed(w, sorted, x, y, y_stride, cols),
        }
    }

    /// Neurons per parallel chunk: scattering reads every row once per chunk, so one chunk
    /// per thread.
    fn chunk(&self, n: usize) -> usize {
        match self {
            Transposed::Gathered(_) => CHUNK,
            Transposed::Scattered(..) => n.div_ceil(parallel::pool().threads()).max(1),
        }
    }
}

/// Selects `Loss`-appropriate validation of a target in [`crate::network::Network`].
pub fn expects_labels(cfg: &Config) -> bool {
    cfg.loss == Loss::CrossEntropy
}
