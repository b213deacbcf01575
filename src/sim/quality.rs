//! Quality measurement: compares a report with the simulator's ground truth, per scenario.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::tenant::{Attack, Confounder, Tenant};
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
}

/// Outcomes per scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    /// Attacked users per (variant, with audit trail).
    pub attacked: BTreeMap<(Attack, bool), Vec<Outcome>>,
    /// Benign users per confounder (a user appears under each of their confounders).
    pub benign: BTreeMap<Confounder, Vec<Outcome>>,
    /// Every benign user once.
    pub benign_all: Vec<Outcome>,
}

/// Scores `report` against `tenant`'s ground truth.
pub fn evaluate(tenant: &Tenant, report: &Report) -> Quality {
    let mut per_user: BTreeMap<&str, (Severity, u32)> = BTreeMap::new();
    for f in &report.findings {
        let e = per_user.entry(f.user.as_str()).or_insert((Severity::Info, 0));
        e.0 = e.0.max(f.severity);
        e.1 += 1;
    }
    let mut q = Quality::default();
    for t in &tenant.truth {
        let (severity, findings) =
            per_user.get(t.user.as_str()).copied().unwrap_or((Severity::Info, 0));
        let o = Outcome { user: t.user.clone(), severity, findings };
        match t.attack {
            Some(a) => q.attacked.entry(a).or_default().push(o),
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

impl Quality {
    /// Attacked users below high.
    pub fn missed(&self) -> Vec<(&Outcome, Attack, bool)> {
        self.attacked
            .iter()
            .flat_map(|(&(a, audit), v)| v.iter().map(move |o| (o, a, audit)))
            .filter(|(o, _, _)| o.severity < Severity::High)
            .collect()
    }

    /// Share of benign users with a finding at high or above, in percent.
    pub fn benign_high_percent(&self) -> f64 {
        if self.benign_all.is_empty() {
            return 0.0;
        }
        let n = self.benign_all.iter().filter(|o| o.severity >= Severity::High).count();
        100.0 * n as f64 / self.benign_all.len() as f64
    }

    /// A plain-text table per scenario.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Attacked users (every one must be high or critical):");
        for ((a, audit), v) in &self.attacked {
            let sev: Vec<&str> = v.iter().map(|o| o.severity.as_str()).collect();
            let ok = v.iter().all(|o| o.severity >= Severity::High);
            let _ = writeln!(
                s,
                "  {:<40} audit trail {:<3}  {:>2} user(s)  severities [{}]  {}",
                a.name(),
                if *audit { "yes" } else { "no" },
                v.len(),
                sev.join(", "),
                if ok { "OK" } else { "MISS" }
            );
        }
        let _ = writeln!(
            s,
            "Benign users at high or above: {:.2} % of {} (bar: <= 1 %)",
            self.benign_high_percent(),
            self.benign_all.len()
        );
        let _ = writeln!(s, "Benign confounders (users by highest severity):");
        for (c, v) in &self.benign {
            let count = |sev: Severity| v.iter().filter(|o| o.severity == sev).count();
            let _ = writeln!(
                s,
                "  {:<40} {:>4} users: none/info {:>4}  low {:>4}  medium {:>4}  high {:>3}  critical {:>3}",
                c.name(),
                v.len(),
                count(Severity::Info),
                count(Severity::Low),
                count(Severity::Medium),
                count(Severity::High),
                count(Severity::Critical)
            );
        }
        s
    }
}
