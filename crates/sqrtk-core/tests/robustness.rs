//! No input makes the core panic: arbitrary bytes given to `checkpoint::load`, arbitrary
//! configurations given to `Network::new`, and batches of the wrong shape all come back as
//! errors (a panic here would abort the WebAssembly instance).

use proptest::prelude::*;
use sqrtk_core::checkpoint;
use sqrtk_core::config::{Dynamics, Growth, Mode};
use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = checkpoint::load(&bytes);
        let mut with_magic = b"SQRTKNET\x01\x00\x00\x00".to_vec();
        with_magic.extend(&bytes);
        let _ = checkpoint::load(&with_magic);
    }

    #[test]
    fn arbitrary_bytes_in_arbitrary_chunks_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), size in 1usize..40) {
        let mut with_magic = b"SQRTKNET\x01\x00\x00\x00".to_vec();
        with_magic.extend(&bytes);
        for header_only in [false, true] {
            let mut loader = checkpoint::Loader::new(header_only);
            if with_magic.chunks(size).all(|c| loader.push(c).is_ok()) {
                let _ = if header_only { loader.finish_header().map(|_| ()) } else { loader.finish().map(|_| ()) };
            }
        }
    }

    #[test]
    fn damaging_a_saved_network_gives_an_error(at in 0usize..10_000, bit in 0u8..8, cut in 0usize..10_000) {
        let mut net = Network::new(Config { growth: Growth::Gradient, learned: 2, seed: 1, ..Config::with_sizes(2, 20, 2, 4) }).unwrap();
        let x = vec![0.5f32; 3 * 4 * 2];
        net.train_batch(&Batch { x: &x, size: 3, steps: 4, target: Target::Labels(&[0, 1, 0]) }, &AdamConfig::default()).unwrap();
        let bytes = checkpoint::save(&net, serde_json::Value::Null);
        let mut flipped = bytes.clone();
        let at = at % bytes.len();
        flipped[at] ^= 1 << bit;
        prop_assert!(checkpoint::load(&flipped).is_err());
        prop_assert!(checkpoint::load(&bytes[..cut % bytes.len()]).is_err());
    }

    #[test]
    fn arbitrary_configurations_and_batches_never_panic(
        inputs in 0usize..4, neurons in 0usize..40, outputs in 0usize..4, k in 0usize..45, learned in 0usize..45,
        hidden in any::<bool>(), rate in any::<bool>(), tau in -1.0f32..20.0, dt in -1.0f32..20.0,
        size in 0usize..4, steps in 0usize..4, x_len in 0usize..40, labels in proptest::collection::vec(-2i32..6, 0..5),
    ) {
        let config = Config {
            learned,
            mode: if hidden { Mode::Hidden } else { Mode::Add },
            dynamics: if rate { Dynamics::Rate } else { Dynamics::Discrete },
            tau,
            dt,
            ..Config::with_sizes(inputs, neurons, outputs, k)
        };
        if let Ok(mut net) = Network::new(config) {
            let x = vec![0.25f32; x_len];
            let batch = Batch { x: &x, size, steps, target: Target::Labels(&labels) };
            let _ = net.train_batch(&batch, &AdamConfig::default());
            let mask: Vec<f32> = labels.iter().map(|&l| l as f32 - 1.0).collect();
            let per_step = Batch { x: &x, size, steps, target: Target::StepLabels { labels: &labels, mask: Some(&mask) } };
            let _ = net.train_batch(&per_step, &AdamConfig::default());
            let _ = net.evaluate(&Batch { target: Target::StepLabels { labels: &labels, mask: None }, ..per_step });
            let _ = net.rewire(0.5);
            let _ = net.predict(&Batch { x: &x, size, steps, target: Target::None });
        }
    }
}

/// A network without a single recurrent synapse (k = 1 of 2 neurons, no learned ones, a draw
/// with no synapse) still trains: its gradients are allocated by the first batch even though
/// its recurrent weights are empty (a review found the first version skipped them then).
#[test]
fn a_network_without_recurrent_synapses_trains() {
    let config = Config { learned: 0, seed: 4, ..Config::with_sizes(1, 2, 2, 1) };
    let mut net = Network::new(config).unwrap();
    assert_eq!(net.structure.csr.nnz(), 0);
    let (x, labels) = ([0.5f32, -0.5, 0.25], [1i32]);
    let batch = Batch { x: &x, size: 1, steps: 3, target: Target::Labels(&labels) };
    let before = net.state_hash();
    net.train_batch(&batch, &AdamConfig::default()).unwrap();
    assert_ne!(net.state_hash(), before, "the readout trained");
}
