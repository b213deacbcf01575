//! Fidelity of the two reference hunts (docs/detection.md §7) on a hand-made fixture: the expected rows
//! were computed by hand from the KQL semantics, row for row (join keys, `ResultType == 0`,
//! windows, both ASNs present, exact IP and /24 membership).
//!
//! H1 fixture (H1 preset: now = 2026-03-31T12:00:00Z, the latest event; detection window
//! `time > 2026-03-24T12:00:00Z`; baseline `time > 2026-03-01T12:00:00Z`, detection window
//! included). H2 fixture: whole span, 10-minute window.
//!
//! The fixtures are written as the portal's two sign-in CSV downloads and read back, so each
//! sign-in keeps its UPN as logged (H1 joins on it case-sensitively, as KQL does).
//! `tests/hunts_oracle.rs` checks both hunts against a DuckDB translation of the KQL on simulated
//! tenants.

use sessionhunt::detect::hunts::{H1Row, H2Row, h1, h2};
use sessionhunt::ingest::Dataset;
use sessionhunt::sim::Record;
use sessionhunt::sim::builder::Builder;
use sessionhunt::sim::write::{PORTAL_HEADER, portal_row};
use sessionhunt::{Settings, analyze};

/// The builder's sign-ins as the portal's interactive and non-interactive CSV downloads, read.
fn read(b: &Builder) -> Dataset {
    let mut ds = Dataset::new();
    for (name, interactive) in
        [("InteractiveSignIns_fixture.csv", true), ("NonInteractiveSignIns_fixture.csv", false)]
    {
        let mut csv = format!("{PORTAL_HEADER}\n");
        for r in &b.records {
            if let Record::SignIn(s) = r
                && s.interactive == interactive
            {
                csv.push_str(&portal_row(s, "Contoso"));
                csv.push('\n');
            }
        }
        let summary = ds.add_file(name, csv.as_bytes());
        assert_eq!(summary.skipped + summary.duplicates, 0, "{summary:?}");
    }
    ds
}

fn h1_fixture() -> Builder {
    let mut b = Builder::new();
    let alice = "alice@contoso.test";
    // Alice's baseline: one successful interactive sign-in in the 30 days.
    b.i(alice, "2026-03-10T08:00:00Z", "198.51.100.20", 7922);
    // A failed interactive sign-in does not enter the baseline (ResultType == 0 only).
    b.i(alice, "2026-03-26T08:00:00Z", "203.0.113.50", 14061).error_code = 50126;
    // Older than 30 days: outside the baseline window.
    b.i(alice, "2026-02-20T08:00:00Z", "192.0.2.99", 7922);
    b.ni(alice, "2026-03-25T10:00:00Z", "198.51.100.20", 7922); // known address
    b.ni(alice, "2026-03-25T11:00:00Z", "198.51.100.77", 7922); // known /24
    b.ni(alice, "2026-03-26T09:00:00Z", "203.0.113.50", 14061); // ROW (failure did not baseline it)
    b.ni(alice, "2026-03-27T09:00:00Z", "192.0.2.99", 7922); // ROW (Feb sign-in is too old)
    b.ni(alice, "2026-03-20T09:00:00Z", "203.0.113.9", 14061); // before the detection window
    b.ni(alice, "2026-03-28T09:00:00Z", "203.0.113.51", 14061).error_code = 50140; // failed
    b.ni(alice, "2026-03-24T12:00:00Z", "192.0.2.150", 7922); // exactly 7 d: not > ago(7d)
    b.ni(alice, "2026-03-24T12:00:01Z", "192.0.2.151", 7922); // ROW, 1 s inside
    let bob = "bob@contoso.test";
    b.i(bob, "2026-03-15T08:00:00Z", "198.51.100.30", 7922);
    b.ni(bob, "2026-03-29T10:00:00Z", "203.0.113.50", 14061); // ROW: 2 candidate users on .50
    // Carol has no interactive baseline: the inner join drops her (and she does not count for
    // enrichment 1, which counts candidates).
    b.ni("carol@contoso.test", "2026-03-29T10:30:00Z", "203.0.113.50", 14061);
    let dave = "dave@contoso.test";
    b.i(dave, "2026-03-12T08:00:00Z", "198.51.100.40", 7922);
    // An interactive sign-in inside the detection window also baselines its /24 (H1 includes it).
    b.i(dave, "2026-03-30T08:00:00Z", "203.0.113.61", 14061);
    b.ni(dave, "2026-03-30T09:00:00Z", "203.0.113.62", 14061); // same /24 as .61
    b.ni(dave, "2026-03-30T10:00:00Z", "192.0.2.200", 3320); // ROW, baseline of 2 IPs
    // UPN case differs between the tables: KQL's join on UserPrincipalName is case-sensitive,
    // so erin@contoso.test has no baseline and gives no row, not even from the baseline's IP.
    b.i("Erin@Contoso.test", "2026-03-05T08:00:00Z", "198.51.100.90", 7922);
    b.ni("erin@contoso.test", "2026-03-26T08:00:00Z", "198.51.100.90", 7922);
    b.ni("erin@contoso.test", "2026-03-27T08:00:00Z", "192.0.2.7", 3320);
    // Frank's spelling matches in both tables: his refresh from a new network is a row, and the
    // row names him as logged.
    b.i("Frank@Contoso.test", "2026-03-05T08:00:00Z", "198.51.100.91", 7922);
    b.ni("Frank@Contoso.test", "2026-03-28T08:00:00Z", "192.0.2.8", 3320); // ROW
    // The latest event, which anchors "now".
    b.i("zed@contoso.test", "2026-03-31T12:00:00Z", "198.51.100.250", 7922);
    b
}

fn row(
    time: &str,
    user: &str,
    ip: &str,
    baseline: u32,
    users: u32,
) -> (String, String, String, u32, u32, String) {
    let label = match users {
        1 => "single-user (investigate)",
        2 | 3 => "low-volume (suspicious)",
        _ => "multi-user (likely infrastructure)",
    };
    (time.into(), user.into(), ip.into(), baseline, users, label.into())
}

fn key(r: &H1Row) -> (String, String, String, u32, u32, String) {
    (
        r.time.clone(),
        r.user.clone(),
        r.ip.clone(),
        r.baseline_ip_count,
        r.ip_users,
        r.ip_prevalence.clone(),
    )
}

#[test]
fn h1_core_query_and_enrichment_1_row_for_row() {
    let ds = read(&h1_fixture());
    let rows = h1(&ds, &Settings::h1_preset());
    let got: Vec<_> = rows.iter().map(key).collect();
    let expected = vec![
        row("2026-03-30T10:00:00Z", "dave@contoso.test", "192.0.2.200", 2, 1),
        row("2026-03-29T10:00:00Z", "bob@contoso.test", "203.0.113.50", 1, 2),
        row("2026-03-28T08:00:00Z", "Frank@Contoso.test", "192.0.2.8", 1, 1),
        row("2026-03-27T09:00:00Z", "alice@contoso.test", "192.0.2.99", 1, 1),
        row("2026-03-26T09:00:00Z", "alice@contoso.test", "203.0.113.50", 1, 2),
        row("2026-03-24T12:00:01Z", "alice@contoso.test", "192.0.2.151", 1, 1),
    ];
    assert_eq!(got, expected);
    // Enrichment 2: every candidate IP is absent from the baseline, which includes the detection
    // window, so no candidate has a successful interactive sign-in from its IP within ±24 h.
    assert!(rows.iter().all(|r| !r.nearby_interactive));
}

#[test]
fn h1_widened_default_uses_the_whole_span() {
    let ds = read(&h1_fixture());
    let rows = h1(&ds, &Settings::default());
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.time.clone(), r.ip.clone())).collect();
    // Now the February sign-in baselines 192.0.2.99 and with it 192.0.2.0/24 (so .150 and .151
    // are known too), the 03-20 refresh is in the window, and prevalence counts every user of
    // the IP (carol too).
    assert_eq!(
        got,
        vec![
            ("2026-03-30T10:00:00Z".to_owned(), "192.0.2.200".to_owned()),
            ("2026-03-29T10:00:00Z".to_owned(), "203.0.113.50".to_owned()),
            ("2026-03-28T08:00:00Z".to_owned(), "192.0.2.8".to_owned()),
            ("2026-03-26T09:00:00Z".to_owned(), "203.0.113.50".to_owned()),
            ("2026-03-20T09:00:00Z".to_owned(), "203.0.113.9".to_owned()),
        ]
    );
    let bob = rows.iter().find(|r| r.user == "bob@contoso.test").unwrap();
    assert_eq!(bob.ip_users, 3, "alice, bob and carol used 203.0.113.50");
}

#[test]
fn h1_enrichment_2_when_the_detection_window_is_excluded_from_the_baseline() {
    let mut b = Builder::new();
    b.i("alice@contoso.test", "2026-03-10T08:00:00Z", "198.51.100.20", 7922);
    b.i("alice@contoso.test", "2026-03-30T08:00:00Z", "192.0.2.44", 3320);
    b.ni("alice@contoso.test", "2026-03-30T20:00:00Z", "192.0.2.44", 3320);
    b.ni("alice@contoso.test", "2026-03-31T12:00:00Z", "203.0.113.5", 14061);
    let ds = read(&b);
    let s = Settings { exclude_detection_from_baseline: true, ..Settings::h1_preset() };
    let rows = h1(&ds, &s);
    let got: Vec<(String, bool)> =
        rows.iter().map(|r| (r.ip.clone(), r.nearby_interactive)).collect();
    assert_eq!(got, vec![("203.0.113.5".to_owned(), false), ("192.0.2.44".to_owned(), true)]);
}

#[test]
fn h1_caps_keep_the_addresses_and_prefixes_first_seen_earliest() {
    // 120 interactive sign-ins, one a minute, each from its own /24 (10.0.i.1): more than
    // make_set's 100 addresses and 50 prefixes. The 100 (50) first seen are kept; two first seen
    // at the same time are ordered by their text, so 10.0.100.1 (at minute 99, like 10.0.99.1)
    // is kept and 10.0.99.1 is the 101st.
    let mut b = Builder::new();
    let user = "cap@contoso.test";
    for i in 0..120u32 {
        let minute = if i == 100 { 99 } else { i };
        let time = format!("2026-03-20T{:02}:{:02}:00Z", minute / 60, minute % 60);
        b.i(user, &time, &format!("10.0.{i}.1"), 7922);
    }
    b.ni(user, "2026-03-31T09:00:00Z", "10.0.99.1", 7922); // ROW: dropped address, /24 #99
    b.ni(user, "2026-03-31T09:01:00Z", "10.0.100.1", 7922); // kept address
    b.ni(user, "2026-03-31T09:02:00Z", "10.0.40.77", 7922); // kept /24 (#40)
    b.ni(user, "2026-03-31T09:03:00Z", "10.0.60.1", 7922); // kept address (#60)
    b.ni(user, "2026-03-31T09:04:00Z", "10.0.60.2", 7922); // ROW: /24 #60 is past the 50
    let ds = read(&b);
    let rows = h1(&ds, &Settings::h1_preset());
    let got: Vec<(&str, u32)> = rows.iter().map(|r| (r.ip.as_str(), r.baseline_ip_count)).collect();
    assert_eq!(got, vec![("10.0.60.2", 100), ("10.0.99.1", 100)]);
    // Without caps every address and /24 is known.
    let uncapped =
        Settings { baseline_max_ips: None, baseline_max_prefixes: None, ..Settings::h1_preset() };
    assert!(h1(&ds, &uncapped).is_empty());
}

#[test]
fn h1_compares_ipv6_as_whole_addresses_and_keeps_sign_ins_without_an_ip() {
    let mut b = Builder::new();
    // IPv6: the KQL builds /24s from dotted quads only, so an IPv6 address is known only as
    // itself (the rule token-from-unfamiliar-network would compare /48s).
    b.i("v6@contoso.test", "2026-03-30T08:00:00Z", "2001:db8:1:1::5", 21928);
    b.ni("v6@contoso.test", "2026-03-30T09:00:00Z", "2001:db8:1:1::5", 21928);
    b.ni("v6@contoso.test", "2026-03-30T10:00:00Z", "2001:db8:1:1::9", 21928); // ROW
    // An IPv4-mapped address is compared as IPv4: same /24 as the baseline.
    b.ni("v6@contoso.test", "2026-03-30T11:00:00Z", "::ffff:192.0.2.1", 3320); // ROW (no v4 baseline)
    b.i("v4@contoso.test", "2026-03-30T08:00:00Z", "192.0.2.9", 3320);
    b.ni("v4@contoso.test", "2026-03-30T11:00:00Z", "::ffff:192.0.2.1", 3320);
    // No IP is KQL's empty IPAddress: a value like any other.
    b.i("noip@contoso.test", "2026-03-30T08:00:00Z", "", 0);
    b.ni("noip@contoso.test", "2026-03-30T12:00:00Z", "", 0); // known: the baseline has ""
    b.ni("v4@contoso.test", "2026-03-30T12:00:00Z", "", 0); // ROW: v4's baseline has no ""
    let ds = read(&b);
    let rows = h1(&ds, &Settings::h1_preset());
    let got: Vec<(&str, &str, bool)> =
        rows.iter().map(|r| (r.user.as_str(), r.ip.as_str(), r.nearby_interactive)).collect();
    assert_eq!(
        got,
        vec![
            ("v4@contoso.test", "", false),
            ("v6@contoso.test", "::ffff:192.0.2.1", false),
            ("v6@contoso.test", "2001:db8:1:1::9", false),
        ]
    );
}

fn h2_fixture() -> Builder {
    let mut b = Builder::new();
    let u1 = "u1@contoso.test";
    let i = b.i(u1, "2026-03-10T10:00:00Z", "198.51.100.1", 7922);
    i.app_name = "OfficeHome".into();
    i.correlation_id = "c-i1".into();
    b.ni(u1, "2026-03-10T10:03:10Z", "203.0.113.7", 14061).correlation_id = "c-n1".into(); // ROW 190 s
    b.ni(u1, "2026-03-10T10:10:00Z", "203.0.113.8", 14061).correlation_id = "c-n2".into(); // ROW 600 s
    b.ni(u1, "2026-03-10T10:10:01Z", "203.0.113.11", 14061); // 601 s: outside
    b.ni(u1, "2026-03-10T09:59:59Z", "203.0.113.12", 14061); // before the interactive one
    b.ni(u1, "2026-03-10T10:05:00Z", "198.51.100.99", 7922); // same ASN
    b.ni(u1, "2026-03-10T10:06:00Z", "203.0.113.9", 0); // ASN empty
    b.ni(u1, "2026-03-10T10:07:00Z", "203.0.113.10", 14061).error_code = 50140; // failed
    let u2 = "u2@contoso.test";
    b.i(u2, "2026-03-10T11:00:00Z", "192.0.2.1", 3320);
    b.i(u2, "2026-03-10T11:05:00Z", "192.0.2.1", 3320);
    b.ni(u2, "2026-03-10T11:06:00Z", "192.0.2.2", 9009); // ROW twice, one per interactive
    b.i("u3@contoso.test", "2026-03-10T12:00:00Z", "192.0.2.3", 0); // interactive ASN empty
    b.ni("u3@contoso.test", "2026-03-10T12:01:00Z", "203.0.113.3", 14061);
    b.i("u4@contoso.test", "2026-03-10T13:00:00Z", "192.0.2.50", 3320);
    b.ni("u4@contoso.test", "2026-03-10T13:01:00Z", "192.0.2.50", 3209); // same IP
    b.i("U5@Contoso.test", "2026-03-10T14:00:00Z", "192.0.2.60", 3320);
    b.ni("u5@contoso.test", "2026-03-10T14:09:00Z", "203.0.113.60", 16276); // ROW, case-folded
    b
}

#[test]
fn h2_pairs_row_for_row() {
    let ds = read(&h2_fixture());
    let rows = h2(&ds, &Settings::default());
    let got: Vec<(String, String, i64, String, String, u32, u32)> = rows
        .iter()
        .map(|r: &H2Row| {
            (
                r.interactive_time.clone(),
                r.non_interactive_time.clone(),
                r.delta_seconds,
                r.user.clone(),
                r.non_interactive_ip.clone(),
                r.interactive_asn,
                r.non_interactive_asn,
            )
        })
        .collect();
    let r = |it: &str, nt: &str, d: i64, u: &str, ip: &str, a: u32, b: u32| {
        (it.to_owned(), nt.to_owned(), d, u.to_owned(), ip.to_owned(), a, b)
    };
    assert_eq!(
        got,
        vec![
            r(
                "2026-03-10T14:00:00Z",
                "2026-03-10T14:09:00Z",
                540,
                "u5@contoso.test",
                "203.0.113.60",
                3320,
                16276
            ),
            r(
                "2026-03-10T11:05:00Z",
                "2026-03-10T11:06:00Z",
                60,
                "u2@contoso.test",
                "192.0.2.2",
                3320,
                9009
            ),
            r(
                "2026-03-10T11:00:00Z",
                "2026-03-10T11:06:00Z",
                360,
                "u2@contoso.test",
                "192.0.2.2",
                3320,
                9009
            ),
            r(
                "2026-03-10T10:00:00Z",
                "2026-03-10T10:03:10Z",
                190,
                "u1@contoso.test",
                "203.0.113.7",
                7922,
                14061
            ),
            r(
                "2026-03-10T10:00:00Z",
                "2026-03-10T10:10:00Z",
                600,
                "u1@contoso.test",
                "203.0.113.8",
                7922,
                14061
            ),
        ]
    );
    let first_u1 = &rows[3];
    assert_eq!(
        (first_u1.account_name.as_str(), first_u1.upn_suffix.as_str()),
        ("u1", "contoso.test")
    );
    assert_eq!(
        (first_u1.interactive_app.as_str(), first_u1.interactive_correlation_id.as_str()),
        ("OfficeHome", "c-i1")
    );
    assert_eq!(first_u1.non_interactive_correlation_id, "c-n1");
}

#[test]
fn hunt_rows_reach_the_report_as_rules() {
    let ds = read(&h2_fixture());
    let report = analyze(&ds, &Settings::default());
    let with_h2: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rules.iter().any(|r| r == "short-window-origin-switch"))
        .map(|f| f.user.as_str())
        .collect();
    for u in ["u1@contoso.test", "u2@contoso.test", "u5@contoso.test"] {
        assert!(with_h2.contains(&u), "{u} missing: {with_h2:?}");
    }
    assert!(!with_h2.contains(&"u4@contoso.test"));
}
