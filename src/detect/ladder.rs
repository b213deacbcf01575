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

/// The campaign rung (docs/detection.md §5.4), applied across findings once every finding is
/// placed: a finding below high that shares an IP or a forwarding address with other users'
/// findings rises to high when it holds an unfamiliar origin (the campaign corroborates it), or
/// when another member of the campaign is high or critical (`high_members`). The reason, if it
/// rises.
pub(crate) fn campaign_rung(rung: &Rung, high_members: &[&str]) -> Option<String> {
    if rung.severity >= Severity::High {
        return None;
    }
    if rung.origin {
        return Some(
            "High: an unfamiliar origin plus an indicator shared with other users' findings \
             (campaign)."
                .to_owned(),
        );
    }
    (!high_members.is_empty()).then(|| {
        format!(
            "High: a member of a campaign whose other members include {} at high or critical.",
            high_members.join(", ")
        )
    })
}

/// The variant a token-theft rule names, as the analyst reads it.
fn variant_name(rule: &str) -> &'static str {
    match rule {
        super::rules::device_code_phishing::ID => "device-code phishing",
        super::rules::legacy_ropc::ID => "a single-factor legacy ROPC sign-in",
        super::rules::first_party_app_abuse::ID => {
            "ConsentFix-style authorization-code phishing of a first-party app"
        }
        super::rules::tycoon_2fa::ID => "the Tycoon 2FA phishing kit",
        super::rules::sneaky_2fa::ID => "the Sneaky 2FA phishing kit",
        super::rules::rogue_device_registration::ID => {
            "a rogue device registration and primary refresh token theft"
        }
        super::rules::conditional_access_mfa_bypass::ID => {
            "a Conditional Access MFA bypass through a first-party app"
        }
        _ => "a token-theft variant",
    }
}

/// The replay signal an anchor carries, by the ladder's preference.
fn origin_rule(g: &Group<'_, '_>, p: Pos) -> &'static str {
    let a = g.anchors[&p];
    if let Some((rule, _)) = a.variants.first()
        && a.unfamiliar.is_none()
        && a.split_from.is_none()
        && a.pair_with.is_none()
    {
        rule
    } else if a.unfamiliar.is_some() {
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
    // High: an attacker-typical action on its own (a weak one only from an origin that is not
    // the user's).
    let counts = |a: &Pos| {
        let (s, j) = (g.anchors[a].action.as_ref(), &g.judged[a]);
        s.is_some_and(|s| s.strong) || j.action_unfamiliar || j.hosting
    };
    if let Some(&a) = action_anchors.iter().find(|a| counts(a)) {
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
    // A strong one stays hostile when it is tied to a sign-in of the finding that is no
    // unfamiliar origin (the attacker's own interactive sign-ins made that address look known).
    if let Some(l) =
        g.linked.iter().find(|l| matches!(&l.activity, Activity::Action(s) if s.strong))
    {
        return Rung {
            severity: Severity::High,
            reason: format!(
                "High: an attacker-typical action on its own ({}, at {}).",
                l.activity.detail(),
                rfc3339(ctx.ev(l.pos).time)
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
    // Medium: a kit fingerprint alone (the generic traces, or a kit the variant rules name),
    // away from the user's own networks.
    if let Some(p) = g
        .active
        .iter()
        .copied()
        .find(|p| kit_trace(g, *p) && g.judged[p].own.is_none() && !habitual(g, *p))
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
    if let Some(&a) = action_anchors.first() {
        let detail = g.anchors[&a].action.as_ref().map(|s| s.detail.as_str()).unwrap_or("");
        return Rung {
            severity: Severity::Low,
            reason: format!(
                "Low: {detail} at {}, from an origin nothing in the loaded data can judge (no \
                 sign-ins of the user, or no IP): load the sign-in logs to tell.",
                rfc3339(ctx.ev(a).time)
            ),
            origin: !replay.is_empty(),
            action: true,
        };
    }
    Rung {
        severity: Severity::Low,
        reason: low_reason(g, !replay.is_empty()),
        origin: !replay.is_empty(),
        action: has_action,
    }
}

/// The phishing kits the variant rules name (`tycoon-2fa`, `sneaky-2fa`): kit fingerprints on the
/// ladder, like `aitm-kit-fingerprint`'s generic traces.
const KIT_VARIANTS: [&str; 2] = [super::rules::tycoon_2fa::ID, super::rules::sneaky_2fa::ID];

/// True when the anchor carries a kit fingerprint: a generic trace or a named kit.
fn kit_trace(g: &Group<'_, '_>, p: Pos) -> bool {
    let a = g.anchors[&p];
    !a.kit.is_empty() || a.variants.iter().any(|(rule, _)| KIT_VARIANTS.contains(rule))
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
    // A token-theft variant's own trace (the device-code flow, …) on the unfamiliar origin.
    if let Some((p, rule)) =
        replay.iter().find_map(|&p| g.anchors[&p].variants.first().map(|(rule, _)| (p, *rule)))
    {
        return Some(format!("{} (at {})", variant_name(rule), rfc3339(ctx.ev(p).time)));
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
        for (rule, _) in &a.variants {
            rules.insert(*rule);
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

#[cfg(test)]
mod tests {
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    /// The highest severity per user, after the whole detection.
    fn worst(b: &Builder, user: &str) -> (Severity, String) {
        let ds = b.dataset();
        let found = crate::detect::run(&ds, &Settings::default());
        found
            .findings
            .iter()
            .filter(|f| f.user == user)
            .map(|f| (f.severity, f.severity_reason.clone()))
            .max()
            .unwrap_or((Severity::Info, "no finding".to_owned()))
    }

    /// Alice: a week of interactive sign-ins from home (Comcast) with her laptop.
    fn alice_at_home(b: &mut Builder) {
        for day in 1..=7 {
            let s =
                b.i("alice@x.test", &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 7922);
            s.device_id = "laptop-1".into();
            s.session_id = format!("home-{day}");
        }
    }

    fn hiding_rule(b: &mut Builder, time: &str, ip: &str) {
        let a = b.audit("alice@x.test", time, ip, "New-InboxRule");
        a.parameters = vec![
            ("Name".into(), "..".into()),
            ("MoveToFolder".into(), "RSS Feeds".into()),
            ("MarkAsRead".into(), "True".into()),
        ];
    }

    #[test]
    fn critical_needs_an_unfamiliar_origin_and_a_tied_action() {
        let mut b = Builder::new();
        alice_at_home(&mut b);
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        hiding_rule(&mut b, "2026-03-08T09:12:00Z", "203.0.113.7");
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::Critical, "{why}");
        assert!(why.contains("tied to it by ip"), "{why}");
    }

    #[test]
    fn high_from_a_corroborated_origin_or_an_action_alone() {
        let mut b = Builder::new();
        alice_at_home(&mut b);
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::High, "{why}");
        assert!(why.contains("hosting ASN"), "{why}");

        // The audit log alone: a hiding rule, no sign-in at all.
        let mut b = Builder::new();
        hiding_rule(&mut b, "2026-03-08T09:12:00Z", "175.45.176.99");
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::High, "{why}");
        assert!(why.contains("attacker-typical action on its own"), "{why}");
    }

    #[test]
    fn a_strong_action_tied_to_a_sign_in_of_the_users_own_origin_is_still_high() {
        // A device-code sign-in from home (a variant from the user's own origin, low) and, from
        // the same address and session minutes later, a hiding rule: hostile by its shape, so
        // the tie to a low anchor does not hide it.
        let mut b = Builder::new();
        alice_at_home(&mut b);
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "198.51.100.20", 7922);
        s.auth_protocol = "deviceCode".into();
        s.session_id = "dc-home".into();
        hiding_rule(&mut b, "2026-03-08T09:12:00Z", "198.51.100.20");
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::High, "{why}");
        assert!(why.contains("attacker-typical action on its own"), "{why}");
    }

    #[test]
    fn medium_for_an_unfamiliar_origin_with_nothing_more() {
        let mut b = Builder::new();
        alice_at_home(&mut b);
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::Medium, "{why}");
    }

    #[test]
    fn benign_lookalike_carrier_phone_syncing_its_own_mailbox_stays_low() {
        // Home is Verizon Fios (AS701); the phone refreshes over Verizon Wireless (AS6167) from
        // new addresses and its mail client syncs from them: the user's own carrier, no evidence.
        let mut b = Builder::new();
        for day in 1..=7 {
            b.i("bob@x.test", &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 701);
        }
        for (n, t) in ["09:00", "10:00", "11:00"].iter().enumerate() {
            let ip = format!("192.0.2.{}", 40 + n);
            b.ni("bob@x.test", &format!("2026-03-08T{t}:00Z"), &ip, 6167);
            let a = b.audit("bob@x.test", &format!("2026-03-08T{t}:05Z"), &ip, "MailItemsAccessed");
            a.parameters = vec![("MailAccessType".into(), "Sync".into())];
        }
        let (sev, why) = worst(&b, "bob@x.test");
        assert!(sev < Severity::Medium, "{sev:?}: {why}");
    }

    #[test]
    fn benign_lookalike_own_device_and_own_mfa_registration() {
        let mut b = Builder::new();
        alice_at_home(&mut b);
        // The laptop on a hotel network: its own device id.
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.70", 7018).device_id =
            "laptop-1".into();
        // A new MFA method from home: ordinary life, not raised.
        b.audit(
            "alice@x.test",
            "2026-03-08T10:00:00Z",
            "198.51.100.20",
            "User registered security info.",
        );
        let (sev, why) = worst(&b, "alice@x.test");
        assert!(sev < Severity::Medium, "{sev:?}: {why}");
        // The same registration from an address she never used is a finding on its own.
        b.audit(
            "alice@x.test",
            "2026-03-08T11:00:00Z",
            "203.0.113.99",
            "User registered security info.",
        );
        let (sev, why) = worst(&b, "alice@x.test");
        assert_eq!(sev, Severity::High, "{why}");
    }

    #[test]
    fn campaign_rung_raises_origins_and_members_of_a_high_campaign_only() {
        use super::{Rung, campaign_rung};
        let rung =
            |severity, origin| Rung { severity, reason: String::new(), origin, action: false };
        assert!(campaign_rung(&rung(Severity::Medium, true), &[]).is_some());
        assert!(campaign_rung(&rung(Severity::Low, false), &[]).is_none(), "no high member");
        let why = campaign_rung(&rung(Severity::Low, false), &["bob@x.test"]).unwrap();
        assert!(why.contains("include bob@x.test at high or critical"), "{why}");
        assert!(campaign_rung(&rung(Severity::Critical, true), &["bob@x.test"]).is_none());
    }

    #[test]
    fn a_campaign_of_six_ranks_high_however_many_it_touches() {
        let mut b = Builder::new();
        for u in 0..6 {
            let user = format!("user{u}@x.test");
            for day in 1..=7 {
                b.i(&user, &format!("2026-03-0{day}T08:00:00Z"), &format!("198.51.{u}.20"), 7922);
            }
            b.ni(&user, &format!("2026-03-08T09:{u:02}:00Z"), "203.0.113.77", 7018);
        }
        let ds = b.dataset();
        let found = crate::detect::run(&ds, &Settings::default());
        let members: Vec<_> =
            found.findings.iter().filter(|f| f.ips.iter().any(|i| i == "203.0.113.77")).collect();
        assert_eq!(members.len(), 6);
        assert!(
            members.iter().all(|f| f.severity >= Severity::High),
            "{:?}",
            members.iter().map(|f| (&f.user, f.severity, &f.severity_reason)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_cookie_replay_logged_as_interactive_does_not_whitelist_its_ip() {
        let mut b = Builder::new();
        alice_at_home(&mut b);
        // The stolen session, first used at home, then signed in from the attacker's browser
        // (logged interactive, no device id, MFA satisfied by the token's claim), then refreshed
        // from there.
        let s = b.i("alice@x.test", "2026-03-08T08:00:00Z", "198.51.100.20", 7922);
        s.session_id = "stolen".into();
        s.device_id = "laptop-1".into();
        b.i("alice@x.test", "2026-03-08T10:00:00Z", "203.0.113.7", 7018).session_id =
            "stolen".into();
        b.ni("alice@x.test", "2026-03-08T10:30:00Z", "203.0.113.7", 7018).session_id =
            "stolen".into();
        let (sev, why) = worst(&b, "alice@x.test");
        assert!(sev >= Severity::Medium, "{sev:?}: {why}");
        let ds = b.dataset();
        let found = crate::detect::run(&ds, &Settings::default());
        let f = found.findings.iter().find(|f| f.user == "alice@x.test").unwrap();
        assert!(f.rules.iter().any(|r| r == "token-from-unfamiliar-network"), "{:?}", f.rules);
        assert!(found.warnings.iter().any(|w| w.contains("kept out of the baselines")));
    }
}
