//! End-to-end checks of the detection engine on hand-built events: the ladder's rungs, grouping,
//! suppressions and the report contract fields a finding must fill.

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::builder::Builder;
use sessionhunt::{Report, Settings, Severity, analyze};

const ALICE: &str = "alice@contoso.test";

/// Alice works from home (Comcast) on three days, with one session per day.
fn alice_history(b: &mut Builder) {
    for d in 1..=3 {
        let r = b.i(ALICE, &format!("2026-03-0{d}T08:00:00Z"), "198.51.100.20", 7922);
        r.session_id = format!("home-{d}");
        r.device_id = "laptop-1".into();
        let r = b.ni(ALICE, &format!("2026-03-0{d}T09:00:00Z"), "198.51.100.20", 7922);
        r.session_id = format!("home-{d}");
        r.device_id = "laptop-1".into();
    }
}

fn report(b: &Builder, settings: &Settings) -> Report {
    let ds: Dataset = b.dataset();
    analyze(&ds, settings)
}

#[test]
fn replay_chained_to_an_inbox_rule_is_critical_and_explained() {
    let mut b = Builder::new();
    alice_history(&mut b);
    let r = b.i(ALICE, "2026-03-04T08:00:00Z", "198.51.100.20", 7922);
    r.session_id = "s-phished".into();
    let r = b.ni(ALICE, "2026-03-04T08:03:00Z", "203.0.113.7", 14061);
    r.session_id = "s-phished".into();
    r.country = "NL".into();
    let a = b.audit(ALICE, "2026-03-04T08:15:00Z", "203.0.113.7:51234", "New-InboxRule");
    a.parameters = vec![("Name".into(), ".".into()), ("MoveToFolder".into(), "RSS Feeds".into())];
    let rep = report(&b, &Settings::default());
    assert_eq!(rep.findings.len(), 1, "{:#?}", rep.findings);
    let f = &rep.findings[0];
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.user, ALICE);
    assert_eq!(f.ips, vec!["203.0.113.7"]);
    assert_eq!(f.asns, vec![14061]);
    assert_eq!(f.countries, vec!["NL"]);
    assert_eq!(f.session_ids, vec!["s-phished"]);
    for rule in [
        "token-from-unfamiliar-network",
        "ip-prevalence",
        "no-nearby-interactive",
        "short-window-origin-switch",
        "session-origin-split",
        "hosting-network",
        "new-country",
        "post-compromise-activity",
    ] {
        assert!(f.rules.iter().any(|r| r == rule), "{rule} missing from {:?}", f.rules);
    }
    assert_eq!(f.score, f.facts.iter().map(|x| x.points).sum::<i64>());
    assert_eq!(f.related_audit.len(), 1);
    assert_eq!(f.related_audit[0].linked_by, "ip");
    assert_eq!(f.remediation.status, "none");
    assert!(f.id.starts_with("F-") && f.id.len() == 10, "{}", f.id);
    assert!(f.severity_reason.starts_with("Critical"), "{}", f.severity_reason);
    let text = f.explanation.join(" ");
    assert!(text.contains("203.0.113.7 (AS14061 DigitalOcean, NL)"), "{text}");
    assert!(text.contains("New-InboxRule"), "{text}");
    assert_eq!(f.baseline.asns, vec![7922]);
    assert!(f.events.iter().any(|e| e.kind == "audit"));
}

#[test]
fn replay_from_hosting_without_audit_is_high_then_remediated() {
    let mut b = Builder::new();
    alice_history(&mut b);
    b.ni(ALICE, "2026-03-04T12:00:00Z", "203.0.113.7", 14061);
    let a = b.audit(
        "admin@contoso.test",
        "2026-03-04T13:00:00Z",
        "",
        "Update StsRefreshTokenValidFrom Timestamp.",
    );
    a.target_user = ALICE.into();
    let rep = report(&b, &Settings::default());
    let f = &rep.findings[0];
    assert_eq!(f.severity, Severity::High, "{}", f.severity_reason);
    assert_eq!(f.remediation.status, "sessions-revoked");
    assert_eq!(f.remediation.time, "2026-03-04T13:00:00Z");
}

/// The AiTM kit signs Alice in from its VPS, then the stolen session is replayed through a
/// residential proxy in her own country: the replay's network is not hosting, but the session it
/// belongs to was signed in from one, which is the "hosting ASN" of the high rung.
fn residential_replay(b: &mut Builder, session_of_replay: &str) {
    alice_history(b);
    let r = b.i(ALICE, "2026-03-04T08:00:00Z", "203.0.113.7", 16276);
    r.session_id = "s-kit".into();
    r.app_id = "4765445b-32c6-49b0-83e6-1d93765276ca".into();
    r.app_name = "OfficeHome".into();
    for m in ["05", "40"] {
        let r = b.ni(ALICE, &format!("2026-03-04T08:{m}:00Z"), "192.0.2.77", 20115);
        r.session_id = session_of_replay.into();
    }
}

#[test]
fn residential_replay_of_a_session_signed_in_from_hosting_is_high() {
    let mut b = Builder::new();
    residential_replay(&mut b, "s-kit");
    let rep = report(&b, &Settings::default());
    assert_eq!(rep.findings.len(), 1, "{:#?}", rep.findings);
    let f = &rep.findings[0];
    assert_eq!(f.severity, Severity::High, "{}", f.severity_reason);
    assert!(
        f.severity_reason.contains("a hosting ASN in the same session")
            && f.severity_reason.contains("AS16276"),
        "{}",
        f.severity_reason
    );
    assert!(f.ips.iter().any(|ip| ip == "192.0.2.77"), "{:?}", f.ips);
    assert!(f.rules.iter().any(|r| r == "aitm-kit-fingerprint"), "{:?}", f.rules);
}

#[test]
fn residential_replay_in_another_session_stays_medium() {
    // The same replay, but its session is not the one signed in from the hosting network: only
    // "unfamiliar + single-user IP + no nearby interactive" holds for it, which is medium.
    let mut b = Builder::new();
    residential_replay(&mut b, "s-elsewhere");
    let rep = report(&b, &Settings::default());
    let replay = rep
        .findings
        .iter()
        .find(|f| f.ips.iter().any(|ip| ip == "192.0.2.77"))
        .expect("a finding for the replay");
    assert_eq!(replay.severity, Severity::Medium, "{}", replay.severity_reason);
}

#[test]
fn new_home_isp_is_low_and_allowlisted_network_is_info() {
    let mut b = Builder::new();
    alice_history(&mut b);
    // Alice moved: she signs in interactively from the new ISP, and refreshes come from it.
    b.i(ALICE, "2026-03-04T08:00:00Z", "192.0.2.10", 20115);
    b.ni(ALICE, "2026-03-04T09:00:00Z", "192.0.2.200", 20115);
    b.ni(ALICE, "2026-03-04T10:00:00Z", "192.0.2.10", 20115);
    let rep = report(&b, &Settings::default());
    assert!(rep.findings.iter().all(|f| f.severity <= Severity::Low), "{:#?}", rep.findings);

    let mut b = Builder::new();
    alice_history(&mut b);
    b.ni(ALICE, "2026-03-04T12:00:00Z", "203.0.113.7", 14061);
    let mut s = Settings::default();
    s.allow.cidrs = vec!["203.0.113.0/24".into()];
    let rep = report(&b, &s);
    assert_eq!(rep.findings.len(), 1);
    let f = &rep.findings[0];
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.suppressions[0].contains("suppressed by allowlist cidr:203.0.113.0/24"),
        "{:?}",
        f.suppressions
    );
}

#[test]
fn zero_delay_microsoft_refresh_is_ignored_and_counted() {
    let mut b = Builder::new();
    alice_history(&mut b);
    b.ni(ALICE, "2026-03-04T09:00:00Z", "198.51.100.20", 7922);
    b.ni(ALICE, "2026-03-04T09:00:01Z", "20.190.128.5", 8075);
    let rep = report(&b, &Settings::default());
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
    assert!(
        rep.coverage.warnings.iter().any(|w| w.contains("Zero-delay Microsoft refresh guard: 1"))
    );
}

#[test]
fn thin_data_says_so() {
    let mut b = Builder::new();
    b.i(ALICE, "2026-03-01T08:00:00Z", "198.51.100.20", 7922);
    b.ni(ALICE, "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
    b.ni("bob@contoso.test", "2026-03-01T09:00:00Z", "198.51.100.21", 7922);
    let rep = report(&b, &Settings::default());
    let w = rep.coverage.warnings.join("\n");
    assert!(w.contains("spans only 1 h"), "{w}");
    assert!(
        w.contains("no successful interactive sign-in in the baseline window")
            && w.contains("bob@contoso.test"),
        "{w}"
    );
    assert!(
        w.contains("fewer than 3 successful interactive sign-ins")
            && w.contains("alice@contoso.test (1)"),
        "{w}"
    );
    assert!(w.contains("No audit events loaded"), "{w}");
}
