//! Tidy: the documentation the code cites exists, so a maintainer who clones the repository can read
//! the specification the code implements.
//!
//! - Every `docs/<name>.md` cited in a source file (or in ARCHITECTURE.md) is a file of `docs/`, and
//!   every section it cites (`§5`, `§1.3`, `§2.3–2.5`, `§1/§4`) is a numbered heading of that file.
//! - No source file cites the shared folder's specification files by their bare names (the domain,
//!   formats, peers, style and tooling files outside the repository): they cite `docs/` instead.
//! - Every path ARCHITECTURE.md names in backticks (`src/…`, `www/…`, `cli/…`, `tests/…`, …)
//!   exists.
//!
//! The parsers are hand-written (a few dozen lines over `char`s): the citation forms are the
//! project's own, and a regex crate would be a dependency for this one test.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Where sources live (relative to the repository root).
const SOURCE_DIRS: [&str; 9] =
    ["src", "cli", "www", "tests", "benches", "examples", "scripts", "fuzz", ".github"];

/// Text files that can carry citations; data files (exports, fuzz inputs) are log content, not
/// documentation, and are not read.
const SOURCE_EXTENSIONS: [&str; 12] =
    ["rs", "toml", "md", "py", "sql", "mjs", "js", "sh", "html", "css", "yml", "yaml"];

/// Generated or third-party folders.
const SKIPPED_DIRS: [&str; 5] = ["target", "node_modules", "artifacts", "corpus", "regressions"];

/// The specification files of the shared folder, which is not part of the repository. Spelt in
/// pieces so that this file does not cite them itself.
const SHARED: [&str; 6] = [
    concat!("domain", ".md"),
    concat!("formats", ".md"),
    concat!("peers", ".md"),
    concat!("style", ".md"),
    concat!("tooling", ".md"),
    concat!("formats-sts-and-directory-audit", ".md"),
];

/// Path prefixes ARCHITECTURE.md's backticked paths are checked for.
const ARCHITECTURE_PREFIXES: [&str; 9] =
    ["src/", "www/", "cli/", "tests/", "scripts/", "docs/", "benches/", "examples/", "fuzz/"];

/// One citation of a project document: `docs/<file>` and the sections named after it.
#[derive(Debug, PartialEq, Eq)]
struct Citation {
    /// 1-based line of `docs/`.
    line: usize,
    /// The file name inside `docs/`, e.g. `detection.md`.
    file: String,
    /// The cited section numbers, e.g. `["2.3", "2.5"]`; empty when the whole file is cited.
    sections: Vec<String>,
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

/// True when a character can be part of a path or a name, so that a match next to it is only a
/// piece of a longer word (`mydocs/`, `shared/docs/`, `informats.md`).
fn joins_a_path(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '\\')
}

/// True when the `docs/` starting at `at` begins a project path.
fn project_docs_at(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !joins_a_path(c))
}

/// A section number (`5`, `1.3`, `5.10`) at the start of `s`, and the rest.
fn section_number(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == 0 {
        return None;
    }
    // `.` followed by a digit continues the number; a `.` that ends a sentence does not.
    while end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    Some((&s[..end], &s[end..]))
}

/// Skips spaces, and a line break followed by the next line's comment marker, so a citation may
/// continue on the next comment line (`(docs/formats.md` / `//! §2.3–2.5)`).
fn skip_gap(s: &str) -> &str {
    let s = s.trim_start_matches([' ', '\t']);
    let Some(rest) = s.strip_prefix('\n').or_else(|| s.strip_prefix("\r\n")) else { return s };
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = ["//!", "///", "//", "--", "#", "*"]
        .iter()
        .find_map(|m| rest.strip_prefix(m))
        .unwrap_or(rest);
    rest.trim_start_matches([' ', '\t'])
}

/// The sections cited right after a file name: `§5`, `§1.3, §1.4`, `§1/§4`, `§2.3–2.5`.
fn sections_after(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = skip_gap(s);
    let Some(r) = rest.strip_prefix('§') else { return out };
    rest = r;
    while let Some((number, after)) = section_number(rest.trim_start()) {
        out.push(number.to_owned());
        // What may join two sections: `, §`, `/§`, ` and §`, or a range dash with or without `§`.
        let next = ["–", "-", "..", ", §", ",§", "/§", " and §", " to §"]
            .iter()
            .find_map(|sep| after.strip_prefix(sep))
            .map(|r| r.strip_prefix('§').unwrap_or(r));
        match next {
            Some(r) if r.trim_start().starts_with(|c: char| c.is_ascii_digit()) => rest = r,
            _ => break,
        }
    }
    out
}

/// Every citation of a project document in `text`.
fn citations(text: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("docs/") {
        if !project_docs_at(text, at) {
            continue;
        }
        let after = &text[at + "docs/".len()..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
            .unwrap_or(after.len());
        // A sentence's full stop is not part of the name.
        let name = after[..name_len].trim_end_matches('.');
        if !name.ends_with(".md") || name == ".md" {
            continue;
        }
        out.push(Citation {
            line: line_of(text, at),
            file: name.to_owned(),
            sections: sections_after(&after[name.len()..]),
        });
    }
    out
}

/// Lines (1-based) where `text` names a shared-folder file bare, i.e. not as `docs/<name>` of the
/// repository, with the name found.
fn bare_citations(text: &str) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for name in SHARED {
        for (at, _) in text.match_indices(name) {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            let whole = before.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
                && after.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-')));
            if !whole {
                continue;
            }
            let project = at >= "docs/".len()
                && text[..at].ends_with("docs/")
                && project_docs_at(text, at - "docs/".len());
            if !project {
                out.push((line_of(text, at), name));
            }
        }
    }
    out.sort();
    out
}

/// The numbered headings of a Markdown document (`## 5. The ladder` gives `5`, `### 1.3 Header`
/// gives `1.3`), outside code blocks.
fn headings(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        // `5. Title` or `1.3 Title`: a plain number needs its full stop, so `## 2024 in review`
        // is no section.
        if let Some((number, rest)) = section_number(title.trim_start()) {
            let numbered = if number.contains('.') {
                rest.starts_with(' ') || rest.starts_with(". ")
            } else {
                rest.starts_with(". ")
            };
            if numbered {
                out.insert(number.to_owned());
            }
        }
    }
    out
}

/// The backticked paths of ARCHITECTURE.md that do not exist, as `line: path`. A path is looked
/// up from the repository root, and from the folder a `### `www/`` style heading names (the code
/// map lists `src/app.rs` under `www/`); a glob's last part may hold `*`; a path the repository's
/// `.gitignore` lists is generated (test artifacts) and needs not exist.
fn missing_architecture_paths(
    architecture: &str,
    gitignore: &str,
    exists: impl Fn(&str) -> bool,
) -> Vec<String> {
    let ignored: BTreeSet<&str> = gitignore
        .lines()
        .filter_map(|l| l.trim().strip_prefix('/'))
        .map(|l| l.trim_end_matches('/'))
        .collect();
    let mut base = String::new();
    let mut out = Vec::new();
    for (i, line) in architecture.lines().enumerate() {
        if let Some(title) = line.strip_prefix("### ") {
            base = title
                .split('`')
                .nth(1)
                .filter(|p| p.ends_with('/') && exists(p))
                .unwrap_or_default()
                .to_owned();
        }
        for (k, span) in line.split('`').enumerate() {
            if k % 2 == 0 || !ARCHITECTURE_PREFIXES.iter().any(|p| span.starts_with(p)) {
                continue;
            }
            if span.contains(' ') {
                continue; // a command line, not a path
            }
            let found = exists(span)
                || (!base.is_empty() && exists(&format!("{base}{span}")))
                || ignored.contains(span.trim_end_matches('/'));
            if !found {
                out.push(format!("ARCHITECTURE.md:{}: {span}", i + 1));
            }
        }
    }
    out
}

/// Whether a repository path exists; the last part of the path may be a `*` glob.
fn repo_path_exists(path: &str) -> bool {
    let full = Path::new(ROOT).join(path.trim_end_matches('/'));
    let name = full.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.contains('*') {
        return full.exists();
    }
    let Some(parent) = full.parent() else { return false };
    let Ok(entries) = std::fs::read_dir(parent) else { return false };
    entries.filter_map(Result::ok).any(|e| glob_match(name, &e.file_name().to_string_lossy()))
}

/// `*`-only glob matching of one path part.
fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Every source file (relative path and text) that may cite documentation.
fn source_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) && !name.starts_with("dist") {
                    walk(&path, out);
                }
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
            {
                out.push(path);
            }
        }
    }
    let mut paths = vec![Path::new(ROOT).join("ARCHITECTURE.md")];
    for dir in SOURCE_DIRS {
        walk(&Path::new(ROOT).join(dir), &mut paths);
    }
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(ROOT).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((rel, text));
        }
    }
    assert!(out.len() > 50, "only {} source files found under {ROOT}", out.len());
    out
}

#[test]
fn cited_documents_and_sections_exist() {
    let mut problems = Vec::new();
    let mut cited = 0;
    for (file, text) in source_files() {
        for c in citations(&text) {
            cited += 1;
            let doc = Path::new(ROOT).join("docs").join(&c.file);
            let Ok(markdown) = std::fs::read_to_string(&doc) else {
                problems.push(format!("{file}:{}: docs/{} does not exist", c.line, c.file));
                continue;
            };
            let numbered = headings(&markdown);
            for s in &c.sections {
                if !numbered.contains(s) {
                    problems.push(format!(
                        "{file}:{}: docs/{} has no section {s} (its numbered sections: {})",
                        c.line,
                        c.file,
                        numbered.iter().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} broken citation(s):\n{}", problems.len(), problems.join("\n"));
    assert!(cited >= 20, "only {cited} citations of docs/ found: is the scan reading the sources?");
}

#[test]
fn no_source_cites_the_shared_folder() {
    let mut offenders = Vec::new();
    for (file, text) in source_files() {
        for (line, name) in bare_citations(&text) {
            offenders.push(format!("{file}:{line}: {name}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} citation(s) of a file outside the repository; cite docs/detection.md or \
         docs/formats.md (with the same section) instead:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn architecture_paths_exist() {
    let read = |name: &str| {
        let path = Path::new(ROOT).join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let missing =
        missing_architecture_paths(&read("ARCHITECTURE.md"), &read(".gitignore"), repo_path_exists);
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist:\n{}",
        missing.join("\n")
    );
}

/// The parsers on small strings, so that the scans above can fail. Sample texts spell `docs/` as
/// `{docs}` and `.md` as `{md}`, so this file does not cite anything itself.
mod parsers {
    use super::*;

    fn fake(s: &str) -> String {
        s.replace("{docs}", "docs/").replace("{md}", ".md")
    }

    fn cited(s: &str) -> Vec<(usize, String, Vec<String>)> {
        citations(&fake(s)).into_iter().map(|c| (c.line, c.file, c.sections)).collect()
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_citation_with_one_section() {
        assert_eq!(
            cited("//! The ladder ({docs}detection{md} §5).\n"),
            vec![(1, "detection.md".to_owned(), v(&["5"]))]
        );
        assert_eq!(
            cited("x\n/// see {docs}formats{md} §0 note 1"),
            vec![(2, fake("formats{md}"), v(&["0"]))]
        );
        // A full stop after the number ends the sentence, not the number.
        assert_eq!(cited("in {docs}detection{md} §5.")[0].2, v(&["5"]));
        assert_eq!(cited("in {docs}formats{md} §5.10, then")[0].2, v(&["5.10"]));
    }

    #[test]
    fn lists_ranges_and_alternatives_of_sections() {
        assert_eq!(cited("{docs}formats{md} §1.3, §1.4, §1.6")[0].2, v(&["1.3", "1.4", "1.6"]));
        assert_eq!(cited("{docs}formats{md} §2.3–2.5)")[0].2, v(&["2.3", "2.5"]));
        assert_eq!(cited("{docs}detection{md} §1/§4 (zero")[0].2, v(&["1", "4"]));
        assert_eq!(cited("{docs}detection{md} §1 and §4")[0].2, v(&["1", "4"]));
        // A dash that is not a range keeps its section alone.
        assert_eq!(cited("{docs}detection{md} §4 - the rules")[0].2, v(&["4"]));
    }

    #[test]
    fn a_citation_continued_on_the_next_comment_line() {
        assert_eq!(
            cited("//! collectors write ({docs}formats{md}\n//! §2.3–2.5): a JSON array"),
            vec![(1, fake("formats{md}"), v(&["2.3", "2.5"]))]
        );
        assert_eq!(cited("-- as in {docs}detection{md}\n-- §7: H1")[0].2, v(&["7"]));
        // The next line without a section sign is not a section.
        assert_eq!(cited("{docs}detection{md}\n// 5 users")[0].2, v(&[]));
    }

    #[test]
    fn a_whole_file_and_what_is_not_a_citation() {
        assert_eq!(
            cited("see {docs}formats-ual-sign-ins{md}."),
            vec![(1, "formats-ual-sign-ins.md".to_owned(), v(&[]))]
        );
        assert_eq!(cited("[link]({docs}detection{md}#5-the-confidence-ladder)")[0].2, v(&[]));
        assert!(cited("../shared/{docs}formats{md} §1").is_empty(), "not the repository's docs/");
        assert!(cited("mydocs/x{md}").is_empty());
        assert!(cited("{docs}screenshot.png, {docs}").is_empty(), "only Markdown is cited");
        assert_eq!(cited("a {docs}a{md} b {docs}b{md} §3").len(), 2);
    }

    #[test]
    fn bare_names_of_shared_files_are_found_with_their_lines() {
        let text = fake(
            "// domain{md} §4\n\
             // {docs}formats{md} §1 is fine\n\
             // ../shared/{docs}formats{md} is not\n\
             // formats-ual-sign-ins{md} and myformats{md} are other files\n\
             // (peers{md}) and style{md}.\n",
        );
        assert_eq!(
            bare_citations(&text),
            vec![(1, SHARED[0]), (3, SHARED[1]), (5, SHARED[2]), (5, SHARED[3])]
        );
        assert!(bare_citations(&fake("{docs}detection{md} §5")).is_empty());
    }

    #[test]
    fn numbered_headings_outside_code_blocks() {
        let md = "# Title\n## 0. Keys\n### 0.1 Join keys\n## 5. The ladder\n### 5.10 Sources\n\
                  #### Unnumbered\n##5. no space\n## 2024 was a year\n```\n## 9. in code\n```\n\
                  text ## 8. not a heading\n";
        let got: Vec<String> = headings(md).into_iter().collect();
        assert_eq!(got, v(&["0", "0.1", "5", "5.10"]));
    }

    #[test]
    fn architecture_paths_resolve_from_the_root_or_their_crate() {
        let files = ["src/", "src/model.rs", "www/", "www/src/app.rs", "tests/memory.rs", "cli/"];
        let exists = |p: &str| files.contains(&p);
        let architecture = fake(
            "## Code map\n\
             ### `src/` — the core\n\
             - `model.rs` and `src/model.rs`, `src/gone.rs`\n\
             ### `www/` — the page\n\
             - `src/app.rs`: the root; `src/nope.rs`\n\
             ### Build and tests\n\
             - `tests/memory.rs`, `tests/e2e/artifacts/`, `scripts/run.sh --release x`, `{docs}x{md}`\n",
        );
        assert_eq!(
            missing_architecture_paths(&architecture, "/target\n/tests/e2e/artifacts/\n", exists),
            vec![
                "ARCHITECTURE.md:3: src/gone.rs".to_owned(),
                "ARCHITECTURE.md:5: src/nope.rs".to_owned(),
                fake("ARCHITECTURE.md:7: {docs}x{md}"),
            ]
        );
    }

    #[test]
    fn globs_match_one_path_part() {
        assert!(glob_match("*.rs", "memory.rs"));
        assert!(glob_match("fuzz_*_regressions.rs", "fuzz_analyze_regressions.rs"));
        assert!(!glob_match("*.rs", "memory.rs.orig"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(repo_path_exists("tests/*.rs"));
        assert!(!repo_path_exists("tests/*.nothing"));
    }
}
