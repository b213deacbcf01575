//! Fork-join for the analysis: work split over threads when the crate is built with the
//! `threads` feature (the CLI), done in order on the calling thread otherwise (the page's worker
//! has one thread). Results always come back in input order, so the report is the same either
//! way, byte for byte (`tests/parts.rs` and the browser's parity test compare them).
//!
//! The threads are rayon's pool: its work stealing balances users of very different sizes, and
//! the CLI sets its size (`--jobs`).

/// `f` over `items`, in order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "threads")]
    {
        use rayon::prelude::*;
        items.par_iter().with_min_len(MIN_PER_TASK).map(f).collect()
    }
    #[cfg(not(feature = "threads"))]
    {
        items.iter().map(f).collect()
    }
}

/// Sorts `items` (unstable), on several threads where there are any.
pub(crate) fn sort_unstable<T: Ord + Send>(items: &mut [T]) {
    #[cfg(feature = "threads")]
    {
        use rayon::prelude::*;
        items.par_sort_unstable();
    }
    #[cfg(not(feature = "threads"))]
    {
        items.sort_unstable();
    }
}

/// Runs `a` and `b`, on two threads where there are any.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "threads")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "threads"))]
    {
        (a(), b())
    }
}

/// Items per task: a user's work is a few microseconds to milliseconds; smaller tasks would cost
/// more in hand-offs than they balance.
#[cfg(feature = "threads")]
const MIN_PER_TASK: usize = 16;
