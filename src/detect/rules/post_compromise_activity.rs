//! `post-compromise-activity`: what the session did next.
//!
//! ## What it detects
//! Audit operations of the same user within `post_compromise_minutes` (60) after a suspicious
//! sign-in, tied to it by the same IP **or** the same session id **or** the same unique token id
//! (the audit's `AppAccessContext.UniqueTokenId` equals the sign-in's, or decodes to the sign-in's
//! request id, docs/formats.md §0 note 1): `MailItemsAccessed` (and file access), `New-InboxRule`,
//! `Set-InboxRule`, `UpdateInboxRules`, `Send`, `Consent to application.`, `User registered
//! security info.`, `Update user.` changing `StrongAuthenticationMethod`, `Register device.`,
//! `Add registered owner to device.`, mailbox forwarding.
//!
//! What each operation is comes from `attacker-typical-action`'s classification: attacker-typical
//! operations (ladder: an action; critical when tied to an unfamiliar origin), mail binds and file
//! access (a corroboration), and a mail client's `Sync` (no evidence, no points: the user's own
//! phone does it all day). A device operation logged with no IP (the Device Registration
//! Service logs none) is tied by the user alone, the weakest tie. An operation tied equally firmly to several sign-ins goes to the
//! replay, not to the phishing sign-in before it.
//!
//! ## Why it matters
//! The attacker's next steps are mail theft, inbox rules that hide replies (move to RSS Feeds /
//! Archive / Conversation History, mark as read, delete, forward out), BEC mail, OAuth consents and
//! new MFA methods or devices that survive a password reset. H1's strongest signal is a replay
//! followed within an hour by mailbox access or inbox-rule creation from that IP.
//!
//! ## False positives
//! The victim's own mail reading in the same session (the session id is shared) or from the same
//! shared IP. Mail access alone counts less than persistence; the ladder only chains it to replay
//! signals that survived their guards.
//!
//! ## Example
//! 12 min after a refresh from 203.0.113.7, `New-InboxRule` from 203.0.113.7:
//! `Name=.., MoveToFolder=RSS Feeds, MarkAsRead=True` (hides mail), linked by ip.

use super::attacker_typical_action::{Activity, Domains, classify};
use crate::detect::context::{Ctx, Pos, duration_label};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::ingest::uti_to_request_id;
use crate::model::{Event, Sym};
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "post-compromise-activity";

/// The registry entry: attacker-typical operations it links are actions on the ladder; mail
/// binds and file access from the origin corroborate it.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Action, facts: Some(facts) };

/// An audit operation linked to a suspicious sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Linked {
    /// The audit operation.
    pub pos: Pos,
    /// The suspicious sign-in it follows.
    pub anchor: Pos,
    /// `token`, `session`, `ip`, or `user` (a device operation logged with no IP, by the same
    /// user within the window).
    pub by: &'static str,
    pub activity: Activity,
}

/// How an audit event is tied to a suspicious sign-in, if it is.
pub(crate) fn tie(ctx: &Ctx<'_>, audit: &Event, sign_in: &Event) -> Option<&'static str> {
    if !audit.unique_token_id.is_empty() {
        let uti = ctx.id(audit.unique_token_id);
        if audit.unique_token_id == sign_in.unique_token_id
            || (!sign_in.request_id.is_empty()
                && uti_to_request_id(&uti)
                    .is_some_and(|r| r.eq_ignore_ascii_case(&ctx.id(sign_in.request_id))))
        {
            return Some("token");
        }
    }
    if !audit.session_id.is_empty() && audit.session_id == sign_in.session_id {
        return Some("session");
    }
    match (ctx.ds.ip(audit), ctx.ds.ip(sign_in)) {
        (Some(a), Some(b)) if a.to_canonical() == b.to_canonical() => Some("ip"),
        // Device registrations are often logged by the Device Registration Service with no IP
        // at all: the same user within the window is all the log offers.
        (None, _)
            if ctx.ds.audit(audit).is_some_and(|a| {
                let op = ctx.s(a.operation).trim().trim_end_matches('.').to_ascii_lowercase();
                op.contains("device")
            }) =>
        {
            Some("user")
        }
        _ => None,
    }
}

/// Audit operations of `user` linked to the suspicious sign-ins `anchors` (positions, sorted).
/// Each operation goes to the sign-in it is tied to most firmly (token, then session, then IP);
/// among equally firm ties, to a replay (`is_replay`) before any other sign-in, then to the
/// latest before it: an operation sharing the session of both the phishing sign-in and the
/// replay rode on the replay.
pub(crate) fn link(
    ctx: &Ctx<'_>,
    domains: &Domains,
    user: Sym,
    anchors: &[Pos],
    is_replay: impl Fn(Pos) -> bool,
) -> Vec<Linked> {
    let window = i64::from(ctx.settings.post_compromise_minutes) * 60_000;
    let sign_ins: Vec<Pos> =
        anchors.iter().copied().filter(|&p| ctx.ev(p).kind.is_user_sign_in()).collect();
    let Some(&first) = sign_ins.first() else { return Vec::new() };
    let first_time = ctx.ev(first).time;
    let mut out = Vec::new();
    for &p in ctx.user_audits(user) {
        let e = ctx.ev(p);
        if e.time < first_time {
            continue;
        }
        let Some(activity) = classify(ctx, domains, e) else { continue };
        // (firmness, not a replay, earlier first): the smallest wins.
        type Rank = (u8, bool, std::cmp::Reverse<Pos>);
        let mut best: Option<(Rank, Pos, &'static str)> = None;
        for &a in &sign_ins {
            let s = ctx.ev(a);
            if s.time > e.time || e.time - s.time > window {
                continue;
            }
            if let Some(by) = tie(ctx, e, s) {
                let firmness = match by {
                    "token" => 0,
                    "session" => 1,
                    "ip" => 2,
                    _ => 3,
                };
                let key = (firmness, !is_replay(a), std::cmp::Reverse(a));
                if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
                    best = Some((key, a, by));
                }
            }
        }
        if let Some((_, anchor, by)) = best {
            out.push(Linked { pos: p, anchor, by, activity });
        }
    }
    out
}

/// The finding's facts: the operations tied to its sign-ins. Attacker-typical operations weigh
/// most; mail binds and file access less; a mail client's sync is shown with no points (the
/// user's own phone does it all day).
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let w = &ctx.settings.weights;
    let line = |l: &Linked| {
        let e = ctx.ev(l.pos);
        format!(
            "{} at {} ({} after the sign-in, tied by {})",
            l.activity.detail(),
            rfc3339(e.time),
            duration_label(e.time - ctx.ev(l.anchor).time),
            l.by
        )
    };
    let mut out = Vec::new();
    let groups: [(&str, i64, Vec<&Linked>); 3] = [
        (
            "attacker-typical",
            w.post_compromise_activity,
            g.linked.iter().filter(|l| matches!(l.activity, Activity::Action(_))).collect(),
        ),
        (
            "mail or file access",
            w.post_compromise_activity_access,
            g.linked.iter().filter(|l| matches!(l.activity, Activity::Access(_))).collect(),
        ),
        (
            "mail client sync, which the user's own devices also do (no points)",
            0,
            g.linked.iter().filter(|l| matches!(l.activity, Activity::Sync(_))).collect(),
        ),
    ];
    for (what, points, linked) in groups {
        if linked.is_empty() {
            continue;
        }
        let shown: Vec<String> = linked.iter().take(6).map(|l| line(l)).collect();
        let more = linked.len().saturating_sub(6);
        out.push(Contribution::new(
            ID,
            points,
            format!(
                "Within {} min of the suspicious sign-ins, from the same IP, session or token, \
                 {what}: {}{}.",
                ctx.settings.post_compromise_minutes,
                shown.join("; "),
                if more > 0 { format!("; and {more} more") } else { String::new() }
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn linked(b: &Builder) -> Vec<(String, &'static str, bool)> {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let anchor =
            ctx.positions().find(|&p| ctx.ev(p).kind == EventKind::NonInteractive).unwrap();
        let user = ctx.ev(anchor).user;
        link(&ctx, &Domains::of(&ctx), user, &[anchor], |_| true)
            .into_iter()
            .map(|l| {
                let action = matches!(l.activity, Activity::Action(_));
                (l.activity.detail().to_owned(), l.by, action)
            })
            .collect()
    }

    #[test]
    fn true_positive_inbox_rule_by_ip_and_consent_by_token() {
        let mut b = Builder::new();
        let r = b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        r.request_id = "38613d07-3d8f-4d59-ab7a-aa4bd76d5f00".into();
        let a =
            b.audit("alice@x.test", "2026-03-01T09:12:00Z", "203.0.113.7:5123", "New-InboxRule");
        a.parameters = vec![
            ("Name".into(), ".".into()),
            ("MoveToFolder".into(), "RSS Feeds".into()),
            ("MarkAsRead".into(), "True".into()),
        ];
        let a = b.audit("alice@x.test", "2026-03-01T09:40:00Z", "", "Consent to application.");
        a.unique_token_id = "Bz1hOI89WU2reqpL121fAA".into();
        let got = linked(&b);
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            (
                "New-InboxRule (Name=., MoveToFolder=RSS Feeds, MarkAsRead=True): moves mail to a \
                 folder nobody reads, marks it as read, its name \".\" is punctuation or one or two \
                 characters"
                    .to_owned(),
                "ip",
                true
            )
        );
        assert_eq!((got[1].1, got[1].2), ("token", true));
    }

    #[test]
    fn a_tie_goes_to_the_replay_not_the_phishing_sign_in() {
        // The phishing sign-in through the kit's proxy and the replay share the session id; the
        // rule created in that session rode on the replay.
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.9", 14061).session_id = "s1".into();
        b.ni("alice@x.test", "2026-03-01T09:05:00Z", "203.0.113.7", 16276).session_id = "s1".into();
        let a = b.audit("alice@x.test", "2026-03-01T09:10:00Z", "", "New-InboxRule");
        a.session_id = "s1".into();
        a.parameters = vec![("Name".into(), ".".into()), ("DeleteMessage".into(), "True".into())];
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let user = ctx.ev(0).user;
        let got = link(&ctx, &Domains::of(&ctx), user, &[0, 1], |p| p == 1);
        assert_eq!((got.len(), got[0].anchor, got[0].by), (1, 1, "session"));
        // With neither a replay, the latest sign-in before it.
        let got = link(&ctx, &Domains::of(&ctx), user, &[0, 1], |_| false);
        assert_eq!(got[0].anchor, 1);
    }

    #[test]
    fn own_mail_sync_is_linked_as_sync_not_as_an_action() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 21928);
        let a = b.audit("alice@x.test", "2026-03-01T09:10:00Z", "203.0.113.7", "MailItemsAccessed");
        a.parameters = vec![("MailAccessType".into(), "Sync".into())];
        let got = linked(&b);
        assert_eq!(got.len(), 1);
        assert!(!got[0].2, "a sync is no attacker-typical action");
    }

    #[test]
    fn benign_lookalike_unrelated_or_late_or_harmless() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061).session_id = "s1".into();
        // From the user's office, no shared session: not linked.
        b.audit("alice@x.test", "2026-03-01T09:10:00Z", "198.51.100.20", "MailItemsAccessed");
        // Same IP, but 61 minutes later.
        b.audit("alice@x.test", "2026-03-01T10:01:00Z", "203.0.113.7", "Send");
        // Same session, but an Update user. that does not touch MFA methods.
        let a = b.audit("alice@x.test", "2026-03-01T09:20:00Z", "", "Update user.");
        a.session_id = "s1".into();
        a.parameters = vec![("Included Updated Properties".into(), "DisplayName".into())];
        // Another user's rule from the same IP.
        b.audit("bob@x.test", "2026-03-01T09:15:00Z", "203.0.113.7", "New-InboxRule");
        assert!(linked(&b).is_empty(), "{:?}", linked(&b));
    }

    #[test]
    fn true_positive_facts_actions_weigh_and_sync_is_shown_at_zero() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        let a = b.audit("alice@x.test", "2026-03-08T09:10:00Z", "203.0.113.7", "New-InboxRule");
        a.parameters = vec![("Name".into(), ".".into()), ("DeleteMessage".into(), "True".into())];
        let a = b.audit("alice@x.test", "2026-03-08T09:20:00Z", "203.0.113.7", "MailItemsAccessed");
        a.parameters = vec![("MailAccessType".into(), "Sync".into())];
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.iter().map(|f| f.points).collect::<Vec<_>>(), [40, 0], "{f:?}");
        assert!(f[0].detail.contains("attacker-typical: New-InboxRule"), "{f:?}");
        assert!(f[1].detail.contains("mail client sync"), "{f:?}");
    }
}
