//! Containers and encodings in front of the record readers: gzip (streamed), zip (buffered: its
//! directory is at the end; each member becomes its own input `archive.zip/member.csv`), UTF-8
//! with or without BOM, UTF-16 LE/BE with BOM (transcoded incrementally). Then the text is
//! sniffed: `{` or `[` first means JSON, lines that read as IP ranges (`start<TAB>end<TAB>asn…`,
//! `start,end,asn,name`) are an IP → ASN / country database ([`crate::enrich::ipdb`]), anything
//! else textual is read as CSV.

use std::io::{Read, Write};

use flate2::write::MultiGzDecoder;

use super::csv_stream::CsvStream;
use super::json_stream::{Item, JsonStream};
use super::raw::{Tap, Wanted};
use super::records::{self, CsvMode};
use super::{Dataset, FileState};
use crate::enrich::ipdb;

const SNIFF: usize = 512;
/// Zip members nested deeper than this are not opened.
const MAX_DEPTH: u8 = 2;

#[derive(Debug)]
enum Container {
    Sniff(Vec<u8>),
    Plain,
    Gzip(Box<MultiGzDecoder<Vec<u8>>>),
    Zip(Vec<u8>),
    Failed,
}

#[derive(Debug)]
enum Enc {
    Sniff(Vec<u8>),
    Utf8,
    Utf16 { be: bool, odd: Option<u8>, high: Option<u16>, out: String },
}

#[derive(Debug)]
enum Text {
    Sniff(Vec<u8>),
    Csv(Box<(CsvStream, CsvMode)>),
    Json(Box<JsonStream>),
    /// An IP database: its ranges go to the dataset's [`ipdb::IpDb`], not to events.
    IpDb(Box<ipdb::Reader>),
    Binary,
}

/// The reading state of one input.
#[derive(Debug)]
pub(crate) struct Pipeline {
    st: FileState,
    depth: u8,
    container: Container,
    enc: Enc,
    text: Text,
    /// Bytes after decompression.
    decoded: u64,
    gzip: bool,
    /// Reading raw rows instead of records ([`super::raw`]): the decoded text goes here.
    raw: Option<Box<Tap>>,
    /// The raw taps of this archive's members, once read.
    members: Vec<Tap>,
}

impl Pipeline {
    pub(crate) fn new(index: usize, name: &str, depth: u8) -> Pipeline {
        Pipeline {
            st: FileState::new(index, name, 0),
            depth,
            container: Container::Sniff(Vec::new()),
            enc: Enc::Sniff(Vec::new()),
            text: Text::Sniff(Vec::new()),
            decoded: 0,
            gzip: false,
            raw: None,
            members: Vec::new(),
        }
    }

    /// A reader of the raw text of input `name` and its members, for the lines `wanted` (see
    /// [`super::raw`]): the same containers and encodings, no records.
    pub(crate) fn raw(name: &str, wanted: Wanted) -> Pipeline {
        let mut pipe = Pipeline::new(0, name, 0);
        pipe.raw = Some(Box::new(Tap::new(name, wanted)));
        pipe
    }

    /// True once a raw reader has every line it was asked for (an archive: never before its end).
    pub(crate) fn raw_done(&self) -> bool {
        matches!(self.container, Container::Plain | Container::Gzip(_))
            && self.raw.as_ref().is_some_and(|t| t.done())
    }

    /// Ends a raw reader: the taps of the input and of its archive's members.
    pub(crate) fn finish_raw(mut self, ds: &mut Dataset) -> Vec<Tap> {
        self.container_push(ds, &[], true);
        if let Container::Zip(buf) = std::mem::replace(&mut self.container, Container::Failed) {
            self.unzip(ds, &buf);
        } else {
            self.decoded_push(ds, &[], true);
        }
        let mut taps = std::mem::take(&mut self.members);
        if let Some(tap) = self.raw.take() {
            taps.insert(0, *tap);
        }
        taps
    }

    pub(crate) fn format(&self) -> &str {
        &self.st.format
    }

    /// The CSV mode a later byte range of this input can be read in on its own: when the input
    /// is plain UTF-8 CSV (no archive, compression or UTF-16) whose header was read, and its rows
    /// need nothing but their own bytes (sign-ins, audit objects, unrecognized rows; not the
    /// authentication details, which are joined into sign-ins across the file).
    pub(crate) fn part_mode(&self) -> Option<CsvMode> {
        if !matches!(self.container, Container::Plain) || !matches!(self.enc, Enc::Utf8) {
            return None;
        }
        let Text::Csv(b) = &self.text else { return None };
        match &b.1 {
            CsvMode::SignIn { .. }
            | CsvMode::Object { .. }
            | CsvMode::DirectoryAudit { .. }
            | CsvMode::Unknown => Some(b.1.clone()),
            CsvMode::Header | CsvMode::AuthDetails { .. } => None,
        }
    }

    /// The reader of a later byte range of input `index`, starting at a record, in `mode` (from
    /// [`Pipeline::part_mode`]).
    pub(crate) fn part(index: usize, name: &str, format: &str, mode: CsvMode) -> Pipeline {
        let mut st = FileState::new(index, name, 0);
        st.set_format(format);
        Pipeline {
            st,
            depth: 0,
            container: Container::Plain,
            enc: Enc::Utf8,
            text: Text::Csv(Box::new((CsvStream::default(), mode))),
            decoded: 0,
            gzip: false,
            raw: None,
            members: Vec::new(),
        }
    }

    /// The CSV stream, when the input is read as CSV.
    pub(crate) fn csv(&mut self) -> Option<&mut CsvStream> {
        match &mut self.text {
            Text::Csv(b) => Some(&mut b.0),
            _ => None,
        }
    }

    /// Reads the last record of a part that ends where the file does.
    pub(crate) fn flush(&mut self, ds: &mut Dataset) {
        self.text_push(ds, &[], true);
    }

    /// Counts bytes read by a joined part.
    pub(crate) fn skip_bytes(&mut self, n: u64) {
        self.decoded += n;
    }

    /// The file's accounting.
    pub(crate) fn state(&mut self) -> &mut FileState {
        &mut self.st
    }

    /// The part's accounting, taken out when it is joined.
    pub(crate) fn into_state(self) -> FileState {
        self.st
    }

    pub(crate) fn push(&mut self, ds: &mut Dataset, chunk: &[u8]) {
        if self.decoded == 0 && matches!(self.container, Container::Sniff(_)) {
            self.st =
                FileState::new(self.st.index as usize, &self.st.name.clone(), ds.events.len());
        }
        self.container_push(ds, chunk, false);
    }

    pub(crate) fn finish(mut self, ds: &mut Dataset, consumed: u64) {
        if matches!(self.container, Container::Sniff(_)) && self.decoded == 0 {
            self.st =
                FileState::new(self.st.index as usize, &self.st.name.clone(), ds.events.len());
        }
        self.container_push(ds, &[], true);
        let zip = matches!(self.container, Container::Zip(_));
        if let Container::Zip(buf) = std::mem::replace(&mut self.container, Container::Failed) {
            self.unzip(ds, &buf);
        } else {
            self.decoded_push(ds, &[], true);
        }
        let db = match std::mem::replace(&mut self.text, Text::Binary) {
            Text::IpDb(reader) => Some(self.finish_ipdb(ds, *reader)),
            other => {
                self.text = other;
                None
            }
        };
        let bytes = if self.gzip { self.decoded } else { consumed };
        if !zip && self.decoded == 0 && self.st.format == "unknown" {
            self.st.format = "empty".to_owned();
            self.st.diag(ds, 1, 0, "empty file: no header and no records".to_owned());
        } else if self.gzip && self.st.format != "unknown" {
            self.st.format.push_str("+gzip");
        }
        let index = self.st.index as usize;
        self.st.finish(ds, bytes);
        if let (Some((kind, ranges)), Some(s)) = (db, ds.files.get_mut(index)) {
            s.log_kind = "ip-database".to_owned();
            s.ranges = ranges;
            s.date = ipdb::date_in_name(&s.name).unwrap_or_else(|| "undated".to_owned());
            s.attribution = kind.attribution().to_owned();
        }
    }

    /// Ends an IP database: its ranges settled into a table of the dataset's database, the rows
    /// that add nothing to the ranges before them counted as skipped. Returns its kind and the
    /// number of ranges kept.
    fn finish_ipdb(&mut self, ds: &mut Dataset, reader: ipdb::Reader) -> (ipdb::Kind, u64) {
        let kind = reader.kind();
        let (table, dropped) = reader.finish();
        for line in dropped {
            let m = "IP range lies inside the ranges before it (by start): it adds nothing";
            self.st.skip(ds, "overlaps an earlier range", line, 1, Some(m.to_owned()));
        }
        let ranges = table.len() as u64;
        if !table.is_empty() {
            ds.ipdb.add(table);
        }
        (kind, ranges)
    }

    fn container_push(&mut self, ds: &mut Dataset, chunk: &[u8], eof: bool) {
        if let Container::Sniff(buf) = &mut self.container {
            buf.extend_from_slice(chunk);
            if buf.len() < 4 && !eof {
                return;
            }
            let buf = std::mem::take(buf);
            if buf.starts_with(&[0x1f, 0x8b]) {
                self.gzip = true;
                self.container = Container::Gzip(Box::new(MultiGzDecoder::new(Vec::new())));
            } else if buf.starts_with(b"PK\x03\x04") || buf.starts_with(b"PK\x05\x06") {
                self.st.set_format("zip");
                self.container = Container::Zip(Vec::new());
            } else {
                self.container = Container::Plain;
            }
            return self.container_push(ds, &buf, eof);
        }
        match &mut self.container {
            Container::Sniff(_) | Container::Failed => {}
            Container::Plain => {
                if !chunk.is_empty() {
                    self.decoded_push(ds, chunk, false);
                }
            }
            Container::Zip(buf) => buf.extend_from_slice(chunk),
            Container::Gzip(dec) => {
                let mut res = if chunk.is_empty() { Ok(()) } else { dec.write_all(chunk) };
                if res.is_ok() && eof {
                    res = dec.try_finish();
                }
                let out = std::mem::take(dec.get_mut());
                if !out.is_empty() {
                    self.decoded_push(ds, &out, false);
                }
                if let Err(e) = res {
                    let at = self.decoded;
                    self.st.diag(
                        ds,
                        0,
                        0,
                        format!("corrupt gzip data after {at} decompressed bytes: {e}"),
                    );
                    self.container = Container::Failed;
                }
            }
        }
    }

    fn decoded_push(&mut self, ds: &mut Dataset, chunk: &[u8], eof: bool) {
        self.decoded += chunk.len() as u64;
        if let Enc::Sniff(buf) = &mut self.enc {
            buf.extend_from_slice(chunk);
            if buf.len() < 3 && !eof {
                return;
            }
            let buf = std::mem::take(buf);
            let (enc, skip) = if buf.starts_with(&[0xef, 0xbb, 0xbf]) {
                (Enc::Utf8, 3)
            } else if buf.starts_with(&[0xff, 0xfe]) {
                (Enc::Utf16 { be: false, odd: None, high: None, out: String::new() }, 2)
            } else if buf.starts_with(&[0xfe, 0xff]) {
                (Enc::Utf16 { be: true, odd: None, high: None, out: String::new() }, 2)
            } else {
                (Enc::Utf8, 0)
            };
            self.enc = enc;
            self.decoded -= buf.len() as u64;
            return self.decoded_push(ds, buf.get(skip..).unwrap_or(&[]), eof);
        }
        match &mut self.enc {
            Enc::Sniff(_) => {}
            Enc::Utf8 => self.text_push(ds, chunk, eof),
            Enc::Utf16 { be, odd, high, out } => {
                out.clear();
                let mut units = Vec::with_capacity(chunk.len() / 2 + 1);
                let mut bytes = chunk.iter().copied();
                if let Some(first) = odd.take() {
                    match bytes.next() {
                        Some(second) => units.push(unit(*be, first, second)),
                        None => *odd = Some(first),
                    }
                }
                loop {
                    match (bytes.next(), bytes.next()) {
                        (Some(a), Some(b)) => units.push(unit(*be, a, b)),
                        (Some(a), None) => {
                            *odd = Some(a);
                            break;
                        }
                        _ => break,
                    }
                }
                // A high surrogate at the end of a chunk waits for its pair.
                if let Some(h) = high.take() {
                    units.insert(0, h);
                }
                if !eof
                    && let Some(&last) = units.last()
                    && (0xd800..0xdc00).contains(&last)
                {
                    *high = units.pop();
                }
                for c in char::decode_utf16(units) {
                    out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                if eof && odd.take().is_some() {
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                let text = std::mem::take(out);
                self.text_push(ds, text.as_bytes(), eof);
                if let Enc::Utf16 { out, .. } = &mut self.enc {
                    *out = text;
                }
            }
        }
    }

    fn text_push(&mut self, ds: &mut Dataset, chunk: &[u8], eof: bool) {
        if let Some(tap) = &mut self.raw {
            tap.push(chunk, eof);
            return;
        }
        if let Text::Sniff(buf) = &mut self.text {
            buf.extend_from_slice(chunk);
            let first = buf.iter().position(|c| !c.is_ascii_whitespace());
            // Decide only on a full sniff window (or at the end), so the decision cannot depend
            // on how the input was chunked.
            let enough = buf.len() >= SNIFF && first.is_some();
            if !enough && !eof && buf.len() < (1 << 20) {
                return;
            }
            let buf = std::mem::take(buf);
            let head = &buf[..buf.len().min(SNIFF)];
            let binary =
                head.iter().filter(|&&c| c == 0 || (c < 0x09) || (0x0e..0x1b).contains(&c)).count()
                    > 0;
            self.text = match first.map(|i| buf[i]) {
                None => {
                    if buf.is_empty() {
                        Text::Sniff(Vec::new())
                    } else {
                        // Only whitespace: nothing to read.
                        Text::Csv(Box::new((CsvStream::default(), CsvMode::Header)))
                    }
                }
                _ if binary => {
                    self.st.set_format("unknown");
                    let message = "binary data, not a CSV or JSON export (an .xlsx workbook or another \
                                   archive?): expected a sign-in or audit export as CSV, JSON, .zip or .gz";
                    self.st.diag(ds, 1, 0, message.to_owned());
                    Text::Binary
                }
                Some(b'{' | b'[') => Text::Json(Box::default()),
                Some(_) if let Some(kind) = ipdb::sniff(head) => {
                    self.st.set_format(kind.format());
                    Text::IpDb(Box::new(ipdb::Reader::new(kind, &self.st.name)))
                }
                Some(_) => Text::Csv(Box::new((CsvStream::default(), CsvMode::Header))),
            };
            if matches!(self.text, Text::Sniff(_)) {
                return;
            }
            return self.text_push(ds, &buf, eof);
        }
        let st = &mut self.st;
        match &mut self.text {
            Text::Sniff(_) => {}
            Text::Binary => {}
            Text::IpDb(reader) => {
                let mut on = |line: u64, row: ipdb::Row| match row {
                    ipdb::Row::None => {}
                    ipdb::Row::Range => st.row(ds),
                    ipdb::Row::Skipped(reason, column, message) => {
                        st.row(ds);
                        st.skip(ds, reason, line, column, message);
                    }
                };
                reader.push(chunk, eof, &mut on);
            }
            Text::Csv(b) => {
                let (stream, mode) = &mut **b;
                let mut on = |r: Result<(&super::csv_stream::Fields<'_>, u64), u64>| match r {
                    Ok((fields, line)) => {
                        if let Some(i) = fields.invalid_utf8_field() {
                            let n = i + 1;
                            st.diag(
                                ds,
                                line,
                                n as u64,
                                format!(
                                    "invalid UTF-8 in field {n}: those bytes are shown as U+FFFD and \
                                     the row is still read (is the file in another encoding, such as \
                                     Windows-1252? exports are UTF-8 or UTF-16)"
                                ),
                            );
                        }
                        if matches!(mode, CsvMode::Header) {
                            *mode = records::classify_header(ds, st, fields, line);
                        } else {
                            records::csv_record(ds, st, mode, fields, line);
                        }
                    }
                    Err(line) => {
                        st.row(ds);
                        st.skip(
                            ds,
                            "record too long",
                            line,
                            0,
                            Some("record longer than 64 MB (unclosed quote?)".to_owned()),
                        );
                    }
                };
                if !chunk.is_empty() {
                    stream.push(chunk, &mut on);
                }
                if eof {
                    stream.push(&[], &mut on);
                }
            }
            Text::Json(stream) => {
                let mut on = |item: Item<'_>| match item {
                    Item::Record { bytes, line, col } => {
                        records::json_record(ds, st, bytes, line, col)
                    }
                    Item::Bad { line, col, reason } => {
                        st.row(ds);
                        let message = match reason {
                            "truncated JSON" => "truncated JSON: the input ends inside this record".to_owned(),
                            "not a JSON object" => "array element is not a JSON object".to_owned(),
                            _ => "malformed JSON: expected an object, an array of objects or JSON Lines".to_owned(),
                        };
                        st.skip(ds, reason, line, col, Some(message));
                    }
                };
                if !chunk.is_empty() {
                    stream.push(chunk, &mut on);
                }
                if eof {
                    stream.push(&[], &mut on);
                    if st.format == "unknown" {
                        st.format = "json".to_owned();
                    }
                }
            }
        }
    }

    fn unzip(&mut self, ds: &mut Dataset, buf: &[u8]) {
        let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(buf)) {
            Ok(a) => a,
            Err(e) => {
                self.st.diag(ds, 0, 0, format!("corrupt zip archive: {e}"));
                return;
            }
        };
        let names: Vec<String> =
            archive.file_names().filter_map(|n| n.ok()).map(|n| n.into_owned()).collect();
        if names.iter().any(|n| n == "[Content_Types].xml")
            && names.iter().any(|n| n.starts_with("xl/"))
        {
            self.st.set_format("xlsx");
            let m = "Excel workbook (.xlsx): not read; export the query results as CSV instead";
            self.st.diag(ds, 0, 0, m.to_owned());
            return;
        }
        if self.depth >= MAX_DEPTH {
            self.st.diag(ds, 0, 0, "zip nested too deep: members not read".to_owned());
            return;
        }
        for i in 0..archive.len() {
            let mut member = match archive.by_index(i) {
                Ok(m) => m,
                Err(e) => {
                    self.st.diag(ds, 0, 0, format!("zip member {i} unreadable: {e}"));
                    continue;
                }
            };
            let Ok(mname) = member.name().map(|n| n.into_owned()) else { continue };
            if member.is_dir() || mname.starts_with("__MACOSX/") {
                continue;
            }
            let name = format!("{}/{mname}", self.st.name);
            let tap = match &self.raw {
                Some(tap) if !tap.wants_under(&name) => continue,
                Some(tap) => Some(Box::new(tap.member(&name))),
                None => None,
            };
            let index = ds.add_summary(&name);
            let mut pipe = Pipeline::new(index, &name, self.depth + 1);
            pipe.raw = tap;
            let mut chunk = vec![0u8; 1 << 16];
            let mut consumed = 0u64;
            loop {
                match member.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        consumed += n as u64;
                        pipe.push(ds, &chunk[..n]);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        pipe.st.diag(ds, 0, 0, format!("zip member cannot be decompressed: {e}"));
                        break;
                    }
                }
            }
            if pipe.raw.is_some() {
                let taps = pipe.finish_raw(ds);
                self.members.extend(taps);
            } else {
                pipe.finish(ds, consumed);
            }
        }
    }
}

fn unit(be: bool, a: u8, b: u8) -> u16 {
    if be { u16::from_be_bytes([a, b]) } else { u16::from_le_bytes([a, b]) }
}
