//! Hand-off exports: what an analyst takes out of a finished analysis to close the case
//! (docs/detection.md §6, docs/exports.md).
//!
//! - [`kql`]: queries for Microsoft Sentinel / Log Analytics that re-run reference hunts H1 and H2
//!   and the rules KQL can express with the current settings, over the whole tenant.
//! - [`powershell`]: a Microsoft Graph PowerShell containment script, every destructive step
//!   behind `-WhatIf` until the reviewer runs it with `-Execute`.
//! - [`html`]: one self-contained HTML case report (no script, no external resource).
//! - [`timesketch`]: the affected users' events as Timesketch JSON Lines.
//!
//! Each is a pure function of the report (and the dataset or settings it needs) to text: no I/O,
//! no clock, deterministic, so the CLI and the page hand out the same bytes ([`Kind`], [`render`]). Log content is
//! hostile: every value from a log is quoted for the language it lands in (KQL string literals,
//! PowerShell single-quoted strings, HTML text, JSON strings) and never reaches a comment
//! unescaped.
//!
//! Which findings an export covers is one rule for all of them ([`Selection`]): findings at or
//! above a severity, plus every finding graded true positive, minus those graded false positive or
//! benign true positive ([`grades`]).

pub mod grades;
pub mod html;
pub mod kql;
pub mod powershell;
pub mod timesketch;

use std::collections::{BTreeMap, BTreeSet};

pub use grades::{Grade, GradeEntry, Grades};

/// One hand-off export, as the page offers it (the CLI has a command per kind).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The HTML case report ([`html`]).
    CaseReport,
    /// The PowerShell containment script ([`powershell`]).
    Containment,
    /// The KQL queries ([`kql`]).
    Kql,
    /// The Timesketch JSON Lines ([`timesketch`]).
    Timesketch,
}

impl Kind {
    /// Every kind, in the order the page offers them.
    pub const ALL: [Kind; 4] = [Kind::CaseReport, Kind::Containment, Kind::Kql, Kind::Timesketch];

    /// The file name the page saves it as.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::CaseReport => "sessionhunt-case-report.html",
            Kind::Containment => "sessionhunt-containment.ps1",
            Kind::Kql => "sessionhunt-hunt.kql",
            Kind::Timesketch => "sessionhunt-timesketch.jsonl",
        }
    }

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::CaseReport => "text/html",
            Kind::Containment => "text/plain",
            Kind::Kql => "text/plain",
            Kind::Timesketch => "application/x-ndjson",
        }
    }

    /// What the page's button says.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CaseReport => "Case report (HTML)",
            Kind::Containment => "Containment script (PowerShell)",
            Kind::Kql => "Hunt queries (KQL for Sentinel)",
            Kind::Timesketch => "Timeline (Timesketch JSONL)",
        }
    }

    /// The CLI command that writes the same bytes.
    pub fn command(self) -> &'static str {
        match self {
            Kind::CaseReport => "report",
            Kind::Containment => "contain",
            Kind::Kql => "kql",
            Kind::Timesketch => "timesketch",
        }
    }
}

/// The export `kind` of an analysis, exactly as the CLI's command writes it for the same inputs
/// and options: `hashes` are the inputs' SHA-256 ([`InputHash`]; the case report lists them).
pub fn render(
    kind: Kind,
    report: &Report,
    dataset: &Dataset,
    settings: &crate::Settings,
    selection: &Selection,
    hashes: &BTreeMap<String, String>,
) -> String {
    match kind {
        Kind::CaseReport => {
            let evidence = Evidence::of(report, dataset);
            let case =
                Case { selection, settings, evidence: &evidence, hashes, version: crate::VERSION };
            html(report, &case)
        }
        Kind::Containment => powershell(report, selection, crate::VERSION),
        Kind::Kql => kql(settings, Some(report), selection, crate::VERSION),
        Kind::Timesketch => timesketch(report, dataset, selection),
    }
}

/// The SHA-256 of an input file fed in chunks, as the case report lists it (lower-case hex).
#[derive(Clone, Debug, Default)]
pub struct InputHash(sha2::Sha256);

impl InputHash {
    /// Feeds the next bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        sha2::Digest::update(&mut self.0, chunk);
    }

    /// The digest as lower-case hex.
    pub fn hex(self) -> String {
        sha2::Digest::finalize(self.0).iter().map(|b| format!("{b:02x}")).collect()
    }
}
pub use html::{Case, html};
pub use kql::kql;
pub use powershell::powershell;
pub use timesketch::timesketch;

use crate::ingest::Dataset;
use crate::report::{Finding, Report, Severity};

/// Which findings an export covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// Findings at or above this severity are covered unless graded otherwise. Default: `high`.
    pub min_severity: Severity,
    /// The analyst's grades: a true positive is covered whatever its severity; a false positive
    /// or a benign true positive never is.
    pub grades: Grades,
}

impl Selection {
    /// Findings at or above `min_severity`, no grades.
    pub fn at_least(min_severity: Severity) -> Selection {
        Selection { min_severity, grades: Grades::default() }
    }

    /// True when the export covers `finding`.
    pub fn covers(&self, finding: &Finding) -> bool {
        match self.grades.get(&finding.id).map(|g| g.grade) {
            Some(Grade::TruePositive) => true,
            Some(Grade::FalsePositive | Grade::BenignTruePositive) => false,
            None => finding.severity >= self.min_severity,
        }
    }

    /// The covered findings, in report order (most severe first).
    pub fn findings<'r>(&self, report: &'r Report) -> Vec<&'r Finding> {
        report.findings.iter().filter(|f| self.covers(f)).collect()
    }

    /// Findings left out only because of their grade (graded false positive or benign true
    /// positive), in report order: the exports say so instead of dropping them silently.
    pub fn excluded_by_grade<'r>(&self, report: &'r Report) -> Vec<&'r Finding> {
        report
            .findings
            .iter()
            .filter(|f| {
                matches!(
                    self.grades.get(&f.id).map(|g| g.grade),
                    Some(Grade::FalsePositive | Grade::BenignTruePositive)
                )
            })
            .collect()
    }
}

/// The covered findings grouped by user: users in order of their most severe finding (then
/// name), each user's findings in report order.
pub fn by_user<'r>(findings: &[&'r Finding]) -> Vec<(&'r str, Vec<&'r Finding>)> {
    let mut users: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        users.entry(f.user.as_str()).or_default().push(f);
    }
    let mut out: Vec<(&str, Vec<&Finding>)> = users.into_iter().collect();
    out.sort_by(|a, b| {
        let top = |fs: &[&Finding]| fs.iter().map(|f| f.severity).max().unwrap_or_default();
        top(&b.1).cmp(&top(&a.1)).then_with(|| a.0.cmp(b.0))
    });
    out
}

/// What the audit operations tied to findings carried, read from the dataset: the indicators
/// a report lists beside the findings' own (forwarding addresses, inbox-rule names).
///
/// Built by [`Evidence::of`] from the report and the dataset it came from; plain data, so a
/// caller that keeps no dataset can pass [`Evidence::default`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Per finding id: the external addresses its tied operations forward or redirect mail to.
    pub forwarding: BTreeMap<String, BTreeSet<String>>,
    /// Per finding id: the names of the inbox rules its tied operations created or changed.
    pub rule_names: BTreeMap<String, BTreeSet<String>>,
}

impl Evidence {
    /// Reads the audit details of every finding's related operations from `dataset`.
    pub fn of(report: &Report, dataset: &Dataset) -> Evidence {
        // The dataset's file numbers by name, so a row is looked up by two numbers (one hash)
        // instead of comparing file names for each of millions of events.
        let mut numbers: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (i, f) in dataset.files.iter().enumerate() {
            numbers.entry(f.name.as_str()).or_default().push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        // (file number, line) of every related operation, to the findings that cite it.
        let mut wanted: crate::detect::HashMap<(u32, u32), Vec<&str>> = Default::default();
        for f in &report.findings {
            for a in &f.related_audit {
                let Ok(line) = u32::try_from(a.source.line) else { continue };
                for &file in numbers.get(a.source.file.as_str()).into_iter().flatten() {
                    wanted.entry((file, line)).or_default().push(&f.id);
                }
            }
        }
        let mut out = Evidence::default();
        if wanted.is_empty() {
            return out;
        }
        for e in &dataset.events {
            let Some(ids) = wanted.get(&(e.source.file, e.source.line)) else { continue };
            let Some(audit) = dataset.audit(e) else { continue };
            let s = |sym| dataset.strings.resolve(sym);
            let forwards: Vec<String> = audit.forward_to.iter().map(|&f| s(f).to_owned()).collect();
            let name = audit
                .parameters
                .iter()
                .find(|(k, _)| s(*k).eq_ignore_ascii_case("Name"))
                .map(|(_, v)| s(*v).to_owned())
                .filter(|n| !n.is_empty());
            let op = s(audit.operation).to_ascii_lowercase();
            let rule_op = op.contains("inboxrule") || op.contains("inboxrules");
            for id in ids {
                if !forwards.is_empty() {
                    out.forwarding.entry((*id).to_owned()).or_default().extend(forwards.clone());
                }
                if let (true, Some(name)) = (rule_op, &name) {
                    out.rule_names.entry((*id).to_owned()).or_default().insert(name.clone());
                }
            }
        }
        out
    }
}

/// Text without control characters (line breaks, escapes, bidirectional overrides): what may
/// stand in a comment of a generated script or query, where a line break would end the comment.
pub(crate) fn comment_safe(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || is_invisible_format(c) { '?' } else { c }).collect()
}

/// Unicode format characters that reorder or hide text (bidirectional overrides and isolates,
/// line and paragraph separators): shown as `?` so a reviewer sees what they read.
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, user: &str, severity: Severity) -> Finding {
        Finding { id: id.into(), user: user.into(), severity, ..Finding::default() }
    }

    #[test]
    fn selection_follows_severity_then_grades() {
        let report = Report {
            findings: vec![
                finding("F-1", "a@x", Severity::Critical),
                finding("F-2", "b@x", Severity::High),
                finding("F-3", "c@x", Severity::Medium),
                finding("F-4", "d@x", Severity::Low),
            ],
            ..Report::default()
        };
        let plain = Selection::at_least(Severity::High);
        let ids =
            |s: &Selection| s.findings(&report).iter().map(|f| f.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&plain), ["F-1", "F-2"]);
        let graded = Selection {
            min_severity: Severity::High,
            grades: Grades::parse(
                r#"{"grades": [{"finding": "F-1", "grade": "false-positive"},
                               {"finding": "F-4", "grade": "true-positive", "note": "seen"},
                               {"finding": "F-2", "grade": "benign-true-positive"}]}"#,
            )
            .unwrap(),
        };
        assert_eq!(ids(&graded), ["F-4"], "TP in whatever its severity, FP and BTP out");
        let out: Vec<&str> =
            graded.excluded_by_grade(&report).iter().map(|f| f.id.as_str()).collect();
        assert_eq!(out, ["F-1", "F-2"]);
    }

    #[test]
    fn users_come_most_severe_first() {
        let a = finding("F-1", "zed@x", Severity::Critical);
        let b = finding("F-2", "amy@x", Severity::High);
        let c = finding("F-3", "zed@x", Severity::Medium);
        let grouped = by_user(&[&a, &b, &c]);
        assert_eq!(grouped[0].0, "zed@x");
        assert_eq!(grouped[0].1.len(), 2);
        assert_eq!(grouped[1].0, "amy@x");
    }

    #[test]
    fn comments_lose_line_breaks_and_overrides() {
        assert_eq!(comment_safe("a\nb\r\u{202e}c\u{2028}d"), "a?b??c?d");
        assert_eq!(comment_safe("plain text é"), "plain text é");
    }
}
