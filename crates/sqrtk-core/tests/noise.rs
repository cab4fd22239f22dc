//! Private noise and the initial state: what they change and what they leave alone.

use sqrtk_core::config::{Dynamics, InitialState, Loss};
use sqrtk_core::rng::{Rng, Stream};
use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

fn rate(seed: u64) -> Config {
    Config { dynamics: Dynamics::Rate, tau: 5.0, learned: 2, seed, ..Config::with_sizes(2, 200, 3, 10) }
}

struct Data {
    x: Vec<f32>,
    labels: Vec<i32>,
}

fn data(size: usize, steps: usize) -> Data {
    let mut rng = Rng::new(8, Stream::DataOrder, 0);
    let x = (0..size * steps * 2).map(|_| rng.normal() as f32).collect();
    let labels = (0..size as i32).map(|s| s % 3).collect();
    Data { x, labels }
}

fn batch(d: &Data, steps: usize) -> Batch<'_> {
    Batch { x: &d.x, size: d.labels.len(), steps, target: Target::Labels(&d.labels) }
}

#[test]
fn noise_changes_training_but_not_evaluation() {
    let d = data(8, 10);
    let mut quiet = Network::new(rate(1)).unwrap();
    let mut noisy = Network::new(Config { noise: 0.5, initial_state: InitialState::Random, ..rate(1) }).unwrap();
    let opt = AdamConfig::default();

    // Same weights: evaluation (no noise, x_0 = 0) gives the same bits; a training pass does not.
    assert_eq!(noisy.state_hash(), quiet.state_hash());
    let eval = |net: &mut Network| net.evaluate(&batch(&d, 10)).unwrap().score.loss;
    assert_eq!(eval(&mut noisy), eval(&mut quiet));
    let quiet_train = quiet.train_batch(&batch(&d, 10), &opt).unwrap().score.loss;
    let noisy_train = noisy.train_batch(&batch(&d, 10), &opt).unwrap().score.loss;
    assert!((quiet_train - noisy_train).abs() > 1e-3, "training loss {quiet_train} vs {noisy_train}");
    assert_ne!(noisy.state_hash(), quiet.state_hash(), "the noisy gradient trained other weights");

    // Evaluation stays deterministic; asked for noise it draws, reproducibly per index.
    let clean = eval(&mut noisy);
    assert_eq!(eval(&mut noisy), clean);
    let drawn = |net: &mut Network, index| net.evaluate_noisy(&batch(&d, 10), index).unwrap().score.loss;
    let (a, b) = (drawn(&mut noisy, 0), drawn(&mut noisy, 1));
    assert_eq!(drawn(&mut noisy, 0), a);
    assert!((a - clean).abs() > 1e-4 && (a - b).abs() > 1e-4, "noisy evaluations {a}, {b} vs {clean}");
}

#[test]
fn each_optimizer_step_draws_new_noise_and_a_replay_draws_the_same() {
    let d = data(8, 10);
    let config = Config { noise: 0.5, ..rate(2) };
    let opt = AdamConfig::default();
    let run = || {
        let mut net = Network::new(config.clone()).unwrap();
        let mut g = Vec::new();
        for _ in 0..2 {
            net.loss_and_gradient(&batch(&d, 10)).unwrap();
            g.push(net.grads.w_in.clone());
            net.train_batch(&batch(&d, 10), &opt).unwrap();
        }
        (net.state_hash(), g)
    };
    let (hash, grads) = run();
    assert_eq!(run().0, hash);
    // Same weights, different step: the gradient differs only through the noise.
    let mut a = Network::new(config.clone()).unwrap();
    let mut b = Network::new(config.clone()).unwrap();
    b.adam.steps = 1;
    a.loss_and_gradient(&batch(&d, 10)).unwrap();
    b.loss_and_gradient(&batch(&d, 10)).unwrap();
    assert_eq!(a.grads.w_in, grads[0]);
    assert_ne!(a.grads.w_in, b.grads.w_in);
}

#[test]
fn noise_needs_rate_dynamics() {
    let e = Network::new(Config { noise: 0.1, ..Config::with_sizes(2, 20, 2, 4) }).unwrap_err();
    assert_eq!(e.code, "E_OPTION");
    assert_eq!(
        e.message,
        "noise (=0.1) needs dynamics 'rate' (private noise is a rate-model term); set dynamics: 'rate' or noise: 0"
    );
    let e = Network::new(Config { noise: -1.0, ..rate(1) }).unwrap_err();
    assert!(e.message.starts_with("noise (=-1) must be a finite number ≥ 0"), "{}", e.message);
}

/// A task that needs x_0: zero inputs, and the targets are the network's own outputs when it
/// starts from a random x_0* (its free response). Every trial is the same, so nothing but the
/// initial state tells the network where to start. Trained the same way, a learned x_0 moves
/// and reaches a far lower loss than x_0 = 0.
#[test]
fn a_learned_initial_state_moves_and_lowers_the_loss() {
    let (size, steps) = (2, 15);
    let x = vec![0.0f32; size * steps];
    let config = |initial_state| Config {
        dynamics: Dynamics::Rate,
        tau: 20.0,
        loss: Loss::Mse,
        initial_state,
        gain: 1.5,
        seed: 6,
        ..Config::with_sizes(1, 64, 8, 8)
    };
    let mut teacher = Network::new(config(InitialState::Learned)).unwrap();
    let mut rng = Rng::new(11, Stream::Init, 0);
    teacher.params.x0.iter_mut().for_each(|v| *v = 1.5 * rng.normal() as f32);
    let y = teacher.outputs(&Batch { x: &x, size, steps, target: Target::None }).unwrap();
    let batch = Batch { x: &x, size, steps, target: Target::Values { y: &y, mask: None } };
    let train = |initial_state| {
        let mut net = Network::new(config(initial_state)).unwrap();
        let start = net.evaluate(&batch).unwrap().score.loss;
        let opt = AdamConfig { lr: 0.01, ..AdamConfig::default() };
        for _ in 0..STEPS {
            net.train_batch(&batch, &opt).unwrap();
        }
        let x0_norm = net.params.x0.iter().map(|v| v * v).sum::<f32>().sqrt();
        (start, net.evaluate(&batch).unwrap().score.loss, x0_norm)
    };
    const STEPS: usize = 300;
    let (start, zero_loss, _) = train(InitialState::Zero);
    let (_, learned_loss, x0_norm) = train(InitialState::Learned);
    eprintln!("mse from {start:.5}: x_0 = 0 {zero_loss:.6}, learned x_0 {learned_loss:.6} (|x_0| = {x0_norm:.3})");
    assert!(x0_norm > 0.5, "|x_0| = {x0_norm}");
    assert!(learned_loss < 0.1 * zero_loss, "learned {learned_loss} vs zero {zero_loss}");
}
