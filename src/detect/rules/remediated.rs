//! `remediated`: sessions revoked or the account disabled after the finding.
//!
//! ## What it detects
//! An audit operation targeting the user at or after the finding's first event:
//! `Update StsRefreshTokenValidFrom Timestamp.` (what `Revoke-MgUserSignInSession` and the portal's
//! "Revoke sessions" log) marks the finding `sessions-revoked`; `Disable account.` or
//! `Update user.` setting `AccountEnabled` to false marks it `account-disabled`. The earliest such
//! operation wins, with its time.
//!
//! ## Why it matters
//! The analyst needs to know which compromises are already contained and which still need T0
//! containment; activity after the revocation means containment failed.
//!
//! ## False positives
//! Routine revocations (offboarding, password resets) also mark a finding contained: the report
//! shows the operation and time so the analyst can judge.
//!
//! ## Example
//! A finding first seen at 09:03; at 11:40 `Update StsRefreshTokenValidFrom Timestamp.` for the
//! user: remediation `sessions-revoked` at 11:40.

use crate::detect::context::{Ctx, Pos};
use crate::model::{EventKind, Millis, Sym};

/// Rule id.
pub(crate) const ID: &str = "remediated";

/// A remediation action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Action {
    pub pos: Pos,
    /// The targeted user (lower case).
    pub target: String,
    /// `sessions-revoked` or `account-disabled`.
    pub status: &'static str,
}

/// Every remediation action in the data, in time order.
pub(crate) fn actions(ctx: &Ctx<'_>) -> Vec<Action> {
    let mut out = Vec::new();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        let Some(a) = ctx.ds.audit(e).filter(|_| e.kind == EventKind::Audit) else { continue };
        let op = ctx.s(a.operation).trim().trim_end_matches('.').to_ascii_lowercase();
        let status = match op.as_str() {
            "update stsrefreshtokenvalidfrom timestamp" => "sessions-revoked",
            "disable account" => "account-disabled",
            "update user"
                if a.parameters.iter().any(|(k, v)| {
                    ctx.s(*k).eq_ignore_ascii_case("AccountEnabled")
                        && ctx.s(*v).to_ascii_lowercase().contains("false")
                }) =>
            {
                "account-disabled"
            }
            _ => continue,
        };
        let target = if a.target_user.is_empty() { e.user } else { a.target_user };
        out.push(Action { pos, target: ctx.s(target).to_lowercase(), status });
    }
    out
}

/// The first action for `user` at or after `after`.
pub(crate) fn find<'a>(
    ctx: &Ctx<'_>,
    actions: &'a [Action],
    user: Sym,
    after: Millis,
) -> Option<&'a Action> {
    let name = ctx.s(user).to_lowercase();
    actions.iter().find(|a| a.target == name && ctx.ev(a.pos).time >= after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::{Builder, at};

    #[test]
    fn true_positive_revocation_after_the_finding() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        let a = b.audit(
            "admin@x.test",
            "2026-03-01T11:40:00Z",
            "",
            "Update StsRefreshTokenValidFrom Timestamp.",
        );
        a.target_user = "Alice@x.test".into();
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let acts = actions(&ctx);
        let found = find(&ctx, &acts, ctx.ev(0).user, at("2026-03-01T09:00:00Z")).unwrap();
        assert_eq!(found.status, "sessions-revoked");
        assert_eq!(ctx.ev(found.pos).time, at("2026-03-01T11:40:00Z"));
    }

    #[test]
    fn benign_lookalike_earlier_or_other_user_or_other_update() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        let a = b.audit("admin@x.test", "2026-03-01T08:00:00Z", "", "Disable account.");
        a.target_user = "alice@x.test".into();
        let a = b.audit("admin@x.test", "2026-03-01T10:00:00Z", "", "Disable account.");
        a.target_user = "bob@x.test".into();
        let a = b.audit("admin@x.test", "2026-03-01T10:00:00Z", "", "Update user.");
        a.target_user = "alice@x.test".into();
        a.parameters = vec![("AccountEnabled".into(), "[true]".into())];
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let acts = actions(&ctx);
        let alice = ctx.positions().map(|p| ctx.ev(p).user).find(|&u| ctx.s(u) == "alice@x.test");
        assert!(find(&ctx, &acts, alice.unwrap(), at("2026-03-01T09:00:00Z")).is_none());
    }
}
