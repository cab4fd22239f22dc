//! `exp` and `tanh` for f32 that give the same bits on every platform and vectorise.
//!
//! Each function is written once over [`F4`], four f32 lanes: simd128 on wasm32, a plain array
//! natively (which the compiler turns into SSE). Only IEEE additions, multiplications,
//! divisions, comparisons and bit operations appear, in a fixed order and never fused, so the
//! wasm and native builds agree bit for bit, and a scalar call is lane 0 of the same code.
//!
//! - `exp(x)`: x = n ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two parts so n·ln2_hi is
//!   exact), exp(r) by its Taylor series to r⁷ (truncation < 0.1 ulp), times 2ⁿ built from the
//!   exponent bits. Below −87.33 the result is 0 (no subnormals); above 88 it is +∞ (the true
//!   value overflows f32 from 88.72 on).
//! - `tanh(x)`: for |x| < 0.5625 the Taylor series x − x³/3 + 2x⁵/15 − … to x¹⁷ (the first
//!   omitted term is below 0.2 ulp there); above, 1 − 2 / (exp(2|x|) + 1) with x's sign.
//!
//! Accuracy against f64, over every 61st f32 of the range (`tests::*_error_is_bounded`, which
//! print the worst case): exp 1.17 ulp on [−87, 88], tanh 1.40 ulp on [−20, 20] (and exactly
//! ±1 beyond); the tests fail above 1.5 and 2 ulp. libm's `tanhf`, used before, is not
//! vectorised; its results differ from these in the last bits.

/// Four f32 lanes.
#[derive(Clone, Copy)]
pub struct F4(Lanes);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Lanes = core::arch::wasm32::v128;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Lanes = [f32; 4];

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use super::F4;
    use core::arch::wasm32::*;

    // Named methods, not operator traits: every operation in the hot loops stays explicit.
    #[allow(clippy::should_implement_trait)]
    impl F4 {
        #[inline(always)]
        pub fn splat(v: f32) -> F4 {
            F4(f32x4_splat(v))
        }
        #[inline(always)]
        pub fn load(s: &[f32]) -> F4 {
            assert!(s.len() >= 4);
            // SAFETY: four elements are in bounds; v128_load has no alignment requirement.
            F4(unsafe { v128_load(s.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 4);
            // SAFETY: four elements are in bounds.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
        }
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn read(p: *const f32) -> F4 {
            F4(v128_load(p as *const v128))
        }
        /// # Safety
        /// `p..p + 4` must be writable.
        #[inline(always)]
        pub unsafe fn write(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 {
            F4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 {
            F4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn div(self, o: F4) -> F4 {
            F4(f32x4_div(self.0, o.0))
        }
        /// Lanes where self < o take `a`, the others `b`.
        #[inline(always)]
        pub fn select_lt(self, o: F4, a: F4, b: F4) -> F4 {
            F4(v128_bitselect(a.0, b.0, f32x4_lt(self.0, o.0)))
        }
        /// Lanes where self > o take `a`, the others `b`.
        #[inline(always)]
        pub fn select_gt(self, o: F4, a: F4, b: F4) -> F4 {
            F4(v128_bitselect(a.0, b.0, f32x4_gt(self.0, o.0)))
        }
        #[inline(always)]
        pub fn abs(self) -> F4 {
            F4(v128_and(self.0, u32x4_splat(0x7fff_ffff)))
        }
        /// |self| with the sign bit of `s`.
        #[inline(always)]
        pub fn with_sign_of(self, s: F4) -> F4 {
            F4(v128_or(self.abs().0, v128_and(s.0, u32x4_splat(0x8000_0000))))
        }
        /// 2^(bits(self) − bits(magic)) for the rounding trick of `exp`: the integer held in the
        /// mantissa, moved into the exponent field.
        #[inline(always)]
        pub fn pow2_of_rounded(self, magic: f32) -> F4 {
            let n = i32x4_sub(self.0, i32x4_splat(magic.to_bits() as i32));
            F4(i32x4_shl(i32x4_add(n, i32x4_splat(127)), 23))
        }
        #[inline(always)]
        pub fn lane0(self) -> f32 {
            f32x4_extract_lane::<0>(self.0)
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    use super::F4;

    #[inline(always)]
    fn map(a: [f32; 4], f: impl Fn(f32) -> f32) -> [f32; 4] {
        [f(a[0]), f(a[1]), f(a[2]), f(a[3])]
    }
    #[inline(always)]
    fn zip(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> [f32; 4] {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }

    // Named methods, not operator traits: every operation in the hot loops stays explicit.
    #[allow(clippy::should_implement_trait)]
    impl F4 {
        #[inline(always)]
        pub fn splat(v: f32) -> F4 {
            F4([v; 4])
        }
        #[inline(always)]
        pub fn load(s: &[f32]) -> F4 {
            F4([s[0], s[1], s[2], s[3]])
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32]) {
            s[..4].copy_from_slice(&self.0);
        }
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn read(p: *const f32) -> F4 {
            F4(core::ptr::read_unaligned(p as *const [f32; 4]))
        }
        /// # Safety
        /// `p..p + 4` must be writable.
        #[inline(always)]
        pub unsafe fn write(self, p: *mut f32) {
            core::ptr::write_unaligned(p as *mut [f32; 4], self.0)
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 {
            F4(zip(self.0, o.0, |a, b| a + b))
        }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 {
            F4(zip(self.0, o.0, |a, b| a - b))
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 {
            F4(zip(self.0, o.0, |a, b| a * b))
        }
        #[inline(always)]
        pub fn div(self, o: F4) -> F4 {
            F4(zip(self.0, o.0, |a, b| a / b))
        }
        #[inline(always)]
        pub fn select_lt(self, o: F4, a: F4, b: F4) -> F4 {
            let m = zip(self.0, o.0, |x, y| if x < y { 1.0 } else { 0.0 });
            F4([0, 1, 2, 3].map(|l| if m[l] != 0.0 { a.0[l] } else { b.0[l] }))
        }
        #[inline(always)]
        pub fn select_gt(self, o: F4, a: F4, b: F4) -> F4 {
            o.select_lt(self, a, b)
        }
        #[inline(always)]
        pub fn abs(self) -> F4 {
            F4(map(self.0, |v| f32::from_bits(v.to_bits() & 0x7fff_ffff)))
        }
        #[inline(always)]
        pub fn with_sign_of(self, s: F4) -> F4 {
            F4(zip(self.0, s.0, |v, s| f32::from_bits((v.to_bits() & 0x7fff_ffff) | (s.to_bits() & 0x8000_0000))))
        }
        #[inline(always)]
        pub fn pow2_of_rounded(self, magic: f32) -> F4 {
            F4(map(self.0, |t| {
                let n = (t.to_bits() as i32).wrapping_sub(magic.to_bits() as i32);
                f32::from_bits((n.wrapping_add(127) << 23) as u32)
            }))
        }
        #[inline(always)]
        pub fn lane0(self) -> f32 {
            self.0[0]
        }
    }
}

/// 1.5 · 2²³: adding it rounds a float of magnitude < 2²² to an integer (ties to even), which
/// then sits in the low mantissa bits.
const ROUND: f32 = 12_582_912.0;
const LOG2_E: f32 = core::f32::consts::LOG2_E;
/// ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so n · LN2_HI is exact for |n| ≤ 2¹⁵.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const EXP_MIN: f32 = -87.33;
const EXP_MAX: f32 = 88.0;

/// e^x on four lanes (see the module documentation).
#[inline(always)]
pub fn exp4(x: F4) -> F4 {
    // Clamp so that n stays in −126..=128 and the bit trick builds a normal 2ⁿ; the true
    // saturated results are put back at the end.
    let xc = x.select_lt(F4::splat(EXP_MIN), F4::splat(EXP_MIN), x);
    let xc = xc.select_gt(F4::splat(EXP_MAX), F4::splat(EXP_MAX), xc);
    let t = xc.mul(F4::splat(LOG2_E)).add(F4::splat(ROUND));
    let n = t.sub(F4::splat(ROUND));
    let r = xc.sub(n.mul(F4::splat(LN2_HI))).sub(n.mul(F4::splat(LN2_LO)));
    let mut p = F4::splat(1.0 / 5040.0);
    for c in [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = p.mul(r).add(F4::splat(c));
    }
    let y = p.mul(t.pow2_of_rounded(ROUND));
    let y = x.select_lt(F4::splat(EXP_MIN), F4::splat(0.0), y);
    x.select_gt(F4::splat(EXP_MAX), F4::splat(f32::INFINITY), y)
}

/// Taylor coefficients of tanh(x) / x − 1 in powers of x², x² to x¹⁶ (from the Bernoulli
/// numbers: −1/3, 2/15, −17/315, 62/2835, −1382/155925, 21844/6081075, −929569/638512875,
/// 6404582/10854718875), highest first for Horner's rule.
const TANH_SERIES: [f32; 8] = [
    (6_404_582.0 / 10_854_718_875.0) as f32,
    (-929_569.0 / 638_512_875.0) as f32,
    (21_844.0 / 6_081_075.0) as f32,
    (-1_382.0 / 155_925.0) as f32,
    (62.0 / 2_835.0) as f32,
    (-17.0 / 315.0) as f32,
    (2.0 / 15.0) as f32,
    (-1.0 / 3.0) as f32,
];
const TANH_SMALL: f32 = 0.5625;

/// tanh(x) on four lanes (see the module documentation).
#[inline(always)]
pub fn tanh4(x: F4) -> F4 {
    let a = x.abs();
    let z = a.mul(a);
    let mut p = F4::splat(TANH_SERIES[0]);
    for &c in &TANH_SERIES[1..] {
        p = p.mul(z).add(F4::splat(c));
    }
    let small = a.add(a.mul(z).mul(p));
    let e = exp4(a.add(a));
    let large = F4::splat(1.0).sub(F4::splat(2.0).div(e.add(F4::splat(1.0))));
    a.select_lt(F4::splat(TANH_SMALL), small, large).with_sign_of(x)
}

/// e^x, the same bits as a lane of [`exp4`].
pub fn exp(x: f32) -> f32 {
    exp4(F4::splat(x)).lane0()
}

/// tanh(x), the same bits as a lane of [`tanh4`].
pub fn tanh(x: f32) -> f32 {
    tanh4(F4::splat(x)).lane0()
}

/// out[i] = tanh(x[i]). Eight lanes per pass (two independent four-lane chains, which a
/// core can overlap), then four, then one.
pub fn tanh_slice(x: &[f32], out: &mut [f32]) {
    assert_eq!(x.len(), out.len());
    let (eights, full) = (x.len() / 8 * 8, x.len() / 4 * 4);
    for (xs, os) in x[..eights].chunks_exact(8).zip(out[..eights].chunks_exact_mut(8)) {
        let (lo, hi) = (tanh4(F4::load(&xs[..4])), tanh4(F4::load(&xs[4..])));
        lo.store(&mut os[..4]);
        hi.store(&mut os[4..]);
    }
    for (xs, os) in x[eights..full].chunks_exact(4).zip(out[eights..full].chunks_exact_mut(4)) {
        tanh4(F4::load(xs)).store(os);
    }
    for (o, &v) in out[full..].iter_mut().zip(&x[full..]) {
        *o = tanh(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between an f32 and the exact (f64) value.
    fn ulps(got: f32, exact: f64) -> f64 {
        let e = exact as f32;
        let ulp = (f32::from_bits(e.abs().to_bits() + 1) - e.abs()) as f64;
        (got as f64 - exact).abs() / ulp
    }

    /// Every 61st f32 between `lo` and `hi` (both signs when lo < 0 < hi), plus both ends.
    fn sample(lo: f32, hi: f32) -> impl Iterator<Item = f32> {
        let positive = (0..=hi.to_bits()).step_by(61).map(f32::from_bits);
        let negative = (0..=(-lo).max(0.0).to_bits()).step_by(61).map(|b| -f32::from_bits(b));
        positive.chain(negative).filter(move |&v| v >= lo && v <= hi).chain([lo, hi])
    }

    #[test]
    fn exp_error_is_bounded() {
        let worst = sample(-87.0, 88.0).map(|x| ulps(exp(x), (x as f64).exp())).fold(0.0, f64::max);
        eprintln!("exp: worst {worst:.2} ulp");
        assert!(worst <= 1.5, "exp: {worst} ulp");
    }

    #[test]
    fn tanh_error_is_bounded() {
        let worst = sample(-20.0, 20.0).map(|x| ulps(tanh(x), (x as f64).tanh())).fold(0.0, f64::max);
        eprintln!("tanh: worst {worst:.2} ulp");
        assert!(worst <= 2.0, "tanh: {worst} ulp");
    }

    #[test]
    fn special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-100.0), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(100.0), f32::INFINITY);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(tanh(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh(1e-30), 1e-30);
        assert_eq!(tanh(30.0), 1.0);
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert!(tanh(f32::NAN).is_nan());
    }

    #[test]
    fn tanh_is_odd_and_monotone() {
        let mut last = -1.0f32;
        let mut xs: Vec<f32> = sample(-10.0, 10.0).collect();
        xs.sort_by(f32::total_cmp);
        for x in xs {
            assert_eq!(tanh(-x).to_bits(), (-tanh(x)).to_bits(), "odd at {x}");
            let y = tanh(x);
            assert!(y >= last, "not monotone at {x}: {y} < {last}");
            last = y;
        }
    }

    #[test]
    fn the_slice_form_equals_the_scalar_form() {
        let x: Vec<f32> = (0..103).map(|i| (i as f32 - 51.0) * 0.173).collect();
        let mut out = vec![0.0; x.len()];
        tanh_slice(&x, &mut out);
        for (&v, &o) in x.iter().zip(&out) {
            assert_eq!(o.to_bits(), tanh(v).to_bits());
        }
    }
}
