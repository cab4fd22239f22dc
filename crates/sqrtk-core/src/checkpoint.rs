//! Saving and loading a network as bytes: structure, weights, Adam state and counters, in a
//! versioned, checksummed little-endian format. Storage (files, IndexedDB) is the caller's.
//!
//! Layout (format version 1):
//!
//! ```text
//! "SQRTKNET"            8 bytes, magic
//! version               u32
//! header length         u32, then the header: UTF-8 JSON
//!                       { "config": {...}, "counters": {...}, "extra": <caller's JSON> }
//! sections              each: name length u8, name, dtype u8 (0 = u32, 1 = f32),
//!                       count u64, count values; `x0`, `adam_m.x0` and `adam_v.x0` only
//!                       with `initialState: 'learned'` (files without them load as before)
//! checksum              u64, FNV-1a of every byte before it
//! ```
//!
//! The random streams are counter-based, so the "RNG state" is the set of counters: Adam steps,
//! rewiring rounds (and the caller's position in its data order, kept in `extra`).

use serde::{Deserialize, Serialize};

use crate::config::{Config, Growth, InitialState};
use crate::csr::Csr;
use crate::error::Error;
use crate::network::Network;
use crate::optim::Adam;
use crate::params::Tensors;
use crate::structure::Recurrent;

pub const MAGIC: &[u8; 8] = b"SQRTKNET";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Counters {
    adam_steps: u64,
    beta1_t: f64,
    beta2_t: f64,
    rewires: u64,
    turnover: u64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    config: Config,
    counters: Counters,
    extra: serde_json::Value,
}

#[cfg(test)]
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = crate::hash::StateHasher::default();
    h.bytes(bytes);
    h.value()
}

/// Bytes handed to a save sink at a time (and the largest buffer saving adds to memory).
pub const CHUNK: usize = 1 << 20;

/// Where saved bytes go, a chunk at a time: a file, a list of chunks, a download. An error
/// (a full disk) stops the save and is returned by it.
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), Error> + 'a;

/// Writes through a small buffer, hashing what it passes on.
struct Writer<'a, 'b> {
    buf: Vec<u8>,
    hasher: crate::hash::StateHasher,
    sink: &'a mut Sink<'b>,
}

impl Writer<'_, '_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if !self.buf.is_empty() {
            self.hasher.bytes(&self.buf);
            (self.sink)(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn section(&mut self, name: &str, dtype: u8, values: impl ExactSizeIterator<Item = [u8; 4]>) -> Result<(), Error> {
        self.put(&[name.len() as u8])?;
        self.put(name.as_bytes())?;
        self.put(&[dtype])?;
        self.put(&(values.len() as u64).to_le_bytes())?;
        for v in values {
            self.put(&v)?;
        }
        Ok(())
    }
}

/// The sections of a `Tensors`, in `Tensors::all` order; `x0` is written only when present.
const TENSORS: [&str; 6] = ["w_in", "bias", "w_rec", "w_out", "b_out", "x0"];

/// The network as bytes; `extra` is any JSON the caller wants back at load time.
pub fn save(net: &Network, extra: serde_json::Value) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(64 + 24 * net.structure.csr.nnz());
    let result = save_to(net, extra, &mut |chunk| {
        bytes.extend_from_slice(chunk);
        Ok(())
    });
    debug_assert!(result.is_ok(), "collecting into memory cannot fail");
    bytes
}

/// [`save`], handing the bytes to `sink` a chunk (at most about [`CHUNK`] bytes) at a time, so
/// that saving a large network needs no copy of it in memory. The same bytes as [`save`].
pub fn save_to(net: &Network, extra: serde_json::Value, sink: &mut Sink) -> Result<(), Error> {
    let header = Header {
        config: net.config.clone(),
        counters: Counters {
            adam_steps: net.adam.steps,
            beta1_t: net.adam.beta1_t,
            beta2_t: net.adam.beta2_t,
            rewires: net.rewires,
            turnover: net.turnover,
        },
        extra,
    };
    let json = serde_json::to_vec(&header).unwrap_or_default();
    let mut w = Writer { buf: Vec::with_capacity(CHUNK + 64), hasher: Default::default(), sink };
    w.put(MAGIC)?;
    w.put(&VERSION.to_le_bytes())?;
    w.put(&(json.len() as u32).to_le_bytes())?;
    w.put(&json)?;
    let s = &net.structure;
    for (name, values) in [("indptr", &s.csr.indptr), ("indices", &s.csr.indices), ("backbone_len", &s.backbone_len)] {
        w.section(name, 0, values.iter().map(|v| v.to_le_bytes()))?;
    }
    for (prefix, tensors) in [("", &net.params), ("adam_m.", &net.adam.m), ("adam_v.", &net.adam.v)] {
        for (name, t) in TENSORS.iter().zip(tensors.all()) {
            if *name != "x0" || net.config.initial_state == InitialState::Learned {
                w.section(&format!("{prefix}{name}"), 1, t.iter().map(|v| v.to_le_bytes()))?;
            }
        }
    }
    w.section("signs", 1, net.signs.iter().map(|v| v.to_le_bytes()))?;
    w.flush()?;
    let checksum = w.hasher.value();
    (w.sink)(&checksum.to_le_bytes())
}

/// What a section holds once read.
enum Values {
    U32(Vec<u32>),
    F32(Vec<f32>),
    /// Not kept (reading the header only).
    Skipped,
}

/// A section the file must hold next: its name, element type and (once known) its length.
struct Expected {
    name: String,
    dtype: u8,
}

enum Stage {
    /// Magic, version and header length: 16 bytes.
    Fixed,
    Header(usize),
    SectionHead,
    Payload {
        remaining: usize,
    },
    End,
    /// The file is damaged; the rest is only hashed, so that a checksum mismatch (the likelier
    /// cause) is reported before the structural error it caused.
    Failed,
}

/// Reads saved bytes a chunk at a time (`push`, then `finish`): loading a large network needs
/// its arrays in memory but not a copy of the file. Every damaged, truncated or foreign input is
/// an error, never a panic, and the errors are those of [`load`] whatever the chunk sizes.
pub struct Loader {
    header_only: bool,
    received: u64,
    /// The first 12 bytes received (magic and version), checked as soon as they arrive.
    prefix: Vec<u8>,
    /// The last (up to 8) bytes received: the checksum, once the input ends.
    tail: Vec<u8>,
    hasher: crate::hash::StateHasher,
    stage: Stage,
    /// The bytes of a field being assembled across chunks.
    pending: Vec<u8>,
    deferred: Option<Error>,
    header: Option<Header>,
    expected: Vec<Expected>,
    sections: Vec<Values>,
    current: Option<Values>,
}

impl Loader {
    /// A loader for a whole network; `header_only` checks the whole input but keeps only the
    /// header (for [`read_header`]).
    pub fn new(header_only: bool) -> Loader {
        Loader {
            header_only,
            received: 0,
            prefix: Vec::with_capacity(12),
            tail: Vec::with_capacity(16),
            hasher: Default::default(),
            stage: Stage::Fixed,
            pending: Vec::new(),
            deferred: None,
            header: None,
            expected: Vec::new(),
            sections: Vec::new(),
            current: None,
        }
    }

    /// The next bytes of the file. Fails at once for a file that is not a sqrtk network or of
    /// another format version; every other problem is reported by `finish`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.received += chunk.len() as u64;
        if self.prefix.len() < 12 {
            let take = (12 - self.prefix.len()).min(chunk.len());
            self.prefix.extend_from_slice(&chunk[..take]);
            check_prefix(&self.prefix)?;
        }
        // Everything but the last 8 bytes seen so far is body (covered by the checksum).
        if chunk.len() >= 8 {
            let held = core::mem::take(&mut self.tail);
            self.body(&held);
            self.body(&chunk[..chunk.len() - 8]);
            self.tail.extend_from_slice(&chunk[chunk.len() - 8..]);
        } else {
            self.tail.extend_from_slice(chunk);
            if self.tail.len() > 8 {
                let held = core::mem::take(&mut self.tail);
                self.body(&held[..held.len() - 8]);
                self.tail.extend_from_slice(&held[held.len() - 8..]);
            }
        }
        Ok(())
    }

    fn defer(&mut self, e: Error) {
        self.deferred.get_or_insert(e);
        self.stage = Stage::Failed;
        self.current = None;
        self.sections.clear();
    }

    /// Takes up to `want − pending` bytes of `bytes` into `pending`; true once it holds `want`.
    fn gather(&mut self, bytes: &mut &[u8], want: usize) -> bool {
        let take = want.saturating_sub(self.pending.len()).min(bytes.len());
        self.pending.extend_from_slice(&bytes[..take]);
        *bytes = &bytes[take..];
        self.pending.len() >= want
    }

    fn body(&mut self, mut bytes: &[u8]) {
        self.hasher.bytes(bytes);
        while !bytes.is_empty() {
            match self.stage {
                Stage::Fixed => {
                    if self.gather(&mut bytes, 16) {
                        let len = u32::from_le_bytes(self.pending[12..16].try_into().unwrap_or_default());
                        self.pending.clear();
                        self.stage = Stage::Header(len as usize);
                    }
                }
                Stage::Header(len) => {
                    if self.gather(&mut bytes, len) {
                        let parsed = serde_json::from_slice::<Header>(&self.pending);
                        self.pending = Vec::new();
                        match parsed {
                            Ok(header) => self.start_sections(header),
                            Err(e) => self.defer(Error::data(format!("the header is not valid: {e}"))),
                        }
                    }
                }
                Stage::SectionHead => {
                    let name_len = match self.pending.first().or(bytes.first()) {
                        Some(&l) => l as usize,
                        None => return,
                    };
                    if self.gather(&mut bytes, 1 + name_len + 1 + 8) {
                        self.start_payload(name_len);
                    }
                }
                Stage::Payload { remaining } => {
                    let take = remaining.min(bytes.len());
                    self.values(&bytes[..take]);
                    bytes = &bytes[take..];
                    self.stage = Stage::Payload { remaining: remaining - take };
                    if remaining == take {
                        self.end_section();
                    }
                }
                Stage::End => {
                    self.defer(Error::data("unexpected bytes after the last section; the file is damaged"));
                }
                Stage::Failed => return,
            }
        }
    }

    fn start_sections(&mut self, header: Header) {
        let c = &header.config;
        let names = ["indptr", "indices", "backbone_len"].map(|n| (n.to_string(), 0));
        self.expected = names.into_iter().map(|(name, dtype)| Expected { name, dtype }).collect();
        for prefix in ["", "adam_m.", "adam_v."] {
            for name in TENSORS {
                if name != "x0" || c.initial_state == InitialState::Learned {
                    self.expected.push(Expected { name: format!("{prefix}{name}"), dtype: 1 });
                }
            }
        }
        self.expected.push(Expected { name: "signs".into(), dtype: 1 });
        let checked = if self.header_only {
            Ok(())
        } else {
            c.validate().and_then(|_| crate::memory::check_network(c, crate::memory::limit()))
        };
        self.header = Some(header);
        match checked {
            Ok(()) => self.stage = Stage::SectionHead,
            Err(e) => self.defer(e),
        }
    }

    /// The length section `name` must have, where the configuration (and the sections read so
    /// far) fix it; checked before anything is allocated.
    fn expected_len(&self, name: &str) -> Option<usize> {
        let c = &self.header.as_ref()?.config;
        let (n, d, o, m) = (c.neurons, c.inputs, c.outputs, c.learned);
        let nnz = || match self.sections.first() {
            Some(Values::U32(indptr)) => indptr.last().map(|&e| e as usize),
            _ => None,
        };
        let base = name.rsplit('.').next().unwrap_or(name);
        match base {
            "indptr" => Some(n + 1),
            "indices" | "w_rec" => nnz(),
            "backbone_len" | "bias" | "x0" => Some(n),
            "w_in" => Some(n * d),
            "w_out" => Some(o * n),
            "b_out" => Some(o),
            "signs" => Some(if c.growth == Growth::DeepR { n * m } else { 0 }),
            _ => None,
        }
    }

    fn start_payload(&mut self, name_len: usize) {
        let head = core::mem::take(&mut self.pending);
        let found = String::from_utf8_lossy(&head[1..1 + name_len]).into_owned();
        let dtype = head[1 + name_len];
        let count = u64::from_le_bytes(head[2 + name_len..10 + name_len].try_into().unwrap_or_default());
        let Some(expected) = self.expected.get(self.sections.len()) else {
            return self.defer(Error::data("unexpected bytes after the last section; the file is damaged"));
        };
        let name = expected.name.clone();
        if found != name || dtype != expected.dtype {
            return self
                .defer(Error::data(format!("expected section \"{name}\", found \"{found}\"; the file is damaged")));
        }
        let Some(size) = usize::try_from(count).ok().and_then(|c| c.checked_mul(4)) else {
            return self.defer(Error::data(format!("section \"{name}\" is impossibly large")));
        };
        let count = size / 4;
        self.current = Some(if self.header_only {
            Values::Skipped
        } else {
            if self.expected_len(&name) != Some(count) {
                return self
                    .defer(Error::data("the saved arrays do not match the saved configuration; the file is damaged"));
            }
            let what = "the saved network";
            let made = match dtype {
                0 => crate::memory::try_with_capacity(count, what).map(Values::U32),
                _ => crate::memory::try_with_capacity(count, what).map(Values::F32),
            };
            match made {
                Ok(values) => values,
                Err(e) => return self.defer(e),
            }
        });
        self.stage = Stage::Payload { remaining: size };
        if size == 0 {
            self.end_section();
        }
    }

    /// Decodes little-endian 4-byte values, one split across chunks kept in `pending`.
    fn values(&mut self, mut bytes: &[u8]) {
        let Some(current) = self.current.as_mut() else { return };
        if matches!(current, Values::Skipped) {
            return;
        }
        let mut push = |b: [u8; 4]| match current {
            Values::U32(v) => v.push(u32::from_le_bytes(b)),
            Values::F32(v) => v.push(f32::from_le_bytes(b)),
            Values::Skipped => {}
        };
        if !self.pending.is_empty() {
            let take = (4 - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < 4 {
                return;
            }
            push(self.pending[..4].try_into().unwrap_or_default());
            self.pending.clear();
        }
        let whole = bytes.len() / 4 * 4;
        for c in bytes[..whole].chunks_exact(4) {
            push([c[0], c[1], c[2], c[3]]);
        }
        self.pending.extend_from_slice(&bytes[whole..]);
    }

    fn end_section(&mut self) {
        let values = self.current.take().unwrap_or(Values::Skipped);
        self.sections.push(values);
        self.stage = if self.sections.len() == self.expected.len() { Stage::End } else { Stage::SectionHead };
    }

    /// Checks the whole input (checksum, then structure) and returns the header and sections.
    fn end(self) -> Result<(Header, Vec<Values>), Error> {
        if self.received < 8 || &self.prefix[..8] != MAGIC {
            return Err(Error::data("this is not a sqrtk network file (it does not start with \"SQRTKNET\")"));
        }
        if self.received < 12 {
            return Err(Error::data(format!(
                "the file is truncated: it ends at byte {} inside a 4-byte field",
                self.received
            )));
        }
        if self.received < 8 + 4 + 4 + 8 {
            return Err(Error::data("the file is truncated: it ends inside the header"));
        }
        if self.hasher.value() != u64::from_le_bytes(self.tail[..].try_into().unwrap_or_default()) {
            return Err(Error::data("checksum mismatch: the file is truncated or corrupted"));
        }
        if let Some(e) = self.deferred {
            return Err(e);
        }
        match (self.stage, self.header) {
            (Stage::End, Some(header)) => Ok((header, self.sections)),
            _ => Err(Error::data(format!("the file is truncated: it ends at byte {}", self.received))),
        }
    }

    /// The network and the caller's `extra` JSON, exactly as saved (same state hash).
    pub fn finish(self) -> Result<(Network, serde_json::Value), Error> {
        if self.header_only {
            return Err(Error::state("this loader reads the header only; use finish_header"));
        }
        let (header, sections) = self.end()?;
        assemble(header, sections)
    }

    /// The configuration and `extra` JSON of the input (whose every byte was checked).
    pub fn finish_header(self) -> Result<(Config, serde_json::Value), Error> {
        let (header, _) = self.end()?;
        Ok((header.config, header.extra))
    }
}

/// Magic and version, from the first (up to 12) bytes of a file.
fn check_prefix(prefix: &[u8]) -> Result<(), Error> {
    let magic = &prefix[..prefix.len().min(8)];
    if magic != &MAGIC[..magic.len()] {
        return Err(Error::data("this is not a sqrtk network file (it does not start with \"SQRTKNET\")"));
    }
    if prefix.len() == 12 {
        let version = u32::from_le_bytes(prefix[8..12].try_into().unwrap_or_default());
        if version != VERSION {
            return Err(Error::data(format!(
                "format version {version} is not supported: this sqrtk reads version {VERSION}; use the sqrtk release that wrote the file"
            )));
        }
    }
    Ok(())
}

/// Reads the header only: the configuration and the caller's `extra` JSON.
pub fn read_header(bytes: &[u8]) -> Result<(Config, serde_json::Value), Error> {
    let mut loader = Loader::new(true);
    loader.push(bytes)?;
    loader.finish_header()
}

/// Restores a network saved by [`save`], exactly (same state hash).
pub fn load(bytes: &[u8]) -> Result<(Network, serde_json::Value), Error> {
    let mut loader = Loader::new(false);
    loader.push(bytes)?;
    loader.finish()
}

/// The network from its checked header and sections (in the order [`save_to`] writes them).
fn assemble(header: Header, sections: Vec<Values>) -> Result<(Network, serde_json::Value), Error> {
    let config = header.config;
    let (n, m) = (config.neurons, config.learned);
    let learned_x0 = config.initial_state == InitialState::Learned;
    let mut sections = sections.into_iter();
    let mut u32s = || match sections.next() {
        Some(Values::U32(v)) => v,
        _ => Vec::new(),
    };
    let (indptr, indices, backbone_len) = (u32s(), u32s(), u32s());
    let mut f32s = || match sections.next() {
        Some(Values::F32(v)) => v,
        _ => Vec::new(),
    };
    let mut read_tensors = || -> Tensors {
        let mut t = Tensors::default();
        for (name, slot) in TENSORS.iter().zip(t.all_mut()) {
            if *name != "x0" || learned_x0 {
                *slot = f32s();
            }
        }
        t
    };
    let (params, adam_m, adam_v) = (read_tensors(), read_tensors(), read_tensors());
    let signs = f32s();

    // Every length must agree with the configuration before anything indexes with it.
    let nnz = indices.len();
    let consistent = indptr.len() == n + 1
        && indptr.first() == Some(&0)
        && indptr.last().map(|&e| e as usize) == Some(nnz)
        && indptr.windows(2).all(|w| w[0] <= w[1])
        && backbone_len.len() == n
        && (0..n).all(|i| (indptr[i + 1] - indptr[i]) as usize == backbone_len[i] as usize + m)
        && indices.iter().all(|&j| (j as usize) < n)
        && params.w_in.len() == n * config.inputs
        && params.bias.len() == n
        && params.w_rec.len() == nnz
        && params.w_out.len() == config.outputs * n
        && params.b_out.len() == config.outputs
        && params.x0.len() == if learned_x0 { n } else { 0 }
        && [&adam_m, &adam_v].iter().all(|t| t.all().iter().zip(params.all()).all(|(a, p)| a.len() == p.len()))
        && signs.len() == if config.growth == Growth::DeepR { n * m } else { 0 };
    if !consistent {
        return Err(Error::data("the saved arrays do not match the saved configuration; the file is damaged"));
    }
    // A checksum proves the bytes are the ones saved, not that the network was healthy.
    for (prefix, tensors) in [("", &params), ("adam_m.", &adam_m), ("adam_v.", &adam_v)] {
        for (name, values) in TENSORS.iter().zip(tensors.all()) {
            if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
                return Err(Error::data(format!(
                    "{prefix}{name}[{bad}] is {}: the file holds a network whose training diverged; load an earlier checkpoint",
                    values[bad]
                )));
            }
        }
    }
    let csr = Csr { n_rows: n, n_cols: n, indptr, indices };
    let structure = Recurrent::new(&config, csr, backbone_len);
    structure.check_invariants().map_err(|e| Error::data(format!("the saved structure is invalid: {}", e.message)))?;
    let c = header.counters;
    let adam = Adam { m: adam_m, v: adam_v, steps: c.adam_steps, beta1_t: c.beta1_t, beta2_t: c.beta2_t };
    let net = Network::from_parts(config, structure, params, adam, signs, c.rewires, c.turnover)?;
    Ok((net, header.extra))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::small_config;
    use crate::{AdamConfig, Batch, Target};

    fn trained() -> Network {
        let config = Config { growth: Growth::DeepR, ..small_config() };
        let mut net = Network::new(config).unwrap();
        let x: Vec<f32> = (0..5 * 4 * 3).map(|i| (i as f32 * 0.37).sin()).collect();
        let labels = [0, 1, 2, 3, 0];
        for _ in 0..3 {
            net.train_batch(
                &Batch { x: &x, size: 5, steps: 4, target: Target::Labels(&labels) },
                &AdamConfig::default(),
            )
            .unwrap();
            net.rewire(0.5).unwrap();
        }
        net
    }

    #[test]
    fn save_then_load_is_exact() {
        let net = trained();
        let bytes = save(&net, serde_json::json!({ "epoch": 3 }));
        let (back, extra) = load(&bytes).unwrap();
        assert_eq!(back.state_hash(), net.state_hash());
        assert_eq!(extra["epoch"], 3);
        assert_eq!(save(&back, serde_json::json!({ "epoch": 3 })), bytes);
        assert_eq!(back.adam.beta2_t.to_bits(), net.adam.beta2_t.to_bits(), "f64 counters round-trip exactly");
    }

    #[test]
    fn a_learned_initial_state_is_saved_and_loaded() {
        let config = Config { initial_state: InitialState::Learned, ..small_config() };
        let mut net = Network::new(config).unwrap();
        let x: Vec<f32> = (0..5 * 4 * 3).map(|i| (i as f32 * 0.37).sin()).collect();
        let labels = [0, 1, 2, 3, 0];
        let batch = Batch { x: &x, size: 5, steps: 4, target: Target::Labels(&labels) };
        net.train_batch(&batch, &AdamConfig::default()).unwrap();
        assert!(net.params.x0.iter().any(|&v| v != 0.0), "x0 was trained");
        let bytes = save(&net, serde_json::Value::Null);
        let (back, _) = load(&bytes).unwrap();
        assert_eq!(back.params.x0, net.params.x0);
        assert_eq!(back.adam.v.x0, net.adam.v.x0);
        assert_eq!(back.state_hash(), net.state_hash());
    }

    /// A file written before `noise` and `initialState` existed: its header has neither key.
    #[test]
    fn a_file_without_the_new_options_still_loads() {
        let net = trained();
        let bytes = save(&net, serde_json::Value::Null);
        let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let json = std::str::from_utf8(&bytes[16..16 + len]).unwrap();
        let old_json = json.replace(",\"noise\":0.0,\"initialState\":\"zero\"", "");
        assert!(old_json.len() < json.len(), "{json}");
        let mut old = bytes[..12].to_vec();
        old.extend_from_slice(&(old_json.len() as u32).to_le_bytes());
        old.extend_from_slice(old_json.as_bytes());
        old.extend_from_slice(&bytes[16 + len..bytes.len() - 8]);
        let sum = fnv1a(&old).to_le_bytes();
        old.extend_from_slice(&sum);
        let (back, _) = load(&old).unwrap();
        assert_eq!(back.state_hash(), net.state_hash());
        assert_eq!(back.config.initial_state, InitialState::Zero);
    }

    #[test]
    fn a_consistent_looking_but_wrong_file_is_rejected() {
        // A random-growth network relabelled deep_r (same length, checksum recomputed) has no signs.
        let net = Network::new(small_config()).unwrap();
        let mut bytes = save(&net, serde_json::Value::Null);
        let at = bytes.windows(8).position(|w| w == b"\"random\"").unwrap();
        bytes[at..at + 8].copy_from_slice(b"\"deep_r\"");
        let body = bytes.len() - 8;
        let sum = fnv1a(&bytes[..body]).to_le_bytes();
        bytes[body..].copy_from_slice(&sum);
        assert!(load(&bytes).unwrap_err().message.contains("do not match the saved configuration"));
    }

    #[test]
    fn a_file_whose_weights_are_not_finite_is_rejected_even_with_a_valid_checksum() {
        let net = trained();
        for bad in [f32::NAN, f32::INFINITY] {
            let mut bytes = save(&net, serde_json::Value::Null);
            // w_rec[0] and w_rec[1] side by side, to find the weights' section in the file.
            let pair: Vec<u8> = net.params.w_rec[..2].iter().flat_map(|v| v.to_le_bytes()).collect();
            let at = bytes.windows(8).position(|w| w == pair.as_slice()).unwrap();
            bytes[at..at + 4].copy_from_slice(&bad.to_le_bytes());
            let body = bytes.len() - 8;
            let sum = fnv1a(&bytes[..body]).to_le_bytes();
            bytes[body..].copy_from_slice(&sum);
            let e = load(&bytes).unwrap_err();
            assert_eq!(e.code, "E_DATA");
            assert!(e.message.starts_with("w_rec[0] is "), "{}", e.message);
            assert!(e.message.contains("training diverged; load an earlier checkpoint"), "{}", e.message);
        }
    }

    /// Loads `bytes` pushed in pieces of `size` bytes (the last one shorter).
    fn load_in_chunks(bytes: &[u8], size: usize) -> Result<(Network, serde_json::Value), Error> {
        let mut loader = Loader::new(false);
        for chunk in bytes.chunks(size) {
            loader.push(chunk)?;
        }
        loader.finish()
    }

    #[test]
    fn streamed_saving_and_loading_give_the_same_bytes_and_network_whatever_the_chunks() {
        let net = trained();
        let bytes = save(&net, serde_json::json!({ "epoch": 3 }));
        let mut chunks = Vec::new();
        save_to(&net, serde_json::json!({ "epoch": 3 }), &mut |c| {
            chunks.push(c.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(chunks.concat(), bytes);
        // Chunks of every small size split every field (header, section heads, values) somewhere.
        for size in (1..=13).chain([64, 1000, bytes.len()]) {
            let (back, extra) = load_in_chunks(&bytes, size).unwrap();
            assert_eq!(back.state_hash(), net.state_hash(), "chunks of {size}");
            assert_eq!(extra["epoch"], 3);
            let mut header = Loader::new(true);
            bytes.chunks(size).for_each(|c| header.push(c).unwrap());
            assert_eq!(header.finish_header().unwrap().0.neurons, net.config.neurons);
        }
    }

    #[test]
    fn a_failing_sink_stops_the_save_with_its_error() {
        let net = trained();
        let mut calls = 0;
        let e = save_to(&net, serde_json::Value::Null, &mut |_| {
            calls += 1;
            Err(Error::data("the disk is full"))
        })
        .unwrap_err();
        assert_eq!((calls, e.message.as_str()), (1, "the disk is full"));
    }

    #[test]
    fn damaged_files_give_the_same_errors_in_any_chunks() {
        let bytes = save(&trained(), serde_json::Value::Null);
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 1;
        let mut head = bytes.clone();
        head[20] ^= 1; // inside the header JSON
        let mut future = bytes.clone();
        future[8] = 9;
        let cases: [&[u8]; 6] =
            [b"PK\x03\x04 a zip file", &bytes[..bytes.len() / 2], &flipped, &head, &future, &bytes[..10]];
        for case in cases {
            let whole = load(case).err().map(|e| e.message);
            for size in [1, 3, 7, 8, 9, 4096] {
                assert_eq!(load_in_chunks(case, size).err().map(|e| e.message), whole, "chunks of {size}");
            }
        }
    }

    #[test]
    fn damaged_files_give_clear_errors() {
        let bytes = save(&trained(), serde_json::Value::Null);
        let message = |b: &[u8]| load(b).err().map(|e| e.message).unwrap_or_default();
        assert!(message(b"PK\x03\x04 a zip file").contains("not a sqrtk network file"));
        assert!(message(&bytes[..bytes.len() / 2]).contains("truncated or corrupted"));
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 1;
        assert!(message(&flipped).contains("checksum mismatch"));
        let mut future = bytes.clone();
        future[8] = 9;
        assert!(message(&future).contains("format version 9 is not supported"));
        assert!(message(&bytes[..10]).contains("truncated"));
    }
}
