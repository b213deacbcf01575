//! `sessionhunt hunt h1|h2`: the reference hunts' raw rows, as JSON or CSV, the same rows the
//! library's `detect::hunts` returns (which `tests/hunts_oracle.rs` checks against the DuckDB
//! translation of the KQL).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use sessionhunt::Settings;
use sessionhunt::detect::hunts::{H1_COLUMNS, H2_COLUMNS, h1, h2};
use sessionhunt::ingest::Dataset;
use sessionhunt::sim::Record;
use sessionhunt::sim::builder::Builder;
use sessionhunt::sim::write::{PORTAL_HEADER, portal_row};

fn sessionhunt() -> Command {
    Command::cargo_bin("sessionhunt").expect("the sessionhunt binary is built")
}

/// Runs `sessionhunt ARGS`, expecting success; returns stdout.
fn run(args: &[&str], paths: &[&Path]) -> String {
    let out = sessionhunt().args(args).args(paths).output().unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The files in `dir`, read as the CLI reads them (sorted by name).
fn dataset(dir: &Path) -> Dataset {
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut ds = Dataset::new();
    for p in paths {
        let name = format!(
            "{}/{}",
            dir.file_name().unwrap().to_string_lossy(),
            p.file_name().unwrap().to_string_lossy()
        );
        ds.add_file(&name, &std::fs::read(&p).unwrap());
    }
    ds
}

/// Writes the builder's sign-ins as the portal's two CSV downloads into `dir`.
fn write_portal(b: &Builder, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, interactive) in
        [("InteractiveSignIns_t.csv", true), ("NonInteractiveSignIns_t.csv", false)]
    {
        let mut csv = format!("{PORTAL_HEADER}\n");
        for r in &b.records {
            if let Record::SignIn(s) = r
                && s.interactive == interactive
            {
                csv.push_str(&portal_row(s, "Contoso"));
                csv.push('\n');
            }
        }
        std::fs::write(dir.join(name), csv).unwrap();
    }
}

#[test]
fn json_rows_are_the_library_rows_of_a_simulated_tenant() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tenant");
    let dir_arg = dir.to_str().unwrap();
    run(&["demo", "--layout", "portal", "--users", "30", "--days", "14", "--out", dir_arg], &[]);
    let ds = dataset(&dir);
    for (hunt, expected) in [
        ("h1", serde_json::to_value(h1(&ds, &Settings::h1_preset())).unwrap()),
        ("h2", serde_json::to_value(h2(&ds, &Settings::default())).unwrap()),
    ] {
        let got: Value = serde_json::from_str(&run(&["hunt", hunt], &[&dir])).unwrap();
        assert!(expected.as_array().is_some_and(|a| a.len() > 5), "{hunt}: {expected}");
        assert_eq!(got, expected, "{hunt}");
        // The same rows as CSV: a header of the columns, then one record per row, in order.
        let csv = run(&["hunt", hunt, "--format", "csv"], &[&dir]);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let columns: &[&str] = if hunt == "h1" { &H1_COLUMNS } else { &H2_COLUMNS };
        assert_eq!(reader.headers().unwrap(), columns);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let rows = got.as_array().unwrap();
        assert_eq!(records.len(), rows.len(), "{hunt}");
        for (record, row) in records.iter().zip(rows) {
            for (cell, column) in record.iter().zip(columns) {
                let want = match &row[*column] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, want, "{hunt} {column}");
            }
        }
    }
}

#[test]
fn h1_follows_the_kql_and_csv_neutralizes_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = Builder::new();
    b.i("Erin@Contoso.test", "2026-03-05T08:00:00Z", "198.51.100.90", 7922);
    // Another spelling: KQL's join on UserPrincipalName is case-sensitive, so no baseline.
    b.ni("erin@contoso.test", "2026-03-27T08:00:00Z", "192.0.2.7", 3320);
    let row = b.ni("Erin@Contoso.test", "2026-03-28T08:00:00Z", "192.0.2.8", 3320);
    row.user_agent = "=HYPERLINK(\"http://x.test\")".into();
    row.app_name = "@SUM(1)".into();
    b.i("zed@contoso.test", "2026-03-31T12:00:00Z", "198.51.100.250", 7922);
    write_portal(&b, tmp.path());

    let json: Value = serde_json::from_str(&run(&["hunt", "h1"], &[tmp.path()])).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["user"], "Erin@Contoso.test");
    assert_eq!(rows[0]["user_agent"], "=HYPERLINK(\"http://x.test\")", "JSON keeps the text");

    let csv = run(&["hunt", "h1", "--format", "csv"], &[tmp.path()]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| record[H1_COLUMNS.iter().position(|c| *c == name).unwrap()].to_owned();
    assert_eq!(cell("user_agent"), "'=HYPERLINK(\"http://x.test\")");
    assert_eq!(cell("app"), "'@SUM(1)");
    assert_eq!(cell("baseline_ip_count"), "1");
    assert_eq!(cell("nearby_interactive"), "false");
}

#[test]
fn settings_replace_the_hunt_windows_and_empty_results_keep_the_header() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = Builder::new();
    b.i("alice@contoso.test", "2026-03-10T08:00:00Z", "198.51.100.20", 7922);
    b.ni("alice@contoso.test", "2026-03-12T08:00:00Z", "203.0.113.5", 14061); // 19 days back
    b.i("zed@contoso.test", "2026-03-31T12:00:00Z", "198.51.100.250", 7922);
    let data = tmp.path().join("data");
    write_portal(&b, &data);

    // H1's own 7-day detection window misses the refresh: no rows, header only.
    assert_eq!(run(&["hunt", "h1"], &[&data]).trim(), "[]");
    let csv = run(&["hunt", "h1", "--format", "csv"], &[&data]);
    assert_eq!(csv, format!("{}\r\n", H1_COLUMNS.join(",")));
    assert_eq!(
        run(&["hunt", "h2", "--format", "csv"], &[&data]),
        format!("{}\r\n", H2_COLUMNS.join(","))
    );

    // A settings file replaces the windows: the whole span finds it.
    let settings = tmp.path().join("wide.toml");
    std::fs::write(&settings, "ip_prevalence_scope = \"candidates\"\n").unwrap();
    let settings_arg = settings.to_str().unwrap();
    let json: Value =
        serde_json::from_str(&run(&["hunt", "h1", "--settings", settings_arg], &[&data])).unwrap();
    let ips: Vec<&str> =
        json.as_array().unwrap().iter().map(|r| r["ip"].as_str().unwrap()).collect();
    assert_eq!(ips, ["203.0.113.5"]);
}

#[test]
fn bad_usage_and_unreadable_input_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.csv");
    for args in [
        vec!["hunt", "h3", "x.csv"],
        vec!["hunt", "h1"],
        vec!["hunt", "h1", "--format", "table", "x.csv"],
    ] {
        let out = sessionhunt().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = sessionhunt().args(["hunt", "h2"]).arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "detection_days = \"seven\"\n").unwrap();
    let out =
        sessionhunt().args(["hunt", "h1", "--settings"]).arg(&bad).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid settings file"));
}
