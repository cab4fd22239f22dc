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
use crate::csr::{Csr, Transpose};
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

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = crate::hash::StateHasher::default();
    h.bytes(bytes);
    h.value()
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32s(&mut self, name: &str, values: &[u32]) {
        self.section(name, 0, values.len());
        values.iter().for_each(|v| self.0.extend_from_slice(&v.to_le_bytes()));
    }

    fn f32s(&mut self, name: &str, values: &[f32]) {
        self.section(name, 1, values.len());
        values.iter().for_each(|v| self.0.extend_from_slice(&v.to_le_bytes()));
    }

    fn section(&mut self, name: &str, dtype: u8, count: usize) {
        self.0.push(name.len() as u8);
        self.0.extend_from_slice(name.as_bytes());
        self.0.push(dtype);
        self.0.extend_from_slice(&(count as u64).to_le_bytes());
    }
}

/// The sections of a `Tensors`, in `Tensors::all` order; `x0` is written only when present.
const TENSORS: [&str; 6] = ["w_in", "bias", "w_rec", "w_out", "b_out", "x0"];

/// The network as bytes; `extra` is any JSON the caller wants back at load time.
pub fn save(net: &Network, extra: serde_json::Value) -> Vec<u8> {
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
    let mut w = Writer(Vec::with_capacity(64 + json.len() + 24 * net.structure.csr.nnz()));
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&VERSION.to_le_bytes());
    w.0.extend_from_slice(&(json.len() as u32).to_le_bytes());
    w.0.extend_from_slice(&json);
    let s = &net.structure;
    w.u32s("indptr", &s.csr.indptr);
    w.u32s("indices", &s.csr.indices);
    w.u32s("backbone_len", &s.backbone_len);
    for (prefix, tensors) in [("", &net.params), ("adam_m.", &net.adam.m), ("adam_v.", &net.adam.v)] {
        for (name, t) in TENSORS.iter().zip(tensors.all()) {
            if *name != "x0" || net.config.initial_state == InitialState::Learned {
                w.f32s(&format!("{prefix}{name}"), t);
            }
        }
    }
    w.f32s("signs", &net.signs);
    let checksum = fnv1a(&w.0);
    w.0.extend_from_slice(&checksum.to_le_bytes());
    w.0
}

/// A bounds-checked reader: every read past the end is a "truncated" error, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            Error::data(format!("the file is truncated: it ends at byte {} inside a {n}-byte field", self.bytes.len()))
        })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default()))
    }

    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default()))
    }

    /// The next section, which must be called `name` with element type `dtype`.
    fn section(&mut self, name: &str, dtype: u8) -> Result<&'a [u8], Error> {
        let len = self.u8()? as usize;
        let found = String::from_utf8_lossy(self.take(len)?).into_owned();
        let found_dtype = self.u8()?;
        if found != name || found_dtype != dtype {
            return Err(Error::data(format!("expected section \"{name}\", found \"{found}\"; the file is damaged")));
        }
        let count = self.u64()?;
        let size = usize::try_from(count).ok().and_then(|c| c.checked_mul(4));
        self.take(size.ok_or_else(|| Error::data(format!("section \"{name}\" is impossibly large")))?)
    }

    fn u32s(&mut self, name: &str) -> Result<Vec<u32>, Error> {
        Ok(self.section(name, 0)?.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn f32s(&mut self, name: &str) -> Result<Vec<f32>, Error> {
        Ok(self.section(name, 1)?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

/// Reads the header only: the configuration and the caller's `extra` JSON.
pub fn read_header(bytes: &[u8]) -> Result<(Config, serde_json::Value), Error> {
    let header = check_and_read_header(bytes)?.0;
    Ok((header.config, header.extra))
}

fn check_and_read_header(bytes: &[u8]) -> Result<(Header, Reader<'_>), Error> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(Error::data("this is not a sqrtk network file (it does not start with \"SQRTKNET\")"));
    }
    let version = Reader { bytes, at: 8 }.u32()?;
    if version != VERSION {
        return Err(Error::data(format!(
            "format version {version} is not supported: this sqrtk reads version {VERSION}; use the sqrtk release that wrote the file"
        )));
    }
    if bytes.len() < 8 + 4 + 4 + 8 {
        return Err(Error::data("the file is truncated: it ends inside the header"));
    }
    // Everything but the last 8 bytes is covered by the checksum stored in them.
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    if fnv1a(body) != u64::from_le_bytes(tail.try_into().unwrap_or_default()) {
        return Err(Error::data("checksum mismatch: the file is truncated or corrupted"));
    }
    let mut r = Reader { bytes: body, at: 12 };
    let len = r.u32()? as usize;
    let header: Header =
        serde_json::from_slice(r.take(len)?).map_err(|e| Error::data(format!("the header is not valid: {e}")))?;
    Ok((header, r))
}

/// Restores a network saved by [`save`], exactly (same state hash).
pub fn load(bytes: &[u8]) -> Result<(Network, serde_json::Value), Error> {
    let (header, mut r) = check_and_read_header(bytes)?;
    let config = header.config;
    config.validate()?;
    crate::memory::check_network(&config, crate::memory::limit())?;
    let (n, m) = (config.neurons, config.learned);
    let learned_x0 = config.initial_state == InitialState::Learned;
    let indptr = r.u32s("indptr")?;
    let indices = r.u32s("indices")?;
    let backbone_len = r.u32s("backbone_len")?;
    let mut read_tensors = |prefix: &str| -> Result<Tensors, Error> {
        let mut t = Tensors::default();
        for (name, slot) in TENSORS.iter().zip(t.all_mut()) {
            if *name != "x0" || learned_x0 {
                *slot = r.f32s(&format!("{prefix}{name}"))?;
            }
        }
        Ok(t)
    };
    let (params, adam_m, adam_v) = (read_tensors("")?, read_tensors("adam_m.")?, read_tensors("adam_v.")?);
    let signs = r.f32s("signs")?;
    if r.at != r.bytes.len() {
        return Err(Error::data("unexpected bytes after the last section; the file is damaged"));
    }

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
    let transpose = Transpose::of(&csr);
    let structure = Recurrent { csr, backbone_len, learned: m, transpose };
    structure.check_invariants().map_err(|e| Error::data(format!("the saved structure is invalid: {}", e.message)))?;
    let c = header.counters;
    let adam = Adam { m: adam_m, v: adam_v, steps: c.adam_steps, beta1_t: c.beta1_t, beta2_t: c.beta2_t };
    let net = Network::from_parts(config, structure, params, adam, signs, c.rewires, c.turnover);
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
