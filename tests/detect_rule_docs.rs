//! Tidy: every rule of docs/detection.md §4 has its own module whose docs carry the four headings, and
//! unit tests for a true positive and its benign look-alike.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use sessionhunt::detect::rules::RULE_IDS;

#[test]
fn every_rule_has_a_documented_module_with_tests() {
    assert_eq!(RULE_IDS.len(), 14);
    for id in RULE_IDS {
        let path =
            format!("{}/src/detect/rules/{}.rs", env!("CARGO_MANIFEST_DIR"), id.replace('-', "_"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(text.starts_with(&format!("//! `{id}`")), "{path} must open with its id");
        for heading in
            ["## What it detects", "## Why it matters", "## False positives", "## Example"]
        {
            assert!(text.contains(&format!("//! {heading}")), "{path} lacks {heading}");
        }
        assert!(text.contains("fn true_positive"), "{path} lacks a true-positive test");
        assert!(text.contains("fn benign_lookalike"), "{path} lacks a benign look-alike test");
    }
}
