//! The element-wise work of one neuron at one step, over its batch: the state update of the
//! forward pass and the step through φ' of the backward pass. Four lanes at a time, with the
//! operations of the scalar references beside them in the same order, so the bits are those of
//! the scalar code on every platform.

use crate::config::Activation;
use crate::math::F4;

/// Reference for [`integrate`].
#[allow(clippy::too_many_arguments)]
pub fn integrate_scalar(
    x: &mut [f32],
    x_prev: &[f32],
    rec: &[f32],
    w_in: &[f32],
    u: &[f32],
    u_stride: usize,
    bias: f32,
    alpha: f32,
) {
    for s in 0..x.len() {
        let mut input = 0.0f32;
        for (k, &w) in w_in.iter().enumerate() {
            input += w * u[k * u_stride + s];
        }
        let drive = rec[s] + input + bias;
        x[s] = if alpha == 1.0 { drive } else { (1.0 - alpha) * x_prev[s] + alpha * drive };
    }
}

/// One neuron's new state over the batch:
///   x = (1 − α) x_prev + α drive,   drive = (rec + Σ_k w_in[k] u_k) + bias
/// (α = 1: x = drive), the inputs summed in order from 0. Input k's batch is
/// `u[k * u_stride..]`.
#[allow(clippy::too_many_arguments)]
pub fn integrate(
    x: &mut [f32],
    x_prev: &[f32],
    rec: &[f32],
    w_in: &[f32],
    u: &[f32],
    u_stride: usize,
    bias: f32,
    alpha: f32,
) {
    let b = x.len();
    assert!(x_prev.len() >= b && rec.len() >= b);
    assert!(w_in.is_empty() || (w_in.len() - 1) * u_stride + b <= u.len());
    let lanes = b / 4 * 4;
    let (bias4, alpha4, keep4) = (F4::splat(bias), F4::splat(alpha), F4::splat(1.0 - alpha));
    let mut c = 0;
    while c < lanes {
        // SAFETY: c + 4 <= b, and every row read is at least b long (asserted above).
        unsafe {
            let mut input = F4::splat(0.0);
            for (k, &w) in w_in.iter().enumerate() {
                input = input.add(F4::splat(w).mul(F4::read(u.as_ptr().add(k * u_stride + c))));
            }
            let drive = F4::read(rec.as_ptr().add(c)).add(input).add(bias4);
            let out =
                if alpha == 1.0 { drive } else { keep4.mul(F4::read(x_prev.as_ptr().add(c))).add(alpha4.mul(drive)) };
            out.write(x.as_mut_ptr().add(c));
        }
        c += 4;
    }
    let tail = &u[lanes.min(u.len())..];
    integrate_scalar(&mut x[lanes..], &x_prev[lanes..], &rec[lanes..], w_in, tail, u_stride, bias, alpha);
}

/// φ'(x), from r = φ(x) where that is cheaper.
pub fn phi_prime(activation: Activation, x: f32, r: f32) -> f32 {
    match activation {
        Activation::Tanh => 1.0 - r * r,
        Activation::Relu => (x > 0.0) as u32 as f32,
    }
}

fn phi_prime4(activation: Activation, x: F4, r: F4) -> F4 {
    let one = F4::splat(1.0);
    match activation {
        Activation::Tanh => one.sub(r.mul(r)),
        Activation::Relu => x.select_gt(F4::splat(0.0), one, F4::splat(0.0)),
    }
}

/// What the step after this one sends back, for [`through_phi`]: `back` = Wᵀ g_{t+1} and
/// `next` = g_{t+1}, over the batch.
#[derive(Clone, Copy)]
pub struct Later<'a> {
    pub back: &'a [f32],
    pub next: &'a [f32],
}

/// Reference for [`through_phi`].
pub fn through_phi_scalar(
    activation: Activation,
    g: &mut [f32],
    x: &[f32],
    r: &[f32],
    later: Option<Later>,
    alpha: f32,
) {
    for s in 0..g.len() {
        let deriv = phi_prime(activation, x[s], r[s]);
        g[s] = match later {
            None => g[s] * deriv,
            Some(l) if alpha == 1.0 => (g[s] + alpha * l.back[s]) * deriv,
            Some(l) => (g[s] + alpha * l.back[s]) * deriv + (1.0 - alpha) * l.next[s],
        };
    }
}

/// dL/dx_t from dL/dr_t, in place in `g`: g ⊙ φ'(x) at the last step; before it
/// (g + α Wᵀ g_{t+1}) ⊙ φ'(x) + (1 − α) g_{t+1}, the last term only when α ≠ 1.
pub fn through_phi(activation: Activation, g: &mut [f32], x: &[f32], r: &[f32], later: Option<Later>, alpha: f32) {
    let b = g.len();
    assert!(x.len() >= b && r.len() >= b);
    if let Some(l) = later {
        assert!(l.back.len() >= b && l.next.len() >= b);
    }
    let lanes = b / 4 * 4;
    let (alpha4, keep4) = (F4::splat(alpha), F4::splat(1.0 - alpha));
    let mut c = 0;
    while c < lanes {
        // SAFETY: c + 4 <= b, and every slice read is at least b long (asserted above).
        unsafe {
            let at = |s: &[f32]| F4::read(s.as_ptr().add(c));
            let deriv = phi_prime4(activation, at(x), at(r));
            let gv = at(g);
            let out = match later {
                None => gv.mul(deriv),
                Some(l) if alpha == 1.0 => gv.add(alpha4.mul(at(l.back))).mul(deriv),
                Some(l) => gv.add(alpha4.mul(at(l.back))).mul(deriv).add(keep4.mul(at(l.next))),
            };
            out.write(g.as_mut_ptr().add(c));
        }
        c += 4;
    }
    let later = later.map(|l| Later { back: &l.back[lanes..], next: &l.next[lanes..] });
    through_phi_scalar(activation, &mut g[lanes..], &x[lanes..], &r[lanes..], later, alpha);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed, Stream::Init, 0);
        (0..n).map(|_| rng.normal() as f32).collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn integrate_has_the_bits_of_its_scalar_reference() {
        for b in [1, 3, 4, 13, 32, 37] {
            for (d, alpha) in [(0, 1.0), (3, 1.0), (8, 0.1), (5, 0.37)] {
                let stride = b + 5;
                let (u, rec, prev) = (random(d * stride + b, 1), random(b, 2), random(b, 3));
                let w_in = random(d, 4);
                let (mut fast, mut slow) = (vec![0.0; b], vec![0.0; b]);
                integrate(&mut fast, &prev, &rec, &w_in, &u, stride, 0.3, alpha);
                integrate_scalar(&mut slow, &prev, &rec, &w_in, &u, stride, 0.3, alpha);
                assert_eq!(bits(&fast), bits(&slow), "b = {b}, d = {d}, alpha = {alpha}");
            }
        }
    }

    #[test]
    fn through_phi_has_the_bits_of_its_scalar_reference() {
        for b in [1, 3, 4, 13, 32, 37] {
            let (x, back, next, g) = (random(b, 5), random(b, 6), random(b, 7), random(b, 8));
            for activation in [Activation::Tanh, Activation::Relu] {
                let r: Vec<f32> =
                    x.iter().map(|&v| if activation == Activation::Tanh { v.tanh() } else { v.max(0.0) }).collect();
                for (later, alpha) in [
                    (None, 1.0),
                    (Some(Later { back: &back, next: &next }), 1.0),
                    (Some(Later { back: &back, next: &next }), 0.2),
                ] {
                    let (mut fast, mut slow) = (g.clone(), g.clone());
                    through_phi(activation, &mut fast, &x, &r, later, alpha);
                    through_phi_scalar(activation, &mut slow, &x, &r, later, alpha);
                    assert_eq!(bits(&fast), bits(&slow), "b = {b}, {activation:?}, alpha = {alpha}");
                }
            }
        }
    }
}
