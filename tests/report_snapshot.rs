//! The verdicts on the built-in demo tenant and on every format fixture, pinned as reviewed
//! snapshots (`tests/snapshots/`): a refactor must leave them exactly as they are, and a detection
//! change shows here as a diff to read and accept (`INSTA_UPDATE=always cargo test --test
//! report_snapshot`, then `git diff tests/snapshots`).
//!
//! One line per finding (id, severity, score, user, rules, rung reason) and the coverage
//! warnings, rather than the whole report: small enough to review, and every verdict is in it.
//! That the whole report is the same in the CLI and the page is checked byte for byte by the
//! browser tests (`tests/e2e/parity.test.mjs`).

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use sessionhunt::ingest::Dataset;
use sessionhunt::{Report, Settings, analyze};

fn verdicts(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{} {} {} {} [{}] {}\n",
            f.id,
            f.severity.as_str(),
            f.score,
            f.user,
            f.rules.join(","),
            f.severity_reason
        ));
    }
    for w in &report.coverage.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

#[test]
fn demo_tenant_verdicts() {
    let mut ds = Dataset::new();
    for file in sessionhunt::sim::demo_files() {
        ds.add_file(&file.name, &file.bytes);
    }
    let report = analyze(&ds, &Settings::default());
    assert!(report.findings.len() > 10, "the demo tenant has findings");
    insta::assert_snapshot!(verdicts(&report));
}

#[test]
fn format_fixtures_verdicts() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".py"))
        .collect();
    names.sort();
    let mut ds = Dataset::new();
    for name in &names {
        ds.add_file(name, &std::fs::read(format!("{dir}{name}")).expect("fixture"));
    }
    let report = analyze(&ds, &Settings::default());
    assert!(!report.findings.is_empty(), "the fixtures hold findings");
    insta::assert_snapshot!(verdicts(&report));
}
