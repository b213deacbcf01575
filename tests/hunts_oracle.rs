//! The reference hunts against an independent implementation: `sessionhunt::detect::hunts` and
//! `scripts/oracle/` (the hunts' KQL translated to DuckDB SQL, run by Python on the same export
//! files) must return the same rows, column for column, newest first (docs/detection.md §7).
//!
//! The tenants are the simulator's, roughened where real exports differ from it: UPNs spelt
//! with capitals (the same in both tables, only in the interactive one, or changing from row to
//! row, which KQL's case-sensitive join tells apart), IPv6 addresses, missing ASNs and IPs, and
//! a user with more baseline addresses and /24s than `make_set` keeps. They are written as the
//! portal's CSV downloads, Graph JSON, or both, and only the sign-in files are read (by both
//! sides, so "now", the latest sign-in, is the same).
//!
//! Needs `python3` with the `duckdb` package (`scripts/setup.sh --tests` installs it): without
//! it the tests fail, they never skip.

// A test writes the files both sides read, and times itself for the report.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sessionhunt::detect::hunts::{h1, h2};
use sessionhunt::ingest::Dataset;
use sessionhunt::sim::{Layout, Record, SignInRecord, Tenant, TenantConfig, generate};
use sessionhunt::{Settings, time::rfc3339};

const DAY: i64 = 86_400_000;

/// Deterministic per-user choice: FNV-1a of the text.
fn hash(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `user014@contoso.example` → `User014@Contoso.Example`.
fn capitalized(upn: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in upn.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = matches!(c, '@' | '.');
    }
    out
}

/// An IPv4 address moved into 2001:db8::/32, written as sessionhunt writes addresses.
fn ipv6_of(ipv4: &str) -> String {
    let q: Vec<u16> = ipv4.split('.').filter_map(|p| p.parse().ok()).collect();
    match q[..] {
        [a, b, c, d] => Ipv6Addr::new(0x2001, 0xdb8, a, b, c, 0, 0, d).to_string(),
        _ => ipv4.to_owned(),
    }
}

/// The simulator's tenant with the shapes of real exports it lacks (see the module doc).
fn roughen(tenant: &mut Tenant) {
    let mut n = 0u64;
    for r in &mut tenant.records {
        let Record::SignIn(s) = r else { continue };
        n += 1;
        let h = hash(&s.user);
        match h % 8 {
            1 => s.user = capitalized(&s.user),
            2 if s.interactive => s.user = capitalized(&s.user),
            3 if n.is_multiple_of(3) => s.user = capitalized(&s.user),
            4 => s.ip = ipv6_of(&s.ip),
            _ => {}
        }
        if (h >> 8).is_multiple_of(5) && n.is_multiple_of(4) {
            s.asn = 0;
        }
        if (h >> 16).is_multiple_of(9) && n.is_multiple_of(7) {
            s.ip = String::new();
        }
    }
    // A user with 130 addresses in 70 /24s in the baseline window, some first seen at the same
    // time, and refreshes from kept, dropped and new addresses and prefixes.
    let Some(Record::SignIn(model)) = tenant
        .records
        .iter()
        .find(|r| matches!(r, Record::SignIn(s) if s.interactive && s.error_code == 0))
        .cloned()
    else {
        panic!("the tenant has no successful interactive sign-in");
    };
    let end = tenant.records.iter().map(|r| r.time()).max().unwrap_or(0);
    let sign_in = |k: usize, interactive: bool, time: i64, ip: String| SignInRecord {
        time,
        interactive,
        user: "Cap.User@Contoso.Example".to_owned(),
        ip,
        request_id: format!("00000000-0000-4000-8000-{k:012}"),
        correlation_id: format!("00000000-0000-4000-9000-{k:012}"),
        ..model.clone()
    };
    for j in 0..130usize {
        let time = end - 20 * DAY + (j as i64 / 2) * 3_600_000;
        let ip = format!("10.1.{}.{}", j % 70, j / 70 + 1);
        tenant.records.push(Record::SignIn(sign_in(j, true, time, ip)));
    }
    for j in 0..60usize {
        let time = end - 3 * DAY + j as i64 * 60_000;
        let ip = format!("10.1.{}.{}", j % 75, j % 3 + 1);
        tenant.records.push(Record::SignIn(sign_in(1000 + j, false, time, ip)));
    }
    // Interactive sign-ins from new networks once the sets are full (so not in them), each
    // followed by a refresh from the same address 1 h, 24 h (the window's inclusive end) or
    // 24 h 1 s later: enrichment 2 finds the first two.
    for j in 0..12usize {
        let time = end - 2 * DAY + j as i64 * 600_000;
        let ip = format!("10.2.{j}.1");
        tenant.records.push(Record::SignIn(sign_in(2000 + j, true, time, ip.clone())));
        let later = [3_600_000, DAY, DAY + 1000][j % 3];
        tenant.records.push(Record::SignIn(sign_in(3000 + j, false, time + later, ip)));
    }
}

/// Writes the tenant's sign-in files into a fresh folder and returns their paths.
fn write(tenant: &Tenant, layout: Layout, name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hunts_oracle").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for f in tenant.files(layout) {
        if f.name.starts_with("AuditLog") {
            continue;
        }
        let path = dir.join(&f.name);
        std::fs::write(&path, &f.bytes).unwrap();
        paths.push(path);
    }
    paths
}

/// The oracle's rows for each run.
fn oracle(runs: &Value, files: &[PathBuf]) -> Vec<Vec<Value>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/oracle/hunts.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--runs")
        .arg(runs.to_string())
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): run scripts/setup.sh --tests"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'duckdb'"),
        "the DuckDB oracle needs the duckdb Python package: run scripts/setup.sh --tests\n{stderr}"
    );
    assert!(out.status.success(), "{} failed: {stderr}", script.display());
    serde_json::from_slice(&out.stdout).expect("the oracle prints JSON")
}

/// Same rows and same order of times (rows of one time may come in any order: KQL's sort
/// leaves ties unordered).
fn same_rows(what: &str, ours: &[Value], theirs: &[Value], time: &str) {
    let mut count: BTreeMap<String, i64> = BTreeMap::new();
    for r in ours {
        *count.entry(r.to_string()).or_default() += 1;
    }
    for r in theirs {
        *count.entry(r.to_string()).or_default() -= 1;
    }
    let diff: Vec<String> = count
        .iter()
        .filter(|(_, n)| **n != 0)
        .take(10)
        .map(|(r, n)| format!("{} {r}", if *n > 0 { "sessionhunt only:" } else { "oracle only:" }))
        .collect();
    assert!(
        diff.is_empty(),
        "{what}: {} rows here, {} in the oracle; the first differences:\n{}",
        ours.len(),
        theirs.len(),
        diff.join("\n")
    );
    let at = |rows: &[Value], i: usize| rows[i][time].as_str().unwrap_or_default().to_owned();
    if let Some(i) = (0..ours.len()).find(|&i| at(ours, i) != at(theirs, i)) {
        panic!("{what}: row {i} is at {} here, {} in the oracle", at(ours, i), at(theirs, i));
    }
}

fn check(name: &str, config: TenantConfig, layout: Layout) {
    let started = std::time::Instant::now();
    let mut tenant = generate(&config);
    roughen(&mut tenant);
    let files = write(&tenant, layout, name);
    let mut ds = Dataset::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let summary = ds.add_file(&path.file_name().unwrap().to_string_lossy(), &bytes);
        assert_eq!(summary.skipped, 0, "{summary:?}");
    }
    let h1_all = Settings { detection_days: None, baseline_days: None, ..Settings::h1_preset() };
    let h2_week = Settings { detection_days: Some(7), ..Settings::default() };
    let runs = json!([
        {"hunt": "h1"},
        {"hunt": "h1", "detection_days": null, "baseline_days": null},
        {"hunt": "h2"},
        {"hunt": "h2", "days": 7},
    ]);
    let ours: Vec<Vec<Value>> = vec![
        serde_json::to_value(h1(&ds, &Settings::h1_preset())).unwrap(),
        serde_json::to_value(h1(&ds, &h1_all)).unwrap(),
        serde_json::to_value(h2(&ds, &Settings::default())).unwrap(),
        serde_json::to_value(h2(&ds, &h2_week)).unwrap(),
    ]
    .into_iter()
    .map(|v| v.as_array().cloned().unwrap_or_default())
    .collect();
    let theirs = oracle(&runs, &files);
    let labels = ["H1 (7 / 30 days)", "H1 (whole span)", "H2 (whole span)", "H2 (7 days)"];
    for (i, label) in labels.iter().enumerate() {
        let time = if i < 2 { "time" } else { "interactive_time" };
        same_rows(&format!("{name}, {label}"), &ours[i], &theirs[i], time);
    }
    // The roughening reached the rows: capitals and IPv6 in H1, so the comparison covers them.
    let h1_rows = &ours[1];
    assert!(h1_rows.iter().any(|r| r["user"].as_str().is_some_and(|u| u.contains('U'))));
    assert!(h1_rows.iter().any(|r| r["ip"].as_str().is_some_and(|ip| ip.contains(':'))));
    assert!(ours[0].iter().any(|r| r["baseline_ip_count"] == 100), "a capped baseline");
    let nearby = ours[0].iter().filter(|r| r["nearby_interactive"] == true).count();
    assert_eq!(nearby, 8, "enrichment 2 finds the refreshes 1 h and 24 h after");
    assert!(
        ours[3].iter().any(|r| r["non_interactive_ip"].as_str().is_some_and(|ip| ip.contains(':')))
    );
    let counts: Vec<usize> = ours.iter().map(Vec::len).collect();
    eprintln!(
        "{name}: {} sign-ins until {}; rows H1 7/30 d {}, H1 whole span {}, H2 whole span {}, \
         H2 7 d {} ({:.1} s)",
        ds.events.len(),
        rfc3339(ds.events.iter().map(|e| e.time).max().unwrap_or(0)),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        started.elapsed().as_secs_f64()
    );
    assert!(counts.iter().all(|&c| c > 0), "{name}: every hunt has rows: {counts:?}");
}

#[test]
fn small_portal_tenant() {
    let config = TenantConfig { seed: 11, benign_users: 40, days: 14, ..TenantConfig::demo() };
    check("small-portal", config, Layout::Portal);
}

#[test]
fn portal_tenant_with_every_attack() {
    let config = TenantConfig {
        seed: 12,
        benign_users: 100,
        days: 21,
        attacks: TenantConfig::all_attacks(),
        ..TenantConfig::demo()
    };
    check("attacks-portal", config, Layout::Portal);
}

#[test]
fn graph_tenant_longer_than_the_baseline() {
    let config = TenantConfig { seed: 13, benign_users: 50, days: 35, ..TenantConfig::demo() };
    check("long-graph", config, Layout::Graph);
}

#[test]
fn mixed_tenant() {
    let config = TenantConfig { seed: 14, benign_users: 70, days: 21, ..TenantConfig::demo() };
    check("mixed", config, Layout::Mixed);
}
