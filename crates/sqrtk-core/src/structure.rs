//! The recurrent connectivity: one CSR whose row i holds neuron i's backbone synapses first and
//! then its `learned` learned synapses. Every row ends in exactly `learned` slots, so the
//! budget is part of the shape and cannot drift.

use crate::config::{Config, Connectivity, Mode};
use crate::connectivity::{erdos_renyi, fixed_indegree, sample_distinct};
use crate::csr::{Csr, Transpose};
use crate::error::Error;
use crate::memory::try_with_capacity;
use crate::rng::{growth_substream, Rng, Stream};

#[derive(Clone, Debug)]
pub struct Recurrent {
    pub csr: Csr,
    /// Backbone synapses at the start of each row.
    pub backbone_len: Vec<u32>,
    /// Learned slots at the end of each row (M).
    pub learned: usize,
    /// Rebuilt whenever the structure changes.
    pub transpose: Transpose,
}

impl Recurrent {
    pub fn build(config: &Config) -> Result<Recurrent, Error> {
        let n = config.neurons;
        let backbone = match config.connectivity {
            Connectivity::ErdosRenyi => erdos_renyi(n, config.k as f64, config.seed)?,
            Connectivity::FixedIndegree => fixed_indegree(n, config.k, config.seed)?,
        };
        let m = config.learned;
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = try_with_capacity(backbone.nnz() + n * m, "the recurrent synapses")?;
        let mut backbone_len = Vec::with_capacity(n);
        indptr.push(0u32);
        for i in 0..n {
            // Neuron i draws its initial learned partners (and, in hidden mode, the backbone
            // synapses they replace) from its own growth substream.
            let mut rng = Rng::new(config.seed, Stream::Growth, growth_substream::INITIAL + i as u64);
            let mut row = backbone.row(i).to_vec();
            if config.mode == Mode::Hidden {
                if m > row.len() {
                    let rule = format!(
                        "exceeds the backbone in-degree of neuron {i} (={}), which hidden mode replaces",
                        row.len()
                    );
                    return Err(Error::option("learned", m, &rule, "lower learned, raise k, or use mode 'add'"));
                }
                let pruned = sample_distinct(&mut rng, row.len() as u32, m, &[]);
                row = row
                    .iter()
                    .enumerate()
                    .filter(|(e, _)| pruned.binary_search(&(*e as u32)).is_err())
                    .map(|(_, &j)| j)
                    .collect();
            }
            let forbidden = forbidden_partners(i as u32, &row);
            let free = n - forbidden.len();
            if m > free {
                let rule = format!(
                    "exceeds the free partners of neuron {i} (={free}: neurons − 1 − its {} backbone inputs)",
                    row.len()
                );
                return Err(Error::option("learned", m, &rule, "lower learned or k"));
            }
            indices.extend_from_slice(&row);
            indices.extend(sample_distinct(&mut rng, n as u32, m, &forbidden));
            backbone_len.push(row.len() as u32);
            crate::csr::check_nnz(indices.len())?;
            indptr.push(indices.len() as u32);
        }
        let csr = Csr { n_rows: n, n_cols: n, indptr, indices };
        let transpose = Transpose::of(&csr);
        Ok(Recurrent { csr, backbone_len, learned: m, transpose })
    }

    /// Whether synapse `e` of row `i` is a learned one.
    pub fn is_learned(&self, i: usize, e: usize) -> bool {
        e >= self.csr.indptr[i] as usize + self.backbone_len[i] as usize
    }

    pub fn learned_partners(&self, i: usize) -> &[u32] {
        &self.csr.row(i)[self.backbone_len[i] as usize..]
    }

    pub fn in_degree(&self) -> Vec<u32> {
        self.csr.indptr.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// Out-degree of every neuron: the synapses it sends (backbone and learned), or with
    /// `learned_only` its learned ones alone.
    pub fn out_degree(&self, learned_only: bool) -> Vec<u32> {
        let mut out = vec![0u32; self.csr.n_rows];
        for i in 0..self.csr.n_rows {
            let row = self.csr.row(i);
            let first = if learned_only { self.backbone_len[i] as usize } else { 0 };
            for &j in &row[first..] {
                out[j as usize] += 1;
            }
        }
        out
    }

    /// Checks the invariants of the learned slots (exact budget, unique partners, none in the
    /// backbone, no self-connection); an `Err` here is a bug in the core.
    pub fn check_invariants(&self) -> Result<(), Error> {
        for i in 0..self.csr.n_rows {
            let row = self.csr.row(i);
            let nb = self.backbone_len[i] as usize;
            if row.len() != nb + self.learned {
                return Err(Error::state(format!(
                    "neuron {i} has {} learned slots, expected {}",
                    row.len() - nb,
                    self.learned
                )));
            }
            let mut sorted = row.to_vec();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(Error::state(format!("neuron {i} has a repeated partner")));
            }
            if row.contains(&(i as u32)) {
                return Err(Error::state(format!("neuron {i} has a self-connection")));
            }
        }
        Ok(())
    }
}

/// The sorted list of partners a neuron may not take: the inputs it has (`row`) and itself.
pub fn forbidden_partners(neuron: u32, backbone: &[u32]) -> Vec<u32> {
    let mut forbidden = backbone.to_vec();
    forbidden.push(neuron);
    forbidden.sort_unstable();
    forbidden.dedup();
    forbidden
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::small_config;

    #[test]
    fn learned_slots_respect_the_invariants() {
        for seed in 0..20 {
            let mut c = small_config();
            c.seed = seed;
            c.learned = 5;
            let r = Recurrent::build(&c).unwrap();
            r.check_invariants().unwrap();
            for i in 0..c.neurons {
                assert_eq!(r.learned_partners(i).len(), 5);
            }
        }
    }

    #[test]
    fn too_many_learned_synapses_is_an_option_error() {
        let mut c = small_config();
        c.learned = 39;
        let e = Recurrent::build(&c).unwrap_err();
        assert_eq!(e.code, "E_OPTION");
        assert!(e.message.starts_with("learned (=39) exceeds the free partners of neuron"), "{}", e.message);
    }
}
