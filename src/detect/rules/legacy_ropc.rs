//! `legacy-ropc`: a password sign-in through the resource-owner password credentials (ROPC)
//! grant, which bypasses multifactor authentication.
//!
//! ## What it detects
//! A sign-in (in the detection window) with authentication protocol `ropc` or the user agent
//! `BAV2ROPC` (Exchange's legacy-authentication "basic auth to ROPC" client) that succeeded with
//! single-factor authentication, or an ROPC attempt failing with error 700016 (unknown client id:
//! a tool guessing app ids with a stolen password).
//!
//! From an origin that is not the user's (an address outside the user's baseline that is not a
//! familiar network, carrier or device), it is an unfamiliar origin and the ROPC grant its
//! corroboration on the ladder (docs/detection.md §5); a failed probe is never an origin (it
//! places no token), so alone it stays low.
//!
//! ## Why it matters
//! Crews replaying phished passwords, and password sprays, use ROPC because it never prompts for
//! a second factor; a single-factor ROPC success from a foreign network is a valid password in
//! the attacker's hands. Peers hunt the `BAV2ROPC` user agent for the same reason.
//!
//! ## False positives
//! Old mail clients and scanners still using basic authentication from the office or home; from
//! the user's own network (familiar ASN, carrier or device) the finding stays low.
//!
//! ## Example
//! A single-factor sign-in with user agent `BAV2ROPC` from 203.0.113.7 (AS14061 DigitalOcean),
//! never seen in the user's baseline: +25 points, high with the hosting network.

use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, raised_sign_ins, variant_fact};
use crate::model::{AuthRequirement, Event};

/// Rule id.
pub(crate) const ID: &str = "legacy-ropc";

/// Why a sign-in is a single-factor ROPC success or an ROPC probe, if it is.
pub(crate) fn reason(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    if !e.kind.is_user_sign_in() {
        return None;
    }
    let ua = ctx.s(ctx.ds.client(e).user_agent);
    let via = if ctx.s(ctx.ds.auth(e).auth_protocol).eq_ignore_ascii_case("ropc") {
        "authentication protocol ropc"
    } else if ua.to_ascii_uppercase().contains("BAV2ROPC") {
        "user agent BAV2ROPC"
    } else {
        return None;
    };
    if e.is_success() && ctx.ds.auth(e).auth_requirement == AuthRequirement::SingleFactor {
        Some(format!("a single-factor password sign-in by the ROPC grant ({via})"))
    } else if !e.is_success() && ctx.ds.auth(e).error_code == 700_016 {
        Some(format!("an ROPC attempt with an unknown client id, error 700016 ({via})"))
    } else {
        None
    }
}

/// Every raised sign-in and its reason.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<(Pos, String)> {
    raised_sign_ins(ctx, reason)
}

/// The registry entry.
pub(crate) const RULE: Rule =
    Rule { id: ID, evidence: Evidence::Corroboration, facts: Some(facts) };

/// The finding's fact: the first raised sign-in, and whether its origin is the user's.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    variant_fact(
        g,
        ID,
        g.ctx.settings.weights.legacy_ropc,
        "Legacy ROPC sign-in",
        "likely an old client using basic auth",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn matches(b: &Builder) -> Vec<(Pos, String)> {
        with_context(b, &Settings::default(), |ctx, _| run(ctx))
    }

    fn worst(b: &Builder, user: &str) -> Option<crate::report::Finding> {
        crate::detect::rules::worst_of(b, user)
    }

    /// Alice at home for a week, then a single-factor BAV2ROPC sign-in from `ip` / `asn`.
    fn sprayed(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", ip, asn);
        s.user_agent = "BAV2ROPC".into();
        s.auth_requirement = "singleFactorAuthentication".into();
        b
    }

    #[test]
    fn true_positive_single_factor_success_and_unknown_client_probe() {
        let mut b = sprayed("203.0.113.7", 14061);
        let s = b.i("alice@x.test", "2026-03-08T09:05:00Z", "203.0.113.7", 14061);
        s.auth_protocol = "ropc".into();
        s.error_code = 700_016;
        let m = matches(&b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].1.contains("single-factor") && m[0].1.contains("BAV2ROPC"), "{m:?}");
        assert!(m[1].1.contains("700016"), "{m:?}");
        // The probe alone, from a hosting network, is reported but places no token: low.
        let mut probe = Builder::new();
        at_home(&mut probe, "bob@x.test");
        let s = probe.i("bob@x.test", "2026-03-08T09:05:00Z", "203.0.113.7", 14061);
        s.auth_protocol = "ropc".into();
        s.error_code = 700_016;
        let w = worst(&probe, "bob@x.test").expect("the probe is reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
    }

    #[test]
    fn benign_lookalike_ropc_with_mfa_or_a_wrong_password() {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        // ROPC satisfied with MFA (a conditional-access exception), and a mistyped password.
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        s.auth_protocol = "ropc".into();
        s.auth_requirement = "multiFactorAuthentication".into();
        let s = b.i("alice@x.test", "2026-03-08T09:01:00Z", "203.0.113.7", 14061);
        s.auth_protocol = "ropc".into();
        s.error_code = 50126;
        assert!(matches(&b).is_empty(), "{:?}", matches(&b));
    }

    #[test]
    fn true_positive_facts_reach_high_from_an_unfamiliar_or_hosting_origin() {
        for (ip, asn) in [("203.0.113.7", 14061), ("192.0.2.66", 3320)] {
            let b = sprayed(ip, asn);
            let f = facts_of(&b, "alice@x.test", ID);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].points, 25);
            assert!(f[0].detail.starts_with("Legacy ROPC sign-in:"), "{f:?}");
            let w = worst(&b, "alice@x.test").expect("a finding");
            assert!(w.severity >= Severity::High, "{ip}: {:?}: {}", w.severity, w.severity_reason);
        }
    }

    #[test]
    fn benign_lookalike_old_mail_client_at_home_stays_below_medium() {
        let b = sprayed("198.51.100.77", 7922);
        let w = worst(&b, "alice@x.test").expect("the sign-in is still reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
    }
}
