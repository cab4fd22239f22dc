//! A sparse recurrent network: structure, parameters, optimizer state and reusable buffers,
//! held in one object (JavaScript addresses it through a single handle).

use crate::config::{Config, Growth, Mode};
use crate::error::Error;
use crate::growth::{self, Context};
use crate::hash::StateHasher;
use crate::kernels::{dot, Rows};
use crate::memory;
use crate::optim::{Adam, AdamConfig};
use crate::params::Tensors;
use crate::populations::{self, Populations, E, I};
use crate::profile::{self, Phase};
use crate::rng::{growth_substream, Rng, Stream};
use crate::rnn::{self, Batch, Score, Target, Workspace};
use crate::stats::{self, ChiSquare};
use crate::structure::Recurrent;

/// What hidden mode keeps: every neuron's learned out-degree and, with populations, how many of
/// its learned inputs are excitatory (with the fixed backbone, that keeps every in- and
/// out-degree, per block).
#[derive(Clone, Debug, PartialEq)]
struct HiddenDegrees {
    out: Vec<u32>,
    from_excitatory: Vec<u32>,
}

impl HiddenDegrees {
    fn of(config: &Config, structure: &Recurrent) -> HiddenDegrees {
        let from_excitatory = match Populations::of(config) {
            Some(pops) => structure.learned_from(&pops, E),
            None => Vec::new(),
        };
        HiddenDegrees { out: structure.out_degree(true), from_excitatory }
    }
}

/// What one batch gave: the loss and classification counts, and the gradient norm (training).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    pub score: Score,
    pub grad_norm: f64,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub config: Config,
    pub structure: Recurrent,
    pub params: Tensors,
    pub grads: Tensors,
    pub adam: Adam,
    /// Fixed sign of each learned synapse, neurons × learned (`deep_r` only; empty otherwise).
    pub signs: Vec<f32>,
    /// Rewirings done so far, and synapses swapped by them.
    pub rewires: u64,
    pub turnover: u64,
    /// Hidden mode: the degrees every rewiring must keep (checked after each one).
    hidden_degrees: Option<HiddenDegrees>,
    ws: Workspace,
    /// Whether `ws` holds the activity and gradients of the last training batch.
    ws_has_gradient: bool,
    /// The factor gradient clipping applied to the last training batch (1 if none).
    clip_scale: f32,
}

impl Network {
    pub fn new(config: Config) -> Result<Network, Error> {
        config.validate()?;
        memory::check_network(&config, memory::limit())?;
        let structure = Recurrent::build(&config)?;
        let params = init_params(&config, &structure)?;
        let adam = Adam::new(&params)?;
        let signs = match config.growth {
            Growth::DeepR => {
                // Under Dale's law a learned synapse has its presynaptic neuron's sign.
                let dale = Populations::of(&config).filter(|_| config.dale);
                let mut rng = Rng::new(config.seed, Stream::Growth, growth_substream::DEEP_R_SIGNS);
                (0..config.neurons)
                    .flat_map(|i| structure.learned_partners(i).to_vec())
                    .map(|j| match dale {
                        Some(pops) => pops.sign(j as usize),
                        None => growth::random_sign(&mut rng),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Network::from_parts(config, structure, params, adam, signs, 0, 0)
    }

    /// A network from saved parts (see `checkpoint::load`, which checks them first).
    pub(crate) fn from_parts(
        config: Config,
        structure: Recurrent,
        params: Tensors,
        adam: Adam,
        signs: Vec<f32>,
        rewires: u64,
        turnover: u64,
    ) -> Result<Network, Error> {
        // The gradients are allocated by the first training batch (see `loss_and_gradient`):
        // a network that is only loaded, run or saved never needs them.
        let grads = Tensors::default();
        let hidden_degrees = (config.mode == Mode::Hidden).then(|| HiddenDegrees::of(&config, &structure));
        Ok(Network {
            config,
            structure,
            params,
            grads,
            adam,
            signs,
            rewires,
            turnover,
            hidden_degrees,
            ws: Workspace::default(),
            ws_has_gradient: false,
            clip_scale: 1.0,
        })
    }

    /// Drops the transpose of the connectivity (8 bytes per synapse; see
    /// `structure::Recurrent::transpose`): training keeps its bits and takes longer. A network
    /// too large for it is built without one, and one whose training batch would not fit
    /// beside it drops it by itself.
    pub fn compact(&mut self) {
        self.structure.transpose = None;
    }

    /// Refuses (E_OPTION, with the largest batch size that fits) a training batch of `size`
    /// sequences of `steps` steps whose states would not fit beside the network, even in the
    /// compact layout.
    pub fn check_training_memory(&self, size: usize, steps: usize) -> Result<(), Error> {
        let limit = memory::limit();
        if !self.is_compact() && memory::check_training(&self.config, true, size, steps, limit).is_ok() {
            return Ok(());
        }
        // Training would drop the transpose to make room, so what fits is what fits without.
        memory::check_training(&self.config, false, size, steps, limit)
    }

    /// Whether the network is in the compact layout (see [`Network::compact`]).
    pub fn is_compact(&self) -> bool {
        self.structure.transpose.is_none()
    }

    /// Forward, loss, BPTT and one Adam step. A non-finite loss or gradient leaves every
    /// weight untouched and returns an `E_DIVERGED` error.
    pub fn train_batch(&mut self, batch: &Batch, opt: &AdamConfig) -> Result<StepStats, Error> {
        profile::time(Phase::Step, || self.train_batch_untimed(batch, opt))
    }

    fn train_batch_untimed(&mut self, batch: &Batch, opt: &AdamConfig) -> Result<StepStats, Error> {
        opt.validate()?;
        let score = self.loss_and_gradient(batch)?;
        let (loss, grad_norm) = (score.loss, profile::time(Phase::Adam, || self.grads.norm()));
        if !loss.is_finite() || !grad_norm.is_finite() {
            return Err(Error {
                code: "E_DIVERGED",
                message: format!(
                    "training diverged at optimizer step {} (loss {loss}, gradient norm {grad_norm}); lower lr or gain",
                    self.adam.steps + 1
                ),
            });
        }
        profile::time(Phase::Adam, || self.adam.step(&mut self.params, &mut self.grads, opt));
        self.clip_scale = if opt.clip_norm > 0.0 && grad_norm > opt.clip_norm as f64 {
            (opt.clip_norm as f64 / grad_norm) as f32
        } else {
            1.0
        };
        if let Some(pops) = self.dale() {
            profile::time(Phase::Adam, || populations::project(&pops, &self.structure, &mut self.params.w_rec));
        }
        if self.config.growth == Growth::DeepR {
            self.deep_r_constraint(opt.lr);
        }
        Ok(StepStats { score, grad_norm })
    }

    /// Loss and gradient (into `self.grads`) without changing any weight.
    pub fn loss_and_gradient(&mut self, batch: &Batch) -> Result<Score, Error> {
        self.check_batch(batch, true)?;
        self.check_training_memory(batch.size, batch.steps)?;
        if memory::drops_transpose_for(&self.config, batch.size, batch.steps, memory::limit()) {
            // The batch fits only beside the compact layout: the same bits, more time.
            self.compact();
        }
        // The gradients (first batch only) before the states of the batch, the larger first.
        if !self.grads.same_shapes(&self.params) {
            self.grads = Tensors::zeros_like(&self.params, "the gradients")?;
        }
        self.ws.reserve(&self.config, batch.size, batch.steps, true)?;
        // Private noise and random initial states: drawn afresh at every optimizer step.
        let draws = Some(self.adam.steps);
        let y_from = rnn::scored_from(&self.config, &batch.target, batch.steps);
        rnn::forward(&self.config, &self.structure, &self.params, batch, &mut self.ws, draws, y_from);
        let score = profile::time(Phase::Loss, || rnn::loss(&self.config, &batch.target, &mut self.ws));
        rnn::backward(&self.config, &self.structure, &self.params, &mut self.ws, &mut self.grads);
        self.ws_has_gradient = true;
        Ok(score)
    }

    /// Loss and accuracy count on a batch, without gradients (and without noise).
    pub fn evaluate(&mut self, batch: &Batch) -> Result<StepStats, Error> {
        self.evaluate_with(batch, None)
    }

    /// [`Network::evaluate`] with the private noise and random initial states of training,
    /// drawn under key `noise_key::EVALUATION + index` (`index` < 2^32, e.g. the batch number):
    /// the same index gives the same draws.
    pub fn evaluate_noisy(&mut self, batch: &Batch, index: u32) -> Result<StepStats, Error> {
        self.evaluate_with(batch, Some(crate::rng::noise_key::EVALUATION + index as u64))
    }

    fn evaluate_with(&mut self, batch: &Batch, draws: Option<u64>) -> Result<StepStats, Error> {
        self.check_batch(batch, true)?;
        self.ws_has_gradient = false;
        self.ws.reserve(&self.config, batch.size, batch.steps, false)?;
        let y_from = rnn::scored_from(&self.config, &batch.target, batch.steps);
        rnn::forward(&self.config, &self.structure, &self.params, batch, &mut self.ws, draws, y_from);
        let score = profile::time(Phase::Loss, || rnn::loss(&self.config, &batch.target, &mut self.ws));
        Ok(StepStats { score, grad_norm: 0.0 })
    }

    /// Class scores [batch][output] (cross-entropy networks) or outputs [batch][step][output].
    pub fn predict(&mut self, batch: &Batch) -> Result<Vec<f32>, Error> {
        if !rnn::expects_labels(&self.config) {
            return self.outputs(batch);
        }
        self.check_batch(batch, false)?;
        self.check_readout(batch.steps)?;
        self.ws_has_gradient = false;
        self.ws.reserve(&self.config, batch.size, batch.steps, false)?;
        let y_from = batch.steps - self.config.readout_steps;
        rnn::forward(&self.config, &self.structure, &self.params, batch, &mut self.ws, None, y_from);
        let o = self.config.outputs;
        let mut out = vec![0.0; batch.size * o];
        for (s, chunk) in out.chunks_exact_mut(o).enumerate() {
            rnn::window_logits(&self.config, &self.ws, s, chunk);
        }
        Ok(out)
    }

    /// The outputs at every step, [batch][step][output] (for either loss).
    pub fn outputs(&mut self, batch: &Batch) -> Result<Vec<f32>, Error> {
        self.check_batch(batch, false)?;
        self.ws_has_gradient = false;
        self.ws.reserve(&self.config, batch.size, batch.steps, false)?;
        rnn::forward(&self.config, &self.structure, &self.params, batch, &mut self.ws, None, 0);
        let (o, b, t_max) = (self.config.outputs, batch.size, batch.steps);
        let mut out = vec![0.0; b * t_max * o];
        for s in 0..b {
            for t in 0..t_max {
                for k in 0..o {
                    out[(s * t_max + t) * o + k] = self.ws.y[k * t_max * b + t * b + s];
                }
            }
        }
        Ok(out)
    }

    /// One rewiring with the configured growth strategy, scored on the last training batch.
    /// Scheduled strategies swap fraction · learned synapses per neuron (dithered, see
    /// `growth::swap_count`); `deep_r`
    /// regrows its dead synapses whatever the fraction; `random` never changes. Returns the
    /// number of synapses swapped.
    pub fn rewire(&mut self, fraction: f32) -> Result<u64, Error> {
        if !(fraction.is_finite() && (0.0..=1.0).contains(&fraction)) {
            return Err(Error::option("rewireFraction", fraction, "must be between 0 and 1", "use e.g. 0.3"));
        }
        if self.config.growth == Growth::Random {
            return Ok(0);
        }
        if !self.ws_has_gradient {
            return Err(Error::state("rewire needs the gradients of a training batch; train a batch first"));
        }
        let swaps = growth::plan(&self.growth_context(), fraction)?;
        let (b, t) = (self.ws.batch, self.ws.steps);
        let births = growth::Births {
            g: Rows::new(&self.ws.g, t * b, t * b),
            r: Rows::new(&self.ws.r, (t + 1) * b, t * b),
            pops: Populations::of(&self.config),
            config: &self.config,
            round: self.rewires,
            clip_scale: self.clip_scale,
        };
        let state = growth::State {
            structure: &mut self.structure,
            params: &mut self.params,
            adam: &mut self.adam,
            signs: &mut self.signs,
        };
        let swapped = growth::apply(state, swaps, &births)?;
        if let Some(kept) = &self.hidden_degrees {
            if HiddenDegrees::of(&self.config, &self.structure) != *kept {
                return Err(Error::state("a hidden-mode rewiring changed a degree"));
            }
        }
        self.rewires += 1;
        self.turnover += swapped;
        Ok(swapped)
    }

    fn growth_context(&self) -> Context<'_> {
        let (b, t) = (self.ws.batch, self.ws.steps);
        Context {
            config: &self.config,
            structure: &self.structure,
            params: &self.params,
            g: Rows::new(&self.ws.g, t * b, t * b),
            r: Rows::new(&self.ws.r, (t + 1) * b, t * b),
            round: self.rewires,
            pops: Populations::of(&self.config),
            saturated: match self.config.max_learned_out {
                0 => Vec::new(),
                cap => (0..self.config.neurons as u32)
                    .zip(self.structure.out_degree(true))
                    .filter(|&(_, d)| d as usize >= cap)
                    .map(|(j, _)| j)
                    .collect(),
            },
        }
    }

    /// The populations, when Dale's law holds.
    fn dale(&self) -> Option<Populations> {
        Populations::of(&self.config).filter(|_| self.config.dale)
    }

    /// |dLoss/dW_ij| that a synapse j → i would have on the last training batch (the
    /// `gradient` strategy's score, times α); `None` before any training batch.
    pub fn candidate_score(&self, i: usize, j: usize) -> Option<f32> {
        if !self.ws_has_gradient {
            return None;
        }
        let ctx = self.growth_context();
        Some(dot(ctx.g.row(i), ctx.r.row(j)).abs() * self.config.alpha())
    }

    /// DEEP R after each optimizer step: optional L1 shrinkage and exploration noise on the
    /// learned weights, then every weight that crossed its fixed sign is clamped to 0 (dead).
    fn deep_r_constraint(&mut self, lr: f32) {
        let c = &self.config;
        let noise = (2.0 * lr * c.deep_r_temperature).sqrt();
        let mut rng = Rng::new(c.seed, Stream::Growth, growth_substream::DEEP_R_NOISE + self.adam.steps);
        let s = &self.structure;
        for i in 0..c.neurons {
            let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
            for slot in 0..s.learned {
                let sign = self.signs[i * s.learned + slot];
                let w = &mut self.params.w_rec[first + slot];
                *w -= lr * c.deep_r_l1 * sign;
                if noise > 0.0 {
                    *w += noise * rng.normal() as f32;
                }
                if *w * sign < 0.0 {
                    *w = 0.0;
                }
            }
        }
    }

    /// Chi-square test of the current in-degrees against their distribution in the random
    /// graph: Binomial(neurons − 1, k / neurons), or with per-block in-degrees the sum of one
    /// binomial per source population, tested per population and combined.
    pub fn in_degree_test(&self) -> ChiSquare {
        self.degree_test(&self.structure.in_degree(), false)
    }

    /// The same for the out-degrees (with blocks, those of population b follow the sum of the
    /// binomials of the blocks it sends to).
    pub fn out_degree_test(&self) -> ChiSquare {
        self.degree_test(&self.structure.out_degree(false), true)
    }

    fn degree_test(&self, degrees: &[u32], outgoing: bool) -> ChiSquare {
        let c = &self.config;
        let pops = match Populations::of(c) {
            Some(pops) if c.blocks.is_some() => pops,
            _ => return stats::binomial_chi_square(degrees, c.neurons as u64 - 1, c.k as f64 / c.neurons as f64),
        };
        let parts: Vec<ChiSquare> = [E, I]
            .map(|a| {
                // Neuron of population a: one binomial per other population b, with the
                // candidates and probability of block (a ← b), or (b ← a) for out-degrees.
                let block = |b: usize| {
                    let (target, source) = if outgoing { (b, a) } else { (a, b) };
                    let candidates = pops.size(b) - (a == b) as usize;
                    let possible = pops.size(source) - (target == source) as usize;
                    let p = if possible == 0 { 0.0 } else { pops.block_k(c, target, source) / possible as f64 };
                    stats::binomial_pmf(candidates as u64, p.min(1.0))
                };
                let pmf = stats::convolve(&block(E), &block(I), c.neurons);
                stats::chi_square(&degrees[pops.range(a)], &pmf)
            })
            .to_vec();
        stats::combine(&parts)
    }

    /// Rates r_t of the given neurons over a forward pass: [neuron][step 1..=T][batch].
    pub fn activity(&mut self, batch: &Batch, neurons: &[u32]) -> Result<Vec<f32>, Error> {
        self.check_batch(batch, false)?;
        if let Some(&bad) = neurons.iter().find(|&&i| i as usize >= self.config.neurons) {
            return Err(Error::option(
                "activity neuron",
                bad,
                &format!("must be below the number of neurons (={})", self.config.neurons),
                "pick existing neurons",
            ));
        }
        self.ws_has_gradient = false;
        self.ws.reserve(&self.config, batch.size, batch.steps, false)?;
        // Rates only: no outputs are computed.
        rnn::forward(&self.config, &self.structure, &self.params, batch, &mut self.ws, None, batch.steps);
        let (b, t) = (batch.size, batch.steps);
        let sb = (t + 1) * b;
        Ok(neurons
            .iter()
            .flat_map(|&i| self.ws.r[i as usize * sb + b..(i as usize + 1) * sb].iter().copied())
            .collect())
    }

    /// Class scores average the last `readout_steps` outputs: the sequence must be that long.
    fn check_readout(&self, steps: usize) -> Result<(), Error> {
        if self.config.readout_steps <= steps {
            return Ok(());
        }
        Err(Error::option(
            "readoutSteps",
            self.config.readout_steps,
            &format!("exceeds the sequence length (={steps})"),
            "lower readoutSteps",
        ))
    }

    /// Hash of the structure, every weight, the optimizer state and the step counter.
    pub fn state_hash(&self) -> String {
        let mut h = StateHasher::default();
        h.u32s(&self.structure.csr.indptr);
        h.u32s(&self.structure.csr.indices);
        h.u32s(&self.structure.backbone_len);
        for tensors in [&self.params, &self.adam.m, &self.adam.v] {
            for t in tensors.hashed() {
                h.f32s(t);
            }
        }
        h.f32s(&self.signs);
        h.bytes(&self.adam.steps.to_le_bytes());
        h.bytes(&self.rewires.to_le_bytes());
        h.hex()
    }

    fn check_batch(&self, batch: &Batch, needs_target: bool) -> Result<(), Error> {
        let c = &self.config;
        if batch.size == 0 || batch.steps == 0 {
            return Err(Error::data(format!(
                "batch shape [{}, {}, {}] is empty; pass at least one sequence of at least one step",
                batch.size, batch.steps, c.inputs
            )));
        }
        if batch.x.len() != batch.size * batch.steps * c.inputs {
            return Err(Error::data(format!(
                "x has {} values but the shape [{}, {}, {}] needs {}",
                batch.x.len(),
                batch.size,
                batch.steps,
                c.inputs,
                batch.size * batch.steps * c.inputs
            )));
        }
        if matches!(batch.target, Target::Labels(_)) {
            self.check_readout(batch.steps)?;
        }
        match (&batch.target, rnn::expects_labels(c)) {
            (Target::None, _) if !needs_target => Ok(()),
            (Target::Labels(labels), true) => {
                if labels.len() != batch.size {
                    return Err(Error::data(format!(
                        "labels has {} entries for {} sequences",
                        labels.len(),
                        batch.size
                    )));
                }
                match labels.iter().position(|&l| l < 0 || l as usize >= c.outputs) {
                    Some(at) => Err(Error::data(format!(
                        "labels[{at}] (={}) must be in 0..{} (outputs)",
                        labels[at], c.outputs
                    ))),
                    None => Ok(()),
                }
            }
            (Target::StepLabels { labels, mask }, true) => {
                let steps = batch.size * batch.steps;
                if labels.len() != steps {
                    return Err(Error::data(format!(
                        "labels has {} entries; a class per step needs {steps}",
                        labels.len()
                    )));
                }
                check_mask(mask, steps)?;
                let scored = |at: usize| mask.is_none_or(|m| m[at] != 0.0);
                match (0..steps).find(|&at| scored(at) && !(0..c.outputs as i32).contains(&labels[at])) {
                    Some(at) => Err(Error::data(format!(
                        "labels[{at}] (={}) must be in 0..{} (outputs) at a scored step",
                        labels[at], c.outputs
                    ))),
                    None => Ok(()),
                }
            }
            (Target::Values { y, mask }, false) => {
                let want = batch.size * batch.steps * c.outputs;
                if y.len() != want {
                    return Err(Error::data(format!("targets has {} values, the shape needs {want}", y.len())));
                }
                check_mask(mask, batch.size * batch.steps)
            }
            (_, true) => Err(Error::data("this network uses the cross_entropy loss: pass labels")),
            (_, false) => Err(Error::data("this network uses the mse loss: pass targets")),
        }
    }
}

/// A mask has one finite weight ≥ 0 per step.
fn check_mask(mask: &Option<&[f32]>, steps: usize) -> Result<(), Error> {
    let Some(m) = mask else { return Ok(()) };
    if m.len() != steps {
        return Err(Error::data(format!("mask has {} values, the shape needs {steps}", m.len())));
    }
    match m.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        Some(at) => Err(Error::data(format!("mask[{at}] (={}) must be a finite weight >= 0", m[at]))),
        None => Ok(()),
    }
}

/// Input weights N(0, 1/inputs), backbone gain·N(0, 1)/√k, learned synapses 0 (a new synapse
/// starts silent), readout N(0, 1/neurons), biases 0. Each tensor draws from its own substream.
fn init_params(c: &Config, rec: &Recurrent) -> Result<Tensors, Error> {
    let normals = |sub: u64, len: usize, scale: f64| {
        let mut rng = Rng::new(c.seed, Stream::Init, sub);
        (0..len).map(|_| (rng.normal() * scale) as f32).collect::<Vec<f32>>()
    };
    let pops = Populations::of(c);
    let mut rng = Rng::new(c.seed, Stream::Init, 1);
    let mut w_rec = memory::try_filled(rec.csr.nnz(), 0.0, "the recurrent weights")?;
    for i in 0..c.neurons {
        for e in rec.csr.row_range(i) {
            let w = populations::backbone_weight(c, pops.as_ref(), i, rec.csr.indices[e] as usize, &mut rng);
            // Learned synapses start at 0.
            w_rec[e] = if rec.is_learned(i, e) { 0.0 } else { w };
        }
    }
    Ok(Tensors {
        w_in: normals(0, c.neurons * c.inputs, 1.0 / (c.inputs as f64).sqrt()),
        bias: (0..c.neurons).map(|i| populations::initial_bias(c, pops.as_ref(), i)).collect(),
        w_rec,
        w_out: normals(2, c.outputs * c.neurons, 1.0 / (c.neurons as f64).sqrt()),
        b_out: vec![0.0; c.outputs],
        x0: crate::params::initial_x0(c),
    })
}
