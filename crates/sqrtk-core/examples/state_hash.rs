//! Trains a network natively on a synthetic batch and prints its state hash. The TypeScript
//! test `test/native-parity.test.ts` runs the same recipe in WebAssembly and expects the same
//! hash: native and wasm32 builds must agree bit for bit.
//!
//!     cargo run --release --example state_hash -- '<config json>' <batch> <steps> <optimizer steps>

use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

/// Inputs the TypeScript side can reproduce exactly: ((i · 7919) mod 1000) / 1000 − 0.5, in f64, rounded to f32.
pub fn synthetic_inputs(len: usize) -> Vec<f32> {
    (0..len).map(|i| (((i * 7919) % 1000) as f64 / 1000.0 - 0.5) as f32).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: state_hash '<config json>' <batch> <steps> <optimizer steps>");
        std::process::exit(2);
    }
    let config: Config = serde_json::from_str(&args[1]).expect("config JSON");
    let (size, steps, updates): (usize, usize, usize) =
        (args[2].parse().unwrap(), args[3].parse().unwrap(), args[4].parse().unwrap());
    let x = synthetic_inputs(size * steps * config.inputs);
    let labels: Vec<i32> = (0..size).map(|s| (s % config.outputs) as i32).collect();
    let mut net = Network::new(config).unwrap_or_else(|e| panic!("{e}"));
    let opt = AdamConfig { lr: 0.01, ..AdamConfig::default() };
    for _ in 0..updates {
        net.train_batch(&Batch { x: &x, size, steps, target: Target::Labels(&labels) }, &opt)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    println!("{}", net.state_hash());
}
