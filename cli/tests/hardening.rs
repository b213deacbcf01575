//! Hostile and broken inputs through the CLI: truncated files, JSON named .csv, an enormous single
//! line, deeply nested JSON, invalid UTF-8 and 100 000 distinct users. Each must give a report (exit
//! 0), account for every row, and say what is wrong with file and line; none may crash.
//! The browser runs the same cases in tests/e2e/hardening.test.mjs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/formats").join(name),
    )
    .unwrap()
}

/// Runs `sessionhunt analyze` on one file; asserts exit 0 and a well-formed report whose row
/// accounting holds; returns the report and stderr.
fn analyze(path: &Path) -> (Value, String) {
    let out = Command::cargo_bin("sessionhunt").unwrap().arg("analyze").arg(path).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    for input in report["inputs"].as_array().unwrap() {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert!(n("rows") >= n("events") + n("duplicates") + n("skipped"), "{input}");
        let reasons: u64 = input["skipped_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(reasons, n("skipped"), "every skipped row has a reason: {input}");
    }
    (report, stderr)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn input(report: &Value) -> &Value {
    &report["inputs"][0]
}

fn diagnostics(report: &Value) -> Vec<(u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["message"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn a_truncated_portal_csv_keeps_its_complete_rows_and_names_the_cut_row() {
    let dir = tempfile::tempdir().unwrap();
    let full = fixture("portal_49_columns.csv");
    let (whole, _) = analyze(&write(dir.path(), "whole.csv", &full));
    let whole_events = input(&whole)["events"].as_u64().unwrap();
    assert!(whole_events >= 2);
    // Cut inside the last row.
    let last_row_start = full[..full.len() - 2].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let cut = &full[..last_row_start + 40];
    let (report, stderr) = analyze(&write(dir.path(), "cut.csv", cut));
    assert_eq!(input(&report)["format"], "entra-portal-csv");
    assert_eq!(input(&report)["events"].as_u64().unwrap(), whole_events - 1);
    assert_eq!(input(&report)["skipped"], 1);
    let line = 1 + full[..last_row_start].iter().filter(|&&b| b == b'\n').count() as u64;
    let diags = diagnostics(&report);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, line, "{diags:?}");
    assert!(stderr.contains(&format!("cut.csv:{line}:")), "{stderr}");
}

#[test]
fn a_truncated_json_array_keeps_its_complete_records() {
    let dir = tempfile::tempdir().unwrap();
    let full = fixture("graph_array_compact.json");
    let (report, stderr) = analyze(&write(dir.path(), "cut.json", &full[..full.len() / 2]));
    assert_eq!(input(&report)["format"], "graph-signin-json");
    assert!(input(&report)["events"].as_u64().unwrap() >= 1);
    assert_eq!(input(&report)["skipped_reasons"][0]["reason"], "truncated JSON");
    assert!(stderr.contains("cut.json:1:") && stderr.contains("truncated JSON"), "{stderr}");
}

#[test]
fn json_named_csv_is_read_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = fixture("graph_array_compact.json");
    let (as_json, _) = analyze(&write(dir.path(), "signins.json", &json));
    let (as_csv, _) = analyze(&write(dir.path(), "signins.csv", &json));
    assert_eq!(input(&as_csv)["format"], "graph-signin-json");
    assert_eq!(input(&as_csv)["events"], input(&as_json)["events"]);
    // The same findings (their events name the file, which differs).
    let ids = |r: &Value| -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["id"].to_string(), f["severity"].to_string()))
            .collect()
    };
    assert!(!ids(&as_json).is_empty());
    assert_eq!(ids(&as_csv), ids(&as_json));
}

#[test]
fn an_enormous_single_line_is_one_skipped_row() {
    let dir = tempfile::tempdir().unwrap();
    let header = fixture("portal_49_columns.csv");
    let header = &header[..=header.iter().position(|&b| b == b'\n').unwrap()];
    // 50 MB without a newline after a valid header, and as a JSON string value.
    let mut csv = header.to_vec();
    csv.extend(std::iter::repeat_n(b'A', 50 << 20));
    let (report, _) = analyze(&write(dir.path(), "long.csv", &csv));
    assert_eq!(input(&report)["rows"], 1);
    assert_eq!(input(&report)["skipped"], 1);
    assert_eq!(diagnostics(&report)[0].0, 2);

    let mut json = br#"[{"createdDateTime":""#.to_vec();
    json.extend(std::iter::repeat_n(b'A', 50 << 20));
    json.extend(br#""}]"#);
    let (report, stderr) = analyze(&write(dir.path(), "long.json", &json));
    assert_eq!(input(&report)["rows"], 1);
    assert_eq!(input(&report)["skipped"], 1);
    assert!(stderr.contains("long.json:1:"), "{stderr}");
}

#[test]
fn deeply_nested_json_is_a_diagnostic_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let cases: [(&str, String); 3] = [
        ("brackets.json", format!("{}{}", "[".repeat(depth), "]".repeat(depth))),
        ("objects.json", format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))),
        (
            "inside_a_record.json",
            format!(
                r#"[{{"createdDateTime":"2026-03-01T00:00:00Z","userPrincipalName":"a@b.c","x":{}{}}}]"#,
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
    ];
    for (name, text) in cases {
        let (report, stderr) = analyze(&write(dir.path(), name, text.as_bytes()));
        assert_eq!(input(&report)["events"], 0, "{name}");
        assert_eq!(input(&report)["skipped"], 1, "{name}");
        assert!(stderr.contains(&format!("{name}:1:")), "{name}: {stderr}");
    }
    // Unclosed: the whole file is one truncated record.
    let (report, stderr) =
        analyze(&write(dir.path(), "unclosed.json", "[".repeat(depth).as_bytes()));
    assert_eq!(input(&report)["skipped"], 1);
    assert!(stderr.contains("unclosed.json:1:"), "{stderr}");
}

#[test]
fn invalid_utf8_keeps_csv_rows_and_skips_json_records_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let csv = fixture("portal_49_columns.csv");
    let (clean, _) = analyze(&write(dir.path(), "clean.csv", &csv));
    let mut broken = csv.clone();
    let at = broken.windows(5).position(|w| w == b"Alice").unwrap();
    broken[at + 2] = 0xff; // "Al\xffce": not UTF-8
    let (report, stderr) = analyze(&write(dir.path(), "broken.csv", &broken));
    assert_eq!(input(&report)["events"], input(&clean)["events"], "no row lost");
    assert_eq!(input(&report)["skipped"], 0);
    // Not silent: the row that had bytes replaced is named, with its line and field.
    let line = broken[..at].iter().filter(|&&c| c == b'\n').count() as u64 + 1;
    let diags = report["diagnostics"].as_array().unwrap();
    let d = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("invalid UTF-8 in field"))
        .unwrap_or_else(|| panic!("no diagnostic for the replaced bytes: {diags:?}"));
    assert_eq!((d["file"].as_str(), d["line"].as_u64()), (Some("broken.csv"), Some(line)));
    assert!(d["column"].as_u64().unwrap() > 1, "{d}");
    assert!(stderr.contains(&format!("broken.csv:{line}:")), "{stderr}");
    assert!(
        !clean["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("UTF-8")),
        "the clean file has no UTF-8 diagnostic"
    );

    let json = fixture("graph_array_compact.json");
    let at = json.windows(21).position(|w| w == br#""userPrincipalName":""#).unwrap() + 21;
    let mut broken = json.clone();
    broken.splice(at..at, [0xff, 0xfe]);
    let (report, stderr) = analyze(&write(dir.path(), "broken.json", &broken));
    let (clean, _) = analyze(&write(dir.path(), "clean.json", &json));
    assert_eq!(
        input(&report)["events"].as_u64().unwrap() + 1,
        input(&clean)["events"].as_u64().unwrap()
    );
    assert_eq!(input(&report)["skipped"], 1);
    assert!(stderr.contains("broken.json:1:"), "{stderr}");
}

#[test]
fn a_hundred_thousand_distinct_users_are_all_counted() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Date (UTC),Request ID,Username,IP address,Status\n");
    for i in 0..100_000u32 {
        let _ = writeln!(
            csv,
            "2026-03-{:02}T{:02}:{:02}:00Z,{i:08x}-0000-4000-8000-000000000000,user{i:06}@example.com,198.51.{}.{},Success",
            1 + i % 28,
            i % 24,
            i % 60,
            (i >> 8) % 256,
            i % 256
        );
    }
    let (report, _) = analyze(&write(dir.path(), "users.csv", csv.as_bytes()));
    assert_eq!(input(&report)["format"], "entra-portal-csv");
    assert_eq!(input(&report)["events"], 100_000);
    assert_eq!(report["coverage"]["users"], 100_000);
}

#[test]
fn binary_and_empty_files_are_reported_as_unrecognized() {
    let dir = tempfile::tempdir().unwrap();
    let (report, stderr) =
        analyze(&write(dir.path(), "photo.csv", &[0x89, b'P', b'N', b'G', 0, 0, 0xff, 0]));
    assert_eq!(input(&report)["events"], 0);
    assert!(stderr.contains("photo.csv"), "{stderr}");
    let (report, _) = analyze(&write(dir.path(), "empty.json", b""));
    assert_eq!(input(&report)["rows"], 0);
}
