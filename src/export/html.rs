//! The HTML case report (docs/exports.md): one self-contained file to hand to a customer or attach
//! to a ticket. No script, no external resource (its styles are one inline `<style>`, its figures
//! inline SVG), readable offline and printable.
//!
//! Contents, in reading order: the question and the answer in one paragraph; the affected users
//! with severity and grade; per user the findings, sessions, IPs / ASNs / countries, first and
//! last malicious use, post-compromise actions, remediation and a timeline figure; the campaign's
//! shared infrastructure; the indicators; the input files with their SHA-256, row accounting and
//! coverage warnings; the settings and the product version.
//!
//! Every text from a log or a file name goes through [`escape`], which leaves no `<`, `>`, `&`,
//! `"` or `'` unescaped, so hostile values (`<script>`, `"onerror=`, `</style>`) stay text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Evidence, Selection, by_user};
use crate::enrich::asn_label;
use crate::report::{Finding, Report};
use crate::settings::Settings;

/// What the case report needs beside the report.
#[derive(Clone, Copy, Debug)]
pub struct Case<'a> {
    /// Which findings are the case.
    pub selection: &'a Selection,
    /// The settings the report was made with.
    pub settings: &'a Settings,
    /// Forwarding addresses and inbox-rule names read from the dataset ([`Evidence::of`]).
    pub evidence: &'a Evidence,
    /// SHA-256 (lower-case hex) of each input file, by the name the report gives it. A file
    /// inside an archive has none of its own: the archive's is listed under the archive's name.
    pub hashes: &'a BTreeMap<String, String>,
    /// The product version, e.g. `0.1.0`.
    pub version: &'a str,
}

/// The case report as one HTML document.
pub fn html(report: &Report, case: &Case<'_>) -> String {
    let findings = case.selection.findings(report);
    let users = by_user(&findings);
    let mut o = String::with_capacity(64 << 10);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may load: no script, no image, no font, no connection, even if markup slipped in.
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    let _ = writeln!(o, "<title>sessionhunt case report: {}</title>", escape(&span(report)));
    o.push_str("<style>\n");
    o.push_str(CSS);
    o.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        o,
        "<h1>AiTM session theft: case report</h1>\n<p class=\"meta\">Written by sessionhunt {} from {} input file(s) covering {}.</p>",
        escape(case.version),
        report.inputs.len(),
        escape(&span(report))
    );

    answer(&mut o, report, case, &findings, &users);
    affected(&mut o, case, &users);
    for (user, fs) in &users {
        user_section(&mut o, case, user, fs);
    }
    campaign(&mut o, case, &users);
    indicators(&mut o, case, &findings);
    excluded(&mut o, report, case);
    inputs(&mut o, report, case);
    settings(&mut o, case);
    o.push_str("</body>\n</html>\n");
    o
}

const CSS: &str = "\
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1b1f24; margin: 2em auto; max-width: 62em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #d0d7de; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.1em; margin-top: 1.6em; }
.meta { color: #57606a; }
.answer { font-size: 1.08em; background: #f6f8fa; border-left: 4px solid #0969da; padding: 0.8em 1em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.93em; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.5em; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f6f8fa; }
code, .mono { font-family: ui-monospace, 'SFMono-Regular', Consolas, monospace; font-size: 0.92em; overflow-wrap: break-word; }
.sev { font-weight: 600; padding: 0 0.4em; border-radius: 3px; }
.sev-critical { background: #8b0000; color: #fff; }
.sev-high { background: #cf222e; color: #fff; }
.sev-medium { background: #bf8700; color: #fff; }
.sev-low { background: #d0d7de; }
.sev-info { background: #eaeef2; }
.user { break-inside: avoid-page; }
svg { width: 100%; height: auto; border: 1px solid #d0d7de; background: #fff; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; overflow-wrap: break-word; }
ul.ioc { columns: 2; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid-page; }
  table, svg, .answer { break-inside: avoid-page; }
}
";

fn answer(
    o: &mut String,
    report: &Report,
    case: &Case<'_>,
    findings: &[&Finding],
    users: &[(&str, Vec<&Finding>)],
) {
    let question = format!(
        "Were sessions of this tenant's users stolen and replayed (adversary-in-the-middle phishing, token theft) between {}?",
        span(report)
    );
    let min = case.selection.min_severity.as_str();
    let text = if findings.is_empty() {
        format!(
            "No finding reaches severity {min} or was graded a true positive: the loaded logs show no account to contain. {} finding(s) below that severity stay in the full report for review.",
            report.findings.len()
        )
    } else {
        let names: Vec<&str> = users.iter().map(|(u, _)| *u).take(5).collect();
        let more = users.len().saturating_sub(5);
        let acted =
            users.iter().filter(|(_, fs)| fs.iter().any(|f| !f.related_audit.is_empty())).count();
        let contained = users
            .iter()
            .filter(|(_, fs)| {
                fs.iter().all(|f| {
                    matches!(f.remediation.status.as_str(), "sessions-revoked" | "account-disabled")
                })
            })
            .count();
        let unknown = users
            .iter()
            .filter(|(_, fs)| fs.iter().any(|f| f.remediation.status == "unknown"))
            .count();
        format!(
            "Yes, most likely for {} user(s): {}{}. {} finding(s) at severity {min} or higher (or graded true positive) place their sessions on attacker networks; {} of these users show actions after the sign-in (mailbox rules, forwarding, MFA methods, consents, devices). The logs show {} of them contained{}.",
            users.len(),
            names.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            findings.len(),
            acted,
            contained,
            if unknown > 0 {
                format!("; for {unknown} no audit log was loaded, so containment cannot be told")
            } else {
                String::new()
            }
        )
    };
    let _ = writeln!(
        o,
        "<p class=\"answer\"><strong>{}</strong> {}</p>",
        escape(&question),
        escape(&text)
    );
}

fn affected(o: &mut String, case: &Case<'_>, users: &[(&str, Vec<&Finding>)]) {
    o.push_str("<h2 id=\"users\">Affected users</h2>\n");
    if users.is_empty() {
        o.push_str("<p>None.</p>\n");
        return;
    }
    o.push_str("<table>\n<tr><th>User</th><th>Severity</th><th>Grade</th><th>Findings</th><th>First malicious use</th><th>Last</th><th>Remediation seen</th></tr>\n");
    for (user, fs) in users {
        let top = fs.iter().map(|f| f.severity).max().unwrap_or_default();
        let grades: BTreeSet<&str> = fs.iter().map(|f| grade(case, f)).collect();
        let rem: BTreeSet<String> = fs.iter().map(|f| remediation(f)).collect();
        let _ = writeln!(
            o,
            "<tr><td class=\"mono\"><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            anchor(user),
            escape(user),
            sev(top.as_str()),
            escape(&grades.into_iter().collect::<Vec<_>>().join(", ")),
            fs.len(),
            escape(first(fs)),
            escape(last(fs)),
            escape(&rem.into_iter().collect::<Vec<_>>().join("; ")),
        );
    }
    o.push_str("</table>\n");
}

fn user_section(o: &mut String, case: &Case<'_>, user: &str, fs: &[&Finding]) {
    let _ =
        writeln!(o, "<section class=\"user\" id=\"{}\">\n<h2>{}</h2>", anchor(user), escape(user));
    let set = |get: &dyn Fn(&Finding) -> Vec<String>| -> Vec<String> {
        let all: BTreeSet<String> =
            fs.iter().flat_map(|f| get(f)).filter(|s| !s.is_empty()).collect();
        all.into_iter().collect()
    };
    let ips = set(&|f| f.ips.clone());
    let asns = set(&|f| f.asns.iter().map(|&a| asn_label(a)).collect());
    let countries = set(&|f| f.countries.clone());
    let sessions = set(&|f| f.session_ids.clone());
    let uas = set(&|f| f.user_agents.clone());
    o.push_str("<table>\n");
    for (label, values) in [
        ("First malicious use", vec![first(fs).to_owned()]),
        ("Last malicious use", vec![last(fs).to_owned()]),
        ("Attacker IPs", ips),
        ("Networks", asns),
        ("Countries", countries),
        ("Sessions", sessions),
        ("User agents", uas),
    ] {
        let _ = writeln!(o, "<tr><th>{label}</th><td class=\"mono\">{}</td></tr>", list(&values));
    }
    o.push_str("</table>\n");
    timeline(o, fs);
    o.push_str("<h3>Findings</h3>\n<table>\n<tr><th>Id</th><th>Severity</th><th>Grade</th><th>Rules</th><th>Why</th><th>Remediation seen</th></tr>\n");
    for f in fs {
        let note = case.selection.grades.get(&f.id).map(|g| g.note.as_str()).unwrap_or("");
        let _ = writeln!(
            o,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.id),
            sev(f.severity.as_str()),
            escape(grade(case, f)),
            if note.is_empty() { String::new() } else { format!(": {}", escape(note)) },
            escape(&f.rules.join(", ")),
            escape(&f.severity_reason),
            escape(&remediation(f)),
        );
    }
    o.push_str("</table>\n");
    let actions: Vec<(&str, &crate::report::AuditRef)> =
        fs.iter().flat_map(|f| f.related_audit.iter().map(move |a| (f.id.as_str(), a))).collect();
    o.push_str("<h3>Post-compromise actions</h3>\n");
    if actions.is_empty() {
        o.push_str("<p>None tied to these findings in the loaded audit logs.</p>\n");
    } else {
        o.push_str("<table>\n<tr><th>Time</th><th>Operation</th><th>Tied by</th><th>Detail</th><th>Finding</th><th>Row</th></tr>\n");
        let mut sorted = actions;
        sorted.sort_by(|a, b| a.1.time.cmp(&b.1.time).then_with(|| a.0.cmp(b.0)));
        for (id, a) in sorted {
            let _ = writeln!(
                o,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}:{}</td></tr>",
                escape(&a.time),
                escape(&a.operation),
                escape(&a.linked_by),
                escape(&a.detail),
                escape(id),
                escape(&a.source.file),
                a.source.line,
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</section>\n");
}

/// A timeline figure: the findings' sign-ins and operations on lanes by kind, tied actions
/// marked, the containment seen as a line.
fn timeline(o: &mut String, fs: &[&Finding]) {
    const W: f64 = 760.0;
    const LEFT: f64 = 120.0;
    const RIGHT: f64 = 20.0;
    let lanes = ["interactive", "non-interactive", "audit"];
    let mut points: Vec<(i64, usize, bool)> = Vec::new();
    for f in fs {
        for e in &f.events {
            let lane = lanes.iter().position(|l| *l == e.kind).unwrap_or(2);
            if let Some(t) = millis(&e.time) {
                points.push((t, lane, false));
            }
        }
        for a in &f.related_audit {
            if let Some(t) = millis(&a.time) {
                points.push((t, 2, true));
            }
        }
    }
    let contained: Vec<i64> = fs.iter().filter_map(|f| millis(&f.remediation.time)).collect();
    let (Some(lo), Some(hi)) = (
        points.iter().map(|p| p.0).chain(contained.iter().copied()).min(),
        points.iter().map(|p| p.0).chain(contained.iter().copied()).max(),
    ) else {
        return;
    };
    let width = (hi - lo).max(1) as f64;
    let x = |t: i64| LEFT + (t - lo) as f64 / width * (W - LEFT - RIGHT);
    let h = 40.0 + 30.0 * lanes.len() as f64;
    let _ = writeln!(
        o,
        "<svg viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"Timeline of the findings' events\">"
    );
    for (i, lane) in lanes.iter().enumerate() {
        let y = 25.0 + 30.0 * i as f64;
        let _ = writeln!(
            o,
            "<text x=\"8\" y=\"{:.0}\" font-size=\"12\" fill=\"#57606a\">{lane}</text><line x1=\"{LEFT}\" y1=\"{y:.0}\" x2=\"{:.0}\" y2=\"{y:.0}\" stroke=\"#d0d7de\"/>",
            y + 4.0,
            W - RIGHT
        );
    }
    points.sort_unstable();
    points.dedup();
    for (t, lane, action) in &points {
        let y = 25.0 + 30.0 * *lane as f64;
        if *action {
            let cx = x(*t);
            let _ = writeln!(
                o,
                "<path d=\"M{:.1} {:.1} l6 6 l-6 6 l-6 -6 z\" fill=\"#cf222e\"><title>post-compromise action</title></path>",
                cx,
                y - 6.0
            );
        } else {
            let _ = writeln!(
                o,
                "<circle cx=\"{:.1}\" cy=\"{y:.0}\" r=\"4\" fill=\"#0969da\" fill-opacity=\"0.7\"/>",
                x(*t)
            );
        }
    }
    for t in contained {
        let _ = writeln!(
            o,
            "<line x1=\"{0:.1}\" y1=\"10\" x2=\"{0:.1}\" y2=\"{1:.0}\" stroke=\"#1a7f37\" stroke-width=\"2\" stroke-dasharray=\"4 3\"><title>containment seen</title></line>",
            x(t),
            h - 20.0
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{LEFT}\" y=\"{:.0}\" font-size=\"11\" fill=\"#57606a\">{}</text><text x=\"{:.0}\" y=\"{:.0}\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"end\">{}</text>",
        h - 6.0,
        escape(&crate::time::rfc3339(lo)),
        W - RIGHT,
        h - 6.0,
        escape(&crate::time::rfc3339(hi))
    );
    o.push_str("</svg>\n<p class=\"meta\">Blue: sign-ins and operations behind the findings; red: actions tied to them; green dashes: containment seen in the logs.</p>\n");
}

/// IPs, user agents and forwarding addresses seen in the findings of two or more users.
fn campaign(o: &mut String, case: &Case<'_>, users: &[(&str, Vec<&Finding>)]) {
    let mut shared: BTreeMap<(&str, String), BTreeSet<&str>> = BTreeMap::new();
    for (user, fs) in users {
        for f in fs {
            for ip in &f.ips {
                shared.entry(("IP", ip.clone())).or_default().insert(user);
            }
            for ua in &f.user_agents {
                shared.entry(("User agent", ua.clone())).or_default().insert(user);
            }
            for fwd in case.evidence.forwarding.get(&f.id).into_iter().flatten() {
                shared.entry(("Forwarding address", fwd.clone())).or_default().insert(user);
            }
        }
    }
    shared.retain(|_, us| us.len() >= 2);
    o.push_str("<h2 id=\"campaign\">Campaign infrastructure</h2>\n");
    if shared.is_empty() {
        o.push_str(
            "<p>No IP, user agent or forwarding address is shared by the affected users.</p>\n",
        );
        return;
    }
    o.push_str("<table>\n<tr><th>Kind</th><th>Value</th><th>Users</th></tr>\n");
    for ((kind, value), us) in &shared {
        let _ = writeln!(
            o,
            "<tr><td>{kind}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
            escape(value),
            list(&us.iter().map(|u| (*u).to_owned()).collect::<Vec<_>>())
        );
    }
    o.push_str("</table>\n");
}

fn indicators(o: &mut String, case: &Case<'_>, findings: &[&Finding]) {
    let mut ips = BTreeSet::new();
    let mut uas = BTreeSet::new();
    let mut fwd = BTreeSet::new();
    let mut rules = BTreeSet::new();
    for f in findings {
        ips.extend(f.ips.iter().cloned());
        uas.extend(f.user_agents.iter().filter(|u| !u.is_empty()).cloned());
        fwd.extend(case.evidence.forwarding.get(&f.id).into_iter().flatten().cloned());
        rules.extend(case.evidence.rule_names.get(&f.id).into_iter().flatten().cloned());
    }
    o.push_str("<h2 id=\"iocs\">Indicators of compromise</h2>\n");
    for (title, set) in [
        ("IP addresses", ips),
        ("User agents", uas),
        ("Forwarding addresses", fwd),
        ("Inbox-rule names", rules),
    ] {
        let _ = writeln!(o, "<h3>{title}</h3>");
        if set.is_empty() {
            o.push_str("<p>None.</p>\n");
            continue;
        }
        o.push_str("<ul class=\"ioc mono\">\n");
        for v in set {
            let _ = writeln!(o, "<li>{}</li>", escape(&v));
        }
        o.push_str("</ul>\n");
    }
}

fn excluded(o: &mut String, report: &Report, case: &Case<'_>) {
    let out = case.selection.excluded_by_grade(report);
    if out.is_empty() {
        return;
    }
    o.push_str("<h2 id=\"excluded\">Findings set aside by their grade</h2>\n<table>\n<tr><th>Id</th><th>User</th><th>Severity</th><th>Grade</th><th>Note</th></tr>\n");
    for f in out {
        let note = case.selection.grades.get(&f.id).map(|g| g.note.as_str()).unwrap_or("");
        let _ = writeln!(
            o,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.id),
            escape(&f.user),
            sev(f.severity.as_str()),
            escape(grade(case, f)),
            escape(note)
        );
    }
    o.push_str("</table>\n");
}

fn inputs(o: &mut String, report: &Report, case: &Case<'_>) {
    o.push_str("<h2 id=\"inputs\">Evidence: input files</h2>\n<table>\n<tr><th>File</th><th>Format</th><th>Rows</th><th>Events</th><th>Duplicates</th><th>Skipped</th><th>SHA-256</th></tr>\n");
    for i in &report.inputs {
        let container = i.name.split_once(".zip/").map(|(zip, _)| format!("{zip}.zip"));
        let hash = case
            .hashes
            .get(&i.name)
            .cloned()
            .or_else(|| {
                container
                    .as_ref()
                    .and_then(|c| case.hashes.get(c))
                    .map(|h| format!("{h} (the archive)"))
            })
            .unwrap_or_else(|| "not computed".to_owned());
        let reasons: Vec<String> =
            i.skipped_reasons.iter().map(|r| format!("{}: {}", r.reason, r.count)).collect();
        let _ = writeln!(
            o,
            "<tr><td class=\"mono\">{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"mono\">{}</td></tr>",
            escape(&i.name),
            escape(&i.format),
            escape(&i.log_kind),
            i.rows,
            i.events,
            i.duplicates,
            i.skipped,
            if reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(&reasons.join("; ")))
            },
            escape(&hash),
        );
    }
    o.push_str("</table>\n");
    let c = &report.coverage;
    let kinds: Vec<String> =
        c.events_by_kind.iter().map(|k| format!("{} {}", k.count, k.kind)).collect();
    let _ = writeln!(
        o,
        "<p>Coverage: {} to {}, {} users; events: {}. Row problems: {} (listed with file, line and column in the JSON report).</p>",
        escape(or_dash(&c.start)),
        escape(or_dash(&c.end)),
        c.users,
        escape(&kinds.join(", ")),
        report.diagnostics.len()
    );
    if !c.warnings.is_empty() {
        o.push_str("<h3>What the data cannot tell</h3>\n<ul>\n");
        for w in &c.warnings {
            let _ = writeln!(o, "<li>{}</li>", escape(w));
        }
        o.push_str("</ul>\n");
    }
}

fn settings(o: &mut String, case: &Case<'_>) {
    let json = serde_json::to_string_pretty(case.settings).unwrap_or_default();
    let _ = writeln!(
        o,
        "<h2 id=\"settings\">Settings and version</h2>\n<p>sessionhunt {}; findings in this report: severity {} or higher, plus those graded true positive, minus those graded false positive or benign true positive.</p>\n<pre>{}</pre>",
        escape(case.version),
        case.selection.min_severity.as_str(),
        escape(&json)
    );
}

/// `text` with `&`, `<`, `>`, `"` and `'` as character references and control characters (other
/// than tab and line feed) replaced by U+FFFD: safe as element text and inside quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// An id for a user's section: `u-` and the user's bytes in hex (no log text in an attribute
/// unescaped, and every user a distinct id).
fn anchor(user: &str) -> String {
    let mut out = String::from("u-");
    for b in user.bytes() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        return "none".to_owned();
    }
    values.iter().map(|v| escape(v)).collect::<Vec<_>>().join("<br>")
}

fn sev(s: &str) -> String {
    format!("<span class=\"sev sev-{s}\">{s}</span>")
}

fn grade<'a>(case: &'a Case<'_>, f: &Finding) -> &'a str {
    case.selection.grades.get(&f.id).map_or("ungraded", |g| g.grade.as_str())
}

fn remediation(f: &Finding) -> String {
    match f.remediation.status.as_str() {
        "none" => "not contained".to_owned(),
        "unknown" => "unknown (no audit log)".to_owned(),
        s if f.remediation.time.is_empty() => s.to_owned(),
        s => format!("{s} at {}", f.remediation.time),
    }
}

fn first<'a>(fs: &[&'a Finding]) -> &'a str {
    fs.iter().map(|f| f.first_seen.as_str()).filter(|t| !t.is_empty()).min().unwrap_or("unknown")
}

fn last<'a>(fs: &[&'a Finding]) -> &'a str {
    fs.iter().map(|f| f.last_seen.as_str()).max().filter(|t| !t.is_empty()).unwrap_or("unknown")
}

fn span(report: &Report) -> String {
    let c = &report.coverage;
    if c.start.is_empty() { "no events".to_owned() } else { format!("{} and {}", c.start, c.end) }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn millis(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AuditRef, EventRef, InputSummary, Severity};

    fn hostile() -> Report {
        let evil = "<script>alert(1)</script>\"onerror=alert(2) '</style><img src=x>";
        Report {
            inputs: vec![InputSummary {
                name: format!("{evil}.csv"),
                format: "entra-portal-csv".into(),
                ..InputSummary::default()
            }],
            findings: vec![Finding {
                id: "F-1".into(),
                user: format!("a{evil}@x.com"),
                severity: Severity::Critical,
                first_seen: "2026-03-01T10:00:00Z".into(),
                last_seen: "2026-03-01T11:00:00Z".into(),
                ips: vec!["203.0.113.9".into()],
                user_agents: vec![evil.into()],
                session_ids: vec![evil.into()],
                severity_reason: evil.into(),
                events: vec![EventRef {
                    file: "f".into(),
                    line: 2,
                    time: "2026-03-01T10:00:00Z".into(),
                    kind: "non-interactive".into(),
                }],
                related_audit: vec![AuditRef {
                    operation: evil.into(),
                    time: "2026-03-01T10:30:00Z".into(),
                    linked_by: "ip".into(),
                    detail: evil.into(),
                    source: EventRef::default(),
                }],
                ..Finding::default()
            }],
            ..Report::default()
        }
    }

    fn render(report: &Report) -> String {
        let mut evidence = Evidence::default();
        evidence
            .rule_names
            .insert("F-1".into(), ["</style><script>x()</script>".to_owned()].into());
        evidence
            .forwarding
            .insert("F-1".into(), ["\"><svg onload=alert(3)>@evil.example".to_owned()].into());
        let hashes = BTreeMap::new();
        let selection = Selection::at_least(Severity::High);
        let settings = Settings::default();
        html(
            report,
            &Case {
                selection: &selection,
                settings: &settings,
                evidence: &evidence,
                hashes: &hashes,
                version: "0.1.0",
            },
        )
    }

    #[test]
    fn hostile_text_stays_inert() {
        let page = render(&hostile());
        let lower = page.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "a script element");
        assert!(!lower.contains("<img"), "an image element");
        assert!(!lower.contains("<svg onload"), "an event handler");
        assert_eq!(
            lower.matches("</style>").count(),
            1,
            "only the report's own style element closes"
        );
        assert!(!page.contains("\"onerror"), "a quote that would end an attribute");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;onerror=alert(2)"));
    }

    /// Every tag of the page: log text has no `<` left, so each `<` starts real markup.
    fn tags(page: &str) -> Vec<&str> {
        page.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")).collect()
    }

    #[test]
    fn references_nothing_outside_the_file() {
        let page = render(&hostile());
        const ELEMENTS: &[&str] = &[
            "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p",
            "strong", "table", "tr", "th", "td", "a", "span", "section", "svg", "text", "line",
            "circle", "path", "ul", "li", "pre", "br",
        ];
        for tag in tags(&page) {
            let name = tag.trim_start_matches('/').split([' ', '\n']).next().unwrap_or("");
            assert!(ELEMENTS.contains(&name), "element {name:?} in <{tag}>");
            let lower = tag.to_ascii_lowercase();
            for bad in ["http:", "https:", "src=", "url(", "//", "on"] {
                let hit = match bad {
                    // An event handler attribute: ` on…=`.
                    "on" => {
                        lower.split_whitespace().any(|a| a.starts_with("on") && a.contains('='))
                    }
                    "//" => lower.contains("://"),
                    _ => lower.contains(bad),
                };
                assert!(!hit, "{bad} in <{tag}>");
            }
            if let Some(at) = lower.find("href=\"") {
                assert!(lower[at + 6..].starts_with('#'), "a link out of the page: <{tag}>");
            }
        }
        let style = page.split("<style>").nth(1).and_then(|s| s.split("</style>").next()).unwrap();
        assert!(!style.contains("url(") && !style.contains("@import"), "a resource in the style");
        assert!(
            !page.to_ascii_lowercase().contains("http://")
                && !page.to_ascii_lowercase().contains("https://")
        );
    }

    #[test]
    fn the_answer_names_the_users_and_the_timeline_is_drawn() {
        let page = render(&hostile());
        assert!(page.contains("Yes, most likely for 1 user(s)"));
        assert!(page.contains("<circle"), "the sign-in on the timeline");
        assert!(page.contains("<path d="), "the tied action on the timeline");
        let none = render(&Report::default());
        assert!(none.contains("No finding reaches severity high"));
    }
}
