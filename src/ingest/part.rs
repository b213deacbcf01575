//! Reading one large file on several cores: where to cut it ([`cut_points`]), a byte range read
//! on its own ([`Part`], started elsewhere from a [`PartSpec`]), and its result as plain data
//! ([`PartData`]) that [`super::FileIngest::join`] moves into the file's dataset.

use std::borrow::Cow;

use super::{Dataset, FileState, pipeline, records, reserve};
use crate::model::{Event, ProfileItems, Texts};
use crate::report::{Diagnostic, InputSummary};

/// The smallest part of a file worth reading on its own: its start-up and its join cost well under
/// 1% of reading 16 MiB. The CLI and the page split with it alike ([`cut_points`]).
pub const PART_MIN_BYTES: u64 = 16 << 20;

/// How far past its even share a part's start is looked for: the first line start in this window.
pub const CUT_WINDOW: u64 = 64 << 10;

/// Where the parts of a file of `size` bytes start, its first `from` bytes being read already:
/// `jobs` parts of about equal size, none under `part_min`, each starting just after the first
/// newline in the [`CUT_WINDOW`] bytes from its even share on. `read(at, len)` gives up to `len`
/// bytes of the file from `at`. Empty when the file is read in one piece. A cut inside a quoted
/// field that spans lines is harmless: [`FileIngest::join`] refuses such a part and its bytes are
/// read in order instead.
pub fn cut_points<E>(
    from: u64,
    size: u64,
    jobs: usize,
    part_min: u64,
    mut read: impl FnMut(u64, u64) -> Result<Vec<u8>, E>,
) -> Result<Vec<u64>, E> {
    let rest = size.saturating_sub(from);
    let jobs = u64::try_from(jobs).unwrap_or(1).min(rest / part_min.max(1)).max(1);
    let mut cuts: Vec<u64> = Vec::new();
    for k in 1..jobs {
        let at = from + rest / jobs * k;
        let window = read(at, CUT_WINDOW)?;
        if let Some(nl) = memchr::memchr(b'\n', &window) {
            let cut = at + nl as u64 + 1;
            if cut < size && cuts.last().is_none_or(|&last| cut > last) {
                cuts.push(cut);
            }
        }
    }
    Ok(cuts)
}

/// A byte range of a large file read on its own, beside the file's own reader, so that several
/// cores can parse one export: made by [`FileIngest::part`] (or, in another wasm instance, by
/// [`Part::new`] from [`FileIngest::part_spec`]), fed its bytes with [`Part::push`] (on any
/// thread: it is `Send`), ended with [`Part::finish`], and joined back with
/// [`FileIngest::join`].
///
/// A part reads into a dataset of its own, so it shares nothing while it runs. Joining re-numbers
/// its strings and profiles into the file's dataset in the part's first-seen order (which is the
/// order reading its bytes after the ones before would have given), shifts its lines by the
/// lines before it, settles its duplicates against everything read before, in row order, and
/// keeps the per-file cap on diagnostics: the dataset, and so the report, is the same as if the
/// file had been read in one piece (`tests/parts.rs` checks this across split points).
#[derive(Debug)]
pub struct Part {
    ds: Dataset,
    pipe: pipeline::Pipeline,
    start: u64,
    end: u64,
    ends_file: bool,
    consumed: u64,
    sample: Option<Option<(usize, usize, u64)>>,
}

/// Where a [`Part`] reads and how: plain data, so a worker with a wasm instance of its own can
/// start the part ([`Part::new`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartSpec {
    pub(super) index: u64,
    pub(super) name: String,
    pub(super) format: String,
    pub(super) mode: records::CsvMode,
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) ends_file: bool,
}

impl PartSpec {
    /// The part's byte range in the file.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.start..self.end
    }
}

impl Part {
    /// The reader of a part, from [`FileIngest::part_spec`].
    pub fn new(spec: PartSpec) -> Part {
        let index = usize::try_from(spec.index).unwrap_or(usize::MAX);
        let pipe = pipeline::Pipeline::part(index, &spec.name, &spec.format, spec.mode);
        let mut ds = Dataset::new();
        ds.files = vec![InputSummary::default(); index.saturating_add(1).min(1 << 20)];
        ds.state.part = true;
        let PartSpec { start, end, ends_file, .. } = spec;
        Part { ds, pipe, start, end, ends_file, consumed: 0, sample: Some(None) }
    }

    /// Feeds the next bytes of the part's range.
    pub fn push(&mut self, chunk: &[u8]) {
        self.consumed += chunk.len() as u64;
        if !chunk.is_empty() {
            self.pipe.push(&mut self.ds, chunk);
        }
        let size = Some(self.end - self.start);
        reserve(&mut self.ds, self.consumed, size, &mut self.sample);
    }

    /// The part's byte range in the file.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.start..self.end
    }

    /// Rows read so far.
    pub fn rows(&self) -> u64 {
        self.ds.files.last().map_or(0, |f| f.rows)
    }

    /// Ends the part (reading its last row when it ends the file): what joining needs, as plain
    /// data without lookup tables, which [`PartData::to_bytes`] can carry to another wasm
    /// instance.
    pub fn finish(mut self) -> PartData {
        let at_boundary = self.pipe.csv().is_some_and(|c| c.at_boundary());
        if self.ends_file {
            self.pipe.flush(&mut self.ds);
        }
        let newlines = self.pipe.csv().map_or(0, |c| c.newlines());
        let Dataset { strings, events, files, diagnostics, profiles, state, .. } = self.ds;
        let st = self.pipe.into_state();
        PartData {
            start: self.start,
            end: self.end,
            ends_file: self.ends_file,
            fed: self.consumed == self.end - self.start,
            at_boundary,
            auth_rows: !state.auth.is_empty(),
            newlines,
            texts: strings.into_texts(),
            events,
            rows: files.last().map_or(0, |f| f.rows),
            diagnostics,
            profiles: profiles.into_items(),
            kinds: st.kinds,
            skipped: st.skipped.into_iter().map(|(r, n)| (r.into_owned(), n)).collect(),
            hidden: st.hidden,
        }
    }
}

/// A [`Part`] read to its end, as plain data: its events, strings and profiles (without their
/// lookup tables), accounting and diagnostics, and whether it can be joined.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct PartData {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) ends_file: bool,
    /// Every byte of the range was pushed.
    pub(super) fed: bool,
    /// The part's last record ended at its end (before the last row was read, for a part that
    /// ends the file).
    pub(super) at_boundary: bool,
    /// Authentication-details rows were read (the join on request id is not done for parts).
    pub(super) auth_rows: bool,
    pub(super) newlines: u64,
    pub(super) texts: Texts,
    pub(super) events: Vec<Event>,
    pub(super) rows: u64,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) profiles: ProfileItems,
    pub(super) kinds: [bool; 5],
    pub(super) skipped: Vec<(String, u64)>,
    pub(super) hidden: u64,
}

impl PartData {
    /// The part's byte range in the file.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.start..self.end
    }

    /// The part as bytes ([`postcard`]), for a worker to hand to the one that joins it.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        postcard::to_allocvec(self).map_err(|e| format!("cannot write a part: {e}"))
    }

    /// A part from [`PartData::to_bytes`] of the same build.
    pub fn from_bytes(bytes: &[u8]) -> Result<PartData, String> {
        postcard::from_bytes(bytes).map_err(|e| format!("cannot read a part: {e}"))
    }
}

/// Moves a part's rows into the file's dataset (see [`Part`]).
pub(super) fn absorb(ds: &mut Dataset, st: &mut FileState, part: PartData, shift: u64) {
    let PartData { texts, events, rows, diagnostics, profiles, kinds, skipped, hidden, .. } = part;
    let syms = ds.strings.absorb(&texts);
    drop(texts);
    let renumber = ds.profiles.absorb(profiles, syms);
    let line = |l: u64| if l == 0 { 0 } else { l.saturating_add(shift) };
    for e in &events {
        let mut e = renumber.event(e);
        e.source.line = u32::try_from(line(u64::from(e.source.line))).unwrap_or(u32::MAX);
        st.add(ds, e);
    }
    drop(events);
    if let Some(mine) = ds.files.get_mut(st.index as usize) {
        mine.rows += rows;
    }
    for (seen, theirs) in st.kinds.iter_mut().zip(kinds) {
        *seen |= theirs;
    }
    for (reason, n) in skipped {
        *st.skipped.entry(Cow::Owned(reason)).or_default() += n;
    }
    for d in diagnostics {
        st.diag(ds, line(d.line), d.column, d.message);
    }
    st.hidden += hidden;
}
