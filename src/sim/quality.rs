//! Quality measurement: compares a report with the simulator's ground truth, per attack variant,
//! attacker action and benign confounder, and per export layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::tenant::{Action, Attack, Confounder, Tenant};
use crate::report::{Report, Severity};

/// One user's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// User.
    pub user: String,
    /// Highest severity among the user's findings (`info` when none).
    pub severity: Severity,
    /// Number of findings.
    pub findings: u32,
    /// The rules of all the user's findings, sorted.
    pub rules: Vec<String>,
    /// Why the user's most severe finding sits on its rung (empty without a finding).
    pub reason: String,
    /// The user's benign confounders (ground truth).
    pub confounders: Vec<Confounder>,
}

/// Outcomes per scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    /// Attacked users per (variant, with audit trail).
    pub attacked: BTreeMap<(Attack, bool), Vec<Outcome>>,
    /// Attacked users per attacker-typical action in their trail (a user appears under each).
    pub actions: BTreeMap<Action, Vec<Outcome>>,
    /// Benign users per confounder (a user appears under each of their confounders).
    pub benign: BTreeMap<Confounder, Vec<Outcome>>,
    /// Every benign user once.
    pub benign_all: Vec<Outcome>,
}

/// Scores `report` against `tenant`'s ground truth.
pub fn evaluate(tenant: &Tenant, report: &Report) -> Quality {
    struct Seen<'r> {
        severity: Severity,
        findings: u32,
        rules: BTreeSet<&'r str>,
        reason: &'r str,
    }
    let mut per_user: BTreeMap<&str, Seen<'_>> = BTreeMap::new();
    for f in &report.findings {
        let e = per_user.entry(f.user.as_str()).or_insert(Seen {
            severity: Severity::Info,
            findings: 0,
            rules: BTreeSet::new(),
            reason: "",
        });
        if e.findings == 0 || f.severity > e.severity {
            e.severity = f.severity;
            e.reason = &f.severity_reason;
        }
        e.findings += 1;
        e.rules.extend(f.rules.iter().map(String::as_str));
    }
    let mut q = Quality::default();
    for t in &tenant.truth {
        let o = match per_user.get(t.user.as_str()) {
            Some(s) => Outcome {
                user: t.user.clone(),
                severity: s.severity,
                findings: s.findings,
                rules: s.rules.iter().map(|r| (*r).to_owned()).collect(),
                reason: s.reason.to_owned(),
                confounders: t.confounders.clone(),
            },
            None => Outcome {
                user: t.user.clone(),
                severity: Severity::Info,
                findings: 0,
                rules: Vec::new(),
                reason: String::new(),
                confounders: t.confounders.clone(),
            },
        };
        match t.attack {
            Some(a) => {
                for &action in &t.actions {
                    q.actions.entry(action).or_default().push(o.clone());
                }
                q.attacked.entry(a).or_default().push(o);
            }
            None => {
                for &c in &t.confounders {
                    q.benign.entry(c).or_default().push(o.clone());
                }
                q.benign_all.push(o);
            }
        }
    }
    q
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

impl Quality {
    /// Attacked users below high.
    pub fn missed(&self) -> Vec<(&Outcome, Attack, bool)> {
        self.attacked
            .iter()
            .flat_map(|(&(a, audit), v)| v.iter().map(move |o| (o, a, audit)))
            .filter(|(o, _, _)| o.severity < Severity::High)
            .collect()
    }

    /// Members of a campaign whose findings do not name the `campaign` rule.
    pub fn campaign_unlinked(&self) -> Vec<(&Outcome, bool)> {
        self.attacked
            .iter()
            .filter(|((a, _), _)| *a == Attack::Campaign)
            .flat_map(|(&(_, audit), v)| v.iter().map(move |o| (o, audit)))
            .filter(|(o, _)| !o.rules.iter().any(|r| r == "campaign"))
            .collect()
    }

    /// Benign users at `min` or above, most severe first.
    pub fn benign_at_least(&self, min: Severity) -> Vec<&Outcome> {
        let mut v: Vec<&Outcome> = self.benign_all.iter().filter(|o| o.severity >= min).collect();
        v.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.user.cmp(&b.user)));
        v
    }

    /// Share of benign users with a finding at high or above, in percent.
    pub fn benign_high_percent(&self) -> f64 {
        percent(self.benign_at_least(Severity::High).len(), self.benign_all.len())
    }

    /// Share of benign users with a finding at medium or above, in percent.
    pub fn benign_medium_percent(&self) -> f64 {
        percent(self.benign_at_least(Severity::Medium).len(), self.benign_all.len())
    }

    /// Attacked users (all variants) at high or above, and all attacked users.
    pub fn recall(&self) -> (usize, usize) {
        let all: Vec<&Outcome> = self.attacked.values().flatten().collect();
        (all.iter().filter(|o| o.severity >= Severity::High).count(), all.len())
    }

    /// A plain-text table per scenario: attacked users per variant and per action, the benign
    /// shares, users per confounder and severity, and the benign users at medium or above.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Attacked users (every one must be high or critical):");
        for ((a, audit), v) in &self.attacked {
            let sev: Vec<&str> = v.iter().map(|o| o.severity.as_str()).collect();
            let ok = v.iter().all(|o| o.severity >= Severity::High);
            let linked = if *a == Attack::Campaign {
                let n = v.iter().filter(|o| o.rules.iter().any(|r| r == "campaign")).count();
                format!("  campaign-linked {n}/{}", v.len())
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  {:<40} audit trail {:<3}  {:>2} user(s)  severities [{}]  {}{linked}",
                a.name(),
                if *audit { "yes" } else { "no" },
                v.len(),
                sev.join(", "),
                if ok { "OK" } else { "MISS" }
            );
        }
        for (o, attack, audit) in self.missed() {
            let _ = writeln!(
                s,
                "    missed {} ({}, audit {}): {} [{}] {}",
                o.user,
                attack.name(),
                if audit { "yes" } else { "no" },
                o.severity.as_str(),
                o.rules.join(" "),
                o.reason
            );
        }
        let _ = writeln!(s, "Attacker actions (victims whose trail has it, by highest severity):");
        for (a, v) in &self.actions {
            let sev: Vec<&str> = v.iter().map(|o| o.severity.as_str()).collect();
            let _ = writeln!(s, "  {:<40} {:>2} user(s)  [{}]", a.name(), v.len(), sev.join(", "));
        }
        let (hit, all) = self.recall();
        let _ = writeln!(s, "Recall: {hit} of {all} attacked users at high or critical");
        let _ = writeln!(
            s,
            "Benign users at high or above: {:.2} % of {} (bar: <= 1 %)",
            self.benign_high_percent(),
            self.benign_all.len()
        );
        let _ = writeln!(
            s,
            "Benign users at medium or above: {:.2} % of {} (bar: <= 1 %)",
            self.benign_medium_percent(),
            self.benign_all.len()
        );
        let _ = writeln!(s, "Benign confounders (users by highest severity):");
        for (c, v) in &self.benign {
            let count = |sev: Severity| v.iter().filter(|o| o.severity == sev).count();
            let _ = writeln!(
                s,
                "  {:<48} {:>4} users: none/info {:>4}  low {:>4}  medium {:>4}  high {:>3}  critical {:>3}",
                c.name(),
                v.len(),
                count(Severity::Info),
                count(Severity::Low),
                count(Severity::Medium),
                count(Severity::High),
                count(Severity::Critical)
            );
        }
        let flagged = self.benign_at_least(Severity::Medium);
        const SHOWN: usize = 30;
        for o in flagged.iter().take(SHOWN) {
            let confounders: Vec<&str> = o.confounders.iter().map(|c| c.name()).collect();
            let _ = writeln!(
                s,
                "    benign {} {} ({}) [{}] {}",
                o.user,
                o.severity.as_str(),
                confounders.join(", "),
                o.rules.join(" "),
                o.reason
            );
        }
        if flagged.len() > SHOWN {
            let _ = writeln!(
                s,
                "    … and {} more benign users at medium or above",
                flagged.len() - SHOWN
            );
        }
        s
    }
}

/// One line per layout (or any other label): recall, the variants with a miss, campaign members
/// linked, and the benign shares at medium and at high or above.
pub fn summary(rows: &[(&str, &Quality)]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<18} {:>9}  {:>9}  {:>10}  {:>9}  variants with a miss",
        "layout", "recall", "campaign", "benign m+", "benign h+"
    );
    for (label, q) in rows {
        let (hit, all) = q.recall();
        let campaign: usize = q
            .attacked
            .iter()
            .filter(|((a, _), _)| *a == Attack::Campaign)
            .map(|(_, v)| v.len())
            .sum();
        let linked = campaign - q.campaign_unlinked().len();
        let mut missed: BTreeMap<String, usize> = BTreeMap::new();
        for (_, attack, audit) in q.missed() {
            let key = format!("{}{}", attack.name(), if audit { "+audit" } else { "" });
            *missed.entry(key).or_default() += 1;
        }
        let missed: Vec<String> = missed.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let _ = writeln!(
            s,
            "{:<18} {:>9}  {:>9}  {:>9.2}%  {:>8.2}%  {}",
            label,
            format!("{hit}/{all}"),
            format!("{linked}/{campaign}"),
            q.benign_medium_percent(),
            q.benign_high_percent(),
            if missed.is_empty() { "none".to_owned() } else { missed.join(", ") }
        );
    }
    s
}
