//! The human and spreadsheet renderings of a report: `--format table` and `--format csv`
//! (`--format json` is `Report::to_json`, the contract shared with the browser), and of the
//! reference hunts' rows (`sessionhunt hunt`).
//!
//! Log content is hostile. In the table every string from the logs has its control characters
//! escaped, so a crafted user agent cannot move the cursor or recolour the terminal; in the CSV
//! text cells that a spreadsheet would run as a formula are neutralized (see [`csv_cell`]).
//!
//! The investigation views (`sessionhunt session`, `campaign`, `overview`) have tables of their
//! own here, escaped the same way.

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

/// The session view as a table: one line per event (time, kind, IP, network, country, what, the
/// origin changes, the citing findings), then its user agent, device, ids and row.
pub(crate) fn session_table(v: &sessionhunt::views::SessionView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Session {}: {} events, {} IPs, {} with an origin change",
        clean(&v.session_id),
        v.events.len(),
        v.ips,
        v.origin_changes
    );
    if v.events.is_empty() {
        let _ = writeln!(out, "  No event of this session id in the loaded data.");
    } else {
        let _ = writeln!(out, "  {} to {}; users: {}", v.first, v.last, clean(&v.users.join(", ")));
    }
    if !v.findings.is_empty() {
        let _ = writeln!(out, "  findings: {}", clean(&v.findings.join(", ")));
    }
    if v.events.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n  {:>3}  {:<24}  {:<15}  {:<39}  {:<28}  {:<2}  {:<30}  {:<24}  FINDINGS",
        "#", "TIME", "KIND", "IP", "NETWORK", "CC", "APP / OPERATION", "CHANGED"
    );
    for (i, e) in v.events.iter().enumerate() {
        let what = if e.operation.is_empty() { e.app.clone() } else { e.operation.clone() };
        let _ = writeln!(
            out,
            "  {:>3}  {}  {}  {}  {}  {}  {}  {}  {}",
            i,
            pad(&e.time, 24),
            pad(&e.kind, 15),
            pad(&e.ip, 39),
            pad(&e.network, 28),
            pad(&e.country, 2),
            pad(&what, 30),
            pad(&e.changes.join(","), 24),
            clean(&e.findings.join(", "))
        );
        let mut detail = Vec::new();
        if !e.user_agent.is_empty() {
            detail.push(format!("ua: {}", clean(&e.user_agent)));
        }
        if !e.device_id.is_empty() {
            detail.push(format!("device: {}", clean(&e.device_id)));
        }
        if !e.request_id.is_empty() {
            detail.push(format!("request: {}", clean(&e.request_id)));
        }
        if !e.unique_token_id.is_empty() {
            detail.push(format!("token: {}", clean(&e.unique_token_id)));
        }
        if let Some(r) = &e.rode_on {
            let at =
                r.event.map(|n| format!("#{n}")).unwrap_or_else(|| "outside the session".into());
            detail.push(format!("rode on sign-in {} ({at})", clean(&r.request_id)));
        }
        if e.linked_by == "token" {
            detail.push("in the session by its token id".to_owned());
        }
        detail.push(format!("row: {}:{}", clean(&e.file), e.line));
        let _ = writeln!(out, "       {}", detail.join(" | "));
    }
    out
}

/// The campaign view as a table: one line per shared indicator, then its users and findings.
pub(crate) fn campaign_table(shared: &[sessionhunt::views::SharedIndicator]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Shared by two or more users' findings: {} indicator(s)", shared.len());
    if shared.is_empty() {
        let _ =
            writeln!(out, "  None: no IP, network, user agent or forwarding address is shared.");
        return out;
    }
    let _ = writeln!(
        out,
        "  {:<18}  {:<48}  {:<8}  {:<8}  {:>5}  {:>6}  {:<20}  LAST",
        "KIND", "VALUE", "SHARED", "MAX", "USERS", "EVENTS", "FIRST"
    );
    for s in shared {
        let value = if s.label.is_empty() { s.value.clone() } else { s.label.clone() };
        let _ = writeln!(
            out,
            "  {}  {}  {:<8}  {:<8}  {:>5}  {:>6}  {}  {}",
            pad(&s.kind, 18),
            pad(&value, 48),
            s.shared_severity.as_str(),
            s.severity.as_str(),
            s.users.len(),
            s.events,
            pad(&s.first, 20),
            s.last
        );
        let _ = writeln!(out, "      users: {}", clean(&some(&s.users)));
        let members: Vec<String> =
            s.findings.iter().map(|m| format!("{} ({})", m.id, m.severity.as_str())).collect();
        let _ = writeln!(out, "      findings: {}", clean(&some(&members)));
    }
    out
}

/// How many users or findings a line of the campaign table names (the JSON has all of them).
const LISTED: usize = 12;

/// The first [`LISTED`] items, comma-separated, and how many more there are.
fn some(items: &[String]) -> String {
    let mut text = items.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > LISTED {
        let _ = write!(text, " … and {} more", items.len() - LISTED);
    }
    text
}

/// The tenant overview as a table.
pub(crate) fn overview_table(o: &sessionhunt::views::Overview) -> String {
    let mut out = String::new();
    if o.start.is_empty() {
        let _ = writeln!(out, "Tenant overview: no events");
    } else {
        let _ = writeln!(out, "Tenant overview: {} to {}", o.start, o.end);
    }
    let _ = writeln!(out, "\nFindings per day (of their first event): {}", o.findings);
    let _ = writeln!(
        out,
        "  {:<10}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}",
        "DAY", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "TOTAL"
    );
    for d in &o.findings_per_day {
        let _ = writeln!(
            out,
            "  {}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}",
            pad(&d.day, 10),
            d.critical,
            d.high,
            d.medium,
            d.low,
            d.info,
            d.total
        );
    }
    let n = &o.non_interactive;
    let _ = writeln!(
        out,
        "\nNon-interactive sign-ins: {} from {} users, {} networks, {} countries ({} without a known network, {} without a country)",
        n.events, n.users, n.networks, n.countries, n.unknown_network, n.unknown_country
    );
    let _ = writeln!(out, "  {:<40}  {:>8}  {:>6}", "NETWORK", "EVENTS", "USERS");
    for a in &n.top_networks {
        let _ = writeln!(out, "  {}  {:>8}  {:>6}", pad(&a.network, 40), a.events, a.users);
    }
    let _ = writeln!(out, "  {:<40}  {:>8}  {:>6}", "COUNTRY", "EVENTS", "USERS");
    for c in &n.top_countries {
        let _ = writeln!(out, "  {}  {:>8}  {:>6}", pad(&c.country, 40), c.events, c.users);
    }
    let name_width = o.sources.iter().map(|s| width(&s.name)).max().unwrap_or(4).clamp(4, 48);
    let _ = writeln!(out, "\nSources: {}", o.sources.len());
    let _ = writeln!(
        out,
        "  {:<name_width$}  {:<24}  {:<16}  {:>9}  {:>9}  {:<20}  LAST",
        "FILE", "FORMAT", "LOG", "ROWS", "EVENTS", "FIRST"
    );
    for s in &o.sources {
        let _ = writeln!(
            out,
            "  {}  {}  {}  {:>9}  {:>9}  {}  {}",
            pad(&s.name, name_width),
            pad(&s.format, 24),
            pad(&s.log_kind, 16),
            s.rows,
            s.events,
            pad(&s.first, 20),
            clean(&s.last)
        );
    }
    let _ = writeln!(out, "\nLogs:");
    for l in &o.logs {
        let _ = writeln!(
            out,
            "  {:<17}  {:>9} events  {} to {} ({} day(s))",
            l.kind, l.events, l.first, l.last, l.days
        );
    }
    let user_width = o.users.iter().map(|u| width(&u.user)).max().unwrap_or(4).clamp(4, 40);
    let _ = writeln!(out, "\nUsers: {}", o.users.len());
    let _ = writeln!(
        out,
        "  {:<user_width$}  {:>11}  {:>15}  {:>6}  {:>5}  {:<20}  {:<20}  FINDINGS",
        "USER", "INTERACTIVE", "NON-INTERACTIVE", "AUDIT", "OTHER", "FIRST", "LAST"
    );
    for u in &o.users {
        let worst = u.severity.map(|s| format!(" (worst {})", s.as_str())).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {:>11}  {:>15}  {:>6}  {:>5}  {}  {}  {}{worst}",
            pad(&u.user, user_width),
            u.interactive,
            u.non_interactive,
            u.audit,
            u.other,
            pad(&u.first, 20),
            pad(&u.last, 20),
            u.findings
        );
    }
    let _ = writeln!(out, "\nWhat the loaded data cannot show:");
    for l in &o.limits {
        let _ = writeln!(out, "  - {}", clean(l));
    }
    out
}

/// Escapes control characters (ANSI escapes, carriage returns, bidi overrides) so log content
/// cannot act on the terminal.
pub(crate) fn clean(text: &str) -> String {
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
    fn the_views_tables_escape_log_text() {
        use sessionhunt::views::{Overview, SessionEvent, SessionView, SharedIndicator};
        let evil = "x\u{1b}[2J\r\u{202e}y";
        let shared = [SharedIndicator {
            kind: "user-agent".into(),
            value: evil.into(),
            users: vec![evil.into(), "b".into()],
            ..SharedIndicator::default()
        }];
        let session = SessionView {
            session_id: evil.into(),
            users: vec![evil.into()],
            events: vec![SessionEvent {
                user_agent: evil.into(),
                app: evil.into(),
                file: evil.into(),
                ..SessionEvent::default()
            }],
            ..SessionView::default()
        };
        let overview = Overview { limits: vec![evil.into()], ..Overview::default() };
        for text in [campaign_table(&shared), session_table(&session), overview_table(&overview)] {
            assert!(!text.contains(['\u{1b}', '\r', '\u{202e}']), "{text}");
            assert!(text.contains("x\\u{1b}[2J\\u{d}\\u{202e}y"), "{text}");
        }
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
