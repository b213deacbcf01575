//! `token-from-unfamiliar-network`: a token used from a network the user never signed in from.
//!
//! ## What it detects
//! A successful non-interactive sign-in (token refresh) in the detection window from an IP whose
//! address **and** prefix (IPv4 /24, IPv6 /48 by default) are both absent from the user's
//! baseline of successful interactive sign-ins. This is reference hunt H1's core query (with both
//! look-backs configurable): users with no interactive baseline produce no candidate (H1's inner
//! join), and membership is exact set membership, not KQL's term matching of `has`.
//!
//! ## Why it matters
//! A stolen session cookie or refresh token is replayed from the attacker's infrastructure. The
//! replay shows up as non-interactive sign-ins from an IP the victim never typed a password on.
//!
//! ## False positives
//! New home ISP, travel, mobile carrier NAT rotating addresses, VPN pools, Microsoft refreshing
//! confidential-client tokens from its own network. The ladder weakens candidates from shared IPs,
//! with a nearby interactive sign-in, or from the user's own origin (own-origin guard,
//! `guards::own_origin`: an ASN the user is at home in, the same carrier or ISP family as one of
//! the baseline's ASNs, the user's own device id, an IPv6 address inside a baseline ASN);
//! zero-delay Microsoft refreshes are ignored. Interactive sign-ins that are themselves suspect
//! stay out of the baseline, so a cookie replay logged as interactive cannot whitelist its IP.
//!
//! ## Example
//! Alice signs in interactively only from 198.51.100.20 (Comcast). A token refresh for her
//! mailbox arrives from 203.0.113.7 (DigitalOcean): neither 203.0.113.7 nor 203.0.113.0/24 is in
//! her baseline, so it is a candidate.

use crate::detect::baseline::Baselines;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, capitalize};
use crate::model::EventKind;
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "token-from-unfamiliar-network";

/// One H1 candidate row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The non-interactive sign-in.
    pub pos: Pos,
    /// Size of the user's baseline IP set (H1 output column).
    pub baseline_ips: u32,
}

/// H1 steps 1 and 2: the candidates, in canonical (time) order.
pub(crate) fn run(ctx: &Ctx<'_>, baselines: &Baselines) -> Vec<Candidate> {
    let mut out = Vec::new();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        if e.kind != EventKind::NonInteractive || !e.is_success() || !ctx.in_detection(e.time) {
            continue;
        }
        let Some(b) = baselines.get(e.user) else { continue };
        let Some(ip) = ctx.ds.ip(e) else { continue };
        if !b.knows_ip(ctx, ip) {
            out.push(Candidate { pos, baseline_ips: b.ips.len() as u32 });
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Origin, facts: Some(facts) };

/// The finding's facts: the first unfamiliar sign-in that is not the user's own origin (else the
/// first), and the own-origin guard when every one of them is the user's.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let w = &ctx.settings.weights;
    let Some(&p) =
        g.unfamiliar.iter().find(|p| g.judged[p].unfamiliar_live).or(g.unfamiliar.first())
    else {
        return Vec::new();
    };
    let e = ctx.ev(p);
    let ip = ctx.ds.ip(e).map(|i| ctx.prefix(i).to_string()).unwrap_or_default();
    let n = g.anchors[&p].unfamiliar.unwrap_or(0);
    let thin = g
        .baselines
        .users
        .get(&g.user)
        .is_some_and(|b| b.interactive < ctx.settings.min_baseline_sign_ins);
    let more = if g.unfamiliar.len() > 1 {
        format!(" {} such sign-ins in all.", g.unfamiliar.len())
    } else {
        String::new()
    };
    let mut out = vec![Contribution::new(
        ID,
        w.token_from_unfamiliar_network,
        format!(
            "{} from {} at {}: neither the address nor its prefix {ip} is among the {n} IPs of the \
             user's successful interactive sign-ins{}.{more}",
            capitalize(&ctx.sign_in_label(e)),
            ctx.origin_label(e),
            rfc3339(e.time),
            if thin { " (thin baseline)" } else { "" },
        ),
    )];
    if g.unfamiliar.iter().all(|p| !g.judged[p].unfamiliar_live) {
        let why = g.judged[&p].own.clone().unwrap_or_default();
        out.push(
            Contribution::new(
                ID,
                w.token_from_unfamiliar_network_own_origin,
                format!(
                    "Own-origin guard: {why}, so the new address is likely the user's own device \
                     or network (carrier NAT, VPN pool, a phone between networks), not a replay."
                ),
            )
            .guard(format!("guard: {why} weakened token-from-unfamiliar-network")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::with_context;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn candidates(b: &Builder, settings: &Settings) -> Vec<(String, String)> {
        with_context(b, settings, |ctx, bl| {
            run(ctx, bl)
                .iter()
                .map(|c| {
                    let e = ctx.ev(c.pos);
                    (
                        ctx.s(e.user).to_owned(),
                        ctx.ds.ip(e).map(|i| i.to_string()).unwrap_or_default(),
                    )
                })
                .collect()
        })
    }

    #[test]
    fn true_positive_refresh_from_new_network() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 14061);
        assert_eq!(
            candidates(&b, &Settings::default()),
            vec![("alice@x.test".into(), "203.0.113.7".into())]
        );
    }

    #[test]
    fn benign_lookalike_same_prefix_and_no_baseline() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        // Same /24 as the baseline: a DHCP renewal, not a new network.
        b.ni("alice@x.test", "2026-03-01T12:00:00Z", "198.51.100.99", 7922);
        // Bob has no interactive baseline: H1's inner join drops him.
        b.ni("bob@x.test", "2026-03-01T12:00:00Z", "203.0.113.7", 14061);
        // A failed refresh is not a candidate (ResultType == 0 only).
        b.ni("alice@x.test", "2026-03-01T13:00:00Z", "203.0.113.8", 14061).error_code = 50140;
        assert!(candidates(&b, &Settings::default()).is_empty());
    }

    #[test]
    fn ipv6_uses_the_configured_prefix() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "2001:db8:1:1::5", 21928);
        b.ni("alice@x.test", "2026-03-01T10:00:00Z", "2001:db8:1:ffff::9", 21928);
        assert!(candidates(&b, &Settings::default()).is_empty(), "same /48");
        let s = Settings { ipv6_prefix: 64, ..Settings::default() };
        assert_eq!(candidates(&b, &s).len(), 1, "different /64");
    }

    #[test]
    fn true_positive_facts_reach_the_report_with_the_own_origin_guard() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 30);
        assert!(f[0].detail.contains("neither the address nor its prefix 203.0.113.0/24"), "{f:?}");
        // Her laptop (its own device id) on a new network: the own-origin guard.
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018).device_id =
            "laptop-1".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.iter().map(|f| f.points).collect::<Vec<_>>(), [30, -25], "{f:?}");
        assert!(
            f[1].detail.starts_with("Own-origin guard: the sign-in carries the user's own device")
        );
    }
}
