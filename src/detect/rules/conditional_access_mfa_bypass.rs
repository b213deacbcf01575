//! `conditional-access-mfa-bypass`: a password-only sign-in to Microsoft Graph through a
//! Microsoft first-party app that an MFA policy did not cover.
//!
//! ## What it detects
//! A successful interactive sign-in (in the detection window) with single-factor authentication
//! (and no MFA claim carried by a token), to Microsoft Graph (`00000003-0000-0000-c000-000000000000`),
//! by an application owned by Microsoft's first-party tenant (`appOwnerTenantId =
//! f8cdef31-a31e-4b4a-93e4-5f571e91255a`, or, where the export has no owner tenant, an app of the
//! embedded first-party list), while a Conditional Access policy enforcing MFA as a grant control
//! was `notApplied` to it (`appliedConditionalAccessPolicies`). Only Graph beta JSON, Log Analytics
//! and Defender exports keep the policy detail; the portal's CSV and the UAL do not, and the
//! coverage warnings say so.
//!
//! From an origin that is not the user's (an address outside the user's baseline that is not a
//! familiar network, carrier or device) it is an unfamiliar origin that names the bypass as its
//! corroboration (docs/detection.md §5).
//!
//! ## Why it matters
//! MFA policies are often scoped to a list of apps, or exclude some; Microsoft's own first-party
//! clients (Azure AD PowerShell, Teams, the Office apps) can then obtain a Graph token with the
//! password alone. Password sprays and phished passwords are turned into mailbox and directory
//! access this way: the sign-in log shows the MFA policy as not applied, and a single factor.
//!
//! ## False positives
//! Policies deliberately scoped away from an app the user runs from a trusted location (a named
//! location exclusion usually shows as `notApplied` too); from the user's own network the finding
//! stays low. Fix the policy's scope either way.
//!
//! ## Example
//! `alice` signs in with her password only to Azure Active Directory PowerShell for Microsoft
//! Graph from 203.0.113.7 (AS14061 DigitalOcean); "Require MFA for all users" was notApplied:
//! a Conditional Access MFA bypass, +30 points, high with the hosting network.

use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, raised_sign_ins, variant_fact};
use crate::enrich;
use crate::model::{AuthRequirement, Event, EventKind};

use super::aitm_kit_fingerprint::CLAIM_IN_TOKEN;
use super::tycoon_2fa::resource_among;

/// Rule id.
pub(crate) const ID: &str = "conditional-access-mfa-bypass";

/// The tenant that owns Microsoft's first-party applications.
pub(crate) const MICROSOFT_APPS_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// Microsoft Graph (resource id).
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// Why a sign-in is a Conditional Access MFA bypass through a first-party app, if it is.
pub(crate) fn reason(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    if e.kind != EventKind::Interactive || !e.is_success() {
        return None;
    }
    let auth = ctx.ds.auth(e);
    let policies = ctx.s(auth.ca_mfa_not_applied);
    if policies.is_empty()
        || auth.auth_requirement != AuthRequirement::SingleFactor
        || ctx.s(auth.mfa_detail).to_ascii_lowercase().contains(CLAIM_IN_TOKEN)
    {
        return None;
    }
    let app = ctx.ds.app(e);
    let resource = resource_among(ctx.s(app.resource), &[GRAPH])?;
    let owner = ctx.s(auth.app_owner_tenant).trim();
    let app_id = ctx.s(app.app_id);
    let first_party = if owner.is_empty() {
        enrich::app_name(app_id).is_some()
    } else {
        owner.eq_ignore_ascii_case(MICROSOFT_APPS_TENANT)
    };
    if !first_party {
        return None;
    }
    let name = enrich::app_name(app_id)
        .map(str::to_owned)
        .or_else(|| Some(ctx.s(app.app_name).to_owned()).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| app_id.to_owned());
    Some(format!(
        "a single-factor sign-in to {resource} by the first-party app {name} while the MFA \
         policy \"{policies}\" was not applied"
    ))
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
        g.ctx.settings.weights.conditional_access_mfa_bypass,
        "Conditional Access MFA bypass through a first-party app",
        "likely a policy scoped away from a trusted place; fix the policy's scope",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    const AAD_POWERSHELL: &str = "1b730954-1685-4b74-9bfd-dac224a7b894";

    fn matches(b: &Builder) -> Vec<(Pos, String)> {
        with_context(b, &Settings::default(), |ctx, _| run(ctx))
    }

    /// Alice at home for a week, then her password alone through Azure AD PowerShell to Graph
    /// from `ip` / `asn`, "Require MFA for all users" not applied.
    fn bypassed(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", ip, asn);
        s.app_id = AAD_POWERSHELL.into();
        s.resource = "Microsoft Graph".into();
        s.auth_requirement = "singleFactorAuthentication".into();
        s.app_owner_tenant = MICROSOFT_APPS_TENANT.into();
        s.ca_mfa_not_applied = vec!["Require MFA for all users".into()];
        s.country = "NL".into();
        b
    }

    #[test]
    fn true_positive_single_factor_first_party_graph_with_mfa_not_applied() {
        let m = matches(&bypassed("203.0.113.7", 14061));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].1.contains("Azure Active Directory PowerShell"), "{m:?}");
        assert!(m[0].1.contains("\"Require MFA for all users\" was not applied"), "{m:?}");
        // With no owner tenant in the export, a known first-party app id still counts.
        let mut b = bypassed("203.0.113.7", 14061);
        if let Some(crate::sim::Record::SignIn(s)) = b.records.last_mut() {
            s.app_owner_tenant.clear();
        }
        assert_eq!(matches(&b).len(), 1);
    }

    #[test]
    fn benign_lookalike_mfa_done_third_party_app_other_resource_or_policy_applied() {
        let edit = |f: &dyn Fn(&mut crate::sim::SignInRecord)| {
            let mut b = bypassed("203.0.113.7", 14061);
            if let Some(crate::sim::Record::SignIn(s)) = b.records.last_mut() {
                f(s);
            }
            matches(&b)
        };
        assert!(edit(&|s| s.auth_requirement = "multiFactorAuthentication".into()).is_empty());
        assert!(edit(&|s| s.ca_mfa_not_applied.clear()).is_empty(), "no MFA policy left out");
        assert!(
            edit(&|s| {
                s.app_owner_tenant = "0a1b2c3d-0000-4000-8000-000000000000".into();
                s.app_id = "0a1b2c3d-1111-4000-8000-000000000000".into();
            })
            .is_empty(),
            "a customer's own app"
        );
        assert!(edit(&|s| s.resource = "Office 365 Exchange Online".into()).is_empty());
        assert!(edit(&|s| s.interactive = false).is_empty(), "a refresh");
        assert!(
            edit(&|s| s.mfa_detail = "MFA requirement satisfied by claim in the token".into())
                .is_empty()
        );
    }

    #[test]
    fn true_positive_facts_name_the_bypass_and_reach_high() {
        for (ip, asn) in [("203.0.113.7", 14061), ("192.0.2.66", 3320)] {
            let b = bypassed(ip, asn);
            let f = facts_of(&b, "alice@x.test", ID);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].points, 30);
            let w = crate::detect::rules::worst_of(&b, "alice@x.test").expect("a finding");
            assert!(w.severity >= Severity::High, "{ip}: {:?}: {}", w.severity, w.severity_reason);
            assert!(
                w.explanation
                    .iter()
                    .any(|s| s.contains("Conditional Access MFA bypass through a first-party app")),
                "{w:?}"
            );
        }
    }

    #[test]
    fn benign_lookalike_from_the_users_own_network_stays_below_medium() {
        let b = bypassed("198.51.100.77", 7922);
        let w = crate::detect::rules::worst_of(&b, "alice@x.test").expect("reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
    }
}
