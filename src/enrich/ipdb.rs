//! An offline IP → ASN / country database, read from files the analyst supplies (never
//! downloaded): the public-domain IPtoASN TSVs (`ip2asn-v4.tsv`, `ip2asn-v6.tsv`,
//! `ip2asn-combined.tsv`: range start, range end, AS number, country, AS description; and
//! `ip2country-*.tsv`: start, end, country) and the `ip-location-db` CSVs (`asn-ipv4.csv`,
//! `asn-ipv6.csv`: start, end, AS number, AS name; `asn-country-ipv4.csv`: start, end, country).
//! Addresses may be written as addresses or as decimal numbers (the `-num` / `-u32` variants).
//!
//! Files are recognized by content like every other input ([`sniff`]): the ingest pipeline hands
//! the lines of such a file to a [`Reader`], which counts every row as a range or skipped with a
//! reason, and adds one [`Table`] per file to the dataset's [`IpDb`].
//!
//! Memory: each table keeps its ranges sorted, as three parallel arrays (start, end, record
//! number), so a lookup is one binary search over the starts: 12 bytes per IPv4 range and 36 per
//! IPv6 range, plus 16 bytes per distinct (AS number, country, name) record and its name text,
//! which many ranges share. Measured on ip-location-db 2.3.2026061719 ([`IpDb::heap_bytes`]):
//! `asn-ipv4.csv` (411 961 ranges) 8.4 MB, 20.3 MB per million ranges; `asn-ipv6.csv` (103 197)
//! 5.9 MB, 56.8 MB per million; `asn-country-ipv4.csv` (141 822) 1.7 MB, 12.0 MB per million;
//! while a file is read its ranges take 16 (IPv4) or 48 (IPv6) bytes each until sorted. A hand-written
//! table rather than a crate: the lookup is twenty lines, and the crates that exist either read
//! one format only, pull in I/O, or keep a tree of nodes several times larger.
//!
//! Precedence, deterministic whatever the load order: within a file, ranges are sorted by start
//! and a range that overlaps the one before is trimmed to what it adds (or skipped, "overlaps an
//! earlier range", when it adds nothing); across files, the file whose name sorts first answers
//! (see [`IpDb::asn`]).

use std::net::IpAddr;

use hashbrown::HashTable;

use crate::model::hash_of;

/// Longest AS name kept (bytes, cut at a character boundary): log content and databases are
/// hostile, and a real name is under 100 bytes.
const MAX_NAME: usize = 160;
/// Longest line read; a longer one is skipped ("record too long").
const MAX_LINE: usize = 1 << 16;

/// The layout of an IP database file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// IPtoASN `ip2asn-*.tsv`: start, end, AS number, country, description (tab-separated).
    Ip2Asn,
    /// IPtoASN `ip2country-*.tsv`: start, end, country (tab-separated).
    Ip2Country,
    /// ip-location-db `asn-ipv4.csv` / `asn-ipv6.csv`: start, end, AS number, name (CSV).
    LocationAsn,
    /// ip-location-db `asn-country-ipv4.csv` / `-ipv6.csv`: start, end, country (CSV).
    LocationCountry,
}

impl Kind {
    /// The format name in the report's `inputs[]`.
    pub fn format(self) -> &'static str {
        match self {
            Kind::Ip2Asn => "ip2asn-tsv",
            Kind::Ip2Country => "ip2country-tsv",
            Kind::LocationAsn => "ip-location-db-asn-csv",
            Kind::LocationCountry => "ip-location-db-asn-country-csv",
        }
    }

    /// The attribution the data's licence asks for wherever results from it are shown (IPtoASN
    /// is public domain: credited all the same).
    pub fn attribution(self) -> &'static str {
        match self {
            Kind::Ip2Asn | Kind::Ip2Country => {
                "IP to ASN data: IPtoASN (https://iptoasn.com), public domain (PDDL)."
            }
            Kind::LocationAsn => {
                "IP to ASN data: ip-location-db (https://github.com/sapics/ip-location-db), \
                 modified from RouteViews (https://www.routeviews.org), the NRO \
                 (https://www.nro.net) and the DB-IP IP to ASN Lite database, all under CC BY 4.0 \
                 (https://creativecommons.org/licenses/by/4.0/); IP Geolocation by DB-IP: \
                 https://db-ip.com"
            }
            Kind::LocationCountry => {
                "IP to country data: ip-location-db (https://github.com/sapics/ip-location-db), \
                 from the RIRs' statistics by the NRO (https://www.nro.net), CC BY 4.0 \
                 (https://creativecommons.org/licenses/by/4.0/)"
            }
        }
    }

    fn tabs(self) -> bool {
        matches!(self, Kind::Ip2Asn | Kind::Ip2Country)
    }

    fn has_asn(self) -> bool {
        matches!(self, Kind::Ip2Asn | Kind::LocationAsn)
    }
}

/// What an address belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit<'a> {
    /// The AS number (0 in a country-only database).
    pub asn: u32,
    /// The AS name or description as the database writes it (may be empty).
    pub name: &'a str,
    /// ISO 3166 alpha-2 country, upper case (empty when the database has none).
    pub country: &'a str,
    /// The database file that answered.
    pub file: &'a str,
}

/// One AS record: 16 bytes, shared by the ranges that point to it.
#[derive(Clone, Copy, Debug)]
struct Info {
    asn: u32,
    country: [u8; 2],
    name_at: u32,
    name_len: u32,
}

/// Sorted, non-overlapping ranges of one address family.
#[derive(Debug, Default)]
struct Ranges<T> {
    starts: Vec<T>,
    ends: Vec<T>,
    infos: Vec<u32>,
}

impl<T: Copy + Ord> Ranges<T> {
    fn find(&self, x: T) -> Option<u32> {
        let i = self.starts.partition_point(|&s| s <= x).checked_sub(1)?;
        (self.ends[i] >= x).then(|| self.infos[i])
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    fn heap_bytes(&self) -> usize {
        (self.starts.capacity() + self.ends.capacity()) * std::mem::size_of::<T>()
            + self.infos.capacity() * 4
    }
}

/// The ranges of one database file.
#[derive(Debug)]
pub struct Table {
    file: String,
    kind: Kind,
    v4: Ranges<u32>,
    v6: Ranges<u128>,
    infos: Vec<Info>,
    names: String,
}

impl Table {
    fn hit(&self, info: u32) -> Option<Hit<'_>> {
        let i = self.infos.get(info as usize)?;
        let at = i.name_at as usize;
        Some(Hit {
            asn: i.asn,
            name: self.names.get(at..at + i.name_len as usize).unwrap_or(""),
            country: std::str::from_utf8(&i.country).unwrap_or("").trim_end_matches('\0'),
            file: &self.file,
        })
    }

    fn lookup(&self, ip: IpAddr) -> Option<Hit<'_>> {
        let info = match ip.to_canonical() {
            IpAddr::V4(a) => self.v4.find(u32::from(a)),
            IpAddr::V6(a) => self.v6.find(u128::from(a)),
        }?;
        self.hit(info)
    }

    /// The file's name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The file's layout.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Ranges kept.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True when no range was kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes of the table.
    pub fn heap_bytes(&self) -> usize {
        self.v4.heap_bytes()
            + self.v6.heap_bytes()
            + self.infos.capacity() * std::mem::size_of::<Info>()
            + self.names.capacity()
    }
}

/// Every IP database loaded, one table per file, in file-name order.
#[derive(Debug, Default)]
pub struct IpDb {
    tables: Vec<Table>,
}

impl IpDb {
    /// True when no database file was loaded.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// The tables, in file-name order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// The AS an address belongs to: from the first file (by name) whose ranges cover it with an
    /// AS number.
    pub fn asn(&self, ip: IpAddr) -> Option<Hit<'_>> {
        self.tables.iter().filter(|t| t.kind.has_asn()).find_map(|t| t.lookup(ip))
    }

    /// The country of an address: from the first file (by name) whose ranges cover it with a
    /// country.
    pub fn country(&self, ip: IpAddr) -> Option<Hit<'_>> {
        self.tables.iter().find_map(|t| t.lookup(ip).filter(|h| !h.country.is_empty()))
    }

    /// Heap bytes of every table.
    pub fn heap_bytes(&self) -> usize {
        self.tables.iter().map(Table::heap_bytes).sum()
    }

    /// Adds a file's table, keeping file-name order (equal names keep load order, which the
    /// ingest layer makes deterministic by numbering files in the order given).
    pub(crate) fn add(&mut self, table: Table) {
        let at = self.tables.partition_point(|t| t.file <= table.file);
        self.tables.insert(at, table);
    }
}

/// An address as a range bound: an IP address or a decimal number (IPv4 up to 2³²−1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    V4(u32),
    V6(u128),
}

fn bound(text: &str) -> Option<Bound> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(match ip {
            IpAddr::V4(a) => Bound::V4(u32::from(a)),
            IpAddr::V6(a) => Bound::V6(u128::from(a)),
        });
    }
    if !t.is_empty() && t.len() <= 39 && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: u128 = t.parse().ok()?;
        return Some(match u32::try_from(n) {
            Ok(v) => Bound::V4(v),
            Err(_) => Bound::V6(n),
        });
    }
    None
}

fn asn_of(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_prefix("AS").or_else(|| t.strip_prefix("as")).unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A two-letter country code, upper case; `None`, `Unknown`, `ZZ` and anything else are none.
fn country_of(text: &str) -> Option<[u8; 2]> {
    let t = text.trim().as_bytes();
    match t {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            let c = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
            (c != *b"ZZ").then_some(c)
        }
        _ => None,
    }
}

/// The fields of a line: tab-separated, or for CSV the first fields up to `n - 1` split at commas
/// and the rest as one field (an AS name may hold commas; it is quoted then, `""` for a quote).
fn fields(line: &str, tabs: bool, n: usize) -> Vec<String> {
    if tabs {
        return line.split('\t').map(str::to_owned).collect();
    }
    let mut out: Vec<String> = line.splitn(n, ',').map(str::to_owned).collect();
    if out.len() == n
        && let Some(last) = out.last_mut()
    {
        let t = last.trim();
        if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
            *last = t[1..t.len() - 1].replace("\"\"", "\"");
        }
    }
    out
}

fn header(line: &str) -> bool {
    let l = line.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
    l.starts_with("range_start\t") || l.starts_with("start,end,") || l.starts_with("ip_start")
}

/// Recognizes an IP database by its first line (a header line may come first): two addresses
/// and an AS number or a country, tab- or comma-separated. Decided on the same bytes however the
/// input was chunked (the pipeline's sniff window).
pub(crate) fn sniff(head: &[u8]) -> Option<Kind> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').filter(|l| !l.trim().is_empty());
    let mut first = lines.next()?;
    if header(first) {
        first = lines.next()?;
    }
    let first = first.trim_start_matches('\u{feff}').trim_end_matches('\r');
    let tabs = first.contains('\t');
    let f = fields(first, tabs, 4);
    let (Some(a), Some(b)) = (f.first().and_then(|x| bound(x)), f.get(1).and_then(|x| bound(x)))
    else {
        return None;
    };
    if std::mem::discriminant(&a) != std::mem::discriminant(&b) {
        return None;
    }
    let third = f.get(2).map(String::as_str).unwrap_or("");
    match (tabs, f.len()) {
        (true, 3) if country_of(third).is_some() => Some(Kind::Ip2Country),
        (true, n) if n >= 4 && asn_of(third).is_some() => Some(Kind::Ip2Asn),
        (false, 3) if country_of(third).is_some() => Some(Kind::LocationCountry),
        (false, 4) if asn_of(third).is_some() => Some(Kind::LocationAsn),
        _ => None,
    }
}

/// Why a row was not kept, and the column to point at.
type Skip = (&'static str, u64, Option<String>);

/// Reads the lines of one database file into a [`Table`].
#[derive(Debug)]
pub(crate) struct Reader {
    kind: Kind,
    file: String,
    partial: Vec<u8>,
    /// The current line is longer than [`MAX_LINE`]: skipped up to its end.
    overlong: bool,
    line: u64,
    v4: Vec<(u32, u32, u32, u32)>,
    v6: Vec<(u128, u128, u32, u32)>,
    infos: Vec<Info>,
    names: String,
    index: HashTable<u32>,
}

/// What reading one line gave.
pub(crate) enum Row {
    /// A blank line or the header: not a row.
    None,
    /// A range (its rows are counted when the table is finished).
    Range,
    /// A row skipped: reason, column, diagnostic.
    Skipped(&'static str, u64, Option<String>),
}

impl Reader {
    pub(crate) fn new(kind: Kind, file: &str) -> Reader {
        Reader {
            kind,
            file: file.to_owned(),
            partial: Vec::new(),
            overlong: false,
            line: 0,
            v4: Vec::new(),
            v6: Vec::new(),
            infos: Vec::new(),
            names: String::new(),
            index: HashTable::new(),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// Feeds bytes; `on(line, row)` is called for every complete line (and the last one at `eof`).
    pub(crate) fn push(&mut self, chunk: &[u8], eof: bool, on: &mut dyn FnMut(u64, Row)) {
        let mut rest = chunk;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            let (part, tail) = rest.split_at(at);
            rest = &tail[1..];
            self.line += 1;
            if self.overlong || self.partial.len() + part.len() > MAX_LINE {
                self.overlong = false;
                self.partial.clear();
                on(self.line, Row::Skipped("record too long", 0, Some(too_long())));
                continue;
            }
            let row = if self.partial.is_empty() {
                self.read(part)
            } else {
                self.partial.extend_from_slice(part);
                let whole = std::mem::take(&mut self.partial);
                let row = self.read(&whole);
                self.partial = whole;
                self.partial.clear();
                row
            };
            on(self.line, row);
        }
        if self.overlong || self.partial.len() + rest.len() > MAX_LINE {
            self.overlong = true;
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(rest);
        }
        if eof && (self.overlong || !self.partial.is_empty()) {
            self.line += 1;
            let row = if self.overlong {
                Row::Skipped("record too long", 0, Some(too_long()))
            } else {
                let whole = std::mem::take(&mut self.partial);
                self.read(&whole)
            };
            self.overlong = false;
            on(self.line, row);
        }
    }

    fn read(&mut self, bytes: &[u8]) -> Row {
        let text = String::from_utf8_lossy(bytes);
        let line = text.trim_end_matches('\r');
        if line.trim().is_empty() || (self.line == 1 && header(line)) {
            return Row::None;
        }
        match self.parse(line) {
            Ok(()) => Row::Range,
            Err((reason, col, msg)) => Row::Skipped(reason, col, msg),
        }
    }

    fn parse(&mut self, line: &str) -> Result<(), Skip> {
        let line = line.trim_start_matches('\u{feff}');
        let n = if self.kind.has_asn() { 4 } else { 3 };
        let f = fields(line, self.kind.tabs(), n);
        let want = if self.kind == Kind::Ip2Asn { 4 } else { n };
        if f.len() < want {
            let m = format!(
                "IP database row has {} fields, expected {want} or more ({})",
                f.len(),
                self.kind.format()
            );
            return Err(("wrong field count", f.len() as u64 + 1, Some(m)));
        }
        let bad = |col: u64, what: &str, v: &str| {
            let v: String = v.chars().take(60).collect();
            Err((
                "unparseable range",
                col,
                Some(format!("unparseable {what} {v:?} in IP database row")),
            ))
        };
        let Some(start) = bound(&f[0]) else { return bad(1, "range start", &f[0]) };
        let Some(end) = bound(&f[1]) else { return bad(2, "range end", &f[1]) };
        let (asn, country, name) = if self.kind.has_asn() {
            let Some(asn) = asn_of(&f[2]) else { return bad(3, "AS number", &f[2]) };
            if self.kind == Kind::Ip2Asn {
                (asn, country_of(&f[3]), f.get(4..).map(|r| r.join("\t")).unwrap_or_default())
            } else {
                (asn, None, f[3].clone())
            }
        } else {
            (0, country_of(&f[2]), String::new())
        };
        if self.kind.has_asn() && asn == 0 {
            // IPtoASN writes unrouted space as AS 0, "None", "Not routed".
            return Err(("not routed (AS 0)", 3, None));
        }
        if !self.kind.has_asn() && country.is_none() {
            return Err(("no country", 3, None));
        }
        let line = u32::try_from(self.line).unwrap_or(u32::MAX);
        match (start, end) {
            (Bound::V4(s), Bound::V4(e)) if s <= e => {
                let info = self.info(asn, country, &name);
                self.v4.push((s, e, info, line));
            }
            (Bound::V6(s), Bound::V6(e)) if s <= e => {
                let info = self.info(asn, country, &name);
                self.v6.push((s, e, info, line));
            }
            (Bound::V4(_), Bound::V4(_)) | (Bound::V6(_), Bound::V6(_)) => {
                let m = format!("range ends before it starts ({} > {})", f[0].trim(), f[1].trim());
                return Err(("range ends before it starts", 2, Some(m)));
            }
            _ => {
                let m = "range start and end are of different address families".to_owned();
                return Err(("range families differ", 2, Some(m)));
            }
        }
        Ok(())
    }

    /// The record number of (AS, country, name), interned once per file.
    fn info(&mut self, asn: u32, country: Option<[u8; 2]>, name: &str) -> u32 {
        let name = name.trim();
        let mut cut = name.len().min(MAX_NAME);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let name = &name[..cut];
        let country = country.unwrap_or([0, 0]);
        let hash = hash_of(&(asn, country, name));
        let Reader { infos, names, index, .. } = self;
        if let Some(&i) = index.find(hash, |&i| {
            let x = &infos[i as usize];
            let at = x.name_at as usize;
            x.asn == asn
                && x.country == country
                && names.get(at..at + x.name_len as usize) == Some(name)
        }) {
            return i;
        }
        let i = u32::try_from(infos.len()).unwrap_or(u32::MAX);
        let at = u32::try_from(names.len()).unwrap_or(u32::MAX);
        names.push_str(name);
        infos.push(Info { asn, country, name_at: at, name_len: name.len() as u32 });
        let names: &str = names;
        index.insert_unique(hash, i, |&j| {
            let x = &infos[j as usize];
            let at = x.name_at as usize;
            hash_of(&(x.asn, x.country, names.get(at..at + x.name_len as usize).unwrap_or("")))
        });
        i
    }

    /// Sorts and trims the ranges into a table; returns it with the rows that overlapped earlier
    /// ranges entirely (line numbers, to count as skipped).
    pub(crate) fn finish(self) -> (Table, Vec<u64>) {
        let mut dropped = Vec::new();
        let v4 = settle(self.v4, u32::checked_add, &mut dropped);
        let v6 = settle(self.v6, u128::checked_add, &mut dropped);
        let mut infos = self.infos;
        infos.shrink_to_fit();
        let mut names = self.names;
        names.shrink_to_fit();
        dropped.sort_unstable();
        (Table { file: self.file, kind: self.kind, v4, v6, infos, names }, dropped)
    }
}

fn too_long() -> String {
    format!("IP database line longer than {MAX_LINE} bytes")
}

/// Sorted by start (then line), each range trimmed to what it adds to the ones before.
fn settle<T: Copy + Ord + From<u8>>(
    mut raw: Vec<(T, T, u32, u32)>,
    add: fn(T, T) -> Option<T>,
    dropped: &mut Vec<u64>,
) -> Ranges<T> {
    raw.sort_unstable_by_key(|&(s, _, _, line)| (s, line));
    let mut r = Ranges {
        starts: Vec::with_capacity(raw.len()),
        ends: Vec::with_capacity(raw.len()),
        infos: Vec::with_capacity(raw.len()),
    };
    for (s, e, info, line) in raw {
        let s = match r.ends.last() {
            Some(&prev) if s <= prev => match add(prev, T::from(1)) {
                Some(next) if next <= e => next,
                _ => {
                    dropped.push(u64::from(line));
                    continue;
                }
            },
            _ => s,
        };
        r.starts.push(s);
        r.ends.push(e);
        r.infos.push(info);
    }
    r
}

/// The newest date a file name states (`2026-03-01`, `20260301`, `2026_03_01`), as `YYYY-MM-DD`;
/// `None` when it states none.
pub fn date_in_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let s = b.get(from..from + n)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    let mut best: Option<(u32, u32, u32)> = None;
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_digit() {
            continue;
        }
        let Some(y) = digits(i, 4) else { continue };
        let (m, d, end) = match b.get(i + 4) {
            Some(b'-' | b'_' | b'.') if b.get(i + 7) == b.get(i + 4) => {
                (digits(i + 5, 2), digits(i + 8, 2), i + 10)
            }
            _ => (digits(i + 4, 2), digits(i + 6, 2), i + 8),
        };
        let (Some(m), Some(d)) = (m, d) else { continue };
        if b.get(end).is_some_and(u8::is_ascii_digit)
            || !(1990..=2100).contains(&y)
            || !(1..=12).contains(&m)
            || !(1..=31).contains(&d)
        {
            continue;
        }
        best = best.max(Some((y, m, d)));
    }
    best.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(kind: Kind, text: &str) -> (IpDb, Vec<(u64, &'static str)>) {
        let mut r = Reader::new(kind, "db.tsv");
        let mut skipped = Vec::new();
        r.push(text.as_bytes(), true, &mut |line, row| {
            if let Row::Skipped(reason, _, _) = row {
                skipped.push((line, reason));
            }
        });
        let (t, dropped) = r.finish();
        skipped.extend(dropped.into_iter().map(|l| (l, "overlaps an earlier range")));
        let mut db = IpDb::default();
        db.add(t);
        (db, skipped)
    }

    fn asn(db: &IpDb, ip: &str) -> u32 {
        db.asn(ip.parse().unwrap()).map_or(0, |h| h.asn)
    }

    #[test]
    fn sniffs_each_layout_and_nothing_else() {
        assert_eq!(sniff(b"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n"), Some(Kind::Ip2Asn));
        assert_eq!(
            sniff(b"range_start\trange_end\tAS_number\tcountry_code\tAS_description\n2001::\t2001::ff\t6939\tUS\tHE\n"),
            Some(Kind::Ip2Asn)
        );
        assert_eq!(sniff(b"16777216\t16777471\tAU\n"), Some(Kind::Ip2Country));
        assert_eq!(
            sniff(b"1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"),
            Some(Kind::LocationAsn)
        );
        assert_eq!(
            sniff(b"1.0.0.0,1.0.0.255,AU\r\n1.0.1.0,1.0.3.255,CN\r\n"),
            Some(Kind::LocationCountry)
        );
        assert_eq!(sniff(b"Date (UTC),Request ID,User\n"), None);
        assert_eq!(sniff(b"1.0.0.0,2001::,13335,x\n"), None, "mixed families");
        assert_eq!(sniff(b"1.0.0.0,1.0.0.255\n"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn lookups_hold_at_range_edges() {
        let (db, skipped) = table(
            Kind::Ip2Asn,
            "1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n\
             1.0.1.0\t1.0.3.255\t0\tNone\tNot routed\n\
             1.0.4.0\t1.0.7.255\t38803\tAU\tWPL-AS-AP\n\
             255.255.255.0\t255.255.255.255\t64500\tZZ\tEDGE\n\
             2001:db8::\t2001:db8:0:ffff:ffff:ffff:ffff:ffff\t64501\tnl\tV6 NET\n",
        );
        assert_eq!(skipped, vec![(2, "not routed (AS 0)")]);
        assert_eq!(asn(&db, "0.255.255.255"), 0);
        assert_eq!(asn(&db, "1.0.0.0"), 13335);
        assert_eq!(asn(&db, "1.0.0.255"), 13335);
        assert_eq!(asn(&db, "1.0.1.0"), 0, "not routed stays unknown");
        assert_eq!(asn(&db, "1.0.3.255"), 0);
        assert_eq!(asn(&db, "1.0.4.0"), 38803);
        assert_eq!(asn(&db, "1.0.7.255"), 38803);
        assert_eq!(asn(&db, "1.0.8.0"), 0);
        assert_eq!(asn(&db, "255.255.255.255"), 64500, "the last address");
        assert_eq!(asn(&db, "::ffff:1.0.0.7"), 13335, "mapped IPv4 is IPv4");
        assert_eq!(asn(&db, "2001:db8::"), 64501);
        assert_eq!(asn(&db, "2001:db8:0:ffff:ffff:ffff:ffff:ffff"), 64501);
        assert_eq!(asn(&db, "2001:db8:1::"), 0);
        assert_eq!(asn(&db, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
        let h = db.asn("1.0.5.1".parse().unwrap()).unwrap();
        assert_eq!((h.name, h.country, h.file), ("WPL-AS-AP", "AU", "db.tsv"));
        let h = db.asn("2001:db8::1".parse().unwrap()).unwrap();
        assert_eq!(h.country, "NL", "upper-cased");
        assert_eq!(db.country("255.255.255.1".parse().unwrap()), None, "ZZ is no country");
    }

    #[test]
    fn csv_names_numbers_and_bad_rows() {
        let (db, skipped) = table(
            Kind::LocationAsn,
            "16777216,16777471,13335,\"Cloudflare, Inc.\"\n\
             1.0.4.0,1.0.7.255,AS38803,Gtelecom Pty Ltd\n\
             1.0.9.0,1.0.8.0,1,backwards\n\
             1.0.10.0,2001::,1,families\n\
             1.0.11.0,1.0.11.255,x,bad asn\n\
             nonsense\n\
             \n\
             1.0.12.0,1.0.12.255,64500,\"Say \"\"hi\"\"\"",
        );
        assert_eq!(
            skipped,
            vec![
                (3, "range ends before it starts"),
                (4, "range families differ"),
                (5, "unparseable range"),
                (6, "wrong field count")
            ]
        );
        let h = db.asn("1.0.0.9".parse().unwrap()).unwrap();
        assert_eq!((h.asn, h.name, h.country), (13335, "Cloudflare, Inc.", ""));
        assert_eq!(asn(&db, "1.0.5.5"), 38803);
        assert_eq!(db.asn("1.0.12.1".parse().unwrap()).unwrap().name, "Say \"hi\"");
        assert_eq!(db.country("1.0.0.9".parse().unwrap()), None);
    }

    #[test]
    fn overlaps_are_trimmed_by_start_and_chunking_does_not_matter() {
        let text = "10.0.0.0\t10.0.0.255\t1\tUS\tA\n\
                    10.0.0.128\t10.0.1.255\t2\tUS\tB\n\
                    10.0.0.16\t10.0.0.31\t3\tUS\tC\n";
        let (db, skipped) = table(Kind::Ip2Asn, text);
        assert_eq!(skipped, vec![(3, "overlaps an earlier range")]);
        assert_eq!(asn(&db, "10.0.0.200"), 1);
        assert_eq!(asn(&db, "10.0.1.0"), 2);
        for cut in 0..text.len() {
            let mut r = Reader::new(Kind::Ip2Asn, "x");
            let mut rows = 0;
            let mut on = |_, row| rows += u32::from(matches!(row, Row::Range));
            r.push(&text.as_bytes()[..cut], false, &mut on);
            r.push(&text.as_bytes()[cut..], true, &mut on);
            assert_eq!(rows, 3, "cut at {cut}");
            assert_eq!(r.finish().0.len(), 2);
        }
    }

    #[test]
    fn the_first_file_by_name_answers() {
        let mut db = IpDb::default();
        for (file, asn) in [("b.tsv", 2), ("a.tsv", 1)] {
            let mut r = Reader::new(Kind::Ip2Asn, file);
            r.push(
                format!("10.0.0.0\t10.0.0.255\t{asn}\tUS\tX\n").as_bytes(),
                true,
                &mut |_, _| {},
            );
            db.add(r.finish().0);
        }
        assert_eq!(asn(&db, "10.0.0.1"), 1);
        let mut r = Reader::new(Kind::LocationCountry, "0-country.csv");
        r.push(b"10.0.0.0,10.0.255.255,DE\n", true, &mut |_, _| {});
        db.add(r.finish().0);
        assert_eq!(asn(&db, "10.0.0.1"), 1, "a country-only file has no AS to give");
        assert_eq!(db.country("10.0.0.1".parse().unwrap()).unwrap().country, "DE");
        assert_eq!(db.country("10.0.9.1".parse().unwrap()).unwrap().country, "DE");
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(date_in_name("ip2asn-v4.tsv"), None);
        assert_eq!(date_in_name("ip2asn-v4-2026-03-01.tsv.gz").as_deref(), Some("2026-03-01"));
        assert_eq!(date_in_name("asn_20250105_20260210.csv").as_deref(), Some("2026-02-10"));
        assert_eq!(date_in_name("x/2025_12_31/asn-ipv4.csv").as_deref(), Some("2025-12-31"));
        assert_eq!(date_in_name("asn-2.3.2026061719.csv"), None, "ten digits are no date");
        assert_eq!(date_in_name("20261399.tsv"), None);
    }
}
