//! sqrtk-core: sparse recurrent networks whose neurons learn which √K synapses to add.
//!
//! Data flows one way: `rng` → `connectivity` → `csr` → `kernels` → `rnn` (forward / BPTT) →
//! `optim` → `growth`. Nothing here knows about JavaScript; `sqrtk-wasm` wraps [`Network`].

pub mod checkpoint;
pub mod config;
pub mod connectivity;
pub mod csr;
pub mod elementwise;
pub mod error;
pub mod growth;
pub mod hash;
pub mod import;
pub mod kernels;
pub mod math;
pub mod memory;
pub mod network;
pub mod optim;
pub mod parallel;
pub mod params;
pub mod populations;
pub mod profile;
pub mod rng;
pub mod rnn;
pub mod stats;
pub mod structure;

pub use config::Config;
pub use error::Error;
pub use network::{Network, StepStats};
pub use optim::AdamConfig;
pub use rnn::{Batch, Score, Target};
