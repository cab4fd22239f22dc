//! Where a training step spends its time: an opt-in split by phase, for the bench's `--profile`.
//!
//! Off by default; then each timed region costs one relaxed atomic load. When on, a region adds
//! its elapsed time (from the host clock) to its phase's counter. Regions are whole chunks of
//! rows, timed on whichever thread runs the chunk, so with several threads the counters add up
//! thread time (CPU time), not wall time; [`Phase::Step`] is the wall time of whole steps, timed
//! on the calling thread. Timing never changes what is computed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

/// The parts of a training step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// W r_{t−1}: the recurrent product of the forward pass.
    Spmm,
    /// Wᵀ g_{t+1} in the backward pass, with the gather of W into transposed order.
    SpmmTransposed,
    /// The recurrent weight gradient at the synapses.
    Sddmm,
    /// φ in the forward pass and φ' in the backward pass.
    Nonlinearity,
    /// Input and readout products and their gradients, biases, the state update, the noise.
    InputReadout,
    /// Loss and its gradient with respect to the outputs.
    Loss,
    /// The Adam update of every parameter.
    Adam,
    /// Wall time of whole training steps, on the calling thread.
    Step,
}

impl Phase {
    pub const ALL: [Phase; 8] = [
        Phase::Spmm,
        Phase::SpmmTransposed,
        Phase::Sddmm,
        Phase::Nonlinearity,
        Phase::InputReadout,
        Phase::Loss,
        Phase::Adam,
        Phase::Step,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Spmm => "spmm",
            Phase::SpmmTransposed => "spmm_transposed",
            Phase::Sddmm => "sddmm",
            Phase::Nonlinearity => "nonlinearity",
            Phase::InputReadout => "input_readout",
            Phase::Loss => "loss",
            Phase::Adam => "adam",
            Phase::Step => "step",
        }
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);
static NANOS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];
/// Milliseconds from an arbitrary origin. Natively a monotonic clock; in WebAssembly the
/// embedder sets `performance.now` (std has no clock on wasm32-unknown-unknown).
static CLOCK: OnceLock<fn() -> f64> = OnceLock::new();

/// Sets the clock (once; later calls are ignored). Natively a monotonic clock is the default.
pub fn set_clock(clock: fn() -> f64) {
    let _ = CLOCK.set(clock);
}

fn now_ms() -> Option<f64> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(CLOCK.get_or_init(|| native_clock)())
    }
    #[cfg(target_arch = "wasm32")]
    {
        CLOCK.get().map(|f| f())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn native_clock() -> f64 {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    ORIGIN.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1e3
}

/// Turns profiling on or off and clears the counters. Returns false if there is no clock.
pub fn enable(on: bool) -> bool {
    for c in &NANOS {
        c.store(0, Ordering::Relaxed);
    }
    let ok = !on || now_ms().is_some();
    ENABLED.store(on && ok, Ordering::Relaxed);
    ok
}

/// Runs `f`, adding its elapsed time to `phase` when profiling is on.
#[inline]
pub fn time<R>(phase: Phase, f: impl FnOnce() -> R) -> R {
    if !ENABLED.load(Ordering::Relaxed) {
        return f();
    }
    let start = now_ms();
    let out = f();
    if let (Some(a), Some(b)) = (start, now_ms()) {
        NANOS[phase as usize].fetch_add(((b - a).max(0.0) * 1e6) as u64, Ordering::Relaxed);
    }
    out
}

/// Milliseconds accumulated per phase since the last [`enable`], in [`Phase::ALL`] order.
pub fn totals_ms() -> [(Phase, f64); 8] {
    Phase::ALL.map(|p| (p, NANOS[p as usize].load(Ordering::Relaxed) as f64 / 1e6))
}
