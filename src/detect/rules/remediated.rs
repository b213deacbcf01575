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
//! With no audit source loaded at all, nothing can be said: the remediation is `unknown`, never
//! "not contained" (`none` means an audit log was loaded and holds no such operation).
//!
//! ## Example
//! A finding first seen at 09:03; at 11:40 `Update StsRefreshTokenValidFrom Timestamp.` for the
//! user: remediation `sessions-revoked` at 11:40.

use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Rule};
use crate::model::{EventKind, Millis, Sym};
use crate::report::{Remediation, Severity};
use crate::time::rfc3339;

/// The registry entry: states the finding's aftermath, once its rung is known, through
/// [`assess`].
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: None };

/// A finding's remediation: the report's value, its fact (when contained), and the sentence.
pub(crate) struct Assessment {
    pub remediation: Remediation,
    pub fact: Option<Contribution>,
    pub sentence: String,
}

/// The remediation of a finding of `user` first seen at `first` and last seen at `last`, at
/// rung `severity`; `audit_loaded` tells whether any audit source was loaded.
pub(crate) fn assess(
    ctx: &Ctx<'_>,
    actions: &[Action],
    user: Sym,
    (first, last): (Millis, Millis),
    severity: Severity,
    audit_loaded: bool,
) -> Assessment {
    match find(ctx, actions, user, first) {
        Some(act) => {
            let t = ctx.ev(act.pos).time;
            let op = ctx.ds.audit(ctx.ev(act.pos)).map(|x| ctx.s(x.operation)).unwrap_or("");
            let mut d = format!(
                "Contained: {} at {} ({op}).",
                if act.status == "sessions-revoked" {
                    "sessions revoked"
                } else {
                    "account disabled"
                },
                rfc3339(t)
            );
            if last > t {
                // Only a finding the ladder believes in can have an attacker who survived the
                // revocation; a low one's later events are most likely the user's own.
                if severity >= Severity::Medium {
                    d.push_str(&format!(
                        " Suspicious activity continued until {}, after the remediation.",
                        rfc3339(last)
                    ));
                } else {
                    d.push_str(&format!(
                        " This low finding's events go on until {}, which is what the user's own \
                         sign-ins do after a revocation.",
                        rfc3339(last)
                    ));
                }
            }
            Assessment {
                remediation: Remediation { status: act.status.to_owned(), time: rfc3339(t) },
                fact: Some(Contribution::new(ID, 0, d.clone()).referencing(act.pos)),
                sentence: d,
            }
        }
        None if audit_loaded => Assessment {
            remediation: Remediation { status: "none".to_owned(), time: String::new() },
            fact: None,
            sentence: "Not contained: no session revocation or account disable follows in the \
                       loaded audit log."
                .to_owned(),
        },
        None => Assessment {
            remediation: Remediation { status: "unknown".to_owned(), time: String::new() },
            fact: None,
            sentence: "Containment unknown: no audit log is loaded, so a session revocation or an \
                       account disable could not be seen."
                .to_owned(),
        },
    }
}

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

    #[test]
    fn three_states_contained_not_contained_unknown() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        b.ni("alice@x.test", "2026-03-01T13:00:00Z", "203.0.113.7", 14061);
        let a = b.audit("admin@x.test", "2026-03-01T11:40:00Z", "", "Disable account.");
        a.target_user = "alice@x.test".into();
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let acts = actions(&ctx);
        let alice = ctx.ev(0).user;
        let span = (at("2026-03-01T09:00:00Z"), at("2026-03-01T13:00:00Z"));
        let high = assess(&ctx, &acts, alice, span, Severity::High, true);
        assert_eq!(high.remediation.status, "account-disabled");
        assert!(
            high.sentence.contains("continued until 2026-03-01T13:00:00Z, after the remediation")
        );
        let low = assess(&ctx, &acts, alice, span, Severity::Low, true);
        assert!(!low.sentence.contains("after the remediation"), "{}", low.sentence);
        let none = assess(&ctx, &[], alice, span, Severity::High, true);
        assert_eq!((none.remediation.status.as_str(), none.fact), ("none", None));
        let unknown = assess(&ctx, &[], alice, span, Severity::High, false);
        assert_eq!(unknown.remediation.status, "unknown");
        assert!(unknown.sentence.starts_with("Containment unknown"), "{}", unknown.sentence);
    }

    #[test]
    fn true_positive_facts_containment_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        let a = b.audit(
            "admin@x.test",
            "2026-03-08T11:40:00Z",
            "",
            "Update StsRefreshTokenValidFrom Timestamp.",
        );
        a.target_user = "alice@x.test".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 0);
        assert!(f[0].detail.starts_with("Contained: sessions revoked at 2026-03-08T11:40:00Z"));
    }
}
