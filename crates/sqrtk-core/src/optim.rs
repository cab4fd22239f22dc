//! Adam (Kingma & Ba 2015) with global gradient-norm clipping.

use crate::error::Error;
use crate::parallel::{self, Disjoint};
use crate::params::{Tensors, ELEMENTS_PER_CHUNK};

#[derive(Clone, Copy, Debug)]
pub struct AdamConfig {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Rescale the gradient when its global norm exceeds this (0 = no clipping).
    pub clip_norm: f32,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, clip_norm: 1.0 }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    pub m: Tensors,
    pub v: Tensors,
    pub steps: u64,
    /// β1^t and β2^t, kept as running products (no `powf`, same bits everywhere).
    pub beta1_t: f64,
    pub beta2_t: f64,
}

impl AdamConfig {
    /// Checks the learning rate (0 < lr ≤ 1) and clipping norm (finite, ≥ 0).
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 1.0) {
            return Err(Error::option("lr", self.lr, "must be a finite number > 0 and <= 1", "use e.g. lr: 0.002"));
        }
        if !(self.clip_norm.is_finite() && self.clip_norm >= 0.0) {
            let fix = "use e.g. clipNorm: 1 (0 turns it off)";
            return Err(Error::option("clipNorm", self.clip_norm, "must be a finite number >= 0", fix));
        }
        Ok(())
    }
}

impl Adam {
    pub fn new(params: &Tensors) -> Result<Adam, Error> {
        let (m, v) = (
            Tensors::zeros_like(params, "Adam's first moments")?,
            Tensors::zeros_like(params, "Adam's second moments")?,
        );
        Ok(Adam { m, v, steps: 0, beta1_t: 1.0, beta2_t: 1.0 })
    }

    /// Clips `grads` in place and applies one Adam update. Returns the norm before clipping.
    pub fn step(&mut self, params: &mut Tensors, grads: &mut Tensors, cfg: &AdamConfig) -> f64 {
        let norm = grads.norm();
        if cfg.clip_norm > 0.0 && norm > cfg.clip_norm as f64 {
            let scale = (cfg.clip_norm as f64 / norm) as f32;
            for g in grads.all_mut() {
                g.iter_mut().for_each(|x| *x *= scale);
            }
        }
        self.steps += 1;
        self.beta1_t *= cfg.beta1 as f64;
        self.beta2_t *= cfg.beta2 as f64;
        let correct1 = (1.0 / (1.0 - self.beta1_t)) as f32;
        let correct2 = (1.0 / (1.0 - self.beta2_t)) as f32;
        let (b1, b2) = (cfg.beta1, cfg.beta2);
        let tensors = params.all_mut().into_iter().zip(grads.all()).zip(self.m.all_mut()).zip(self.v.all_mut());
        for (((p, g), m), v) in tensors {
            let (p, m, v) = (Disjoint::new(p), Disjoint::new(m), Disjoint::new(v));
            parallel::pool().run(g.len().div_ceil(ELEMENTS_PER_CHUNK), &|c| {
                let span = c * ELEMENTS_PER_CHUNK..((c + 1) * ELEMENTS_PER_CHUNK).min(g.len());
                // SAFETY: chunk c owns these elements of p, m and v.
                let (p, m, v) = unsafe { (p.range(span.clone()), m.range(span.clone()), v.range(span.clone())) };
                for ((p, &g), (m, v)) in p.iter_mut().zip(&g[span]).zip(m.iter_mut().zip(v.iter_mut())) {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p -= cfg.lr * (*m * correct1) / ((*v * correct2).sqrt() + cfg.eps);
                }
            });
        }
        norm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_weight_by_lr_against_its_gradient_sign() {
        let mut p = Tensors { w_in: vec![1.0, -1.0], bias: vec![0.0], ..Default::default() };
        let mut g = Tensors { w_in: vec![0.3, -0.2], bias: vec![0.0], ..Default::default() };
        let mut adam = Adam::new(&p).unwrap();
        let cfg = AdamConfig { lr: 0.1, clip_norm: 0.0, ..Default::default() };
        adam.step(&mut p, &mut g, &cfg);
        assert!((p.w_in[0] - 0.9).abs() < 1e-6 && (p.w_in[1] + 0.9).abs() < 1e-6);
        assert_eq!(p.bias[0], 0.0, "a zero gradient leaves the weight unchanged");
    }

    #[test]
    fn clipping_bounds_the_gradient_norm() {
        let mut p = Tensors { w_in: vec![0.0; 2], ..Default::default() };
        let mut g = Tensors { w_in: vec![3.0, 4.0], ..Default::default() };
        let mut adam = Adam::new(&p).unwrap();
        let norm = adam.step(&mut p, &mut g, &AdamConfig { clip_norm: 1.0, ..Default::default() });
        assert_eq!(norm, 5.0);
        assert!((g.norm() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_bad_learning_rate_or_clipping_norm_is_an_option_error() {
        for lr in [0.0, -1.0, f32::NAN, f32::INFINITY, 2.0] {
            let e = AdamConfig { lr, ..Default::default() }.validate().unwrap_err();
            assert!(e.message.starts_with("lr (="), "{}", e.message);
        }
        for clip_norm in [-1.0, f32::NAN] {
            let e = AdamConfig { clip_norm, ..Default::default() }.validate().unwrap_err();
            assert!(e.message.starts_with("clipNorm (="), "{}", e.message);
        }
        assert!(AdamConfig::default().validate().is_ok());
    }
}
