//! The campaign view: the attacker infrastructure several users' findings share. IPs, networks
//! (ASNs), user agents and forwarding addresses that the findings of two or more users carry,
//! each with those users, the findings and their severities, how many of the findings' events
//! used it, and when it was first and last used.
//!
//! The indicators are the findings' own (`ips`, `asns`, `user_agents`) and the forwarding
//! addresses of the audit operations tied to them ([`crate::export::Evidence`], as the case
//! report lists them). Uses are the findings' events (and tied operations) that carry the
//! indicator, each event counted once.
//!
//! Order: the severity the indicator is shared at first (the highest severity that two or more
//! of its users have a finding of, at least), then the most users, then the highest severity,
//! then kind (IP, network, user agent, forwarding address) and value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::origin::Places;
use super::{file_indexes, time_text};
use crate::detect::HashMap;
use crate::export::Evidence;
use crate::ingest::Dataset;
use crate::report::{EventRef, Report, Severity};

/// One indicator shared by two or more users' findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedIndicator {
    /// `ip`, `asn`, `user-agent` or `forwarding-address`.
    pub kind: String,
    /// The IP, `AS14061`, the user agent or the address.
    pub value: String,
    /// For a network: its label (`AS14061 DigitalOcean`); empty for the other kinds.
    pub label: String,
    /// The users whose findings carry it, sorted.
    pub users: Vec<String>,
    /// The findings that carry it, most severe first (then user, then id).
    pub findings: Vec<Member>,
    /// The highest severity among them.
    pub severity: Severity,
    /// The highest severity that two or more of its users have a finding of, at least.
    pub shared_severity: Severity,
    /// Events of those findings (and operations tied to them) that used it, each counted once.
    pub events: u64,
    /// First use, RFC 3339 UTC (empty when no event of the loaded data shows it).
    pub first: String,
    /// Last use, RFC 3339 UTC (empty when no event of the loaded data shows it).
    pub last: String,
}

/// A finding carrying a shared indicator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Finding id.
    pub id: String,
    /// Its user.
    pub user: String,
    /// Its severity.
    pub severity: Severity,
}

/// Kinds in display order.
const KINDS: [&str; 4] = ["ip", "asn", "user-agent", "forwarding-address"];

#[derive(Default)]
struct Acc<'r> {
    findings: BTreeMap<&'r str, (&'r str, Severity)>,
    /// Events that used it, with repeats (two findings of a user may cite one event).
    events: Vec<usize>,
    first: Option<i64>,
    last: Option<i64>,
}

impl Acc<'_> {
    fn used(&mut self, i: usize, t: i64) {
        self.events.push(i);
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }
}

/// An indicator's key: its kind (index in [`KINDS`]) and value (an ASN's number as text is
/// never needed: networks are keyed by number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'r> {
    Text(usize, &'r str),
    Asn(u32),
}

/// The indicators shared by two or more users' findings (docs/views.md).
pub fn campaign(ds: &Dataset, report: &Report) -> Vec<SharedIndicator> {
    let evidence = Evidence::of(report, ds);
    let index = RowIndex::of(ds, report);
    let cited: Vec<usize> =
        report.findings.iter().flat_map(|f| &f.events).flat_map(|r| index.find(ds, r)).collect();
    let places = Places::for_events(ds, cited.iter().map(|&i| &ds.events[i]));
    let mut acc: BTreeMap<Key<'_>, Acc<'_>> = BTreeMap::new();
    for f in &report.findings {
        let mut add = |key| {
            acc.entry(key)
                .or_default()
                .findings
                .insert(f.id.as_str(), (f.user.as_str(), f.severity));
        };
        f.ips.iter().for_each(|ip| add(Key::Text(0, ip)));
        f.asns.iter().filter(|&&a| a != 0).for_each(|&a| add(Key::Asn(a)));
        f.user_agents.iter().filter(|u| !u.is_empty()).for_each(|u| add(Key::Text(2, u)));
        let forwards = evidence.forwarding.get(&f.id);
        forwards.into_iter().flatten().for_each(|a| add(Key::Text(3, a)));
    }
    // Keep what two or more users share before reading any event.
    acc.retain(|_, a| {
        let mut users = a.findings.values().map(|(u, _)| *u);
        let first = users.next();
        users.any(|u| Some(u) != first)
    });
    for f in &report.findings {
        // The finding's IPs parsed once, each with its text (the key).
        let ips: Vec<(std::net::IpAddr, &str)> =
            f.ips.iter().filter_map(|t| Some((t.parse().ok()?, t.as_str()))).collect();
        for r in &f.events {
            for i in index.find(ds, r) {
                let e = &ds.events[i];
                if let Some(ip) = ds.ip(e) {
                    let canon = ip.to_canonical();
                    if let Some(&(_, text)) = ips.iter().find(|(x, _)| *x == ip || *x == canon)
                        && let Some(a) = acc.get_mut(&Key::Text(0, text))
                    {
                        a.used(i, e.time);
                    }
                }
                let (asn, _) = places.asn(e);
                if asn != 0
                    && f.asns.contains(&asn)
                    && let Some(a) = acc.get_mut(&Key::Asn(asn))
                {
                    a.used(i, e.time);
                }
                let ua = ds.strings.resolve(ds.client(e).user_agent);
                if !ua.is_empty()
                    && let Some(ua) = f.user_agents.iter().find(|u| *u == ua)
                    && let Some(a) = acc.get_mut(&Key::Text(2, ua))
                {
                    a.used(i, e.time);
                }
            }
        }
        let Some(forwards) = evidence.forwarding.get(&f.id) else { continue };
        for r in f.related_audit.iter().map(|a| &a.source) {
            for i in index.find(ds, r) {
                let e = &ds.events[i];
                let Some(audit) = ds.audit(e) else { continue };
                for &to in &audit.forward_to {
                    if let Some(to) = forwards.get(ds.strings.resolve(to))
                        && let Some(a) = acc.get_mut(&Key::Text(3, to))
                    {
                        a.used(i, e.time);
                    }
                }
            }
        }
    }
    let mut out: Vec<SharedIndicator> = acc
        .into_iter()
        .map(|(key, mut a)| {
            a.events.sort_unstable();
            a.events.dedup();
            let mut per_user: BTreeMap<&str, Severity> = BTreeMap::new();
            for (user, sev) in a.findings.values() {
                let top = per_user.entry(user).or_default();
                *top = (*top).max(*sev);
            }
            let mut tops: Vec<Severity> = per_user.values().copied().collect();
            tops.sort_unstable_by(|a, b| b.cmp(a));
            let mut findings: Vec<Member> = a
                .findings
                .iter()
                .map(|(id, (user, severity))| Member {
                    id: (*id).to_owned(),
                    user: (*user).to_owned(),
                    severity: *severity,
                })
                .collect();
            findings.sort_by(|x, y| {
                y.severity.cmp(&x.severity).then_with(|| x.user.cmp(&y.user)).then(x.id.cmp(&y.id))
            });
            let (kind, value, label) = match key {
                Key::Asn(asn) => (1, format!("AS{asn}"), crate::enrich::asn_label(asn)),
                Key::Text(kind, value) => (kind, value.to_owned(), String::new()),
            };
            SharedIndicator {
                kind: KINDS.get(kind).copied().unwrap_or_default().to_owned(),
                value,
                label,
                users: per_user.keys().map(|u| (*u).to_owned()).collect(),
                findings,
                severity: tops.first().copied().unwrap_or_default(),
                shared_severity: tops.get(1).copied().unwrap_or_default(),
                events: a.events.len() as u64,
                first: time_text(a.first),
                last: time_text(a.last),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.shared_severity
            .cmp(&a.shared_severity)
            .then_with(|| pivot(&a.kind).cmp(&pivot(&b.kind)))
            .then_with(|| b.users.len().cmp(&a.users.len()))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.value.cmp(&b.value))
    });
    out
}

/// How specific an indicator of this kind is, most specific first: an IP or a forwarding
/// address names the attacker's own infrastructure; a network holds many tenants' users; a user
/// agent is shared by everyone on the same browser build (a campaign's common Chrome version
/// must not come before its IPs).
fn pivot(kind: &str) -> usize {
    ["ip", "forwarding-address", "asn", "user-agent"].iter().position(|k| *k == kind).unwrap_or(4)
}

/// The dataset's events behind the rows the findings cite: (file index, line) → event indexes.
pub(crate) struct RowIndex {
    rows: HashMap<(u32, u32), Vec<usize>>,
    files: BTreeMap<String, Vec<u32>>,
}

impl RowIndex {
    /// One pass over the dataset for the rows every finding cites (events and tied operations).
    pub(crate) fn of(ds: &Dataset, report: &Report) -> RowIndex {
        let files: BTreeMap<String, Vec<u32>> =
            file_indexes(ds).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let mut rows: HashMap<(u32, u32), Vec<usize>> = HashMap::default();
        for f in &report.findings {
            for r in f.events.iter().chain(f.related_audit.iter().map(|a| &a.source)) {
                let Ok(line) = u32::try_from(r.line) else { continue };
                for &file in files.get(&r.file).into_iter().flatten() {
                    rows.entry((file, line)).or_default();
                }
            }
        }
        if !rows.is_empty() {
            for (i, e) in ds.events.iter().enumerate() {
                if let Some(slot) = rows.get_mut(&(e.source.file, e.source.line)) {
                    slot.push(i);
                }
            }
        }
        RowIndex { rows, files }
    }

    /// The events of a cited row: every event of the row when it holds one, else those of the
    /// reference's time and kind (a JSON array on one line holds many).
    pub(crate) fn find(&self, ds: &Dataset, r: &EventRef) -> Vec<usize> {
        let Ok(line) = u32::try_from(r.line) else { return Vec::new() };
        let mut out = Vec::new();
        for &file in self.files.get(&r.file).into_iter().flatten() {
            let Some(events) = self.rows.get(&(file, line)) else { continue };
            if events.len() == 1 {
                out.extend_from_slice(events);
            } else {
                out.extend(events.iter().copied().filter(|&i| {
                    let e = &ds.events[i];
                    e.kind.as_str() == r.kind && crate::time::rfc3339(e.time) == r.time
                }));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AuditRef, Finding};
    use crate::sim::builder::Builder;

    fn row(ds: &Dataset, i: usize) -> EventRef {
        let e = &ds.events[i];
        EventRef {
            file: super::super::file_name(ds, e).to_owned(),
            line: u64::from(e.source.line),
            time: crate::time::rfc3339(e.time),
            kind: e.kind.as_str().to_owned(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        ds: &Dataset,
        id: &str,
        user: &str,
        severity: Severity,
        ips: &[&str],
        asns: &[u32],
        uas: &[&str],
        events: &[usize],
    ) -> Finding {
        Finding {
            id: id.into(),
            user: user.into(),
            severity,
            ips: ips.iter().map(|s| (*s).to_owned()).collect(),
            asns: asns.to_vec(),
            user_agents: uas.iter().map(|s| (*s).to_owned()).collect(),
            events: events.iter().map(|&i| row(ds, i)).collect(),
            ..Finding::default()
        }
    }

    #[test]
    fn indicators_two_users_share_are_listed_with_uses_most_severe_first() {
        let mut b = Builder::new();
        b.ni("a@x.com", "2026-03-01T10:00:00Z", "203.0.113.9", 14061).user_agent = "kit/1".into();
        b.ni("a@x.com", "2026-03-02T10:00:00Z", "203.0.113.9", 14061).user_agent = "kit/1".into();
        b.ni("b@x.com", "2026-03-03T09:00:00Z", "203.0.113.9", 14061).user_agent = "kit/1".into();
        b.ni("c@x.com", "2026-03-04T09:00:00Z", "198.51.100.1", 14061).user_agent =
            "\u{1b}]0;pwned\u{7}".into();
        let fwd = b.audit("a@x.com", "2026-03-01T10:10:00Z", "203.0.113.9", "New-InboxRule");
        fwd.forward_to = vec!["drop@evil.example".into()];
        let fwd = b.audit("c@x.com", "2026-03-04T09:10:00Z", "198.51.100.1", "Set-Mailbox");
        fwd.forward_to = vec!["drop@evil.example".into()];
        let ds = b.dataset();
        let mut fa = finding(
            &ds,
            "F-a",
            "a@x.com",
            Severity::Critical,
            &["203.0.113.9"],
            &[14061],
            &["kit/1"],
            &[0, 1, 4],
        );
        fa.related_audit = vec![AuditRef { source: row(&ds, 4), ..AuditRef::default() }];
        let fb = finding(
            &ds,
            "F-b",
            "b@x.com",
            Severity::Low,
            &["203.0.113.9"],
            &[14061],
            &["kit/1"],
            &[2],
        );
        let mut fc = finding(
            &ds,
            "F-c",
            "c@x.com",
            Severity::High,
            &["198.51.100.1"],
            &[14061],
            &["\u{1b}]0;pwned\u{7}"],
            &[3, 5],
        );
        fc.related_audit = vec![AuditRef { source: row(&ds, 5), ..AuditRef::default() }];
        let report = Report { findings: vec![fa, fb, fc], ..Report::default() };
        let shared = campaign(&ds, &report);
        let keys: Vec<(&str, &str)> =
            shared.iter().map(|s| (s.kind.as_str(), s.value.as_str())).collect();
        // a (critical) and c (high) share the network and the address: shared at high, the
        // address first (the attacker's own, where a network holds many tenants' users, though it
        // has more users here); the IP and the user agent only a (critical) and b (low): shared
        // at low, the IP first. c's agent is its own.
        assert_eq!(
            keys,
            [
                ("forwarding-address", "drop@evil.example"),
                ("asn", "AS14061"),
                ("ip", "203.0.113.9"),
                ("user-agent", "kit/1"),
            ]
        );
        let asn = &shared[1];
        assert_eq!(asn.label, "AS14061 DigitalOcean");
        assert_eq!(asn.users, ["a@x.com", "b@x.com", "c@x.com"]);
        assert_eq!((asn.severity, asn.shared_severity), (Severity::Critical, Severity::High));
        // Four sign-ins and the two operations (their network learned from the IP's sign-ins).
        assert_eq!(asn.events, 6);
        assert_eq!(
            (asn.first.as_str(), asn.last.as_str()),
            ("2026-03-01T10:00:00Z", "2026-03-04T09:10:00Z")
        );
        let ids: Vec<&str> = asn.findings.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["F-a", "F-c", "F-b"], "most severe first");
        let mail = &shared[0];
        assert_eq!(mail.users, ["a@x.com", "c@x.com"]);
        assert_eq!((mail.events, mail.first.as_str()), (2, "2026-03-01T10:10:00Z"));
        let ip = &shared[2];
        assert_eq!((ip.events, ip.shared_severity), (4, Severity::Low));
        assert_eq!(ip.last, "2026-03-03T09:00:00Z");
        assert!(shared.iter().all(|s| s.users.len() >= 2));
        // Deterministic, and the same from the serialized form.
        assert_eq!(campaign(&ds, &report), shared);
        let json = serde_json::to_string(&shared).unwrap();
        assert_eq!(serde_json::from_str::<Vec<SharedIndicator>>(&json).unwrap(), shared);
    }

    #[test]
    fn findings_citing_rows_that_are_not_loaded_do_not_panic() {
        let ds = Builder::new().dataset();
        let f = |id: &str, user: &str| Finding {
            id: id.into(),
            user: user.into(),
            ips: vec!["203.0.113.9".into()],
            events: vec![EventRef {
                file: "gone.csv".into(),
                line: u64::MAX,
                ..EventRef::default()
            }],
            ..Finding::default()
        };
        let report = Report { findings: vec![f("F-1", "a"), f("F-2", "b")], ..Report::default() };
        let shared = campaign(&ds, &report);
        assert_eq!(shared.len(), 1);
        assert_eq!((shared[0].events, shared[0].first.as_str()), (0, ""));
        assert!(campaign(&Dataset::new(), &Report::default()).is_empty());
    }
}
