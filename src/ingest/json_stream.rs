//! Finds complete top-level JSON records in a byte stream that arrives in chunks.
//!
//! NOTE: serde_json can only parse a complete slice or pull from an `io::Read`; neither fits a
//! push API fed by `File` slices in a web worker (there is nothing to block on). So a small
//! hand-written scanner tracks nesting depth, strings and escapes just enough to find where each
//! record object starts and ends, and `serde_json::from_slice` then parses that slice. The
//! scanner also understands the envelopes and concatenations the collectors write (docs/formats.md
//! §2.3–2.5): a JSON array, JSON Lines, concatenated arrays (`][`), bare objects, `{"value":[…]}`
//! with `@odata.*` keys, and `{"records":[…]}`. It never needs more than one record in memory.

/// What the scanner found.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    /// A complete object, with the 1-based line and byte column of its `{`.
    Record { bytes: &'a [u8], line: u64, col: u64 },
    /// Something that is not a record object, counted as one skipped row.
    Bad { line: u64, col: u64, reason: &'static str },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Ctx {
    Array,
    /// The array of a `value` / `records` envelope: after it, skip the rest of the object.
    Envelope,
}

#[derive(Copy, Clone, Debug)]
enum Act {
    Between,
    Record { start: usize, line: u64, col: u64, depth: u32, lex: Lex, nl: bool },
    Skip { depth: u32, lex: Lex, until_sep: bool },
    Garbage,
}

/// Where the scanner stands relative to string literals. The one place that knows JSON's string
/// and escape rules; everything else only sees structural bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
enum Lex {
    /// Outside any string.
    #[default]
    Code,
    /// Inside a string.
    Str,
    /// Inside a string, just after a backslash.
    Escape,
}

impl Lex {
    /// Advances over byte `c`. Returns true when `c` is structural: outside any string and not the
    /// quote that opens one.
    fn step(&mut self, c: u8) -> bool {
        match (*self, c) {
            (Lex::Escape, _) => *self = Lex::Str,
            (Lex::Str, b'\\') => *self = Lex::Escape,
            (Lex::Str, b'"') => *self = Lex::Code,
            (Lex::Str, _) => {}
            (Lex::Code, b'"') => *self = Lex::Str,
            (Lex::Code, _) => return true,
        }
        false
    }
}

/// The streaming scanner.
#[derive(Debug)]
pub(crate) struct JsonStream {
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]` in the stream.
    base: u64,
    pos: usize,
    line: u64,
    /// Absolute offset where the current line starts.
    line_start: u64,
    stack: Vec<Ctx>,
    act: Act,
    /// Whether top-level records are one per line (decided by the first one).
    jsonl: Option<bool>,
}

impl Default for JsonStream {
    fn default() -> Self {
        JsonStream {
            buf: Vec::new(),
            base: 0,
            pos: 0,
            line: 1,
            line_start: 0,
            stack: Vec::new(),
            act: Act::Between,
            jsonl: None,
        }
    }
}

const PEEK_LIMIT: usize = 1 << 16;

enum Peek {
    NeedMore,
    Envelope(usize),
    Record,
}

/// Looks at the first keys of a top-level object: `value` or `records` holding an array (after
/// any `@odata.*` string keys) makes it an envelope.
fn peek_envelope(b: &[u8]) -> Peek {
    let ws = |b: &[u8], mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let string_end = |b: &[u8], mut i: usize| -> Option<usize> {
        // `i` is just after the opening quote; returns the index after the closing quote.
        let mut lex = Lex::Str;
        while i < b.len() {
            lex.step(b[i]);
            i += 1;
            if lex == Lex::Code {
                return Some(i);
            }
        }
        None
    };
    let mut i = 1;
    loop {
        if i > PEEK_LIMIT {
            return Peek::Record;
        }
        i = ws(b, i);
        match b.get(i) {
            None => return Peek::NeedMore,
            Some(b'"') => {}
            Some(_) => return Peek::Record,
        }
        let key_start = i + 1;
        let Some(key_end) = string_end(b, key_start) else { return Peek::NeedMore };
        let key = &b[key_start..key_end - 1];
        i = ws(b, key_end);
        match b.get(i) {
            None => return Peek::NeedMore,
            Some(b':') => {}
            Some(_) => return Peek::Record,
        }
        i = ws(b, i + 1);
        let Some(&v) = b.get(i) else { return Peek::NeedMore };
        if (key == b"value" || key == b"records") && v == b'[' {
            return Peek::Envelope(i + 1);
        }
        if key.first() == Some(&b'@') && v == b'"' {
            let Some(end) = string_end(b, i + 1) else { return Peek::NeedMore };
            i = ws(b, end);
            match b.get(i) {
                None => return Peek::NeedMore,
                Some(b',') => i += 1,
                Some(_) => return Peek::Record,
            }
            continue;
        }
        return Peek::Record;
    }
}

impl JsonStream {
    fn col(&self, pos: usize) -> u64 {
        (self.base + pos as u64).saturating_sub(self.line_start) + 1
    }

    fn newline_at(&mut self, pos: usize) {
        self.line += 1;
        self.line_start = self.base + pos as u64 + 1;
    }

    /// Feeds a chunk (empty at end of input) and reports every record and problem found.
    pub(crate) fn push(&mut self, chunk: &[u8], on_item: &mut dyn FnMut(Item<'_>)) {
        let eof = chunk.is_empty();
        self.buf.extend_from_slice(chunk);
        self.scan(eof, on_item);
        if eof {
            match self.act {
                Act::Record { line, col, .. } => {
                    on_item(Item::Bad { line, col, reason: "truncated JSON" });
                }
                Act::Between | Act::Skip { .. } | Act::Garbage => {}
            }
            self.act = Act::Between;
        }
        // Drop what is consumed; keep the start of a record still being read.
        let keep = match self.act {
            Act::Record { start, .. } => start,
            _ => self.pos,
        };
        if keep > 0 {
            self.buf.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
            if let Act::Record { start, .. } = &mut self.act {
                *start -= keep;
            }
        }
    }

    fn scan(&mut self, eof: bool, on_item: &mut dyn FnMut(Item<'_>)) {
        while self.pos < self.buf.len() {
            match self.act {
                Act::Between => {
                    let c = self.buf[self.pos];
                    let top = self.stack.last().copied();
                    match c {
                        b'\n' => {
                            self.newline_at(self.pos);
                            self.pos += 1;
                        }
                        // A stray `}` (e.g. `{"value":[{…}}`) is skipped; treating it as the start
                        // of a bad element would never consume it (a hang found by fuzzing).
                        b' ' | b'\t' | b'\r' | b',' | b'}' => self.pos += 1,
                        b'{' => {
                            if top.is_none() {
                                match peek_envelope(&self.buf[self.pos..]) {
                                    Peek::NeedMore if !eof => return,
                                    Peek::Envelope(n) => {
                                        self.advance_counting(n);
                                        self.stack.push(Ctx::Envelope);
                                        continue;
                                    }
                                    Peek::NeedMore | Peek::Record => {}
                                }
                            }
                            self.act = Act::Record {
                                start: self.pos,
                                line: self.line,
                                col: self.col(self.pos),
                                depth: 0,
                                lex: Lex::Code,
                                nl: false,
                            };
                        }
                        b'[' => {
                            if self.stack.len() >= 64 {
                                on_item(Item::Bad {
                                    line: self.line,
                                    col: self.col(self.pos),
                                    reason: "malformed JSON",
                                });
                                self.act = Act::Garbage;
                            } else {
                                self.stack.push(Ctx::Array);
                                self.pos += 1;
                            }
                        }
                        b']' => {
                            self.pos += 1;
                            if self.stack.pop() == Some(Ctx::Envelope) {
                                self.act = Act::Skip { depth: 1, lex: Lex::Code, until_sep: false };
                            }
                        }
                        _ => {
                            let (line, col) = (self.line, self.col(self.pos));
                            if top.is_some() {
                                on_item(Item::Bad { line, col, reason: "not a JSON object" });
                                self.act = Act::Skip { depth: 0, lex: Lex::Code, until_sep: true };
                            } else {
                                on_item(Item::Bad { line, col, reason: "malformed JSON" });
                                self.act = Act::Garbage;
                            }
                        }
                    }
                }
                Act::Garbage => {
                    let rest = &self.buf[self.pos..];
                    match memchr::memchr(b'\n', rest) {
                        Some(i) => {
                            self.newline_at(self.pos + i);
                            self.pos += i + 1;
                            self.act = Act::Between;
                        }
                        None => self.pos = self.buf.len(),
                    }
                }
                Act::Skip { .. } => self.scan_skip(),
                Act::Record { .. } => self.scan_record(on_item),
            }
        }
    }

    fn advance_counting(&mut self, n: usize) {
        let end = (self.pos + n).min(self.buf.len());
        for i in self.pos..end {
            if self.buf[i] == b'\n' {
                self.newline_at(i);
            }
        }
        self.pos = end;
    }

    fn scan_skip(&mut self) {
        let Act::Skip { mut depth, mut lex, until_sep } = self.act else { return };
        while self.pos < self.buf.len() {
            let c = self.buf[self.pos];
            if c == b'\n' {
                self.newline_at(self.pos);
            }
            if lex.step(c) {
                match c {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth == 0 => {
                        // Only reachable with `until_sep`: the end of the enclosing array.
                        self.act = Act::Between;
                        return;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 && !until_sep {
                            self.pos += 1;
                            self.act = Act::Between;
                            return;
                        }
                    }
                    b',' if depth == 0 && until_sep => {
                        self.act = Act::Between;
                        return;
                    }
                    _ => {}
                }
            }
            self.pos += 1;
        }
        self.act = Act::Skip { depth, lex, until_sep };
    }

    fn scan_record(&mut self, on_item: &mut dyn FnMut(Item<'_>)) {
        let Act::Record { start, line, col, mut depth, mut lex, mut nl } = self.act else {
            return;
        };
        let top = self.stack.is_empty();
        let strict_lines = top && self.jsonl == Some(true);
        while self.pos < self.buf.len() {
            let c = self.buf[self.pos];
            if c == b'\n' {
                self.newline_at(self.pos);
                if strict_lines {
                    // JSON Lines: a record cannot span lines, so this one is broken. Resume after
                    // the newline so one bad line costs one row.
                    self.pos += 1;
                    self.act = Act::Between;
                    on_item(Item::Bad { line, col, reason: "malformed JSON" });
                    return;
                }
                nl = true;
            }
            if lex.step(c) {
                match c {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            self.pos += 1;
                            self.act = Act::Between;
                            if top && self.jsonl.is_none() {
                                self.jsonl = Some(!nl);
                            }
                            on_item(Item::Record { bytes: &self.buf[start..self.pos], line, col });
                            return;
                        }
                    }
                    _ => {}
                }
            }
            self.pos += 1;
        }
        self.act = Act::Record { start, line, col, depth, lex, nl };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]]) -> Vec<String> {
        let mut s = JsonStream::default();
        let mut got = Vec::new();
        let mut f = |it: Item<'_>| {
            got.push(match it {
                Item::Record { bytes, line, col } => {
                    format!("{line}:{col} {}", String::from_utf8_lossy(bytes))
                }
                Item::Bad { line, col, reason } => format!("{line}:{col} !{reason}"),
            })
        };
        for c in chunks {
            s.push(c, &mut f);
        }
        s.push(b"", &mut f);
        got
    }

    #[track_caller]
    fn check(input: &str, expect: &[&str]) {
        let b = input.as_bytes();
        assert_eq!(scan(&[b]), expect);
        for split in 0..b.len() {
            assert_eq!(scan(&[&b[..split], &b[split..]]), expect, "split at {split}");
        }
        let bytes: Vec<&[u8]> = b.chunks(1).collect();
        assert_eq!(scan(&bytes), expect);
    }

    #[test]
    fn shapes() {
        check("[{\"a\":1},\n {\"b\":\"}\"}]", &["1:2 {\"a\":1}", "2:2 {\"b\":\"}\"}"]);
        check("{\"a\":1}\n{\"b\":2}\n", &["1:1 {\"a\":1}", "2:1 {\"b\":2}"]);
        check("[{\"a\":1}][{\"b\":2}]", &["1:2 {\"a\":1}", "1:11 {\"b\":2}"]);
        check(
            "{\"@odata.context\":\"x\",\"value\":[{\"a\":1},{\"b\":[2]}],\"@odata.nextLink\":\"y\"}",
            &["1:32 {\"a\":1}", "1:40 {\"b\":[2]}"],
        );
        check("{\"records\":[{\"properties\":{\"a\":1}}]}", &["1:13 {\"properties\":{\"a\":1}}"]);
        check("{\n  \"a\": {\"b\": 1}\n}", &["1:1 {\n  \"a\": {\"b\": 1}\n}"]);
        check("{\"value\":\"x\"}", &["1:1 {\"value\":\"x\"}"]);
    }

    #[test]
    fn damage() {
        check(
            "{\"a\":1}\n{\"b\":\n{\"c\":3}\n",
            &["1:1 {\"a\":1}", "2:1 !malformed JSON", "3:1 {\"c\":3}"],
        );
        check("hello\n{\"c\":3}", &["1:1 !malformed JSON", "2:1 {\"c\":3}"]);
        check("[1, {\"c\":3}]", &["1:2 !not a JSON object", "1:5 {\"c\":3}"]);
        check("[{\"c\":3", &["1:2 !truncated JSON"]);
        // See fuzz/regressions/json-stray-brace-hang.json.
        check("{\"value\":[{\"a\":1}}, {\"b\":2}]", &["1:11 {\"a\":1}", "1:21 {\"b\":2}"]);
    }
}
