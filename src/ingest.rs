//! Ingestion: from the bytes of whatever export an analyst drags in to normalized [`Event`]s.
//!
//! Input arrives in chunks of any size ([`FileIngest::push`]); nothing ever needs a whole file in
//! one buffer, so the web worker can feed `File` slices of a multi-gigabyte export. The format is
//! detected from the content of each file (its name is only a hint). Every row ends up counted in
//! exactly one of `events`, `duplicates` or `skipped` (with a reason) in the file's
//! [`InputSummary`]; row problems become [`Diagnostic`]s with file, line and column. No input can
//! make it panic.

use crate::model::{Event, Interner};
use crate::report::{Diagnostic, InputSummary};

/// Everything loaded so far: the events of every file, their strings, and per-file accounting.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Interned strings of every event.
    pub strings: Interner,
    /// Events of every file, in load order (rules sort what they need).
    pub events: Vec<Event>,
    /// One summary per file, in load order; `SourceRef::file` indexes this.
    pub files: Vec<InputSummary>,
    /// Row-level problems of every file (capped per file).
    pub diagnostics: Vec<Diagnostic>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Dataset {
        Dataset::default()
    }

    /// Starts reading a file. `size` is its length in bytes when known (for progress).
    pub fn begin_file(&mut self, name: &str, size: Option<u64>) -> FileIngest<'_> {
        let index = self.files.len();
        self.files.push(InputSummary {
            name: name.to_owned(),
            format: "unknown".to_owned(),
            ..InputSummary::default()
        });
        FileIngest { dataset: self, index, consumed: 0, size }
    }

    /// Reads a whole file that is already in memory.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) -> &InputSummary {
        let mut ingest = self.begin_file(name, Some(bytes.len() as u64));
        ingest.push(bytes);
        let index = ingest.finish();
        &self.files[index]
    }
}

/// A file being read, chunk by chunk.
#[derive(Debug)]
pub struct FileIngest<'a> {
    dataset: &'a mut Dataset,
    index: usize,
    consumed: u64,
    size: Option<u64>,
}

impl FileIngest<'_> {
    /// Feeds the next chunk of the file. Chunks may split rows, lines and UTF-8 sequences anywhere.
    pub fn push(&mut self, chunk: &[u8]) {
        self.consumed += chunk.len() as u64;
    }

    /// Bytes consumed so far and the file size when known.
    pub fn progress(&self) -> (u64, Option<u64>) {
        (self.consumed, self.size)
    }

    /// Ends the file: flushes the last row and settles the accounting. Returns the file's index.
    pub fn finish(self) -> usize {
        let summary = &mut self.dataset.files[self.index];
        summary.bytes = self.consumed;
        self.index
    }
}
