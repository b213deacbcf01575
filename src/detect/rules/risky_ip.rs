//! `risky-ip`: Entra ID Protection flagged a sign-in from the IP.
//!
//! ## What it detects
//! Any sign-in from the IP that carries one of the configured risk event types
//! (`riskEventTypes_v2`: anonymizedIPAddress, maliciousIPAddress, suspiciousIPAddress,
//! unfamiliarFeatures, anomalousToken, attackerinTheMiddle, tokenIssuerAnomaly, nationStateIP) or a
//! risk level at or above `risky_min_level` (medium). H1 enrichment 3, widened to the levels and
//! token detections docs/detection.md §4 lists. A successful risky sign-in is itself suspicious.
//!
//! ## Why it matters
//! Microsoft sees signals this tool cannot (IP reputation, token anomalies, its own AiTM
//! detection). A replay IP Entra already distrusts is known-bad infrastructure.
//!
//! ## False positives
//! `unfamiliarFeatures` and low/medium `anomalousToken` are noisy by Microsoft's own account;
//! commercial VPNs are "anonymized". Risk needs Entra ID P2: without it the field is `hidden` and
//! this rule is silent (the portal CSV has no risk columns at all).
//!
//! ## Example
//! A sign-in from 203.0.113.7 carries `anomalousToken` at risk level high: "Entra flagged a
//! sign-in from 203.0.113.7: anomalousToken (risk high)", +20 points.

use crate::detect::HashMap;
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::time::rfc3339;
use std::net::IpAddr;

use crate::detect::context::{Ctx, Pos};
use crate::model::{Event, RiskLevel};
use crate::settings::RiskThreshold;

/// Rule id.
pub(crate) const ID: &str = "risky-ip";

/// Why a single sign-in is risky, if it is.
pub(crate) fn reason(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    if !e.kind.is_user_sign_in() {
        return None;
    }
    let types: Vec<&str> = ctx
        .s(ctx.ds.auth(e).risk_event_types)
        .split(',')
        .map(str::trim)
        .filter(|t| {
            !t.is_empty()
                && ctx.settings.risky_event_types.iter().any(|r| r.eq_ignore_ascii_case(t))
        })
        .collect();
    let min = match ctx.settings.risky_min_level {
        RiskThreshold::Low => Some(RiskLevel::Low),
        RiskThreshold::Medium => Some(RiskLevel::Medium),
        RiskThreshold::High => Some(RiskLevel::High),
        RiskThreshold::Never => None,
    };
    let level_hit = min.is_some_and(|m| ctx.ds.auth(e).risk_level >= m);
    if types.is_empty() && !level_hit {
        return None;
    }
    let level = ctx.ds.auth(e).risk_level.as_str();
    let what = if types.is_empty() { "risk".to_owned() } else { types.join(", ") };
    Some(format!("{what} (risk {level})"))
}

/// Risky IPs: for each, the first risky sign-in from it and why.
pub(crate) fn risky_ips(ctx: &Ctx<'_>) -> HashMap<IpAddr, (Pos, String)> {
    let mut out = HashMap::default();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        if let (Some(ip), Some(why)) = (ctx.ds.ip(e), reason(ctx, e)) {
            out.entry(ip.to_canonical()).or_insert((pos, why));
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule =
    Rule { id: ID, evidence: Evidence::Corroboration, facts: Some(facts) };

/// Entra risk event types that corroborate a token replay (docs/detection.md §5).
pub(crate) const CORROBORATING: [&str; 4] =
    ["attackerinTheMiddle", "anomalousToken", "maliciousIPAddress", "tokenIssuerAnomaly"];
/// Entra risk event types that name token theft itself: at high risk, a finding on their own.
pub(crate) const TOKEN_THEFT: [&str; 2] = ["attackerinTheMiddle", "anomalousToken"];

/// The sign-in's Entra risk event types among `types`, when its risk level is at least `min`.
pub(crate) fn risk_of<'a>(
    ctx: &Ctx<'a>,
    e: &Event,
    types: &[&str],
    min: RiskLevel,
) -> Option<Vec<&'a str>> {
    if !e.kind.is_user_sign_in() || ctx.ds.auth(e).risk_level < min {
        return None;
    }
    let hit: Vec<&str> = ctx
        .s(ctx.ds.auth(e).risk_event_types)
        .split(',')
        .map(str::trim)
        .filter(|t| types.iter().any(|r| r.eq_ignore_ascii_case(t)))
        .collect();
    (!hit.is_empty()).then_some(hit)
}

/// The finding's fact: the first risky sign-in of its own or from one of its IPs.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let risky_of = |p: &Pos| {
        g.anchors[p].risky_self.clone().map(|r| (*p, r)).or_else(|| g.judged[p].risky.cloned())
    };
    let Some((rp, why)) = g.active.iter().find_map(risky_of) else { return Vec::new() };
    let e = ctx.ev(rp);
    vec![
        Contribution::new(
            ID,
            ctx.settings.weights.risky_ip,
            format!(
                "Entra ID Protection flagged a sign-in from {} at {}: {why}.",
                ctx.ds.ip(e).map(|i| i.to_string()).unwrap_or_default(),
                rfc3339(e.time)
            ),
        )
        .referencing(rp),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    #[test]
    fn true_positive_token_anomaly_marks_the_ip() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        let r = b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 14061);
        r.risk_event_types = vec!["anomalousToken".into()];
        r.risk_level = "high".into();
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let ips = risky_ips(&ctx);
        assert_eq!(ips.len(), 1);
        assert_eq!(ips[&"203.0.113.7".parse().unwrap()].1, "anomalousToken (risk high)");
    }

    #[test]
    fn benign_lookalike_low_risk_and_unlisted_types() {
        let mut b = Builder::new();
        let r = b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        r.risk_level = "low".into();
        r.risk_event_types = vec!["leakedCredentials".into()];
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        assert!(risky_ips(&ctx).is_empty());
        let s = Settings { risky_min_level: RiskThreshold::Low, ..Settings::default() };
        let ctx = Ctx::new(&ds, &s);
        assert_eq!(risky_ips(&ctx).len(), 1, "the threshold is a setting");
    }

    #[test]
    fn true_positive_facts_entra_risk_reaches_the_report() {
        let mut b = crate::sim::builder::Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        let s = b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        s.risk_level = "medium".into();
        s.risk_event_types = vec!["anomalousToken".into()];
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 20);
        assert!(f[0].detail.contains("anomalousToken (risk medium)"), "{f:?}");
    }
}
