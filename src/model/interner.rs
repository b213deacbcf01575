//! Strings stored once per dataset and referred to by a 4-byte [`Sym`].

use hashbrown::HashTable;

use super::{hash_of, same_bytes, table_bytes};

/// An interned string. `Sym::EMPTY` stands for "absent".
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Sym(pub(super) u32);

impl Sym {
    /// The empty string, used for absent values.
    pub const EMPTY: Sym = Sym(0);

    /// True for the empty string.
    pub fn is_empty(self) -> bool {
        self == Sym::EMPTY
    }

    /// The index into the interner's table.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// Stores each distinct string once; hands out [`Sym`]s in first-seen order, so the same input
/// always gives the same symbols.
///
/// The text lives in large chunks rather than one allocation per string: request and correlation
/// ids are unique per row, and a separate allocation for each would cost an allocator header and
/// rounding per id and a malloc/free pair per row. Chunks are never reallocated (a string that
/// does not fit starts a new chunk), so memory never briefly doubles as it would growing one
/// buffer. Hand-written because the arena crates either hand out `&str` tied to a borrow (no
/// 4-byte handles) or intern with a global table; this is a few lines over `hashbrown`.
#[derive(Debug)]
pub struct Interner {
    chunks: Vec<String>,
    /// Per symbol: chunk number, start and length in that chunk.
    spans: Vec<Span>,
    // Numbers into `spans`, hashed by the string they name: the text is stored once (a map keyed
    // by the string would hold a second copy of every id of every row).
    index: HashTable<u32>,
}

#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Largest capacity of a text chunk (a longer string gets a chunk of its own size).
const CHUNK: usize = 1 << 20;

impl Default for Interner {
    fn default() -> Self {
        let mut interner =
            Interner { chunks: Vec::new(), spans: Vec::new(), index: HashTable::new() };
        interner.intern("");
        interner
    }
}

fn text_of(chunks: &[String], span: Span) -> &str {
    let start = span.start as usize;
    chunks
        .get(span.chunk as usize)
        .and_then(|c| c.get(start..start + span.len as usize))
        .unwrap_or_default()
}

impl Interner {
    /// Returns the symbol of `s`, adding it when new. Surrounding whitespace is kept: callers trim.
    pub fn intern(&mut self, s: &str) -> Sym {
        let hash = hash_of(s);
        let Interner { chunks, spans, index } = self;
        // One probe for both the lookup and the insertion (a new id per row makes most calls of
        // some columns misses).
        let slot = index.entry(
            hash,
            |&i| same_bytes(text_of(chunks, spans[i as usize]).as_bytes(), s.as_bytes()),
            |&i| hash_of(text_of(chunks, spans[i as usize])),
        );
        let slot = match slot {
            hashbrown::hash_table::Entry::Occupied(o) => return Sym(*o.get()),
            hashbrown::hash_table::Entry::Vacant(v) => v,
        };
        let i = u32::try_from(spans.len()).expect("fewer than 2^32 distinct strings");
        let len = u32::try_from(s.len()).expect("strings shorter than 4 GiB");
        let fits = chunks.last().is_some_and(|c| c.capacity() - c.len() >= s.len());
        if !fits {
            // Chunks double from 4 KiB up to 1 MiB, so a small file does not reserve a megabyte.
            let next = chunks.last().map_or(4096, |c| (c.capacity() * 2).min(CHUNK));
            chunks.push(String::with_capacity(next.max(s.len())));
        }
        let chunk = chunks.len() - 1;
        let text = &mut chunks[chunk];
        let start = text.len();
        text.push_str(s);
        spans.push(Span {
            chunk: u32::try_from(chunk).expect("fewer than 2^32 chunks"),
            start: u32::try_from(start).expect("chunks shorter than 4 GiB"),
            len,
        });
        slot.insert(i);
        Sym(i)
    }

    /// Makes room for `additional` more strings, so the table does not grow (and re-read every
    /// stored string to rehash it) step by step while a large file is read.
    pub fn reserve(&mut self, additional: usize) {
        let Interner { chunks, spans, index } = self;
        spans.reserve(additional);
        index.reserve(additional, |&i| hash_of(text_of(chunks, spans[i as usize])));
    }

    /// Returns the symbol of `s` if it was interned before.
    pub fn get(&self, s: &str) -> Option<Sym> {
        let (chunks, spans) = (&self.chunks, &self.spans);
        self.index
            .find(hash_of(s), |&i| {
                same_bytes(text_of(chunks, spans[i as usize]).as_bytes(), s.as_bytes())
            })
            .map(|&i| Sym(i))
    }

    /// The string behind a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.spans.get(sym.0 as usize).map(|&sp| text_of(&self.chunks, sp)).unwrap_or_default()
    }

    /// Number of distinct strings, the empty one included.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when only the empty string is stored.
    pub fn is_empty(&self) -> bool {
        self.spans.len() <= 1
    }

    /// Interns every string of `other` in its order and returns, per symbol of `other`, the
    /// symbol in `self` (joining a part of a file read on its own, see
    /// [`crate::ingest::Part`]). Strings new to `self` are numbered in `other`'s first-seen
    /// order, which is the order reading the part's bytes after `self`'s would have given.
    pub(crate) fn absorb(&mut self, other: &Texts) -> Vec<Sym> {
        other.spans.iter().map(|&span| self.intern(text_of(&other.chunks, span))).collect()
    }

    /// The strings as plain data, without the lookup table (a part's strings, to be absorbed).
    pub(crate) fn into_texts(self) -> Texts {
        Texts { chunks: self.chunks, spans: self.spans }
    }

    /// Approximate heap bytes used by the unique strings and the lookup table.
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.chunks.iter().map(String::capacity).sum();
        // The text chunks, a 12-byte span per string, and a 4-byte number per table slot.
        text + self.spans.capacity() * std::mem::size_of::<Span>()
            + table_bytes(self.index.capacity(), 4)
    }
}

/// An interner's strings in symbol order, without its lookup table: what [`Interner::absorb`]
/// reads (a part of a file read on its own, perhaps by another wasm instance).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Texts {
    chunks: Vec<String>,
    spans: Vec<Span>,
}
