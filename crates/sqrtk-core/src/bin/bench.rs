//! Native timing of one configuration, for `bench/run.mjs` (the same Rust core, compiled for
//! x86-64 instead of WebAssembly). Prints one JSON line like the other bench scripts.
//!
//!     bench <neurons> <k> <batch> <steps> <threads> [reps] [--profile]
//!
//! With `--profile`, `reps` more training steps run with the per-phase profile on, and the line
//! gets `profile_ms_per_step` (see `sqrtk_core::profile`); the timed steps run without it.

use std::time::Instant;

use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident memory of this process in MB (Linux), if known.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn main() {
    let profile = std::env::args().any(|a| a == "--profile");
    let args: Vec<usize> =
        std::env::args().skip(1).filter(|a| a != "--profile").map(|a| a.parse().expect("integer arguments")).collect();
    let [neurons, k, batch, steps, threads, ..] = args[..] else {
        eprintln!("usage: bench <neurons> <k> <batch> <steps> <threads> [reps]");
        std::process::exit(2);
    };
    let reps = args.get(5).copied().unwrap_or(3);
    sqrtk_core::parallel::spawn_native_workers(threads);
    let (inputs, outputs) = (8, 10);
    let x: Vec<f32> = (0..batch * steps * inputs).map(|i| (((i * 7919) % 1000) as f64 / 1000.0 - 0.5) as f32).collect();
    let labels: Vec<i32> = (0..batch).map(|b| (b % outputs) as i32).collect();

    let started = Instant::now();
    let mut net = Network::new(Config { seed: 1, ..Config::with_sizes(inputs, neurons, outputs, k) }).expect("network");
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    let opt = AdamConfig { lr: 0.002, ..AdamConfig::default() };
    let train = |net: &mut Network| {
        let t = Instant::now();
        net.train_batch(&Batch { x: &x, size: batch, steps, target: Target::Labels(&labels) }, &opt).expect("step");
        t.elapsed().as_secs_f64() * 1e3
    };
    let forward = |net: &mut Network| {
        let t = Instant::now();
        net.predict(&Batch { x: &x, size: batch, steps, target: Target::None }).expect("forward");
        t.elapsed().as_secs_f64() * 1e3 / steps as f64
    };
    train(&mut net);
    let train_step_ms = median((0..reps).map(|_| train(&mut net)).collect());
    let profile_json = if profile {
        sqrtk_core::profile::enable(true);
        let wall: f64 = (0..reps).map(|_| train(&mut net)).sum();
        let totals = sqrtk_core::profile::totals_ms();
        sqrtk_core::profile::enable(false);
        let mut fields: Vec<String> =
            totals.iter().map(|(p, ms)| format!("\"{}\":{:.3}", p.name(), ms / reps as f64)).collect();
        fields.push(format!("\"caller\":{:.3}", wall / reps as f64));
        format!(",\"profile_ms_per_step\":{{{}}}", fields.join(","))
    } else {
        String::new()
    };
    forward(&mut net);
    let forward_step_ms = median((0..reps).map(|_| forward(&mut net)).collect());
    println!(
        "{{\"implementation\":\"sqrtk native\",\"neurons\":{neurons},\"k\":{k},\"batch\":{batch},\"steps\":{steps},\"threads\":{threads},\"status\":\"ok\",\"build_ms\":{build_ms:.1},\"train_step_ms\":{train_step_ms:.2},\"forward_step_ms\":{forward_step_ms:.3},\"peak_rss_mb\":{},\"synapses\":{}{profile_json},\"notes\":\"x86-64, auto-vectorised, release build\"}}",
        peak_rss_mb().map_or("null".to_string(), |m| format!("{m:.0}")),
        net.structure.csr.nnz()
    );
}
