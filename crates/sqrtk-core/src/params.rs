//! The trainable tensors of a network, kept as flat `f32` vectors in fixed layouts.

/// Layouts: `w_in` is neurons × inputs, `w_rec` follows the recurrent CSR's entry order,
/// `w_out` is outputs × neurons (all row-major).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tensors {
    pub w_in: Vec<f32>,
    pub bias: Vec<f32>,
    pub w_rec: Vec<f32>,
    pub w_out: Vec<f32>,
    pub b_out: Vec<f32>,
}

impl Tensors {
    pub fn zeros_like(other: &Tensors) -> Tensors {
        let zeros = |v: &Vec<f32>| vec![0.0; v.len()];
        Tensors {
            w_in: zeros(&other.w_in),
            bias: zeros(&other.bias),
            w_rec: zeros(&other.w_rec),
            w_out: zeros(&other.w_out),
            b_out: zeros(&other.b_out),
        }
    }

    /// All tensors, in a fixed order (used for hashing, clipping, the optimizer, saving).
    pub fn all(&self) -> [&Vec<f32>; 5] {
        [&self.w_in, &self.bias, &self.w_rec, &self.w_out, &self.b_out]
    }

    pub fn all_mut(&mut self) -> [&mut Vec<f32>; 5] {
        [&mut self.w_in, &mut self.bias, &mut self.w_rec, &mut self.w_out, &mut self.b_out]
    }

    pub fn fill_zero(&mut self) {
        for t in self.all_mut() {
            t.fill(0.0);
        }
    }

    /// Euclidean norm over all tensors, summed in f64 in a fixed order.
    pub fn norm(&self) -> f64 {
        let sum: f64 = self.all().iter().flat_map(|t| t.iter()).map(|&g| (g as f64) * (g as f64)).sum();
        sum.sqrt()
    }
}
