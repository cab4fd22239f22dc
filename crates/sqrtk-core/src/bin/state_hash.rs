//! Trains a network natively on a synthetic batch and prints its state hash. Used by tests:
//! `tests/threads.rs` (1, 2, 4 threads must agree) and `test/native-parity.test.ts` (the
//! WebAssembly build must agree with the native one).
//!
//!     state_hash '<config json>' <batch> <steps> <optimizer steps> [threads] [rewire fraction]
//!
//! With a rewire fraction, the network rewires after every optimizer step. With
//! `SQRTK_COMPACT=1` in the environment the network trains without its transpose
//! (`Network::compact`; `tests/threads.rs` checks that this changes no bit).

use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(5..=7).contains(&args.len()) {
        eprintln!("usage: state_hash '<config json>' <batch> <steps> <optimizer steps> [threads] [rewire fraction]");
        std::process::exit(2);
    }
    let config: Config = serde_json::from_str(&args[1]).unwrap_or_else(|e| fail(&format!("config: {e}")));
    let number =
        |k: usize| args[k].parse::<usize>().unwrap_or_else(|_| fail(&format!("argument {k} must be an integer")));
    let (size, steps, updates) = (number(2), number(3), number(4));
    let threads = if args.len() > 5 { number(5) } else { 1 };
    let fraction: Option<f32> = args.get(6).map(|f| f.parse().unwrap_or_else(|_| fail("rewire fraction")));
    sqrtk_core::parallel::spawn_native_workers(threads);

    // Inputs the TypeScript side reproduces exactly: ((i · 7919) mod 1000) / 1000 − 0.5, rounded to f32.
    let x: Vec<f32> =
        (0..size * steps * config.inputs).map(|i| (((i * 7919) % 1000) as f64 / 1000.0 - 0.5) as f32).collect();
    let labels: Vec<i32> = (0..size).map(|s| (s % config.outputs) as i32).collect();
    let mut net = Network::new(config).unwrap_or_else(|e| fail(&e.to_string()));
    if std::env::var("SQRTK_COMPACT").is_ok_and(|v| v == "1") {
        net.compact();
    }
    let opt = AdamConfig { lr: 0.01, ..AdamConfig::default() };
    for _ in 0..updates {
        let batch = Batch { x: &x, size, steps, target: Target::Labels(&labels) };
        net.train_batch(&batch, &opt).unwrap_or_else(|e| fail(&e.to_string()));
        if let Some(f) = fraction {
            net.rewire(f).unwrap_or_else(|e| fail(&e.to_string()));
        }
    }
    println!("{}", net.state_hash());
}

fn fail(message: &str) -> ! {
    eprintln!("state_hash: {message}");
    std::process::exit(2);
}
