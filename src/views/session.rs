//! The session view: every event of one session id across sign-ins and audit records, in time
//! order (then file, line), each with its origin, what changed from the session's previous
//! events, the sign-in an audit record rode on, and the findings that cite it.
//!
//! Which events: every event logged with the session id, and every audit record of the
//! session's users whose unique token id (`UniqueTokenId`, the `uti` claim) names a sign-in of
//! the session: the UTI is the base64url of the sign-in's request id
//! ([`crate::ingest::uti_to_request_id`], docs/formats.md §0 note 1), or the same token id the
//! sign-in logged.
//!
//! Origin changes: for each of IP, ASN, country, user agent and device id, an event is marked
//! when it states a value and the latest earlier event of the session that states one stated
//! another (an audit record without a user agent changes nothing).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::origin::Places;
use super::{file_name, time_text};
use crate::detect::HashSet;
use crate::ingest::{Dataset, uti_to_request_id};
use crate::model::{Event, EventKind, Id};
use crate::report::Report;

/// One session id's events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session id as asked, trimmed and lower-cased (as the readers store it).
    pub session_id: String,
    /// Users whose events are in the session (lower-cased UPN, else object id), sorted.
    pub users: Vec<String>,
    /// Time of the first event, RFC 3339 UTC; empty when the session has no event.
    pub first: String,
    /// Time of the last event, RFC 3339 UTC; empty when the session has no event.
    pub last: String,
    /// Distinct IPs the session was used from.
    pub ips: u64,
    /// Events marked with at least one origin change.
    pub origin_changes: u64,
    /// Ids of the findings that name the session or cite one of its events, sorted.
    pub findings: Vec<String>,
    /// The events, in time order, then file name, then line.
    pub events: Vec<SessionEvent>,
}

/// One event of a session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    /// Event time, milliseconds since the Unix epoch (UTC).
    pub time_ms: i64,
    /// Event time, RFC 3339 UTC.
    pub time: String,
    /// `interactive`, `non-interactive`, `service-principal`, `managed-identity` or `audit`.
    pub kind: String,
    /// The user (lower-cased UPN, else object id).
    pub user: String,
    /// `success`, `failure`, `interrupted` or `unknown`.
    pub outcome: String,
    /// Client IP; empty when not logged.
    pub ip: String,
    /// Autonomous system number; 0 when unknown.
    pub asn: u32,
    /// The network, e.g. `AS14061 DigitalOcean` (`unknown ASN` for 0).
    pub network: String,
    /// Where the ASN came from: `log`, `sign-ins` (a sign-in from the same IP), `ip-database`,
    /// or empty when unknown.
    pub asn_source: String,
    /// Country (ISO 3166 alpha-2); empty when unknown.
    pub country: String,
    /// Where the country came from: `log`, `ip-database`, or empty.
    pub country_source: String,
    /// User agent as logged.
    pub user_agent: String,
    /// Entra device id; empty for unregistered devices.
    pub device_id: String,
    /// Application by name (the log's, else the known first-party name, else its id).
    pub app: String,
    /// Application id.
    pub app_id: String,
    /// Resource.
    pub resource: String,
    /// Audit operation (also the `UserLoggedIn` of a sign-in read from the Unified Audit Log).
    pub operation: String,
    /// Sign-in request id (the record id for an audit record).
    pub request_id: String,
    /// Unique token id (`uti`, UAL `UniqueTokenId`).
    pub unique_token_id: String,
    /// Session id as logged (empty for an audit record tied by its token id only).
    pub session_id: String,
    /// Why it is in the view: `session` (logged with the session id) or `token` (an audit record
    /// whose token id names a sign-in of the session).
    pub linked_by: String,
    /// For an audit record with a token id: the sign-in it rode on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rode_on: Option<RodeOn>,
    /// What changed from the session's earlier events, in this order: `ip`, `asn`, `country`,
    /// `user-agent`, `device`.
    pub changes: Vec<String>,
    /// Ids of the findings whose events include this one, sorted.
    pub findings: Vec<String>,
    /// Input file name (as in the report's inputs).
    pub file: String,
    /// 1-based line of the row.
    pub line: u64,
}

/// The sign-in an audit record rode on, by its token id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RodeOn {
    /// The sign-in's request id: the token id decoded (or, when it does not decode, the request id
    /// of the sign-in that logged the same token id).
    pub request_id: String,
    /// Position of that sign-in in the view's `events`, when it is in the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<u32>,
    /// That sign-in's time, RFC 3339 UTC; empty when it is not in the loaded data.
    pub time: String,
    /// That sign-in's IP; empty when it is not in the loaded data or logged none.
    pub ip: String,
}

/// The session ids of a finding (sorted), or `None` when the report has no such finding.
pub fn sessions_of(report: &Report, finding_id: &str) -> Option<Vec<String>> {
    let f = report.findings.iter().find(|f| f.id == finding_id.trim())?;
    let mut ids = f.session_ids.clone();
    ids.sort();
    ids.dedup();
    Some(ids)
}

/// The session view of `session_id` (trimmed, lower-cased). A session with no event in the data
/// gives a view with no events (the findings that name it are still listed).
pub fn session(ds: &Dataset, report: &Report, session_id: &str) -> SessionView {
    let wanted_text = session_id.trim().to_lowercase();
    let mut view = SessionView { session_id: wanted_text.clone(), ..SessionView::default() };
    let wanted = match ds.strings.find_id(&wanted_text) {
        Some(id) if !id.is_empty() => Some(id),
        _ => None,
    };
    // Pass 1: the events logged with the session id.
    let mut picked: Vec<(usize, &'static str)> = Vec::new();
    if let Some(id) = wanted {
        for (i, e) in ds.events.iter().enumerate() {
            if e.session_id == id {
                picked.push((i, "session"));
            }
        }
    }
    // Pass 2: audit records of its users whose token id names one of its sign-ins, and the
    // sign-ins the session's own audit records rode on when they are outside it.
    let users: HashSet<_> = picked.iter().map(|&(i, _)| ds.events[i].user).collect();
    let mut request_ids: HashSet<Id> = HashSet::default();
    let mut token_ids: HashSet<Id> = HashSet::default();
    for &(i, _) in &picked {
        let e = &ds.events[i];
        if e.kind != EventKind::Audit {
            if !e.request_id.is_empty() {
                request_ids.insert(e.request_id);
            }
            if !e.unique_token_id.is_empty() {
                token_ids.insert(e.unique_token_id);
            }
        }
    }
    let in_view: HashSet<usize> = picked.iter().map(|&(i, _)| i).collect();
    let mut decoded: BTreeMap<usize, Id> = BTreeMap::new();
    let decode = |e: &Event| -> Option<Id> {
        if e.unique_token_id.is_empty() {
            return None;
        }
        let text = uti_to_request_id(&ds.strings.id_text(e.unique_token_id))?;
        ds.strings.find_id(&text).filter(|id| !id.is_empty())
    };
    if !request_ids.is_empty() || !token_ids.is_empty() {
        for (i, e) in ds.events.iter().enumerate() {
            if e.kind != EventKind::Audit || in_view.contains(&i) || !users.contains(&e.user) {
                continue;
            }
            if e.unique_token_id.is_empty() {
                continue;
            }
            let by_request = decode(e);
            if by_request.is_some_and(|r| request_ids.contains(&r))
                || token_ids.contains(&e.unique_token_id)
            {
                picked.push((i, "token"));
                if let Some(r) = by_request {
                    decoded.insert(i, r);
                }
            }
        }
    }
    for &(i, _) in &picked {
        let e = &ds.events[i];
        if e.kind == EventKind::Audit
            && !decoded.contains_key(&i)
            && let Some(r) = decode(e)
        {
            decoded.insert(i, r);
        }
    }
    // The sign-ins audit records rode on, by request id or by the same token id, from the whole
    // dataset (usually they are in the session).
    let rode_ids: BTreeSet<Id> = decoded.values().copied().collect();
    let rode_tokens: BTreeSet<Id> = picked
        .iter()
        .map(|&(i, _)| &ds.events[i])
        .filter(|e| e.kind == EventKind::Audit && !e.unique_token_id.is_empty())
        .map(|e| e.unique_token_id)
        .collect();
    let mut by_request: BTreeMap<Id, usize> = BTreeMap::new();
    let mut by_token: BTreeMap<Id, usize> = BTreeMap::new();
    if !rode_ids.is_empty() || !rode_tokens.is_empty() {
        let first = |map: &mut BTreeMap<Id, usize>, key: Id, i: usize| {
            let slot = map.entry(key).or_insert(i);
            if sort_key(ds, &ds.events[i]) < sort_key(ds, &ds.events[*slot]) {
                *slot = i;
            }
        };
        for (i, e) in ds.events.iter().enumerate() {
            if !e.kind.is_user_sign_in() {
                continue;
            }
            if rode_ids.contains(&e.request_id) {
                first(&mut by_request, e.request_id, i);
            }
            if !e.unique_token_id.is_empty() && rode_tokens.contains(&e.unique_token_id) {
                first(&mut by_token, e.unique_token_id, i);
            }
        }
    }

    picked.sort_by(|a, b| {
        sort_key(ds, &ds.events[a.0]).cmp(&sort_key(ds, &ds.events[b.0])).then(a.0.cmp(&b.0))
    });
    let position: BTreeMap<usize, u32> = picked
        .iter()
        .enumerate()
        .map(|(p, &(i, _))| (i, u32::try_from(p).unwrap_or(u32::MAX)))
        .collect();
    let places = Places::for_events(ds, picked.iter().map(|&(i, _)| &ds.events[i]));
    let s = |sym| ds.strings.resolve(sym).to_owned();
    let id = |id: Id| ds.strings.id_text(id).to_string();
    // The latest stated value of each origin field.
    let mut last: [Option<String>; 5] = Default::default();
    let mut ips = BTreeSet::new();
    let mut users_out = BTreeSet::new();
    for &(i, linked_by) in &picked {
        let e = &ds.events[i];
        let client = ds.client(e);
        let app = ds.app(e);
        let ip = ds.ip(e).map(|ip| ip.to_string()).unwrap_or_default();
        let (asn, asn_source) = places.asn(e);
        let (country, country_source) = places.country(e);
        let origin = [
            ip.clone(),
            if asn == 0 { String::new() } else { asn.to_string() },
            country.to_owned(),
            s(client.user_agent),
            s(client.device_id),
        ];
        let mut changes = Vec::new();
        for (k, value) in origin.into_iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if last[k].as_ref().is_some_and(|prev| *prev != value) {
                changes.push(CHANGE_NAMES[k].to_owned());
            }
            last[k] = Some(value);
        }
        if !ip.is_empty() {
            ips.insert(ip.clone());
        }
        users_out.insert(s(e.user));
        let rode_on = if e.kind == EventKind::Audit && !e.unique_token_id.is_empty() {
            let sign_in = decoded
                .get(&i)
                .and_then(|r| by_request.get(r))
                .or_else(|| by_token.get(&e.unique_token_id))
                .copied();
            let request_id = match (decoded.get(&i), sign_in) {
                (Some(r), _) => id(*r),
                (None, Some(j)) => id(ds.events[j].request_id),
                (None, None) => String::new(),
            };
            (!request_id.is_empty()).then(|| RodeOn {
                request_id,
                event: sign_in.and_then(|j| position.get(&j).copied()),
                time: time_text(sign_in.map(|j| ds.events[j].time)),
                ip: sign_in
                    .and_then(|j| ds.ip(&ds.events[j]))
                    .map(|ip| ip.to_string())
                    .unwrap_or_default(),
            })
        } else {
            None
        };
        let app_name = match (s(app.app_name), s(app.app_id)) {
            (name, _) if !name.is_empty() => name,
            (_, app_id) => crate::enrich::app_name(&app_id).map_or(app_id, str::to_owned),
        };
        view.events.push(SessionEvent {
            time_ms: e.time,
            time: crate::time::rfc3339(e.time),
            kind: e.kind.as_str().to_owned(),
            user: s(e.user),
            outcome: e.outcome.as_str().to_owned(),
            ip,
            asn,
            network: places.network(e, asn, asn_source),
            asn_source: asn_source.to_owned(),
            country: country.to_owned(),
            country_source: country_source.to_owned(),
            user_agent: s(client.user_agent),
            device_id: s(client.device_id),
            app: app_name,
            app_id: s(app.app_id),
            resource: s(app.resource),
            operation: ds.audit(e).map(|a| s(a.operation)).unwrap_or_default(),
            request_id: id(e.request_id),
            unique_token_id: id(e.unique_token_id),
            session_id: id(e.session_id),
            linked_by: linked_by.to_owned(),
            rode_on,
            changes,
            findings: Vec::new(),
            file: file_name(ds, e).to_owned(),
            line: u64::from(e.source.line),
        });
    }
    view.origin_changes = view.events.iter().filter(|e| !e.changes.is_empty()).count() as u64;
    view.ips = ips.len() as u64;
    view.users = users_out.into_iter().filter(|u| !u.is_empty()).collect();
    view.first = view.events.first().map(|e| e.time.clone()).unwrap_or_default();
    view.last = view.events.last().map(|e| e.time.clone()).unwrap_or_default();

    // Findings: those citing an event of the view (same row, time and kind), and those naming
    // the session.
    let mut rows: BTreeMap<(&str, u64), Vec<usize>> = BTreeMap::new();
    for (p, e) in view.events.iter().enumerate() {
        rows.entry((e.file.as_str(), e.line)).or_default().push(p);
    }
    let mut cites: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut all = BTreeSet::new();
    for f in &report.findings {
        if f.session_ids.iter().any(|s| s.eq_ignore_ascii_case(&wanted_text)) {
            all.insert(f.id.clone());
        }
        let refs = f.events.iter().chain(f.related_audit.iter().map(|a| &a.source));
        for r in refs {
            let Some(ps) = rows.get(&(r.file.as_str(), r.line)) else { continue };
            for &p in ps {
                let ev = &view.events[p];
                if ev.time == r.time && ev.kind == r.kind {
                    cites.entry(p).or_default().insert(f.id.clone());
                    all.insert(f.id.clone());
                }
            }
        }
    }
    for (p, ids) in cites {
        if let Some(ev) = view.events.get_mut(p) {
            ev.findings = ids.into_iter().collect();
        }
    }
    view.findings = all.into_iter().collect();
    view
}

/// What an origin change names, in the order of the fields compared.
const CHANGE_NAMES: [&str; 5] = ["ip", "asn", "country", "user-agent", "device"];

/// The view's order: time, then file name, then line.
fn sort_key<'a>(ds: &'a Dataset, e: &Event) -> (i64, &'a str, u32) {
    (e.time, file_name(ds, e), e.source.line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{EventRef, Finding};
    use crate::sim::builder::Builder;
    use base64::Engine as _;

    const SID: &str = "5e55a0e1-0000-4000-8000-000000000001";

    /// The `uti` a sign-in with this request id gets (the inverse of `uti_to_request_id`).
    fn uti_of(request_id: &str) -> String {
        let bytes = uuid::Uuid::parse_str(request_id).unwrap().to_bytes_le();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn row(ds: &Dataset, i: usize) -> EventRef {
        let e = &ds.events[i];
        EventRef {
            file: file_name(ds, e).to_owned(),
            line: u64::from(e.source.line),
            time: crate::time::rfc3339(e.time),
            kind: e.kind.as_str().to_owned(),
        }
    }

    /// A phished session: the victim's sign-in, a replay from another network, an inbox rule
    /// logged without the session id but with the replay's token id, and unrelated events.
    fn phished() -> Dataset {
        let mut b = Builder::new();
        // Out of time order on purpose: the view sorts.
        let replay = b.ni("alice@x.com", "2026-03-01T10:05:00Z", "203.0.113.9", 14061);
        replay.session_id = SID.into();
        replay.country = "NL".into();
        replay.user_agent = "evil\u{1b}[31m\"</td>\n".into();
        replay.request_id = "aaaaaaaa-0000-4000-8000-000000000002".into();
        let own = b.i("alice@x.com", "2026-03-01T10:00:00Z", "198.51.100.7", 7922);
        own.session_id = SID.into();
        own.user_agent = "Mozilla/5.0".into();
        own.device_id = "dev-1".into();
        own.request_id = "aaaaaaaa-0000-4000-8000-000000000001".into();
        let rule = b.audit("alice@x.com", "2026-03-01T10:07:00Z", "203.0.113.9", "New-InboxRule");
        rule.unique_token_id = uti_of("aaaaaaaa-0000-4000-8000-000000000002");
        // Same token id, another user: not in the view.
        let other = b.audit("bob@x.com", "2026-03-01T10:08:00Z", "203.0.113.9", "New-InboxRule");
        other.unique_token_id = uti_of("aaaaaaaa-0000-4000-8000-000000000002");
        // Another session of alice.
        b.ni("alice@x.com", "2026-03-01T10:06:00Z", "198.51.100.7", 7922).session_id =
            "5e55a0e1-0000-4000-8000-000000000099".into();
        b.dataset()
    }

    #[test]
    fn a_session_lists_its_events_in_order_with_changes_and_the_sign_in_each_action_rode_on() {
        let ds = phished();
        let report = Report {
            findings: vec![Finding {
                id: "F-1".into(),
                user: "alice@x.com".into(),
                session_ids: vec![SID.into()],
                events: vec![row(&ds, 0), row(&ds, 2)],
                ..Finding::default()
            }],
            ..Report::default()
        };
        let v = session(&ds, &report, &format!("  {}  ", SID.to_uppercase()));
        assert_eq!(v.session_id, SID);
        assert_eq!(v.users, ["alice@x.com"]);
        let kinds: Vec<&str> = v.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["interactive", "non-interactive", "audit"], "time order");
        assert_eq!(v.events[0].time, "2026-03-01T10:00:00Z");
        assert_eq!(v.events[0].time_ms, crate::sim::builder::at("2026-03-01T10:00:00Z"));
        assert!(v.events[0].changes.is_empty(), "the first event changes nothing");
        assert_eq!(v.events[1].changes, ["ip", "asn", "country", "user-agent"]);
        assert_eq!(v.events[1].network, "AS14061 DigitalOcean");
        assert_eq!(v.events[1].asn_source, "log");
        // The audit record: in by its token id, riding on the replay; no UA, no country: no change.
        let a = &v.events[2];
        assert_eq!((a.linked_by.as_str(), a.operation.as_str()), ("token", "New-InboxRule"));
        assert!(a.changes.is_empty(), "{:?}", a.changes);
        let rode = a.rode_on.as_ref().unwrap();
        assert_eq!(rode.request_id, "aaaaaaaa-0000-4000-8000-000000000002");
        assert_eq!(rode.event, Some(1));
        assert_eq!(rode.ip, "203.0.113.9");
        assert_eq!(a.asn, 14061, "learned from the sign-in of its IP");
        assert_eq!(a.asn_source, "sign-ins");
        assert_eq!(v.events[1].user_agent, "evil\u{1b}[31m\"</td>\n", "log text stays as is");
        // Findings per event and for the view.
        assert_eq!(v.events[0].findings, Vec::<String>::new());
        assert_eq!(v.events[1].findings, ["F-1"]);
        assert_eq!(v.events[2].findings, ["F-1"]);
        assert_eq!(v.findings, ["F-1"]);
        assert_eq!((v.ips, v.origin_changes), (2, 1));
        assert_eq!(
            (v.first.as_str(), v.last.as_str()),
            ("2026-03-01T10:00:00Z", "2026-03-01T10:07:00Z")
        );
        assert_eq!(sessions_of(&report, "F-1"), Some(vec![SID.to_owned()]));
        assert_eq!(sessions_of(&report, "F-2"), None);
        // JSON keeps hostile text as one escaped string.
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains(r#""evil\u001b[31m\"</td>\n""#), "{json}");
        let back: SessionView = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn an_unknown_or_empty_session_gives_an_empty_view() {
        let ds = phished();
        let report = Report::default();
        for id in ["", "   ", "not-a-session", "5e55a0e1-0000-4000-8000-00000000dead", "\u{0}"] {
            let v = session(&ds, &report, id);
            assert!(v.events.is_empty() && v.users.is_empty(), "{id:?}");
            assert_eq!(v.first, "");
        }
        let empty = session(&Dataset::new(), &report, SID);
        assert!(empty.events.is_empty());
    }

    #[test]
    fn the_view_is_the_same_whatever_the_order_of_the_records() {
        let mut fwd = Builder::new();
        fwd.records = phished_records();
        let mut rev = Builder::new();
        rev.records = phished_records().into_iter().rev().collect();
        // Lines differ with the order; everything else must not.
        let strip = |v: SessionView| -> Vec<(String, String, Vec<String>, Option<String>)> {
            v.events
                .into_iter()
                .map(|e| (e.time, e.kind, e.changes, e.rode_on.map(|r| r.request_id)))
                .collect()
        };
        let report = Report::default();
        let a = strip(session(&fwd.dataset(), &report, SID));
        assert_eq!(a.len(), 3);
        assert_eq!(a[1].2, ["ip", "asn"]);
        assert_eq!(a[2].3.as_deref(), Some("aaaaaaaa-0000-4000-8000-000000000001"));
        assert_eq!(a, strip(session(&rev.dataset(), &report, SID)));
    }

    fn phished_records() -> Vec<crate::sim::records::Record> {
        let mut b = Builder::new();
        let own = b.i("alice@x.com", "2026-03-01T10:00:00Z", "198.51.100.7", 7922);
        own.session_id = SID.into();
        own.request_id = "aaaaaaaa-0000-4000-8000-000000000001".into();
        let replay = b.ni("alice@x.com", "2026-03-01T10:01:00Z", "203.0.113.9", 14061);
        replay.session_id = SID.into();
        replay.request_id = "aaaaaaaa-0000-4000-8000-000000000002".into();
        let rule = b.audit("alice@x.com", "2026-03-01T10:07:00Z", "", "New-InboxRule");
        rule.unique_token_id = uti_of("aaaaaaaa-0000-4000-8000-000000000001");
        b.records
    }
}
