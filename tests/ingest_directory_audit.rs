//! The Entra directory audit log in every shape (docs/formats-directory-audit.md): the fixtures
//! written by tests/fixtures/formats/directory_audit.py and the two real excerpts listed in
//! tests/fixtures/README.md.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::net::IpAddr;

use serde_json::{Value, json};
use sessionhunt::ingest::Dataset;
use sessionhunt::model::{Event, EventFields, EventKind, Outcome, Sym};
use sessionhunt::report::InputSummary;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");

const PORTAL_CSV: &str = "AuditLogs_2026-03-03.csv";
const PORTAL_JSON: &str = "AuditLogs_2026-03-03.json";
const GRAPH: &str = "graph_directory_audits.json";
const EVENT_HUB: &str = "eventhub_auditlogs.json";
const LA_CSV: &str = "log_analytics_auditlogs.csv";
const LAB: &str = "la_auditlogs_hunting_excerpt.csv";
const OTRF: &str = "otrf_aadauditevents_excerpt.json";

const ALICE: &str = "alice@example.com";
const OID_A: &str = "6f0c1b2a-1111-4222-8333-444455556666";
const UA_ATTACK: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
const UA_ADMIN: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15";

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

fn load_bytes(name: &str, data: &[u8]) -> Dataset {
    let mut ds = Dataset::new();
    ds.add_file(name, data);
    ds
}

fn summary<'a>(ds: &'a Dataset, name: &str) -> &'a InputSummary {
    ds.files.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no summary {name}"))
}

#[track_caller]
fn check_counts(
    ds: &Dataset,
    name: &str,
    format: &str,
    (rows, events, dups): (u64, u64, u64),
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
    Some(s.parse().expect("test IP"))
}

/// One event's fields as text, for readable assertions.
#[derive(Debug, PartialEq)]
struct View {
    time: String,
    user: String,
    user_object_id: String,
    ip: Option<IpAddr>,
    user_agent: String,
    app_id: String,
    app_name: String,
    request_id: String,
    correlation_id: String,
    outcome: Outcome,
    operation: String,
    workload: String,
    client_info: String,
    target_user: String,
    forward_to: Vec<String>,
    parameters: Vec<String>,
}

fn view(ds: &Dataset, e: &Event) -> View {
    let f: EventFields = ds.fields(e);
    assert_eq!(f.kind, EventKind::Audit);
    let s = |x: Sym| ds.strings.resolve(x).to_owned();
    let a = f.audit.as_ref().expect("audit detail");
    View {
        time: sessionhunt::time::rfc3339(f.time),
        user: s(f.user),
        user_object_id: s(f.user_object_id),
        ip: f.ip,
        user_agent: s(f.user_agent),
        app_id: s(f.app_id),
        app_name: s(f.app_name),
        request_id: ds.strings.id_text(f.request_id).to_string(),
        correlation_id: ds.strings.id_text(f.correlation_id).to_string(),
        outcome: f.outcome,
        operation: s(a.operation),
        workload: s(a.workload),
        client_info: s(a.client_info),
        target_user: s(a.target_user),
        forward_to: a.forward_to.iter().map(|x| s(*x)).collect(),
        parameters: a.parameters.iter().map(|(k, v)| format!("{}={}", s(*k), s(*v))).collect(),
    }
}

fn views(ds: &Dataset) -> Vec<View> {
    ds.events.iter().map(|e| view(ds, e)).collect()
}

fn by_op<'a>(v: &'a [View], op: &str) -> &'a View {
    v.iter().find(|x| x.operation == op).unwrap_or_else(|| panic!("no {op:?} in {v:#?}"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// What the Graph page says of its nine records (the reference every other shape is held to).
fn check_graph_events(v: &[View]) {
    assert_eq!(v.len(), 8, "nine records, one naming no one");

    // The phished user registers an authenticator from the attacker's IP.
    let mfa = by_op(v, "User registered security info");
    assert_eq!(
        mfa,
        &View {
            time: "2026-03-03T07:05:01.123Z".to_owned(),
            user: ALICE.to_owned(),
            user_object_id: OID_A.to_owned(),
            ip: ip("203.0.113.7"),
            user_agent: UA_ATTACK.to_owned(),
            app_id: String::new(),
            app_name: String::new(),
            request_id: "Directory_c0ffee01-0000-4000-8000-000000000001_K7Q2M_100001".to_owned(),
            correlation_id: "c0ffee01-0000-4000-8000-000000000001".to_owned(),
            outcome: Outcome::Success,
            operation: "User registered security info".to_owned(),
            workload: "Authentication Methods".to_owned(),
            client_info: String::new(),
            target_user: ALICE.to_owned(),
            forward_to: vec![],
            parameters: strings(&[
                "Category=UserManagement",
                "Result=success",
                "ResultReason=User registered Authenticator App with Notification and Code",
                "OperationType=Add",
                "ActorType=user",
                "Actor=alice@example.com",
                "ActorObjectId=6f0c1b2a-1111-4222-8333-444455556666",
                "Target=User: alice@example.com (6f0c1b2a-1111-4222-8333-444455556666)",
            ]),
        }
    );

    // Consent: the targets are a service principal, so the event is the actor's; the modified
    // properties are decoded once more (`"\"False\""` -> `False`); AppId stays a parameter.
    let consent = by_op(v, "Consent to application");
    assert_eq!((consent.user.as_str(), consent.ip), (ALICE, ip("203.0.113.7")));
    assert_eq!(consent.target_user, "", "no user among the targets");
    assert_eq!(consent.time, "2026-03-03T07:07:30.500Z");
    assert_eq!(
        consent.parameters,
        strings(&[
            "Category=ApplicationManagement",
            "Result=success",
            "OperationType=Assign",
            "ActorType=user",
            "Actor=alice@example.com",
            "ActorObjectId=6f0c1b2a-1111-4222-8333-444455556666",
            "Target=ServicePrincipal: Mail Sync Pro (9b6a2a8e-3333-4444-8555-666677778888)",
            "ConsentContext.IsAdminConsent=False",
            "ConsentContext.IsAppOnly=False",
            "ConsentAction.Permissions=[] => [[Id: x1, ClientId: 9b6a2a8e-3333-4444-8555-666677778888, PrincipalId: 6f0c1b2a-1111-4222-8333-444455556666, ConsentType: Principal, Scope:  Mail.Read offline_access]];",
            "TargetId.ServicePrincipalNames=a1b2c3d4-0000-4000-8000-00000000c0de",
            "AppId=a1b2c3d4-0000-4000-8000-00000000c0de",
        ])
    );

    // Device registration from an IPv6 address; the additional details become parameters.
    let device = by_op(v, "Add device");
    assert_eq!((device.user.as_str(), device.ip), (ALICE, ip("2001:db8::7")));
    assert_eq!(
        device.parameters[6..],
        strings(&[
            "Target=Device: DESKTOP-EVIL01 (d0d0d0d0-5555-4666-8777-888899990000)",
            "DeviceId=e1e1e1e1-7777-4888-8999-aaaabbbbcccc",
            "DeviceOSType=Windows",
            "DeviceTrustType=Workplace",
        ])
    );

    // An application acts on a user: the event is the user's, with no IP of its own.
    let owner = by_op(v, "Add registered owner to device");
    assert_eq!(
        (owner.user.as_str(), owner.user_object_id.as_str(), owner.target_user.as_str()),
        (ALICE, OID_A, ALICE)
    );
    assert_eq!((owner.ip, owner.user_agent.as_str()), (None, ""));
    assert_eq!(owner.app_name, "Device Registration Service");
    assert_eq!(
        owner.parameters[3..],
        strings(&[
            "ActorType=app",
            "Actor=Device Registration Service",
            "ActorObjectId=5c1e3f9d-6666-4777-8888-9999aaaabbbb",
            "ActorAppId=01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
            "Target=Device: DESKTOP-EVIL01 (d0d0d0d0-5555-4666-8777-888899990000)",
            "Target=User: alice@example.com (6f0c1b2a-1111-4222-8333-444455556666)",
            "Device.ObjectID=d0d0d0d0-5555-4666-8777-888899990000",
            "Device.DisplayName=DESKTOP-EVIL01",
        ])
    );
    assert_eq!(owner.app_id, "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9");

    // An administrator changes the user's MFA method: the event is about the user, the IP and
    // user agent are the administrator's, and the actor stays a parameter.
    let update = by_op(v, "Update user");
    assert_eq!(
        (update.user.as_str(), update.target_user.as_str(), update.ip),
        (ALICE, ALICE, ip("192.0.2.10"))
    );
    assert_eq!(update.user_agent, UA_ADMIN);
    assert_eq!(
        update.parameters[3..],
        strings(&[
            "ActorType=user",
            "Actor=admin@example.com",
            "ActorObjectId=7a0d2c3b-2222-4333-8444-555566667777",
            "Target=User: alice@example.com (6f0c1b2a-1111-4222-8333-444455556666)",
            "StrongAuthenticationMethod=[{\"MethodType\":7,\"Default\":true}]",
            "Included Updated Properties=StrongAuthenticationMethod",
            "UserType=Member",
        ])
    );

    // The EN DASH is kept; the trailing space real rows carry is trimmed like every value.
    let secret = by_op(v, "Update application \u{2013} Certificates and secrets management");
    assert_eq!((secret.user.as_str(), secret.time.as_str()), (ALICE, "2026-03-03T07:30:00.250Z"));
    assert!(secret.parameters.contains(&"KeyDescription=[\"[KeyIdentifier=4245f2f5-4052-4c5b-afe8-1d7885d9bb39,KeyType=Password,KeyUsage=Verify,DisplayName=sync]\"]".to_owned()));

    // An application acting on no user is the event's subject, like its own sign-ins.
    let creds = by_op(v, "Add service principal credentials");
    assert_eq!(
        (creds.user.as_str(), creds.user_object_id.as_str(), creds.outcome),
        ("b9814691-9ca1-4e55-a1ac-8ef5dd010ec0", "", Outcome::Failure)
    );
    assert_eq!(creds.app_name, "Managed Service Identity");
    assert_eq!(creds.user_agent, "Microsoft Azure Graph Client Library 2.1.17-internal");
    assert!(
        creds
            .parameters
            .contains(&"ResultReason=Microsoft.Online.Workflows.ValidationException".to_owned())
    );

    // Revocation by an administrator: the target is what the remediation rule reads.
    let revoke = by_op(v, "Update StsRefreshTokenValidFrom Timestamp");
    assert_eq!((revoke.user.as_str(), revoke.target_user.as_str()), (ALICE, ALICE));
    assert!(revoke.parameters.contains(&"Actor=admin@example.com".to_owned()));
}

#[test]
fn graph_value_page_maps_every_field() {
    let ds = load(&[GRAPH]);
    check_counts(&ds, GRAPH, "graph-directoryaudit-json", (9, 8, 0), &[("no user", 1)]);
    check_graph_events(&views(&ds));
    let d = &ds.diagnostics[0];
    assert_eq!((d.file.as_str(), d.line), (GRAPH, 1));
    assert!(d.column > 1, "the byte column of the record: {d:?}");
    assert!(d.message.starts_with("no user"), "{d:?}");
    assert_eq!(summary(&ds, GRAPH).log_kind, "audit");
}

#[test]
fn every_json_shape_and_the_log_analytics_csv_give_the_graph_events() {
    let reference = views(&load(&[GRAPH]));
    for (name, format) in [
        (PORTAL_JSON, "graph-directoryaudit-json"),
        (EVENT_HUB, "eventhub-auditlogs-json"),
        (LA_CSV, "log-analytics-auditlogs-csv"),
    ] {
        let ds = load(&[name]);
        check_counts(&ds, name, format, (9, 8, 0), &[("no user", 1)]);
        assert_eq!(views(&ds), reference, "{name}");
    }
    // The Graph records bare, as one array, as JSON Lines and as concatenated arrays.
    let page: Value = serde_json::from_slice(&bytes(GRAPH)).expect("JSON");
    let records = page["value"].as_array().expect("value").clone();
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    let (first, rest) = records.split_at(4);
    for (shape, text) in [
        ("bare.json", records[0].to_string()),
        ("array.json", Value::Array(records.clone()).to_string()),
        ("lines.jsonl", lines.join("\n")),
        ("arrays.json", format!("{}{}", json!(first), json!(rest))),
    ] {
        let ds = load_bytes(shape, text.as_bytes());
        let want = if shape == "bare.json" { &reference[..1] } else { &reference[..] };
        assert_eq!(views(&ds), want, "{shape}");
        assert_eq!(summary(&ds, shape).format, "graph-directoryaudit-json");
    }
}

#[test]
fn portal_csv_maps_every_column_it_has() {
    let ds = load(&[PORTAL_CSV]);
    check_counts(&ds, PORTAL_CSV, "entra-portal-audit-csv", (9, 8, 0), &[("no user", 1)]);
    let d = &ds.diagnostics[0];
    assert_eq!((d.line, d.column), (9, 12), "the eighth record, ActorUserPrincipalName: {d:?}");
    // The download has no record id, no operationType and no appId: apart from those, the
    // events are the Graph page's.
    let mut reference = views(&load(&[GRAPH]));
    for v in &mut reference {
        v.request_id.clear();
        v.parameters.retain(|p| !p.starts_with("OperationType=") && !p.starts_with("ActorAppId="));
        if v.operation == "Add registered owner to device" {
            v.app_id.clear();
        }
    }
    assert_eq!(views(&ds), reference);
}

#[test]
fn portal_csv_columns_are_found_by_name() {
    // Another order, a fourth target, no ActorType and no additional details; one short row.
    let header = "\"Activity\",\"Date (UTC)\",\"ActorUserPrincipalName\",\"IPAddress\",\"Result\",\
                  \"Target4Type\",\"Target4UserPrincipalName\",\"Target4ModifiedProperty1Name\",\
                  \"Target4ModifiedProperty1NewValue\",\"User Agent\"\r\n";
    let row = "\"Update user\",\"2026-03-03T10:00:00Z\",\"Admin@Example.com\",\"192.0.2.10\",\
               \"Failure\",\"User\",\"Bob@Example.com\",\"AccountEnabled\",\"[false]\",\"curl/8.0\"\r\n";
    let text = format!("{header}{row}\"Update user\",\"2026-03-03T10:00:00Z\"\r\n");
    let ds = load_bytes("AuditLogs_x.csv", text.as_bytes());
    check_counts(
        &ds,
        "AuditLogs_x.csv",
        "entra-portal-audit-csv",
        (2, 1, 0),
        &[("wrong field count", 1)],
    );
    let v = view(&ds, &ds.events[0]);
    assert_eq!((v.user.as_str(), v.target_user.as_str()), ("bob@example.com", "bob@example.com"));
    assert_eq!(
        (v.ip, v.outcome, v.user_agent.as_str()),
        (ip("192.0.2.10"), Outcome::Failure, "curl/8.0")
    );
    assert_eq!(
        v.parameters,
        strings(&[
            "Result=Failure",
            "ActorType=user",
            "Actor=Admin@Example.com",
            "Target=User: Bob@Example.com",
            "AccountEnabled=[false]",
        ])
    );
}

#[test]
fn log_analytics_json_real_excerpt() {
    // OTRF GoldenSAML: two copies of one record (a hunting query's mv-expand) and a delegated
    // permission grant, by PowerShell with no IP logged.
    let ds = load(&[OTRF]);
    check_counts(&ds, OTRF, "log-analytics-auditlogs-json", (3, 2, 1), &[]);
    let v = views(&ds);
    let secret = by_op(&v, "Update application \u{2013} Certificates and secrets management");
    assert_eq!(secret.time, "2021-08-02T13:29:25.983Z");
    assert_eq!(
        (secret.user.as_str(), secret.user_object_id.as_str()),
        ("pgustavo@example.com", "aead923d-498b-4f64-a66c-2af91447a8b6")
    );
    assert_eq!((secret.ip, secret.target_user.as_str()), (None, ""));
    assert_eq!(
        secret.user_agent,
        "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.17763.1971"
    );
    assert_eq!(secret.request_id, "Directory_10065ffb-8199-48bc-8ff5-912cb5b8295a_AUMVX_13992832");
    assert_eq!(secret.correlation_id, "10065ffb-8199-48bc-8ff5-912cb5b8295a");
    assert_eq!((secret.workload.as_str(), secret.outcome), ("Core Directory", Outcome::Success));
    assert_eq!(
        secret.parameters,
        strings(&[
            "Category=ApplicationManagement",
            "Result=success",
            "OperationType=Update",
            "ActorType=user",
            "Actor=pgustavo@example.com",
            "ActorObjectId=aead923d-498b-4f64-a66c-2af91447a8b6",
            "Target=Application: SimuLandApp (11b49e19-2326-4be6-93cb-7f37439bbd81)",
            "KeyDescription=[\"[KeyIdentifier=59eaeebc-8a6b-44a6-9f24-7d55e64420c9,KeyType=Password,KeyUsage=Verify,DisplayName=SimuLandCreds]\"]",
            "Included Updated Properties=KeyDescription",
        ])
    );
    let grant = by_op(&v, "Add delegated permission grant");
    assert_eq!(
        (grant.user.as_str(), grant.time.as_str()),
        ("pgustavo@example.com", "2021-08-02T13:27:20.017Z")
    );
    assert!(grant.parameters.contains(&"OperationType=Assign".to_owned()));
    assert!(
        grant.parameters.contains(
            &"Target=ServicePrincipal: Microsoft Graph (401dd906-ea4f-4d41-b762-7e936d222368)"
                .to_owned()
        )
    );
    assert!(
        grant
            .parameters
            .contains(&"DelegatedPermissionGrant.Scope=User.Read Mail.ReadWrite".to_owned())
    );
    // A modified property whose new value is null is kept, empty.
    assert!(
        grant.parameters.contains(&"ServicePrincipal.DisplayName=".to_owned()),
        "{:?}",
        grant.parameters
    );
}

#[test]
fn log_analytics_csv_real_excerpt_without_a_time_column() {
    // The Sentinel lab's hunting-query output projected every time column away: each row is
    // recognized and skipped with a reason and a located diagnostic, never read as another
    // format or dropped silently.
    let ds = load(&[LAB]);
    check_counts(&ds, LAB, "log-analytics-auditlogs-csv", (2, 0, 0), &[("no time", 2)]);
    let located: Vec<(u64, u64)> = ds.diagnostics.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(located, [(2, 0), (3, 0)]);
    assert!(ds.diagnostics.iter().all(|d| d.file == LAB && d.message.starts_with("no time")));

    // With a TimeGenerated column added, the same rows are read, InitiatedBy and the JSON-text
    // columns included.
    let text = String::from_utf8(bytes(LAB)).expect("UTF-8");
    let mut lines = text.split("\r\n");
    let header = lines.next().expect("header");
    let mut timed = format!("TimeGenerated [UTC],{header}\r\n");
    for (i, l) in lines.filter(|l| !l.is_empty()).enumerate() {
        timed.push_str(&format!("\"8/9/2021, 9:0{i}:00.000 AM\",{l}\r\n"));
    }
    let ds = load_bytes("timed.csv", timed.as_bytes());
    check_counts(&ds, "timed.csv", "log-analytics-auditlogs-csv", (2, 2, 0), &[]);
    let v = views(&ds);
    assert_eq!(v[0].time, "2021-08-09T09:00:00Z");
    assert_eq!((v[0].user.as_str(), v[0].ip), ("victim@example.com", ip("203.0.113.45")));
    assert_eq!(v[0].operation, "Update application \u{2013} Certificates and secrets management");
    assert_eq!(v[0].request_id, "Directory_9cee9603-bca7-4e62-9634-f1bfdc39ca2f_1261B_35670955");
    assert!(v[0].user_agent.ends_with("Edg/92.0.902.62"), "{}", v[0].user_agent);
    assert!(
        v[0].parameters.contains(
            &"Target=Application: purview-spn-user099 (020c2630-81fb-5678-9a9c-ce9984a45458)"
                .to_owned()
        )
    );
    assert!(
        v[0].parameters
            .iter()
            .any(|p| p.starts_with("KeyDescription=") && p.contains("DisplayName=key 2"))
    );
    assert_eq!((v[1].user.as_str(), v[1].ip), ("vadimj@example.com", ip("198.51.100.58")));
}

#[test]
fn one_record_in_four_shapes_is_one_event() {
    let names = [GRAPH, EVENT_HUB, LA_CSV, PORTAL_JSON];
    let ds = load(&names);
    assert_eq!(ds.events.len(), 8);
    // The copy whose file name sorts first is kept, whatever the load order.
    assert!(ds.events.iter().all(|e| ds.files[e.source.file as usize].name == PORTAL_JSON));
    let dups: u64 = ds.files.iter().map(|f| f.duplicates).sum();
    assert_eq!(dups, 24);
    for f in &ds.files {
        assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{f:?}");
    }
}

/// One Graph-shaped record as a file.
fn one(record: Value) -> Dataset {
    load_bytes("one.json", record.to_string().as_bytes())
}

fn record(initiated_by: Value, targets: Value, activity: &str) -> Value {
    json!({
        "id": "Directory_x", "activityDisplayName": activity, "activityDateTime": "2026-03-03T10:00:00Z",
        "category": "UserManagement", "result": "success", "loggedByService": "Core Directory",
        "initiatedBy": initiated_by, "targetResources": targets, "additionalDetails": []
    })
}

fn user(upn: Value, id: &str) -> Value {
    json!({"user": {"userPrincipalName": upn, "id": id, "ipAddress": "203.0.113.9"}, "app": null})
}

#[test]
fn who_the_event_is_about() {
    let bob = json!([{"type": "User", "userPrincipalName": "bob@example.com", "id": "b0b"}]);
    let who = |ds: &Dataset| {
        let v = view(ds, &ds.events[0]);
        (v.user, v.user_object_id, v.target_user)
    };
    let triple = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    // Security-info activities are the actor's own, whatever the targets.
    let ds = one(record(user(json!(ALICE), "a11"), bob.clone(), "User registered security info"));
    assert_eq!(who(&ds), triple(ALICE, "a11", "bob@example.com"));
    let ds = one(record(user(json!(ALICE), "a11"), bob.clone(), "Reset password (self-service)"));
    assert_eq!(who(&ds).0, ALICE);
    // Anyone else acting on a user: the target.
    let ds = one(record(user(json!(ALICE), "a11"), bob.clone(), "Reset user password"));
    assert_eq!(who(&ds), triple("bob@example.com", "b0b", "bob@example.com"));
    // The actor named only by object id, the target naming the same person in full.
    let ds = one(record(user(Value::Null, "B0B"), bob.clone(), "Update user"));
    assert_eq!(who(&ds), triple("bob@example.com", "b0b", "bob@example.com"));
    // Placeholders name no one (docs/formats-directory-audit.md §3): the target is the subject.
    let ds = one(record(user(json!("Not Available"), "Unknown"), bob.clone(), "Update user"));
    assert_eq!(who(&ds), triple("bob@example.com", "b0b", "bob@example.com"));
    // A target of another type is not a user.
    let group = json!([{"type": "Group", "displayName": "Admins", "id": "g1"}]);
    let ds =
        one(record(user(json!("Carol@Example.com"), "c4"), group.clone(), "Add member to group"));
    assert_eq!(who(&ds), triple("carol@example.com", "c4", ""));
    // A hunting query's projection stands in for a missing InitiatedBy.
    let mut projected = record(Value::Null, group.clone(), "Add owner to group");
    projected["InitiatingUserOrApp"] = json!("Dave@Example.com");
    assert_eq!(who(&one(projected)).0, "dave@example.com");
    // No one at all: skipped with a reason.
    let ds = one(record(json!({"user": null, "app": null}), group, "Add member to group"));
    check_counts(&ds, "one.json", "graph-directoryaudit-json", (1, 0, 0), &[("no user", 1)]);
}

#[test]
fn event_hub_envelope_fills_what_properties_lack() {
    let message = json!({"records": [{
        "time": "2026-03-03T11:00:00.5Z", "category": "AuditLogs", "operationName": "Register device",
        "callerIpAddress": "198.51.100.77", "correlationId": "C0FFEE99-0000-4000-8000-000000000099",
        "level": "Informational",
        "properties": {"initiatedBy": {"user": {"userPrincipalName": ALICE, "ipAddress": "<null>"}},
                       "targetResources": [{"type": "Device", "displayName": "PC"}],
                       "loggedByService": null, "userAgent": "Dsreg/10.0"}
    }]});
    let ds = load_bytes("hub.json", message.to_string().as_bytes());
    check_counts(&ds, "hub.json", "eventhub-auditlogs-json", (1, 1, 0), &[]);
    let v = view(&ds, &ds.events[0]);
    assert_eq!(v.time, "2026-03-03T11:00:00.500Z");
    assert_eq!((v.operation.as_str(), v.ip), ("Register device", ip("198.51.100.77")));
    assert_eq!(
        (v.correlation_id.as_str(), v.user_agent.as_str()),
        ("c0ffee99-0000-4000-8000-000000000099", "Dsreg/10.0")
    );
    assert_eq!((v.workload.as_str(), v.outcome), ("", Outcome::Unknown));
}

#[test]
fn bad_values_cost_the_row_at_most() {
    // Unparseable time, JSON-text columns that are not JSON, and a hostile record with
    // thousands of targets and a megabyte value.
    let mut bad_time = record(user(json!(ALICE), "a11"), json!([]), "Update user");
    bad_time["activityDateTime"] = json!("yesterday");
    let ds = one(bad_time);
    check_counts(
        &ds,
        "one.json",
        "graph-directoryaudit-json",
        (1, 0, 0),
        &[("unparseable time", 1)],
    );
    assert!(ds.diagnostics[0].message.contains("\"yesterday\""));

    let mut not_json = record(json!("{\"user\": cut off"), json!("[not json"), "Update user");
    not_json["InitiatingUserOrApp"] = json!(ALICE);
    let ds = one(not_json);
    let v = view(&ds, &ds.events[0]);
    assert_eq!((v.user.as_str(), v.target_user.as_str()), (ALICE, ""));

    let huge = json!([{"type": "Application", "displayName": "A",
                       "modifiedProperties": [{"displayName": "P", "newValue": "é".repeat(1 << 19)}]}]);
    let ds = one(record(user(json!(ALICE), "a11"), huge, "Update application"));
    let v = view(&ds, &ds.events[0]);
    let p = v.parameters.iter().find(|p| p.starts_with("P=")).expect("the long value");
    assert_eq!(p.len(), "P=".len() + 4096, "cut at 4096 bytes, on a character boundary");

    let targets: Vec<Value> = (0..600)
        .map(|i| json!({"type": "User", "userPrincipalName": format!("u{i}@example.com")}))
        .collect();
    let ds = one(record(user(json!(ALICE), "a11"), Value::Array(targets), "Update user"));
    let v = view(&ds, &ds.events[0]);
    assert_eq!(v.user, "u0@example.com");
    assert_eq!(v.parameters.len(), 512, "parameters are capped");
    assert_eq!(v.parameters.last().map(String::as_str), Some("Target=User: u506@example.com"));
}

#[test]
fn sign_in_exports_with_an_initiated_by_column_stay_sign_ins() {
    // Log Analytics `SigninLogs` has `OperationName` and `InitiatedBy` too (the Sentinel lab's
    // export): only `ActivityDisplayName`, or `OperationName` with `TargetResources`, is audit.
    let ds = load(&["la_sentinel_lab_excerpt.csv"]);
    assert_eq!(ds.files[0].format, "log-analytics-csv");
    assert_eq!(ds.files[0].events, 2);
    let record = json!({"TimeGenerated": "2026-03-03T10:00:00Z", "OperationName": "Sign-in activity",
                        "InitiatedBy": "", "UserPrincipalName": ALICE, "IPAddress": "203.0.113.9"});
    let ds = one(record);
    assert_eq!(ds.files[0].format, "log-analytics-json");
    assert_ne!(ds.events[0].kind, EventKind::Audit);
}
