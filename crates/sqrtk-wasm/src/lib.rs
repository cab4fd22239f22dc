//! wasm-bindgen layer: converts typed arrays, options and errors; all logic is in sqrtk-core.
//! A network is one handle; JavaScript never touches individual synapses across the boundary.

#[cfg(target_arch = "wasm32")]
mod heap;

use std::sync::OnceLock;

use sqrtk_core::parallel::{self, Pool};
use sqrtk_core::rng::{Rng, Stream};
use sqrtk_core::{AdamConfig, Batch, Config, Error, Score, Target};
use wasm_bindgen::prelude::*;

/// The message of the first panic in this instance. Panics abort (trap) in WebAssembly, so once
/// it is set the instance is poisoned: its locks and data may be half-updated.
static PANIC: OnceLock<String> = OnceLock::new();

/// Runs when the instance is created: records panics before they trap. The hook is shared by
/// the instance's threads (it lives in the shared memory), so a worker's panic is recorded too.
#[wasm_bindgen(start)]
fn start() {
    // wasm-bindgen keeps the slots of JavaScript values passed in (the sink of a save) in a
    // table it allocates on first use and keeps: made now, it sits at the bottom of the heap
    // instead of in a hole between a network's arrays, where it would split the space a large
    // network freed and loaded again needs whole (see `heap`).
    drop(JsValue::from_f64(0.0));
    std::panic::set_hook(Box::new(|info| {
        let what = info.payload_as_str().unwrap_or("(no message)");
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let message = format!("sqrtk panicked (a bug in sqrtk, please report it): {what}{at}");
        PANIC.get_or_init(|| message.clone());
        // A worker that traps never reports back: tell the pool, so its caller wakes up.
        Pool::worker_died(&message);
    }));
}

/// Fails at once if a panic poisoned this instance (every export that touches state calls it
/// first, so nothing ever waits on a lock a trapped thread still holds).
fn alive() -> Result<(), JsError> {
    PANIC.get().map_or(Ok(()), |panic| Err(js_error(parallel::unusable(panic))))
}

/// The message of the first panic in this instance, if any (read after a trap).
#[wasm_bindgen]
pub fn last_panic_message() -> Option<String> {
    PANIC.get().cloned()
}

/// Test hook, not for production use: runs a pool job of `chunks` chunks in which one chunk
/// panics, on a worker thread if `in_worker`, else on the calling thread. The instance is
/// poisoned afterwards.
#[wasm_bindgen]
pub fn debug_panic_in_chunk(chunks: usize, in_worker: bool) -> Result<(), JsError> {
    alive()?;
    parallel::debug_panic_in_chunk(parallel::pool(), chunks, in_worker).map_err(js_error)
}

/// Errors cross the boundary as `CODE: message`; the TypeScript layer turns them into typed
/// `SqrtkError`s with that code.
fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Labels with one entry per sequence are per-sequence classes; with one per step (and more
/// than one step) they are per-step classes, weighted by the mask.
fn batch<'a>(
    x: &'a [f32],
    size: usize,
    steps: usize,
    labels: &'a Option<Vec<i32>>,
    targets: &'a Option<Vec<f32>>,
    mask: &'a Option<Vec<f32>>,
) -> Batch<'a> {
    let target = match (labels, targets) {
        (Some(l), _) if l.len() == size * steps && steps > 1 => Target::StepLabels { labels: l, mask: mask.as_deref() },
        (Some(l), _) => Target::Labels(l),
        (None, Some(y)) => Target::Values { y, mask: mask.as_deref() },
        (None, None) => Target::None,
    };
    Batch { x, size, steps, target }
}

fn score_vec(s: &Score) -> Vec<f64> {
    vec![s.loss, s.correct as f64, s.scored as f64, s.trials_correct as f64]
}

/// `{"config": …, "extra": …}`, the header of a saved network.
fn header_json(config: &Config, extra: &serde_json::Value) -> String {
    serde_json::json!({ "config": config, "extra": extra }).to_string()
}

#[wasm_bindgen]
extern "C" {
    /// A JavaScript function that receives each chunk of a save: a view into WebAssembly
    /// memory, valid only during the call (copy or write it at once).
    pub type ChunkSink;
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call(this: &ChunkSink, this_arg: &JsValue, chunk: &[u8]) -> Result<JsValue, JsValue>;
}

/// Reads a saved network a chunk at a time, so that a large file never sits whole in
/// WebAssembly memory: `push` each chunk, then `finish` (or `finish_header`), then `header`.
#[wasm_bindgen]
pub struct NetworkLoader {
    inner: Option<sqrtk_core::checkpoint::Loader>,
    header: Option<String>,
}

#[wasm_bindgen]
impl NetworkLoader {
    /// With `header_only`, every byte is checked but only the header is kept.
    #[wasm_bindgen(constructor)]
    pub fn new(header_only: bool) -> NetworkLoader {
        NetworkLoader { inner: Some(sqrtk_core::checkpoint::Loader::new(header_only)), header: None }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        alive()?;
        self.loader()?.push(chunk).map_err(js_error)
    }

    /// The network, once every chunk was pushed.
    pub fn finish(&mut self) -> Result<Network, JsError> {
        alive()?;
        let (inner, extra) = self.take()?.finish().map_err(js_error)?;
        self.header = Some(header_json(&inner.config, &extra));
        Ok(Network { inner })
    }

    /// Checks the whole input (a loader made with `header_only`) and keeps its header.
    pub fn finish_header(&mut self) -> Result<(), JsError> {
        alive()?;
        let (config, extra) = self.take()?.finish_header().map_err(js_error)?;
        self.header = Some(header_json(&config, &extra));
        Ok(())
    }

    /// `{"config": …, "extra": …}` of the input, after `finish` or `finish_header`.
    pub fn header(&self) -> Option<String> {
        self.header.clone()
    }

    fn loader(&mut self) -> Result<&mut sqrtk_core::checkpoint::Loader, JsError> {
        self.inner.as_mut().ok_or_else(|| js_error(Error::state("this loader has finished; make a new one")))
    }

    fn take(&mut self) -> Result<sqrtk_core::checkpoint::Loader, JsError> {
        self.inner.take().ok_or_else(|| js_error(Error::state("this loader has finished; make a new one")))
    }
}

/// Fraction of learned synapses to swap at optimizer step `step` of the cosine schedule.
#[wasm_bindgen]
pub fn rewire_fraction(base: f32, step: f64, until: f64) -> f32 {
    sqrtk_core::growth::cosine_fraction(base, step as u64, until as u64)
}

#[wasm_bindgen]
pub struct Network {
    inner: sqrtk_core::Network,
}

#[wasm_bindgen]
impl Network {
    /// Builds a network from the fully resolved configuration (JSON, camelCase keys).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Network, JsError> {
        alive()?;
        let config: Config = serde_json::from_str(config_json)
            .map_err(|e| js_error(Error { code: "E_OPTION", message: format!("invalid configuration: {e}") }))?;
        Ok(Network { inner: sqrtk_core::Network::new(config).map_err(js_error)? })
    }

    /// Refuses (E_OPTION, with the largest batch size that fits) a training batch of `size`
    /// sequences of `steps` steps whose states would not fit beside the network (even without
    /// its transpose, which training drops when that makes room).
    pub fn check_training_memory(&self, size: usize, steps: usize) -> Result<(), JsError> {
        alive()?;
        self.inner.check_training_memory(size, steps).map_err(js_error)
    }

    /// Drops the transpose of the connectivity (8 bytes per synapse): training keeps its bits
    /// and takes longer.
    pub fn compact(&mut self) -> Result<(), JsError> {
        alive()?;
        self.inner.compact();
        Ok(())
    }

    /// Whether the network has no transpose (built too large for one, or compacted).
    pub fn is_compact(&self) -> Result<bool, JsError> {
        alive()?;
        Ok(self.inner.is_compact())
    }

    /// The network as bytes (versioned, checksummed), with the caller's JSON in the header,
    /// handed to `sink` a chunk (about 1 MiB) at a time. An error the sink throws (a full disk)
    /// stops the save and is thrown again here, as it was.
    pub fn save_to(&self, extra_json: &str, sink: &ChunkSink) -> Result<(), JsValue> {
        alive()?;
        let extra = serde_json::from_str(extra_json)
            .map_err(|e| js_error(Error { code: "E_OPTION", message: format!("extra is not valid JSON: {e}") }))?;
        let mut thrown = None;
        let saved = sqrtk_core::checkpoint::save_to(&self.inner, extra, &mut |chunk| {
            sink.call(&JsValue::UNDEFINED, chunk).map(|_| ()).map_err(|e| {
                thrown = Some(e);
                Error::state("the save was stopped by its sink")
            })
        });
        match (saved, thrown) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(js_error(e).into()),
        }
    }

    /// One optimizer step on a batch. Returns [loss, correct, gradient norm, scored, trials correct].
    #[allow(clippy::too_many_arguments)]
    pub fn train_batch(
        &mut self,
        x: &[f32],
        size: usize,
        steps: usize,
        labels: Option<Vec<i32>>,
        targets: Option<Vec<f32>>,
        mask: Option<Vec<f32>>,
        lr: f32,
        clip_norm: f32,
    ) -> Result<Vec<f64>, JsError> {
        alive()?;
        let opt = AdamConfig { lr, clip_norm, ..AdamConfig::default() };
        let s = self.inner.train_batch(&batch(x, size, steps, &labels, &targets, &mask), &opt).map_err(js_error)?;
        let c = &s.score;
        Ok(vec![c.loss, c.correct as f64, s.grad_norm, c.scored as f64, c.trials_correct as f64])
    }

    /// Loss and gradient on a batch without changing any weight: the next `rewire` scores its
    /// candidates on this batch instead of the last training batch. Returns the loss.
    #[allow(clippy::too_many_arguments)]
    pub fn score_batch(
        &mut self,
        x: &[f32],
        size: usize,
        steps: usize,
        labels: Option<Vec<i32>>,
        targets: Option<Vec<f32>>,
        mask: Option<Vec<f32>>,
    ) -> Result<f64, JsError> {
        alive()?;
        let score = self.inner.loss_and_gradient(&batch(x, size, steps, &labels, &targets, &mask)).map_err(js_error)?;
        Ok(score.loss)
    }

    /// Loss and classification counts on a batch: [loss, correct, scored, trials correct].
    /// With `noise_index`, the pass draws the private noise and random initial states of
    /// training, keyed by that index (the same index gives the same draws); without, none.
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        &mut self,
        x: &[f32],
        size: usize,
        steps: usize,
        labels: Option<Vec<i32>>,
        targets: Option<Vec<f32>>,
        mask: Option<Vec<f32>>,
        noise_index: Option<u32>,
    ) -> Result<Vec<f64>, JsError> {
        alive()?;
        let b = batch(x, size, steps, &labels, &targets, &mask);
        let s = match noise_index {
            Some(index) => self.inner.evaluate_noisy(&b, index),
            None => self.inner.evaluate(&b),
        }
        .map_err(js_error)?;
        Ok(score_vec(&s.score))
    }

    pub fn predict(&mut self, x: &[f32], size: usize, steps: usize) -> Result<Vec<f32>, JsError> {
        alive()?;
        self.inner.predict(&batch(x, size, steps, &None, &None, &None)).map_err(js_error)
    }

    /// The outputs at every step, [batch][step][output], for either loss.
    pub fn outputs(&mut self, x: &[f32], size: usize, steps: usize) -> Result<Vec<f32>, JsError> {
        alive()?;
        self.inner.outputs(&batch(x, size, steps, &None, &None, &None)).map_err(js_error)
    }

    /// The order in which to visit `n` training samples in epoch `epoch` (data-order stream).
    pub fn data_order(&self, epoch: u32, n: usize) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(Rng::new(self.inner.config.seed, Stream::DataOrder, epoch as u64).permutation(n))
    }

    /// One rewiring with the configured growth strategy; returns the synapses swapped.
    pub fn rewire(&mut self, fraction: f32) -> Result<f64, JsError> {
        alive()?;
        Ok(self.inner.rewire(fraction).map_err(js_error)? as f64)
    }

    /// [rewirings so far, synapses swapped by them].
    pub fn rewire_counts(&self) -> Result<Vec<f64>, JsError> {
        alive()?;
        Ok(vec![self.inner.rewires as f64, self.inner.turnover as f64])
    }

    /// Chi-square test of the in-degrees against Binomial(N − 1, K/N): [statistic, dof, p-value].
    pub fn in_degree_test(&self) -> Result<Vec<f64>, JsError> {
        alive()?;
        let t = self.inner.in_degree_test();
        Ok(vec![t.statistic, t.dof as f64, t.p_value])
    }

    /// Chi-square test of the out-degrees against Binomial(N − 1, K/N): [statistic, dof, p-value].
    pub fn out_degree_test(&self) -> Result<Vec<f64>, JsError> {
        alive()?;
        let t = self.inner.out_degree_test();
        Ok(vec![t.statistic, t.dof as f64, t.p_value])
    }

    /// Synapses each neuron sends (all, or only learned ones).
    pub fn out_degree(&self, learned_only: bool) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(self.inner.structure.out_degree(learned_only))
    }

    pub fn state_hash(&self) -> Result<String, JsError> {
        alive()?;
        Ok(self.inner.state_hash())
    }

    pub fn optimizer_steps(&self) -> Result<f64, JsError> {
        alive()?;
        Ok(self.inner.adam.steps as f64)
    }

    pub fn config_json(&self) -> Result<String, JsError> {
        alive()?;
        Ok(serde_json::to_string(&self.inner.config).unwrap_or_default())
    }

    pub fn in_degree(&self) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(self.inner.structure.in_degree())
    }

    pub fn backbone_degree(&self) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(self.inner.structure.backbone_len.clone())
    }

    pub fn indptr(&self) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(self.inner.structure.csr.indptr.clone())
    }

    pub fn indices(&self) -> Result<Vec<u32>, JsError> {
        alive()?;
        Ok(self.inner.structure.csr.indices.clone())
    }

    pub fn recurrent_weights(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.w_rec.clone())
    }

    /// 1 for a learned synapse, 0 for a backbone synapse, in CSR entry order.
    pub fn learned_flags(&self) -> Result<Vec<u8>, JsError> {
        alive()?;
        let s = &self.inner.structure;
        Ok((0..s.csr.n_rows).flat_map(|i| s.csr.row_range(i).map(move |e| s.is_learned(i, e) as u8)).collect())
    }

    pub fn input_weights(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.w_in.clone())
    }

    pub fn biases(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.bias.clone())
    }

    pub fn readout_biases(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.b_out.clone())
    }

    /// The learned initial state x_0 [neurons] (empty unless initialState is 'learned').
    pub fn initial_state(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.x0.clone())
    }

    /// Rates of `neurons` over a forward pass: [neuron][step][batch].
    pub fn activity(&mut self, x: &[f32], size: usize, steps: usize, neurons: &[u32]) -> Result<Vec<f32>, JsError> {
        alive()?;
        self.inner.activity(&batch(x, size, steps, &None, &None, &None), neurons).map_err(js_error)
    }

    pub fn readout_weights(&self) -> Result<Vec<f32>, JsError> {
        alive()?;
        Ok(self.inner.params.w_out.clone())
    }
}

/// Importing a network from arrays (the reverse of `export`); see `sqrtk_core::import`.
#[wasm_bindgen]
impl Network {
    /// A network with exactly the given CSR structure (backbone/learned flags per synapse) and
    /// weights; absent tensors are initialised as in a new network. Fresh optimizer state.
    #[allow(clippy::too_many_arguments)]
    pub fn from_arrays(
        config_json: &str,
        indptr: &[i32],
        indices: &[i32],
        values: &[f32],
        learned: Option<Vec<u8>>,
        w_in: Option<Vec<f32>>,
        bias: Option<Vec<f32>>,
        w_out: Option<Vec<f32>>,
        b_out: Option<Vec<f32>>,
        x0: Option<Vec<f32>>,
        values_name: &str,
    ) -> Result<Network, JsError> {
        alive()?;
        let config: Config = serde_json::from_str(config_json)
            .map_err(|e| js_error(Error { code: "E_OPTION", message: format!("invalid configuration: {e}") }))?;
        let arrays = sqrtk_core::import::Arrays {
            indptr,
            indices,
            values,
            learned: learned.as_deref(),
            w_in: w_in.as_deref(),
            bias: bias.as_deref(),
            w_out: w_out.as_deref(),
            b_out: b_out.as_deref(),
            x0: x0.as_deref(),
            values_name,
        };
        Ok(Network { inner: sqrtk_core::Network::from_arrays(config, &arrays).map_err(js_error)? })
    }

    /// Internal (tests): forgets the optimizer state and rewiring counters, as an import starts.
    pub fn reset_training_state(&mut self) -> Result<(), JsError> {
        alive()?;
        self.inner.reset_training_state();
        Ok(())
    }
}

/// Sets up the thread pool of this WebAssembly instance for `threads` threads in all (the
/// caller plus `threads − 1` workers that must each call [`sqrtk_worker`]). Threaded build only.
#[wasm_bindgen]
extern "C" {
    /// The host's monotonic clock in milliseconds (Node and browsers, main thread and workers).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Turns the per-phase profile of training steps on or off and clears it (the bench's
/// `--profile`; see `sqrtk_core::profile`).
#[wasm_bindgen]
pub fn profile_enable(on: bool) -> bool {
    sqrtk_core::profile::set_clock(performance_now);
    sqrtk_core::profile::enable(on)
}

/// Milliseconds per phase since `profile_enable`, as a JSON object {phase: ms}.
#[wasm_bindgen]
pub fn profile_totals() -> String {
    let fields: Vec<String> =
        sqrtk_core::profile::totals_ms().iter().map(|(p, ms)| format!("\"{}\":{ms}", p.name())).collect();
    format!("{{{}}}", fields.join(","))
}

#[wasm_bindgen]
pub fn init_thread_pool(threads: usize) -> usize {
    sqrtk_core::parallel::init(threads).threads()
}

/// Entry point of a worker thread: serves the pool's jobs forever (never returns).
#[wasm_bindgen]
pub fn sqrtk_worker() {
    sqrtk_core::parallel::pool().serve()
}

/// Bytes of the heap allocated and not freed (WebAssembly only; 0 natively).
#[wasm_bindgen]
pub fn heap_bytes_in_use() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return heap::in_use() as f64;
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// Threads in this instance's pool (1 until `init_thread_pool`).
#[wasm_bindgen]
pub fn thread_count() -> usize {
    sqrtk_core::parallel::pool().threads()
}
