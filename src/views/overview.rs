//! The tenant overview: findings per day by severity, the networks and countries of
//! non-interactive sign-ins (the traffic token replay hides in), what each input file and each
//! user's data cover, and what the loaded data cannot show.
//!
//! One pass over the events (and one more over the user sign-ins only when non-interactive
//! sign-ins carry no ASN, to learn it from other sign-ins of their IP, as the detection does).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::origin::Places;
use super::time_text;
use crate::detect::{HashMap, HashSet};
use crate::ingest::Dataset;
use crate::model::{EventKind, Millis, Sym};
use crate::report::{Report, Severity};

/// How many networks and countries the overview lists.
pub const TOP: usize = 20;

/// The tenant at a glance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Earliest event, RFC 3339 UTC (the report's coverage); empty when there are no events.
    pub start: String,
    /// Latest event, RFC 3339 UTC; empty when there are no events.
    pub end: String,
    /// Findings in the report.
    pub findings: u64,
    /// Findings per UTC day of their first event, by severity; only days with findings, oldest
    /// first. The totals add up to `findings`.
    pub findings_per_day: Vec<DayCount>,
    /// Non-interactive sign-ins by network and country.
    pub non_interactive: NonInteractive,
    /// Each input file, in the report's order (by name).
    pub sources: Vec<SourceCoverage>,
    /// Each kind of log that has events: its count and time span.
    pub logs: Vec<LogSpan>,
    /// Each user with events, by name.
    pub users: Vec<UserCoverage>,
    /// What the loaded data cannot show: the report's coverage warnings, then each log's span
    /// and where it stops short of the data's.
    pub limits: Vec<String>,
}

/// Findings of one day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC) of the findings' first events.
    pub day: String,
    /// Critical findings.
    pub critical: u64,
    /// High findings.
    pub high: u64,
    /// Medium findings.
    pub medium: u64,
    /// Low findings.
    pub low: u64,
    /// Info findings.
    pub info: u64,
    /// All of them.
    pub total: u64,
}

/// Non-interactive sign-ins by network and country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonInteractive {
    /// Non-interactive sign-ins loaded.
    pub events: u64,
    /// Their distinct users.
    pub users: u64,
    /// Distinct networks among them (known ASNs).
    pub networks: u64,
    /// Distinct countries among them (known countries).
    pub countries: u64,
    /// The [`TOP`] networks, most sign-ins first (then ASN).
    pub top_networks: Vec<NetworkCount>,
    /// The [`TOP`] countries, most sign-ins first (then code).
    pub top_countries: Vec<CountryCount>,
    /// Sign-ins whose ASN is unknown (neither logged, nor learned from another sign-in of the
    /// IP, nor in a loaded IP database).
    pub unknown_network: u64,
    /// Sign-ins whose country is unknown.
    pub unknown_country: u64,
}

/// Non-interactive sign-ins from one network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCount {
    /// The ASN.
    pub asn: u32,
    /// Its label, e.g. `AS14061 DigitalOcean`.
    pub network: String,
    /// Sign-ins.
    pub events: u64,
    /// Distinct users.
    pub users: u64,
}

/// Non-interactive sign-ins from one country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryCount {
    /// ISO 3166 alpha-2 code.
    pub country: String,
    /// Sign-ins.
    pub events: u64,
    /// Distinct users.
    pub users: u64,
}

/// What one input file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoverage {
    /// File name (as in the report's inputs).
    pub name: String,
    /// Detected format, e.g. `entra-portal-csv`.
    pub format: String,
    /// Kind of log (`interactive`, `non-interactive`, `audit`, `mixed`, `ip-database`, …).
    pub log_kind: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that became events.
    pub events: u64,
    /// First event, RFC 3339 UTC; empty when it has none.
    pub first: String,
    /// Last event, RFC 3339 UTC; empty when it has none.
    pub last: String,
}

/// One kind of log's events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSpan {
    /// `interactive`, `non-interactive`, `service-principal`, `managed-identity` or `audit`.
    pub kind: String,
    /// Events of that kind.
    pub events: u64,
    /// First, RFC 3339 UTC.
    pub first: String,
    /// Last, RFC 3339 UTC.
    pub last: String,
    /// Whole or partial UTC days between them, at least 1.
    pub days: u64,
}

/// What one user's events cover.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCoverage {
    /// Lower-cased UPN, else object id.
    pub user: String,
    /// Interactive sign-ins.
    pub interactive: u64,
    /// Non-interactive sign-ins.
    pub non_interactive: u64,
    /// Audit operations.
    pub audit: u64,
    /// Service-principal and managed-identity sign-ins attributed to the user.
    pub other: u64,
    /// First event, RFC 3339 UTC.
    pub first: String,
    /// Last event, RFC 3339 UTC.
    pub last: String,
    /// The user's findings.
    pub findings: u64,
    /// The most severe of them; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

#[derive(Clone, Copy)]
struct Span {
    first: Millis,
    last: Millis,
}

impl Span {
    fn add(span: &mut Option<Span>, t: Millis) {
        match span {
            Some(s) => {
                s.first = s.first.min(t);
                s.last = s.last.max(t);
            }
            None => *span = Some(Span { first: t, last: t }),
        }
    }
}

#[derive(Default)]
struct UserAcc {
    kinds: [u64; 5],
    span: Option<Span>,
}

#[derive(Default)]
struct Tally<K> {
    events: BTreeMap<K, u64>,
    pairs: Vec<(K, Sym)>,
}

impl<K: Ord + Copy> Tally<K> {
    fn add(&mut self, key: K, user: Sym) {
        *self.events.entry(key).or_default() += 1;
        self.pairs.push((key, user));
    }

    /// Every key with its events and distinct users, most events first (then key).
    fn ranked(mut self) -> Vec<(K, u64, u64)> {
        self.pairs.sort_unstable();
        self.pairs.dedup();
        let mut users: BTreeMap<K, u64> = BTreeMap::new();
        for (k, _) in &self.pairs {
            *users.entry(*k).or_default() += 1;
        }
        let mut out: Vec<(K, u64, u64)> = self
            .events
            .into_iter()
            .map(|(k, n)| (k, n, users.get(&k).copied().unwrap_or(0)))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The tenant overview of a dataset and its report (docs/views.md).
pub fn overview(ds: &Dataset, report: &Report) -> Overview {
    let mut out = Overview {
        start: report.coverage.start.clone(),
        end: report.coverage.end.clone(),
        findings: report.findings.len() as u64,
        ..Overview::default()
    };
    out.findings_per_day = per_day(report);

    let places =
        Places::for_events(ds, ds.events.iter().filter(|e| e.kind == EventKind::NonInteractive));
    let mut files: Vec<Option<Span>> = vec![None; ds.files.len()];
    let mut kinds: [(u64, Option<Span>); 5] = Default::default();
    let mut users: HashMap<Sym, UserAcc> = HashMap::default();
    let mut ni_users: HashSet<Sym> = HashSet::default();
    let mut asns: Tally<u32> = Tally::default();
    // Countries by their text; the database's country codes are not interned.
    let mut countries: Tally<&str> = Tally::default();
    let mut ni = NonInteractive::default();
    for e in &ds.events {
        if let Some(slot) = files.get_mut(e.source.file as usize) {
            Span::add(slot, e.time);
        }
        let k = e.kind.index();
        kinds[k].0 += 1;
        Span::add(&mut kinds[k].1, e.time);
        if !e.user.is_empty() {
            let u = users.entry(e.user).or_default();
            u.kinds[k] += 1;
            Span::add(&mut u.span, e.time);
        }
        if e.kind == EventKind::NonInteractive {
            ni.events += 1;
            ni_users.insert(e.user);
            match places.asn(e).0 {
                0 => ni.unknown_network += 1,
                asn => asns.add(asn, e.user),
            }
            match places.country(e).0 {
                "" => ni.unknown_country += 1,
                country => countries.add(country, e.user),
            }
        }
    }
    ni.users = ni_users.iter().filter(|u| !u.is_empty()).count() as u64;
    let asns = asns.ranked();
    let countries = countries.ranked();
    ni.networks = asns.len() as u64;
    ni.countries = countries.len() as u64;
    ni.top_networks = asns
        .into_iter()
        .take(TOP)
        .map(|(asn, events, users)| NetworkCount {
            asn,
            network: crate::enrich::asn_label(asn),
            events,
            users,
        })
        .collect();
    ni.top_countries = countries
        .into_iter()
        .take(TOP)
        .map(|(c, events, users)| CountryCount { country: c.to_owned(), events, users })
        .collect();
    out.non_interactive = ni;

    // Sources in the report's order (by name); a name given twice is listed once per file.
    let mut sources: Vec<SourceCoverage> = ds
        .files
        .iter()
        .zip(&files)
        .map(|(f, span)| SourceCoverage {
            name: f.name.clone(),
            format: f.format.clone(),
            log_kind: f.log_kind.clone(),
            rows: f.rows,
            events: f.events,
            first: time_text(span.map(|s| s.first)),
            last: time_text(span.map(|s| s.last)),
        })
        .collect();
    sources.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.first.cmp(&b.first)));
    out.sources = sources;

    out.logs = EventKind::ALL
        .iter()
        .zip(&kinds)
        .filter_map(|(kind, (n, span))| {
            let s = (*span)?;
            let days = (s.last.div_euclid(DAY) - s.first.div_euclid(DAY) + 1).max(1);
            Some(LogSpan {
                kind: kind.as_str().to_owned(),
                events: *n,
                first: crate::time::rfc3339(s.first),
                last: crate::time::rfc3339(s.last),
                days: u64::try_from(days).unwrap_or(0),
            })
        })
        .collect();

    let mut by_user: BTreeMap<&str, (u64, Severity)> = BTreeMap::new();
    for f in &report.findings {
        let slot = by_user.entry(f.user.as_str()).or_insert((0, Severity::Info));
        slot.0 += 1;
        slot.1 = slot.1.max(f.severity);
    }
    let mut user_rows: Vec<UserCoverage> = Vec::with_capacity(users.len());
    let mut syms: Vec<Sym> = users.keys().copied().collect();
    syms.sort_by(|a, b| ds.strings.resolve(*a).cmp(ds.strings.resolve(*b)));
    for sym in syms {
        let Some(u) = users.get(&sym) else { continue };
        let name = ds.strings.resolve(sym);
        let found = by_user.get(name);
        user_rows.push(UserCoverage {
            user: name.to_owned(),
            interactive: u.kinds[EventKind::Interactive.index()],
            non_interactive: u.kinds[EventKind::NonInteractive.index()],
            audit: u.kinds[EventKind::Audit.index()],
            other: u.kinds[EventKind::ServicePrincipal.index()]
                + u.kinds[EventKind::ManagedIdentity.index()],
            first: time_text(u.span.map(|s| s.first)),
            last: time_text(u.span.map(|s| s.last)),
            findings: found.map_or(0, |f| f.0),
            severity: found.map(|f| f.1),
        });
    }
    out.users = user_rows;
    out.limits = limits(report, &out.logs, &kinds);
    out
}

const DAY: Millis = 86_400_000;

fn per_day(report: &Report) -> Vec<DayCount> {
    let mut days: BTreeMap<&str, DayCount> = BTreeMap::new();
    for f in &report.findings {
        let day = f.first_seen.get(..10).filter(|d| d.len() == 10).unwrap_or("unknown");
        let d = days.entry(day).or_default();
        match f.severity {
            Severity::Critical => d.critical += 1,
            Severity::High => d.high += 1,
            Severity::Medium => d.medium += 1,
            Severity::Low => d.low += 1,
            Severity::Info => d.info += 1,
        }
        d.total += 1;
    }
    days.into_iter().map(|(day, d)| DayCount { day: day.to_owned(), ..d }).collect()
}

/// The report's warnings, the missing logs when the report does not already say so, each log's
/// span, and where a log stops a day or more short of the data's span.
fn limits(report: &Report, logs: &[LogSpan], kinds: &[(u64, Option<Span>); 5]) -> Vec<String> {
    let mut out = report.coverage.warnings.clone();
    let said = |prefix: &str| out.iter().any(|w| w.starts_with(prefix));
    let any = kinds.iter().any(|k| k.0 > 0);
    let mut missing = Vec::new();
    if any && kinds[EventKind::NonInteractive.index()].0 == 0 && !said("No non-interactive") {
        missing.push(
            "No non-interactive sign-in log loaded: token replays from another network cannot be \
             seen."
                .to_owned(),
        );
    }
    if any && kinds[EventKind::Audit.index()].0 == 0 && !said("No audit") {
        missing.push(
            "No audit log loaded: actions after a sign-in (inbox rules, forwarding, MFA methods) \
             and containment cannot be seen."
                .to_owned(),
        );
    }
    out.extend(missing);
    let all: Vec<Span> = kinds.iter().filter_map(|k| k.1).collect();
    let (Some(start), Some(end)) =
        (all.iter().map(|s| s.first).min(), all.iter().map(|s| s.last).max())
    else {
        return out;
    };
    for (log, (_, span)) in logs.iter().zip(kinds.iter().filter(|k| k.1.is_some())) {
        let Some(span) = span else { continue };
        out.push(format!(
            "{}: {} from {} to {} ({} day(s)).",
            log_label(&log.kind),
            log.events,
            log.first,
            log.last,
            log.days
        ));
        let (early, late) = (span.first.saturating_sub(start), end.saturating_sub(span.last));
        if early >= DAY {
            out.push(format!(
                "{} start {} after the data's first event: earlier ones are not loaded (export \
                 window or retention).",
                log_label(&log.kind),
                crate::time::duration(early)
            ));
        }
        if late >= DAY {
            out.push(format!(
                "{} end {} before the data's last event: later ones are not loaded (export window \
                 or retention).",
                log_label(&log.kind),
                crate::time::duration(late)
            ));
        }
    }
    out
}

/// What a kind of log holds, in words.
fn log_label(kind: &str) -> &'static str {
    match kind {
        "interactive" => "Interactive sign-ins",
        "non-interactive" => "Non-interactive sign-ins",
        "service-principal" => "Service-principal sign-ins",
        "managed-identity" => "Managed-identity sign-ins",
        "audit" => "Audit operations",
        _ => "Events",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Coverage, Finding};
    use crate::sim::builder::Builder;

    fn finding(id: &str, user: &str, severity: Severity, first_seen: &str) -> Finding {
        Finding {
            id: id.into(),
            user: user.into(),
            severity,
            first_seen: first_seen.into(),
            ..Finding::default()
        }
    }

    #[test]
    fn the_overview_counts_days_networks_sources_and_users() {
        let mut b = Builder::new();
        b.i("a@x.com", "2026-03-01T08:00:00Z", "198.51.100.7", 7922);
        b.ni("a@x.com", "2026-03-01T09:00:00Z", "198.51.100.7", 7922);
        // No ASN logged: learned from a's interactive sign-in of the same IP.
        b.ni("b@x.com", "2026-03-02T09:00:00Z", "198.51.100.7", 0).country = "DE".into();
        b.ni("b@x.com", "2026-03-05T09:00:00Z", "203.0.113.9", 14061).country = String::new();
        b.ni("c@x.com", "2026-03-05T10:00:00Z", "203.0.113.10", 0);
        let ds = b.dataset();
        let report = Report {
            findings: vec![
                finding("F-1", "b@x.com", Severity::Critical, "2026-03-05T09:00:00Z"),
                finding("F-2", "b@x.com", Severity::Low, "2026-03-02T09:00:00Z"),
                finding("F-3", "c@x.com", Severity::Low, "2026-03-05T10:00:00Z"),
                finding("F-4", "c@x.com", Severity::High, "garbage"),
            ],
            coverage: Coverage {
                start: "2026-03-01T08:00:00Z".into(),
                warnings: vec!["a warning\u{1b}[2J".into()],
                ..Coverage::default()
            },
            ..Report::default()
        };
        let o = overview(&ds, &report);
        let days: Vec<(&str, u64, u64, u64)> = o
            .findings_per_day
            .iter()
            .map(|d| (d.day.as_str(), d.critical, d.low, d.total))
            .collect();
        assert_eq!(days, [("2026-03-02", 0, 1, 1), ("2026-03-05", 1, 1, 2), ("unknown", 0, 0, 1)]);
        assert_eq!(o.findings_per_day.iter().map(|d| d.total).sum::<u64>(), o.findings);
        let ni = &o.non_interactive;
        assert_eq!((ni.events, ni.users, ni.unknown_network, ni.unknown_country), (4, 3, 1, 1));
        let nets: Vec<(u32, u64, u64)> =
            ni.top_networks.iter().map(|n| (n.asn, n.events, n.users)).collect();
        assert_eq!(nets, [(7922, 2, 2), (14061, 1, 1)]);
        let countries: Vec<(&str, u64)> =
            ni.top_countries.iter().map(|c| (c.country.as_str(), c.events)).collect();
        assert_eq!(countries, [("US", 2), ("DE", 1)]);
        assert_eq!(o.sources.len(), 1);
        assert_eq!(o.sources[0].first, "2026-03-01T08:00:00Z");
        assert_eq!(o.sources[0].last, "2026-03-05T10:00:00Z");
        let users: Vec<(&str, u64, u64, u64, Option<Severity>)> = o
            .users
            .iter()
            .map(|u| (u.user.as_str(), u.interactive, u.non_interactive, u.findings, u.severity))
            .collect();
        assert_eq!(
            users,
            [
                ("a@x.com", 1, 1, 0, None),
                ("b@x.com", 0, 2, 2, Some(Severity::Critical)),
                ("c@x.com", 0, 1, 2, Some(Severity::High)),
            ]
        );
        let spans: Vec<(&str, u64, u64)> =
            o.logs.iter().map(|l| (l.kind.as_str(), l.events, l.days)).collect();
        assert_eq!(spans, [("interactive", 1, 1), ("non-interactive", 4, 5)]);
        assert_eq!(o.limits[0], "a warning\u{1b}[2J", "the report's warnings come first, as data");
        assert!(o.limits.iter().any(|l| l.starts_with("No audit log loaded")), "{:?}", o.limits);
        assert!(!o.limits.iter().any(|l| l.starts_with("No non-interactive")));
        assert!(
            o.limits.iter().any(|l| l.starts_with("Interactive sign-ins end 4 d")),
            "{:?}",
            o.limits
        );
        assert_eq!(overview(&ds, &report), o, "deterministic");
    }

    #[test]
    fn an_empty_dataset_has_an_empty_overview() {
        let o = overview(&Dataset::new(), &Report::default());
        assert_eq!(o, Overview::default());
    }
}
