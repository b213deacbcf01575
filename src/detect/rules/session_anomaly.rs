//! `session-anomaly`: a session unlike the user's other sessions.
//!
//! ## What it detects
//! For every session: distinct IPs, ASNs, countries, browsers, operating systems, user agents,
//! device ids and apps, and its event count. Each feature is compared with the user's *other*
//! sessions as a z-score (mean and standard deviation of the others, the deviation floored at
//! 0.5); the weighted sum of the positive z-scores (`session_anomaly_weights`) at or above
//! `session_anomaly_threshold` marks the session. Users need `session_anomaly_min_sessions` other
//! sessions to be compared. Blumira's session-token anomaly approach.
//!
//! ## Why it matters
//! A hijacked session suddenly spans two networks, two user agents and apps the victim never
//! opens (Graph, Exchange) — each small, together unusual for that user.
//!
//! ## False positives
//! Users whose sessions are all alike get tiny deviations, so one roaming day stands out. It only
//! adds points to a finding; it never makes one on its own.
//!
//! ## Example
//! Alice's sessions have 1 IP and 1 ASN; session `a1b2…` has 3 IPs in 2 ASNs and 2 user agents:
//! score 14.0 (ASNs z=4.0, IPs z=3.0 …) ≥ 12.

use crate::detect::HashMap;
use crate::detect::context::short_id;
use crate::detect::rule::{Contribution, Evidence, Group, Rule};

use crate::detect::baseline::{Baselines, FEATURES};
use crate::detect::context::Ctx;
use crate::model::{Id, Sym};

/// Rule id.
pub(crate) const ID: &str = "session-anomaly";

/// An anomalous session.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Anomaly {
    /// Weighted z-score sum.
    pub score: f64,
    /// The top contributions, e.g. `ASNs 2 vs usual 1.0 (z=4.0)`.
    pub detail: String,
}

/// Anomalous sessions, keyed by (user, session id).
pub(crate) fn run(ctx: &Ctx<'_>, baselines: &Baselines) -> HashMap<(Sym, Id), Anomaly> {
    let w = &ctx.settings.session_anomaly_weights;
    let weights = [
        w.ips,
        w.asns,
        w.countries,
        w.browsers,
        w.operating_systems,
        w.user_agents,
        w.devices,
        w.apps,
        w.events,
    ];
    let mut out = HashMap::default();
    for &user in ctx.users() {
        let Some(sessions) = baselines.sessions.get(&user) else { continue };
        let k = sessions.len();
        if k < ctx.settings.session_anomaly_min_sessions as usize + 1 {
            continue;
        }
        let feats: Vec<[f64; 9]> = sessions.iter().map(|s| s.features()).collect();
        let mut sum = [0.0f64; 9];
        let mut sq = [0.0f64; 9];
        for f in &feats {
            for j in 0..9 {
                sum[j] += f[j];
                sq[j] += f[j] * f[j];
            }
        }
        let n = (k - 1) as f64;
        for (s, f) in sessions.iter().zip(&feats) {
            let mut parts: Vec<(f64, usize, f64, f64)> = Vec::new();
            let mut score = 0.0;
            for j in 0..9 {
                let mean = (sum[j] - f[j]) / n;
                let var = ((sq[j] - f[j] * f[j]) / n - mean * mean).max(0.0);
                let z = (f[j] - mean) / var.sqrt().max(0.5);
                if z > 0.0 {
                    let c = weights[j] * z;
                    score += c;
                    parts.push((c, j, mean, z));
                }
            }
            if score >= ctx.settings.session_anomaly_threshold {
                parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let detail: Vec<String> = parts
                    .iter()
                    .take(3)
                    .map(|&(_, j, mean, z)| {
                        format!("{} {} vs usual {mean:.1} (z={z:.1})", FEATURES[j], f[j])
                    })
                    .collect();
                out.insert((user, s.session), Anomaly { score, detail: detail.join(", ") });
            }
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: Some(facts) };

/// The finding's fact: the first anomalous session among its anchors'.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let Some((sid, an)) = g.active.iter().find_map(|&p| {
        let e = ctx.ev(p);
        g.shared.anomalies.get(&(e.user, e.session_id)).map(|a| (e.session_id, a))
    }) else {
        return Vec::new();
    };
    vec![Contribution::new(
        ID,
        ctx.settings.weights.session_anomaly,
        format!(
            "Session {} is unlike the user's other sessions: {} (score {:.1} ≥ {:.1}).",
            short_id(&ctx.id(sid)),
            an.detail,
            an.score,
            ctx.settings.session_anomaly_threshold
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::with_context;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn normal_sessions(b: &mut Builder, n: u32) {
        for d in 1..=n {
            let r =
                b.i("alice@x.test", &format!("2026-03-{d:02}T09:00:00Z"), "198.51.100.20", 7922);
            r.session_id = format!("s{d}");
            r.user_agent = "Chrome".into();
            let r =
                b.ni("alice@x.test", &format!("2026-03-{d:02}T10:00:00Z"), "198.51.100.20", 7922);
            r.session_id = format!("s{d}");
            r.user_agent = "Chrome".into();
        }
    }

    fn anomalies(b: &Builder) -> Vec<String> {
        with_context(b, &Settings::default(), |ctx, bl| {
            let mut v: Vec<String> = run(ctx, bl).keys().map(|k| ctx.id(k.1).to_string()).collect();
            v.sort();
            v
        })
    }

    #[test]
    fn true_positive_hijacked_session_spans_networks() {
        let mut b = Builder::new();
        normal_sessions(&mut b, 8);
        for (ip, asn, ua) in [
            ("203.0.113.7", 14061, "axios/1.6"),
            ("203.0.113.8", 14061, "axios/1.6"),
            ("192.0.2.9", 24940, "python"),
        ] {
            let r = b.ni("alice@x.test", "2026-03-08T11:00:00Z", ip, asn);
            r.session_id = "s8".into();
            r.user_agent = ua.into();
        }
        assert_eq!(anomalies(&b), vec!["s8".to_owned()]);
    }

    #[test]
    fn benign_lookalike_busy_but_ordinary_session() {
        let mut b = Builder::new();
        normal_sessions(&mut b, 8);
        // A long working day: many refreshes, same network, same browser.
        for h in 11..20 {
            let r = b.ni("alice@x.test", &format!("2026-03-08T{h}:00:00Z"), "198.51.100.20", 7922);
            r.session_id = "s8".into();
            r.user_agent = "Chrome".into();
        }
        assert!(anomalies(&b).is_empty());
    }
}
