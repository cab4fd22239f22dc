//! Times building a network natively (backbone + learned slots + transpose + initial weights).
//!
//!     cargo run --release -p sqrtk-core --example build_time -- 100000 1000
//!
//! Prints one JSON line: neurons, k, synapses, seconds for the backbone alone and for the network.

use std::time::Instant;

use sqrtk_core::{Config, Network};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("integer argument")).collect();
    let (n, k) = match args[..] {
        [n, k] => (n, k),
        _ => {
            eprintln!("usage: build_time <neurons> <k>");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let backbone = sqrtk_core::connectivity::erdos_renyi(n, k as f64, 1).expect("backbone");
    let backbone_seconds = started.elapsed().as_secs_f64();
    let synapses = backbone.nnz();
    drop(backbone);
    let config = Config { seed: 1, ..Config::with_sizes(8, n, 10, k) };
    let started = Instant::now();
    let net = Network::new(config).expect("network");
    let network_seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"neurons\":{n},\"k\":{k},\"backbone_synapses\":{synapses},\"synapses\":{},\"backbone_seconds\":{backbone_seconds:.3},\"network_seconds\":{network_seconds:.3}}}",
        net.structure.csr.nnz()
    );
}
