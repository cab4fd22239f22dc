//! BPTT against an independent float64 dense reference: the f32 loss must match the reference
//! loss, and every f32 gradient must match a central finite difference of the reference loss.
//!
//! Tolerance: |analytic − numeric| ≤ 2e-3 · max(|numeric|, 1e-2) + 2e-5. The reference is
//! f64 with h = 1e-5, so its own error is ~1e-9; the slack covers the f32 forward/backward.
//!
//! Noisy networks are checked the same way: the reference draws the same private noise and
//! random initial states (key 0, the first optimizer step) from the documented substreams, so
//! the + and − evaluations see the same noise.

use ndarray::{Array1, Array2, Array3};
use sqrtk_core::config::{Activation, Dynamics, InitialState, Loss, INITIAL_STATE_SD};
use sqrtk_core::params::Tensors;
use sqrtk_core::rng::{keyed, Rng, Stream};
use sqrtk_core::{Batch, Config, Network, Target};

fn config(dynamics: Dynamics, activation: Activation, loss: Loss, train_backbone: bool) -> Config {
    Config {
        learned: 2,
        dynamics,
        tau: 5.0,
        activation,
        gain: 1.3,
        train_backbone,
        loss,
        readout_steps: 2,
        seed: 17,
        ..Config::with_sizes(3, 24, 4, 5)
    }
}

struct Data {
    x: Vec<f32>,
    labels: Vec<i32>,
    /// With `per_step`, cross-entropy uses a class per step ([size][steps]) weighted by `mask`.
    per_step: bool,
    step_labels: Vec<i32>,
    targets: Vec<f32>,
    mask: Vec<f32>,
    size: usize,
    steps: usize,
}

fn data(c: &Config, per_step: bool) -> Data {
    let (size, steps) = (5, 6);
    let mut rng = Rng::new(99, Stream::DataOrder, 0);
    let mut normals = |n: usize| (0..n).map(|_| rng.normal() as f32).collect::<Vec<f32>>();
    let x = normals(size * steps * c.inputs);
    let targets = normals(size * steps * c.outputs);
    let labels = (0..size as i32).map(|s| s % c.outputs as i32).collect();
    // Weights 0, 0.5 and 1; a step of weight 0 has label −1 (ignored).
    let mask: Vec<f32> = (0..size * steps).map(|k| [0.0, 1.0, 0.5][k % 3]).collect();
    let step_labels =
        (0..size * steps).map(|k| if mask[k] == 0.0 { -1 } else { ((k * 7 + k / steps) % c.outputs) as i32 }).collect();
    Data { x, labels, per_step, step_labels, targets, mask, size, steps }
}

fn batch<'a>(c: &Config, d: &'a Data) -> Batch<'a> {
    let target = match c.loss {
        Loss::CrossEntropy if d.per_step => Target::StepLabels { labels: &d.step_labels, mask: Some(&d.mask) },
        Loss::CrossEntropy => Target::Labels(&d.labels),
        Loss::Mse => Target::Values { y: &d.targets, mask: Some(&d.mask) },
    };
    Batch { x: &d.x, size: d.size, steps: d.steps, target }
}

/// Float64 parameters in dense form.
#[derive(Clone)]
struct Dense {
    w_in: Array2<f64>,
    bias: Array1<f64>,
    w: Array2<f64>,
    w_out: Array2<f64>,
    b_out: Array1<f64>,
    /// The learned initial state (zeros when the network has none).
    x0: Array1<f64>,
}

fn dense(net: &Network) -> Dense {
    let c = &net.config;
    let p = &net.params;
    let csr = &net.structure.csr;
    let mut w = Array2::zeros((c.neurons, c.neurons));
    for i in 0..c.neurons {
        for e in csr.row_range(i) {
            w[[i, csr.indices[e] as usize]] = p.w_rec[e] as f64;
        }
    }
    let to64 = |v: &Vec<f32>| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    Dense {
        w_in: Array2::from_shape_vec((c.neurons, c.inputs), to64(&p.w_in)).unwrap(),
        bias: Array1::from(to64(&p.bias)),
        w,
        w_out: Array2::from_shape_vec((c.outputs, c.neurons), to64(&p.w_out)).unwrap(),
        b_out: Array1::from(to64(&p.b_out)),
        x0: if p.x0.is_empty() { Array1::zeros(c.neurons) } else { Array1::from(to64(&p.x0)) },
    }
}

/// The draws of a training pass at optimizer step 0, drawn one neuron after another in the
/// documented order: x_0 [sequence][neuron] and ξ [sequence][step][neuron].
fn draws(c: &Config, d: &Data) -> (Array2<f64>, Array3<f64>) {
    let (n, b, steps) = (c.neurons, d.size, d.steps);
    let mut x0 = Array2::zeros((b, n));
    let mut xi = Array3::zeros((b, steps, n));
    for i in 0..n {
        let mut rng = Rng::new(c.seed, Stream::InitialState, keyed(0, i));
        for s in 0..b {
            x0[[s, i]] = match c.initial_state {
                InitialState::Random => INITIAL_STATE_SD as f64 * rng.normal(),
                _ => 0.0,
            };
        }
        let mut rng = Rng::new(c.seed, Stream::Noise, keyed(0, i));
        for t in 0..steps {
            for p in 0..b.div_ceil(2) {
                let (first, second) = rng.normal_pair_f32();
                xi[[2 * p, t, i]] = first as f64;
                if 2 * p + 1 < b {
                    xi[[2 * p + 1, t, i]] = second as f64;
                }
            }
        }
    }
    (x0, xi)
}

/// The loss written directly from the equations, one sequence at a time, in float64.
fn reference_loss(c: &Config, p: &Dense, d: &Data) -> f64 {
    let alpha = match c.dynamics {
        Dynamics::Discrete => 1.0,
        Dynamics::Rate => (c.dt / c.tau) as f64,
    };
    let phi = |v: f64| match c.activation {
        Activation::Tanh => v.tanh(),
        Activation::Relu => v.max(0.0),
    };
    let x = Array3::from_shape_vec((d.size, d.steps, c.inputs), d.x.iter().map(|&v| v as f64).collect()).unwrap();
    let (x0, xi) = draws(c, d);
    // The f32 core scales ξ by σ √(2α) computed in f64 and rounded to f32.
    let scale = (c.noise as f64 * (2.0 * alpha).sqrt()) as f32 as f64;
    let (mut total, mut mask_sum) = (0.0, 0.0);
    for s in 0..d.size {
        let mut state = match c.initial_state {
            InitialState::Learned => p.x0.clone(),
            _ => x0.row(s).to_owned(),
        };
        let mut outputs = Vec::new();
        for t in 0..d.steps {
            let rate = state.mapv(phi);
            let drive = p.w.dot(&rate) + p.w_in.dot(&x.slice(ndarray::s![s, t, ..])) + &p.bias;
            state = &state * (1.0 - alpha) + drive * alpha + &xi.slice(ndarray::s![s, t, ..]) * scale;
            outputs.push(p.w_out.dot(&state.mapv(phi)) + &p.b_out);
        }
        let cross_entropy = |logits: &Array1<f64>, label: i32| {
            let max = logits.fold(f64::NEG_INFINITY, |m: f64, &v| m.max(v));
            max + logits.mapv(|v| (v - max).exp()).sum().ln() - logits[label as usize]
        };
        match c.loss {
            Loss::CrossEntropy if d.per_step => {
                for (t, y) in outputs.iter().enumerate() {
                    let m = d.mask[s * d.steps + t] as f64;
                    if m > 0.0 {
                        mask_sum += m;
                        total += m * cross_entropy(y, d.step_labels[s * d.steps + t]);
                    }
                }
            }
            Loss::CrossEntropy => {
                let window = &outputs[d.steps - c.readout_steps..];
                let logits = window.iter().fold(Array1::zeros(c.outputs), |a, y| a + y) / c.readout_steps as f64;
                total += cross_entropy(&logits, d.labels[s]);
            }
            Loss::Mse => {
                for (t, y) in outputs.iter().enumerate() {
                    let m = d.mask[s * d.steps + t] as f64;
                    mask_sum += m;
                    for k in 0..c.outputs {
                        let diff = y[k] - d.targets[(s * d.steps + t) * c.outputs + k] as f64;
                        total += m * diff * diff;
                    }
                }
            }
        }
    }
    match c.loss {
        Loss::CrossEntropy if d.per_step => total / mask_sum,
        Loss::CrossEntropy => total / d.size as f64,
        Loss::Mse => total / (mask_sum * c.outputs as f64),
    }
}

/// Checks every recurrent weight and every 3rd neuron's other parameters.
fn check_gradients(c: Config) {
    check_gradients_sampled(c, false, 1, 3);
}

/// Checks every `every_synapse`-th recurrent weight (in CSR order, so the sample spans all row
/// chunks) and the bias, input and readout weights of every `every_neuron`-th neuron.
fn check_gradients_sampled(c: Config, per_step: bool, every_synapse: usize, every_neuron: usize) {
    let d = data(&c, per_step);
    let mut net = Network::new(c.clone()).unwrap();
    // Give learned synapses non-zero weights so their gradients are exercised off zero too.
    for i in 0..c.neurons {
        for e in net.structure.csr.row_range(i) {
            if net.structure.is_learned(i, e) {
                net.params.w_rec[e] = 0.1 * ((e % 7) as f32 - 3.0);
            }
        }
    }
    if c.initial_state == InitialState::Learned {
        for (i, v) in net.params.x0.iter_mut().enumerate() {
            // Off zero, where relu has its kink.
            *v = 0.4 * (i as f32 * 0.7 + 0.5).sin();
        }
    }
    let loss = net.loss_and_gradient(&batch(&c, &d)).unwrap().loss;
    let base = dense(&net);
    let reference = reference_loss(&c, &base, &d);
    assert!((loss - reference).abs() < 1e-5 * (1.0 + reference.abs()), "loss {loss} vs reference {reference}");
    if c.noise > 0.0 || c.initial_state == InitialState::Random {
        // The draws matter: without them the loss is another.
        let quiet = Config { noise: 0.0, initial_state: InitialState::Zero, ..c.clone() };
        let without = reference_loss(&quiet, &base, &d);
        assert!((without - reference).abs() > 1e-4, "noise changed the loss only from {without} to {reference}");
    }

    let h = 1e-5;
    let numeric = |perturb: &dyn Fn(&mut Dense, f64)| {
        let (mut plus, mut minus) = (base.clone(), base.clone());
        perturb(&mut plus, h);
        perturb(&mut minus, -h);
        (reference_loss(&c, &plus, &d) - reference_loss(&c, &minus, &d)) / (2.0 * h)
    };
    let check = |what: String, analytic: f32, numeric: f64| {
        let tol = 2e-3 * numeric.abs().max(1e-2) + 2e-5;
        assert!((analytic as f64 - numeric).abs() <= tol, "{what}: analytic {analytic} vs numeric {numeric}");
    };
    let g: &Tensors = &net.grads;
    let mut checked_learned = 0;
    for i in 0..c.neurons {
        for e in net.structure.csr.row_range(i).filter(|e| e % every_synapse == 0) {
            let j = net.structure.csr.indices[e] as usize;
            let learned = net.structure.is_learned(i, e);
            if !c.train_backbone && !learned {
                assert_eq!(g.w_rec[e], 0.0, "frozen backbone synapse {i}<-{j} has a gradient");
                continue;
            }
            checked_learned += learned as usize;
            check(format!("w_rec {i}<-{j} (learned {learned})"), g.w_rec[e], numeric(&|p, dv| p.w[[i, j]] += dv));
        }
    }
    assert!(checked_learned > 0);
    for i in (0..c.neurons).step_by(every_neuron) {
        check(format!("bias {i}"), g.bias[i], numeric(&|p, dv| p.bias[i] += dv));
        for k in 0..c.inputs {
            check(format!("w_in {i},{k}"), g.w_in[i * c.inputs + k], numeric(&|p, dv| p.w_in[[i, k]] += dv));
        }
        for k in 0..c.outputs {
            check(format!("w_out {k},{i}"), g.w_out[k * c.neurons + i], numeric(&|p, dv| p.w_out[[k, i]] += dv));
        }
    }
    for k in 0..c.outputs {
        check(format!("b_out {k}"), g.b_out[k], numeric(&|p, dv| p.b_out[k] += dv));
    }
    if c.initial_state == InitialState::Learned {
        for i in (0..c.neurons).step_by(every_neuron) {
            check(format!("x0 {i}"), g.x0[i], numeric(&|p, dv| p.x0[i] += dv));
        }
    } else {
        assert!(g.x0.is_empty());
    }
}

#[test]
fn gradient_discrete_tanh_cross_entropy() {
    check_gradients(config(Dynamics::Discrete, Activation::Tanh, Loss::CrossEntropy, true));
}

#[test]
fn gradient_rate_tanh_mse_with_mask() {
    check_gradients(config(Dynamics::Rate, Activation::Tanh, Loss::Mse, true));
}

/// Per-step labels with weights 0, ½ and 1: the loss is the weighted mean of per-step
/// cross-entropies, and steps of weight 0 (label −1) contribute nothing.
#[test]
fn gradient_per_step_cross_entropy_with_mask() {
    for dynamics in [Dynamics::Discrete, Dynamics::Rate] {
        check_gradients_sampled(config(dynamics, Activation::Tanh, Loss::CrossEntropy, true), true, 1, 3);
    }
}

#[test]
fn gradient_rate_relu_cross_entropy() {
    check_gradients(config(Dynamics::Rate, Activation::Relu, Loss::CrossEntropy, true));
}

#[test]
fn gradient_discrete_relu_mse_frozen_backbone() {
    check_gradients(config(Dynamics::Discrete, Activation::Relu, Loss::Mse, false));
}

/// Private noise (rate dynamics) and random initial states: BPTT through the stored noisy
/// states is exact.
#[test]
fn gradient_with_noise_and_random_initial_states() {
    for (activation, loss) in [(Activation::Tanh, Loss::CrossEntropy), (Activation::Relu, Loss::Mse)] {
        let c = Config {
            noise: 0.3,
            initial_state: InitialState::Random,
            ..config(Dynamics::Rate, activation, loss, true)
        };
        check_gradients(c);
    }
    let c = config(Dynamics::Discrete, Activation::Tanh, Loss::CrossEntropy, false);
    check_gradients(Config { initial_state: InitialState::Random, ..c });
}

/// dLoss/dx_0 of a learned initial state, for both dynamics, with noise in rate dynamics.
#[test]
fn gradient_of_a_learned_initial_state() {
    for (dynamics, noise) in [(Dynamics::Discrete, 0.0), (Dynamics::Rate, 0.2)] {
        for loss in [Loss::CrossEntropy, Loss::Mse] {
            let c = Config {
                noise,
                initial_state: InitialState::Learned,
                ..config(dynamics, Activation::Tanh, loss, true)
            };
            check_gradients_sampled(c, false, 1, 1);
        }
    }
    let c = config(Dynamics::Rate, Activation::Relu, Loss::CrossEntropy, false);
    check_gradients_sampled(Config { initial_state: InitialState::Learned, ..c }, true, 1, 1);
}

/// At N = 300 the kernels work on three row chunks of 128 neurons (and the last one partial):
/// the gradient must be right across chunk boundaries too.
#[test]
fn gradient_across_row_chunks() {
    let cases = [
        (Dynamics::Discrete, Loss::CrossEntropy, false),
        (Dynamics::Rate, Loss::Mse, false),
        (Dynamics::Rate, Loss::CrossEntropy, true),
    ];
    for (dynamics, loss, per_step) in cases {
        let c = Config { neurons: 300, ..config(dynamics, Activation::Tanh, loss, true) };
        assert!(c.neurons > 2 * sqrtk_core::rnn::CHUNK);
        check_gradients_sampled(c, per_step, 11, 7);
    }
    let c = config(Dynamics::Rate, Activation::Tanh, Loss::Mse, true);
    let c = Config { neurons: 300, noise: 0.2, initial_state: InitialState::Learned, ..c };
    check_gradients_sampled(c, false, 11, 7);
}

/// The `gradient` growth score of an absent synapse j → i is |dLoss/dW_ij| at W_ij = 0: the
/// derivative of the float64 reference loss with respect to a synapse that does not exist yet.
#[test]
fn growth_score_equals_the_gradient_of_an_absent_synapse() {
    for dynamics in [Dynamics::Discrete, Dynamics::Rate] {
        let c = config(dynamics, Activation::Tanh, Loss::CrossEntropy, true);
        let d = data(&c, false);
        let mut net = Network::new(c.clone()).unwrap();
        net.loss_and_gradient(&batch(&c, &d)).unwrap();
        let base = dense(&net);
        let h = 1e-5;
        let mut checked = 0;
        for i in 0..c.neurons {
            for j in 0..c.neurons {
                if i == j || net.structure.csr.row(i).contains(&(j as u32)) {
                    continue;
                }
                let (mut plus, mut minus) = (base.clone(), base.clone());
                plus.w[[i, j]] += h;
                minus.w[[i, j]] -= h;
                let numeric = ((reference_loss(&c, &plus, &d) - reference_loss(&c, &minus, &d)) / (2.0 * h)).abs();
                let score = net.candidate_score(i, j).unwrap() as f64;
                assert!(
                    (score - numeric).abs() <= 2e-3 * numeric.max(1e-2) + 2e-5,
                    "{i}<-{j}: score {score} vs |dL/dW| {numeric}"
                );
                checked += 1;
            }
        }
        assert!(checked > 300, "{checked} absent synapses checked");
    }
}

#[test]
fn gradient_with_populations_dale_and_balanced_scaling() {
    use sqrtk_core::config::{Blocks, Scaling};
    // 18 excitatory and 6 inhibitory neurons with per-block in-degrees; the gradient is that of
    // the unconstrained weights (Dale's law is a projection after the optimizer step).
    for scaling in [Scaling::Standard, Scaling::Balanced] {
        let c = Config {
            excitatory: Some(0.75),
            dale: true,
            scaling,
            blocks: Some(Blocks { k_ee: 3.0, k_ei: 2.0, k_ie: 2.5, k_ii: 2.5 }),
            ..config(Dynamics::Rate, Activation::Tanh, Loss::CrossEntropy, true)
        };
        check_gradients(c);
    }
}
