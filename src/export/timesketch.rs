//! Timesketch JSON Lines (docs/exports.md): every event of the affected users, one JSON object a
//! line, with the three fields Timesketch requires (`message`, `datetime`, `timestamp_desc`), the
//! `timestamp` in microseconds, every normalized field, the row it came from, and the ids of the
//! covered findings that cite the event.
//!
//! Affected users are the users of the findings the [`Selection`] covers. Keys are written in
//! sorted order (serde_json's map), values escaped by serde_json, so hostile log text stays a
//! JSON string.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::Selection;
use crate::ingest::Dataset;
use crate::model::{Event, Outcome, Sym};
use crate::report::Report;

/// The affected users' events as Timesketch JSON Lines, in time order (then user, file, line).
pub fn timesketch(report: &Report, dataset: &Dataset, selection: &Selection) -> String {
    let findings = selection.findings(report);
    // (file, line) → the covered findings citing that row.
    let mut cited: BTreeMap<(&str, u64), BTreeSet<&str>> = BTreeMap::new();
    let mut severity: BTreeMap<&str, &str> = BTreeMap::new();
    for f in &findings {
        for r in f.events.iter().chain(f.related_audit.iter().map(|a| &a.source)) {
            cited.entry((r.file.as_str(), r.line)).or_default().insert(&f.id);
        }
        severity.insert(&f.id, f.severity.as_str());
    }
    let users: BTreeSet<Sym> = findings
        .iter()
        .filter_map(|f| dataset.strings.get(&f.user))
        .filter(|s| !s.is_empty())
        .collect();
    let mut events: Vec<&Event> =
        dataset.events.iter().filter(|e| users.contains(&e.user)).collect();
    events.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| dataset.strings.resolve(a.user).cmp(dataset.strings.resolve(b.user)))
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut out = String::new();
    for e in events {
        let file = dataset.files.get(e.source.file as usize).map_or("", |f| f.name.as_str());
        let ids = cited.get(&(file, u64::from(e.source.line)));
        let line = record(dataset, e, file, ids, &severity);
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn record(
    ds: &Dataset,
    event: &Event,
    file: &str,
    ids: Option<&BTreeSet<&str>>,
    severity: &BTreeMap<&str, &str>,
) -> Value {
    let e = ds.fields(event);
    let s = |sym: Sym| ds.strings.resolve(sym).to_owned();
    let time = crate::time::rfc3339(e.time);
    let kind = e.kind.as_str();
    let ip = e.ip.map(|ip| ip.to_string()).unwrap_or_default();
    let user = s(e.user);
    let app = if e.app_name.is_empty() { s(e.app_id) } else { s(e.app_name) };
    let operation = e.audit.as_ref().map(|a| s(a.operation)).unwrap_or_default();
    let message = if operation.is_empty() {
        format!(
            "{kind} sign-in of {user} to {} from {} ({}){}",
            if app.is_empty() { "an unnamed app" } else { &app },
            if ip.is_empty() { "an unlogged IP" } else { &ip },
            crate::enrich::asn_label(e.asn),
            match e.outcome {
                Outcome::Success => "",
                Outcome::Failure => ", failed",
                Outcome::Interrupted => ", interrupted",
                Outcome::Unknown => "",
            }
        )
    } else {
        format!("{operation} by {user} from {}", if ip.is_empty() { "an unlogged IP" } else { &ip })
    };
    let finding_ids: Vec<&str> = ids.map(|s| s.iter().copied().collect()).unwrap_or_default();
    let top = finding_ids.iter().filter_map(|id| severity.get(id)).max_by_key(|s| sev_rank(s));
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("message", json!(message));
    put("datetime", json!(time));
    put("timestamp", json!(e.time.saturating_mul(1000)));
    put(
        "timestamp_desc",
        json!(if e.kind.is_user_sign_in() || operation.is_empty() {
            "Sign-in time"
        } else {
            "Operation time"
        }),
    );
    put("data_type", json!(format!("sessionhunt:{kind}")));
    put("user", json!(user));
    put("user_object_id", json!(s(e.user_object_id)));
    put("event_kind", json!(kind));
    put("ip", json!(ip));
    put("asn", json!(e.asn));
    put("network", json!(crate::enrich::asn_label(e.asn)));
    put("country", json!(s(e.location.country)));
    put("state", json!(s(e.location.state)));
    put("city", json!(s(e.location.city)));
    put("user_agent", json!(s(e.user_agent)));
    put("browser", json!(s(e.browser)));
    put("os", json!(s(e.os)));
    put("device_id", json!(s(e.device_id)));
    put("device_compliant", json!(e.compliant));
    put("device_managed", json!(e.managed));
    put("app", json!(app));
    put("app_id", json!(s(e.app_id)));
    put("resource", json!(s(e.resource)));
    put("client_app", json!(s(e.client_app)));
    put("session_id", json!(ds.strings.id_text(e.session_id).to_string()));
    put("unique_token_id", json!(ds.strings.id_text(e.unique_token_id).to_string()));
    put("request_id", json!(ds.strings.id_text(e.request_id).to_string()));
    put("correlation_id", json!(ds.strings.id_text(e.correlation_id).to_string()));
    put("outcome", json!(e.outcome.as_str()));
    put("error_code", json!(e.error_code));
    put("risk_level", json!(e.risk_level.label()));
    put("risk_event_types", json!(s(e.risk_event_types)));
    put("authentication_requirement", json!(e.auth_requirement.label()));
    put("mfa_detail", json!(s(e.mfa_detail)));
    put("incoming_token_type", json!(s(e.incoming_token_type)));
    put("operation", json!(operation));
    if let Some(a) = &e.audit {
        put("workload", json!(s(a.workload)));
        put("client_info", json!(s(a.client_info)));
        put("target_user", json!(s(a.target_user)));
        let params: Vec<Value> =
            a.parameters.iter().map(|(k, v)| json!({"name": s(*k), "value": s(*v)})).collect();
        put("parameters", Value::Array(params));
        put("forward_to", json!(a.forward_to.iter().map(|f| s(*f)).collect::<Vec<_>>()));
    }
    put("source_file", json!(file));
    put("source_line", json!(e.source.line));
    put("finding_ids", json!(finding_ids));
    put("severity", json!(top.copied().unwrap_or("")));
    put("tag", json!(if finding_ids.is_empty() { vec![] } else { vec!["sessionhunt-finding"] }));
    Value::Object(m)
}

fn sev_rank(s: &str) -> u8 {
    crate::report::Severity::parse(s).map_or(0, |s| s as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;
    use crate::sim::builder;

    #[test]
    fn every_line_is_a_timesketch_event_of_an_affected_user() {
        let mut b = builder::Builder::new();
        b.ni("a@x.com", "2026-03-01T10:00:00Z", "203.0.113.9", 14061).user_agent =
            "evil\"</script>\n".into();
        b.i("b@x.com", "2026-03-01T11:00:00Z", "198.51.100.1", 7922);
        let ds = b.dataset();
        let line = u64::from(ds.events[0].source.line);
        let report = Report {
            findings: vec![crate::report::Finding {
                id: "F-1".into(),
                user: "a@x.com".into(),
                severity: Severity::High,
                events: vec![crate::report::EventRef {
                    file: "built.json".into(),
                    line,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Report::default()
        };
        let text = timesketch(&report, &ds, &Selection::at_least(Severity::High));
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 1, "{text}");
        let l = &lines[0];
        assert_eq!(l["datetime"], "2026-03-01T10:00:00Z");
        assert_eq!(l["timestamp"], 1_772_359_200_000_000i64);
        assert_eq!(l["user"], "a@x.com");
        assert_eq!(l["finding_ids"], json!(["F-1"]));
        assert!(l["message"].as_str().unwrap().contains("203.0.113.9"));
        assert_eq!(l["user_agent"], "evil\"</script>\n", "hostile text stays one JSON string");
        assert_eq!(l["timestamp_desc"], "Sign-in time");
        assert_eq!(timesketch(&report, &ds, &Selection::at_least(Severity::Critical)), "");
    }
}
