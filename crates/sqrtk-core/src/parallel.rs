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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

/// A job: run `f(chunk)` for every chunk index below `chunks`.
#[derive(Clone, Copy)]
struct Job {
    /// The caller's closure; valid until every worker has reported back (see [`Pool::run`]).
    f: *const (dyn Fn(usize) + Sync),
    chunks: usize,
}

// SAFETY: the closure is `Sync`, and `Pool::run` keeps it alive until all workers are done.
unsafe impl Send for Job {}

struct State {
    job: Option<Job>,
    generation: u64,
    /// Workers that have joined (jobs wait until all expected workers are serving).
    joined: usize,
    /// Workers still busy with the current job.
    busy: usize,
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

impl Pool {
    /// A pool for `threads` threads in all: the caller plus `threads − 1` workers that must join
    /// through [`Pool::serve`] before the first job runs.
    pub fn new(threads: usize) -> Pool {
        Pool {
            workers: threads.max(1) - 1,
            runner: Mutex::new(()),
            state: Mutex::new(State { job: None, generation: 0, joined: 0, busy: 0 }),
            wake: Condvar::new(),
            changed: Condvar::new(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn threads(&self) -> usize {
        self.workers + 1
    }

    /// Runs `f(c)` for every `c` in `0..chunks`, on all threads of the pool, and returns when all
    /// are done. Must not be called from inside a job.
    pub fn run(&self, chunks: usize, f: &(dyn Fn(usize) + Sync)) {
        if self.workers == 0 || chunks <= 1 {
            (0..chunks).for_each(f);
            return;
        }
        let _turn = self.runner.lock().unwrap_or_else(|e| e.into_inner());
        let mut state = self.lock();
        while state.joined < self.workers {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        // SAFETY (lifetime erasure): we do not return before `busy` is back to 0, i.e. before
        // every worker has stopped using `f`.
        let f_static: *const (dyn Fn(usize) + Sync) = unsafe { core::mem::transmute(f) };
        self.next.store(0, Ordering::SeqCst);
        state.job = Some(Job { f: f_static, chunks });
        state.busy = self.workers;
        state.generation += 1;
        drop(state);
        self.wake.notify_all();
        self.work(f, chunks);
        let mut state = self.lock();
        while state.busy > 0 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.job = None;
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
            // SAFETY: the job stays valid until we decrement `busy` below.
            self.work(unsafe { &*job.f }, job.chunks);
            let mut state = self.lock();
            state.busy -= 1;
            drop(state);
            self.changed.notify_all();
        }
    }

    fn work(&self, f: &(dyn Fn(usize) + Sync), chunks: usize) {
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                break;
            }
            f(c);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
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
}
