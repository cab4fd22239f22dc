//! Excitatory and inhibitory populations: block connectivity, Dale's law under training and
//! rewiring, balanced scaling (the balanced state), deep_r births, the learned out-degree cap,
//! and the option errors.

use sqrtk_core::config::{Activation, Blocks, Dynamics, Growth, Mode, Scaling};
use sqrtk_core::populations::{obeys_dale, Populations, E, I};
use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

mod common;
use common::{batch, data};

fn populations(c: Config, f: f64) -> Config {
    Config { excitatory: Some(f), ..c }
}

/// Mean over the neurons of population `a` of their inputs from population `b`.
fn mean_block_inputs(net: &Network, pops: &Populations, a: usize, b: usize) -> f64 {
    let s = &net.structure;
    let total: usize =
        pops.range(a).map(|i| s.csr.row(i).iter().filter(|&&j| pops.population(j as usize) == b).count()).sum();
    total as f64 / pops.size(a) as f64
}

#[test]
fn blocks_set_the_mean_in_degree_from_each_population() {
    let blocks = Blocks { k_ee: 60.0, k_ei: 40.0, k_ie: 70.0, k_ii: 30.0 };
    let c =
        Config { blocks: Some(blocks), learned: 0, seed: 5, ..populations(Config::with_sizes(1, 3000, 2, 100), 0.8) };
    let net = Network::new(c.clone()).unwrap();
    let pops = Populations::of(&c).unwrap();
    assert_eq!((pops.size(E), pops.size(I)), (2400, 600));
    for (a, b, k) in [(E, E, 60.0), (E, I, 40.0), (I, E, 70.0), (I, I, 30.0)] {
        let mean = mean_block_inputs(&net, &pops, a, b);
        // Standard error of a block mean: √(k / neurons in a) ≤ 0.35.
        assert!((mean - k).abs() < 1.5, "block {a}<-{b}: mean {mean}, expected {k}");
    }
    // The degree tests use the sum of the blocks' binomials: the graph passes them...
    let (inp, out) = (net.in_degree_test(), net.out_degree_test());
    assert!(inp.p_value > 1e-3 && out.p_value > 1e-3, "in {inp:?} out {out:?}");
    // ...while the out-degrees fail the plain binomial (an I neuron sends 3× as many synapses).
    let plain = sqrtk_core::stats::binomial_chi_square(&net.structure.out_degree(false), 2999, 100.0 / 3000.0);
    assert!(plain.p_value < 1e-12);

    // Exact per-block in-degrees with fixed in-degrees.
    let fixed = Config { connectivity: sqrtk_core::config::Connectivity::FixedIndegree, ..c.clone() };
    let net = Network::new(fixed).unwrap();
    for i in 0..3000 {
        let from_e = net.structure.csr.row(i).iter().filter(|&&j| (j as usize) < 2400).count();
        assert_eq!(from_e, if i < 2400 { 60 } else { 70 }, "neuron {i}");
        assert_eq!(net.structure.csr.row(i).len(), 100);
    }
}

#[test]
fn populations_without_blocks_keep_the_plain_random_graph() {
    let plain = Network::new(Config { seed: 9, ..Config::with_sizes(2, 400, 3, 20) }).unwrap();
    let labelled = Network::new(Config { seed: 9, ..populations(Config::with_sizes(2, 400, 3, 20), 0.8) }).unwrap();
    assert_eq!(plain.structure.csr, labelled.structure.csr);
    assert_eq!(plain.params, labelled.params, "without Dale's law or balanced scaling, the same weights");
}

#[test]
fn dale_holds_at_initialisation_and_after_every_step_and_rewiring() {
    for growth in [Growth::Random, Growth::Gradient, Growth::Sampled, Growth::DeepR] {
        for mode in [Mode::Add, Mode::Hidden] {
            let base = Config { growth, mode, seed: 2, ..populations(Config::with_sizes(3, 150, 3, 20), 0.8) };
            let run = |dale: bool| {
                let c = Config { dale, ..base.clone() };
                let mut net = Network::new(c.clone()).unwrap();
                let pops = Populations::of(&c).unwrap();
                let mut always = obeys_dale(&pops, &net.structure, &net.params.w_rec);
                let opt = AdamConfig { lr: 0.05, ..AdamConfig::default() };
                for round in 0..8 {
                    let d = data(&c, 8, 6, round);
                    net.train_batch(&batch(&d, 8, 6), &opt).unwrap();
                    always &= obeys_dale(&pops, &net.structure, &net.params.w_rec);
                    net.rewire(0.5).unwrap();
                    always &= obeys_dale(&pops, &net.structure, &net.params.w_rec);
                }
                always
            };
            assert!(run(true), "{growth:?} {mode:?}: Dale's law broken");
            // The same training without Dale's law does cross zero: the projection is doing work.
            assert!(!run(false), "{growth:?} {mode:?}: the test would pass without the projection");
        }
    }
}

#[test]
fn dale_initialisation_balances_each_row_and_keeps_the_variance() {
    let c =
        Config { dale: true, gain: 1.0, learned: 0, seed: 4, ..populations(Config::with_sizes(1, 4000, 2, 200), 0.8) };
    let net = Network::new(c).unwrap();
    let s = &net.structure;
    let (mut mean, mut square) = (0.0f64, 0.0f64);
    for i in 0..4000 {
        let w = &net.params.w_rec[s.csr.row_range(i)];
        mean += w.iter().map(|&x| x as f64).sum::<f64>() / 4000.0;
        square += w.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / 4000.0;
    }
    // Row sums: E and I inputs cancel on average (each alone is about ±0.8·√(2/π)·√k/2 ≈ ±4.5).
    assert!(mean.abs() < 0.1, "mean row sum {mean}");
    // Σ_j w_ij² ≈ gain² = 1 (the bulk radius of the plain network).
    assert!((square - 1.0).abs() < 0.05, "mean row square sum {square}");
}

/// Time-averaged excitatory (backbone E synapses plus the external drive) and inhibitory input
/// per neuron of the untrained network at rest, for mean in-degree `k`.
fn balanced_inputs(k: usize) -> (f64, f64) {
    let n = 8 * k;
    let c = Config {
        dynamics: Dynamics::Rate,
        activation: Activation::Relu,
        dt: 1.0,
        tau: 10.0,
        dale: true,
        scaling: Scaling::Balanced,
        blocks: Some(Blocks { k_ee: k as f64 / 2.0, k_ei: k as f64 / 2.0, k_ie: k as f64 / 2.0, k_ii: k as f64 / 2.0 }),
        learned: 0,
        seed: 1,
        ..populations(Config::with_sizes(1, n, 2, k), 0.8)
    };
    let mut net = Network::new(c).unwrap();
    let steps = 400;
    let x = vec![0.0f32; steps];
    let b = Batch { x: &x, size: 1, steps, target: Target::None };
    let all: Vec<u32> = (0..n as u32).collect();
    let rates = net.activity(&b, &all).unwrap(); // [neuron][step]
    let pops = Populations::of(&net.config).unwrap();
    let s = &net.structure;
    let (mut excitatory, mut inhibitory) = (0.0f64, 0.0f64);
    // Mean rate of each neuron over the second half (after the transient).
    let mean_rate: Vec<f64> = (0..n)
        .map(|j| {
            rates[j * steps + steps / 2..(j + 1) * steps].iter().map(|&r| r as f64).sum::<f64>() / (steps / 2) as f64
        })
        .collect();
    for i in 0..n {
        for e in s.csr.row_range(i) {
            let j = s.csr.indices[e] as usize;
            let input = net.params.w_rec[e] as f64 * mean_rate[j];
            if pops.population(j) == E {
                excitatory += input;
            } else {
                inhibitory += input;
            }
        }
        excitatory += net.params.bias[i] as f64;
    }
    (excitatory / n as f64, inhibitory / n as f64)
}

#[test]
fn balanced_scaling_gives_the_balanced_state() {
    let results: Vec<(usize, f64, f64)> = [100, 400, 1600]
        .into_iter()
        .map(|k| {
            let (e, i) = balanced_inputs(k);
            (k, e, i)
        })
        .collect();
    for &(k, e, i) in &results {
        eprintln!("K = {k}: excitatory {e:.3}, inhibitory {i:.3}, net {:.3}", e + i);
    }
    // E and I inputs each grow like √K: ×2 and ×4 from K = 100 (within 25 %)...
    let (e0, i0) = (results[0].1, results[0].2);
    for (&(k, e, i), ratio) in results.iter().zip([1.0, 2.0, 4.0]) {
        assert!((e / e0 / ratio - 1.0).abs() < 0.25, "K = {k}: excitatory input {e} vs {e0} at K = 100");
        assert!((i / i0 / ratio - 1.0).abs() < 0.25, "K = {k}: inhibitory input {i} vs {i0} at K = 100");
        // ...while their sum, the net input, stays O(1): small against either, and not growing.
        assert!((e + i).abs() < 0.2 * e, "K = {k}: net input {} against {e}", e + i);
        assert!((e + i).abs() < 1.0, "K = {k}: net input {}", e + i);
    }
}

#[test]
fn deep_r_births_survive_their_first_step() {
    // Without Dale's law a new synapse takes the sign its gradient gives it; with it, new
    // partners are drawn where the gradient points the presynaptic sign's way. Its Adam
    // moments start from that gradient, so one batch that disagrees does not kill it.
    for dale in [false, true] {
        let c = Config {
            growth: Growth::DeepR,
            dale,
            seed: 11,
            train_backbone: false,
            ..populations(Config::with_sizes(4, 600, 4, 30), 0.8)
        };
        let mut net = Network::new(c.clone()).unwrap();
        let opt = AdamConfig { lr: 0.01, ..AdamConfig::default() };
        let (mut born, mut alive) = (0usize, 0usize);
        for round in 0..20 {
            let d = data(&c, 16, 10, round);
            net.train_batch(&batch(&d, 16, 10), &opt).unwrap();
            let before = net.structure.csr.indices.clone();
            net.rewire(0.0).unwrap();
            let new: Vec<usize> = (0..before.len()).filter(|&e| before[e] != net.structure.csr.indices[e]).collect();
            // The first step after birth, on the next batch.
            let next = data(&c, 16, 10, 1000 + round);
            net.train_batch(&batch(&next, 16, 10), &opt).unwrap();
            born += new.len();
            alive += new.iter().filter(|&&e| net.params.w_rec[e] != 0.0).count();
        }
        let fraction = alive as f64 / born as f64;
        eprintln!("dale {dale}: {born} born, {alive} alive after one step ({fraction:.3})");
        assert!(born > 100, "too few births to judge ({born})");
        assert!(fraction > 0.8, "dale {dale}: only {fraction:.3} of new synapses survive their first step");
    }
}

#[test]
fn max_learned_out_caps_the_learned_synapses_a_neuron_sends() {
    let base = Config { growth: Growth::Gradient, learned: 5, seed: 6, ..Config::with_sizes(3, 300, 3, 20) };
    let most = |cap: usize| {
        let c = Config { max_learned_out: cap, ..base.clone() };
        let mut net = Network::new(c.clone()).unwrap();
        let opt = AdamConfig { lr: 0.02, ..AdamConfig::default() };
        let mut most = *net.structure.out_degree(true).iter().max().unwrap();
        for round in 0..10 {
            let d = data(&c, 8, 6, round);
            net.train_batch(&batch(&d, 8, 6), &opt).unwrap();
            net.rewire(0.5).unwrap();
            most = most.max(*net.structure.out_degree(true).iter().max().unwrap());
        }
        most
    };
    let uncapped = most(0);
    assert!(uncapped > 8, "gradient growth piles onto hubs: at most {uncapped}");
    assert!(most(8) <= 8);
}

#[test]
fn population_options_give_clear_errors() {
    let base = Config::with_sizes(2, 100, 2, 10);
    let message = |c: Config| Network::new(c).unwrap_err().message;
    assert_eq!(
        message(Config { dale: true, ..base.clone() }),
        "dale (=set) needs populations; set excitatory to the fraction of excitatory neurons, e.g. 0.8"
    );
    assert!(message(populations(base.clone(), 1.0)).starts_with("excitatory (=1) must leave at least one neuron"));
    let blocks = Blocks { k_ee: 5.0, k_ei: 4.0, k_ie: 5.0, k_ii: 5.0 };
    assert_eq!(
        message(Config { blocks: Some(blocks), ..populations(base.clone(), 0.8) }),
        "kEE + kEI (=9) must equal k (=10), the mean in-degree; make the blocks of each population add up to k"
    );
    let too_many = Blocks { k_ee: 0.0, k_ei: 10.0, k_ie: 0.0, k_ii: 10.0 };
    assert!(message(Config { blocks: Some(too_many), ..populations(base.clone(), 0.95) }).starts_with("kEI (=10)"));
    let mut wrong = Config { dale: true, ..populations(base.clone(), 0.8) };
    wrong.couplings.ei = 2.0;
    assert!(message(wrong).starts_with("couplings.EI (=2) must have the sign of its presynaptic population"));
    assert!(message(Config { max_learned_out: 2, ..base.clone() })
        .starts_with("maxLearnedOut (=2) must be at least learned (=3)"));
    assert!(message(Config { max_learned_out: 5, mode: Mode::Hidden, ..base })
        .starts_with("maxLearnedOut (=5) applies to mode 'add' only"));
}
