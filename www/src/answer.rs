//! What the page may say about a report: the one-line answer on top (what was examined and what
//! could not be), remediation in three states, and the words for a finding's containment. Pure
//! functions of the report, so each wording is tested natively (issue 21: never "nothing found"
//! when nothing could be looked at, "unknown" where the logs cannot tell).

use sessionhunt::Report;
use sessionhunt::report::Finding;

/// How reassuring the answer may be, which picks its banner's look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Findings to review.
    Findings,
    /// The hunt ran on sign-ins of both kinds and found nothing.
    Clear,
    /// The hunt could not run, or ran blind in part: say what is missing.
    Limited,
}

/// The answer shown above everything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// How it reads.
    pub tone: Tone,
    /// The headline.
    pub headline: String,
    /// What was and was not examined, one sentence each.
    pub lines: Vec<String>,
}

/// Events of `kind` in the report's coverage.
pub fn kind_count(report: &Report, kind: &str) -> u64 {
    report.coverage.events_by_kind.iter().filter(|k| k.kind == kind).map(|k| k.count).sum()
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", crate::format::count(n), if n == 1 { one } else { many })
}

/// The audit operations loaded, per operation: the three most frequent by name, the rest
/// together ("38 New-InboxRule operations", "2 other audit operations").
fn operations_examined(report: &Report, audit: u64) -> Vec<String> {
    let named = &report.coverage.audit_operations[..report.coverage.audit_operations.len().min(3)];
    let mut parts: Vec<String> = named
        .iter()
        .map(|o| {
            let one = format!("{} operation", o.operation);
            plural(o.count, &one, &format!("{one}s"))
        })
        .collect();
    let rest = audit.saturating_sub(named.iter().map(|o| o.count).sum());
    if rest > 0 {
        let other = if parts.is_empty() { "" } else { "other " };
        parts.push(plural(
            rest,
            &format!("{other}audit operation"),
            &format!("{other}audit operations"),
        ));
    }
    parts
}

/// "a", "a and b", "a, b and c".
fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// The answer to "did anything happen?" that the loaded data allows.
pub fn answer(report: &Report) -> Answer {
    let total: u64 = report.coverage.events_by_kind.iter().map(|k| k.count).sum();
    let interactive = kind_count(report, "interactive");
    let non_interactive = kind_count(report, "non-interactive");
    let audit = kind_count(report, "audit");
    let n = report.findings.len() as u64;
    let users = report.coverage.users;
    let mut lines = Vec::new();
    if total == 0 {
        let rows: u64 = report.inputs.iter().map(|i| i.rows).sum();
        let skipped: u64 = report.inputs.iter().map(|i| i.skipped).sum();
        lines.push(format!(
            "{} loaded, {} read, {} skipped: nothing could be examined.",
            plural(report.inputs.len() as u64, "file", "files"),
            plural(rows, "row", "rows"),
            crate::format::count(skipped)
        ));
        lines.push(
            "Load Entra ID sign-in logs (interactive and non-interactive) and an audit log."
                .to_owned(),
        );
        return Answer {
            tone: Tone::Limited,
            headline: "0 events could be read (see the files' problems below).".to_owned(),
            lines,
        };
    }
    // Sign-ins read from the Unified Audit Log count as sign-ins, but hold no network, no risk
    // and none of the refresh-token redemptions replays show up as.
    let from_audit_log = report.coverage.audit_log_sign_ins.min(interactive + non_interactive);
    let examined = format!(
        "Examined: {}, {}, {} of {}{}.",
        plural(interactive, "interactive sign-in", "interactive sign-ins"),
        plural(non_interactive, "non-interactive sign-in", "non-interactive sign-ins"),
        plural(audit, "audit operation", "audit operations"),
        plural(users, "user", "users"),
        if from_audit_log > 0 {
            format!(
                " ({} of the sign-ins read from the audit log)",
                crate::format::count(from_audit_log)
            )
        } else {
            String::new()
        }
    );
    lines.push(examined);
    if interactive + non_interactive == from_audit_log {
        let mut parts = operations_examined(report, audit);
        if from_audit_log > 0 {
            parts.push(plural(
                from_audit_log,
                "sign-in record from the audit log",
                "sign-in records from the audit log",
            ));
        }
        let what = and_list(&parts);
        let verb = if audit + from_audit_log == 1 { "was" } else { "were" };
        let found = match n {
            0 => String::new(),
            _ => format!("; {}", plural(n, "finding to review", "findings to review")),
        };
        let headline = if from_audit_log == 0 {
            format!(
                "No sign-in logs: replay hunting was not possible; {what} {verb} examined{found}."
            )
        } else {
            format!(
                "No Entra ID sign-in logs: replay hunting was limited; {what} {verb} examined{found}."
            )
        };
        if from_audit_log > 0 {
            lines.push(
                "The audit log's sign-in records carry no network (ASN), no risk and no \
                 refresh-token redemptions, which is where replays show."
                    .into(),
            );
        }
        if n == 0 {
            lines.push(
                "None of these operations is attacker-typical by itself (hidden or forwarding \
                 inbox rules, new MFA methods, consents); open a user's timeline below to look \
                 for yourself."
                    .into(),
            );
        }
        lines.push("Load the interactive and non-interactive sign-in logs to hunt replays.".into());
        return Answer { tone: Tone::Limited, headline, lines };
    }
    let mut missing = Vec::new();
    if interactive == 0 {
        missing.push("no interactive sign-ins (no baseline of the users' own networks)");
    }
    if non_interactive == 0 {
        missing.push("no non-interactive sign-ins (token replays are invisible)");
    }
    if audit == 0 {
        missing.push("no audit log (what an attacker did and every containment are unknown)");
    }
    if !missing.is_empty() {
        lines.push(format!("Not examined: {}.", missing.join("; ")));
    }
    if n > 0 {
        let top = report.findings.iter().map(|f| f.severity).max().unwrap_or_default();
        let at_top = report.findings.iter().filter(|f| f.severity == top).count() as u64;
        return Answer {
            tone: Tone::Findings,
            headline: format!(
                "{} to review, {} {}.",
                plural(n, "finding", "findings"),
                crate::format::count(at_top),
                top.as_str()
            ),
            lines,
        };
    }
    if interactive == 0 || non_interactive == 0 {
        return Answer {
            tone: Tone::Limited,
            headline: "No findings, but the hunt was partial: some sign-in logs are missing."
                .to_owned(),
            lines,
        };
    }
    Answer {
        tone: Tone::Clear,
        headline: "No findings: nothing in these sign-ins looks like session replay.".to_owned(),
        lines,
    }
}

/// Containment of a finding in three states (and the core's word, for anything newer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Containment {
    /// Sessions revoked or the account disabled after the finding.
    Contained,
    /// An audit log was loaded and shows neither.
    NotContained,
    /// No audit source was loaded: the logs cannot tell.
    Unknown,
}

/// The containment a remediation status stands for.
pub fn containment(f: &Finding) -> Containment {
    match f.remediation.status.as_str() {
        "sessions-revoked" | "account-disabled" => Containment::Contained,
        "none" => Containment::NotContained,
        _ => Containment::Unknown,
    }
}

/// The grid's words for a finding's remediation (what its column shows, filters and searches);
/// short, so the column stays narrow: the cell's tooltip has the sentence.
pub fn remediation_label(f: &Finding) -> String {
    match containment(f) {
        Containment::Contained => "contained".to_owned(),
        Containment::NotContained => "not contained".to_owned(),
        Containment::Unknown if matches!(f.remediation.status.as_str(), "unknown" | "") => {
            "unknown".to_owned()
        }
        Containment::Unknown => f.remediation.status.clone(),
    }
}

/// The details panel's sentence about containment.
pub fn remediation_sentence(f: &Finding) -> String {
    let r = &f.remediation;
    match r.status.as_str() {
        "sessions-revoked" => format!("Contained: sessions revoked at {}.", r.time),
        "account-disabled" => format!("Contained: account disabled at {}.", r.time),
        "none" => "Not contained: the audit log shows no session revocation and no account \
                   disabled after this finding."
            .to_owned(),
        "unknown" | "" => "Unknown: no audit log was loaded, so revocations and disabled \
                           accounts cannot be seen. Load the Unified Audit Log or the Entra \
                           audit log to tell."
            .to_owned(),
        other => format!("{other} {}", r.time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sessionhunt::Severity;
    use sessionhunt::report::{Coverage, InputSummary, KindCount, OperationCount, Remediation};

    fn report(interactive: u64, non_interactive: u64, audit: u64, findings: usize) -> Report {
        let kinds =
            [("interactive", interactive), ("non-interactive", non_interactive), ("audit", audit)];
        Report {
            inputs: vec![InputSummary {
                name: "a.csv".into(),
                rows: 7,
                skipped: 7,
                ..Default::default()
            }],
            coverage: Coverage {
                users: 2,
                events_by_kind: kinds
                    .iter()
                    .map(|(k, c)| KindCount { kind: (*k).into(), count: *c })
                    .collect(),
                ..Coverage::default()
            },
            findings: (0..findings)
                .map(|i| Finding {
                    id: format!("F-{i}"),
                    severity: Severity::Low,
                    ..Finding::default()
                })
                .collect(),
            ..Report::default()
        }
    }

    #[test]
    fn nothing_read_says_so() {
        let a = answer(&report(0, 0, 0, 0));
        assert_eq!(a.tone, Tone::Limited);
        assert!(a.headline.starts_with("0 events could be read"), "{a:?}");
        assert!(a.lines[0].contains("7 rows read, 7 skipped"), "{a:?}");
    }

    #[test]
    fn audit_only_says_no_replay_hunt() {
        let a = answer(&report(0, 0, 38, 0));
        assert_eq!(a.tone, Tone::Limited);
        assert!(a.headline.starts_with("No sign-in logs: replay hunting was not possible; 38 audit operations were examined."), "{a:?}");
        let a = answer(&report(0, 0, 38, 1));
        assert!(a.headline.ends_with("were examined; 1 finding to review."), "{a:?}");
        assert_eq!(a.tone, Tone::Limited, "findings or not, the hunt was blind to replays");
    }

    #[test]
    fn audit_only_counts_per_operation_and_the_audit_logs_sign_ins() {
        // A Purview export: 38 New-InboxRule, 2 others, 20 UserLoggedIn (read as sign-ins).
        let mut r = report(20, 0, 40, 0);
        r.coverage.audit_log_sign_ins = 20;
        r.coverage.audit_operations = vec![
            OperationCount { operation: "New-InboxRule".into(), count: 38 },
            OperationCount { operation: "Set-Mailbox".into(), count: 1 },
            OperationCount { operation: "Add member to role.".into(), count: 1 },
        ];
        let a = answer(&r);
        assert_eq!(a.tone, Tone::Limited);
        assert_eq!(
            a.headline,
            "No Entra ID sign-in logs: replay hunting was limited; 38 New-InboxRule operations, \
             1 Set-Mailbox operation, 1 Add member to role. operation and 20 sign-in records \
             from the audit log were examined."
        );
        assert!(a.lines[0].ends_with("(20 of the sign-ins read from the audit log)."), "{a:?}");
        assert!(!a.headline.contains("nothing"), "never the reassuring line");
        r.coverage.audit_operations.truncate(1);
        assert!(answer(&r).headline.contains(
            "38 New-InboxRule operations, 2 other audit operations and 20 sign-in records"
        ));
    }

    #[test]
    fn the_reassuring_line_needs_both_sign_in_logs() {
        assert_eq!(answer(&report(5, 9, 0, 0)).tone, Tone::Clear);
        let a = answer(&report(5, 9, 0, 0));
        assert!(a.lines.iter().any(|l| l.contains("no audit log")), "{a:?}");
        assert_eq!(answer(&report(5, 0, 3, 0)).tone, Tone::Limited);
        assert_eq!(answer(&report(0, 5, 3, 0)).tone, Tone::Limited);
        let a = answer(&report(5, 9, 3, 2));
        assert_eq!(a.tone, Tone::Findings);
        assert!(a.headline.starts_with("2 findings to review, 2 low"), "{a:?}");
    }

    #[test]
    fn remediation_has_three_states() {
        let with = |status: &str| Finding {
            remediation: Remediation { status: status.into(), time: "T".into() },
            ..Finding::default()
        };
        assert_eq!(containment(&with("sessions-revoked")), Containment::Contained);
        assert_eq!(containment(&with("account-disabled")), Containment::Contained);
        assert_eq!(containment(&with("none")), Containment::NotContained);
        assert_eq!(containment(&with("unknown")), Containment::Unknown);
        assert_eq!(remediation_label(&with("unknown")), "unknown");
        assert_eq!(remediation_label(&with("account-disabled")), "contained");
        assert_eq!(remediation_label(&with("none")), "not contained");
        assert!(remediation_sentence(&with("unknown")).starts_with("Unknown"));
        assert!(!remediation_sentence(&with("unknown")).contains("not revoked"));
        assert!(remediation_sentence(&with("sessions-revoked")).contains("at T"));
    }
}
