//! Random labelled sequences for the integration tests that train networks.

use sqrtk_core::rng::{Rng, Stream};
use sqrtk_core::{Batch, Config, Target};

pub struct Data {
    pub x: Vec<f32>,
    pub labels: Vec<i32>,
}

/// `size` sequences of `steps` normal inputs, each with a random class.
pub fn data(c: &Config, size: usize, steps: usize, seed: u64) -> Data {
    let mut rng = Rng::new(seed, Stream::DataOrder, 0);
    Data {
        x: (0..size * steps * c.inputs).map(|_| rng.normal() as f32).collect(),
        labels: (0..size).map(|_| rng.below(c.outputs as u64) as i32).collect(),
    }
}

pub fn batch<'a>(d: &'a Data, size: usize, steps: usize) -> Batch<'a> {
    Batch { x: &d.x, size, steps, target: Target::Labels(&d.labels) }
}
