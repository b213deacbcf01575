//! The human and spreadsheet renderings of a report: `--format table` and `--format csv`
//! (`--format json` is `Report::to_json`, the contract shared with the browser), and of the
//! reference hunts' rows (`sessionhunt hunt`).
//!
//! Log content is hostile. In the table every string from the logs has its control characters
//! escaped, so a crafted user agent cannot move the cursor or recolour the terminal; in the CSV
//! text cells that a spreadsheet would run as a formula are neutralized (see [`csv_cell`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, Result};
use sessionhunt::report::{Finding, Report, Severity};

/// The findings grid as CSV: a header row of the grid's columns (`sessionhunt::report::grid`, the
/// page's list too), then one row per finding in the report's order (most severe first).
pub(crate) fn csv(report: &Report) -> Result<String> {
    use sessionhunt::report::grid::{CSV, Column};
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    writer.write_record(Column::ALL.iter().map(|c| c.name()))?;
    for f in &report.findings {
        writer.write_record(Column::ALL.iter().map(|c| {
            let text = c.text(f, &CSV);
            if c.from_logs() { csv_cell(&text) } else { text }
        }))?;
    }
    let bytes = writer.into_inner().context("cannot finish the CSV output")?;
    String::from_utf8(bytes).context("CSV output is not UTF-8")
}

/// A hunt's rows (a JSON array of objects, from `serde_json::to_value` of the rows) as CSV: a
/// header row of `columns` (the rows' field names, in order), then one row per result. Text
/// from the logs goes through [`csv_cell`]; numbers and booleans are written as is.
pub(crate) fn hunt_csv(columns: &[&str], rows: &serde_json::Value) -> Result<String> {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    writer.write_record(columns)?;
    for row in rows.as_array().map(Vec::as_slice).unwrap_or_default() {
        let cells = columns.iter().map(|&c| match &row[c] {
            serde_json::Value::String(s) => csv_cell(s),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        });
        writer.write_record(cells)?;
    }
    let bytes = writer.into_inner().context("cannot finish the CSV output")?;
    String::from_utf8(bytes).context("CSV output is not UTF-8")
}

/// A text cell for a spreadsheet. Cells starting with `=`, `+`, `-`, `@`, tab or carriage return
/// are run as formulas by Excel and LibreOffice ("CSV injection"); log content is attacker
/// controlled, so such cells get a leading `'` (OWASP's recommendation), which spreadsheets hide.
fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// How many users the table lists.
const TOP_USERS: usize = 10;

/// A terminal summary: inputs, coverage, findings by severity, and the top users with the reasons.
pub(crate) fn table(report: &Report) -> String {
    let mut out = String::new();
    let rows: u64 = report.inputs.iter().map(|i| i.rows).sum();
    let events: u64 = report.inputs.iter().map(|i| i.events).sum();
    let skipped: u64 = report.inputs.iter().map(|i| i.skipped).sum();
    let _ = writeln!(
        out,
        "Inputs: {} files, {rows} rows, {events} events, {skipped} skipped",
        report.inputs.len()
    );
    let name_width = report.inputs.iter().map(|i| width(&i.name)).max().unwrap_or(4).clamp(4, 48);
    let _ = writeln!(
        out,
        "  {:<name_width$}  {:<24}  {:>10}  {:>10}  {:>8}",
        "FILE", "FORMAT", "ROWS", "EVENTS", "SKIPPED"
    );
    for i in &report.inputs {
        let _ = writeln!(
            out,
            "  {}  {}  {:>10}  {:>10}  {:>8}",
            pad(&i.name, name_width),
            pad(&i.format, 24),
            i.rows,
            i.events,
            i.skipped
        );
    }
    let c = &report.coverage;
    if c.start.is_empty() {
        let _ = writeln!(out, "\nCoverage: no events");
    } else {
        let _ = writeln!(out, "\nCoverage: {} to {}, {} users", c.start, c.end, c.users);
    }
    for w in &c.warnings {
        let _ = writeln!(out, "  warning: {}", clean(w));
    }
    if !report.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "  {} row diagnostics (file:line:column in the JSON report)",
            report.diagnostics.len()
        );
    }

    let ladder =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
    let counts: Vec<String> = ladder
        .iter()
        .map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == *s).count();
            format!("{} {n}", s.as_str())
        })
        .collect();
    let _ = writeln!(out, "\nFindings: {} ({})", report.findings.len(), counts.join(", "));
    if report.findings.is_empty() {
        let _ = writeln!(out, "  No findings: nothing in these files looks like session replay.");
        return out;
    }

    // Findings are already most severe first, so a user's first finding is their worst one.
    let mut users: Vec<(&str, Vec<&Finding>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        match index.get(f.user.as_str()) {
            Some(&i) => users[i].1.push(f),
            None => {
                index.insert(&f.user, users.len());
                users.push((&f.user, vec![f]));
            }
        }
    }
    let _ = writeln!(out, "\nTop users (of {}, most severe first):", users.len());
    let user_width =
        users.iter().take(TOP_USERS).map(|u| width(u.0)).max().unwrap_or(4).clamp(4, 40);
    let _ = writeln!(
        out,
        "  {:<user_width$}  {:<8}  {:>5}  {:>8}  RULES",
        "USER", "SEVERITY", "SCORE", "FINDINGS"
    );
    for (user, findings) in users.iter().take(TOP_USERS) {
        let worst = findings[0];
        let mut rules: Vec<&str> =
            findings.iter().flat_map(|f| f.rules.iter().map(String::as_str)).collect();
        rules.sort_unstable();
        rules.dedup();
        let _ = writeln!(
            out,
            "  {}  {:<8}  {:>5}  {:>8}  {}",
            pad(user, user_width),
            worst.severity.as_str(),
            worst.score,
            findings.len(),
            clean(&rules.join(", "))
        );
        if !worst.severity_reason.is_empty() {
            let _ = writeln!(out, "      why: {}", clean(&worst.severity_reason));
        }
        if let Some(first) = worst.explanation.first() {
            let _ = writeln!(out, "      what: {}", clean(first));
        }
        if !worst.ips.is_empty() {
            let _ = writeln!(
                out,
                "      from: {} ({})",
                clean(&worst.ips.join(", ")),
                clean(&worst.countries.join(", "))
            );
        }
        // Containment in three states: "unknown" when no audit log could show it.
        let contained = match worst.remediation.status.as_str() {
            "sessions-revoked" => format!("yes, sessions revoked at {}", worst.remediation.time),
            "account-disabled" => format!("yes, account disabled at {}", worst.remediation.time),
            "none" => "no: the audit log shows no revocation or disabled account".to_owned(),
            "unknown" | "" => "unknown: no audit log loaded".to_owned(),
            other => other.to_owned(),
        };
        let _ = writeln!(out, "      contained: {}", clean(&contained));
    }
    if users.len() > TOP_USERS {
        let _ = writeln!(
            out,
            "  … {} more users; every finding is in --format json or csv",
            users.len() - TOP_USERS
        );
    }
    out
}

/// Escapes control characters (ANSI escapes, carriage returns, bidi overrides) so log content
/// cannot act on the terminal.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            let _ = write!(out, "\\u{{{:x}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    out
}

fn width(text: &str) -> usize {
    clean(text).chars().count()
}

/// `text` cleaned and padded (or cut with `…`) to exactly `width` characters.
fn pad(text: &str, width: usize) -> String {
    let text = clean(text);
    let n = text.chars().count();
    if n <= width {
        format!("{text}{}", " ".repeat(width - n))
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized_and_others_kept() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(1)"), "'@SUM(1)");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("alice@contoso.com"), "alice@contoso.com");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn the_table_says_whether_a_finding_was_contained_in_three_states() {
        use sessionhunt::report::{Finding, Remediation};
        for (status, said) in [
            ("unknown", "contained: unknown: no audit log loaded"),
            ("none", "contained: no: the audit log shows no revocation"),
            ("sessions-revoked", "contained: yes, sessions revoked at T"),
        ] {
            let report = Report {
                findings: vec![Finding {
                    user: "a@example.com".into(),
                    remediation: Remediation { status: status.into(), time: "T".into() },
                    ..Finding::default()
                }],
                ..Report::default()
            };
            let text = table(&report);
            assert!(text.contains(said), "{status}: {text}");
        }
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(clean("a\u{1b}[31mb\r\n"), "a\\u{1b}[31mb\\u{d}\\u{a}");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(pad("abcdef", 4), "abc…");
        assert_eq!(pad("ab", 4), "ab  ");
    }
}
