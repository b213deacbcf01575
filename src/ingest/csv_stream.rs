//! Push-based CSV records on top of `csv-core`: quotes, doubled quotes, CRLF and multi-line fields
//! may be split across chunks anywhere. Buffers are reused, so reading a row allocates nothing.

use csv_core::{ReadRecordResult, Reader};

/// The fields of one record, borrowed from the reader's buffers.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    out: &'a [u8],
    ends: &'a [usize],
    /// Where each field starts in `out`, when the fields are not back to back (the fast path's
    /// fields lie between the quotes of the input line); else each starts where the last ended.
    starts: Option<&'a [usize]>,
    /// The record's bytes as text, when they are all UTF-8 (checked once per record).
    text: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The raw bytes of field `i` (empty when out of range).
    pub(crate) fn bytes(&self, i: usize) -> &'a [u8] {
        self.span(i).and_then(|(start, end)| self.out.get(start..end)).unwrap_or(&[])
    }

    fn span(&self, i: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(i)?;
        let start = match self.starts {
            Some(starts) => *starts.get(i)?,
            None if i == 0 => 0,
            None => self.ends.get(i - 1).copied().unwrap_or(0),
        };
        Some((start, end))
    }

    fn new(out: &'a [u8], ends: &'a [usize]) -> Fields<'a> {
        let end = ends.last().copied().unwrap_or(0);
        let text = out.get(..end).and_then(|b| std::str::from_utf8(b).ok());
        Fields { out, ends, starts: None, text }
    }

    /// The 0-based number of the first field holding bytes that are not UTF-8, if any: one check
    /// per record, so the reader can say which rows had bytes replaced by [`Fields::str`].
    pub(crate) fn invalid_utf8_field(&self) -> Option<usize> {
        if self.text.is_some() {
            return None;
        }
        let end = self.ends.last().copied().unwrap_or(0);
        let err = std::str::from_utf8(self.out.get(..end)?).err()?;
        let at = err.valid_up_to();
        Some(self.ends.partition_point(|&e| e <= at))
    }

    /// Field `i` as text; invalid UTF-8 is replaced rather than rejected (and reported by the
    /// reader, see [`Fields::invalid_utf8_field`]).
    pub(crate) fn str(&self, i: usize) -> std::borrow::Cow<'a, str> {
        // A record that is all UTF-8 was checked once in `new`: slice it (a field boundary inside
        // a character cannot slice, and takes the lossy path like invalid bytes).
        if let Some(text) = self.text
            && let Some((start, end)) = self.span(i)
            && let Some(field) = text.get(start..end)
        {
            return std::borrow::Cow::Borrowed(field);
        }
        String::from_utf8_lossy(self.bytes(i))
    }
}

/// Receives each record with the line it starts on, or `Err(line)` for an oversized record.
pub(crate) type OnRecord<'c> = dyn FnMut(Result<(&Fields<'_>, u64), u64>) + 'c;

/// A streaming CSV reader.
#[derive(Debug)]
pub(crate) struct CsvStream {
    rdr: Reader,
    out: Vec<u8>,
    nout: usize,
    ends: Vec<usize>,
    nend: usize,
    /// Field starts of the fast path (see [`Fields::starts`]).
    starts: Vec<usize>,
    /// Newlines consumed before the current position.
    newlines: u64,
    /// Line where the record being read started, once its first byte was seen.
    start_line: Option<u64>,
    /// The record being read outgrew the limit; its bytes are dropped.
    oversized: bool,
    /// `rdr` is between records (nothing read yet, or its last result was a record), so a
    /// record can be read without it (see [`CsvStream::quoted_records`]).
    between: bool,
}

impl Default for CsvStream {
    fn default() -> Self {
        CsvStream {
            rdr: Reader::new(),
            out: vec![0; 4096],
            nout: 0,
            ends: vec![0; 64],
            nend: 0,
            starts: vec![0; 64],
            newlines: 0,
            start_line: None,
            oversized: false,
            between: true,
        }
    }
}

/// Largest record accepted, so a file without a closing quote cannot grow memory without bound.
const MAX_RECORD: usize = 64 << 20;

impl CsvStream {
    /// Feeds `input` (empty at end of file) and calls `on_record` per record with the record and
    /// the 1-based line of its start. A record longer than 64 MB is dropped and reported as
    /// `Err(line)`.
    pub(crate) fn push(&mut self, mut input: &[u8], on_record: &mut OnRecord<'_>) {
        let eof = input.is_empty();
        loop {
            if self.between {
                let n = self.quoted_records(input, on_record);
                input = &input[n..];
            }
            if self.start_line.is_none() {
                // Blank lines before a record belong to no record.
                let skip = input.iter().take_while(|&&c| c == b'\n' || c == b'\r').count();
                if skip < input.len() {
                    let nl = memchr::memchr_iter(b'\n', &input[..skip]).count() as u64;
                    self.start_line = Some(self.newlines + nl + 1);
                }
            }
            self.between = false;
            let (res, nin, nout, nend) = self.rdr.read_record(
                input,
                &mut self.out[self.nout..],
                &mut self.ends[self.nend..],
            );
            self.newlines += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            input = &input[nin..];
            // csv-core (DFA reader) reports field ends relative to the start of the record, not
            // to the output slice of this call, so they need no adjustment.
            self.nout += nout;
            self.nend += nend;
            match res {
                ReadRecordResult::InputEmpty => {
                    if !eof {
                        return;
                    }
                }
                ReadRecordResult::OutputFull => {
                    if self.out.len() >= MAX_RECORD {
                        // Keep parsing (quotes still matter) but stop keeping the bytes.
                        self.oversized = true;
                        self.nout = 0;
                        self.nend = 0;
                    } else {
                        let n = self.out.len() * 2;
                        self.out.resize(n, 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_RECORD / 8 {
                        self.oversized = true;
                        self.nout = 0;
                        self.nend = 0;
                    } else {
                        let n = self.ends.len() * 2;
                        self.ends.resize(n, 0);
                    }
                }
                ReadRecordResult::Record => {
                    self.between = true;
                    let line = self.start_line.take().unwrap_or(self.newlines.max(1));
                    if std::mem::take(&mut self.oversized) {
                        on_record(Err(line));
                    } else {
                        let fields = Fields::new(&self.out[..self.nout], &self.ends[..self.nend]);
                        on_record(Ok((&fields, line)));
                    }
                    self.nout = 0;
                    self.nend = 0;
                }
                ReadRecordResult::End => return,
            }
        }
    }

    /// True when the input so far ended exactly at the end of a record (or of blank lines):
    /// no byte of a next record was read. Then the bytes that follow can be read by a fresh
    /// stream as well as by this one (see [`crate::ingest::Part`]). Any byte of a record sets
    /// `start_line` before csv-core reads it, and the fast path consumes whole records only.
    pub(crate) fn at_boundary(&self) -> bool {
        self.start_line.is_none() && self.nout == 0 && self.nend == 0 && !self.oversized
    }

    /// Newlines consumed so far.
    pub(crate) fn newlines(&self) -> u64 {
        self.newlines
    }

    /// Counts `n` newlines read by another stream (a joined part of the file).
    pub(crate) fn skip_newlines(&mut self, n: u64) {
        self.newlines += n;
    }

    /// Reads the records at the start of `input` whose every field is quoted and holds no quote
    /// and whose line ends within `input` (every row of the portal's export), calls `on_record`
    /// for each, and returns the bytes consumed; stops at the first record of any other form,
    /// which `rdr` then reads. Hand-written because csv-core steps its state machine byte by
    /// byte (a sixth of the time of a large portal CSV); this finds each quote and line end with
    /// `memchr` instead, and lends the fields out of the line instead of copying them. It gives
    /// exactly what `rdr` gives for those records: the field texts between the quotes and a
    /// record end at `\n` or `\r\n` (a line that is not UTF-8 goes to `rdr`). `rdr` is between
    /// records before and after, and nothing it keeps depends on the records skipped here (its
    /// state after a record ending in `\r` only discards a following `\n`, as its start state
    /// does).
    fn quoted_records(&mut self, input: &[u8], on_record: &mut OnRecord<'_>) -> usize {
        let mut done = 0;
        loop {
            let rest = &input[done..];
            // Blank lines before a record belong to no record (csv-core discards them too).
            let skip = rest.iter().take_while(|&&c| c == b'\n' || c == b'\r').count();
            let Some(nl) = memchr::memchr(b'\n', &rest[skip..]) else { return done };
            let line = &rest[skip..skip + nl];
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            if body.first() != Some(&b'"') || body.len() > MAX_RECORD {
                return done;
            }
            // Not UTF-8: csv-core reads it, so that the check of the record's field texts (not of
            // its line) stays the one that decides the row's diagnostic.
            let Ok(text) = std::str::from_utf8(body) else { return done };
            let (mut n, mut open) = (0, 0);
            loop {
                // `body[open]` is an opening quote.
                let Some(q) = memchr::memchr(b'"', &body[open + 1..]) else { return done };
                let close = open + 1 + q;
                if n == self.ends.len() {
                    self.ends.resize(n * 2 + 1, 0);
                }
                if n == self.starts.len() {
                    self.starts.resize(n * 2 + 1, 0);
                }
                self.starts[n] = open + 1;
                self.ends[n] = close;
                n += 1;
                let after = close + 1;
                if after == body.len() {
                    break;
                }
                if body[after] != b',' || body.get(after + 1) != Some(&b'"') {
                    return done;
                }
                open = after + 1;
            }
            let blank = memchr::memchr_iter(b'\n', &rest[..skip]).count() as u64;
            let line_no = self.newlines + blank + 1;
            self.newlines += blank + 1;
            done += skip + nl + 1;
            let fields = Fields {
                out: body,
                ends: &self.ends[..n],
                starts: Some(&self.starts[..n]),
                text: Some(text),
            };
            on_record(Ok((&fields, line_no)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(chunks: &[&[u8]]) -> Vec<(u64, Vec<String>)> {
        let mut s = CsvStream::default();
        let mut got = Vec::new();
        let mut f = |r: Result<(&Fields<'_>, u64), u64>| {
            if let Ok((f, line)) = r {
                got.push((line, (0..f.len()).map(|i| f.str(i).into_owned()).collect()));
            }
        };
        for c in chunks {
            s.push(c, &mut f);
        }
        s.push(b"", &mut f);
        got
    }

    #[test]
    fn quoted_records_read_as_csv_core_reads_them() {
        // Whole-line quoted records take the fast path unless split; the others (a quoted
        // newline, a doubled quote, an unquoted field, a lone CR, bytes that are not UTF-8, no
        // final newline) and every
        // split make csv-core read them: both must agree.
        let all = b"\"a\",\"b\"\r\n\"1\",\"x\r\ny\"\r\n\r\n\"2\",\"\"\n\"3\",\"w\"\"q\"\n\"4\",z\n\"6\",\"u\"\r\"7\",\"t\"\n\"a\xC3\",\"\xA9b\"\n\"5\",\"v\"";
        let row = |line: u64, f: &[&str]| (line, f.iter().map(|s| (*s).to_owned()).collect());
        let expect: Vec<(u64, Vec<String>)> = vec![
            row(1, &["a", "b"]),
            row(2, &["1", "x\r\ny"]),
            row(5, &["2", ""]),
            row(6, &["3", "w\"q"]),
            row(7, &["4", "z"]),
            row(8, &["6", "u"]),
            row(8, &["7", "t"]),
            // UTF-8 only across the field boundary: each field is lossy (as csv-core reads it).
            row(9, &["a\u{FFFD}", "\u{FFFD}b"]),
            row(10, &["5", "v"]),
        ];
        assert_eq!(read(&[all]), expect);
        for split in 0..all.len() {
            assert_eq!(read(&[&all[..split], &all[split..]]), expect, "split at {split}");
        }
    }

    #[test]
    fn lines_of_records_with_crlf_multiline_and_blank_lines() {
        let all = b"a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n3,w";
        let expect = vec![
            (1, vec!["a".to_owned(), "b".to_owned()]),
            (2, vec!["1".to_owned(), "x\r\ny".to_owned()]),
            (5, vec!["2".to_owned(), "z".to_owned()]),
            (6, vec!["3".to_owned(), "w".to_owned()]),
        ];
        assert_eq!(read(&[all]), expect);
        for split in 0..all.len() {
            assert_eq!(read(&[&all[..split], &all[split..]]), expect, "split at {split}");
        }
    }
}
