//! `sessionhunt kql`: every generated query checked by Microsoft's Kusto language service (npm
//! `@kusto/language-service-next`, in tests/tools) against the tables' schemas
//! (tests/tools/kql-schema.json): zero syntax or semantic errors.

mod common;

use common::{demo_dir, node, run, users_at_least};

fn check(text: &str) -> usize {
    let (ok, result) = node("kql-check.cjs", text);
    assert!(ok && result["errors"].as_array().unwrap().is_empty(), "{result:#}");
    result["queries"].as_u64().unwrap() as usize
}

fn queries(text: &str) -> Vec<&str> {
    text.trim_end().split("\n//---\n").collect()
}

#[test]
fn the_queries_with_default_settings_check_clean_and_say_what_they_hunt() {
    let text = run(&["kql".as_ref()]);
    assert!(text.lines().filter(|l| *l == "//---").count() >= 10);
    let qs = queries(&text);
    assert_eq!(check(&text), qs.len());
    for q in &qs {
        let head: Vec<&str> = q.lines().take_while(|l| l.starts_with("//")).collect();
        assert!(head.len() >= 3, "a query without its comment header:\n{q}");
        assert!(head.iter().any(|l| l.starts_with("// Settings: ")), "{q}");
    }
    for needle in [
        "reference hunt H1",
        "reference hunt H2",
        "rule token-from-unfamiliar-network",
        "rule short-window-origin-switch",
        "rule session-origin-split",
        "rule hosting-network",
        "rule post-compromise-activity over OfficeActivity",
        "rule post-compromise-activity over CloudAppEvents",
        "rule post-compromise-activity over AuditLogs",
        "attacker-typical inbox rules and forwarding over OfficeActivity",
    ] {
        assert_eq!(
            qs.iter().filter(|q| q.lines().next().unwrap().contains(needle)).count(),
            1,
            "{needle}"
        );
    }
}

#[test]
fn settings_and_the_data_reach_the_queries_and_still_check_clean() {
    let dir = demo_dir();
    let settings = dir.path().join("settings.toml");
    std::fs::write(
        &settings,
        "detection_days = 7\nbaseline_days = 30\nshort_window_minutes = 12\npost_compromise_minutes = 45\n\
         hosting_asns = [64500]\n[allow]\nips = [\"198.51.100.7\", \"2001:db8::1\", \"bad\"]\n\
         cidrs = [\"10.0.0.0/8\", \"2001:db8::/32\"]\nasns = [8075]\n\
         users = [\"svc\\\"\\\\x\\n@contoso.example\"]\napps = [\"Nasty \\\" app\"]\n",
    )
    .unwrap();
    let demo = dir.path().join("demo");
    let text =
        run(&["kql".as_ref(), "--settings".as_ref(), settings.as_os_str(), demo.as_os_str()]);
    let qs = queries(&text);
    assert_eq!(check(&text), qs.len());
    assert!(text.contains("let detection_start = end_time - 7d;"));
    assert!(text.contains("let window = 12m;"));
    assert!(text.contains("let post_window = 45m;"));
    assert!(
        text.contains("let allow_users = dynamic([\"svc\\\"\\\\x\\n@contoso.example\"]);"),
        "escaped"
    );
    assert!(text.contains("Ignored (not an IP or CIDR): allow.ips entry \"bad\""));
    // The indicator sweep: every IP of the high and critical findings, and no other.
    let last = qs.last().unwrap();
    assert!(last.lines().next().unwrap().contains("indicators of the findings"), "{last}");
    // The findings of the same settings.
    let report: serde_json::Value = serde_json::from_str(&run(&[
        "analyze".as_ref(),
        "--settings".as_ref(),
        settings.as_os_str(),
        demo.as_os_str(),
    ]))
    .unwrap();
    let mut ips: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .flat_map(|f| f["ips"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()))
        .collect();
    ips.sort();
    ips.dedup();
    assert!(!ips.is_empty());
    let line = last.lines().find(|l| l.starts_with("let ioc_ips = ")).unwrap();
    let listed: Vec<String> = serde_json::from_str::<Vec<String>>(
        line.trim_start_matches("let ioc_ips = dynamic(").trim_end_matches(");"),
    )
    .unwrap();
    assert_eq!(listed, ips);
    assert!(!users_at_least(&report, "high").is_empty());
}
