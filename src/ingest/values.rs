//! Field value parsers shared by every reader: times, IP addresses, booleans, ids.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use chrono::{Datelike, NaiveDate};

use crate::model::{Millis, RiskLevel};

/// `NaiveDate::num_days_from_ce()` of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A tiny cursor over ASCII bytes for the hand-written time parsers (chrono's format parser is
/// several times slower, and the portal CSV has one timestamp per row on the hot path).
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        if self.i - start < min { None } else { Some(v) }
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    /// Fractional seconds after a `.`, as milliseconds (extra digits are truncated).
    fn fraction_ms(&mut self) -> u32 {
        if !self.eat(b'.') {
            return 0;
        }
        let mut ms = 0;
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !c.is_ascii_digit() {
                break;
            }
            if n < 3 {
                ms = ms * 10 + u32::from(c - b'0');
            }
            n += 1;
            self.i += 1;
        }
        while n < 3 {
            ms *= 10;
            n += 1;
        }
        ms
    }
    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
}

fn to_millis(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<Millis> {
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // chrono validates the date and counts the days; only the text parsing above is our own.
    let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?;
    let days = i64::from(date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE);
    Some(((days * 86_400 + i64::from(h * 3600 + mi * 60 + s)) * 1000) + i64::from(ms))
}

/// Parses the timestamps the exports write, as UTC milliseconds:
///
/// * ISO 8601 with `T` or a space, with or without fractional seconds (any number of digits), with
///   `Z`, an offset, or no zone (UAL `CreationTime` is UTC without a `Z`);
/// * the US-locale text of Log Analytics and the Purview / PowerShell exports:
///   `7/3/2026, 6:52:57.794 PM`, `9/26/2023 1:56:15 AM`, also 24-hour without AM/PM.
///
/// Surrounding spaces and quotes are ignored (Purview writes `"2026-01-24T06:54:24.0000000Z "`).
pub fn parse_time(s: &str) -> Option<Millis> {
    // (The char-by-char trim only when an end is not a letter or digit: rarely.)
    let edge = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    let s = if edge(s.as_bytes().first()) && edge(s.as_bytes().last()) {
        s
    } else {
        s.trim_matches(|c: char| c.is_whitespace() || c == '"')
    };
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' {
        parse_iso(b)
    } else if b.contains(&b'/') {
        parse_us(b)
    } else {
        None
    }
}

fn parse_iso(b: &[u8]) -> Option<Millis> {
    let mut c = Cur { b, i: 0 };
    let y = c.num(4, 4)?;
    if !c.eat(b'-') {
        return None;
    }
    let mo = c.num(2, 2)?;
    if !c.eat(b'-') {
        return None;
    }
    let d = c.num(2, 2)?;
    if c.peek().is_none() {
        return to_millis(y, mo, d, 0, 0, 0, 0);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let h = c.num(2, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.num(2, 2)?;
    let s = if c.eat(b':') { c.num(2, 2)? } else { 0 };
    let ms = c.fraction_ms();
    let base = to_millis(y, mo, d, h, mi, s, ms)?;
    c.skip_spaces();
    match c.peek() {
        None => Some(base),
        Some(b'Z' | b'z') => {
            c.i += 1;
            if c.peek().is_none() { Some(base) } else { None }
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let oh = c.num(2, 2)?;
            c.eat(b':');
            let om = c.num(2, 2).unwrap_or(0);
            if c.peek().is_some() || oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60) * 1000;
            Some(if sign == b'+' { base - off } else { base + off })
        }
        Some(_) => None,
    }
}

fn parse_us(b: &[u8]) -> Option<Millis> {
    let mut c = Cur { b, i: 0 };
    let mo = c.num(1, 2)?;
    if !c.eat(b'/') {
        return None;
    }
    let d = c.num(1, 2)?;
    if !c.eat(b'/') {
        return None;
    }
    let y = c.num(4, 4)?;
    c.eat(b',');
    c.skip_spaces();
    if c.peek().is_none() {
        return to_millis(y, mo, d, 0, 0, 0, 0);
    }
    let mut h = c.num(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.num(2, 2)?;
    let s = if c.eat(b':') { c.num(2, 2)? } else { 0 };
    let ms = c.fraction_ms();
    c.skip_spaces();
    let rest = &b[c.i..];
    if rest.eq_ignore_ascii_case(b"PM") {
        if h == 0 || h > 12 {
            return None;
        }
        if h != 12 {
            h += 12;
        }
    } else if rest.eq_ignore_ascii_case(b"AM") {
        if h == 0 || h > 12 {
            return None;
        }
        if h == 12 {
            h = 0;
        }
    } else if !rest.is_empty() && !rest.eq_ignore_ascii_case(b"Z") {
        return None;
    }
    to_millis(y, mo, d, h, mi, s, ms)
}

/// Parses a client IP as logged: plain IPv4/IPv6, `a.b.c.d:port`, `[v6]:port`, `[v6]`.
/// Redacted (`10.0.0.XXX`) and invalid values give `None`.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if s.is_empty() {
        return None;
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &rest[..end];
        let after = &rest[end + 1..];
        if !(after.is_empty() || (after.starts_with(':') && after[1..].parse::<u16>().is_ok())) {
            return None;
        }
        return host.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    // IPv4 with a port: exactly one colon.
    let (host, port) = s.split_once(':')?;
    if port.contains(':') || port.parse::<u16>().is_err() {
        return None;
    }
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Booleans as the exports write them: `true`/`True`/`TRUE`/`1`/`Yes`.
pub(crate) fn parse_bool(s: &str) -> bool {
    let s = s.trim();
    s.eq_ignore_ascii_case("true") || s == "1" || s.eq_ignore_ascii_case("yes")
}

/// Decodes a unique token identifier (`uti` claim) to the sign-in request id it was issued for:
/// the UTI is the unpadded base64url of the 16 bytes of the request-id GUID in .NET
/// little-endian (`Guid.ToByteArray`) order (docs/formats.md §0, note 1). Returns the lower-case GUID
/// text, or `None` when the value is not 16 bytes of base64url.
///
/// ```
/// assert_eq!(
///     sessionhunt::ingest::uti_to_request_id("Bz1hOI89WU2reqpL121fAA").as_deref(),
///     Some("38613d07-3d8f-4d59-ab7a-aa4bd76d5f00")
/// );
/// ```
pub fn uti_to_request_id(uti: &str) -> Option<String> {
    let uti = uti.trim().trim_end_matches('=');
    if uti.len() != 22 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(uti).ok()?;
    let arr: [u8; 16] = bytes.try_into().ok()?;
    Some(uuid::Uuid::from_bytes_le(arr).hyphenated().to_string())
}

/// Entra risk level text (`low`, `medium`, `high`, `none`, `hidden`) or the Defender numeric code
/// (0, 1, 10, 50, 100).
pub(crate) fn parse_risk(s: &str) -> RiskLevel {
    let s = s.trim();
    if s.eq_ignore_ascii_case("high") || s == "100" {
        RiskLevel::High
    } else if s.eq_ignore_ascii_case("medium") || s == "50" {
        RiskLevel::Medium
    } else if s.eq_ignore_ascii_case("low") || s == "10" || s == "1" {
        RiskLevel::Low
    } else {
        RiskLevel::None
    }
}

/// Puts `s` lower-cased into `buf` (reused to avoid an allocation per value) and returns it.
pub(crate) fn lower_into<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if s.bytes().all(|c| !c.is_ascii_uppercase()) {
        buf.push_str(s);
    } else if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        for c in s.chars() {
            buf.extend(c.to_lowercase());
        }
    }
    buf.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_day_number_matches_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(epoch.num_days_from_ce(), UNIX_EPOCH_DAYS_FROM_CE);
        assert_eq!(to_millis(1970, 1, 1, 0, 0, 0, 0), Some(0));
        assert_eq!(to_millis(2024, 2, 29, 23, 59, 59, 999), Some(1_709_251_199_999));
        assert_eq!(to_millis(2023, 2, 29, 0, 0, 0, 0), None, "not a leap year");
    }

    #[track_caller]
    fn check_time(s: &str, expect: Option<&str>) {
        assert_eq!(parse_time(s).map(crate::time::rfc3339).as_deref(), expect, "{s}");
    }

    #[test]
    fn times() {
        check_time("2025-12-04T08:19:41Z", Some("2025-12-04T08:19:41Z"));
        check_time("2025-12-04T08:19:41.123456Z", Some("2025-12-04T08:19:41.123Z"));
        check_time("\"2026-01-24T06:54:24.0000000Z \"", Some("2026-01-24T06:54:24Z"));
        check_time("2023-09-26T01:56:15", Some("2023-09-26T01:56:15Z"));
        check_time("2021-04-19T12:13:19.4834758+00:00", Some("2021-04-19T12:13:19.483Z"));
        check_time("2021-04-19T14:13:19+02:00", Some("2021-04-19T12:13:19Z"));
        check_time("2020-05-20 07:06:01.735", Some("2020-05-20T07:06:01.735Z"));
        check_time("7/3/2026, 6:52:57.794 PM", Some("2026-07-03T18:52:57.794Z"));
        check_time("9/26/2023 1:56:15 AM", Some("2023-09-26T01:56:15Z"));
        check_time("9/26/2023 12:56:15 AM", Some("2023-09-26T00:56:15Z"));
        check_time("9/26/2023 12:56:15 PM", Some("2023-09-26T12:56:15Z"));
        check_time("2/30/2023 1:00:00 AM", None);
        check_time("2023-13-01T00:00:00Z", None);
        check_time("yesterday", None);
        check_time("", None);
        check_time("2023-01-01T00:00:00Zjunk", None);
    }

    #[test]
    fn ips() {
        assert_eq!(parse_ip("192.0.2.10"), "192.0.2.10".parse().ok());
        assert_eq!(parse_ip("192.0.2.10:19823"), "192.0.2.10".parse().ok());
        assert_eq!(parse_ip("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip("[2001:db8::1]:443"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip("[2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip("192.0.2.XXX"), None);
        assert_eq!(parse_ip("[2001:db8::1]:x"), None);
        assert_eq!(parse_ip(""), None);
    }

    #[test]
    fn uti_examples_from_formats_md() {
        // The three public examples of docs/formats.md §0, note 1.
        assert_eq!(
            uti_to_request_id("Bz1hOI89WU2reqpL121fAA").as_deref(),
            Some("38613d07-3d8f-4d59-ab7a-aa4bd76d5f00")
        );
        assert_eq!(
            uti_to_request_id("LsK9o4dlp065CignnK6MAA").as_deref(),
            Some("a3bdc22e-6587-4ea7-b90a-28279cae8c00")
        );
        assert_eq!(
            uti_to_request_id("3kVZRE8tFkinHtPA7_EFAA").as_deref(),
            Some("445945de-2d4f-4816-a71e-d3c0eff10500")
        );
        // Microsoft's made-up doc example is not 16 bytes.
        assert_eq!(uti_to_request_id("ZTE0OTk3YTQtZjg5Mi00YjBiLWIwNTEtZmViZTA1YzJhNDli"), None);
        assert_eq!(uti_to_request_id("!!"), None);
    }
}
