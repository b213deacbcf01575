//! docs/rules.md is generated from the rule registry (`sessionhunt::detect::rules::catalog`) and
//! each rule module's `//!` documentation, and must be current; every rule module carries its
//! four documentation sections and unit tests for a true positive and a benign look-alike.
//!
//! After changing a rule's documentation, regenerate the file with
//! `SESSIONHUNT_UPDATE_RULES_DOC=1 cargo test --test rules_doc`.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

use sessionhunt::detect::rules::catalog;

const HEADINGS: [&str; 4] = ["What it detects", "Why it matters", "False positives", "Example"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn module_path(id: &str) -> PathBuf {
    root().join("src/detect/rules").join(format!("{}.rs", id.replace('-', "_")))
}

/// The module's `//!` lines, without the marker.
fn module_doc(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.trim_start_matches("//!")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start_matches("//!"))
                .to_owned()
        })
        .collect()
}

/// The text of one `## heading` section of a module doc.
fn section(doc: &[String], heading: &str) -> Option<String> {
    let start = doc.iter().position(|l| l.trim() == format!("## {heading}"))?;
    let body: Vec<&str> =
        doc[start + 1..].iter().take_while(|l| !l.starts_with("## ")).map(String::as_str).collect();
    Some(body.join("\n").trim().to_owned())
}

/// Renders docs/rules.md.
fn render() -> String {
    let mut out = String::from(
        "# Detection rules\n\n\
         Generated from the rule registry and each rule's module documentation by \
         `tests/rules_doc.rs`; do not edit by hand (`SESSIONHUNT_UPDATE_RULES_DOC=1 cargo test \
         --test rules_doc` rewrites it). How the rules combine into a severity is the confidence \
         ladder of docs/detection.md §5; every point value is a setting (`weights.*`).\n\n\
         | rule | evidence class | points (settings) |\n|---|---|---|\n",
    );
    let rules = catalog();
    for (id, class, weights) in &rules {
        let keys = if weights.is_empty() {
            "none".to_owned()
        } else {
            weights.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!("| [`{id}`](#{id}) | {class} | {keys} |\n"));
    }
    for (id, class, _) in &rules {
        let text = std::fs::read_to_string(module_path(id)).unwrap_or_default();
        let doc = module_doc(&text);
        // The summary: the module doc's first paragraph, however many lines it takes.
        let title = doc
            .iter()
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!("\n## {id}\n\n{title}\n\nEvidence class: {class}.\n"));
        for h in HEADINGS {
            if let Some(body) = section(&doc, h) {
                out.push_str(&format!("\n### {h}\n\n{body}\n"));
            }
        }
    }
    out
}

#[test]
fn every_rule_has_a_documented_module_with_annotated_tests() {
    let rules = catalog();
    let mut problems = Vec::new();
    for (id, _, _) in &rules {
        let path = module_path(id);
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!("{}: missing", path.display()));
            continue;
        };
        if !text.starts_with(&format!("//! `{id}`")) {
            problems.push(format!("{}: must open with //! `{id}`", path.display()));
        }
        let doc = module_doc(&text);
        for h in HEADINGS {
            if section(&doc, h).is_none_or(|b| b.is_empty()) {
                problems.push(format!("{}: no text under ## {h}", path.display()));
            }
        }
        // A test is a function right after `#[test]` inside the module's tests.
        let tests: Vec<&str> = text
            .split("#[test]")
            .skip(1)
            .filter_map(|t| t.trim_start().strip_prefix("fn "))
            .collect();
        for prefix in ["true_positive", "benign_lookalike"] {
            if !tests.iter().any(|t| t.starts_with(prefix)) {
                problems.push(format!("{}: no #[test] fn {prefix}…", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut ids: Vec<&str> = rules.iter().map(|r| r.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "rule ids are unique");
}

#[test]
fn every_rule_module_is_registered() {
    let dir = root().join("src/detect/rules");
    let registered: Vec<String> = catalog().iter().map(|r| r.0.replace('-', "_")).collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/detect/rules") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".rs")
            && !registered.iter().any(|r| r == stem)
        {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "rule modules not in the registry: {missing:?}");
}

#[test]
fn docs_rules_md_is_current() {
    let path = root().join("docs/rules.md");
    let want = render();
    if std::env::var_os("SESSIONHUNT_UPDATE_RULES_DOC").is_some() {
        std::fs::write(&path, &want).expect("write docs/rules.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run SESSIONHUNT_UPDATE_RULES_DOC=1 cargo test --test rules_doc"
    );
}

#[test]
fn sections_are_cut_at_the_next_heading() {
    let doc: Vec<String> = ["`x`: y", "", "## What it detects", "a", "b", "## Why it matters", "c"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(section(&doc, "What it detects").as_deref(), Some("a\nb"));
    assert_eq!(section(&doc, "Why it matters").as_deref(), Some("c"));
    assert_eq!(section(&doc, "Example"), None);
}
