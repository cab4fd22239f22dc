//! Counter-based random numbers with named streams.
//!
//! Every random quantity in sqrtk is a pure function of `(seed, stream, substream, index)`:
//! the generator is SplitMix64 whose state is just a key and a counter. Row `i` of the
//! connectivity uses substream `i`, so rows can be generated in any order or in parallel and
//! give the same bits, on native and on wasm32 alike.

/// The named random streams. Adding a stream never changes the numbers of the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Connectivity = 1,
    Init = 2,
    DataOrder = 3,
    Growth = 4,
    /// Private noise of `rate` dynamics: substream [`keyed`]`(key, neuron)`.
    Noise = 5,
    /// Random initial states (`initialState: 'random'`): substream [`keyed`]`(key, neuron)`.
    InitialState = 6,
}

/// The keys of [`Stream::Noise`] and [`Stream::InitialState`]: a training pass uses the number
/// of optimizer steps taken before it (so every step draws afresh and a resumed run draws the
/// same numbers); an evaluation asked to be noisy uses `EVALUATION + index` with the caller's
/// batch index. Keys stay below 2^33.
pub mod noise_key {
    pub const EVALUATION: u64 = 1 << 32;
}

/// The substream of `neuron` under `key`: `key · 2^31 + neuron`. Neurons are below 2^31 and
/// keys below 2^33, so distinct (key, neuron) pairs never share a substream, and each neuron's
/// draws are its own whatever the thread count.
pub fn keyed(key: u64, neuron: usize) -> u64 {
    (key << 31) | neuron as u64
}

/// The substreams of [`Stream::Growth`]: disjoint ranges of substream numbers, one per use.
/// (Their values are part of every saved network's numbers: never change them.)
pub mod growth_substream {
    /// `INITIAL + i`: neuron i's initial learned partners (and, in hidden mode, the backbone
    /// synapses they replace). At a rewiring, `INITIAL + i` keyed by the round: neuron i's
    /// scores and candidates.
    pub const INITIAL: u64 = 0;
    /// `REWIRE_SIGNS + i`: the signs `deep_r` gives neuron i's regrown synapses at a rewiring
    /// (keyed by the round).
    pub const REWIRE_SIGNS: u64 = 1 << 40;
    /// `DEEP_R_NOISE + step`: the exploration noise of `deep_r` at optimizer step `step`.
    pub const DEEP_R_NOISE: u64 = 1 << 50;
    /// The fixed signs of `deep_r`'s initial learned synapses.
    pub const DEEP_R_SIGNS: u64 = u64::MAX;
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijective 64-bit mixing function.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Debug)]
pub struct Rng {
    key: u64,
    counter: u64,
}

impl Rng {
    /// The generator for one substream (for example one row) of a named stream.
    pub fn new(seed: u64, stream: Stream, substream: u64) -> Rng {
        let key = mix(mix(seed ^ (stream as u64).wrapping_mul(GOLDEN)) ^ mix(substream.wrapping_add(GOLDEN)));
        Rng { key, counter: 0 }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        mix(self.key.wrapping_add(self.counter.wrapping_mul(GOLDEN)))
    }

    /// Skips `draws` 64-bit outputs ([`Rng::normal`] takes two), as if they had been drawn.
    pub fn skip(&mut self, draws: u64) {
        self.counter = self.counter.wrapping_add(draws);
    }

    /// Uniform in the open interval (0, 1), 53 random bits.
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (Lemire's multiply-shift with rejection, unbiased). `n > 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = (self.next_u64() as u128) * (n as u128);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// Standard normal (Box–Muller, cosine branch), using libm so every platform agrees.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform_open();
        let u2 = self.uniform_open();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
    }

    /// Two independent standard normals from two draws: Box–Muller with both branches, in f32
    /// with libm (tails cut at √(−2 ln 2⁻²⁴) ≈ 5.8). The cheap generator of the private noise,
    /// which needs N·T·B normals per batch.
    pub fn normal_pair_f32(&mut self) -> (f32, f32) {
        let scale = 1.0 / (1u32 << 23) as f32;
        let u1 = ((self.next_u64() >> 41) as f32 + 0.5) * scale;
        let u2 = (self.next_u64() >> 41) as f32 * scale;
        let r = (-2.0 * libm::logf(u1)).sqrt();
        let (sin, cos) = libm::sincosf(2.0 * core::f32::consts::PI * u2);
        (r * cos, r * sin)
    }

    /// A uniformly random permutation of `0..n` (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<u32> {
        let mut order: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = self.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, Stream::Init, 3).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        let mut r1 = Rng::new(7, Stream::Init, 3);
        let mut r2 = Rng::new(7, Stream::Init, 4);
        let mut r3 = Rng::new(7, Stream::Growth, 3);
        let x1 = r1.next_u64();
        assert_ne!(x1, r2.next_u64());
        assert_ne!(x1, r3.next_u64());
    }

    #[test]
    fn uniform_and_normal_moments() {
        let mut rng = Rng::new(1, Stream::Init, 0);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            s += z;
            s2 += z * z;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
        let (mut s, mut s2, mut cross) = (0.0, 0.0, 0.0);
        for _ in 0..n / 2 {
            let (a, b) = rng.normal_pair_f32();
            s += (a + b) as f64;
            s2 += (a * a + b * b) as f64;
            cross += (a * b) as f64;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.02, "pairs: mean {mean}, var {var}");
        assert!((cross / (n / 2) as f64).abs() < 0.01, "the two normals of a pair are uncorrelated");
        let below: Vec<u64> = (0..10_000).map(|_| rng.below(10)).collect();
        for v in 0..10 {
            let c = below.iter().filter(|&&x| x == v).count();
            assert!((800..1200).contains(&c), "value {v} drawn {c} times");
        }
    }

    #[test]
    fn skip_jumps_to_the_same_draws() {
        let mut a = Rng::new(5, Stream::Noise, keyed(3, 7));
        let drawn: Vec<f64> = (0..6).map(|_| a.normal()).collect();
        let mut b = Rng::new(5, Stream::Noise, keyed(3, 7));
        b.skip(2 * 4);
        assert_eq!(b.normal(), drawn[4]);
        assert_ne!(keyed(1, 0), keyed(0, (1 << 31) - 1));
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut p = Rng::new(3, Stream::DataOrder, 0).permutation(1000);
        assert_ne!(p[..10], (0..10).collect::<Vec<u32>>()[..]);
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<u32>>());
    }
}
