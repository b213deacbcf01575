//! The raw rows behind a finding: the text of given lines of an input as the file holds it, read
//! through the same containers and encodings as ingestion ([`super::pipeline`]: gzip found by
//! content whatever the file is called, zip members, UTF-16), so a line number in a report always
//! names the same row here. The page shows these next to a finding; a CSV row comes with the
//! names of its header's columns.
//!
//! A record spans lines when a CSV field is quoted across a newline or a JSON record is
//! pretty-printed: a row runs from its line until its record is complete (quotes balanced, braces
//! closed), at most [`RAW_MAX`] bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Dataset;
use super::csv_stream::CsvStream;
use super::pipeline::Pipeline;

/// Longest raw row kept (a record spanning more is cut, with a note).
pub const RAW_MAX: usize = 16 << 10;

/// One row asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawRow {
    /// The input's name as reports give it (`archive.zip/member.csv` for a zip member).
    pub file: String,
    /// 1-based line where the record starts.
    pub line: u64,
    /// The record's text; empty when the line is not in the input.
    pub text: String,
    /// For a CSV row: (column name from the header, value) per field, in order; a field past
    /// the header's columns is named by its number. Empty for JSON and for rows not found.
    pub fields: Vec<(String, String)>,
}

/// Lines wanted per input name.
pub(crate) type Wanted = Arc<BTreeMap<String, Vec<u64>>>;

/// Reads the rows at `refs` (input name, line) out of one file pushed in chunks.
///
/// Feed it the file's bytes from the start ([`RawRowReader::push`]) until [`RawRowReader::done`]
/// (only a zip archive needs all of them), then take the rows with [`RawRowReader::finish`]: one
/// per ref, in the order asked, with an empty text for a line the file does not have.
#[derive(Debug)]
pub struct RawRowReader {
    refs: Vec<(String, u64)>,
    pipe: Pipeline,
    /// Where the archive members' inputs are numbered (nothing is read into it).
    scratch: Dataset,
}

impl RawRowReader {
    /// A reader of the file named `name` (as dropped: a zip's members are `name/member`), for
    /// the rows `refs` that belong to it (the others come back empty).
    pub fn new(name: &str, refs: &[(String, u64)]) -> RawRowReader {
        let mut wanted: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (file, line) in refs {
            wanted.entry(file.clone()).or_default().push(*line);
        }
        for lines in wanted.values_mut() {
            lines.sort_unstable();
            lines.dedup();
        }
        RawRowReader {
            refs: refs.to_vec(),
            pipe: Pipeline::raw(name, Arc::new(wanted)),
            scratch: Dataset::new(),
        }
    }

    /// Whether `file` (a name from a report) is this input or one of its members.
    pub fn holds(input: &str, file: &str) -> bool {
        file == input
            || file.strip_prefix(input).is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
    }

    /// Feeds the next bytes of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        self.pipe.push(&mut self.scratch, chunk);
    }

    /// True once every row asked for is read (never for a zip archive before its end).
    pub fn done(&self) -> bool {
        self.pipe.raw_done()
    }

    /// The rows, one per ref in the order asked.
    pub fn finish(self) -> Vec<RawRow> {
        let mut found: BTreeMap<(String, u64), RawRow> = BTreeMap::new();
        let RawRowReader { refs, pipe, mut scratch } = self;
        for tap in pipe.finish_raw(&mut scratch) {
            let header = tap.header.as_deref().and_then(csv_fields);
            for (line, text) in tap.rows {
                let fields = match (&header, csv_fields(&text)) {
                    (Some(names), Some(values)) => values
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let name =
                                names.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1));
                            (name, v)
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                found.insert(
                    (tap.name.clone(), line),
                    RawRow { file: tap.name.clone(), line, text, fields },
                );
            }
        }
        refs.into_iter()
            .map(|(file, line)| {
                found.get(&(file.clone(), line)).cloned().unwrap_or(RawRow {
                    file,
                    line,
                    ..RawRow::default()
                })
            })
            .collect()
    }
}

/// The fields of one CSV record, or `None` when the text looks like JSON or holds no record.
fn csv_fields(text: &str) -> Option<Vec<String>> {
    if matches!(text.trim_start().as_bytes().first(), None | Some(b'{' | b'[')) {
        return None;
    }
    let text = text.strip_suffix(" … (cut)").unwrap_or(text);
    let mut out: Option<Vec<String>> = None;
    let mut stream = CsvStream::default();
    let mut on = |r: Result<(&super::csv_stream::Fields<'_>, u64), u64>| {
        if let (Ok((fields, _)), None) = (r, &out) {
            out = Some((0..fields.len()).map(|i| fields.str(i).into_owned()).collect());
        }
    };
    stream.push(text.as_bytes(), &mut on);
    stream.push(b"\n", &mut on);
    stream.push(&[], &mut on);
    out
}

/// What the raw reading of one input (a file, or a member of an archive) collected.
#[derive(Debug)]
pub(crate) struct Tap {
    pub(crate) name: String,
    scanner: RowScanner,
    /// The first record of the input, kept as a CSV header.
    pub(crate) header: Option<String>,
    pub(crate) rows: Vec<(u64, String)>,
    wanted: Wanted,
}

impl Tap {
    pub(crate) fn new(name: &str, wanted: Wanted) -> Tap {
        let lines = wanted.get(name).cloned().unwrap_or_default();
        Tap {
            name: name.to_owned(),
            scanner: RowScanner::new(lines),
            header: None,
            rows: Vec::new(),
            wanted,
        }
    }

    /// The tap of a member `name` of this input's archive.
    pub(crate) fn member(&self, name: &str) -> Tap {
        Tap::new(name, self.wanted.clone())
    }

    /// Whether any line of `name` or of its members is wanted.
    pub(crate) fn wants_under(&self, name: &str) -> bool {
        self.wanted.keys().any(|k| RawRowReader::holds(name, k))
    }

    pub(crate) fn push(&mut self, chunk: &[u8], eof: bool) {
        self.scanner.push(chunk);
        if eof {
            self.close();
        }
    }

    pub(crate) fn done(&self) -> bool {
        self.scanner.done()
    }

    fn close(&mut self) {
        let scanner = std::mem::replace(&mut self.scanner, RowScanner::new(Vec::new()));
        let (header, rows) = scanner.finish();
        self.header = header;
        self.rows = rows;
    }
}

/// A record being collected: its first line, its bytes, whether it is the header, whether it
/// was asked for.
#[derive(Debug)]
struct Open {
    line: u64,
    buf: Vec<u8>,
    header: bool,
    wanted: bool,
}

/// Collects the records starting at given lines (and the input's first record, its header) from
/// a stream of decoded text. Records may overlap in lines: in a JSON array whose first record
/// starts on the line of its `[`, or with several records on one line; each is collected.
#[derive(Debug)]
struct RowScanner {
    lines: Vec<u64>,
    next: usize,
    line: u64,
    /// The next bytes start a line.
    line_start: bool,
    open: Vec<Open>,
    header: Option<String>,
    seen_content: bool,
    out: Vec<(u64, String)>,
}

impl RowScanner {
    fn new(lines: Vec<u64>) -> RowScanner {
        RowScanner {
            lines,
            next: 0,
            line: 1,
            line_start: true,
            open: Vec::new(),
            header: None,
            seen_content: false,
            out: Vec::new(),
        }
    }

    fn done(&self) -> bool {
        self.next >= self.lines.len() && self.open.is_empty() && self.seen_content
    }

    fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.done() {
            let (chunk, rest, ends) = match memchr::memchr(b'\n', bytes) {
                Some(i) => (&bytes[..=i], &bytes[i + 1..], true),
                None => (bytes, &[][..], false),
            };
            bytes = rest;
            if self.line_start {
                let content = chunk.iter().find(|b| !b.is_ascii_whitespace());
                // The first line with content starts the header, unless the input is JSON.
                let first = !self.seen_content && content.is_some();
                if first {
                    self.seen_content = true;
                }
                let header = first && !matches!(content, Some(b'{' | b'['));
                // Lines asked for that no record starts on (past already): nothing to collect.
                while self.lines.get(self.next).is_some_and(|&l| l < self.line) {
                    self.next += 1;
                }
                let wanted = self.lines.get(self.next) == Some(&self.line);
                if wanted {
                    self.next += 1;
                }
                if header || wanted {
                    self.open.push(Open { line: self.line, buf: Vec::new(), header, wanted });
                }
            }
            for open in &mut self.open {
                let room = RAW_MAX.saturating_sub(open.buf.len());
                open.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            self.line_start = ends;
            if ends {
                self.line += 1;
                let (done, open): (Vec<Open>, Vec<Open>) = std::mem::take(&mut self.open)
                    .into_iter()
                    .partition(|o| record_complete(&o.buf) || o.buf.len() >= RAW_MAX);
                self.open = open;
                for o in done {
                    self.close(o);
                }
            }
        }
    }

    fn close(&mut self, open: Open) {
        let mut text = String::from_utf8_lossy(&open.buf).trim_end_matches(['\r', '\n']).to_owned();
        if open.buf.len() >= RAW_MAX {
            text.push_str(" … (cut)");
        }
        // A JSON input has no header: its first record is only a row.
        let json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
        if open.header && !json {
            self.header = Some(text.clone());
        }
        if open.wanted {
            self.out.push((open.line, text));
        }
    }

    fn finish(mut self) -> (Option<String>, Vec<(u64, String)>) {
        for o in std::mem::take(&mut self.open) {
            self.close(o);
        }
        self.out.sort_by_key(|(line, _)| *line);
        (self.header, self.out)
    }
}

/// True when `row` holds a whole record: balanced CSV quotes, and closed JSON braces/brackets
/// when it starts like JSON (strings and escapes respected). Hand-written: a framing check on a
/// few kilobytes, not a parse (the record may be cut, and JSON Lines and arrays differ only here).
fn record_complete(row: &[u8]) -> bool {
    let trimmed = row.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &row[i..]);
    // The first record of an array on the line of its `[`: the record is what follows it.
    let trimmed = match trimmed.split_first() {
        Some((b'[', rest)) if rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => rest,
        _ => trimmed,
    };
    if matches!(trimmed.first(), Some(b'{') | Some(b'[')) {
        let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
        for &b in trimmed {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
            }
        }
        depth <= 0
    } else {
        row.iter().filter(|&&b| b == b'"').count() % 2 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, lines: &[u64], chunk: usize) -> Vec<(u64, String)> {
        let mut scanner = RowScanner::new(lines.to_vec());
        for piece in text.as_bytes().chunks(chunk) {
            scanner.push(piece);
        }
        scanner.finish().1
    }

    #[test]
    fn csv_rows_with_quoted_newlines_are_whole() {
        let text = "a,b\n1,\"x\ny\"\n2,z\n";
        for chunk in [1, 3, 100] {
            assert_eq!(
                rows(text, &[2, 4], chunk),
                vec![(2, "1,\"x\ny\"".to_owned()), (4, "2,z".to_owned())],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn pretty_json_records_are_whole() {
        let text = "[\n  {\n    \"a\": \"}\",\n    \"b\": [1]\n  },\n  {\"c\": 2}\n]\n";
        assert_eq!(
            rows(text, &[2], 5),
            vec![(2, "  {\n    \"a\": \"}\",\n    \"b\": [1]\n  },".to_owned())]
        );
        assert_eq!(rows(text, &[6], 5), vec![(6, "  {\"c\": 2}".to_owned())]);
    }

    #[test]
    fn records_on_the_line_of_their_array_and_after_it_are_each_found() {
        let text = "[{\"a\": 1},\n {\"b\": 2}]\n";
        for chunk in [1, 4, 100] {
            assert_eq!(
                rows(text, &[1, 2], chunk),
                vec![(1, "[{\"a\": 1},".to_owned()), (2, " {\"b\": 2}]".to_owned())],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_record_longer_than_the_limit_is_cut_with_a_note() {
        let long = format!("a\n\"{}\n", "x".repeat(RAW_MAX * 2));
        let got = rows(&long, &[2], 4096);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.ends_with(" … (cut)"));
        assert!(got[0].1.len() <= RAW_MAX + " … (cut)".len());
    }

    #[test]
    fn holds_names_the_file_and_its_members_only() {
        assert!(RawRowReader::holds("a.zip", "a.zip"));
        assert!(RawRowReader::holds("a.zip", "a.zip/m.csv"));
        assert!(!RawRowReader::holds("a.zip", "a.zipper/m.csv"));
        assert!(!RawRowReader::holds("a.zip", "a.zip/"));
    }
}
