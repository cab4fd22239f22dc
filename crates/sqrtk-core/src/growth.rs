//! Learned synapses: every neuron owns exactly `learned` slots whose presynaptic partner is
//! chosen by a growth strategy. This strategy is `random` (partners drawn once).

use crate::connectivity::sample_distinct;
use crate::rng::{Rng, Stream};

/// The sorted list of partners a neuron may not take: its backbone inputs and itself.
pub fn forbidden_partners(neuron: u32, backbone: &[u32]) -> Vec<u32> {
    let mut forbidden = backbone.to_vec();
    let at = forbidden.binary_search(&neuron).unwrap_or_else(|at| at);
    forbidden.insert(at, neuron);
    forbidden.dedup();
    forbidden
}

/// `random` strategy: `count` distinct partners for `neuron`, none in its backbone row
/// (sorted) and not itself, drawn from the growth stream of that neuron.
pub fn random_partners(
    seed: u64,
    neurons: usize,
    neuron: u32,
    backbone: &[u32],
    count: usize,
) -> Vec<u32> {
    let mut rng = Rng::new(seed, Stream::Growth, neuron as u64);
    sample_distinct(
        &mut rng,
        neurons as u32,
        count,
        &forbidden_partners(neuron, backbone),
    )
}
