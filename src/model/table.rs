//! A table that stores values of one type once and numbers them in first-seen order.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

/// Values of one type each stored once, numbered in first-seen order (so the same input always
/// gives the same numbers). The lookup table holds only 4-byte numbers and hashes the stored
/// value again when it grows.
#[derive(Debug)]
pub(crate) struct Table<T> {
    items: Vec<T>,
    index: HashTable<u32>,
}

// foldhash with fixed seeds: fast on the small keys here, and the same in every run (the core
// draws no OS randomness). Numbers come from insertion order, so no hash order reaches output.
pub(crate) fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5e55_1015).hash_one(v)
}

/// Whether two byte strings are equal: the interner's and the memos' key comparison.
///
/// On wasm32, `==` on slices calls compiler-builtins' `memcmp`, which compares one byte at a time
/// (measured: 5.5% of the core's time in wasm, ingest and analysis, mostly the sign-in memos), so
/// there it is [`eq_by_words`]; elsewhere `==` is the platform's vectorized `memcmp`.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        eq_by_words(a, b)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a == b
    }
}

/// Byte-string equality eight bytes at a time. Hand-written: no crate offers a slice compare that
/// avoids `memcmp`, which is what is slow on wasm32.
#[cfg(any(target_arch = "wasm32", test))]
#[inline]
fn eq_by_words(a: &[u8], b: &[u8]) -> bool {
    fn word(b: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_ne_bytes(w)
    }
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (wa.remainder(), wb.remainder());
    wa.zip(wb).all(|(x, y)| word(x) == word(y)) && word(ra) == word(rb)
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { items: Vec::new(), index: HashTable::new() }
    }
}

impl<T: Hash + Eq> Table<T> {
    /// The number of `v`, adding it when new.
    pub(crate) fn intern(&mut self, v: T) -> u32 {
        let hash = hash_of(&v);
        let items = &self.items;
        if let Some(&i) = self.index.find(hash, |&i| items[i as usize] == v) {
            return i;
        }
        let i = u32::try_from(self.items.len()).expect("fewer than 2^32 distinct values");
        self.items.push(v);
        let items = &self.items;
        self.index.insert_unique(hash, i, |&i| hash_of(&items[i as usize]));
        i
    }

    /// The value numbered `i`.
    pub(crate) fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    /// The values in number order.
    pub(crate) fn into_items(self) -> Vec<T> {
        self.items
    }

    /// Number of distinct values.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Heap bytes of the values (`extra` gives each one's own heap bytes) and the lookup table.
    pub(crate) fn heap_bytes(&self, extra: impl Fn(&T) -> usize) -> usize {
        self.items.capacity() * std::mem::size_of::<T>()
            + self.items.iter().map(extra).sum::<usize>()
            + table_bytes(self.index.capacity(), std::mem::size_of::<u32>())
    }
}

/// Approximate heap bytes of a hashbrown table (std `HashMap`/`HashSet` or [`HashTable`]) with
/// room for `capacity` items of `slot` bytes: a power-of-two number of buckets (7/8 usable once
/// there are 8 or more), one slot and one control byte each, plus a trailing control group.
pub(crate) fn table_bytes(capacity: usize, slot: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity.saturating_mul(8) / 7).next_power_of_two()
    };
    buckets * (slot + 1) + 16
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time comparison (wasm32's) agrees with `==` on every length and on a
        /// difference at any position.
        #[test]
        fn eq_by_words_is_equality(
            a in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            flip in proptest::option::of((0usize..40, 1u8..=255)),
            cut in proptest::option::of(0usize..40),
        ) {
            let mut b = a.clone();
            if let Some((i, x)) = flip && i < b.len() {
                b[i] ^= x;
            }
            if let Some(n) = cut && n < b.len() {
                b.truncate(n);
            }
            proptest::prop_assert_eq!(eq_by_words(&a, &b), a == b);
            proptest::prop_assert!(eq_by_words(&a, &a));
        }
    }
}
