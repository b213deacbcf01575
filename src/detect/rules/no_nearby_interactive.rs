//! `no-nearby-interactive`: no interactive sign-in from the same IP around a token use.
//!
//! ## What it detects
//! Whether the same user signed in interactively and successfully from the same IP within
//! ± `nearby_interactive_hours` (24 h) of a suspicious non-interactive sign-in (H1 enrichment 2).
//! When there is one, confidence drops (`weights.no_nearby_interactive_nearby`, −20).
//!
//! With the default windows the baseline holds every successful interactive sign-in of the data,
//! so a candidate's own IP is never in a nearby interactive sign-in (it would be in the baseline,
//! and the sign-in no candidate): the rule can only weaken a finding when the detection window is
//! left out of the baseline (`exclude_detection_from_baseline`), or when the nearby sign-in was
//! kept out of the baseline as suspect, which makes it the attacker's own and is not counted
//! ([`nearby_except`] skips such sign-ins). Its positive fact ("no nearby interactive sign-in") is kept
//! for H1's columns and the explanation, at 0 points by default: it would add the same points to
//! every candidate.
//!
//! ## Why it matters
//! A user who moved to a new network also signs in there interactively (new laptop session, MFA
//! prompt). A replayed token never comes with the victim typing a password on the attacker's IP.
//!
//! ## False positives
//! A phone refreshing tokens for days without an interactive prompt; a laptop that was never
//! re-prompted after a move. An attacker who also signs in interactively from the replay IP
//! (cookie import in a browser) weakens the finding: other rules (`aitm-kit-fingerprint`,
//! `session-origin-split`) cover that case.
//!
//! ## Example
//! Alice's refresh from 203.0.113.7 at 09:03 has no interactive sign-in from 203.0.113.7 between
//! 09:03 the day before and 09:03 the day after: +10 points.

use crate::detect::context::{Ctx, HOUR, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::model::EventKind;
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "no-nearby-interactive";

/// The nearest successful interactive sign-in of the same user from the same IP within the
/// window, if any. (Reference hunt H1's enrichment 2, in `hunts.rs`, keys users by the UPN as
/// logged, so only the tests call this.)
#[cfg(test)]
pub(crate) fn nearby(ctx: &Ctx<'_>, pos: Pos) -> Option<Pos> {
    nearby_except(ctx, pos, &[])
}

/// As [`nearby`], skipping the interactive sign-ins `except` (sorted): those kept out of the
/// user's baseline as suspect, which are the attacker's own.
pub(crate) fn nearby_except(ctx: &Ctx<'_>, pos: Pos, except: &[Pos]) -> Option<Pos> {
    let e = ctx.ev(pos);
    let ip = ctx.ds.ip(e)?;
    let window = i64::from(ctx.settings.nearby_interactive_hours) * HOUR;
    let positions = ctx.user_interactive_successes(e.user);
    let lo = positions.partition_point(|&p| ctx.ev(p).time < e.time - window);
    positions[lo..]
        .iter()
        .take_while(|&&p| ctx.ev(p).time <= e.time + window)
        .filter(|&&p| ctx.ds.ip(ctx.ev(p)) == Some(ip) && except.binary_search(&p).is_err())
        .min_by_key(|&&p| ((ctx.ev(p).time - e.time).abs(), p))
        .copied()
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: Some(facts) };

/// The finding's fact, over its non-interactive unfamiliar anchors.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let w = &ctx.settings.weights;
    let ni: Vec<Pos> = g
        .unfamiliar
        .iter()
        .copied()
        .filter(|p| ctx.ev(*p).kind == EventKind::NonInteractive)
        .collect();
    let Some(&first) = ni.first() else { return Vec::new() };
    let hours = ctx.settings.nearby_interactive_hours;
    if let Some(&p) = ni.iter().find(|p| g.judged[p].nearby.is_none()) {
        let ip = ctx.ds.ip(ctx.ev(p)).map(|i| i.to_string()).unwrap_or_default();
        vec![Contribution::new(
            ID,
            w.no_nearby_interactive,
            format!(
                "No successful interactive sign-in by the user from {ip} within ±{hours} h of the \
                 token use."
            ),
        )]
    } else if let Some(near) = g.judged[&first].nearby {
        let n = ctx.ev(near);
        vec![
            Contribution::new(
                ID,
                w.no_nearby_interactive_nearby,
                format!(
                    "The user also signed in interactively from {} at {} (within ±{hours} h): \
                     likely a new location of the user.",
                    ctx.ds.ip(n).map(|i| i.to_string()).unwrap_or_default(),
                    rfc3339(n.time)
                ),
            )
            .referencing(near),
        ]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn nearby_of_last(b: &Builder) -> bool {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let last = ctx
            .positions()
            .filter(|&p| ctx.ev(p).kind == EventKind::NonInteractive)
            .last()
            .unwrap();
        nearby(&ctx, last).is_some()
    }

    #[test]
    fn true_positive_no_interactive_from_replay_ip() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        // An interactive sign-in from the IP, but 30 h earlier: outside ±24 h.
        b.i("alice@x.test", "2026-02-28T03:00:00Z", "203.0.113.7", 14061);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 14061);
        assert!(!nearby_of_last(&b));
    }

    #[test]
    fn benign_lookalike_user_signed_in_there_too() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T20:00:00Z", "203.0.113.7", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 7922);
        assert!(nearby_of_last(&b), "11 h later still counts (±24 h)");
        let mut b = Builder::new();
        b.i("bob@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 7922);
        b.ni("alice@x.test", "2026-03-01T09:03:00Z", "203.0.113.7", 7922);
        assert!(!nearby_of_last(&b), "another user's sign-in does not count");
    }

    #[test]
    fn true_positive_facts_no_nearby_sign_in_is_stated_at_zero_points() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 0, "the same for every candidate with the default windows");
        assert!(
            f[0].detail
                .starts_with("No successful interactive sign-in by the user from 203.0.113.7")
        );
    }
}
