//! The trainable tensors of a network, kept as flat `f32` vectors in fixed layouts.

use crate::config::{Config, InitialState};
use crate::error::Error;
use crate::memory::try_filled;
use crate::parallel::{self, Disjoint};

/// Elements per parallel chunk in element-wise work (fixed, whatever the thread count).
pub const ELEMENTS_PER_CHUNK: usize = 1 << 14;

/// The initial value of `Tensors::x0`: zeros [neurons] for a learned initial state (training
/// starts from today's x_0 = 0), empty otherwise.
pub fn initial_x0(c: &Config) -> Vec<f32> {
    vec![0.0; if c.initial_state == InitialState::Learned { c.neurons } else { 0 }]
}

/// Layouts: `w_in` is neurons × inputs, `w_rec` follows the recurrent CSR's entry order,
/// `w_out` is outputs × neurons (all row-major). `x0` is the learned initial state [neurons]
/// (`initialState: 'learned'`; empty otherwise).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tensors {
    pub w_in: Vec<f32>,
    pub bias: Vec<f32>,
    pub w_rec: Vec<f32>,
    pub w_out: Vec<f32>,
    pub b_out: Vec<f32>,
    pub x0: Vec<f32>,
}

impl Tensors {
    /// Whether every tensor has the length of the same tensor of `other`.
    pub fn same_shapes(&self, other: &Tensors) -> bool {
        self.all().iter().zip(other.all()).all(|(a, b)| a.len() == b.len())
    }

    /// Zeros of the shapes of `other`, or an error (never an abort) when memory runs out.
    pub fn zeros_like(other: &Tensors, what: &str) -> Result<Tensors, Error> {
        let zeros = |v: &Vec<f32>| try_filled(v.len(), 0.0, what);
        Ok(Tensors {
            w_in: zeros(&other.w_in)?,
            bias: zeros(&other.bias)?,
            w_rec: zeros(&other.w_rec)?,
            w_out: zeros(&other.w_out)?,
            b_out: zeros(&other.b_out)?,
            x0: zeros(&other.x0)?,
        })
    }

    /// All tensors, in a fixed order (used for clipping, the optimizer, saving).
    pub fn all(&self) -> [&Vec<f32>; 6] {
        [&self.w_in, &self.bias, &self.w_rec, &self.w_out, &self.b_out, &self.x0]
    }

    pub fn all_mut(&mut self) -> [&mut Vec<f32>; 6] {
        [&mut self.w_in, &mut self.bias, &mut self.w_rec, &mut self.w_out, &mut self.b_out, &mut self.x0]
    }

    /// The tensors a state hash covers: the first five always, `x0` only when the network has
    /// one (so networks without a learned initial state keep the hashes they always had).
    pub fn hashed(&self) -> impl Iterator<Item = &Vec<f32>> {
        self.all().into_iter().enumerate().filter(|(k, t)| *k < 5 || !t.is_empty()).map(|(_, t)| t)
    }

    pub fn fill_zero(&mut self) {
        for t in self.all_mut() {
            t.fill(0.0);
        }
    }

    /// Euclidean norm over all tensors: squares summed in f64 over fixed chunks (in parallel),
    /// then the chunk sums added in order, so the result does not depend on the thread count.
    pub fn norm(&self) -> f64 {
        let mut sum = 0.0f64;
        for t in self.all() {
            let chunks = t.len().div_ceil(ELEMENTS_PER_CHUNK);
            let mut partial = vec![0.0f64; chunks];
            let out = Disjoint::new(&mut partial);
            parallel::pool().run(chunks, &|c| {
                let part = &t[c * ELEMENTS_PER_CHUNK..((c + 1) * ELEMENTS_PER_CHUNK).min(t.len())];
                // SAFETY: chunk c owns partial sum c.
                unsafe { out.set(c, part.iter().map(|&g| (g as f64) * (g as f64)).sum()) };
            });
            sum += partial.iter().sum::<f64>();
        }
        sum.sqrt()
    }
}
