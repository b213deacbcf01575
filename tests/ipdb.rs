//! Offline IP → ASN / country databases (issue 18): read by content from real extracts
//! (tests/fixtures/ipdb/, see its README), looked up at range edges, and used by the detection
//! only where the log has no value of its own.
// Tests read their fixtures from disk; the core itself only takes bytes.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::net::IpAddr;

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::builder::Builder;
use sessionhunt::sim::{self, Layout, TenantConfig};
use sessionhunt::{Report, Settings, Severity, analyze};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/ipdb/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn asn(ds: &Dataset, ip: &str) -> u32 {
    ds.ipdb.asn(ip.parse::<IpAddr>().unwrap()).map_or(0, |h| h.asn)
}

#[test]
fn each_database_is_recognized_by_content_and_every_row_is_counted() {
    for (fixture_name, format, not_routed) in [
        ("ip2asn-v4.tsv", "ip2asn-tsv", 3),
        ("ip2asn-v6.tsv", "ip2asn-tsv", 0),
        ("asn-ipv4.csv", "ip-location-db-asn-csv", 0),
        ("asn-ipv6.csv", "ip-location-db-asn-csv", 0),
    ] {
        let bytes = fixture(fixture_name);
        // A neutral name: the content decides, and the date comes from the name.
        for (name, data, fmt) in [
            ("networks.dat".to_owned(), bytes.clone(), format.to_owned()),
            ("db_2026-06-17.gz".to_owned(), gzip(&bytes), format!("{format}+gzip")),
        ] {
            let mut ds = Dataset::new();
            // In chunks of 7 bytes: lines span chunks.
            let mut ingest = ds.begin_file(&name, Some(data.len() as u64));
            for chunk in data.chunks(7) {
                ingest.push(chunk);
            }
            ingest.finish();
            let f = &ds.files[0];
            assert_eq!(f.format, fmt, "{fixture_name}");
            assert_eq!(f.log_kind, "ip-database");
            assert_eq!(f.rows, lines(&bytes), "{fixture_name}: every line is a row");
            assert_eq!(f.events, 0);
            assert_eq!(f.skipped, not_routed, "{fixture_name}: {:?}", f.skipped_reasons);
            assert_eq!(f.ranges + f.skipped, f.rows);
            assert_eq!(f.date, if name.contains("2026") { "2026-06-17" } else { "undated" });
            if format.starts_with("ip-location-db") {
                assert!(f.attribution.contains("https://db-ip.com"), "{}", f.attribution);
                assert!(f.attribution.contains("CC BY 4.0"));
            } else {
                assert!(f.attribution.contains("iptoasn.com"));
            }
            assert!(ds.events.is_empty());
            assert!(ds.diagnostics.is_empty(), "{:?}", ds.diagnostics);
            assert_eq!(ds.ipdb.tables().len(), 1);
        }
    }
}

#[test]
fn real_ranges_answer_at_their_edges() {
    let mut ds = Dataset::new();
    for name in ["ip2asn-v4.tsv", "ip2asn-v6.tsv"] {
        ds.add_file(name, &fixture(name));
    }
    // DigitalOcean 5.101.96.0 - 5.101.111.255.
    assert_eq!(asn(&ds, "5.101.95.255"), 0);
    assert_eq!(asn(&ds, "5.101.96.0"), 14061);
    assert_eq!(asn(&ds, "5.101.111.255"), 14061);
    assert_eq!(asn(&ds, "5.101.112.0"), 0);
    // Hetzner 5.9.0.0/16, Comcast 24.0.0.0 - 24.23.255.255.
    assert_eq!(asn(&ds, "5.9.255.255"), 24940);
    assert_eq!(asn(&ds, "24.23.255.255"), 7922);
    assert_eq!(asn(&ds, "24.24.0.0"), 0);
    // Unrouted space between two ranges stays unknown.
    assert_eq!(asn(&ds, "1.0.2.1"), 0);
    // IPv6: Comcast 2001:558::/42 (to 2001:558:3f:ffff:…), and an IPv4-mapped address as IPv4.
    assert_eq!(asn(&ds, "2001:558:3f:ffff:ffff:ffff:ffff:ffff"), 7922);
    assert_eq!(asn(&ds, "2001:558:40::"), 0);
    assert_eq!(asn(&ds, "::ffff:5.101.96.1"), 14061);
    let hit = ds.ipdb.asn("5.101.100.7".parse().unwrap()).unwrap();
    assert_eq!((hit.name, hit.country, hit.file), ("DigitalOcean, LLC", "US", "ip2asn-v4.tsv"));
    let cc = ds.ipdb.country("24.1.2.3".parse().unwrap()).unwrap();
    assert_eq!(cc.country, "US");
    // Both formats give the same ASNs for the same ranges.
    let mut csv = Dataset::new();
    csv.add_file("asn-ipv4.csv", &fixture("asn-ipv4.csv"));
    for ip in ["1.0.0.0", "5.101.96.0", "5.9.0.7", "23.88.127.255", "24.104.137.255", "9.9.9.9"] {
        assert_eq!(asn(&csv, ip), asn(&ds, ip), "{ip}");
    }
}

/// Alice signs in interactively from her Comcast address for two weeks; then a token refresh
/// arrives from a DigitalOcean address. The log carries no ASN and no country (as the Unified
/// Audit Log's sign-in records), so without a database the replay is only an unfamiliar address.
fn replay_without_asns() -> Builder {
    let mut b = Builder::new();
    for day in 1..=14 {
        for (hour, ni) in [(8, false), (9, true), (13, true)] {
            let t = format!("2026-03-{day:02}T{hour:02}:00:00Z");
            let r = if ni {
                b.ni("alice@contoso.example", &t, "24.0.10.5", 0)
            } else {
                b.i("alice@contoso.example", &t, "24.0.10.5", 0)
            };
            r.country = String::new();
            r.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/124.0".to_owned();
        }
    }
    let r = b.ni("alice@contoso.example", "2026-03-14T21:40:00Z", "5.101.100.7", 0);
    r.country = String::new();
    r.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/124.0".to_owned();
    b
}

fn alice(report: &Report) -> Option<&sessionhunt::report::Finding> {
    report.findings.iter().find(|f| f.user == "alice@contoso.example")
}

#[test]
fn the_database_turns_an_unfamiliar_address_into_a_hosting_finding() {
    let b = replay_without_asns();
    let without = analyze(&b.dataset(), &Settings::default());
    let f = alice(&without).expect("a finding without the database");
    assert_eq!(f.severity, Severity::Medium, "{}", f.severity_reason);
    assert!(!f.rules.iter().any(|r| r == "hosting-network"));
    assert!(f.asns.is_empty());

    let mut ds = b.dataset();
    ds.add_file("ip2asn-v4.tsv", &fixture("ip2asn-v4.tsv"));
    let with = analyze(&ds, &Settings::default());
    let f = alice(&with).expect("a finding with the database");
    assert_eq!(f.severity, Severity::High, "{}", f.severity_reason);
    assert!(
        f.severity_reason.contains("hosting ASN (AS14061 DigitalOcean)"),
        "{}",
        f.severity_reason
    );
    assert!(f.rules.iter().any(|r| r == "hosting-network"), "{:?}", f.rules);
    assert_eq!(f.asns, vec![14061]);
    let text = f.explanation.join("\n");
    assert!(text.contains("from the IP database"), "{text}");
    assert!(
        text.contains("5.101.100.7 (AS14061 DigitalOcean, US, from the IP database)"),
        "{text}"
    );
    // The report says a database was used, and credits it.
    let note = with.coverage.warnings.iter().find(|w| w.starts_with("IP database used"));
    let note = note.expect("a coverage note");
    assert!(note.contains("ip2asn-v4.tsv (ip2asn-tsv, undated)"), "{note}");
    assert!(note.contains("the ASN of 2 of the 2 addresses"), "{note}");
    let db = with.inputs.iter().find(|i| i.name == "ip2asn-v4.tsv").unwrap();
    assert_eq!((db.log_kind.as_str(), db.date.as_str()), ("ip-database", "undated"));
}

#[test]
fn the_log_s_own_asn_wins_and_a_database_that_covers_nothing_changes_no_finding() {
    // The same replay with ASNs and countries logged (Comcast, and a network of the documentation
    // range that is not a hosting one): the database, which says DigitalOcean, is not asked.
    let mut b = replay_without_asns();
    for r in &mut b.records {
        if let sim::Record::SignIn(s) = r {
            s.asn = if s.ip == "5.101.100.7" { 64500 } else { 7922 };
            s.country = "US".to_owned();
        }
    }
    let plain = analyze(&b.dataset(), &Settings::default());
    let mut ds = b.dataset();
    ds.add_file("ip2asn-v4.tsv", &fixture("ip2asn-v4.tsv"));
    let with = analyze(&ds, &Settings::default());
    let json = |r: &Report| serde_json::to_string(&r.findings).unwrap();
    assert_eq!(json(&plain), json(&with), "logged ASNs are not overridden");
    assert!(!json(&with).contains("IP database"));

    // A database that covers none of the addresses: the same findings as without one.
    let b = replay_without_asns();
    let plain = analyze(&b.dataset(), &Settings::default());
    let mut ds = b.dataset();
    ds.add_file("ip2asn-v6.tsv", &fixture("ip2asn-v6.tsv"));
    let with = analyze(&ds, &Settings::default());
    assert_eq!(json(&plain), json(&with));
    // No database: no trace of the feature in the report.
    let text = plain.to_json();
    for key in ["\"ranges\"", "\"date\"", "\"attribution\"", "IP database"] {
        assert!(!text.contains(key), "{key}");
    }
}

#[test]
fn the_ual_only_layout_carries_its_ip_database() {
    let cfg = TenantConfig {
        seed: 3,
        benign_users: 6,
        days: 7,
        attacks: vec![(sim::Attack::Campaign, false)],
        domain: "contoso.example".to_owned(),
    };
    let tenant = sim::generate(&cfg);
    let files = tenant.files(Layout::UalOnly);
    assert!(files.iter().any(|f| f.name == "ip2asn-v4.tsv"));
    assert!(!tenant.files(Layout::Portal).iter().any(|f| f.name.starts_with("ip2asn")));
    let ds = tenant.dataset(Layout::UalOnly);
    let db = ds.files.iter().find(|f| f.name == "ip2asn-v4.tsv").unwrap();
    assert_eq!((db.skipped, db.ranges), (0, db.rows));
    // Every sign-in address of the tenant is in the database, with the ASN the tenant gave it.
    let mut checked = 0;
    for r in &tenant.records {
        if let sim::Record::SignIn(s) = r
            && s.asn != 0
        {
            let ip: IpAddr = s.ip.parse().unwrap();
            let hit = ds.ipdb.asn(ip).unwrap_or_else(|| panic!("{ip} not in the database"));
            assert_eq!(hit.asn, s.asn, "{ip}");
            checked += 1;
        }
    }
    assert!(checked > 100);
}
