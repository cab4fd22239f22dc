//! Building a network from plain arrays: the reverse of `sqrtk export`, and the way in for a
//! network made elsewhere (a connectome, a network trained in PyTorch).
//!
//! The recurrent weights come as a CSR matrix (row i = the inputs of neuron i) with a 0/1 flag
//! per synapse: 1 for a learned synapse, 0 for a backbone one. Within a row the backbone
//! synapses may be interleaved with the learned ones (SciPy's sorted rows) or come first
//! (sqrtk's own layout); the core stores the backbone first, in the given order, then the
//! learned synapses in the given order (their slot order). Every rule is checked before
//! anything is built, and each failure is an `E_DATA` error naming the array and the entry.
//! The optimizer state starts fresh: zero moments, step 0, no rewiring yet.

use crate::config::{Config, Growth, InitialState};
use crate::csr::Csr;
use crate::error::Error;
use crate::memory::{self, try_with_capacity};
use crate::network::Network;
use crate::optim::Adam;
use crate::params::Tensors;
use crate::rng::{growth_substream, Rng, Stream};
use crate::structure::{forbidden_partners, Recurrent};

/// The arrays of a network, as `sqrtk export` writes them (see the README).
#[derive(Clone, Copy, Debug, Default)]
pub struct Arrays<'a> {
    /// Row pointers, neurons + 1 of them, from 0 to the number of synapses.
    pub indptr: &'a [i32],
    /// Presynaptic partner of each synapse.
    pub indices: &'a [i32],
    /// Weight of each synapse.
    pub values: &'a [f32],
    /// 1 = learned, 0 = backbone. `None`: every synapse is backbone, and each neuron gets
    /// `config.learned` new learned synapses at weight 0, drawn as a new network draws them.
    pub learned: Option<&'a [u8]>,
    /// neurons × inputs; `None`: initialised as in a new network with this seed.
    pub w_in: Option<&'a [f32]>,
    /// neurons; `None`: zeros.
    pub bias: Option<&'a [f32]>,
    /// outputs × neurons; `None`: initialised as in a new network with this seed.
    pub w_out: Option<&'a [f32]>,
    /// outputs; `None`: zeros.
    pub b_out: Option<&'a [f32]>,
    /// The learned initial state, neurons (only with `initialState: 'learned'`); `None`: zeros.
    pub x0: Option<&'a [f32]>,
    /// How the user named `values` (an `.npz` export calls it `data`), for messages.
    pub values_name: &'a str,
}

const CSR_FIX: &str = "pass the CSR arrays of an N × N matrix (scipy.sparse.csr_matrix: indptr, indices, data)";

impl Network {
    /// A network with exactly the given structure and weights (see the module comment).
    pub fn from_arrays(config: Config, a: &Arrays) -> Result<Network, Error> {
        config.validate()?;
        let (n, m) = (config.neurons, config.learned);
        let nnz = check_indptr(a.indptr, n, a.indices.len())?;
        check_len(a.values_name, a.values.len(), nnz, "one per synapse (the length of indices)")?;
        if let Some(flags) = a.learned {
            check_len("learned", flags.len(), nnz, "one flag per synapse (the length of indices)")?;
        }
        let added = if a.learned.is_none() { n * m } else { 0 };
        check_memory(&config, nnz + added)?;
        check_finite(a.values_name, a.values)?;
        let dense = |name: &str, given: Option<&[f32]>, len: usize, rule: &str| -> Result<Option<Vec<f32>>, Error> {
            let Some(values) = given else { return Ok(None) };
            check_len(name, values.len(), len, rule)?;
            check_finite(name, values)?;
            let mut v = try_with_capacity(len, name)?;
            v.extend_from_slice(values);
            Ok(Some(v))
        };
        let (d, o) = (config.inputs, config.outputs);
        let w_in = dense("w_in", a.w_in, n * d, &format!("neurons × inputs (={n} × {d})"))?;
        let bias = dense("bias", a.bias, n, &format!("one per neuron (={n})"))?;
        let w_out = dense("w_out", a.w_out, o * n, &format!("outputs × neurons (={o} × {n})"))?;
        let b_out = dense("b_out", a.b_out, o, &format!("one per output (={o})"))?;
        if a.x0.is_some() && config.initial_state != InitialState::Learned {
            return Err(Error::data(
                "x0 (a learned initial state) is given but initialState is not 'learned'; set initialState: 'learned' or drop x0",
            ));
        }
        let x0 = dense("x0", a.x0, n, &format!("one per neuron (={n})"))?;

        let (structure, w_rec) = build_structure(&config, a)?;
        let init = |sub: u64, len: usize, scale: f64| {
            let mut rng = Rng::new(config.seed, Stream::Init, sub);
            (0..len).map(|_| (rng.normal() * scale) as f32).collect::<Vec<f32>>()
        };
        let params = Tensors {
            w_in: w_in.unwrap_or_else(|| init(0, n * d, 1.0 / (d as f64).sqrt())),
            bias: bias.unwrap_or_else(|| vec![0.0; n]),
            w_rec,
            w_out: w_out.unwrap_or_else(|| init(2, o * n, 1.0 / (n as f64).sqrt())),
            b_out: b_out.unwrap_or_else(|| vec![0.0; o]),
            x0: x0.unwrap_or_else(|| crate::params::initial_x0(&config)),
        };
        let signs =
            if config.growth == Growth::DeepR { deep_r_signs(&config, &structure, &params.w_rec) } else { Vec::new() };
        let adam = Adam::new(&params)?;
        Network::from_parts(config, structure, params, adam, signs, 0, 0)
    }

    /// Forgets the optimizer state and the rewiring counters, as an import starts: what an
    /// export → import round trip keeps is exactly the state hash after this (for tests).
    pub fn reset_training_state(&mut self) {
        let adam = &mut self.adam;
        for t in adam.m.all_mut().into_iter().chain(adam.v.all_mut()) {
            t.fill(0.0);
        }
        (adam.steps, adam.beta1_t, adam.beta2_t) = (0, 1.0, 1.0);
        self.rewires = 0;
        self.turnover = 0;
    }
}

fn check_len(name: &str, found: usize, want: usize, rule: &str) -> Result<(), Error> {
    if found == want {
        return Ok(());
    }
    Err(Error::data(format!("{name} has {found} values, but needs {want}: {rule}; pass {name} of length {want}")))
}

/// Checks the row pointers; returns the number of synapses.
fn check_indptr(indptr: &[i32], n: usize, nnz: usize) -> Result<usize, Error> {
    if indptr.len() != n + 1 {
        return Err(Error::data(format!(
            "indptr has {} values, but needs {}: neurons + 1 (neurons = {n}); {CSR_FIX}",
            indptr.len(),
            n + 1
        )));
    }
    if indptr[0] != 0 {
        return Err(Error::data(format!("indptr[0] (={}) must be 0; {CSR_FIX}", indptr[0])));
    }
    if let Some(i) = (0..n).find(|&i| indptr[i + 1] < indptr[i]) {
        return Err(Error::data(format!(
            "indptr[{}] (={}) is below indptr[{i}] (={}): row pointers never decrease; {CSR_FIX}",
            i + 1,
            indptr[i + 1],
            indptr[i]
        )));
    }
    if indptr[n] as usize != nnz {
        return Err(Error::data(format!(
            "indptr[{n}] (={}) must equal the number of synapses (={nnz}, the length of indices); {CSR_FIX}",
            indptr[n]
        )));
    }
    Ok(nnz)
}

fn check_finite(name: &str, values: &[f32]) -> Result<(), Error> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(at) => Err(Error::data(format!(
            "{name}[{at}] (={}) is not a finite number; every weight must be finite: replace NaN and infinite values",
            values[at]
        ))),
    }
}

/// Refuses a network that cannot fit in memory (the same per-synapse costs as `memory.rs`).
fn check_memory(c: &Config, synapses: usize) -> Result<(), Error> {
    let need = memory::bytes(c, synapses as u64, false);
    if synapses as u64 >= u32::MAX as u64 || need > memory::limit() {
        return Err(Error {
            code: "E_MEMORY",
            message: format!(
                "the network ({} neurons, {synapses} synapses) needs about {}, more than the {} this build can address; import a smaller network",
                c.neurons,
                memory::size(need),
                memory::size(memory::limit())
            ),
        });
    }
    Ok(())
}

/// One row's synapses, split: backbone first, then learned (entries of the input arrays).
fn split_row(a: &Arrays, i: usize, n: usize, backbone: &mut Vec<usize>, learned: &mut Vec<usize>) -> Result<(), Error> {
    backbone.clear();
    learned.clear();
    let range = a.indptr[i] as usize..a.indptr[i + 1] as usize;
    for e in range {
        let j = a.indices[e];
        if j < 0 || j as usize >= n {
            return Err(Error::data(format!(
                "indices[{e}] (={j}) in row {i} must be a neuron, in 0..{n} (neurons = {n}); {CSR_FIX}"
            )));
        }
        if j as usize == i {
            return Err(Error::data(format!(
                "indices[{e}] (={j}) in row {i} is a self-connection; sqrtk networks have none: remove the diagonal (A.setdiag(0); A.eliminate_zeros())"
            )));
        }
        match a.learned.map_or(0, |f| f[e]) {
            0 => {
                if let Some(&prev) = backbone.last() {
                    let p = a.indices[prev];
                    if j <= p {
                        let why = if j == p { "repeats a partner of that row" } else { "comes after a larger one" };
                        let fix = if j == p {
                            "merge repeated synapses (A.sum_duplicates())"
                        } else {
                            "sort every row (A.sort_indices())"
                        };
                        return Err(Error::data(format!(
                            "indices[{e}] (={j}) in row {i} {why} (indices[{prev}] = {p}): the backbone partners of a row must be sorted and unique; {fix}"
                        )));
                    }
                }
                backbone.push(e);
            }
            1 => learned.push(e),
            flag => {
                return Err(Error::data(format!(
                    "learned[{e}] (={flag}) must be 0 (a backbone synapse) or 1 (a learned one); pass 0/1 flags"
                )))
            }
        }
    }
    Ok(())
}

/// The recurrent structure and weights, after every per-row rule is checked.
fn build_structure(c: &Config, a: &Arrays) -> Result<(Recurrent, Vec<f32>), Error> {
    let (n, m) = (c.neurons, c.learned);
    let total = a.indices.len() + if a.learned.is_none() { n * m } else { 0 };
    let mut indices: Vec<u32> = try_with_capacity(total, "the recurrent synapses")?;
    let mut w_rec: Vec<f32> = try_with_capacity(total, "the recurrent weights")?;
    let mut indptr = try_with_capacity(n + 1, "the row pointers")?;
    let mut backbone_len = try_with_capacity(n, "the backbone degrees")?;
    indptr.push(0u32);
    let (mut backbone, mut learned) = (Vec::new(), Vec::new());
    let mut partners: Vec<u32> = Vec::new();
    for i in 0..n {
        split_row(a, i, n, &mut backbone, &mut learned)?;
        partners.clear();
        partners.extend(backbone.iter().map(|&e| a.indices[e] as u32));
        let backbone_partners = partners.len();
        if a.learned.is_some() {
            if learned.len() != m {
                return Err(Error::data(format!(
                    "learned: row {i} has {} learned synapses (flag 1), but every neuron needs exactly learned (={m}); flag exactly {m} synapses of every row, or set learned to the count every row has",
                    learned.len()
                )));
            }
            partners.extend(learned.iter().map(|&e| a.indices[e] as u32));
            let mut sorted = partners.clone();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(Error::data(format!(
                    "indices: row {i} has partner {} twice (a learned synapse repeats a learned or backbone one); every partner may appear once per row: merge them (A.sum_duplicates())",
                    w[0]
                )));
            }
            w_rec.extend(backbone.iter().chain(&learned).map(|&e| a.values[e]));
        } else if m > 0 {
            // As in a new network: neuron i's learned partners come from its growth substream.
            let forbidden = forbidden_partners(i as u32, &partners);
            if m > n - forbidden.len() {
                let rule = format!(
                    "exceeds the free partners of neuron {i} (={}: neurons − 1 − its {backbone_partners} inputs)",
                    n - forbidden.len()
                );
                return Err(Error::option("learned", m, &rule, "lower learned, or import fewer synapses"));
            }
            let mut rng = Rng::new(c.seed, Stream::Growth, growth_substream::INITIAL + i as u64);
            partners.extend(crate::connectivity::sample_distinct(&mut rng, n as u32, m, &forbidden));
            w_rec.extend(backbone.iter().map(|&e| a.values[e]));
            w_rec.extend(std::iter::repeat_n(0.0, m));
        } else {
            w_rec.extend(backbone.iter().map(|&e| a.values[e]));
        }
        indices.extend_from_slice(&partners);
        backbone_len.push(backbone_partners as u32);
        indptr.push(indices.len() as u32);
    }
    let csr = Csr { n_rows: n, n_cols: n, indptr, indices };
    let structure = Recurrent::new(c, csr, backbone_len);
    structure.check_invariants()?;
    Ok((structure, w_rec))
}

/// `deep_r` keeps a fixed sign per learned synapse: the sign of its weight, or for a weight of 0
/// (a dead or new synapse) a random sign, drawn as a new network draws its signs.
fn deep_r_signs(c: &Config, s: &Recurrent, w_rec: &[f32]) -> Vec<f32> {
    let mut rng = Rng::new(c.seed, Stream::Growth, growth_substream::DEEP_R_SIGNS);
    let mut signs = Vec::with_capacity(c.neurons * s.learned);
    for i in 0..c.neurons {
        let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
        for slot in 0..s.learned {
            let drawn = crate::growth::random_sign(&mut rng);
            let w = w_rec[first + slot];
            signs.push(if w > 0.0 {
                1.0
            } else if w < 0.0 {
                -1.0
            } else {
                drawn
            });
        }
    }
    signs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{small_config, Connectivity, Mode};
    use crate::{AdamConfig, Batch, Target};

    /// The arrays `sqrtk export` writes for `net`, owned.
    struct Owned(Vec<i32>, Vec<i32>, Vec<f32>, Vec<u8>, Tensors);

    fn export(net: &Network) -> Owned {
        let s = &net.structure;
        let flags = (0..s.csr.n_rows).flat_map(|i| s.csr.row_range(i).map(move |e| s.is_learned(i, e) as u8));
        Owned(
            s.csr.indptr.iter().map(|&v| v as i32).collect(),
            s.csr.indices.iter().map(|&v| v as i32).collect(),
            net.params.w_rec.clone(),
            flags.collect(),
            net.params.clone(),
        )
    }

    fn arrays(o: &Owned) -> Arrays<'_> {
        Arrays {
            indptr: &o.0,
            indices: &o.1,
            values: &o.2,
            learned: Some(&o.3),
            w_in: Some(&o.4.w_in),
            bias: Some(&o.4.bias),
            w_out: Some(&o.4.w_out),
            b_out: Some(&o.4.b_out),
            x0: (!o.4.x0.is_empty()).then_some(&o.4.x0[..]),
            values_name: "values",
        }
    }

    fn trained(config: Config) -> Network {
        let mut net = Network::new(config).unwrap();
        let x: Vec<f32> = (0..5 * 4 * 3).map(|i| (i as f32 * 0.37).sin()).collect();
        let labels = [0, 1, 2, 3, 0];
        for _ in 0..4 {
            let batch = Batch { x: &x, size: 5, steps: 4, target: Target::Labels(&labels) };
            net.train_batch(&batch, &AdamConfig { lr: 0.05, ..AdamConfig::default() }).unwrap();
            net.rewire(0.5).unwrap();
        }
        net
    }

    #[test]
    fn export_then_import_gives_the_same_network_once_training_state_is_reset() {
        for mode in [Mode::Add, Mode::Hidden] {
            let connectivity = Connectivity::FixedIndegree; // hidden mode needs k ≥ learned everywhere
            let mut net = trained(Config { growth: Growth::Sampled, mode, connectivity, ..small_config() });
            assert!(net.turnover > 0, "rewiring moved learned synapses (slots no longer sorted)");
            let o = export(&net);
            let back = Network::from_arrays(net.config.clone(), &arrays(&o)).unwrap();
            assert_eq!(back.adam.steps, 0);
            assert_ne!(back.state_hash(), net.state_hash(), "the original's optimizer state is not zero");
            net.reset_training_state();
            assert_eq!(back.state_hash(), net.state_hash());
            assert_eq!(back.params, net.params);
        }
    }

    #[test]
    fn a_learned_initial_state_round_trips_and_is_refused_without_one() {
        let mut net = trained(Config { initial_state: InitialState::Learned, ..small_config() });
        assert!(net.params.x0.iter().any(|&v| v != 0.0));
        let o = export(&net);
        let back = Network::from_arrays(net.config.clone(), &arrays(&o)).unwrap();
        net.reset_training_state();
        assert_eq!(back.state_hash(), net.state_hash());
        let e = Network::from_arrays(small_config(), &arrays(&o)).unwrap_err();
        assert!(e.message.starts_with("x0 (a learned initial state) is given but initialState"), "{}", e.message);
    }

    #[test]
    fn sorted_rows_with_interleaved_flags_are_split_into_backbone_then_learned() {
        let net = Network::new(small_config()).unwrap();
        let o = export(&net);
        // SciPy's layout: every row sorted by partner, the learned flags wherever they fall.
        let mut sorted = Owned(o.0.clone(), Vec::new(), Vec::new(), Vec::new(), o.4.clone());
        for i in 0..net.config.neurons {
            let mut row: Vec<usize> = (o.0[i] as usize..o.0[i + 1] as usize).collect();
            row.sort_by_key(|&e| o.1[e]);
            sorted.1.extend(row.iter().map(|&e| o.1[e]));
            sorted.2.extend(row.iter().map(|&e| o.2[e]));
            sorted.3.extend(row.iter().map(|&e| o.3[e]));
        }
        assert_ne!(sorted.3, o.3, "the flags really are interleaved");
        let back = Network::from_arrays(net.config.clone(), &arrays(&sorted)).unwrap();
        assert_eq!(back.state_hash(), net.state_hash());
    }

    #[test]
    fn without_flags_every_synapse_is_backbone_and_learned_ones_are_added_as_a_new_network_adds_them() {
        let net = Network::new(small_config()).unwrap();
        let o = export(&net);
        let mut backbone = Owned(vec![0], Vec::new(), Vec::new(), Vec::new(), o.4.clone());
        for i in 0..net.config.neurons {
            for e in o.0[i] as usize..o.0[i + 1] as usize {
                if o.3[e] == 0 {
                    backbone.1.push(o.1[e]);
                    backbone.2.push(o.2[e]);
                }
            }
            backbone.0.push(backbone.1.len() as i32);
        }
        let a = Arrays { learned: None, ..arrays(&backbone) };
        let back = Network::from_arrays(net.config.clone(), &a).unwrap();
        assert_eq!(back.state_hash(), net.state_hash());
        let none = Network::from_arrays(Config { learned: 0, ..net.config.clone() }, &a).unwrap();
        assert_eq!(none.structure.csr.nnz(), backbone.1.len());
        // Missing dense tensors are initialised as a new network's.
        let bare = Arrays { w_in: None, w_out: None, bias: None, b_out: None, ..a };
        assert_eq!(Network::from_arrays(net.config.clone(), &bare).unwrap().params, net.params);
    }

    #[test]
    fn deep_r_signs_follow_the_weights() {
        let net = trained(Config { growth: Growth::DeepR, ..small_config() });
        let o = export(&net);
        let back = Network::from_arrays(net.config.clone(), &arrays(&o)).unwrap();
        let s = &back.structure;
        for i in 0..back.config.neurons {
            let first = s.csr.indptr[i] as usize + s.backbone_len[i] as usize;
            for slot in 0..s.learned {
                let (w, sign) = (back.params.w_rec[first + slot], back.signs[i * s.learned + slot]);
                assert!(w * sign >= 0.0 && sign.abs() == 1.0);
            }
        }
    }

    #[test]
    fn broken_arrays_are_data_errors() {
        let net = Network::new(small_config()).unwrap();
        let o = export(&net);
        let fail = |edit: &dyn Fn(&mut Owned)| {
            let mut bad = Owned(o.0.clone(), o.1.clone(), o.2.clone(), o.3.clone(), o.4.clone());
            edit(&mut bad);
            let e = Network::from_arrays(net.config.clone(), &arrays(&bad)).unwrap_err();
            assert_eq!(e.code, "E_DATA", "{}", e.message);
            e.message
        };
        assert!(fail(&|b| b.0[0] = 1).starts_with("indptr[0] (=1) must be 0;"));
        assert!(fail(&|b| b.1[0] = 40).starts_with("indices[0] (=40) in row 0 must be a neuron, in 0..40"));
        assert!(fail(&|b| b.1[0] = 0).starts_with("indices[0] (=0) in row 0 is a self-connection"));
        assert!(fail(&|b| b.3[0] = 2).starts_with("learned[0] (=2) must be 0"));
        assert!(fail(&|b| b.3[0] = 1).starts_with("learned: row 0 has 3 learned synapses"));
        assert!(fail(&|b| b.2[5] = f32::NAN).starts_with("values[5] (=NaN) is not a finite number"));
        assert!(fail(&|b| b.1[1] = b.1[0]).contains("repeats a partner of that row"));
        assert!(fail(&|b| b.1.swap(0, 1)).contains("comes after a larger one"));
        assert!(fail(&|b| {
            let last = b.1.len() - 1;
            b.1[last] = b.1[last - 1]
        })
        .contains("has partner"));
        assert!(fail(&|b| {
            b.4.w_in.pop();
        })
        .starts_with("w_in has 119 values, but needs 120"));
    }
}
