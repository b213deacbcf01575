//! Unified Audit Log sign-ins (`UserLoggedIn` / `UserLoginFailed`, docs/formats-ual-sign-ins.md):
//! every field of every record shape, the interactive / non-interactive decision, placeholder
//! users, the Entra copy kept over the UAL copy in any file order, AD FS sign-ins skipped, and the
//! coverage sentence. Fixtures: `ual_signins.jsonl`, `ual_signins_purview.csv` and
//! `graph_ual_sign_in_copies.json` (tests/fixtures/README.md).

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::net::IpAddr;

use serde_json::{Value, json};
use sessionhunt::ingest::Dataset;
use sessionhunt::model::{Event, EventKind, Outcome};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");
const JSONL: &str = "ual_signins.jsonl";
const PURVIEW: &str = "ual_signins_purview.csv";
const ENTRA: &str = "graph_ual_sign_in_copies.json";

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(files: &[(&str, Vec<u8>)]) -> Dataset {
    let mut ds = Dataset::new();
    for (name, data) in files {
        ds.add_file(name, data);
    }
    ds
}

fn fixtures(names: &[&str]) -> Dataset {
    load(&names.iter().map(|n| (*n, bytes(n))).collect::<Vec<_>>())
}

/// The records of the JSON Lines fixture.
fn records() -> Vec<Value> {
    String::from_utf8(bytes(JSONL))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The event whose request id is `id`.
fn by_request<'a>(ds: &'a Dataset, id: &str) -> &'a Event {
    ds.events
        .iter()
        .find(|e| *ds.strings.id_text(e.request_id) == *id)
        .unwrap_or_else(|| panic!("no event with request id {id}"))
}

fn s(ds: &Dataset, sym: sessionhunt::model::Sym) -> &str {
    ds.strings.resolve(sym)
}

fn params(ds: &Dataset, e: &Event) -> Vec<String> {
    ds.audit(e)
        .map(|a| a.parameters.iter().map(|(n, v)| format!("{}={}", s(ds, *n), s(ds, *v))).collect())
        .unwrap_or_default()
}

/// Everything an event says, strings resolved, without its source.
fn content(ds: &Dataset, e: &Event) -> String {
    let f = ds.fields(e);
    let r = |x| ds.strings.resolve(x).to_owned();
    let id = |x| ds.strings.id_text(x).to_string();
    let audit = f.audit.as_ref().map(|a| {
        (r(a.operation), r(a.workload), r(a.client_info), r(a.target_user), params(ds, e))
    });
    format!(
        "{} {:?} {} {} {:?} {} {:?} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {:?} {} {audit:?}",
        sessionhunt::time::rfc3339(f.time),
        f.kind,
        r(f.user),
        r(f.user_object_id),
        f.ip,
        f.asn,
        (r(f.location.country), r(f.location.city)),
        r(f.user_agent),
        r(f.browser),
        r(f.os),
        r(f.device_id),
        f.compliant,
        f.managed,
        r(f.app_id),
        r(f.app_name),
        r(f.resource),
        r(f.client_app),
        id(f.session_id),
        id(f.unique_token_id),
        id(f.request_id),
        id(f.correlation_id),
        f.outcome,
        f.error_code,
    )
}

fn contents(ds: &Dataset) -> Vec<String> {
    let mut v: Vec<String> = ds.events.iter().map(|e| content(ds, e)).collect();
    v.sort();
    v
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

#[track_caller]
fn counts(ds: &Dataset, name: &str) -> (u64, u64, u64, u64) {
    let f = ds.files.iter().find(|f| f.name == name).unwrap();
    assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{name}: every row counted once");
    let reasons: u64 = f.duplicate_reasons.iter().map(|r| r.count).sum();
    assert_eq!(reasons, f.duplicates, "{name}: every duplicate has its reason");
    (f.rows, f.events, f.duplicates, f.skipped)
}

const KMSI_LOGIN: &str = "bc91a9cb-cf2b-4058-866a-fb9751200500";
const AUTHORIZE: &str = "7b6a5948-3a2b-4c1d-9e0f-1a2b3c4d0700";
const SPRAY: &str = "f8a2e606-c46c-40b7-9663-a12b467d0300";

#[test]
fn every_field_of_an_sts_logon() {
    let ds = fixtures(&[JSONL]);
    assert_eq!(counts(&ds, JSONL), (14, 14, 0, 0));
    assert_eq!(ds.files[0].format, "ual-auditdata-json");

    // Huntress sample 1: the login page, interrupted by the "Stay signed in?" prompt.
    let e = by_request(&ds, KMSI_LOGIN);
    assert!(e.is_ual_sign_in());
    assert_eq!(
        (e.kind, e.outcome, ds.auth(e).error_code),
        (EventKind::Interactive, Outcome::Interrupted, 50140)
    );
    assert_eq!(sessionhunt::time::rfc3339(e.time), "2023-09-26T01:51:34Z");
    assert_eq!(s(&ds, e.user), "debrab@example.com");
    assert_eq!(s(&ds, ds.who(e).user_object_id), "f757cb79-dd91-4555-a45e-520c2525d932", "UserKey");
    assert_eq!(ds.ip(e), ip("198.51.100.135"));
    let c = ds.client(e);
    assert_eq!(
        s(&ds, c.user_agent),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/114.0"
    );
    assert_eq!(
        (s(&ds, c.os), s(&ds, c.browser), c.compliant, c.managed),
        ("MacOs", "Firefox", false, false)
    );
    assert_eq!(*ds.strings.id_text(e.session_id), *"9dfdecb6-59a0-4714-846e-86c0fc911104");
    assert_eq!(s(&ds, ds.app(e).app_id), "ee272b19-4411-433f-8f28-5c13cb6fd407", "ApplicationId");
    assert_eq!(s(&ds, ds.app(e).resource), "00000003-0000-0000-c000-000000000000", "ObjectId");
    assert_eq!(
        *ds.strings.id_text(e.correlation_id),
        *"01ed4e23-7e8e-4c55-8c82-c9d3c557e788",
        "InterSystemsId"
    );
    assert_eq!(
        (ds.place(e).asn, s(&ds, ds.place(e).location.country)),
        (0, ""),
        "the UAL has no ASN or country"
    );
    let a = ds.audit(e).unwrap();
    assert_eq!((s(&ds, a.operation), s(&ds, a.workload)), ("UserLoggedIn", "AzureActiveDirectory"));
    assert_eq!(
        params(&ds, e),
        [
            "ResultStatusDetail=Success",
            "KeepMeSignedIn=true",
            "UserAuthenticationMethod=1",
            "RequestType=Login:login",
            "ResultStatus=Success"
        ]
    );
    // The KMSI answer of the same flow shares its correlation id and succeeds.
    let kmsi = by_request(&ds, "3e1f0c2a-5b6d-4e7f-8a9b-0c1d2e3f0600");
    assert_eq!((kmsi.kind, kmsi.outcome), (EventKind::Interactive, Outcome::Success));
    assert_eq!(kmsi.correlation_id, e.correlation_id);

    // DES sample 2: a ROPC password guess from IPv6, no session yet.
    let e = by_request(&ds, SPRAY);
    assert_eq!(
        (e.kind, e.outcome, ds.auth(e).error_code),
        (EventKind::Interactive, Outcome::Failure, 50126)
    );
    assert_eq!((s(&ds, e.user), ds.ip(e)), ("miriam@example.com", ip("2001:db8:820:8::1a:9c")));
    assert!(e.session_id.is_empty());
    let c = ds.client(e);
    assert_eq!((s(&ds, c.os), s(&ds, c.browser)), ("Windows 10", "Other"));
    assert!(s(&ds, c.user_agent).ends_with("WindowsPowerShell/5.1.19041.3031"));
    assert_eq!(s(&ds, ds.app(e).resource), "00000002-0000-0000-c000-000000000000");
    let p = params(&ds, e);
    for want in [
        "RequestType=OAuth2:Token",
        "UserAuthenticationMethod=1",
        "ResultStatusDetail=UserError",
        "LogonError=InvalidUserNameOrPassword",
        "ResultStatus=Failed",
    ] {
        assert!(p.iter().any(|x| x == want), "{want} in {p:?}");
    }

    // A UserLoginFailed whose ResultStatus says Success is still a failure.
    let e = by_request(&ds, "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b0500");
    assert_eq!((e.outcome, ds.auth(e).error_code), (Outcome::Failure, 50126));

    // 2020 records: the request id is IntraSystemId (the record Id is kept), the object id is the
    // Actor of type 0 (UserKey is PUID@domain), and there are no DeviceProperties.
    let e = by_request(&ds, "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d0300");
    assert_eq!((e.kind, e.outcome), (EventKind::Interactive, Outcome::Success));
    assert_eq!(s(&ds, ds.who(e).user_object_id), "6f0c1b2a-1111-4222-8333-444455556666");
    assert!(params(&ds, e).contains(&"RecordId=2f3e4d5c-6b7a-4899-aabb-ccddeeff0011".to_owned()));
    assert!(params(&ds, e).contains(&"KeepMeSignedIn=False".to_owned()));
    assert_eq!(s(&ds, ds.client(e).os), "");
    // An expired flow token named only in LogonError interrupts the sign-in.
    let e = by_request(&ds, "1d2c3b4a-5f6e-4d7c-8b9a-0e1f2a3b0400");
    assert_eq!((e.outcome, ds.auth(e).error_code), (Outcome::Interrupted, 0));
    let p = params(&ds, e);
    assert!(
        p.contains(&"LogonError=FlowTokenExpired".to_owned())
            && p.contains(&"FlowTokenScenario=Login".to_owned()),
        "{p:?}"
    );

    // Every DeviceProperties name of the STS schema.
    let e = by_request(&ds, "0e1d2c3b-4a59-4867-9f5e-4d3c2b1a0900");
    let c = ds.client(e);
    assert_eq!(s(&ds, c.device_id), "d3v1ce00-0000-4000-8000-000000000001", "DeviceProperties Id");
    assert_eq!((c.compliant, c.managed), (true, true));
    let p = params(&ds, e);
    assert!(
        p.contains(&"DeviceName=ALICE-LAPTOP".to_owned())
            && p.contains(&"DeviceTrustType=2".to_owned()),
        "{p:?}"
    );
    assert_eq!(*ds.strings.id_text(e.session_id), *"5d1c2b3a-0000-4000-8000-00000000abcd");
}

#[test]
fn request_type_decides_interactive_or_not() {
    let ds = fixtures(&[JSONL]);
    let (i, n) = (EventKind::Interactive, EventKind::NonInteractive);
    let want = [
        (KMSI_LOGIN, "Login:login", i),
        ("3e1f0c2a-5b6d-4e7f-8a9b-0c1d2e3f0600", "Kmsi:kmsi", i),
        (SPRAY, "OAuth2:Token", i),
        ("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b0500", "Login:login", i),
        (AUTHORIZE, "OAuth2:Authorize", n),
        ("9c8b7a69-5d4e-4f3a-8b2c-1d0e9f8a0800", "SAS:EndAuth", i),
        ("b5c4d3e2-0f1e-4d2c-8b3a-4f5e6d7c2600", "OAuth2:Logout", EventKind::Audit),
        ("6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d0300", "Login:login", i),
        ("1d2c3b4a-5f6e-4d7c-8b9a-0e1f2a3b0400", "Login:login", i),
        ("0e1d2c3b-4a59-4867-9f5e-4d3c2b1a0900", "Cmsi:Cmsi", i),
        ("1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f0a00", "OAuth2:Token", n),
        ("2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b0b00", "deviceAuth:ReprocessTls", n),
        ("3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c0c00", "Login:reprocess", i),
        ("4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d0d00", "SAS:ProcessAuth", i),
    ];
    assert_eq!(want.len(), ds.events.len());
    for (id, request_type, kind) in want {
        let e = by_request(&ds, id);
        assert!(params(&ds, e).contains(&format!("RequestType={request_type}")), "{id}");
        assert_eq!(e.kind, kind, "{request_type} ({id})");
    }
    let log = ds.files[0].log_kind.as_str();
    assert_eq!(log, "mixed", "interactive, non-interactive and a sign-out");
}

/// The JSON Lines records written as each other UAL shape the product reads.
fn shapes() -> Vec<(&'static str, String, Vec<u8>)> {
    let recs = records();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let op = |r: &Value| r["Operation"].as_str().unwrap().to_owned();
    let user = |r: &Value| r["UserId"].as_str().unwrap().to_owned();
    let mut classic = String::from("CreationDate,UserIds,Operations,AuditData\r\n");
    let mut ps = String::from(
        "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\",\"ResultIndex\",\"ResultCount\",\"Identity\",\"IsValid\",\"ObjectState\"\r\n",
    );
    let mut extractor = Vec::new();
    let mut cloud_app = Vec::new();
    let mut graph_query = Vec::new();
    // Excel's flattening: AuditData's keys as columns, nested values as JSON text.
    let mut keys: Vec<String> =
        recs.iter().flat_map(|r| r.as_object().unwrap().keys().cloned()).collect();
    keys.sort();
    keys.dedup();
    let mut flat = keys.join(",") + "\r\n";
    for (i, r) in recs.iter().enumerate() {
        let data = r.to_string();
        let when = r["CreationTime"].as_str().unwrap();
        classic.push_str(&format!("{when},{},{},{}\r\n", quote(&user(r)), op(r), quote(&data)));
        ps.push_str(&format!(
            "\"AzureActiveDirectoryStsLogon\",\"{when}\",{},\"{}\",{},\"{}\",\"{}\",\"{}\",\"True\",\"Unchanged\"\r\n",
            quote(&user(r)),
            op(r),
            quote(&data),
            i + 1,
            recs.len(),
            r["Id"].as_str().unwrap()
        ));
        extractor.push(json!({"RecordType": "AzureActiveDirectoryStsLogon", "CreationDate": when, "UserIds": user(r), "Operations": op(r), "AuditData": r, "Identity": r["Id"]}));
        cloud_app.push(json!({"Timestamp": when, "ActionType": op(r), "Application": "Microsoft 365", "RawEventData": r, "ReportId": i.to_string()}));
        // The Graph audit-log query: `userId` holds the UserKey, `userPrincipalName` the UserId.
        graph_query.push(json!({"id": r["Id"], "createdDateTime": format!("{}Z", when.trim_end_matches('Z')),
            "auditLogRecordType": "azureActiveDirectoryStsLogon", "operation": op(r), "userId": r["UserKey"],
            "userPrincipalName": user(r), "clientIp": null, "auditData": r}));
        let cells: Vec<String> = keys
            .iter()
            .map(|k| match &r[k.as_str()] {
                Value::Null => String::new(),
                Value::String(v) => quote(v),
                v => quote(&v.to_string()),
            })
            .collect();
        flat.push_str(&(cells.join(",") + "\r\n"));
    }
    vec![
        ("ual-classic-csv", "classic.csv".into(), classic.into_bytes()),
        ("ual-powershell-csv", "ps.csv".into(), ps.into_bytes()),
        ("ual-json", "extractor.json".into(), serde_json::to_vec_pretty(&extractor).unwrap()),
        (
            "defender-cloudappevents-json",
            "cae.json".into(),
            serde_json::to_vec(&cloud_app).unwrap(),
        ),
        (
            "ual-json",
            "graph_query.json".into(),
            serde_json::to_vec(&json!({"value": graph_query})).unwrap(),
        ),
        ("ual-flattened-csv", "flat.csv".into(), flat.into_bytes()),
    ]
}

#[test]
fn every_ual_shape_gives_the_same_sign_ins() {
    let reference = fixtures(&[JSONL]);
    let want = contents(&reference);
    let purview = fixtures(&[PURVIEW]);
    assert_eq!(purview.files[0].format, "ual-purview-csv");
    assert_eq!(counts(&purview, PURVIEW), (14, 14, 0, 0));
    assert_eq!(contents(&purview), want, "Purview CSV (US-locale CreationDate, escaped slashes)");
    for (format, name, data) in shapes() {
        let ds = load(&[(name.as_str(), data)]);
        assert_eq!(ds.files[0].format, format, "{name}");
        assert_eq!(counts(&ds, &name), (14, 14, 0, 0), "{name}");
        assert_eq!(contents(&ds), want, "{name}");
    }
}

#[test]
fn placeholders_are_no_user() {
    let ds = fixtures(&[PURVIEW]);
    for e in &ds.events {
        let user = s(&ds, e.user);
        assert!(!["unknown", "not available", "__null__"].contains(&user), "{user:?}");
    }
    // G2O's cross-tenant MFA step and Beats' sign-out: kept, with no user.
    let mfa = by_request(&ds, "9c8b7a69-5d4e-4f3a-8b2c-1d0e9f8a0800");
    assert_eq!((s(&ds, mfa.user), s(&ds, ds.who(mfa).user_object_id)), ("", ""));
    assert_eq!((mfa.kind, ds.ip(mfa)), (EventKind::Interactive, ip("192.0.2.60")));
    let logout = by_request(&ds, "b5c4d3e2-0f1e-4d2c-8b3a-4f5e6d7c2600");
    assert_eq!((logout.kind, s(&ds, logout.user)), (EventKind::Audit, ""));
    assert!(!logout.is_ual_sign_in());
    assert_eq!(
        (s(&ds, ds.app(logout).resource), s(&ds, ds.app(logout).app_id)),
        ("", ""),
        "ObjectId Unknown"
    );
    assert!(s(&ds, ds.client(logout).user_agent).starts_with("Mozilla/5.0 (X11"));

    // An audit record whose actor is a placeholder keeps no user when it names its target, and is
    // skipped (with its reason) when it names nobody.
    let revoke = |id: &str, target: Value| {
        json!({"CreationTime": "2026-03-05T03:00:00", "Id": id, "Operation": "Update StsRefreshTokenValidFrom Timestamp.",
               "RecordType": 8, "Workload": "AzureActiveDirectory", "UserId": "Not Available", "UserKey": "Not Available",
               "ObjectId": target})
        .to_string()
    };
    let text = revoke("1b1b1b1b-0000-4000-8000-00000000000a", json!("bob@example.com"))
        + "\n"
        + &revoke("1b1b1b1b-0000-4000-8000-00000000000b", json!("Unknown"))
        + "\n";
    let ds = load(&[("audit.jsonl", text.into_bytes())]);
    assert_eq!(counts(&ds, "audit.jsonl"), (2, 1, 0, 1));
    let e = &ds.events[0];
    assert_eq!(s(&ds, e.user), "");
    assert_eq!(s(&ds, ds.audit(e).unwrap().target_user), "bob@example.com");
    assert_eq!(ds.files[0].skipped_reasons[0].reason, "no user");
    assert!(ds.diagnostics[0].message.contains("placeholder"), "{:?}", ds.diagnostics[0]);
}

/// The kept events of a dataset by request id (sorted), each with where it came from.
fn kept(ds: &Dataset) -> Vec<(String, String, bool, String)> {
    let mut v: Vec<_> = ds
        .events
        .iter()
        .map(|e| {
            let file = ds.files[e.source.file as usize].name.clone();
            (ds.strings.id_text(e.request_id).to_string(), file, e.is_ual_sign_in(), content(ds, e))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_entra_copy_is_kept_whatever_the_file_order() {
    let orders: [[&str; 3]; 6] = [
        [ENTRA, JSONL, PURVIEW],
        [ENTRA, PURVIEW, JSONL],
        [JSONL, ENTRA, PURVIEW],
        [JSONL, PURVIEW, ENTRA],
        [PURVIEW, ENTRA, JSONL],
        [PURVIEW, JSONL, ENTRA],
    ];
    let first = fixtures(&orders[0]);
    for order in &orders {
        let ds = fixtures(order);
        // 14 UAL records read twice, 2 Entra sign-ins: the Entra ones replace their UAL copies.
        assert_eq!(ds.events.len(), 14, "{order:?}");
        assert_eq!(counts(&ds, ENTRA), (2, 2, 0, 0), "{order:?}");
        assert_eq!(counts(&ds, JSONL), (14, 12, 2, 0), "{order:?}");
        assert_eq!(counts(&ds, PURVIEW), (14, 0, 14, 0), "{order:?}");
        for id in [KMSI_LOGIN, AUTHORIZE] {
            let e = by_request(&ds, id);
            assert!(!e.is_ual_sign_in(), "{id}: the Entra copy");
            assert_eq!(ds.files[e.source.file as usize].name, ENTRA);
            assert_eq!(
                (e.kind, ds.place(e).location.country.is_empty()),
                (EventKind::Interactive, false)
            );
        }
        assert_eq!(by_request(&ds, KMSI_LOGIN).outcome, Outcome::Failure, "Entra's status");
        assert_eq!(ds.place(by_request(&ds, AUTHORIZE)).asn, 64510);
        let mut a = ds.files.clone();
        let mut b = first.files.clone();
        a.sort_by(|x, y| x.name.cmp(&y.name));
        b.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(a, b, "{order:?}: the same accounting, reasons included");
        assert_eq!(kept(&ds), kept(&first), "{order:?}: the same events kept");
    }
    let reasons = |name: &str| {
        let f = first.files.iter().find(|f| f.name == name).unwrap();
        f.duplicate_reasons.iter().map(|r| (r.reason.clone(), r.count)).collect::<Vec<_>>()
    };
    let ual = "Unified Audit Log sign-in also loaded from the Entra sign-in log (kept) or another \
               audit-log export (same request id and user)";
    assert_eq!(reasons(JSONL), [(ual.to_owned(), 2)]);
    // The sign-out is an audit operation: a plain copy. The 13 sign-ins: UAL copies.
    assert_eq!(
        reasons(PURVIEW),
        [(ual.to_owned(), 13), ("same request id and content".to_owned(), 1)]
    );
}

#[test]
fn a_different_user_with_the_same_request_id_is_not_the_same_sign_in() {
    let other = json!([{"id": SPRAY, "createdDateTime": "2023-07-12T12:38:43Z", "userPrincipalName": "someone.else@example.com",
        "userId": "0b0b0b0b-0000-4000-8000-000000000001", "ipAddress": "192.0.2.1", "isInteractive": true,
        "status": {"errorCode": 50126}}]);
    for order in [[("other.json", true), (JSONL, false)], [(JSONL, false), ("other.json", true)]] {
        let files: Vec<(&str, Vec<u8>)> = order
            .iter()
            .map(|&(n, inline)| (n, if inline { other.to_string().into_bytes() } else { bytes(n) }))
            .collect();
        let ds = load(&files);
        assert_eq!(ds.events.len(), 15, "both kept");
        assert_eq!(ds.files.iter().map(|f| f.duplicates).sum::<u64>(), 0);
    }
}

#[test]
fn identical_ual_exports_keep_one_copy_with_its_reason() {
    let ds = fixtures(&[PURVIEW, JSONL]);
    assert_eq!(counts(&ds, JSONL), (14, 14, 0, 0), "sorts first: kept");
    assert_eq!(counts(&ds, PURVIEW), (14, 0, 14, 0));
}

/// Reads `data` as `name` into `ds` in two parts cut at `cut` (a line start), as the CLI does on
/// two cores.
fn read_in_two_parts(ds: &mut Dataset, name: &str, data: &[u8], cut: usize) {
    let mut ingest = ds.begin_file(name, Some(data.len() as u64));
    ingest.push(&data[..cut]);
    let mut part = ingest.part(cut as u64, data.len() as u64).expect("a plain CSV splits");
    part.push(&data[cut..]);
    ingest.join(part.finish()).expect("cut at a record's end");
    ingest.finish();
}

#[test]
fn a_ual_export_read_in_parts_settles_its_sign_ins_the_same() {
    let data = bytes(PURVIEW);
    let starts: Vec<usize> =
        data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
    for cut in [starts[1], starts[5], starts[10]] {
        let mut ds = fixtures(&[ENTRA]);
        read_in_two_parts(&mut ds, PURVIEW, &data, cut);
        let whole = fixtures(&[ENTRA, PURVIEW]);
        assert_eq!(ds.files, whole.files, "cut at {cut}");
        assert_eq!(kept(&ds), kept(&whole), "cut at {cut}");
        assert_eq!(counts(&ds, PURVIEW), (14, 12, 2, 0));
    }
}

#[test]
fn coverage_says_what_ual_sign_ins_cannot_show() {
    let ual = fixtures(&[JSONL]);
    let only = ual.ual_sign_in_coverage();
    assert_eq!(only.len(), 1);
    for want in [
        "only from the Unified Audit Log (13 UserLoggedIn",
        "no ASN, country or city",
        "refresh-token",
    ] {
        assert!(only[0].contains(want), "{want} in {only:?}");
    }
    let both = fixtures(&[ENTRA, JSONL]).ual_sign_in_coverage();
    assert_eq!(both.len(), 1);
    assert!(
        both[0].starts_with("11 sign-ins are known only from the Unified Audit Log"),
        "{both:?}"
    );
    assert!(fixtures(&[ENTRA]).ual_sign_in_coverage().is_empty());
}

#[test]
fn ad_fs_sign_ins_are_skipped_with_their_reason() {
    let event_hub = json!({"records": [
        {"time": "2026-03-05T08:00:00Z", "category": "ADFSSignInLogs", "operationName": "Sign-in activity",
         "properties": {"id": "0d0d0d0d-0000-4000-8000-000000000001", "createdDateTime": "2026-03-05T08:00:00Z",
                        "userPrincipalName": "alice@example.com", "ipAddress": "192.0.2.5"}},
        {"time": "2026-03-05T08:01:00Z", "category": "SignInLogs", "operationName": "Sign-in activity",
         "properties": {"id": "0d0d0d0d-0000-4000-8000-000000000002", "createdDateTime": "2026-03-05T08:01:00Z",
                        "userPrincipalName": "alice@example.com", "ipAddress": "192.0.2.5"}}]});
    let la = "TimeGenerated [UTC],Category,UserPrincipalName,IPAddress,Id,Type\r\n\
              \"3/5/2026, 8:00:00.000 AM\",ADFSSignInLogs,alice@example.com,192.0.2.5,0d0d0d0d-0000-4000-8000-000000000003,ADFSSignInLogs\r\n";
    let ds = load(&[
        ("eh.json", event_hub.to_string().into_bytes()),
        ("la.csv", la.as_bytes().to_vec()),
    ]);
    assert_eq!(counts(&ds, "eh.json"), (2, 1, 0, 1));
    assert_eq!(counts(&ds, "la.csv"), (1, 0, 0, 1));
    for f in &ds.files {
        assert_eq!(f.skipped_reasons[0].reason, "AD FS sign-in", "{}", f.name);
    }
    let d: Vec<_> = ds.diagnostics.iter().map(|d| (d.file.as_str(), d.line, d.column)).collect();
    // The record's column in the envelope; the Category column of the CSV.
    assert_eq!(d, [("eh.json", 1, 13), ("la.csv", 2, 2)]);
    assert!(ds.diagnostics.iter().all(|d| d.message.contains("not an Entra ID sign-in")));
}
