//! The WebAssembly heap: the allocator std uses there (dlmalloc), with one change at the top of
//! the 4 GiB address space, and a count of the bytes in use.
//!
//! When no free chunk fits a request, dlmalloc grows memory by the whole request, even when
//! the free space at the end of the heap already holds most of it. Near the 4 GiB limit that
//! refuses allocations that would fit: a network of 2·10^8 synapses, freed and loaded again,
//! could not allocate its 763 MiB of gradients with 938 MiB free at the end of the heap. Here,
//! when memory cannot grow by the whole request, it grows by what is left below the limit, and
//! dlmalloc (which extends the last segment by what it got and then checks that the request
//! fits) uses that free end too. Nothing else changes.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::{Cell, UnsafeCell};
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use dlmalloc::{Allocator, Dlmalloc};

const PAGE: usize = 64 * 1024;
/// Pages of a wasm32 memory (4 GiB).
const MAX_PAGES: usize = 65536;

/// Grows the memory as dlmalloc's own wasm `System` does, except at the limit (see above).
struct Pages;

// SAFETY: memory.grow is atomic in WebAssembly; `Pages` has no state.
unsafe impl Allocator for Pages {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let wanted = size.div_ceil(PAGE);
        let mut prev = wasm32::memory_grow(0, wanted);
        let mut pages = wanted;
        if prev == usize::MAX {
            // What is left below the limit, if that is less than asked (otherwise the growth
            // failed for another reason, and asking for more would not help); dlmalloc checks
            // the request against it.
            pages = MAX_PAGES.saturating_sub(wasm32::memory_size(0));
            if pages == 0 || pages >= wanted {
                return (ptr::null_mut(), 0, 0);
            }
            prev = wasm32::memory_grow(0, pages);
            if prev == usize::MAX {
                return (ptr::null_mut(), 0, 0);
            }
        }
        let (base, bytes) = (prev * PAGE, pages * PAGE);
        // The last bytes of the address space stay unused, so that no pointer wraps to 0
        // (as dlmalloc's `System` does).
        let bytes = if base.wrapping_add(bytes) == 0 { bytes - 16 } else { bytes };
        (base as *mut u8, bytes, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

thread_local! {
    /// Whether this thread holds the heap's lock.
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// dlmalloc behind a spin lock (worker threads share the heap), counting the bytes in use.
pub struct Heap {
    locked: AtomicBool,
    dlmalloc: UnsafeCell<Dlmalloc<Pages>>,
    in_use: AtomicUsize,
}

// SAFETY: `dlmalloc` is only reached while `locked` is held.
unsafe impl Sync for Heap {}

impl Heap {
    const fn new() -> Heap {
        Heap {
            locked: AtomicBool::new(false),
            dlmalloc: UnsafeCell::new(Dlmalloc::new_with_allocator(Pages)),
            in_use: AtomicUsize::new(0),
        }
    }

    /// Runs `f` on the allocator with the lock held. A thread that comes back while it holds
    /// the lock can only be the panic hook of a panic inside dlmalloc (dlmalloc itself never
    /// allocates): it traps at once instead of waiting for itself forever.
    fn with<T>(&self, f: impl FnOnce(&mut Dlmalloc<Pages>) -> T) -> T {
        if HOLDING.with(|h| h.replace(true)) {
            wasm32::unreachable();
        }
        while self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference.
        let out = f(unsafe { &mut *self.dlmalloc.get() });
        self.locked.store(false, Ordering::Release);
        HOLDING.with(|h| h.set(false));
        out
    }

    fn counted(&self, p: *mut u8, size: usize) -> *mut u8 {
        if !p.is_null() {
            self.in_use.fetch_add(size, Ordering::Relaxed);
        }
        p
    }
}

// SAFETY: every call goes to dlmalloc with the lock held, with the layouts the caller gave.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = self.with(|d| unsafe { d.malloc(layout.size(), layout.align()) });
        self.counted(p, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.with(|d| unsafe { d.calloc(layout.size(), layout.align()) });
        self.counted(p, layout.size())
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        self.with(|d| unsafe { d.free(p, layout.size(), layout.align()) });
        self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = self.with(|d| unsafe { d.realloc(p, layout.size(), layout.align(), new_size) });
        if !q.is_null() {
            self.in_use.fetch_add(new_size, Ordering::Relaxed);
            self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static HEAP: Heap = Heap::new();

/// Bytes allocated and not yet freed.
pub fn in_use() -> usize {
    HEAP.in_use.load(Ordering::Relaxed)
}
