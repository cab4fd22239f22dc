//! How much memory a network and its training need, checked before anything is allocated, and
//! fallible allocation for the large buffers: running out of memory is an error with a message
//! (what was asked, the limit, the largest size that fits), never a trap.
//!
//! The counts follow what the code allocates: per stored synapse a column index (4 bytes), the
//! transpose (row and position, 8), the weight, its gradient and two Adam moments (16); training
//! adds the states of the batch (the weights gathered in transposed order for the backward pass
//! borrow the gradient's buffer, which is written only after that pass). A network that does
//! not fit with its transpose goes without (the compact layout, 20 bytes per synapse): training
//! then gives the same bits more slowly (see `structure::Recurrent::transpose`).

use crate::config::{Config, Connectivity, Growth};
use crate::error::Error;

/// Bytes a WebAssembly instance can address (wasm32: 4 GiB).
pub const WASM_ADDRESSABLE: u64 = 1 << 32;
/// Kept free for the module itself, stacks and the allocator's own bookkeeping.
pub const RESERVED: u64 = 128 << 20;

/// Bytes this build can allocate in all: 4 GiB − RESERVED in WebAssembly; natively no limit.
pub fn limit() -> u64 {
    if cfg!(target_arch = "wasm32") {
        WASM_ADDRESSABLE - RESERVED
    } else {
        u64::MAX
    }
}

/// Synapses the network stores, with room for the Erdős–Rényi spread (6 standard deviations).
fn synapses(c: &Config) -> u64 {
    let (n, k, m) = (c.neurons as f64, c.k as f64, c.learned as f64);
    let spread = match c.connectivity {
        Connectivity::ErdosRenyi => 6.0 * (n * k).sqrt(),
        Connectivity::FixedIndegree => 0.0,
    };
    (n * (k + m) + spread).ceil() as u64
}

/// Bytes of a network of `synapses` synapses: structure, weights, gradients and optimizer
/// state (per synapse 20 bytes, and 8 more with the transpose).
pub fn bytes(c: &Config, synapses: u64, transpose: bool) -> u64 {
    let n = c.neurons as u64;
    let (per_synapse, per_neuron) = if transpose { (28, 28) } else { (20, 24) };
    let per_neuron = per_neuron + 16 * (c.inputs + c.outputs) as u64;
    let signs = if c.growth == Growth::DeepR { 4 * c.learned as u64 } else { 0 };
    (per_synapse as u64).saturating_mul(synapses).saturating_add(n * (per_neuron + signs))
}

/// Bytes of the network with its transpose.
pub fn network_bytes(c: &Config) -> u64 {
    bytes(c, synapses(c), true)
}

/// Bytes of the network in the compact layout (no transpose).
pub fn compact_network_bytes(c: &Config) -> u64 {
    bytes(c, synapses(c), false)
}

/// Whether a network of `synapses` synapses keeps its transpose: when it fits in `limit` with it.
pub fn keeps_transpose(c: &Config, synapses: u64, limit: u64) -> bool {
    bytes(c, synapses, true) <= limit
}

/// Bytes of one training step on `batch` sequences of `steps` steps, beyond the network.
pub fn training_bytes(c: &Config, batch: usize, steps: usize) -> u64 {
    let (n, d, o) = (c.neurons as u64, c.inputs as u64, c.outputs as u64);
    let (b, t) = (batch as u64, steps as u64);
    // Inputs; states x and r; outputs and their gradients; dLoss/dx; one step of input and the
    // two steps of `pair`. (The weights gathered in transposed order use the gradient's buffer.)
    let floats = d * t * b + 2 * n * (t + 1) * b + 2 * o * t * b + n * t * b + 3 * n * b;
    // Each thread's transpose of a piece of the weight gradient (`kernels::sddmm_in_pieces`).
    let pieces = crate::parallel::pool().threads() as u64 * (8 * crate::kernels::SDDMM_PIECE as u64 + 4 * (n + 1));
    4 * floats + pieces
}

/// Refuses a network that cannot fit in `limit` bytes even without its transpose, naming the
/// largest sizes that would.
pub fn check_network(c: &Config, limit: u64) -> Result<(), Error> {
    let need = compact_network_bytes(c);
    if need <= limit {
        return Ok(());
    }
    let fits = |neurons: usize, k: usize| compact_network_bytes(&Config { neurons, k, ..c.clone() }) <= limit;
    let neurons = largest(c.k + 1, c.neurons, |n| fits(n, c.k));
    let k = largest(1, c.k, |k| fits(c.neurons, k));
    let mut fixes = Vec::new();
    if let Some(k) = k {
        fixes.push(format!("at most k = {k} at this size"));
    }
    if let Some(neurons) = neurons {
        fixes.push(format!("at most neurons = {neurons} at this k"));
    }
    let fix = if fixes.is_empty() { "lower neurons and k".into() } else { format!("use {}", fixes.join(", or ")) };
    let rule = format!(
        "with k (={}) needs about {} for the network, more than the {} this build can address",
        c.k,
        size(need),
        size(limit)
    );
    Err(Error::option("neurons", c.neurons, &rule, &fix))
}

/// Whether a network with its transpose should drop it to train on `batch` × `steps`: when
/// the batch does not fit beside it but does beside the compact layout.
pub fn drops_transpose_for(c: &Config, batch: usize, steps: usize, limit: u64) -> bool {
    let training = training_bytes(c, batch, steps);
    network_bytes(c).saturating_add(training) > limit && compact_network_bytes(c).saturating_add(training) <= limit
}

/// Refuses a training batch whose states do not fit beside the network (with its transpose
/// when `transpose`), naming the largest batch size that would.
pub fn check_training(c: &Config, transpose: bool, batch: usize, steps: usize, limit: u64) -> Result<(), Error> {
    let network = if transpose { network_bytes(c) } else { compact_network_bytes(c) };
    let need = network.saturating_add(training_bytes(c, batch, steps));
    if need <= limit {
        return Ok(());
    }
    let fits = |b: usize| network.saturating_add(training_bytes(c, b, steps)) <= limit;
    let fix = match largest(1, batch, fits) {
        Some(b) => format!("use at most batchSize = {b} for {steps} steps, or a smaller network"),
        None => "use a smaller network or shorter sequences".into(),
    };
    let rule = format!(
        "with {steps} steps needs about {} for training beside the {} network, more than the {} this build can address",
        size(training_bytes(c, batch, steps)),
        size(network),
        size(limit)
    );
    Err(Error::option("batchSize", batch, &rule, &fix))
}

/// The largest value in `low..=high` for which `fits` holds (monotone: true, then false).
fn largest(low: usize, high: usize, fits: impl Fn(usize) -> bool) -> Option<usize> {
    if low > high || !fits(low) {
        return None;
    }
    let (mut good, mut bad) = (low, high + 1);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if fits(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(good)
}

/// A byte count for people: "3.9 GiB", "512.0 MiB".
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A vector of `len` copies of `value`, or an error (never an abort) when memory runs out.
pub fn try_filled<T: Clone>(len: usize, value: T, what: &str) -> Result<Vec<T>, Error> {
    let mut v = try_with_capacity(len, what)?;
    v.resize(len, value);
    Ok(v)
}

/// An empty vector with room for `len` elements, or an error when memory runs out.
pub fn try_with_capacity<T>(len: usize, what: &str) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| out_of_memory(len.saturating_mul(size_of::<T>()), what))?;
    Ok(v)
}

/// Grows `v` to `len` elements filled with `value` (a no-op when it is that long already).
pub fn try_resize<T: Clone>(v: &mut Vec<T>, len: usize, value: T, what: &str) -> Result<(), Error> {
    if len > v.len() {
        let extra = len - v.len();
        v.try_reserve_exact(extra).map_err(|_| out_of_memory(extra.saturating_mul(size_of::<T>()), what))?;
    }
    v.resize(len, value);
    Ok(())
}

/// The error for `what` needing `bytes` more than memory has.
pub fn out_of_memory(bytes: usize, what: &str) -> Error {
    Error {
        code: "E_MEMORY",
        message: format!(
            "out of memory: {what} needs {} more; use a smaller network or batch, or free other networks",
            size(bytes as u64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(neurons: usize, k: usize) -> Config {
        Config::with_sizes(1, neurons, 2, k)
    }

    #[test]
    fn a_network_too_large_for_wasm32_is_refused_with_sizes_that_fit() {
        let limit = WASM_ADDRESSABLE - RESERVED;
        let big = config(200_000, 5_000);
        let e = check_network(&big, limit).unwrap_err();
        assert_eq!(e.code, "E_OPTION");
        assert!(e.message.starts_with("neurons (=200000) with k (=5000) needs about 18."), "{}", e.message);
        let k: usize = e.message.split("at most k = ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let n: usize =
            e.message.split("at most neurons = ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        // The suggestions keep the other settings (learned included) and are the largest that fit.
        let with = |neurons: usize, k: usize| Config { neurons, k, ..big.clone() };
        assert!(check_network(&with(200_000, k), limit).is_ok());
        assert!(check_network(&with(200_000, k + 1), limit).is_err());
        assert!(check_network(&with(n, 5_000), limit).is_ok());
        assert!(check_network(&with(n + 1, 5_000), limit).is_err());
        assert!(check_network(&config(1_000, 100), limit).is_ok());
    }

    #[test]
    fn a_network_too_large_for_its_transpose_goes_without_and_training_drops_it_when_needed() {
        let limit = WASM_ADDRESSABLE - RESERVED;
        // 2·10^8 synapses: 5.6 GB with the transpose, 4.0 GB without.
        let big = config(80_000, 2_450);
        assert!(!keeps_transpose(&big, synapses(&big), limit));
        assert!(check_network(&big, limit).is_ok());
        assert!(check_training(&big, false, 8, 10, limit).is_ok());
        assert!(check_training(&big, true, 8, 10, limit).is_err());
        // 1.03·10^8: the transpose fits, and is dropped only for a batch that needs its room.
        let c = config(100_000, 1_000);
        assert!(keeps_transpose(&c, synapses(&c), limit));
        assert!(!drops_transpose_for(&c, 8, 10, limit));
        let huge = (1..1 << 20).find(|&b| check_training(&c, true, b, 100, limit).is_err()).unwrap();
        assert!(drops_transpose_for(&c, huge, 100, limit));
        assert!(check_training(&c, false, huge, 100, limit).is_ok());
        assert_eq!(network_bytes(&c) - compact_network_bytes(&c), 8 * synapses(&c) + 4 * 100_000);
    }

    #[test]
    fn a_training_batch_too_large_is_refused_with_the_largest_that_fits() {
        let limit = WASM_ADDRESSABLE - RESERVED;
        let c = config(100_000, 1_000);
        let e = check_training(&c, true, 4_096, 100, limit).unwrap_err();
        let b: usize =
            e.message.split("at most batchSize = ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(check_training(&c, true, b, 100, limit).is_ok());
        assert!(check_training(&c, true, b + 1, 100, limit).is_err());
    }

    #[test]
    fn an_allocation_that_cannot_succeed_is_an_error() {
        let e = try_filled(usize::MAX / 2, 0u64, "a test buffer").unwrap_err();
        assert_eq!(e.code, "E_MEMORY");
        assert!(e.message.contains("a test buffer"), "{}", e.message);
        let mut v = vec![1u8; 3];
        assert!(try_resize(&mut v, usize::MAX / 2, 0, "x").is_err());
        assert_eq!(v, vec![1, 1, 1]);
    }
}
