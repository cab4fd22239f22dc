//! Same seed ⇒ bit-identical network whatever the number of threads: the work is split into
//! fixed chunks and every reduction has a fixed order. Runs the `state_hash` binary with 1, 2, 4
//! and 8 threads (a process sets its thread pool once; 8 threads on 2 cores still split the work
//! 8 ways) and compares the hashes.

use std::process::Command;

use sqrtk_core::config::{Dynamics, Growth, InitialState, Mode};
use sqrtk_core::Config;

fn hash(config: &Config, threads: usize, fraction: Option<f32>) -> String {
    hash_in(config, threads, fraction, false)
}

/// The state hash after training, in the compact layout (no transpose) when `compact`.
fn hash_in(config: &Config, threads: usize, fraction: Option<f32>, compact: bool) -> String {
    let mut args =
        vec![serde_json::to_string(config).unwrap(), "19".into(), "6".into(), "4".into(), threads.to_string()];
    args.extend(fraction.map(|f| f.to_string()));
    let out = Command::new(env!("CARGO_BIN_EXE_state_hash"))
        .args(&args)
        .env("SQRTK_COMPACT", if compact { "1" } else { "0" })
        .output()
        .expect("run state_hash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn configs() -> Vec<Config> {
    vec![
        Config { seed: 1, ..Config::with_sizes(5, 700, 4, 30) },
        Config { dynamics: Dynamics::Rate, growth: Growth::Gradient, seed: 2, ..Config::with_sizes(3, 520, 3, 20) },
        Config { growth: Growth::Sampled, mode: Mode::Hidden, seed: 3, ..Config::with_sizes(3, 300, 3, 20) },
        // Private noise and random initial states: each neuron draws from its own substream.
        Config {
            dynamics: Dynamics::Rate,
            noise: 0.2,
            initial_state: InitialState::Random,
            seed: 4,
            ..Config::with_sizes(3, 400, 3, 20)
        },
        Config {
            dynamics: Dynamics::Rate,
            noise: 0.1,
            initial_state: InitialState::Learned,
            growth: Growth::Gradient,
            seed: 5,
            ..Config::with_sizes(3, 300, 3, 20)
        },
        // A frozen backbone: only learned synapses get a gradient.
        Config { train_backbone: false, growth: Growth::Gradient, seed: 6, ..Config::with_sizes(3, 350, 3, 25) },
    ]
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for (k, config) in configs().iter().enumerate() {
        let fraction = (config.growth != Growth::Random).then_some(0.5);
        let one = hash(config, 1, fraction);
        for threads in [2, 4, 8] {
            assert_eq!(hash(config, threads, fraction), one, "config {k}: {threads} threads vs 1");
        }
    }
}

/// Without its transpose the backward pass scatters along the rows (`kernels::spmm_transposed`)
/// and the weight gradient is taken row by row: the same bits, at any thread count.
#[test]
fn results_do_not_depend_on_the_layout() {
    for (k, config) in configs().iter().enumerate() {
        let fraction = (config.growth != Growth::Random).then_some(0.5);
        let indexed = hash(config, 1, fraction);
        for threads in [1, 2, 3] {
            assert_eq!(hash_in(config, threads, fraction, true), indexed, "config {k}: compact, {threads} threads");
        }
    }
}
