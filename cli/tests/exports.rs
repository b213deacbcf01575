//! `sessionhunt report` (the HTML case report) and `sessionhunt timesketch` as a user runs them.

mod common;

use std::collections::BTreeSet;

use common::{demo_dir, report, run, users_at_least};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The demo tenant with an attacker's inbox rule renamed to hostile markup.
const HOSTILE_RULE: &str = "</style><script>alert(1)</script><img src=x onerror=alert(2)>";

fn hostile_demo() -> tempfile::TempDir {
    let dir = demo_dir();
    let audit = std::fs::read_dir(dir.path().join("demo"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("AuditLog"))
        .unwrap();
    let text = std::fs::read_to_string(&audit).unwrap();
    // The demo's attacker rule is named ".." (a UAL CSV cell holding JSON: quotes doubled).
    let from = "{\"\"Name\"\":\"\"Name\"\",\"\"Value\"\":\"\"..\"\"}";
    assert!(text.contains(from), "the demo's rule name moved");
    let to = format!("{{\"\"Name\"\":\"\"Name\"\",\"\"Value\"\":\"\"{HOSTILE_RULE}\"\"}}");
    std::fs::write(&audit, text.replace(from, &to)).unwrap();
    dir
}

#[test]
fn the_case_report_is_self_contained_and_hostile_text_stays_inert() {
    let dir = hostile_demo();
    let demo = dir.path().join("demo");
    let out = dir.path().join("case.html");
    run(&["report".as_ref(), "-o".as_ref(), out.as_os_str(), demo.as_os_str()]);
    let page = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        run(&["report".as_ref(), demo.as_os_str()]),
        page,
        "stdout and -o give the same bytes"
    );

    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img"), "markup from the logs");
    assert_eq!(lower.matches("</style>").count(), 1, "only the report's own style element closes");
    assert!(!lower.contains("http://") && !lower.contains("https://"), "an external URL");
    assert!(!lower.contains("src=\"") && !lower.contains("url("), "an external resource");
    // The hostile rule name is listed among the indicators, as text.
    assert!(page.contains("<li>&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</li>"));

    // Every input with its SHA-256.
    for entry in std::fs::read_dir(&demo).unwrap() {
        let path = entry.unwrap().path();
        let hash: String = Sha256::digest(std::fs::read(&path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = format!("demo/{}", path.file_name().unwrap().to_string_lossy());
        let row = page
            .lines()
            .find(|l| l.contains(&format!(">{name}<")))
            .unwrap_or_else(|| panic!("{name} not listed"));
        assert!(row.contains(&hash), "{name}: {row}");
    }
    // Every affected user has a section with a timeline, and the version is named.
    let report = report(&demo);
    for user in users_at_least(&report, "high") {
        assert!(page.contains(&format!("<h2>{user}</h2>")), "{user}");
    }
    assert!(page.matches("<svg viewBox").count() >= 2);
    assert!(page.contains(&format!("sessionhunt {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn timesketch_lines_are_the_affected_users_events_with_their_findings() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let text = run(&["timesketch".as_ref(), demo.as_os_str()]);
    let report = report(&demo);
    let users: BTreeSet<String> = users_at_least(&report, "high").into_iter().collect();
    let high: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let mut seen_users = BTreeSet::new();
    let mut cited = BTreeSet::new();
    let mut last = String::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in ["message", "datetime", "timestamp_desc"] {
            assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {line}");
        }
        let time = v["datetime"].as_str().unwrap().to_owned();
        assert!(time >= last, "time order");
        last = time;
        assert!(v["timestamp"].as_i64().unwrap() > 0);
        seen_users.insert(v["user"].as_str().unwrap().to_owned());
        for id in v["finding_ids"].as_array().unwrap() {
            assert!(high.contains(id.as_str().unwrap()), "{id} is not a covered finding");
            cited.insert(id.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen_users, users, "exactly the affected users");
    assert_eq!(cited.len(), high.len(), "every covered finding cites its events");
    // --min-severity critical covers fewer users.
    let fewer = run(&[
        "timesketch".as_ref(),
        "--min-severity".as_ref(),
        "critical".as_ref(),
        demo.as_os_str(),
    ]);
    assert!(fewer.lines().count() < text.lines().count());
}
