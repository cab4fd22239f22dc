//! Excitatory and inhibitory populations, Dale's law and balanced scaling.
//!
//! With `excitatory: f`, neurons `0..n_E` (n_E = round(f · N)) are excitatory and the rest
//! inhibitory. Under Dale's law every synapse takes the sign of its presynaptic neuron: ≥ 0 from
//! an excitatory neuron, ≤ 0 from an inhibitory one. We keep it by projection: after every
//! optimizer step (and at initialisation and rewiring) a weight on the wrong side of zero is set
//! to 0. Adam then is projected Adam: its moments are those of the unconstrained gradient, and a
//! synapse held at 0 moves again as soon as its gradient points the allowed way.

use crate::config::{Blocks, Config, Connectivity, Mode, Scaling};
use crate::error::Error;
use crate::parallel::{self, Disjoint};
use crate::rng::Rng;
use crate::structure::Recurrent;

/// Rows per parallel chunk of the projection.
const ROWS_PER_CHUNK: usize = 256;

/// The two populations of a network with `excitatory` set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Populations {
    /// Neurons `0..excitatory` are excitatory, `excitatory..neurons` inhibitory.
    pub excitatory: usize,
    pub neurons: usize,
}

/// 0 = excitatory, 1 = inhibitory (the index into per-block tables).
pub const E: usize = 0;
pub const I: usize = 1;

impl Populations {
    pub fn of(config: &Config) -> Option<Populations> {
        let f = config.excitatory?;
        Some(Populations { excitatory: excitatory_count(f, config.neurons), neurons: config.neurons })
    }

    pub fn population(&self, neuron: usize) -> usize {
        if neuron < self.excitatory {
            E
        } else {
            I
        }
    }

    /// +1 for an excitatory neuron, −1 for an inhibitory one.
    pub fn sign(&self, neuron: usize) -> f32 {
        if neuron < self.excitatory {
            1.0
        } else {
            -1.0
        }
    }

    pub fn size(&self, population: usize) -> usize {
        if population == E {
            self.excitatory
        } else {
            self.neurons - self.excitatory
        }
    }

    /// The neurons of a population, as a range of indices.
    pub fn range(&self, population: usize) -> core::ops::Range<usize> {
        if population == E {
            0..self.excitatory
        } else {
            self.excitatory..self.neurons
        }
    }

    /// Mean in-degree k_ab of a neuron of population `a` from population `b`: the configured
    /// blocks, or k split in proportion to the population sizes (the plain random graph).
    pub fn block_k(&self, config: &Config, a: usize, b: usize) -> f64 {
        match config.blocks {
            Some(Blocks { k_ee, k_ei, k_ie, k_ii }) => [[k_ee, k_ei], [k_ie, k_ii]][a][b],
            None => config.k as f64 * self.size(b) as f64 / self.neurons as f64,
        }
    }
}

/// round(f · N): the number of excitatory neurons (the TypeScript `excitatoryCount` is the same).
pub fn excitatory_count(f: f64, neurons: usize) -> usize {
    (f * neurons as f64).round() as usize
}

/// Checks the population options (called from `Config::validate`).
pub fn validate(c: &Config) -> Result<(), Error> {
    if c.max_learned_out > 0 {
        if c.mode == Mode::Hidden {
            let rule = "applies to mode 'add' only (hidden mode keeps every out-degree anyway)";
            return Err(Error::option("maxLearnedOut", c.max_learned_out, rule, "remove maxLearnedOut"));
        }
        if c.max_learned_out < c.learned {
            let rule = format!("must be at least learned (={}), the mean learned out-degree", c.learned);
            return Err(Error::option(
                "maxLearnedOut",
                c.max_learned_out,
                &rule,
                "raise maxLearnedOut or use 0 (no cap)",
            ));
        }
    }
    let Some(f) = c.excitatory else {
        let needs = |name: &str, set: bool| {
            if set {
                let rule = "needs populations";
                Err(Error::option(name, "set", rule, "set excitatory to the fraction of excitatory neurons, e.g. 0.8"))
            } else {
                Ok(())
            }
        };
        needs("dale", c.dale)?;
        needs("blocks", c.blocks.is_some())?;
        return needs("scaling", c.scaling == Scaling::Balanced);
    };
    let pops = Populations { excitatory: excitatory_count(f, c.neurons), neurons: c.neurons };
    if !(f.is_finite() && f > 0.0 && f < 1.0) || pops.excitatory == 0 || pops.excitatory == c.neurons {
        let rule = format!("must leave at least one neuron in each population (of {})", c.neurons);
        return Err(Error::option("excitatory", f, &rule, "use e.g. excitatory: 0.8"));
    }
    if let Some(blocks) = c.blocks {
        check_blocks(c, &pops, blocks)?;
    }
    let j = c.couplings;
    let all = [("EE", j.ee), ("EI", j.ei), ("IE", j.ie), ("II", j.ii), ("E0", j.e0), ("I0", j.i0)];
    if let Some((name, v)) = all.iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::option(&format!("couplings.{name}"), v, "must be a finite number", "use the defaults"));
    }
    if c.dale {
        let signed = [("EE", j.ee, 1.0), ("EI", j.ei, -1.0), ("IE", j.ie, 1.0), ("II", j.ii, -1.0)];
        if let Some((name, v, _)) = signed.iter().find(|(_, v, s)| v * s < 0.0) {
            let rule = "must have the sign of its presynaptic population under Dale's law (E ≥ 0, I ≤ 0)";
            return Err(Error::option(&format!("couplings.{name}"), v, rule, "flip its sign"));
        }
    }
    Ok(())
}

fn check_blocks(c: &Config, pops: &Populations, b: Blocks) -> Result<(), Error> {
    let table = [("kEE", b.k_ee, E, E), ("kEI", b.k_ei, E, I), ("kIE", b.k_ie, I, E), ("kII", b.k_ii, I, I)];
    for (name, k, a, from) in table {
        let most = pops.size(from) - (a == from) as usize;
        if !(k.is_finite() && k >= 0.0 && k <= most as f64) {
            let rule = format!("must be between 0 and the {most} possible partners in that population");
            return Err(Error::option(name, k, &rule, "lower it or raise neurons"));
        }
        if c.connectivity == Connectivity::FixedIndegree && k.fract() != 0.0 {
            let rule = "must be a whole number with connectivity 'fixed_indegree'";
            return Err(Error::option(name, k, rule, "round it"));
        }
    }
    for (target, sum) in [("kEE + kEI", b.k_ee + b.k_ei), ("kIE + kII", b.k_ie + b.k_ii)] {
        if (sum - c.k as f64).abs() > 1e-9 * c.k as f64 {
            let rule = format!("must equal k (={}), the mean in-degree", c.k);
            return Err(Error::option(target, sum, &rule, "make the blocks of each population add up to k"));
        }
    }
    Ok(())
}

/// Sets every recurrent weight on the wrong side of zero for its presynaptic neuron to 0.
pub fn project(pops: &Populations, rec: &Recurrent, w_rec: &mut [f32]) {
    let (indptr, indices) = (&rec.csr.indptr, &rec.csr.indices);
    let w = Disjoint::new(w_rec);
    parallel::for_rows(rec.csr.n_rows, ROWS_PER_CHUNK, |rows| {
        let span = indptr[rows.start] as usize..indptr[rows.end] as usize;
        // SAFETY: this chunk owns the synapses of its rows.
        let weights = unsafe { w.range(span.clone()) };
        for (w, &j) in weights.iter_mut().zip(&indices[span]) {
            if *w * pops.sign(j as usize) < 0.0 {
                *w = 0.0;
            }
        }
    });
}

/// The initial backbone weight of a synapse j → i (learned synapses start at 0 elsewhere):
///
/// - standard scaling without Dale's law: gain · z / √k, z ~ N(0, 1);
/// - standard scaling with Dale's law: s_j · a_ab · |z|, where the magnitudes make each row's
///   expected excitatory and inhibitory inputs cancel (k_aE · a_aE = k_aI · a_aI) and its
///   variance gain² (k_aE a_aE² + k_aI a_aI² = gain²), so the bulk of the spectrum keeps radius
///   ≈ gain, as for the plain network (Rajan & Abbott 2006, Phys. Rev. Lett. 97:188104);
/// - balanced scaling: J_ab / √k_ab, the same for every synapse of a block.
pub fn backbone_weight(c: &Config, pops: Option<&Populations>, i: usize, j: usize, rng: &mut Rng) -> f32 {
    let z = rng.normal();
    let Some(pops) = pops else {
        return (z * (c.gain as f64 / (c.k as f64).sqrt())) as f32;
    };
    let (a, b) = (pops.population(i), pops.population(j));
    match c.scaling {
        Scaling::Balanced => {
            let jab = [[c.couplings.ee, c.couplings.ei], [c.couplings.ie, c.couplings.ii]][a][b];
            (jab / pops.block_k(c, a, b).max(1.0).sqrt()) as f32
        }
        Scaling::Standard if c.dale => {
            let (k_e, k_i) = (pops.block_k(c, a, E), pops.block_k(c, a, I));
            let gain = c.gain as f64;
            let magnitude = if k_e > 0.0 && k_i > 0.0 {
                let a_e = gain / (k_e * (1.0 + k_e / k_i)).sqrt();
                if b == E {
                    a_e
                } else {
                    a_e * k_e / k_i
                }
            } else {
                gain / (k_e + k_i).max(1.0).sqrt()
            };
            (pops.sign(j) as f64 * magnitude * z.abs()) as f32
        }
        Scaling::Standard => (z * (c.gain as f64 / (c.k as f64).sqrt())) as f32,
    }
}

/// The initial bias of neuron i: the external drive √k_aE · J_a0 under balanced scaling, else 0.
pub fn initial_bias(c: &Config, pops: Option<&Populations>, i: usize) -> f32 {
    match pops {
        Some(p) if c.scaling == Scaling::Balanced => {
            let a = p.population(i);
            let j0 = if a == E { c.couplings.e0 } else { c.couplings.i0 };
            (p.block_k(c, a, E).sqrt() * j0) as f32
        }
        _ => 0.0,
    }
}

/// Whether every recurrent weight has the sign of its presynaptic neuron (or is 0).
pub fn obeys_dale(pops: &Populations, rec: &Recurrent, w_rec: &[f32]) -> bool {
    rec.csr.indices.iter().zip(w_rec).all(|(&j, &w)| w * pops.sign(j as usize) >= 0.0)
}
