//! `ip-prevalence`: how many users an IP serves.
//!
//! ## What it detects
//! For each IP behind a suspicious sign-in, the number of distinct users seen from it: across all
//! loaded data by default (docs/detection.md §4), or among the `token-from-unfamiliar-network`
//! candidates from that IP (H1 enrichment 1, `ip_prevalence_scope = "candidates"`). One user is
//! "single-user (investigate)" and raises the finding; up to `low_volume_max_users` (3) is
//! "low-volume (suspicious)"; more is "multi-user (likely infrastructure)" and lowers it.
//!
//! ## Why it matters
//! An attacker's replay box serves only its victims; corporate egress, VPN gateways and carrier
//! NAT serve many users. H1's guidance: IPs serving 10+ users are infrastructure to allowlist.
//!
//! ## False positives
//! A small office or a home shared by two colleagues looks low-volume; one attacker IP replaying
//! many victims looks like infrastructure (the `campaign` rule catches that case instead).
//!
//! ## Example
//! 203.0.113.7 appears only in Alice's sign-ins: single-user, +10 points. 192.0.2.1 (the office
//! proxy) appears for 240 users: multi-user, −20 points.

use crate::detect::{HashMap, HashSet};
use std::net::IpAddr;

use super::token_from_unfamiliar_network::Candidate;
use crate::detect::context::Ctx;
use crate::model::Sym;
use crate::settings::{PrevalenceScope, Settings};

/// Rule id.
pub(crate) const ID: &str = "ip-prevalence";

/// H1's three classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prevalence {
    /// One user.
    Single,
    /// Two to `low_volume_max_users`.
    LowVolume(u32),
    /// More.
    Shared(u32),
}

impl Prevalence {
    /// Classifies a user count.
    pub(crate) fn of(users: u32, settings: &Settings) -> Prevalence {
        if users <= 1 {
            Prevalence::Single
        } else if users <= settings.low_volume_max_users {
            Prevalence::LowVolume(users)
        } else {
            Prevalence::Shared(users)
        }
    }

    /// H1's label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Prevalence::Single => "single-user (investigate)",
            Prevalence::LowVolume(_) => "low-volume (suspicious)",
            Prevalence::Shared(_) => "multi-user (likely infrastructure)",
        }
    }

    /// Points from the settings' weights.
    pub(crate) fn points(self, settings: &Settings) -> i64 {
        match self {
            Prevalence::Single => settings.weights.single_user_ip,
            Prevalence::LowVolume(_) => settings.weights.low_volume_ip,
            Prevalence::Shared(_) => settings.weights.shared_ip,
        }
    }
}

/// Distinct users per IP, in the configured scope.
pub(crate) fn users_per_ip(ctx: &Ctx<'_>, candidates: &[Candidate]) -> HashMap<IpAddr, u32> {
    let mut sets: HashMap<IpAddr, HashSet<Sym>> = HashMap::default();
    match ctx.settings.ip_prevalence_scope {
        PrevalenceScope::AllData => {
            for pos in ctx.positions() {
                let e = ctx.ev(pos);
                if let (Some(ip), false) = (ctx.ds.ip(e), e.user.is_empty()) {
                    sets.entry(ip.to_canonical()).or_default().insert(e.user);
                }
            }
        }
        PrevalenceScope::Candidates => {
            for c in candidates {
                let e = ctx.ev(c.pos);
                if let Some(ip) = ctx.ds.ip(e) {
                    sets.entry(ip.to_canonical()).or_default().insert(e.user);
                }
            }
        }
    }
    sets.into_iter().map(|(ip, users)| (ip, users.len() as u32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::token_from_unfamiliar_network;
    use crate::detect::rules::with_context;
    use crate::sim::builder::Builder;

    fn prevalence(b: &Builder, settings: &Settings, ip: &str) -> Prevalence {
        let n = with_context(b, settings, |ctx, bl| {
            let c = token_from_unfamiliar_network::run(ctx, bl);
            users_per_ip(ctx, &c).get(&ip.parse().unwrap()).copied().unwrap_or(0)
        });
        Prevalence::of(n, settings)
    }

    #[test]
    fn true_positive_single_user_replay_ip() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 14061);
        assert_eq!(prevalence(&b, &Settings::default(), "203.0.113.7"), Prevalence::Single);
    }

    #[test]
    fn benign_lookalike_shared_egress() {
        let mut b = Builder::new();
        for u in ["a", "b", "c", "d", "e"] {
            let user = format!("{u}@x.test");
            b.i(&user, "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
            b.ni(&user, "2026-03-01T10:00:00Z", "192.0.2.1", 3320);
        }
        let s = Settings::default();
        assert_eq!(prevalence(&b, &s, "192.0.2.1"), Prevalence::Shared(5));
        assert_eq!(Prevalence::Shared(5).label(), "multi-user (likely infrastructure)");
        assert!(Prevalence::Shared(5).points(&s) < 0);
        assert_eq!(Prevalence::of(3, &s), Prevalence::LowVolume(3));
    }

    #[test]
    fn candidate_scope_counts_only_candidates() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 14061);
        // Bob uses 203.0.113.7 interactively: not a candidate, but a user of the IP.
        b.i("bob@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        let all = Settings::default();
        let h1 = Settings { ip_prevalence_scope: PrevalenceScope::Candidates, ..all.clone() };
        assert_eq!(prevalence(&b, &all, "203.0.113.7"), Prevalence::LowVolume(2));
        assert_eq!(prevalence(&b, &h1, "203.0.113.7"), Prevalence::Single);
    }
}
