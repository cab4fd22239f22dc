//! The recurrent connectivity: one CSR whose row i holds neuron i's backbone synapses first and
//! then its `learned` learned synapses. Every row ends in exactly `learned` slots, so the
//! budget is part of the shape and cannot drift.

use crate::config::{Config, Connectivity, Mode};
use crate::connectivity::{erdos_renyi_blocks, fixed_indegree, fixed_indegree_blocks, sample_distinct};
use crate::csr::{Csr, Transpose};
use crate::error::Error;
use crate::memory::{self, try_with_capacity};
use crate::populations::{Populations, E, I};
use crate::rng::{growth_substream, Rng, Stream};

#[derive(Clone, Debug)]
pub struct Recurrent {
    pub csr: Csr,
    /// Backbone synapses at the start of each row.
    pub backbone_len: Vec<u32>,
    /// Learned slots at the end of each row (M).
    pub learned: usize,
    /// The synapses column by column, for the backward pass (8 bytes per synapse), rebuilt
    /// whenever the structure changes; `None` in the compact layout that a network too large
    /// for it uses (see `memory::keeps_transpose`), where the backward pass scatters along the
    /// rows instead ([`crate::kernels::spmm_transposed`]): the same bits, more time.
    pub transpose: Option<Transpose>,
}

impl Recurrent {
    /// The connectivity of rows `csr` (backbone first, then `config.learned` learned slots),
    /// with its transpose when the network fits with one (`memory::keeps_transpose`).
    pub fn new(config: &Config, csr: Csr, backbone_len: Vec<u32>) -> Recurrent {
        let transpose = memory::keeps_transpose(config, csr.nnz() as u64, memory::limit()).then(|| Transpose::of(&csr));
        Recurrent { csr, backbone_len, learned: config.learned, transpose }
    }

    /// A new network's connectivity. The learned synapses are added to the backbone's own
    /// index array, in place, so that the largest networks never hold two copies of their
    /// synapses.
    pub fn build(config: &Config) -> Result<Recurrent, Error> {
        let n = config.neurons;
        let m = config.learned;
        let hidden = config.mode == Mode::Hidden;
        let Csr { mut indptr, mut indices, .. } = backbone(config, if hidden { 0 } else { n * m })?;
        let mut backbone_len = Vec::with_capacity(n);
        // `add` mode: the learned partners of every neuron, in order.
        let mut added: Vec<u32> = if hidden { Vec::new() } else { try_with_capacity(n * m, "the learned synapses")? };
        // `add` mode with maxLearnedOut: learned synapses each neuron sends, and the neurons
        // that reached the cap (sorted).
        let (mut learned_out, mut saturated) = (vec![0u32; n], Vec::<u32>::new());
        for i in 0..n {
            // Neuron i draws its initial learned partners (in hidden mode, the backbone synapses
            // that become learned ones) from its own growth substream.
            let mut rng = Rng::new(config.seed, Stream::Growth, growth_substream::INITIAL + i as u64);
            let row = &mut indices[indptr[i] as usize..indptr[i + 1] as usize];
            let learned = if hidden {
                if m > row.len() {
                    let rule = format!(
                        "exceeds the backbone in-degree of neuron {i} (={}), which hidden mode replaces",
                        row.len()
                    );
                    return Err(Error::option("learned", m, &rule, "lower learned, raise k, or use mode 'add'"));
                }
                // The learned synapses start as m of the random graph's own synapses, so the
                // network starts as exactly that graph, with every in- and out-degree: the
                // others keep their order, the chosen ones move to the end of the row.
                let chosen = sample_distinct(&mut rng, row.len() as u32, m, &[]);
                let is_chosen = |e: usize| chosen.binary_search(&(e as u32)).is_ok();
                let learned: Vec<u32> = (0..row.len()).filter(|&e| is_chosen(e)).map(|e| row[e]).collect();
                let kept: Vec<u32> = (0..row.len()).filter(|&e| !is_chosen(e)).map(|e| row[e]).collect();
                row[..kept.len()].copy_from_slice(&kept);
                row[kept.len()..].copy_from_slice(&learned);
                backbone_len.push(kept.len() as u32);
                learned
            } else {
                let mut forbidden = forbidden_partners(i as u32, row);
                if !saturated.is_empty() {
                    forbidden.extend_from_slice(&saturated);
                    forbidden.sort_unstable();
                    forbidden.dedup();
                }
                let free = n - forbidden.len();
                if m > free {
                    return Err(too_few_partners(config, i, free, row.len()));
                }
                backbone_len.push(row.len() as u32);
                let learned = sample_distinct(&mut rng, n as u32, m, &forbidden);
                added.extend_from_slice(&learned);
                learned
            };
            if config.max_learned_out > 0 {
                for &j in &learned {
                    learned_out[j as usize] += 1;
                    if learned_out[j as usize] as usize == config.max_learned_out {
                        let at = saturated.partition_point(|&s| s < j);
                        saturated.insert(at, j);
                    }
                }
            }
        }
        if !hidden {
            // Each row moves up by the learned synapses of the rows before it (the last row
            // first, so no row is overwritten before it moved), and its own follow it.
            crate::csr::check_nnz(indices.len() + n * m)?;
            let more = n * m;
            indices.try_reserve_exact(more).map_err(|_| memory::out_of_memory(4 * more, "the learned synapses"))?;
            indices.resize(indices.len() + more, 0);
            for i in (0..n).rev() {
                let (from, to) = (indptr[i] as usize, indptr[i + 1] as usize);
                let at = from + i * m;
                indices.copy_within(from..to, at);
                indices[at + to - from..at + to - from + m].copy_from_slice(&added[i * m..(i + 1) * m]);
            }
            for (i, p) in indptr.iter_mut().enumerate() {
                *p += (i * m) as u32;
            }
        }
        Ok(Recurrent::new(config, Csr { n_rows: n, n_cols: n, indptr, indices }, backbone_len))
    }

    /// How many of every neuron's learned partners belong to `population`: with
    /// `out_degree(true)`, what hidden mode preserves.
    pub fn learned_from(&self, pops: &Populations, population: usize) -> Vec<u32> {
        (0..self.csr.n_rows)
            .map(|i| {
                self.learned_partners(i).iter().filter(|&&j| pops.population(j as usize) == population).count() as u32
            })
            .collect()
    }

    /// Whether synapse `e` of row `i` is a learned one.
    pub fn is_learned(&self, i: usize, e: usize) -> bool {
        e >= self.csr.indptr[i] as usize + self.backbone_len[i] as usize
    }

    /// Rebuilds the transpose after the rows changed (nothing to do in the compact layout).
    pub fn rebuild_transpose(&mut self) {
        if let Some(t) = &mut self.transpose {
            t.rebuild(&self.csr);
        }
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
            if row[..nb].windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::state(format!("the backbone partners of neuron {i} are not in increasing order")));
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

/// The backbone graph: plain, or by blocks of populations when `blocks` is set.
/// Its index array has room for `extra` more synapses (see `connectivity::erdos_renyi_blocks`).
fn backbone(c: &Config, extra: usize) -> Result<Csr, Error> {
    let (n, seed) = (c.neurons, c.seed);
    let pops = match Populations::of(c) {
        Some(pops) if c.blocks.is_some() => pops,
        _ => {
            return match c.connectivity {
                Connectivity::ErdosRenyi => erdos_renyi_blocks(n, seed, extra, |_| vec![(0..n, c.k as f64 / n as f64)]),
                Connectivity::FixedIndegree => fixed_indegree(n, c.k, seed, extra),
            }
        }
    };
    // Neuron i of population a has k_ab inputs from population b on average (exactly, for
    // fixed in-degrees), never itself.
    let candidates = |a: usize, b: usize| pops.size(b) - (a == b) as usize;
    match c.connectivity {
        Connectivity::ErdosRenyi => erdos_renyi_blocks(n, seed, extra, |i| {
            let a = pops.population(i);
            [E, I]
                .map(|b| {
                    let p = if candidates(a, b) == 0 { 0.0 } else { pops.block_k(c, a, b) / candidates(a, b) as f64 };
                    (pops.range(b), p.min(1.0))
                })
                .to_vec()
        }),
        Connectivity::FixedIndegree => fixed_indegree_blocks(n, seed, extra, |i| {
            let a = pops.population(i);
            [E, I].map(|b| (pops.range(b), pops.block_k(c, a, b).round() as usize)).to_vec()
        }),
    }
}

fn too_few_partners(c: &Config, i: usize, free: usize, backbone: usize) -> Error {
    if c.max_learned_out > 0 {
        let rule = format!(
            "leaves neuron {i} only {free} partners for its {} learned synapses (the others sent maxLearnedOut already)",
            c.learned
        );
        return Error::option("maxLearnedOut", c.max_learned_out, &rule, "raise maxLearnedOut or use 0 (no cap)");
    }
    let rule =
        format!("exceeds the free partners of neuron {i} (={free}: neurons − 1 − its {backbone} backbone inputs)");
    Error::option("learned", c.learned, &rule, "lower learned or k")
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
