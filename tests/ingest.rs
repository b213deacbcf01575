//! Ingestion of every export shape (tests/fixtures/formats, described in tests/fixtures/README.md).

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::net::IpAddr;

use proptest::prelude::*;
use sessionhunt::ingest::{Dataset, uti_to_request_id};
use sessionhunt::model::{AuthRequirement, Event, EventKind, Id, Outcome, RiskLevel, Sym};
use sessionhunt::report::InputSummary;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(names: &[&str]) -> Dataset {
    let mut ds = Dataset::new();
    for n in names {
        ds.add_file(n, &bytes(n));
    }
    ds
}

fn s(ds: &Dataset, sym: Sym) -> &str {
    ds.strings.resolve(sym)
}

fn id(ds: &Dataset, id: Id) -> String {
    ds.strings.id_text(id).to_string()
}

fn summary<'a>(ds: &'a Dataset, name: &str) -> &'a InputSummary {
    ds.files.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no summary {name}"))
}

#[track_caller]
fn check_counts(
    ds: &Dataset,
    name: &str,
    format: &str,
    rows: u64,
    events: u64,
    dups: u64,
    skipped: &[(&str, u64)],
) {
    let f = summary(ds, name);
    assert_eq!(f.format, format, "{name}");
    assert_eq!((f.rows, f.events, f.duplicates), (rows, events, dups), "{name}: {f:?}");
    let got: Vec<(&str, u64)> =
        f.skipped_reasons.iter().map(|r| (r.reason.as_str(), r.count)).collect();
    assert_eq!(got, skipped, "{name}");
    assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{name}: every row counted once");
}

fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

/// The event content that must not depend on the file shape: everything but the source.
fn content(ds: &Dataset, e: &Event) -> String {
    let r = |x: Sym| ds.strings.resolve(x).to_owned();
    let audit = ds.audit(e).map(|a| {
        let params: Vec<String> =
            a.parameters.iter().map(|(n, v)| format!("{}={}", r(*n), r(*v))).collect();
        let fwd: Vec<String> = a.forward_to.iter().map(|x| r(*x)).collect();
        format!(
            "{}|{}|{}|{params:?}|{fwd:?}|{}",
            r(a.operation),
            r(a.workload),
            r(a.client_info),
            r(a.target_user)
        )
    });
    format!(
        "{} {:?} {} {} {:?} {} {}/{}/{} {:?} {} {} {} {} {} {} {} {} {} {} {} {} {} {:?} {} {:?} {} {:?} {} {} {audit:?}",
        e.time,
        e.kind,
        r(e.user),
        r(ds.who(e).user_object_id),
        ds.ip(e),
        ds.place(e).asn,
        r(ds.place(e).location.country),
        r(ds.place(e).location.state),
        r(ds.place(e).location.city),
        ds.place(e).location.coordinates,
        r(ds.client(e).user_agent),
        r(ds.client(e).browser),
        r(ds.client(e).os),
        r(ds.client(e).device_id),
        ds.client(e).compliant,
        ds.client(e).managed,
        r(ds.app(e).app_id),
        r(ds.app(e).app_name),
        r(ds.app(e).resource),
        r(ds.client(e).client_app),
        id(ds, e.session_id),
        id(ds, e.unique_token_id),
        id(ds, e.request_id),
        e.outcome,
        ds.auth(e).error_code,
        ds.auth(e).risk_level,
        r(ds.auth(e).risk_event_types),
        ds.auth(e).auth_requirement,
        r(ds.auth(e).mfa_detail),
        r(ds.client(e).incoming_token_type)
    )
}

fn contents(ds: &Dataset) -> Vec<String> {
    let mut v: Vec<String> = ds.events.iter().map(|e| content(ds, e)).collect();
    v.sort();
    v
}

const PORTAL: &str = "InteractiveSignIns_2026-03-01_2026-03-07.csv";

#[test]
fn portal_csv_57_columns() {
    let ds = load(&[PORTAL]);
    check_counts(&ds, PORTAL, "entra-portal-csv", 4, 2, 1, &[("unparseable time", 1)]);
    assert_eq!(summary(&ds, PORTAL).log_kind, "interactive");
    let d = &ds.diagnostics[0];
    assert_eq!((d.line, d.column), (5, 1), "{d:?}");
    assert!(d.message.contains("not a date"), "{d:?}");

    let e = &ds.events[0];
    assert_eq!(sessionhunt::time::rfc3339(e.time), "2026-03-02T08:15:30Z");
    assert_eq!(e.kind, EventKind::Interactive);
    assert_eq!(s(&ds, e.user), "alice@example.com");
    assert_eq!(s(&ds, ds.who(e).user_object_id), "6f0c1b2a-1111-4222-8333-444455556666");
    assert_eq!(ds.ip(e), ip("192.0.2.10"));
    assert_eq!(ds.place(e).asn, 64496, "`Autonomous system  number` with two spaces");
    assert_eq!(
        (
            s(&ds, ds.place(e).location.city),
            s(&ds, ds.place(e).location.state),
            s(&ds, ds.place(e).location.country)
        ),
        ("Seattle", "Washington", "US")
    );
    assert_eq!(
        s(&ds, ds.app(e).app_id),
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "`Application ID ` with its trailing space"
    );
    assert_eq!(s(&ds, ds.app(e).resource), "Office 365 Exchange Online");
    assert_eq!(
        id(&ds, e.correlation_id),
        "c0ffee00-0000-4000-8000-000000000001",
        "ids lower-cased"
    );
    assert_eq!(id(&ds, e.session_id), "5d1c2b3a-0000-4000-8000-00000000abcd");
    assert_eq!(
        s(&ds, ds.client(e).incoming_token_type),
        "primaryRefreshToken",
        "the second `Incoming token type` column"
    );
    assert_eq!(uti_to_request_id(&id(&ds, e.unique_token_id)), Some(id(&ds, e.request_id)));
    assert_eq!(e.outcome, Outcome::Success);
    assert_eq!(ds.auth(e).auth_requirement, AuthRequirement::MultiFactor);
    assert_eq!(s(&ds, ds.auth(e).mfa_detail), "MFA successfully completed");
    assert_eq!(
        (s(&ds, ds.client(e).browser), s(&ds, ds.client(e).os)),
        ("Chrome 122.0.0", "Windows10")
    );
    assert_eq!(e.source.line, 2);

    let f = &ds.events[1];
    assert_eq!(
        sessionhunt::time::rfc3339(f.time),
        "2026-03-02T09:01:02.123Z",
        "fractional seconds"
    );
    assert_eq!((f.outcome, ds.auth(f).error_code), (Outcome::Failure, 50126));
    assert_eq!(s(&ds, ds.client(f).user_agent), "axios/1.6.8");
    assert_eq!(s(&ds, ds.place(f).location.country), "NL");
}

#[test]
fn portal_csv_older_header_generations() {
    for (name, session) in [
        ("portal_55_columns.csv", true),
        ("portal_54_columns.csv", false),
        ("portal_49_columns.csv", false),
    ] {
        let ds = load(&[name]);
        check_counts(&ds, name, "entra-portal-csv", 2, 2, 0, &[]);
        let e = &ds.events[0];
        assert_eq!(s(&ds, e.user), "alice@example.com", "{name}");
        assert_eq!(ds.place(e).asn, 64496, "{name}");
        assert_eq!(id(&ds, e.session_id).is_empty(), !session, "{name}");
        assert_eq!(s(&ds, ds.client(e).incoming_token_type), "primaryRefreshToken", "{name}");
    }
}

#[test]
fn portal_kinds_from_file_and_header() {
    let ni = "NonInteractiveSignIns_2026-03-01_2026-03-07.csv";
    let app = "ApplicationSignIns_2026-03-01_2026-03-07.csv";
    let msi = "MSISignIns_2026-03-01_2026-03-07.csv";
    let ds = load(&[ni, app, msi]);
    check_counts(&ds, ni, "entra-portal-csv", 1, 1, 0, &[]);
    let e = &ds.events[0];
    assert_eq!(e.kind, EventKind::NonInteractive);
    assert_eq!(s(&ds, e.user), "bob@example.com", "BOM stripped, UPN lower-cased");
    assert_eq!(ds.ip(e), ip("2001:db8::5"), "[v6]:port");
    assert_eq!(s(&ds, ds.place(e).location.country), "AU");
    assert_eq!(ds.events[1].kind, EventKind::ServicePrincipal);
    assert_eq!(
        s(&ds, ds.events[1].user),
        "7a7a7a7a-0000-4000-8000-000000000001",
        "service principal id"
    );
    assert_eq!(ds.events[2].kind, EventKind::ManagedIdentity);
    assert_eq!(summary(&ds, app).log_kind, "service-principal");
}

#[test]
fn authentication_details_join_in_either_order() {
    let ni = "NonInteractiveSignIns_2026-03-01_2026-03-07.csv";
    let auth = "InteractiveSignIns_AuthDetails_2026-03-01_2026-03-07.csv";
    for order in [[ni, auth], [auth, ni]] {
        let ds = load(&order);
        check_counts(
            &ds,
            auth,
            "entra-portal-authdetails-csv",
            2,
            0,
            0,
            &[("authentication detail (joined into its sign-in)", 2)],
        );
        let e = &ds.events[0];
        assert_eq!(
            s(&ds, ds.auth(e).mfa_detail),
            "MFA requirement satisfied by claim in the token",
            "{order:?}"
        );
    }
}

#[test]
fn portal_zip_of_four_csvs() {
    let zip = "SGS_2026-03-01_2026-03-07_1_1.zip";
    let ds = load(&[zip]);
    let names: Vec<&str> = ds.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(summary(&ds, zip).format, "zip");
    check_counts(
        &ds,
        &format!("{zip}/NonInteractiveSignIns_2026-03-01_2026-03-07.csv"),
        "entra-portal-csv",
        1,
        1,
        0,
        &[],
    );
    check_counts(
        &ds,
        &format!("{zip}/MSISignIns_2026-03-01_2026-03-07.csv"),
        "entra-portal-csv",
        1,
        1,
        0,
        &[],
    );
    let kinds: Vec<EventKind> = ds.events.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&EventKind::ServicePrincipal) && kinds.contains(&EventKind::NonInteractive)
    );
    let ni = ds
        .events
        .iter()
        .find(|e| e.kind == EventKind::NonInteractive)
        .map(|e| s(&ds, ds.auth(e).mfa_detail));
    assert_eq!(
        ni,
        Some("MFA requirement satisfied by claim in the token"),
        "joined inside the zip"
    );
}

const GRAPH: &[(&str, u64)] = &[
    ("graph_array_compact.json", 3),
    ("graph_array_pretty_bom.json", 2),
    ("graph_signin.jsonl", 3),
    ("graph_concatenated_arrays.json", 3),
    ("graph_bare_object.json", 1),
    ("graph_value_envelope.json", 2),
    ("graph_utf16le_bom.json", 3),
    ("graph_utf16be_bom.json", 3),
];

#[test]
fn graph_json_every_shape_gives_the_same_events() {
    let reference = contents(&load(&["graph_array_compact.json"]));
    for &(name, n) in GRAPH {
        let ds = load(&[name]);
        check_counts(&ds, name, "graph-signin-json", n, n, 0, &[]);
        for c in contents(&ds) {
            assert!(reference.contains(&c), "{name}: {c}");
        }
    }
    let ds = load(&["graph_signin.jsonl.gz"]);
    check_counts(&ds, "graph_signin.jsonl.gz", "graph-signin-json+gzip", 3, 3, 0, &[]);
    assert_eq!(contents(&ds), reference);
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&bytes("graph_signin.jsonl.gz")[..]),
        &mut plain,
    )
    .expect("fixture is gzip");
    assert_eq!(
        summary(&ds, "graph_signin.jsonl.gz").bytes,
        plain.len() as u64,
        "decompressed size"
    );
}

#[test]
fn graph_json_fields() {
    let ds = load(&["graph_array_compact.json"]);
    let [a, b, c] = [&ds.events[0], &ds.events[1], &ds.events[2]];
    assert_eq!(
        (a.kind, b.kind, c.kind),
        (EventKind::Interactive, EventKind::NonInteractive, EventKind::NonInteractive),
        "signInEventTypes first, then isInteractive"
    );
    assert_eq!(ds.ip(a), ip("203.0.113.50"));
    assert_eq!(ds.place(a).asn, 64500);
    assert_eq!(s(&ds, ds.place(a).location.country), "NL");
    assert_eq!(s(&ds, ds.place(a).location.city), "Amsterdam");
    assert_eq!(ds.place(a).location.coordinates, Some((52.37, 4.89)));
    assert_eq!(s(&ds, ds.client(a).browser), "Edge 122.0.0");
    assert_eq!(ds.auth(a).risk_level, RiskLevel::Medium);
    assert_eq!(s(&ds, ds.auth(a).risk_event_types), "anomalousToken");
    assert_eq!(ds.auth(a).auth_requirement, AuthRequirement::SingleFactor);
    assert_eq!(s(&ds, ds.auth(a).mfa_detail), "MFA requirement satisfied by claim in the token");
    assert_eq!(a.outcome, Outcome::Success);
    // docs/formats.md §0 note 1: the public UTI examples decode to these request ids.
    assert_eq!(id(&ds, a.unique_token_id), "LsK9o4dlp065CignnK6MAA");
    assert_eq!(id(&ds, b.unique_token_id), "Bz1hOI89WU2reqpL121fAA");
    assert_eq!(uti_to_request_id(&id(&ds, b.unique_token_id)), Some(id(&ds, b.request_id)));
}

#[test]
fn broken_json_lines_cost_one_row_each() {
    let ds = load(&["graph_broken.jsonl"]);
    check_counts(&ds, "graph_broken.jsonl", "graph-signin-json", 4, 2, 0, &[("malformed JSON", 2)]);
    let lines: Vec<u64> = ds.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3]);
}

#[test]
fn event_hub_records_envelope() {
    let ds = load(&["eventhub_records.json"]);
    check_counts(&ds, "eventhub_records.json", "eventhub-signin-json", 2, 1, 0, &[("no user", 1)]);
    assert_eq!(ds.events[0].kind, EventKind::NonInteractive, "from the category");
    // The AuditLogs record is read as a directory audit record, which names no one.
    assert!(ds.diagnostics[0].message.contains("AuditLogs"));
}

#[test]
fn log_analytics_csv_and_json() {
    for (name, format) in [
        ("log_analytics_signins.csv", "log-analytics-csv"),
        ("log_analytics_signins.json", "log-analytics-json"),
    ] {
        let ds = load(&[name]);
        check_counts(&ds, name, format, 2, 2, 0, &[]);
        let [a, b] = [&ds.events[0], &ds.events[1]];
        assert_eq!(
            sessionhunt::time::rfc3339(a.time),
            "2026-07-03T18:52:57.794Z",
            "{name}: CreatedDateTime, not TimeGenerated"
        );
        assert_eq!(sessionhunt::time::rfc3339(b.time), "2026-07-03T19:02:03Z", "{name}");
        assert_eq!((a.kind, b.kind), (EventKind::Interactive, EventKind::NonInteractive), "{name}");
        assert_eq!(s(&ds, ds.place(a).location.city), "Berlin", "{name}: LocationDetails JSON");
        assert_eq!(s(&ds, ds.place(a).location.country), "DE", "{name}");
        assert_eq!(ds.place(a).location.coordinates, Some((52.52, 13.40)), "{name}");
        assert_eq!(s(&ds, ds.client(a).browser), "Safari 17.3", "{name}: DeviceDetail JSON");
        assert_eq!(ds.auth(a).risk_level, RiskLevel::High, "{name}");
        assert_eq!(
            s(&ds, ds.auth(a).risk_event_types),
            "unfamiliarFeatures,anomalousToken",
            "{name}"
        );
        assert_eq!(
            s(&ds, ds.auth(a).mfa_detail),
            "First factor requirement satisfied by claim in the token",
            "{name}"
        );
        assert_eq!(ds.place(a).asn, 64501, "{name}");
        assert_eq!((b.outcome, ds.auth(b).error_code), (Outcome::Failure, 50074), "{name}");
    }
}

#[test]
fn log_analytics_export_without_time_columns_uses_the_first_step_time() {
    // The training lab's `disable_accounts.csv` has neither `CreatedDateTime` nor
    // `TimeGenerated`; each row's first `authenticationStepDateTime` is its time.
    let name = "la_sentinel_lab_no_time.csv";
    let ds = load(&[name]);
    check_counts(&ds, name, "log-analytics-csv", 2, 2, 0, &[]);
    let times: Vec<String> = ds.events.iter().map(|e| sessionhunt::time::rfc3339(e.time)).collect();
    assert_eq!(times, ["2021-04-19T12:13:19.483Z", "2021-04-19T12:13:31.421Z"]);
    let e = &ds.events[0];
    assert_eq!(s(&ds, e.user), "john@example.com");
    assert_eq!((e.outcome, ds.auth(e).error_code), (Outcome::Failure, 50057));
    assert_eq!(
        s(&ds, ds.auth(e).mfa_detail),
        "User account is disabled. The account has been disabled by an administrator."
    );

    // A time column, even an unparseable one, wins: the step time is only a stand-in.
    let csv = String::from_utf8(bytes(name)).unwrap();
    let with_column = csv
        .replacen("SourceSystem,", "TimeGenerated [UTC],SourceSystem,", 1)
        .replacen("\r\nAzure AD,", "\r\n\"4/19/2021, 12:00:00.000 PM\",Azure AD,", 2);
    let mut ds = Dataset::new();
    ds.add_file(name, with_column.as_bytes());
    let times: Vec<String> = ds.events.iter().map(|e| sessionhunt::time::rfc3339(e.time)).collect();
    assert_eq!(times, ["2021-04-19T12:00:00Z", "2021-04-19T12:00:00Z"]);
    let broken = csv.replacen("SourceSystem,", "TimeGenerated [UTC],SourceSystem,", 1).replacen(
        "\r\nAzure AD,",
        "\r\nnot a time,Azure AD,",
        2,
    );
    let mut ds = Dataset::new();
    ds.add_file(name, broken.as_bytes());
    assert!(ds.events.is_empty());
    assert_eq!(ds.files[0].skipped_reasons[0].reason, "unparseable time");
    assert_eq!(ds.files[0].skipped_reasons[0].count, 2);
}

#[test]
fn log_analytics_real_export_excerpt() {
    let name = "la_sentinel_lab_excerpt.csv";
    let ds = load(&[name]);
    check_counts(&ds, name, "log-analytics-csv", 2, 2, 0, &[]);
    let e = &ds.events[0];
    assert_eq!(s(&ds, e.user), "adele@example.com");
    assert_eq!(ds.ip(e), ip("203.0.113.99"));
    assert_eq!(
        sessionhunt::time::rfc3339(e.time),
        "2021-04-28T14:08:45.221Z",
        "`CreatedDateTime [UTC]` US locale"
    );
    assert_eq!(
        s(&ds, ds.auth(e).mfa_detail),
        "First factor requirement satisfied by claim in the token"
    );
}

#[test]
fn defender_sign_ins() {
    let ds = load(&["defender_entraidsigninevents.csv", "defender_aadsignineventsbeta.json"]);
    check_counts(&ds, "defender_entraidsigninevents.csv", "defender-signin-csv", 1, 1, 0, &[]);
    check_counts(&ds, "defender_aadsignineventsbeta.json", "defender-signin-json", 1, 1, 0, &[]);
    let [a, b] = [&ds.events[0], &ds.events[1]];
    assert_eq!(
        (a.kind, b.kind),
        (EventKind::NonInteractive, EventKind::Interactive),
        "from LogonType"
    );
    assert_eq!(ds.auth(a).risk_level, RiskLevel::Medium, "RiskLevelAggregated 50");
    assert_eq!(s(&ds, ds.place(a).location.country), "NL");
    assert_eq!(ds.place(a).location.coordinates, Some((52.37, 4.89)));
    assert_eq!(uti_to_request_id(&id(&ds, a.unique_token_id)), Some(id(&ds, a.request_id)));
    assert_eq!((b.outcome, ds.auth(b).error_code), (Outcome::Failure, 50126));
}

const UAL: &[(&str, &str)] = &[
    ("ual_purview.csv", "ual-purview-csv"),
    ("ual_purview_2026.csv", "ual-purview-csv"),
    ("ual_classic.csv", "ual-classic-csv"),
    ("ual_search_unifiedauditlog.csv", "ual-powershell-csv"),
    ("ual_extractor.json", "ual-json"),
    ("ual_auditdata.jsonl", "ual-auditdata-json"),
];

#[test]
fn ual_every_shape_gives_the_same_events() {
    let reference = contents(&load(&["ual_purview.csv"]));
    assert_eq!(reference.len(), 8);
    for &(name, format) in UAL {
        let ds = load(&[name]);
        check_counts(&ds, name, format, 8, 8, 0, &[]);
        assert_eq!(contents(&ds), reference, "{name}");
    }
    // Across files the copies are duplicates, kept once.
    let names: Vec<&str> = UAL.iter().map(|u| u.0).collect();
    let ds = load(&names);
    assert_eq!(ds.events.len(), 8);
    assert_eq!(ds.files.iter().map(|f| f.duplicates).sum::<u64>(), 40);
}

fn audit_op<'a>(ds: &'a Dataset, op: &str) -> &'a Event {
    ds.events
        .iter()
        .find(|e| ds.audit(e).is_some_and(|a| s(ds, a.operation) == op))
        .unwrap_or_else(|| panic!("no {op}"))
}

fn params(ds: &Dataset, e: &Event) -> Vec<String> {
    ds.audit(e)
        .map(|a| a.parameters.iter().map(|(n, v)| format!("{}={}", s(ds, *n), s(ds, *v))).collect())
        .unwrap_or_default()
}

fn forwards(ds: &Dataset, e: &Event) -> Vec<String> {
    ds.audit(e)
        .map(|a| a.forward_to.iter().map(|x| s(ds, *x).to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn auditdata_fields() {
    let ds = load(&["ual_purview.csv"]);
    let rule = audit_op(&ds, "New-InboxRule");
    assert_eq!(rule.kind, EventKind::Audit);
    assert_eq!(sessionhunt::time::rfc3339(rule.time), "2026-03-05T01:56:15Z");
    assert_eq!(s(&ds, rule.user), "alice@example.com");
    assert_eq!(ds.ip(rule), ip("192.0.2.200"), "ClientIP port stripped");
    assert_eq!(id(&ds, rule.session_id), "9dfdecb6-59a0-4714-846e-86c0fc911104");
    assert_eq!(forwards(&ds, rule), ["drop@example.net", "second@example.org"]);
    let p = params(&ds, rule);
    for want in
        ["DeleteMessage=True", "MarkAsRead=True", "SubjectContainsWords=invoice;payment", "Name=."]
    {
        assert!(p.iter().any(|x| x == want), "{want} in {p:?}");
    }
    assert!(!p.iter().any(|x| x.starts_with("Force=")), "{p:?}");

    // An STS logon is a sign-in that keeps its audit detail (tests/ingest_ual_sign_ins.rs).
    let login = audit_op(&ds, "UserLoggedIn");
    assert!(login.is_ual_sign_in());
    assert_eq!(login.kind, EventKind::NonInteractive, "OAuth2:Authorize");
    assert_eq!(
        id(&ds, login.correlation_id),
        "c0ffee00-0000-4000-8000-000000000005",
        "InterSystemsId"
    );
    assert_eq!(ds.ip(login), ip("2001:db8::77"), "[v6]:port");
    assert_eq!(
        id(&ds, login.session_id),
        "001eb37a-80ea-2ad3-aca1-1e3643c7a4e4",
        "DeviceProperties SessionId"
    );
    assert_eq!(s(&ds, ds.client(login).user_agent), "Mozilla/5.0 (X11; Linux x86_64)");
    assert_eq!(
        (s(&ds, ds.client(login).os), s(&ds, ds.client(login).browser)),
        ("Linux", "Firefox")
    );
    // The inbox rule's token was issued by this sign-in (docs/formats.md §0 note 1).
    assert_eq!(uti_to_request_id(&id(&ds, rule.unique_token_id)), Some(id(&ds, login.request_id)));

    let upd = audit_op(&ds, "UpdateInboxRules");
    assert_eq!(forwards(&ds, upd), ["exfil@example.net"], "ServerRule actions only");
    assert_eq!(
        id(&ds, upd.session_id),
        "77777777-0000-4000-8000-000000000007",
        "AppAccessContext.AADSessionId"
    );
    assert_eq!(ds.ip(upd), ip("203.0.113.66"), "ClientIPAddress");
    assert_eq!(
        s(&ds, ds.audit(upd).map_or(Sym::EMPTY, |a| a.client_info)),
        "Client=OWA;Action=ViaProxy"
    );
    assert!(params(&ds, upd).contains(&"RuleOperation=AddMailboxRule".to_owned()));

    let revoke = audit_op(&ds, "Update StsRefreshTokenValidFrom Timestamp.");
    assert_eq!(s(&ds, ds.audit(revoke).map_or(Sym::EMPTY, |a| a.target_user)), "alice@example.com");
    assert_eq!(ds.ip(revoke), None);
    let mfa = audit_op(&ds, "Update user.");
    assert!(params(&ds, mfa).contains(
        &"StrongAuthenticationMethod=[{\"Default\": true,\"MethodType\": 7}]".to_owned()
    ));
    let consent = audit_op(&ds, "Consent to application.");
    assert_eq!(
        s(&ds, ds.client(consent).user_agent),
        "python-requests/2.31",
        "additionalDetails, second parse"
    );
    assert!(
        params(&ds, consent)
            .contains(&"ConsentAction.Permissions=Scope: Mail.ReadWrite offline_access".to_owned())
    );
    audit_op(&ds, "Add registered owner to device.");
    let set = audit_op(&ds, "Set-InboxRule");
    assert_eq!(forwards(&ds, set), ["x@example.net", "y@example.net"]);
    assert_eq!(ds.ip(set), ip("2001:db8::99"));
}

#[test]
fn damaged_ual_rows_are_counted_and_located() {
    let name = "ual_damaged.csv";
    let ds = load(&[name]);
    check_counts(
        &ds,
        name,
        "ual-purview-csv",
        4,
        1,
        0,
        &[("malformed AuditData", 1), ("unparseable time", 1), ("wrong field count", 1)],
    );
    let at: Vec<(u64, u64)> = ds.diagnostics.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at, [(2, 0), (3, 6), (4, 0)]);
}

#[test]
fn cloud_app_events_csv_and_json() {
    for (name, format) in [
        ("defender_cloudappevents.csv", "defender-cloudappevents-csv"),
        ("defender_cloudappevents.json", "defender-cloudappevents-json"),
    ] {
        let ds = load(&[name]);
        check_counts(&ds, name, format, 2, 2, 0, &[]);
        let rule = audit_op(&ds, "New-InboxRule");
        assert_eq!(forwards(&ds, rule), ["drop@example.net", "second@example.org"], "{name}");
        assert_eq!(s(&ds, ds.place(rule).location.country), "NL", "{name}");
        assert_eq!(ds.ip(rule), ip("192.0.2.200"), "{name}");
        audit_op(&ds, "Consent to application.");
    }
}

#[test]
fn unknown_and_empty_files_say_why() {
    let ds = load(&["not_an_export.csv", "empty.csv"]);
    check_counts(&ds, "not_an_export.csv", "unknown", 1, 0, 0, &[("unrecognized format", 1)]);
    let d = &ds.diagnostics[0];
    assert!(d.message.contains("name, email") && d.message.contains("expected one of"), "{d:?}");
    assert_eq!(summary(&ds, "empty.csv").format, "empty");
    let mut ds = Dataset::new();
    ds.add_file("noise.bin", &[0u8, 1, 2, 3, 0xff, 0, 0, 7, 8]);
    assert!(ds.diagnostics[0].message.contains("binary data"));
}

#[test]
fn diagnostics_are_capped_and_the_rest_counted() {
    let mut text = String::from("\"Date (UTC)\",\"Request ID\",\"Username\"\r\n");
    for i in 0..150 {
        text.push_str(&format!("bad,{i},a@example.com\r\n"));
    }
    let mut ds = Dataset::new();
    ds.add_file("x.csv", text.as_bytes());
    assert_eq!(ds.files[0].skipped, 150);
    assert_eq!(ds.diagnostics.len(), 101);
    assert!(
        ds.diagnostics[100].message.starts_with("50 more problems not shown"),
        "{:?}",
        ds.diagnostics[100]
    );
}

fn all_fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(DIR)
        .map(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
        })
        .unwrap_or_default();
    v.retain(|n| !n.ends_with(".py"));
    v.sort();
    v
}

#[test]
fn duplicates_across_files_do_not_depend_on_load_order() {
    let names = all_fixtures();
    let forward: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut backward = forward.clone();
    backward.reverse();
    let a = load(&forward);
    let b = load(&backward);
    let mut fa = a.files.clone();
    let mut fb = b.files.clone();
    fa.sort_by(|x, y| x.name.cmp(&y.name));
    fb.sort_by(|x, y| x.name.cmp(&y.name));
    assert_eq!(fa, fb);
    assert_eq!(contents(&a), contents(&b));
    let kept = |ds: &Dataset| {
        let mut v: Vec<(String, u32)> = ds
            .events
            .iter()
            .map(|e| (ds.files[e.source.file as usize].name.clone(), e.source.line))
            .collect();
        v.sort();
        v
    };
    assert_eq!(kept(&a), kept(&b));
    for f in &fa {
        assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{f:?}");
    }
}

#[test]
fn progress_counts_bytes() {
    let mut ds = Dataset::new();
    let data = bytes(PORTAL);
    let mut ing = ds.begin_file(PORTAL, Some(data.len() as u64));
    ing.push(&data[..100]);
    assert_eq!(ing.progress(), (100, Some(data.len() as u64)));
    ing.push(&data[100..]);
    assert_eq!(ing.format(), "entra-portal-csv");
    ing.finish();
}

fn chunked(name: &str, data: &[u8], sizes: &[usize]) -> Dataset {
    let mut ds = Dataset::new();
    let mut ing = ds.begin_file(name, None);
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        ing.push(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    ing.finish();
    ds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_chunking_gives_identical_results(sizes in proptest::collection::vec(1usize..700, 1..12)) {
        for name in all_fixtures() {
            let data = bytes(&name);
            let whole = load(&[name.as_str()]);
            let parts = chunked(&name, &data, &sizes);
            prop_assert_eq!(&whole.files, &parts.files, "{}", name);
            // Every field (profiles included), not just the events' profile numbers.
            let flat = |ds: &Dataset| ds.events.iter().map(|e| ds.fields(e)).collect::<Vec<_>>();
            prop_assert_eq!(flat(&whole), flat(&parts), "{}", name);
            prop_assert_eq!(&whole.diagnostics, &parts.diagnostics, "{}", name);
        }
    }
}

/// The app owner tenant and the Conditional Access policies that enforce MFA but were not applied
/// (`conditional-access-mfa-bypass`), from the shapes that carry them: Graph beta's
/// `appOwnerTenantId` and `appliedConditionalAccessPolicies` (the real record's policy keys,
/// docs/formats.md §2), Log Analytics' `ConditionalAccessPolicies_dynamic` JSON cell (the real
/// export excerpt), the portal CSV's `App owner tenant ID`.
#[test]
fn app_owner_tenant_and_conditional_access_mfa_not_applied() {
    // The real Log Analytics excerpt: its one policy is notEnabled with no grant control.
    let ds = load(&["la_sentinel_lab_excerpt.csv"]);
    assert!(ds.events.iter().all(|e| ds.auth(e).ca_mfa_not_applied == Sym::EMPTY));
    // The same export with that policy enforcing MFA and not applied.
    let text = String::from_utf8(bytes("la_sentinel_lab_excerpt.csv")).expect("UTF-8");
    let text = text
        .replace(r#"""enforcedGrantControls"":[]"#, r#"""enforcedGrantControls"":[""Mfa""]"#)
        .replace(r#"""result"":""notEnabled"""#, r#"""result"":""notApplied"""#);
    let mut ds = Dataset::new();
    ds.add_file("la_ca.csv", text.as_bytes());
    assert_eq!(ds.events.len(), 2);
    for e in &ds.events {
        assert_eq!(
            s(&ds, ds.auth(e).ca_mfa_not_applied),
            "Exchange Online Requires Compliant Device"
        );
    }
    // Graph beta: an MFA policy not applied, a block policy applied, an MFA policy applied.
    let policy = |name: &str, controls: &str, result: &str| {
        format!(
            r#"{{"id":"{name}-id","displayName":"{name}","enforcedGrantControls":[{controls}],"enforcedSessionControls":[],"sessionControlsNotSatisfied":[],"result":"{result}","conditionsSatisfied":0,"conditionsNotSatisfied":0,"authenticationStrength":null,"includeRulesSatisfied":[],"excludeRulesSatisfied":[]}}"#
        )
    };
    let record = format!(
        r#"{{"id":"a3bdc22e-6587-4ea7-b90a-28279cae8c01","createdDateTime":"2026-03-03T07:00:00Z","userPrincipalName":"alice@example.com","appId":"1b730954-1685-4b74-9bfd-dac224a7b894","appDisplayName":"Azure Active Directory PowerShell","appOwnerTenantId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a","resourceId":"00000003-0000-0000-c000-000000000000","resourceDisplayName":"Microsoft Graph","ipAddress":"203.0.113.50","isInteractive":true,"conditionalAccessStatus":"notApplied","authenticationRequirement":"singleFactorAuthentication","status":{{"errorCode":0}},"appliedConditionalAccessPolicies":[{},{},{}]}}"#,
        policy("Require MFA for all users", r#""Mfa""#, "notApplied"),
        policy("Block legacy authentication", r#""Block""#, "success"),
        policy("Require MFA for admins", r#""Mfa""#, "success"),
    );
    let mut ds = Dataset::new();
    ds.add_file("graph.json", format!("[{record}]").as_bytes());
    let e = &ds.events[0];
    assert_eq!(s(&ds, ds.auth(e).app_owner_tenant), "f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    assert_eq!(s(&ds, ds.auth(e).ca_mfa_not_applied), "Require MFA for all users");
    // The portal CSV's `App owner tenant ID` (and no policy detail in that download, whatever
    // the record held).
    let rec = sessionhunt::sim::SignInRecord {
        time: 1_772_521_200_000,
        interactive: true,
        user: "alice@example.com".into(),
        request_id: "a3bdc22e-6587-4ea7-b90a-28279cae8c02".into(),
        app_id: "1b730954-1685-4b74-9bfd-dac224a7b894".into(),
        app_owner_tenant: "f8cdef31-a31e-4b4a-93e4-5f571e91255a".into(),
        ca_mfa_not_applied: vec!["Require MFA for all users".into()],
        ip: "203.0.113.50".into(),
        ..Default::default()
    };
    let csv = format!(
        "{}\n{}\n",
        sessionhunt::sim::write::PORTAL_HEADER,
        sessionhunt::sim::write::portal_row(&rec, sessionhunt::sim::write::tenant_id())
    );
    let mut ds = Dataset::new();
    ds.add_file("InteractiveSignIns_2026-03-03_2026-03-03.csv", csv.as_bytes());
    assert_eq!(ds.events.len(), 1, "{:?}", ds.files);
    let e = &ds.events[0];
    assert_eq!(s(&ds, ds.auth(e).app_owner_tenant), "f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    assert_eq!(ds.auth(e).ca_mfa_not_applied, Sym::EMPTY);
}
