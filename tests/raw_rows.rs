//! The raw rows behind events (`sessionhunt::ingest::raw`): for every event ingestion reads, the
//! row at the file and line the report cites is found again, through the same containers and
//! encodings: gzip recognized by content (not by name), zip members, UTF-16, pretty JSON, chunks
//! of any size. A CSV row comes with its header's column names.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::io::Write;

use sessionhunt::ingest::Dataset;
use sessionhunt::ingest::raw::{RawRow, RawRowReader};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

fn utf16le(bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).expect("fixture is UTF-8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Every event's (file, line) and request id, as ingestion read `bytes` named `name`.
fn cited(name: &str, bytes: &[u8]) -> Vec<((String, u64), String)> {
    let mut ds = Dataset::new();
    ds.add_file(name, bytes);
    assert!(!ds.events.is_empty(), "{name}: no events read");
    ds.events
        .iter()
        .map(|e| {
            let file = ds.files[e.source.file as usize].name.clone();
            let request = ds.strings.id_text(e.request_id).to_ascii_lowercase();
            ((file, u64::from(e.source.line)), request)
        })
        .collect()
}

fn raw(name: &str, bytes: &[u8], refs: &[(String, u64)], chunk: usize) -> Vec<RawRow> {
    let mut reader = RawRowReader::new(name, refs);
    for piece in bytes.chunks(chunk) {
        if reader.done() {
            break;
        }
        reader.push(piece);
    }
    reader.finish()
}

/// Checks that every event's row is found, holds its request id, and (for CSV) names its fields
/// after the header; the same whatever the chunk size.
#[track_caller]
fn check(name: &str, bytes: &[u8], csv: bool) {
    let cited = cited(name, bytes);
    let refs: Vec<(String, u64)> = cited.iter().map(|(r, _)| r.clone()).collect();
    let rows = raw(name, bytes, &refs, 65536);
    assert_eq!(rows.len(), refs.len());
    assert_eq!(raw(name, bytes, &refs, 7), rows, "{name}: chunking changed the rows");
    for (row, ((file, line), request)) in rows.iter().zip(&cited) {
        assert_eq!((&row.file, row.line), (file, *line));
        assert!(!row.text.is_empty(), "{name}: no text for {file} line {line}");
        if !request.is_empty() {
            assert!(
                row.text.to_ascii_lowercase().contains(request.as_str()),
                "{name}: {file} line {line} does not hold request {request}: {}",
                row.text
            );
        }
        if csv {
            assert!(row.fields.len() > 5, "{name}: {file} line {line}: fields {:?}", row.fields);
            assert!(
                row.fields.iter().all(|(k, _)| !k.is_empty() && !k.starts_with('#')),
                "{name}: a field without a header name: {:?}",
                row.fields
            );
        } else {
            assert!(row.fields.is_empty(), "{name}: JSON rows have no header fields");
        }
    }
}

#[test]
fn plain_csv_rows_come_with_their_header_names() {
    let bytes = fixture("InteractiveSignIns_2026-03-01_2026-03-07.csv");
    check("InteractiveSignIns_2026-03-01_2026-03-07.csv", &bytes, true);
    let cited = cited("i.csv", &bytes);
    let refs = vec![cited[0].0.clone()];
    let row = &raw("i.csv", &bytes, &refs, 4096)[0];
    let request = row.fields.iter().find(|(k, _)| k == "Request ID").map(|(_, v)| v.to_lowercase());
    assert_eq!(request.as_deref(), Some(cited[0].1.as_str()));
}

#[test]
fn gzip_is_found_by_content_not_by_name() {
    let bytes = gzip(&fixture("NonInteractiveSignIns_2026-03-01_2026-03-07.csv"));
    check("NonInteractiveSignIns_export.csv", &bytes, true);
    check("graph_signin.jsonl.gz", &fixture("graph_signin.jsonl.gz"), false);
}

#[test]
fn zip_members_are_read_by_their_own_names() {
    let bytes = fixture("SGS_2026-03-01_2026-03-07_1_1.zip");
    check("SGS_2026-03-01_2026-03-07_1_1.zip", &bytes, true);
    let cited = cited("SGS.zip", &bytes);
    assert!(cited.iter().all(|((file, _), _)| file.starts_with("SGS.zip/")));
}

#[test]
fn utf16_text_is_decoded_before_lines_are_counted() {
    check("graph_utf16le_bom.json", &fixture("graph_utf16le_bom.json"), false);
    check("graph_utf16be_bom.json", &fixture("graph_utf16be_bom.json"), false);
    let csv = utf16le(&fixture("InteractiveSignIns_2026-03-01_2026-03-07.csv"));
    check("InteractiveSignIns_utf16.csv", &csv, true);
}

#[test]
fn pretty_json_and_audit_csv_rows_are_whole_records() {
    check("graph_array_pretty_bom.json", &fixture("graph_array_pretty_bom.json"), false);
    check("ual_purview.csv", &fixture("ual_purview.csv"), true);
}

#[test]
fn a_line_the_file_does_not_have_comes_back_empty() {
    let bytes = fixture("InteractiveSignIns_2026-03-01_2026-03-07.csv");
    let refs = vec![("i.csv".to_owned(), 1_000_000), ("other.csv".to_owned(), 2)];
    let rows = raw("i.csv", &bytes, &refs, 4096);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.text.is_empty() && r.fields.is_empty()));
}
