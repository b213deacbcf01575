//! `ip-prevalence`: how many users an IP serves.
//!
//! ## What it detects
//! For each IP behind a suspicious sign-in, the number of distinct users seen from it: across all
//! loaded data by default (docs/detection.md §4), or among the `token-from-unfamiliar-network`
//! candidates from that IP (H1 enrichment 1, `ip_prevalence_scope = "candidates"`). One user is
//! "single-user (investigate)" and raises the finding; up to `low_volume_max_users` (3) is
//! "low-volume (suspicious)"; more is "multi-user (likely infrastructure)" and lowers it.
//! Findings (not H1's rows) know a fourth class: an IP serving two or more users' candidates
//! within `campaign_max_span_hours` (72), in no user's interactive baseline and in an ASN none of
//! those users signs in from, is "campaign-shaped": a corroboration on the ladder, however many
//! users it serves, so a campaign ranks higher as it grows instead of passing for infrastructure.
//!
//! ## Why it matters
//! An attacker's replay box serves only its victims; corporate egress, VPN gateways and carrier
//! NAT serve many users. H1's guidance: IPs serving 10+ users are infrastructure to allowlist.
//!
//! ## False positives
//! A small office or a home shared by two colleagues looks low-volume. Colleagues who all go
//! through a new network within three days without ever signing in there interactively (a
//! conference's Wi-Fi, a carrier NAT pool their phones alone use) look campaign-shaped: the
//! own-origin guard (the users' own carrier or device) keeps most of them out.
//!
//! ## Example
//! 203.0.113.7 appears only in Alice's sign-ins: single-user, +10 points. 192.0.2.1 (the office
//! proxy) appears for 240 users: multi-user, −20 points.

use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::detect::{HashMap, HashSet};
use std::net::IpAddr;

use super::token_from_unfamiliar_network::Candidate;
use crate::detect::baseline::Baselines;
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
    /// Two or more users within `campaign_max_span_hours`, none of whom signs in interactively
    /// from the IP or from its ASN: a campaign's origin, not shared infrastructure (findings
    /// only; H1 knows the three classes above).
    Campaign(u32),
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
            Prevalence::Campaign(_) => {
                "campaign-shaped (several users in a short span, none of them at home there)"
            }
        }
    }

    /// Points from the settings' weights.
    pub(crate) fn points(self, settings: &Settings) -> i64 {
        match self {
            Prevalence::Single => settings.weights.ip_prevalence_single_user,
            Prevalence::LowVolume(_) => settings.weights.ip_prevalence_low_volume,
            Prevalence::Shared(_) => settings.weights.ip_prevalence_shared,
            Prevalence::Campaign(_) => settings.weights.ip_prevalence_campaign,
        }
    }
}

/// The candidates' IPs shaped like a campaign's origin: used by at least `campaign_min_users`
/// users within `campaign_max_span_hours`, in no user's interactive baseline (address or
/// prefix), and in an ASN none of those users has in theirs. Shared infrastructure (the
/// tenant's egress, a carrier's NAT) is used by many users over many days, and they sign in
/// interactively from it (docs/detection.md §5).
pub(crate) fn campaign_ips(
    ctx: &Ctx<'_>,
    baselines: &Baselines,
    candidates: &[Candidate],
) -> HashSet<IpAddr> {
    struct Use {
        users: HashSet<Sym>,
        first: i64,
        last: i64,
        asn: u32,
    }
    let mut uses: HashMap<IpAddr, Use> = HashMap::default();
    for c in candidates {
        let e = ctx.ev(c.pos);
        let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) else { continue };
        let u = uses.entry(ip).or_insert_with(|| Use {
            users: HashSet::default(),
            first: e.time,
            last: e.time,
            asn: ctx.asn(e),
        });
        u.users.insert(e.user);
        u.first = u.first.min(e.time);
        u.last = u.last.max(e.time);
    }
    let min_users = ctx.settings.campaign_min_users.max(2) as usize;
    let span = i64::from(ctx.settings.campaign_max_span_hours) * crate::detect::context::HOUR;
    let mut out = HashSet::default();
    // Every address and prefix any user signs in interactively from, made once when needed.
    let mut known: Option<HashSet<ipnet::IpNet>> = None;
    // In no order that reaches output: the result is a set that is only looked up.
    #[allow(clippy::iter_over_hash_type)]
    for (ip, u) in &uses {
        if u.users.len() < min_users || u.last - u.first > span {
            continue;
        }
        let known = known.get_or_insert_with(|| {
            let mut k = HashSet::default();
            #[allow(clippy::iter_over_hash_type)]
            for b in baselines.users.values() {
                k.extend(b.prefix_counts.keys().copied());
                k.extend(b.ip_counts.keys().map(|&ip| ipnet::IpNet::from(ip)));
            }
            k
        });
        let at_home = u.users.iter().any(|user| {
            baselines
                .get(*user)
                .is_some_and(|b| b.knows_ip(ctx, *ip) || (u.asn != 0 && b.asns.contains(&u.asn)))
        });
        let anyone_interactive =
            known.contains(&ipnet::IpNet::from(*ip)) || known.contains(&ctx.prefix(*ip));
        if !at_home && !anyone_interactive {
            out.insert(*ip);
        }
    }
    out
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

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: Some(facts) };

/// The finding's fact: the least-shared IP among its unfamiliar anchors (else among all).
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let pool: &[crate::detect::context::Pos] =
        if g.unfamiliar.is_empty() { &g.active } else { &g.unfamiliar };
    let Some(&p) = pool
        .iter()
        .filter(|p| g.judged[p].prevalence.is_some())
        .min_by_key(|p| (g.judged[p].users, **p))
    else {
        return Vec::new();
    };
    let j = &g.judged[&p];
    let (Some(class), Some(ip)) = (j.prevalence, ctx.ds.ip(ctx.ev(p))) else { return Vec::new() };
    let scope = match ctx.settings.ip_prevalence_scope {
        PrevalenceScope::AllData => "in all loaded data",
        PrevalenceScope::Candidates => "among the unfamiliar-network candidates",
    };
    vec![Contribution::new(
        ID,
        class.points(ctx.settings),
        format!("{ip} is {}: {} user(s) {scope}.", class.label(), j.users),
    )]
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

    #[test]
    fn true_positive_facts_single_user_ip_reaches_the_report() {
        let mut b = crate::sim::builder::Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].points, f[0].detail.as_str()),
            (10, "203.0.113.7 is single-user (investigate): 1 user(s) in all loaded data.")
        );
    }
}
