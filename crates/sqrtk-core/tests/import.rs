//! No arrays make `Network::from_arrays` panic: arbitrary CSR arrays, flags and tensors come
//! back as a network that keeps every invariant, or as an error.

use proptest::prelude::*;
use sqrtk_core::config::Growth;
use sqrtk_core::import::Arrays;
use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

fn small(neurons: usize, learned: usize, growth: Growth) -> Config {
    Config { learned, growth, seed: 3, ..Config::with_sizes(2, neurons, 2, 1) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_arrays_never_panic(
        neurons in 2usize..8,
        learned in 0usize..3,
        deep_r in any::<bool>(),
        indptr in proptest::collection::vec(-2i32..20, 0..10),
        indices in proptest::collection::vec(-2i32..10, 0..20),
        values in proptest::collection::vec(prop_oneof![Just(f32::NAN), -2.0f32..2.0], 0..20),
        flags in proptest::option::of(proptest::collection::vec(0u8..3, 0..20)),
        w_in in proptest::option::of(proptest::collection::vec(-1.0f32..1.0, 0..20)),
    ) {
        let config = small(neurons, learned, if deep_r { Growth::DeepR } else { Growth::Sampled });
        let a = Arrays { indptr: &indptr, indices: &indices, values: &values, learned: flags.as_deref(), w_in: w_in.as_deref(), values_name: "values", ..Arrays::default() };
        if let Ok(mut net) = Network::from_arrays(config, &a) {
            net.structure.check_invariants().unwrap();
            let x = vec![0.5f32; 2 * 3 * 2];
            let batch = Batch { x: &x, size: 2, steps: 3, target: Target::Labels(&[0, 1]) };
            net.train_batch(&batch, &AdamConfig::default()).unwrap();
            net.rewire(1.0).unwrap();
            net.structure.check_invariants().unwrap();
        }
    }

    /// Valid arrays built from random rows: always accepted, and the structure is what was given.
    #[test]
    fn any_valid_rows_are_accepted(rows in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 6), 6), learned in 0usize..2) {
        let n = rows.len();
        let (mut indptr, mut indices, mut values, mut flags) = (vec![0i32], Vec::new(), Vec::new(), Vec::new());
        let mut expected = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let partners: Vec<i32> = (0..n as i32).filter(|&j| j != i as i32 && row[j as usize]).collect();
            // The first `learned` partners of a row are its learned synapses (if it has enough).
            let m = learned.min(partners.len());
            if m < learned { return Ok(()); }
            for (p, &j) in partners.iter().enumerate() {
                indices.push(j);
                values.push(j as f32 * 0.1);
                flags.push((p < m) as u8);
            }
            expected.extend(partners[m..].iter().chain(&partners[..m]).map(|&j| j as u32));
            indptr.push(indices.len() as i32);
        }
        let a = Arrays { indptr: &indptr, indices: &indices, values: &values, learned: Some(&flags), values_name: "values", ..Arrays::default() };
        let net = Network::from_arrays(small(n, learned, Growth::Gradient), &a).unwrap();
        prop_assert_eq!(&net.structure.csr.indices, &expected);
        let weights: Vec<f32> = expected.iter().map(|&j| j as f32 * 0.1).collect();
        prop_assert_eq!(&net.params.w_rec, &weights);
    }

    /// One entry of a valid network's arrays changed to any value: a network or an error.
    #[test]
    fn one_damaged_entry_never_panics(which in 0usize..3, at in any::<usize>(), value in -3i32..45) {
        let net = Network::new(Config { learned: 2, seed: 5, ..Config::with_sizes(2, 40, 2, 4) }).unwrap();
        let s = &net.structure;
        let mut indptr: Vec<i32> = s.csr.indptr.iter().map(|&v| v as i32).collect();
        let mut indices: Vec<i32> = s.csr.indices.iter().map(|&v| v as i32).collect();
        let mut flags: Vec<u8> =
            (0..s.csr.n_rows).flat_map(|i| s.csr.row_range(i).map(move |e| s.is_learned(i, e) as u8)).collect();
        match which {
            0 => { let n = indptr.len(); indptr[at % n] = value; }
            1 => { let n = indices.len(); indices[at % n] = value; }
            _ => { let n = flags.len(); flags[at % n] = value.clamp(0, 255) as u8; }
        }
        let a = Arrays { indptr: &indptr, indices: &indices, values: &net.params.w_rec, learned: Some(&flags), values_name: "values", ..Arrays::default() };
        match Network::from_arrays(net.config.clone(), &a) {
            Ok(back) => back.structure.check_invariants().unwrap(),
            Err(e) => prop_assert_eq!(e.code, "E_DATA"),
        }
    }
}
