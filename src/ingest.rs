//! Ingestion: from the bytes of whatever export an analyst drags in to normalized [`Event`]s.
//!
//! Input arrives in chunks of any size ([`FileIngest::push`]); nothing ever needs a whole file in
//! one buffer (except a `.zip`, whose directory is at its end), so the web worker can feed `File`
//! slices of a multi-gigabyte export. The format is detected from the content of each file (its
//! name is only a hint for the portal's sign-in kind). Every row ends up counted in exactly one of
//! `events`, `duplicates` or `skipped` (with a reason) in the file's [`InputSummary`]; row problems
//! become [`Diagnostic`]s with file, line and column. No input can make it panic.
//!
//! Layers, each its own module: containers and encodings ([`pipeline`]: gzip, zip, BOM, UTF-16),
//! record framing ([`csv_stream`], [`json_stream`]), record recognition ([`records`]), and the
//! field mapping ([`columns`], [`signin`], [`auditdata`], [`directory_audit`], [`values`]). The
//! store they fill is the [`Dataset`] (`dataset.rs`); a large file can be read in [`Part`]s on
//! several cores (`part.rs`); [`raw`] reads a cited row again. This file holds reading one file
//! ([`FileIngest`]) and its accounting: every row counted as an event, a duplicate or skipped.
//!
//! Duplicates (same request id and same content, as the portal and Log Analytics produce) are
//! dropped across all files; of two copies the one whose (file name, line) sorts first is kept,
//! so the result does not depend on the order the files were loaded in. A sign-in read from the
//! Unified Audit Log is the same sign-in as the Entra sign-in with its request id and user (its
//! `Id` is the Entra request id): the Entra copy, which has more fields, is kept whatever the
//! order (docs/formats-ual-sign-ins.md).

mod auditdata;
mod columns;
mod csv_stream;
mod dataset;
mod directory_audit;
mod json_stream;
mod part;
mod pipeline;
pub mod raw;
mod records;
mod signin;
mod ual_signins;
mod values;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{Event, EventFields, EventKind};
use crate::report::{Diagnostic, InputSummary, ReasonCount};

pub use dataset::Dataset;
use dataset::{DedupeSlot, State};
use part::absorb;
pub use part::{CUT_WINDOW, PART_MIN_BYTES, Part, PartData, PartSpec, cut_points};
pub use values::{parse_ip, parse_time, uti_to_request_id};

/// Diagnostics kept per file; the rest are counted in one closing diagnostic.
pub const MAX_DIAGNOSTICS_PER_FILE: u32 = 100;

/// A file being read, chunk by chunk.
#[derive(Debug)]
pub struct FileIngest<'a> {
    dataset: &'a mut Dataset,
    index: usize,
    consumed: u64,
    size: Option<u64>,
    pipe: pipeline::Pipeline,
    /// Strings, events and bytes consumed when the sample of the file's rate began (see
    /// [`FileIngest::reserve`]); `None` once the room for the rest of the file was reserved.
    sample: Option<Option<(usize, usize, u64)>>,
}

/// Bytes of a file read before the rate of its strings and events is sampled, and the size of
/// the sample. The sample starts after the first megabytes, whose rows bring in most of the
/// users, devices and sessions for the first time and so overstate the rate of new strings.
const RESERVE_AFTER: u64 = 2 << 20;
const RESERVE_SAMPLE: u64 = 2 << 20;

impl FileIngest<'_> {
    /// Feeds the next chunk of the file. Chunks may split rows, lines and UTF-8 sequences anywhere.
    pub fn push(&mut self, chunk: &[u8]) {
        self.consumed += chunk.len() as u64;
        if !chunk.is_empty() {
            self.pipe.push(self.dataset, chunk);
        }
        self.reserve();
    }

    /// Once a few megabytes of a file of known size are read, reserves room for the strings and
    /// events of the rest (see [`reserve`]).
    fn reserve(&mut self) {
        reserve(self.dataset, self.consumed, self.size, &mut self.sample);
    }

    /// Bytes consumed so far and the file size when known.
    pub fn progress(&self) -> (u64, Option<u64>) {
        (self.consumed, self.size)
    }

    /// Data rows of this file read so far (for progress displays).
    pub fn rows(&self) -> u64 {
        self.dataset.files.get(self.index).map_or(0, |s| s.rows)
    }

    /// The format detected so far (`unknown` until the first bytes decide it).
    pub fn format(&self) -> &str {
        self.pipe.format()
    }

    /// A reader for bytes `start..end` of this file, to run beside this one (another thread or
    /// worker) and be [joined](FileIngest::join) back. `start` must be at or past what was
    /// pushed so far and should be the start of a line (just after a `\n`); `end` is where the
    /// part stops (the file's size for the last part). `None` when this file cannot be read in
    /// parts: anything but plain UTF-8 CSV whose header was read and whose rows stand alone
    /// (see [`Part`]).
    pub fn part(&self, start: u64, end: u64) -> Option<Part> {
        self.part_spec(start, end).map(Part::new)
    }

    /// What [`Part::new`] needs to start the reader of bytes `start..end` somewhere else (a
    /// worker with its own wasm instance): see [`FileIngest::part`].
    pub fn part_spec(&self, start: u64, end: u64) -> Option<PartSpec> {
        if start < self.consumed || end <= start || self.size.is_some_and(|size| end > size) {
            return None;
        }
        let mode = self.pipe.part_mode()?;
        let name = self.dataset.files.get(self.index).map_or("", |f| f.name.as_str());
        Some(PartSpec {
            index: self.index as u64,
            name: name.to_owned(),
            format: self.pipe.format().to_owned(),
            mode,
            start,
            end,
            ends_file: self.size == Some(end),
        })
    }

    /// Joins a part that was fed every byte of its range ([`Part::finish`]): its events,
    /// duplicates, skipped rows and diagnostics become this file's as if this reader had read
    /// those bytes itself. Refused, with the part's range, unless this reader stopped exactly at
    /// the part's start at the end of a record, and the part (unless it ends the file) ended at
    /// the end of a record: the caller then pushes the part's bytes into this reader instead (a
    /// quoted field spanning the split, say). Either way the result is the same as reading the
    /// file in one piece.
    pub fn join(&mut self, part: PartData) -> Result<(), std::ops::Range<u64>> {
        let here = part.start == self.consumed && self.pipe.csv().is_some_and(|c| c.at_boundary());
        let ends = self.size == Some(part.end);
        // Authentication-details rows are joined on request id, which a part does not do.
        if !part.fed
            || !here
            || !(ends || part.at_boundary)
            || part.ends_file != ends
            || part.auth_rows
        {
            return Err(part.start..part.end);
        }
        let shift = self.pipe.csv().map_or(0, |c| c.newlines());
        let (newlines, bytes) = (part.newlines, part.end - part.start);
        absorb(self.dataset, self.pipe.state(), part, shift);
        if let Some(csv) = self.pipe.csv() {
            csv.skip_newlines(newlines);
        }
        self.pipe.skip_bytes(bytes);
        self.consumed += bytes;
        Ok(())
    }

    /// Ends the file: flushes the last row and settles the accounting. Returns the file's index.
    pub fn finish(self) -> usize {
        let FileIngest { dataset, index, consumed, pipe, .. } = self;
        pipe.finish(dataset, consumed);
        index
    }
}

/// Once a few megabytes of a file (or part) of known size are read, reserves room for the
/// strings and events of the rest at the rate seen in a sample (the 2 MiB after the first 2 MiB),
/// so the interner's table and the event vector do not grow by doubling (a rehash re-reads every
/// stored string; a vector doubling copies every event). Only capacity changes: never the output.
pub(crate) fn reserve(
    ds: &mut Dataset,
    consumed: u64,
    size: Option<u64>,
    sample: &mut Option<Option<(usize, usize, u64)>>,
) {
    let (Some(size), Some(taken)) = (size, *sample) else { return };
    let Some((strings, events, from)) = taken else {
        if consumed >= RESERVE_AFTER {
            *sample = Some(Some((ds.strings.len(), ds.events.len(), consumed)));
        }
        return;
    };
    let read = consumed - from;
    if read < RESERVE_SAMPLE || consumed >= size {
        return;
    }
    *sample = None;
    let rest = |added: usize| {
        let n = added as u128 * u128::from(size - consumed) / u128::from(read);
        usize::try_from(n).unwrap_or(usize::MAX).min(1 << 26)
    };
    ds.strings.reserve(rest(ds.strings.len().saturating_sub(strings)));
    ds.events.reserve(rest(ds.events.len().saturating_sub(events)));
}

/// Why a row is a duplicate: a copy of the same content.
const DUPLICATE_COPY: &str = "same request id and content";
/// Why a Unified Audit Log sign-in is a duplicate. One reason whether the copy kept is the Entra
/// one or another audit-log export's: the reason depends on the dropped row alone, so it does not
/// depend on the order the files were loaded in (which copy a row was first settled against
/// does).
const DUPLICATE_UAL_SIGN_IN: &str = "Unified Audit Log sign-in also loaded from the Entra sign-in \
                                     log (kept) or another audit-log export (same request id and \
                                     user)";

/// Why `dropped` is a duplicate.
fn duplicate_reason(dropped: &Event) -> &'static str {
    if dropped.is_ual_sign_in() { DUPLICATE_UAL_SIGN_IN } else { DUPLICATE_COPY }
}

/// True when `a` and `b` are one sign-in read from two logs: user sign-ins with the same
/// request id and user, at least one of them from the Unified Audit Log (whose `Id` is the Entra
/// request id: docs/formats-ual-sign-ins.md). Two Entra sign-ins that differ are both kept, as
/// the portal and Log Analytics publish several versions of one request.
fn same_sign_in(a: &Event, b: &Event) -> bool {
    a.kind.is_user_sign_in()
        && b.kind.is_user_sign_in()
        && (a.is_ual_sign_in() || b.is_ual_sign_in())
        && a.request_id == b.request_id
        && a.user == b.user
}

/// Which of two copies of one sign-in is kept: the Entra one (it has ASN, location, risk and
/// more), then the one whose (file name, line) sorts first.
fn keep_rank(e: &Event) -> u8 {
    u8::from(e.is_ual_sign_in())
}

/// Counts one duplicate row of file `file` for `reason`.
fn count_duplicate(files: &mut [InputSummary], file: usize, reason: &str) {
    let Some(f) = files.get_mut(file) else { return };
    f.duplicates += 1;
    let reasons = &mut f.duplicate_reasons;
    match reasons.binary_search_by(|r| r.reason.as_str().cmp(reason)) {
        Ok(i) => reasons[i].count += 1,
        Err(i) => reasons.insert(i, ReasonCount { reason: reason.to_owned(), count: 1 }),
    }
}

/// Per-file accounting while a file is read.
#[derive(Debug)]
pub(crate) struct FileState {
    pub(crate) index: u32,
    pub(crate) name: String,
    pub(crate) format: String,
    kinds: [bool; EventKind::ALL.len()],
    /// Skipped rows per reason (borrowed while read, owned when a part's were joined).
    skipped: BTreeMap<Cow<'static, str>, u64>,
    diags: u32,
    hidden: u64,
    /// Index of the first event this file added.
    first_event: usize,
    auth_rows: bool,
}

impl FileState {
    pub(crate) fn new(index: usize, name: &str, first_event: usize) -> FileState {
        FileState {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            name: name.to_owned(),
            format: "unknown".to_owned(),
            kinds: [false; EventKind::ALL.len()],
            skipped: BTreeMap::new(),
            diags: 0,
            hidden: 0,
            first_event,
            auth_rows: false,
        }
    }

    fn summary<'d>(&self, ds: &'d mut Dataset) -> Option<&'d mut InputSummary> {
        ds.files.get_mut(self.index as usize)
    }

    /// Counts one data row read.
    pub(crate) fn row(&self, ds: &mut Dataset) {
        if let Some(s) = self.summary(ds) {
            s.rows += 1;
        }
    }

    /// Sets the format unless one is already known.
    pub(crate) fn set_format(&mut self, format: &str) {
        if self.format == "unknown" {
            self.format = format.to_owned();
        }
    }

    /// Records a problem (capped per file).
    pub(crate) fn diag(&mut self, ds: &mut Dataset, line: u64, column: u64, message: String) {
        if self.diags < MAX_DIAGNOSTICS_PER_FILE {
            self.diags += 1;
            ds.diagnostics.push(Diagnostic { file: self.name.clone(), line, column, message });
        } else {
            self.hidden += 1;
        }
    }

    /// Counts a row as skipped for `reason`, with a diagnostic when `message` is given.
    pub(crate) fn skip(
        &mut self,
        ds: &mut Dataset,
        reason: &'static str,
        line: u64,
        column: u64,
        message: Option<String>,
    ) {
        *self.skipped.entry(Cow::Borrowed(reason)).or_default() += 1;
        if let Some(m) = message {
            self.diag(ds, line, column, m);
        }
    }

    /// Adds an event, or counts it as a duplicate.
    pub(crate) fn emit(&mut self, ds: &mut Dataset, fields: EventFields) {
        self.kinds[fields.kind.index()] = true;
        let ev = ds.profiles.pack(fields);
        self.add(ds, ev);
    }

    /// Adds a packed event, or counts it as a duplicate.
    fn add(&mut self, ds: &mut Dataset, ev: Event) {
        let me = self.index as usize;
        if !ev.request_id.is_empty() && !ds.state.part {
            let key = DedupeSlot::key(&ev);
            let hash = DedupeSlot::spread(key);
            let events = &ds.events;
            // The key leaves most fields out: events it does not tell apart are compared whole, so
            // the index holds one slot per distinct content.
            let content = ev.content();
            let same = |s: &DedupeSlot, f: &dyn Fn(&Event) -> bool| {
                s.hash == key && events.get(s.event as usize).is_some_and(f)
            };
            let found = ds.state.dedupe.find(hash, |s| same(s, &|o| o.content() == content));
            // For a user sign-in, the same sign-in from another log: of those, at most one is
            // kept per request id and user while no Entra copy is (a kept Entra copy replaces
            // it, below), so the first found is the one to settle against.
            let found = found.or_else(|| {
                let dedupe = &ds.state.dedupe;
                ev.kind
                    .is_user_sign_in()
                    .then(|| dedupe.find(hash, |s| same(s, &|o| same_sign_in(o, &ev))))
                    .flatten()
            });
            if let Some(slot) = found {
                let i = slot.event as usize;
                if let Some(old) = ds.events.get(i) {
                    let of = old.source.file as usize;
                    let old_key = (
                        keep_rank(old),
                        ds.files.get(of).map(|f| f.name.as_str()),
                        old.source.line,
                    );
                    let new_key = (keep_rank(&ev), Some(self.name.as_str()), ev.source.line);
                    if new_key < old_key {
                        // The new copy sorts first: it becomes the kept one. Its key is the old
                        // one's (same request id and user, or same content), so the slot stays.
                        if let Some(f) = ds.files.get_mut(of) {
                            f.events -= 1;
                        }
                        count_duplicate(&mut ds.files, of, duplicate_reason(old));
                        ds.events[i] = ev;
                        if let Some(f) = ds.files.get_mut(me) {
                            f.events += 1;
                        }
                    } else {
                        count_duplicate(&mut ds.files, me, duplicate_reason(&ev));
                    }
                    return;
                }
            } else if let Ok(i) = u32::try_from(ds.events.len()) {
                ds.state.dedupe.insert_unique(
                    hash,
                    DedupeSlot { hash: key, event: i },
                    DedupeSlot::hash,
                );
            }
        }
        ds.events.push(ev);
        if let Some(f) = ds.files.get_mut(me) {
            f.events += 1;
        }
    }

    /// Stores one authentication-details row for the join on request id.
    pub(crate) fn auth_detail(&mut self, ds: &mut Dataset, request: &str, detail: &str, line: u64) {
        self.auth_rows = true;
        let State { strs, auth, .. } = &mut ds.state;
        let req = strs.id_lower(&mut ds.strings, request);
        let det = strs.raw(&mut ds.strings, detail);
        if req.is_empty() || det.is_empty() {
            return;
        }
        let mine = (self.name.as_str(), line);
        match auth.get(&req) {
            Some(&(_, f, l))
                if (ds.files.get(f as usize).map(|x| x.name.as_str()).unwrap_or(""), l) <= mine => {
            }
            _ => {
                auth.insert(req, (det, self.index, line));
            }
        }
    }

    /// Settles the file's accounting.
    pub(crate) fn finish(mut self, ds: &mut Dataset, bytes: u64) {
        // Return the vector's spare room: a multi-gigabyte export may end just past a doubling.
        ds.events.shrink_to_fit();
        // Join authentication details into sign-ins that carry no MFA detail of their own: all
        // events when this file brought details, else only this file's events.
        if !ds.state.auth.is_empty() {
            let from = if self.auth_rows { 0 } else { self.first_event.min(ds.events.len()) };
            let auth = &ds.state.auth;
            let profiles = &mut ds.profiles;
            for e in &mut ds.events[from..] {
                if e.kind.is_user_sign_in()
                    && profiles.auth(e).mfa_detail.is_empty()
                    && let Some(&(d, _, _)) = auth.get(&e.request_id)
                {
                    profiles.set_mfa_detail(e, d);
                }
            }
        }
        if self.hidden > 0 {
            let n = self.hidden;
            self.diags = 0;
            self.hidden = 0;
            self.diag(
                ds,
                0,
                0,
                format!("{n} more problems not shown (first {MAX_DIAGNOSTICS_PER_FILE} listed)"),
            );
        }
        let kinds: Vec<&str> = EventKind::ALL
            .iter()
            .zip(self.kinds)
            .filter(|(_, seen)| *seen)
            .map(|(k, _)| k.as_str())
            .collect();
        let Some(s) = ds.files.get_mut(self.index as usize) else { return };
        s.format = self.format.clone();
        s.log_kind = match kinds.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            _ => "mixed".to_owned(),
        };
        s.bytes = bytes;
        s.skipped = self.skipped.values().sum();
        s.skipped_reasons = self
            .skipped
            .iter()
            .map(|(r, c)| ReasonCount { reason: r.to_string(), count: *c })
            .collect();
    }
}
