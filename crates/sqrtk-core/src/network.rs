//! A sparse recurrent network: structure, parameters, optimizer state and reusable buffers,
//! held in one object (JavaScript addresses it through a single handle).

use crate::config::Config;
use crate::error::Error;
use crate::hash::StateHasher;
use crate::optim::{Adam, AdamConfig};
use crate::params::Tensors;
use crate::rng::{Rng, Stream};
use crate::rnn::{self, Batch, Target, Workspace};
use crate::structure::Recurrent;

/// What one batch gave: mean loss, correctly classified sequences, gradient norm (training).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    pub loss: f64,
    pub correct: u32,
    pub grad_norm: f64,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub config: Config,
    pub structure: Recurrent,
    pub params: Tensors,
    pub grads: Tensors,
    pub adam: Adam,
    ws: Workspace,
}

impl Network {
    pub fn new(config: Config) -> Result<Network, Error> {
        config.validate()?;
        let structure = Recurrent::build(&config)?;
        let params = init_params(&config, &structure);
        let grads = Tensors::zeros_like(&params);
        let adam = Adam::new(&params);
        Ok(Network {
            config,
            structure,
            params,
            grads,
            adam,
            ws: Workspace::default(),
        })
    }

    /// Forward, loss, BPTT and one Adam step. A non-finite loss or gradient leaves every
    /// weight untouched and returns an `E_DIVERGED` error.
    pub fn train_batch(&mut self, batch: &Batch, opt: &AdamConfig) -> Result<StepStats, Error> {
        let (loss, correct) = self.loss_and_gradient(batch)?;
        let grad_norm = self.grads.norm();
        if !loss.is_finite() || !grad_norm.is_finite() {
            return Err(Error {
                code: "E_DIVERGED",
                message: format!("training diverged at optimizer step {} (loss {loss}, gradient norm {grad_norm}); lower lr or gain", self.adam.steps + 1),
            });
        }
        self.adam.step(&mut self.params, &mut self.grads, opt);
        Ok(StepStats {
            loss,
            correct,
            grad_norm,
        })
    }

    /// Loss and gradient (into `self.grads`) without changing any weight.
    pub fn loss_and_gradient(&mut self, batch: &Batch) -> Result<(f64, u32), Error> {
        self.check_batch(batch, true)?;
        rnn::forward(
            &self.config,
            &self.structure,
            &self.params,
            batch,
            &mut self.ws,
        );
        let (loss, correct) = rnn::loss(&self.config, &batch.target, &mut self.ws);
        rnn::backward(
            &self.config,
            &self.structure,
            &self.params,
            &mut self.ws,
            &mut self.grads,
        );
        Ok((loss, correct))
    }

    /// Loss and accuracy count on a batch, without gradients.
    pub fn evaluate(&mut self, batch: &Batch) -> Result<StepStats, Error> {
        self.check_batch(batch, true)?;
        rnn::forward(
            &self.config,
            &self.structure,
            &self.params,
            batch,
            &mut self.ws,
        );
        let (loss, correct) = rnn::loss(&self.config, &batch.target, &mut self.ws);
        Ok(StepStats {
            loss,
            correct,
            grad_norm: 0.0,
        })
    }

    /// Class scores [batch][output] (cross-entropy networks) or outputs [batch][step][output].
    pub fn predict(&mut self, batch: &Batch) -> Result<Vec<f32>, Error> {
        self.check_batch(batch, false)?;
        rnn::forward(
            &self.config,
            &self.structure,
            &self.params,
            batch,
            &mut self.ws,
        );
        let (o, b, t_max) = (self.config.outputs, batch.size, batch.steps);
        if rnn::expects_labels(&self.config) {
            let mut out = vec![0.0; b * o];
            for (s, chunk) in out.chunks_exact_mut(o).enumerate() {
                rnn::window_logits(&self.config, &self.ws, s, chunk);
            }
            Ok(out)
        } else {
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
    }

    /// Hash of the structure, every weight, the optimizer state and the step counter.
    pub fn state_hash(&self) -> String {
        let mut h = StateHasher::default();
        h.u32s(&self.structure.csr.indptr);
        h.u32s(&self.structure.csr.indices);
        h.u32s(&self.structure.backbone_len);
        for tensors in [&self.params, &self.adam.m, &self.adam.v] {
            for t in tensors.all() {
                h.f32s(t);
            }
        }
        h.bytes(&self.adam.steps.to_le_bytes());
        h.hex()
    }

    fn check_batch(&self, batch: &Batch, needs_target: bool) -> Result<(), Error> {
        let c = &self.config;
        if batch.size == 0 || batch.steps == 0 {
            return Err(Error::data(format!("batch shape [{}, {}, {}] is empty; pass at least one sequence of at least one step", batch.size, batch.steps, c.inputs)));
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
        if rnn::expects_labels(c) && c.readout_steps > batch.steps {
            return Err(Error::option(
                "readoutSteps",
                c.readout_steps,
                &format!("exceeds the sequence length (={})", batch.steps),
                "lower readoutSteps",
            ));
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
                match labels
                    .iter()
                    .position(|&l| l < 0 || l as usize >= c.outputs)
                {
                    Some(at) => Err(Error::data(format!(
                        "labels[{at}] (={}) must be in 0..{} (outputs)",
                        labels[at], c.outputs
                    ))),
                    None => Ok(()),
                }
            }
            (Target::Values { y, mask }, false) => {
                let want = batch.size * batch.steps * c.outputs;
                if y.len() != want {
                    return Err(Error::data(format!(
                        "targets has {} values, the shape needs {want}",
                        y.len()
                    )));
                }
                match mask {
                    Some(m) if m.len() != batch.size * batch.steps => Err(Error::data(format!(
                        "mask has {} values, the shape needs {}",
                        m.len(),
                        batch.size * batch.steps
                    ))),
                    _ => Ok(()),
                }
            }
            (_, true) => Err(Error::data(
                "this network uses the cross_entropy loss: pass labels",
            )),
            (_, false) => Err(Error::data("this network uses the mse loss: pass targets")),
        }
    }
}

/// Input weights N(0, 1/inputs), backbone gain·N(0, 1)/√k, learned synapses 0 (a new synapse
/// starts silent), readout N(0, 1/neurons), biases 0. Each tensor draws from its own substream.
fn init_params(c: &Config, rec: &Recurrent) -> Tensors {
    let normals = |sub: u64, len: usize, scale: f64| {
        let mut rng = Rng::new(c.seed, Stream::Init, sub);
        (0..len)
            .map(|_| (rng.normal() * scale) as f32)
            .collect::<Vec<f32>>()
    };
    let mut w_rec = normals(1, rec.csr.nnz(), c.gain as f64 / (c.k as f64).sqrt());
    for i in 0..c.neurons {
        for e in rec.csr.row_range(i) {
            if rec.is_learned(i, e) {
                w_rec[e] = 0.0;
            }
        }
    }
    Tensors {
        w_in: normals(0, c.neurons * c.inputs, 1.0 / (c.inputs as f64).sqrt()),
        bias: vec![0.0; c.neurons],
        w_rec,
        w_out: normals(2, c.outputs * c.neurons, 1.0 / (c.neurons as f64).sqrt()),
        b_out: vec![0.0; c.outputs],
    }
}
