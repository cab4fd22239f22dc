//! A small fork-join thread pool with fixed work partitioning.
//!
//! Work is split into chunks whose boundaries depend only on the problem (never on the number
//! of threads); each chunk writes its own disjoint part of the output and no chunk depends on
//! another. Any thread may run any chunk, so results are bit-identical for 1, 2 or 8 threads.
//!
//! Threads join the pool by calling [`Pool::serve`]: natively they are spawned with
//! `std::thread`; in WebAssembly they are Web Workers / Node worker threads that call the
//! exported `sqrtk_worker` (see `sqrtk-wasm`). `std::sync::{Mutex, Condvar}` work on both (on
//! wasm32 with atomics they wait with `memory.atomic.wait32`).
//!
//! Like `std::thread::scope`, a job never returns while a worker may still use its closure, and
//! a panic in any chunk reaches the caller:
//! - natively each chunk runs under `catch_unwind`; the first payload is kept, the remaining
//!   chunks are skipped, and once every worker has reported back the caller resumes the panic.
//!   The pool stays usable.
//! - in WebAssembly a panic aborts (std is built with `panic_abort`): the panicking thread traps
//!   and never reports back. The embedder's panic hook calls [`Pool::worker_died`], which wakes
//!   the caller; it waits for the live workers only and gets an error (see [`Pool::try_run`]).
//!   If the caller itself traps, its frame (and the closure the workers borrow) is never freed,
//!   since nothing unwinds. Either way the instance is unusable afterwards (the embedder refuses
//!   further calls), see docs/threads.md.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use crate::Error;

/// A job: run `f(chunk)` for every chunk index below `chunks`.
#[derive(Clone, Copy)]
struct Job {
    /// The caller's closure; valid until every worker has reported back (see [`Pool::try_run`]).
    f: *const (dyn Fn(usize) + Sync),
    chunks: usize,
}

// SAFETY: the closure is `Sync`, and `Pool::try_run` keeps it alive until all workers are done.
unsafe impl Send for Job {}

type Payload = Box<dyn Any + Send>;

struct State {
    job: Option<Job>,
    generation: u64,
    /// Workers that have joined (jobs wait until all expected workers are serving).
    joined: usize,
    /// Workers still busy with the current job (a worker that died no longer counts).
    busy: usize,
    /// The first panic caught in the current job (native builds).
    panic: Option<Payload>,
    /// Set when a worker died in a job (WebAssembly: it trapped): the first panic's message.
    died: Option<String>,
}

pub struct Pool {
    /// Workers besides the calling thread.
    workers: usize,
    /// One job at a time: concurrent callers of `run` take turns.
    runner: Mutex<()>,
    state: Mutex<State>,
    wake: Condvar,
    changed: Condvar,
    next: AtomicUsize,
}

thread_local! {
    /// The pool whose job this thread is running as a worker, if any (for [`Pool::worker_died`]).
    static SERVING: Cell<Option<*const Pool>> = const { Cell::new(None) };
}

impl Pool {
    /// A pool for `threads` threads in all: the caller plus `threads − 1` workers that must join
    /// through [`Pool::serve`] before the first job runs.
    pub fn new(threads: usize) -> Pool {
        Pool {
            workers: threads.max(1) - 1,
            runner: Mutex::new(()),
            state: Mutex::new(State { job: None, generation: 0, joined: 0, busy: 0, panic: None, died: None }),
            wake: Condvar::new(),
            changed: Condvar::new(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn threads(&self) -> usize {
        self.workers + 1
    }

    /// Runs `f(c)` for every `c` in `0..chunks`, on all threads of the pool, and returns when all
    /// are done. A panic in a chunk is resumed here. Must not be called from inside a job.
    ///
    /// Panics if a worker died (WebAssembly only; see [`Pool::try_run`] for an error instead):
    /// the work is incomplete and the instance is unusable.
    pub fn run(&self, chunks: usize, f: &(dyn Fn(usize) + Sync)) {
        if let Err(e) = self.try_run(chunks, f) {
            panic!("{}", e.message);
        }
    }

    /// As [`Pool::run`], but a dead worker (a worker that trapped in WebAssembly, now or in an
    /// earlier job) is an `E_INTERNAL` error instead of a panic. Returns only after every live
    /// worker has stopped using `f`.
    pub fn try_run(&self, chunks: usize, f: &(dyn Fn(usize) + Sync)) -> Result<(), Error> {
        if self.workers == 0 || chunks <= 1 {
            (0..chunks).for_each(f);
            return Ok(());
        }
        let turn = self.runner.lock().unwrap_or_else(|e| e.into_inner());
        let mut state = self.lock();
        if let Some(message) = &state.died {
            return Err(unusable(message));
        }
        while state.joined < self.workers {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        // SAFETY (lifetime erasure): we do not return before `busy` is back to 0, i.e. before
        // every live worker has stopped using `f`.
        let f_static: *const (dyn Fn(usize) + Sync) = unsafe { core::mem::transmute(f) };
        self.next.store(0, Ordering::SeqCst);
        state.job = Some(Job { f: f_static, chunks });
        state.busy = self.workers;
        state.generation += 1;
        drop(state);
        self.wake.notify_all();
        let mine = self.work(f, chunks);
        let mut state = self.lock();
        if let Some(payload) = mine {
            state.panic.get_or_insert(payload);
        }
        while state.busy > 0 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.job = None;
        let panic = state.panic.take();
        let died = state.died.as_deref().map(unusable);
        drop(state);
        drop(turn);
        if let Some(payload) = panic {
            panic::resume_unwind(payload);
        }
        died.map_or(Ok(()), Err)
    }

    /// Serves jobs forever; each worker thread calls this once.
    pub fn serve(&self) -> ! {
        let mut state = self.lock();
        state.joined += 1;
        let mut seen = state.generation;
        drop(state);
        self.changed.notify_all();
        loop {
            let mut state = self.lock();
            while state.generation == seen {
                state = self.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            seen = state.generation;
            let job = state.job.expect("a new generation always carries a job");
            drop(state);
            SERVING.set(Some(self as *const Pool));
            // SAFETY: the job stays valid until we decrement `busy` below.
            let panic = self.work(unsafe { &*job.f }, job.chunks);
            SERVING.set(None);
            let mut state = self.lock();
            if let Some(payload) = panic {
                state.panic.get_or_insert(payload);
            }
            state.busy -= 1;
            drop(state);
            self.changed.notify_all();
        }
    }

    /// For a panic hook where panics abort (WebAssembly): if the panicking thread is a worker in
    /// the middle of a job, it will never report back, so count it out and wake the caller, which
    /// then fails with `message` instead of waiting forever. Does nothing on other threads.
    /// Where panics unwind the pool catches them itself: a hook there must not call this, or the
    /// worker would be counted out twice.
    pub fn worker_died(message: &str) {
        let Some(pool) = SERVING.get() else { return };
        // SAFETY: `SERVING` points at the pool this thread serves, and pools are never dropped
        // while serving (`serve` borrows it for ever).
        let pool = unsafe { &*pool };
        let mut state = pool.lock();
        state.died.get_or_insert_with(|| message.to_string());
        state.busy -= 1;
        drop(state);
        pool.changed.notify_all();
    }

    /// Runs chunks until none are left; returns the payload of a panic, after which the
    /// remaining chunks are skipped (the job's result is lost anyway).
    fn work(&self, f: &(dyn Fn(usize) + Sync), chunks: usize) -> Option<Payload> {
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                return None;
            }
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| f(c))) {
                self.next.store(chunks, Ordering::Relaxed);
                return Some(payload);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The error of a job whose worker died: the instance cannot be trusted any more.
pub fn unusable(panic: &str) -> Error {
    Error {
        code: "E_INTERNAL",
        message: format!(
            "{panic}; this sqrtk instance is unusable: recreate the network (reload the page or restart the process)"
        ),
    }
}

/// Test hook (not for production use): runs a job of `chunks` chunks (at least the pool's
/// thread count) in which one chunk panics with "debug panic in chunk C on …": the first chunk a
/// worker runs if `in_worker` and the pool has workers, else the first the caller runs. Each of
/// the first chunks waits (a bounded spin) until every thread holds one, so both the caller and
/// every worker run a chunk.
pub fn debug_panic_in_chunk(pool: &Pool, chunks: usize, in_worker: bool) -> Result<(), Error> {
    let threads = pool.threads().min(chunks);
    let started = AtomicUsize::new(0);
    let fired = AtomicBool::new(false);
    let on_worker = in_worker && pool.workers > 0;
    pool.try_run(chunks, &|c| {
        if c < threads {
            started.fetch_add(1, Ordering::SeqCst);
            for _ in 0..1 << 30 {
                if started.load(Ordering::SeqCst) >= threads {
                    break;
                }
                std::hint::spin_loop();
            }
        }
        let worker = SERVING.get().is_some();
        if worker == on_worker && !fired.swap(true, Ordering::SeqCst) {
            panic!("debug panic in chunk {c} on {}", if worker { "a worker" } else { "the calling thread" });
        }
    })
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// Sets up the process-wide pool for `threads` threads (once; later calls keep the first pool).
/// Returns the pool; its workers still have to join (natively: [`spawn_native_workers`]).
pub fn init(threads: usize) -> &'static Pool {
    POOL.get_or_init(|| Pool::new(threads))
}

/// The process-wide pool (single-threaded until [`init`] is called with more threads).
pub fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool::new(1))
}

/// Native builds: sets up the process-wide pool and starts its workers as OS threads (once).
#[cfg(not(target_arch = "wasm32"))]
pub fn spawn_native_workers(threads: usize) -> &'static Pool {
    static SPAWNED: std::sync::Once = std::sync::Once::new();
    let pool = init(threads);
    SPAWNED.call_once(|| {
        for _ in 0..pool.workers {
            std::thread::spawn(move || pool.serve());
        }
    });
    pool
}

/// Runs `f(first, rows)` over `0..n` in chunks of `chunk` rows, on the process-wide pool.
pub fn for_rows(n: usize, chunk: usize, f: impl Fn(core::ops::Range<usize>) + Sync) {
    let chunks = n.div_ceil(chunk.max(1));
    pool().run(chunks, &|c| f(c * chunk..((c + 1) * chunk).min(n)));
}

/// A mutable slice shared by the chunks of one job, each writing only its own rows.
pub struct Disjoint<'a, T> {
    ptr: *mut T,
    len: usize,
    _borrow: core::marker::PhantomData<&'a mut [T]>,
}

// SAFETY: chunks access disjoint ranges (the caller's contract in `range`).
unsafe impl<T: Send> Sync for Disjoint<'_, T> {}
unsafe impl<T: Send> Send for Disjoint<'_, T> {}

impl<'a, T> Disjoint<'a, T> {
    pub fn new(slice: &'a mut [T]) -> Self {
        Disjoint { ptr: slice.as_mut_ptr(), len: slice.len(), _borrow: core::marker::PhantomData }
    }

    /// The elements `range` of the slice.
    ///
    /// # Safety
    /// No two live calls may overlap: within one job each chunk asks for its own rows only.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn range(&self, range: core::ops::Range<usize>) -> &mut [T] {
        assert!(range.start <= range.end && range.end <= self.len, "Disjoint::range out of bounds");
        core::slice::from_raw_parts_mut(self.ptr.add(range.start), range.end - range.start)
    }

    /// Writes element `i`.
    ///
    /// # Safety
    /// As for [`Disjoint::range`]: element `i` belongs to the calling chunk.
    pub unsafe fn set(&self, i: usize, value: T) {
        self.range(i..i + 1)[0] = value;
    }
}

impl<'a> Disjoint<'a, f32> {
    /// A read-only view of rows of the slice (see [`crate::kernels::Rows`]).
    ///
    /// # Safety
    /// The rows read through the view must not be written while it is in use.
    pub unsafe fn rows(&self, stride: usize, width: usize) -> crate::kernels::Rows<'a> {
        crate::kernels::Rows::from_raw(self.ptr, self.len, stride, width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_runs_every_chunk_exactly_once() {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new(3)));
        for _ in 0..2 {
            std::thread::spawn(move || pool.serve());
        }
        for round in 0..200 {
            let chunks = round % 37;
            let counts: Vec<AtomicUsize> = (0..chunks).map(|_| AtomicUsize::new(0)).collect();
            pool.run(chunks, &|c| {
                counts[c].fetch_add(1, Ordering::Relaxed);
            });
            assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1), "round {round}");
        }
    }

    #[test]
    fn disjoint_rows_are_written_in_parallel() {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new(2)));
        std::thread::spawn(move || pool.serve());
        let mut out = vec![0u32; 1000];
        let shared = Disjoint::new(&mut out);
        pool.run(10, &|c| {
            // SAFETY: chunk c owns elements 100c..100c+100.
            let rows = unsafe { shared.range(c * 100..c * 100 + 100) };
            for (k, v) in rows.iter_mut().enumerate() {
                *v = (c * 100 + k) as u32;
            }
        });
        assert!(out.iter().enumerate().all(|(k, &v)| v == k as u32));
    }

    /// A fresh pool of `threads` threads with its workers started.
    fn pool_of(threads: usize) -> &'static Pool {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new(threads)));
        for _ in 1..threads {
            std::thread::spawn(move || pool.serve());
        }
        pool
    }

    /// The message of the panic `job` raises in this thread, if any.
    fn panic_message(job: impl FnOnce()) -> Option<String> {
        let payload = panic::catch_unwind(AssertUnwindSafe(job)).err()?;
        payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
    }

    /// Runs `test` on another thread and fails if it does not finish in time (a hang fails).
    fn within_seconds(seconds: u64, test: impl FnOnce() + Send + 'static) {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            test();
            done.send(()).unwrap();
        });
        finished.recv_timeout(std::time::Duration::from_secs(seconds)).expect("the test hung or panicked");
    }

    #[test]
    fn a_panic_in_any_chunk_reaches_the_caller_and_the_pool_stays_usable() {
        for threads in [1, 2, 4] {
            within_seconds(60, move || {
                let pool = pool_of(threads);
                for in_worker in [false, true] {
                    let message = panic_message(|| drop(debug_panic_in_chunk(pool, 8, in_worker)));
                    let message = message.unwrap_or_else(|| panic!("{threads} threads: no panic"));
                    let on = if in_worker && threads > 1 { "a worker" } else { "the calling thread" };
                    assert!(message.starts_with("debug panic in chunk "), "{threads} threads: {message}");
                    assert!(message.ends_with(on), "{threads} threads: {message}");
                    let counts: Vec<AtomicUsize> = (0..40).map(|_| AtomicUsize::new(0)).collect();
                    pool.run(counts.len(), &|c| {
                        counts[c].fetch_add(1, Ordering::Relaxed);
                    });
                    assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1), "{threads} threads");
                }
            });
        }
    }

    #[test]
    fn a_worker_that_dies_fails_the_job_instead_of_hanging_it() {
        // What the WebAssembly panic hook does when a worker traps, simulated: the worker reports
        // its death and then never comes back (here it blocks for good).
        within_seconds(60, || {
            let pool = pool_of(3);
            let died = AtomicBool::new(false);
            let result = pool.try_run(64, &|_| {
                std::thread::sleep(std::time::Duration::from_millis(1));
                if SERVING.get().is_some() && !died.swap(true, Ordering::SeqCst) {
                    Pool::worker_died("boom");
                    loop {
                        std::thread::park();
                    }
                }
            });
            let error = result.expect_err("a dead worker fails the job");
            assert_eq!(error.code, "E_INTERNAL");
            assert!(error.message.starts_with("boom; this sqrtk instance is unusable: recreate"), "{}", error.message);
            assert_eq!(pool.try_run(6, &|_| {}), Err(error.clone()), "a dead pool fails at once");
            assert_eq!(panic_message(|| pool.run(6, &|_| {})), Some(error.message));
        });
    }
}
