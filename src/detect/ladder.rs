//! The confidence ladder, version 2 (docs/detection.md §5): where a finding sits, from the
//! evidence classes of what its rules found.
//!
//! - *Origin*: a replay signal (`token-from-unfamiliar-network`, `short-window-origin-switch`,
//!   `session-origin-split`, from Entra exports or the UAL's sign-in records) that survived its
//!   guards and is not the user's own origin ([`super::guards::own_origin`]).
//! - *Corroboration*: Entra risk of the corroborating types at medium or high, a hosting ASN (the
//!   anchor's own, or the network the same session was signed in from), a kit fingerprint, a
//!   campaign-shaped IP, mail binds or file access tied to the origin.
//! - *Attacker-typical action*: an operation of `attacker-typical-action`'s shapes, tied to the
//!   origin (linked by token, session or IP within the window, or from the same IP or session
//!   later on), or found on its own.
//!
//! Rungs: critical = an unfamiliar origin and an attacker-typical action tied to it; high = an
//! unfamiliar origin plus a corroboration, or an attacker-typical action alone, or Entra's
//! token-theft risk at high (and every member of a campaign once one member is high, applied by
//! the finding builder across findings); medium = an unfamiliar origin alone (single-user or
//! campaign-shaped IP, or an H2 pair or session split), or a kit fingerprint alone; low =
//! anything else (shared infrastructure, a nearby interactive sign-in, the user's own origin);
//! info = every suspicious event allowlisted.

use std::collections::BTreeSet;

use super::context::Pos;
use super::rule::Group;
use super::rules::attacker_typical_action::Activity;
use super::rules::ip_prevalence::Prevalence;
use super::rules::{
    risky_ip, session_origin_split, short_window_origin_switch, token_from_unfamiliar_network,
};
use crate::enrich;
use crate::model::RiskLevel;
use crate::report::Severity;
use crate::time::rfc3339;

/// A finding's place on the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rung {
    pub severity: Severity,
    /// Why, in one sentence.
    pub reason: String,
    /// The finding holds an unfamiliar origin (a replay signal that is not the user's own).
    pub origin: bool,
    /// The finding holds an attacker-typical action.
    pub action: bool,
}

/// The replay signal an anchor carries, by the ladder's preference.
fn origin_rule(g: &Group<'_, '_>, p: Pos) -> &'static str {
    let a = g.anchors[&p];
    if a.unfamiliar.is_some() {
        token_from_unfamiliar_network::ID
    } else if a.split_from.is_some() {
        session_origin_split::ID
    } else {
        short_window_origin_switch::ID
    }
}

/// Places the finding; `allowlisted` names the allowlist entries when every anchor is one.
pub(crate) fn place(g: &Group<'_, '_>, allowlisted: &str) -> Rung {
    let ctx = g.ctx;
    if g.active.is_empty() {
        return Rung {
            severity: Severity::Info,
            reason: format!("Info: every suspicious event is allowlisted ({allowlisted})."),
            origin: false,
            action: false,
        };
    }
    let replay: Vec<Pos> = g
        .active
        .iter()
        .copied()
        .filter(|p| g.judged[p].replay && ctx.ev(*p).kind.is_user_sign_in())
        .collect();
    let replay_set: BTreeSet<Pos> = replay.iter().copied().collect();
    let linked_actions: BTreeSet<Pos> = g
        .linked
        .iter()
        .filter(|l| matches!(l.activity, Activity::Action(_)))
        .map(|l| l.pos)
        .collect();
    let action_anchors: Vec<Pos> = g
        .active
        .iter()
        .copied()
        .filter(|p| g.anchors[p].action.is_some() && !linked_actions.contains(p))
        .collect();
    let has_action = !action_anchors.is_empty() || !linked_actions.is_empty();

    // Critical: an attacker-typical action tied to an unfamiliar origin.
    let tied_linked = g
        .linked
        .iter()
        .find(|l| matches!(l.activity, Activity::Action(_)) && replay_set.contains(&l.anchor))
        .map(|l| (l.pos, l.anchor, l.by));
    let tied_later = || {
        action_anchors.iter().find_map(|&a| {
            let ae = ctx.ev(a);
            replay.iter().copied().find_map(|r| {
                let re = ctx.ev(r);
                if re.time > ae.time {
                    return None;
                }
                if !ae.session_id.is_empty() && ae.session_id == re.session_id {
                    Some((a, r, "session"))
                } else if ctx.ds.ip(ae).is_some()
                    && ctx.ds.ip(ae).map(|i| i.to_canonical())
                        == ctx.ds.ip(re).map(|i| i.to_canonical())
                {
                    Some((a, r, "ip"))
                } else {
                    None
                }
            })
        })
    };
    if let Some((op, anchor, by)) = tied_linked.or_else(tied_later) {
        let operation = ctx.ds.audit(ctx.ev(op)).map(|a| ctx.s(a.operation)).unwrap_or("");
        return Rung {
            severity: Severity::Critical,
            reason: format!(
                "Critical: an unfamiliar origin ({} from {}) and an attacker-typical action tied \
                 to it by {by} ({operation} at {}).",
                origin_rule(g, anchor),
                ctx.origin_label(ctx.ev(anchor)),
                rfc3339(ctx.ev(op).time)
            ),
            origin: true,
            action: true,
        };
    }

    // High: an unfamiliar origin plus one corroboration.
    if !replay.is_empty()
        && let Some(why) = corroboration(g, &replay)
    {
        return Rung {
            severity: Severity::High,
            reason: format!("High: an unfamiliar origin plus {why}."),
            origin: true,
            action: has_action,
        };
    }
    // High: an attacker-typical action on its own.
    if let Some(&a) = action_anchors.first() {
        let detail = g.anchors[&a].action.as_ref().map(|s| s.detail.as_str()).unwrap_or("");
        return Rung {
            severity: Severity::High,
            reason: format!(
                "High: an attacker-typical action on its own ({detail}, at {}).",
                rfc3339(ctx.ev(a).time)
            ),
            origin: !replay.is_empty(),
            action: true,
        };
    }
    // High: Entra's token-theft detections at high risk.
    if let Some((p, types)) = g.active.iter().find_map(|&p| {
        risky_ip::risk_of(ctx, ctx.ev(p), &risky_ip::TOKEN_THEFT, RiskLevel::High).map(|t| (p, t))
    }) {
        return Rung {
            severity: Severity::High,
            reason: format!(
                "High: Entra ID Protection detected {} at high risk on the sign-in at {}.",
                types.join(", "),
                rfc3339(ctx.ev(p).time)
            ),
            origin: !replay.is_empty(),
            action: has_action,
        };
    }
    // Medium: an unfamiliar origin with nothing more.
    let medium = replay.iter().copied().find(|p| {
        let (a, j) = (g.anchors[p], &g.judged[p]);
        j.medium_grade || a.pair_with.is_some() || a.split_from.is_some()
    });
    if let Some(p) = medium {
        return Rung {
            severity: Severity::Medium,
            reason: format!(
                "Medium: an unfamiliar origin ({} from {}) with nothing more.",
                origin_rule(g, p),
                ctx.origin_label(ctx.ev(p))
            ),
            origin: true,
            action: has_action,
        };
    }
    // Medium: a kit fingerprint alone, away from the user's own networks.
    if let Some(p) = g
        .active
        .iter()
        .copied()
        .find(|p| !g.anchors[p].kit.is_empty() && g.judged[p].own.is_none() && !habitual(g, *p))
    {
        return Rung {
            severity: Severity::Medium,
            reason: format!(
                "Medium: an AiTM kit fingerprint alone (at {}), without a replay from an \
                 unfamiliar origin.",
                rfc3339(ctx.ev(p).time)
            ),
            origin: !replay.is_empty(),
            action: has_action,
        };
    }
    Rung {
        severity: Severity::Low,
        reason: low_reason(g, !replay.is_empty()),
        origin: !replay.is_empty(),
        action: has_action,
    }
}

/// True when the user signs in with the anchor's user agent from its ASN on at least
/// `familiar_asn_min_days` distinct days: a script the account runs every day (a service account
/// on a cloud server), not a kit that appeared once.
fn habitual(g: &Group<'_, '_>, p: Pos) -> bool {
    let ctx = g.ctx;
    let e = ctx.ev(p);
    let (ua, asn) = (ctx.ds.client(e).user_agent, ctx.asn(e));
    let min = ctx.settings.familiar_asn_min_days;
    if min == 0 || ua.is_empty() {
        return false;
    }
    let mut days: Vec<i64> = ctx
        .user_positions(e.user)
        .iter()
        .map(|&q| ctx.ev(q))
        .filter(|o| {
            o.kind.is_user_sign_in() && ctx.ds.client(o).user_agent == ua && ctx.asn(o) == asn
        })
        .map(|o| super::context::day_of(o.time))
        .collect();
    days.dedup();
    days.len() >= min as usize
}

/// The first corroboration of the unfamiliar origins `replay`, in words.
fn corroboration(g: &Group<'_, '_>, replay: &[Pos]) -> Option<String> {
    let ctx = g.ctx;
    for &p in replay {
        let (a, j) = (g.anchors[&p], &g.judged[&p]);
        let risky =
            a.risky_self.as_ref().map(|_| p).or_else(|| j.risky.map(|r| r.0)).and_then(|rp| {
                risky_ip::risk_of(ctx, ctx.ev(rp), &risky_ip::CORROBORATING, RiskLevel::Medium)
            });
        if let Some(types) = risky {
            return Some(format!("Entra ID Protection risk ({})", types.join(", ")));
        }
        if j.hosting {
            return Some(format!("a hosting ASN ({})", enrich::asn_label(ctx.asn(ctx.ev(p)))));
        }
        if matches!(j.prevalence, Some(Prevalence::Campaign(_))) {
            return Some(format!(
                "an IP shaped like a campaign's origin ({} users in a short span, none at home there)",
                j.users
            ));
        }
    }
    // The AiTM proxy the stolen session was signed in from: another anchor of the same session.
    for &p in replay {
        let sid = ctx.ev(p).session_id;
        if sid.is_empty() {
            continue;
        }
        if let Some(q) = g
            .active
            .iter()
            .copied()
            .find(|&q| q != p && ctx.ev(q).session_id == sid && g.judged[&q].hosting)
        {
            return Some(format!(
                "a hosting ASN in the same session (signed in from {} at {})",
                enrich::asn_label(ctx.asn(ctx.ev(q))),
                rfc3339(ctx.ev(q).time)
            ));
        }
    }
    if let Some(&p) = g.active.iter().find(|p| !g.anchors[p].kit.is_empty()) {
        return Some(format!("an AiTM kit fingerprint (at {})", rfc3339(ctx.ev(p).time)));
    }
    let replay_set: BTreeSet<Pos> = replay.iter().copied().collect();
    if let Some(l) = g
        .linked
        .iter()
        .find(|l| matches!(l.activity, Activity::Access(_)) && replay_set.contains(&l.anchor))
    {
        return Some(format!(
            "mail or file access from it ({}, tied by {})",
            l.activity.detail(),
            l.by
        ));
    }
    None
}

fn low_reason(g: &Group<'_, '_>, origin: bool) -> String {
    let unfamiliar: Vec<Pos> = g.unfamiliar.clone();
    if !unfamiliar.is_empty() {
        let mut why = Vec::new();
        if unfamiliar.iter().all(|p| g.judged[p].own.is_some()) {
            why.push("the origin is the user's own (a familiar network, carrier or device)");
        }
        if unfamiliar.iter().any(|p| matches!(g.judged[p].prevalence, Some(Prevalence::Shared(_))))
        {
            why.push("a shared IP");
        }
        if unfamiliar
            .iter()
            .any(|p| matches!(g.judged[p].prevalence, Some(Prevalence::LowVolume(_))))
        {
            why.push("an IP used by several users over a longer span");
        }
        if unfamiliar.iter().any(|p| g.judged[p].nearby.is_some()) {
            why.push("a nearby interactive sign-in from the same IP");
        }
        if why.is_empty() {
            why.push("no single-user, interactive-free origin");
        }
        return format!("Low: unfamiliar network but {} (likely a new location).", why.join(", "));
    }
    let mut rules = BTreeSet::new();
    for p in &g.active {
        let a = g.anchors[p];
        if a.pair_with.is_some() {
            rules.insert(short_window_origin_switch::ID);
        }
        if a.split_from.is_some() {
            rules.insert(session_origin_split::ID);
        }
        if a.hop.is_some() {
            rules.insert(super::rules::impossible_travel::ID);
        }
        if !a.kit.is_empty() {
            rules.insert(super::rules::aitm_kit_fingerprint::ID);
        }
        if a.risky_self.is_some() {
            rules.insert(risky_ip::ID);
        }
    }
    let own = if origin { "" } else { " from the user's own origins or" };
    format!(
        "Low: {}{own} without a token from an unfamiliar network (the ladder ranks these signals \
         only in combination).",
        rules.into_iter().collect::<Vec<_>>().join(", ")
    )
}
