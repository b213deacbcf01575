//! `sessionhunt session`, `campaign` and `overview` as a user runs them, on the demo tenant.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use common::{demo_dir, report, run};
use serde_json::Value;

fn json(args: &[&OsStr]) -> Value {
    serde_json::from_str(&run(args)).expect("the view is JSON")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_campaign_lists_the_shared_ip_with_its_victims() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let rep = report(&demo);
    let shared = json(&["campaign".as_ref(), demo.as_os_str()]);
    let shared = shared.as_array().unwrap();
    assert!(!shared.is_empty());
    for s in shared {
        assert!(s["users"].as_array().unwrap().len() >= 2, "{s}");
    }
    // Every IP carried by the findings of two or more users is listed, with exactly those users.
    let findings = rep["findings"].as_array().unwrap();
    let mut by_ip: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for f in findings {
        for ip in strs(&f["ips"]) {
            by_ip.entry(ip).or_default().insert(f["user"].as_str().unwrap().to_owned());
        }
    }
    by_ip.retain(|_, users| users.len() >= 2);
    assert!(!by_ip.is_empty(), "the demo's campaign shares an IP");
    for (ip, users) in &by_ip {
        let s = shared
            .iter()
            .find(|s| s["kind"] == "ip" && s["value"] == ip.as_str())
            .unwrap_or_else(|| panic!("{ip} is shared by {users:?} but not listed"));
        let listed: BTreeSet<String> = strs(&s["users"]).into_iter().collect();
        assert_eq!(&listed, users, "{ip}");
        assert!(s["events"].as_u64().unwrap() >= users.len() as u64, "{s}");
        assert!(s["first"].as_str().unwrap() <= s["last"].as_str().unwrap());
    }
    // The demo's phishing campaign: one IP behind the findings of several high users.
    let campaign_ip = by_ip.iter().max_by_key(|(_, u)| u.len()).unwrap();
    assert!(campaign_ip.1.len() >= 5, "{campaign_ip:?}");
    // Most severe first.
    let rank = |s: &Value| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s["shared_severity"].as_str().unwrap())
            .unwrap()
    };
    assert!(shared.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])));
    // The table names it, and the same data comes out with one thread.
    let table =
        run(&["campaign".as_ref(), "--format".as_ref(), "table".as_ref(), demo.as_os_str()]);
    assert!(table.contains(campaign_ip.0.as_str()), "{table}");
    let one = json(&["campaign".as_ref(), "-j".as_ref(), "1".as_ref(), demo.as_os_str()]);
    assert_eq!(&one.as_array().unwrap()[..], shared);
}

#[test]
fn a_critical_findings_session_shows_an_origin_change_and_hostile_text_stays_inert() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let rep = report(&demo);
    let mut found = None;
    'search: for f in rep["findings"].as_array().unwrap() {
        if f["severity"] != "critical" {
            continue;
        }
        for sid in strs(&f["session_ids"]) {
            let v = json(&["session".as_ref(), sid.as_ref(), demo.as_os_str()]);
            let changed = v["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| !e["changes"].as_array().unwrap().is_empty());
            if changed {
                found = Some((f["id"].as_str().unwrap().to_owned(), sid, v));
                break 'search;
            }
        }
    }
    let (id, sid, v) = found.expect("a critical finding's session changes origin");
    assert_eq!(v["session_id"], sid.as_str());
    assert!(strs(&v["findings"]).contains(&id));
    let events = v["events"].as_array().unwrap();
    let times: Vec<i64> = events.iter().map(|e| e["time_ms"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "time order");
    assert!(events.iter().any(|e| strs(&e["findings"]).contains(&id)));
    let ip_change = events.iter().find(|e| strs(&e["changes"]).contains(&"ip".to_owned()));
    assert!(ip_change.is_some(), "the replay comes from another IP");
    // An audit action of the session names the sign-in it rode on, when the log ties one.
    for e in events.iter().filter(|e| e["kind"] == "audit" && !e["rode_on"].is_null()) {
        let at = e["rode_on"]["event"].as_u64().unwrap() as usize;
        assert_eq!(events[at]["request_id"], e["rode_on"]["request_id"]);
    }

    // The session's first user agent turned hostile in every file: JSON keeps it as one string,
    // the table escapes its control characters.
    let ua = events.iter().map(|e| e["user_agent"].as_str().unwrap()).find(|u| !u.is_empty());
    let ua = ua.expect("a user agent").to_owned();
    let hostile = format!("{ua}\u{1b}[2J\u{202e}");
    for entry in std::fs::read_dir(&demo).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(&ua, &hostile)).unwrap();
    }
    let v = json(&["session".as_ref(), sid.as_ref(), demo.as_os_str()]);
    assert!(v["events"].as_array().unwrap().iter().any(|e| e["user_agent"] == hostile.as_str()));
    let table = run(&[
        "session".as_ref(),
        "--format".as_ref(),
        "table".as_ref(),
        sid.as_ref(),
        demo.as_os_str(),
    ]);
    assert!(!table.contains('\u{1b}') && !table.contains('\u{202e}'), "{table}");
    assert!(table.contains("\\u{1b}[2J\\u{202e}"), "{table}");
    assert!(table.contains(&sid));
}

#[test]
fn an_unknown_session_is_an_empty_view_with_a_warning() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let out = common::sessionhunt()
        .args(["session".as_ref(), "no-such-session\u{1b}".as_ref(), demo.as_os_str()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["events"].as_array().unwrap().is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no event of session") && !err.contains('\u{1b}'), "{err}");
}

#[test]
fn the_overview_adds_up_to_the_report() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let rep = report(&demo);
    let o = json(&["overview".as_ref(), demo.as_os_str()]);
    let findings = rep["findings"].as_array().unwrap();
    let days = o["findings_per_day"].as_array().unwrap();
    let sum = |k: &str| days.iter().map(|d| d[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("total"), findings.len() as u64);
    assert_eq!(o["findings"], findings.len());
    for sev in ["critical", "high", "medium", "low", "info"] {
        let n = findings.iter().filter(|f| f["severity"] == sev).count() as u64;
        assert_eq!(sum(sev), n, "{sev}");
    }
    assert!(days.windows(2).all(|w| w[0]["day"].as_str() < w[1]["day"].as_str()));
    // One source per input, with the report's row accounting.
    let inputs = rep["inputs"].as_array().unwrap();
    let sources = o["sources"].as_array().unwrap();
    assert_eq!(sources.len(), inputs.len());
    for (s, i) in sources.iter().zip(inputs) {
        assert_eq!((&s["name"], &s["rows"], &s["events"]), (&i["name"], &i["rows"], &i["events"]));
        assert!(!s["first"].as_str().unwrap().is_empty());
    }
    // Per user: every event counted once.
    let kinds = rep["coverage"]["events_by_kind"].as_array().unwrap();
    let count = |k: &str| kinds.iter().find(|x| x["kind"] == k).unwrap()["count"].as_u64().unwrap();
    let users = o["users"].as_array().unwrap();
    let per_user = |k: &str| users.iter().map(|u| u[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(per_user("interactive"), count("interactive"));
    assert_eq!(per_user("non_interactive"), count("non-interactive"));
    assert_eq!(o["non_interactive"]["events"].as_u64().unwrap(), count("non-interactive"));
    assert!(!o["non_interactive"]["top_networks"].as_array().unwrap().is_empty());
    // The report's coverage warnings, then each log's span.
    let limits = strs(&o["limits"]);
    for w in strs(&rep["coverage"]["warnings"]) {
        assert!(limits.contains(&w), "{w}");
    }
    assert!(limits.iter().any(|l| l.starts_with("Non-interactive sign-ins: ")), "{limits:?}");
    let table =
        run(&["overview".as_ref(), "--format".as_ref(), "table".as_ref(), demo.as_os_str()]);
    assert!(
        table.contains("Findings per day") && table.contains("What the loaded data cannot show")
    );
}

#[test]
fn a_settings_file_is_read_and_a_bad_one_is_an_error() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let out = common::sessionhunt()
        .args(["overview".as_ref(), "--settings".as_ref(), bad.as_os_str(), demo.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid settings file"));
    let good = dir.path().join("settings.json");
    std::fs::write(&good, r#"{"detection_days": 3}"#).unwrap();
    let o = json(&["overview".as_ref(), "--settings".as_ref(), good.as_os_str(), demo.as_os_str()]);
    assert!(
        o["findings"].as_u64().unwrap()
            < report(&demo)["findings"].as_array().unwrap().len() as u64
    );
}
