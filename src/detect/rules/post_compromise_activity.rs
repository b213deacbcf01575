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

use base64::Engine;

use crate::detect::context::{Ctx, Pos};
use crate::model::{Event, Sym};

/// Rule id.
pub(crate) const ID: &str = "post-compromise-activity";

/// Kind of activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Mail or file access.
    Access,
    /// Persistence or fraud.
    Persistence,
}

/// An audit operation linked to a suspicious sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Linked {
    /// The audit operation.
    pub pos: Pos,
    /// The suspicious sign-in it follows.
    pub anchor: Pos,
    /// `ip`, `session` or `token`.
    pub by: &'static str,
    pub class: Class,
    /// Operation plus telling parameters.
    pub detail: String,
}

fn norm_op(op: &str) -> String {
    op.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn param<'a>(ctx: &Ctx<'a>, params: &[(Sym, Sym)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| ctx.s(*k).eq_ignore_ascii_case(name)).map(|(_, v)| ctx.s(*v))
}

/// Classifies an audit operation, with its telling parameters.
pub(crate) fn classify(ctx: &Ctx<'_>, e: &Event) -> Option<(Class, String)> {
    let a = ctx.ds.audit(e)?;
    let op_raw = ctx.s(a.operation);
    let op = norm_op(op_raw);
    let params = &a.parameters;
    let class = match op.as_str() {
        "mailitemsaccessed" | "fileaccessed" | "filedownloaded" => Class::Access,
        "new-inboxrule"
        | "set-inboxrule"
        | "updateinboxrules"
        | "send"
        | "consent to application"
        | "user registered security info"
        | "register device"
        | "add registered owner to device" => Class::Persistence,
        "update user" => {
            let mfa = params.iter().any(|(k, v)| {
                ctx.s(*k).contains("StrongAuthentication")
                    || ctx.s(*v).contains("StrongAuthentication")
            });
            if !mfa {
                return None;
            }
            Class::Persistence
        }
        "set-mailbox" => {
            let fwd = ["ForwardingSmtpAddress", "ForwardingAddress"]
                .iter()
                .any(|n| param(ctx, params, n).is_some_and(|v| !v.is_empty()));
            if !fwd {
                return None;
            }
            Class::Persistence
        }
        _ => return None,
    };
    let mut parts: Vec<String> = Vec::new();
    for name in [
        "Name",
        "MoveToFolder",
        "MarkAsRead",
        "DeleteMessage",
        "ForwardTo",
        "RedirectTo",
        "ForwardAsAttachmentTo",
        "ForwardingSmtpAddress",
        "SubjectContainsWords",
        "RuleOperation",
        "Actions",
        "MailAccessType",
    ] {
        if let Some(v) = param(ctx, params, name).filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={v}"));
        }
    }
    if op == "update user" {
        parts.push("StrongAuthenticationMethod changed".to_owned());
    }
    let hides = param(ctx, params, "MoveToFolder").is_some_and(|f| {
        let f = f.to_ascii_lowercase();
        ["rss", "archive", "conversation history", "deleted items", "junk"]
            .iter()
            .any(|h| f.contains(h))
    }) || param(ctx, params, "MarkAsRead")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || param(ctx, params, "DeleteMessage").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let forwards: Vec<&str> = a.forward_to.iter().map(|f| ctx.s(*f)).collect();
    let mut detail = op_raw.to_owned();
    if !parts.is_empty() {
        detail.push_str(&format!(" ({})", parts.join(", ")));
    }
    if hides {
        detail.push_str(", hides incoming mail");
    }
    if !forwards.is_empty() {
        detail.push_str(&format!(", forwards to {}", forwards.join("; ")));
    }
    Some((class, detail))
}

/// The request id a unique token id encodes (base64url of the GUID's .NET byte order).
pub(crate) fn uti_to_request_id(uti: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(uti.trim().trim_end_matches('='))
        .ok()?;
    let arr: [u8; 16] = bytes.try_into().ok()?;
    Some(uuid::Uuid::from_bytes_le(arr).hyphenated().to_string())
}

/// How an audit event is tied to a suspicious sign-in, if it is.
fn tie(ctx: &Ctx<'_>, audit: &Event, sign_in: &Event) -> Option<&'static str> {
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
        _ => None,
    }
}

/// Audit operations of `user` linked to the suspicious sign-ins `anchors` (positions, sorted).
pub(crate) fn link(ctx: &Ctx<'_>, user: Sym, anchors: &[Pos]) -> Vec<Linked> {
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
        let Some((class, detail)) = classify(ctx, e) else { continue };
        let mut best: Option<(u8, Pos, &'static str)> = None;
        for &a in &sign_ins {
            let s = ctx.ev(a);
            if s.time > e.time || e.time - s.time > window {
                continue;
            }
            if let Some(by) = tie(ctx, e, s) {
                let rank = match by {
                    "token" => 0,
                    "session" => 1,
                    _ => 2,
                };
                if best.is_none_or(|(r, _, _)| rank < r) {
                    best = Some((rank, a, by));
                }
            }
        }
        if let Some((_, anchor, by)) = best {
            out.push(Linked { pos: p, anchor, by, class, detail });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn linked(b: &Builder) -> Vec<(String, &'static str, Class)> {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let anchor =
            ctx.positions().find(|&p| ctx.ev(p).kind == EventKind::NonInteractive).unwrap();
        let user = ctx.ev(anchor).user;
        link(&ctx, user, &[anchor]).into_iter().map(|l| (l.detail, l.by, l.class)).collect()
    }

    #[test]
    fn request_id_decodes_from_the_uti() {
        // docs/formats.md §0 note 1, first public sample.
        assert_eq!(
            uti_to_request_id("Bz1hOI89WU2reqpL121fAA").as_deref(),
            Some("38613d07-3d8f-4d59-ab7a-aa4bd76d5f00")
        );
        assert_eq!(uti_to_request_id("not base64!"), None);
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
                "New-InboxRule (Name=., MoveToFolder=RSS Feeds, MarkAsRead=True), hides incoming mail"
                    .to_owned(),
                "ip",
                Class::Persistence
            )
        );
        assert_eq!((got[1].1, got[1].2), ("token", Class::Persistence));
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
}
