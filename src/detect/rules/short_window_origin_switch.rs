//! `short-window-origin-switch`: an interactive sign-in, then within minutes a token use from
//! another network.
//!
//! ## What it detects
//! Reference hunt H2: a successful interactive sign-in, then within `short_window_minutes` (10)
//! a successful non-interactive sign-in of the same (lower-cased) user whose time lies in
//! [interactive, interactive + 10 min], with both ASNs present, the ASNs different **and** the IPs
//! different. Both sign-ins must be in the detection window (H2's time range).
//!
//! ## Why it matters
//! In an AiTM attack the victim's interactive sign-in (through the proxy) is followed within
//! minutes by the attacker refreshing the stolen token from their own network.
//!
//! ## False positives
//! H2 names them: VPN connect/disconnect, roaming between networks, mobile background refresh,
//! several devices (phone on the carrier, laptop on Wi-Fi), corporate egress changing ASN per
//! service. The familiar-network guard and the zero-delay Microsoft guard weaken such pairs; alone,
//! this rule never makes a finding more than low.
//!
//! ## Example
//! Interactive sign-in from 198.51.100.20 (AS7922) at 09:00:00, non-interactive from 203.0.113.7
//! (AS14061) at 09:03:10: a pair with a delta of 190 s.

use crate::detect::context::duration_label;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::enrich;
use crate::model::EventKind;
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "short-window-origin-switch";

/// One H2 result row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The interactive sign-in.
    pub interactive: Pos,
    /// The non-interactive sign-in.
    pub non_interactive: Pos,
}

/// H2's pairs, ordered by interactive then non-interactive position.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<Pair> {
    let window = i64::from(ctx.settings.short_window_minutes) * 60_000;
    let mut out = Vec::new();
    for &user in ctx.users() {
        let positions = ctx.user_positions(user);
        let ok = |p: Pos, kind: EventKind| {
            let e = ctx.ev(p);
            e.kind == kind && e.is_success() && ctx.in_detection(e.time)
        };
        let nis: Vec<Pos> =
            positions.iter().copied().filter(|&p| ok(p, EventKind::NonInteractive)).collect();
        for &i in positions.iter().filter(|&&p| ok(p, EventKind::Interactive)) {
            let ie = ctx.ev(i);
            if ctx.ds.place(ie).asn == 0 {
                continue;
            }
            let lo = nis.partition_point(|&p| ctx.ev(p).time < ie.time);
            for &n in nis[lo..].iter().take_while(|&&p| ctx.ev(p).time <= ie.time + window) {
                let ne = ctx.ev(n);
                if ctx.ds.place(ne).asn != 0
                    && ctx.ds.place(ne).asn != ctx.ds.place(ie).asn
                    && ctx.ds.ip(ne) != ctx.ds.ip(ie)
                {
                    out.push(Pair { interactive: i, non_interactive: n });
                }
            }
        }
    }
    out.sort_by_key(|p| (p.interactive, p.non_interactive));
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Origin, facts: Some(facts) };

/// The finding's fact: its first H2 pair.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let Some(&p) = g.active.iter().find(|p| g.anchors[p].pair_with.is_some()) else {
        return Vec::new();
    };
    let i = g.anchors[&p].pair_with.unwrap_or(p);
    let (ie, ne) = (ctx.ev(i), ctx.ev(p));
    let own = g.judged[&p].own.clone();
    let mut c = Contribution::new(
        ID,
        ctx.settings.weights.short_window_origin_switch,
        format!(
            "Interactive sign-in from {} at {}, then {} later a non-interactive sign-in from {}: \
             another IP and another ASN within {} minutes (H2){}.",
            ctx.origin_label(ie),
            rfc3339(ie.time),
            duration_label(ne.time - ie.time),
            ctx.origin_label(ne),
            ctx.settings.short_window_minutes,
            match &own {
                Some(why) => format!("; but {why}"),
                None => String::new(),
            }
        ),
    )
    .referencing(i);
    if own.is_some() {
        c = c.guard(format!(
            "guard: {} is the user's own origin, which weakened short-window-origin-switch",
            enrich::asn_label(ctx.ds.place(ne).asn)
        ));
    }
    vec![c]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn pairs(b: &Builder) -> usize {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        run(&ctx).len()
    }

    #[test]
    fn true_positive_switch_within_ten_minutes() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:10Z", "203.0.113.7", 14061);
        b.ni("alice@x.test", "2026-03-01T09:10:00Z", "203.0.113.8", 14061);
        assert_eq!(pairs(&b), 2, "the window's end is inclusive");
    }

    #[test]
    fn benign_lookalike_same_asn_or_unknown_asn_or_late() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:01:00Z", "198.51.100.77", 7922); // same ASN
        b.ni("alice@x.test", "2026-03-01T09:02:00Z", "203.0.113.7", 0); // ASN unknown
        b.ni("alice@x.test", "2026-03-01T09:10:01Z", "203.0.113.8", 14061); // 1 s too late
        b.ni("alice@x.test", "2026-03-01T08:59:59Z", "203.0.113.9", 14061); // before
        b.ni("bob@x.test", "2026-03-01T09:01:00Z", "203.0.113.10", 14061); // other user
        assert_eq!(pairs(&b), 0);
    }

    #[test]
    fn true_positive_facts_h2_pair_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.i("alice@x.test", "2026-03-08T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-08T09:05:00Z", "203.0.113.7", 7018);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 25);
        assert!(
            f[0].detail.contains("5 min later a non-interactive sign-in from 203.0.113.7"),
            "{f:?}"
        );
    }
}
