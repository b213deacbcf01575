//! `session-origin-split`: one session used from two networks.
//!
//! ## What it detects
//! A session id (the `sid` claim, preserved across token refreshes) whose later successful
//! sign-ins come from another ASN (or, when an ASN is missing, another country) than the session's
//! first successful interactive sign-in (its first sign-in when the interactive one predates the
//! export, as with an old session stolen by an infostealer). Only sign-ins in the detection window
//! count. IP changes inside one ASN are ignored, and so are zero-delay Microsoft refreshes and
//! moves into an ASN the user is at home in (familiar-network guard).
//!
//! ## Why it matters
//! A session is one logon on one device; it changes only when the user re-enters credentials.
//! When the same session suddenly refreshes from another network, the cookie or refresh token
//! left the device: the Defender cookie-theft playbook's core check.
//!
//! ## False positives
//! A laptop moving between home, office and VPN keeps its session; split tunnels send some
//! traffic through another ASN. Moves into the user's own networks are guarded; a first-time VPN
//! on a new provider still fires.
//!
//! ## Example
//! Session `a1b2…` begins with an interactive MFA sign-in from 198.51.100.20 (AS7922, US); three
//! hours later it refreshes from 203.0.113.7 (AS14061 DigitalOcean, NL).

use crate::detect::baseline::Baselines;
use crate::detect::context::{Ctx, Pos};
use crate::detect::context::{duration_label, short_id};
use crate::detect::guards;
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::model::EventKind;
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "session-origin-split";

/// A later use of a session from another origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// The later sign-in.
    pub pos: Pos,
    /// The session's origin sign-in.
    pub origin: Pos,
    /// The origin is an interactive sign-in (false: the session's first sign-in in the data).
    pub origin_interactive: bool,
    /// The later ASN is a hosting network.
    pub hosting: bool,
}

/// Splits, plus the number of later sign-ins each guard ignored.
#[derive(Debug, Default)]
pub(crate) struct Splits {
    pub splits: Vec<Split>,
    pub microsoft_guarded: u32,
    pub familiar_guarded: u32,
}

/// Finds every split.
pub(crate) fn run(ctx: &Ctx<'_>, baselines: &Baselines) -> Splits {
    let mut out = Splits::default();
    for &user in ctx.users() {
        let Some(sessions) = baselines.sessions.get(&user) else { continue };
        for s in sessions {
            let ok: Vec<Pos> =
                s.events.iter().copied().filter(|&p| ctx.ev(p).is_success()).collect();
            let interactive =
                ok.iter().copied().find(|&p| ctx.ev(p).kind == EventKind::Interactive);
            let Some(origin) = interactive.or_else(|| ok.first().copied()) else { continue };
            let o = ctx.ev(origin);
            for &p in ok.iter().filter(|&&p| p > origin) {
                let e = ctx.ev(p);
                if !ctx.in_detection(e.time) {
                    continue;
                }
                let other_network = if ctx.asn(e) != 0 && ctx.asn(o) != 0 {
                    ctx.asn(e) != ctx.asn(o)
                } else {
                    let (a, b) = (ctx.country(e), ctx.country(o));
                    !a.is_empty() && !b.is_empty() && !a.eq_ignore_ascii_case(b)
                };
                if !other_network {
                    continue;
                }
                if guards::microsoft_refresh(ctx, p).is_some() {
                    out.microsoft_guarded += 1;
                    continue;
                }
                if guards::familiar_asn(ctx, baselines, p).is_some() {
                    out.familiar_guarded += 1;
                    continue;
                }
                out.splits.push(Split {
                    pos: p,
                    origin,
                    origin_interactive: interactive.is_some(),
                    hosting: ctx.is_hosting(ctx.asn(e)),
                });
            }
        }
    }
    out.splits.sort_by_key(|s| (s.pos, s.origin));
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Origin, facts: Some(facts) };

/// The finding's fact: its split onto a hosting network if any, else its first split.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let splits = g.active_where(|a, _| a.split_from.is_some());
    let Some(&p) =
        splits.iter().find(|p| ctx.is_hosting(ctx.ds.place(ctx.ev(**p)).asn)).or(splits.first())
    else {
        return Vec::new();
    };
    let (o, interactive) = g.anchors[&p].split_from.unwrap_or((p, false));
    let (oe, e) = (ctx.ev(o), ctx.ev(p));
    vec![
        Contribution::new(
            ID,
            ctx.settings.weights.session_origin_split,
            format!(
                "Session {} began with {} from {} at {}; {} later it was used from {}, a network \
                 that sign-in did not use{}.",
                short_id(&ctx.id(e.session_id)),
                if interactive {
                    "an interactive sign-in"
                } else {
                    "its first sign-in in the data"
                },
                ctx.origin_label(oe),
                rfc3339(oe.time),
                duration_label(e.time - oe.time),
                ctx.origin_label(e),
                if ctx.is_hosting(ctx.asn(e)) { " (a hosting network)" } else { "" },
            ),
        )
        .referencing(o),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::with_context;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn splits(b: &Builder) -> Splits {
        with_context(b, &Settings::default(), run)
    }

    #[test]
    fn true_positive_session_refreshed_from_hosting() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922).session_id = "s1".into();
        b.ni("alice@x.test", "2026-03-01T12:00:00Z", "203.0.113.7", 14061).session_id = "s1".into();
        let out = splits(&b);
        assert_eq!(out.splits.len(), 1);
        assert!(out.splits[0].hosting && out.splits[0].origin_interactive);
    }

    #[test]
    fn benign_lookalike_rotation_microsoft_and_home_networks() {
        let mut b = Builder::new();
        for (d, ip) in [("01", "198.51.100.20"), ("02", "198.51.100.21")] {
            b.i("alice@x.test", &format!("2026-03-{d}T08:00:00Z"), ip, 7922).session_id =
                format!("home{d}");
            // Alice's own VPN provider, used interactively on two days: familiar.
            b.i("alice@x.test", &format!("2026-03-{d}T08:30:00Z"), "192.0.2.50", 9009).session_id =
                format!("vpn{d}");
        }
        b.i("alice@x.test", "2026-03-03T09:00:00Z", "198.51.100.20", 7922).session_id = "s1".into();
        // Same ASN, new IP: carrier or DHCP rotation.
        b.ni("alice@x.test", "2026-03-03T09:30:00Z", "198.51.100.99", 7922).session_id =
            "s1".into();
        // Zero-delay Microsoft refresh.
        b.ni("alice@x.test", "2026-03-03T09:30:01Z", "20.190.1.1", 8075).session_id = "s1".into();
        // The VPN connects mid-session.
        b.ni("alice@x.test", "2026-03-03T10:00:00Z", "192.0.2.51", 9009).session_id = "s1".into();
        let out = splits(&b);
        assert!(out.splits.is_empty(), "{:?}", out.splits);
        assert_eq!((out.microsoft_guarded, out.familiar_guarded), (1, 1));
    }

    #[test]
    fn true_positive_facts_split_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.i("alice@x.test", "2026-03-08T09:00:00Z", "198.51.100.20", 7922).session_id = "s9".into();
        b.ni("alice@x.test", "2026-03-08T09:30:00Z", "203.0.113.7", 14061).session_id = "s9".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 35);
        assert!(f[0].detail.contains("(a hosting network)"), "{f:?}");
    }
}
