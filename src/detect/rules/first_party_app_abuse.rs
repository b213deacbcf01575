//! `first-party-app-abuse`: ConsentFix-style authorization-code phishing of a first-party app.
//!
//! ## What it detects
//! A successful sign-in (interactive or not, in the detection window) to Microsoft Graph
//! (`00000003-0000-0000-c000-000000000000`) or the legacy Azure AD Graph
//! (`00000002-0000-0000-c000-000000000000`) by a family-of-client-id developer tool (Azure CLI
//! `04b07795-8ddb-461a-bbee-02f9e1bf7b46`, Visual Studio Code
//! `aebc6443-996d-45c2-90f0-388ff96faa56`, Azure PowerShell `1950a258-227b-4e31-a9cf-717495945fc2`;
//! the dated list is `enrich::FOCI_DEV_APPS`); and either
//! - it is the user's first successful sign-in with that app in the loaded data, or
//! - another sign-in of the same session and app came from a different IP (the victim's
//!   interactive sign-in and the attacker's redemption of the authorization code), or
//! - in the Unified Audit Log (`UserLoggedIn` records, which carry no session id on every
//!   request), an `OAuth2:Token` request of the app came from another IP than the user's
//!   `OAuth2:Authorize` request of the same app within the authorization code's lifetime
//!   (10 minutes).
//!
//! From an origin that is not the user's (an address outside the user's baseline that is not a
//! familiar network, carrier or device), it is an unfamiliar origin and names the variant as its
//! corroboration on the ladder (docs/detection.md §5).
//!
//! ## Why it matters
//! In ConsentFix-style phishing the attacker sends the user an authorization link for a
//! pre-consented first-party public client such as Azure CLI; the user signs in (with MFA, on
//! Microsoft's own page) and pastes the resulting `localhost` redirect, which carries the
//! authorization code, into the attacker's page. The attacker redeems the code from their own
//! machine and holds Graph access and a family refresh token: no proxy, no consent prompt, no
//! new app in the tenant. The tool's first use by a user who never ran it, and one session
//! redeemed from a second IP, are the traces the sign-in logs keep.
//!
//! ## False positives
//! Developers and administrators use these tools every day; their first use lies in the baseline,
//! and from the user's own network (familiar ASN, carrier or device) the finding stays low.
//!
//! ## Example
//! `alice`, who never used Azure CLI, signs in to it interactively from home at 09:00 (own origin,
//! low); at 09:04 the same session redeems a token for the legacy Azure AD Graph from
//! 203.0.113.7 (AS14061 DigitalOcean): first-party app abuse, +35 points, high with the hosting
//! network.

use crate::detect::HashMap;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, variant_fact};
use crate::enrich;
use crate::model::{Event, Id, Sym};
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "first-party-app-abuse";

/// The resources a ConsentFix-style code is redeemed for: Microsoft Graph and the legacy Azure AD
/// Graph (matched by id, or by the name `enrich::FIRST_PARTY_APPS` gives them, since the logs name
/// the resource when they can).
pub(crate) const GRAPH_RESOURCES: [&str; 2] =
    ["00000003-0000-0000-c000-000000000000", "00000002-0000-0000-c000-000000000000"];

/// The Graph resource a sign-in is for, as the analyst reads it, if it is one.
fn graph_resource(resource: &str) -> Option<&'static str> {
    GRAPH_RESOURCES.iter().find_map(|&id| {
        let name = enrich::app_name(id).unwrap_or(id);
        (resource.eq_ignore_ascii_case(id) || resource.eq_ignore_ascii_case(name)).then_some(name)
    })
}

/// An authorization code lives 10 minutes: the window between the UAL's `OAuth2:Authorize` and
/// the `OAuth2:Token` that redeems it.
const CODE_LIFETIME: i64 = 10 * 60_000;

/// The `RequestType` of a UAL sign-in record (`OAuth2:Authorize`, `OAuth2:Token`, …), if it is
/// one.
fn ual_request_type<'a>(ctx: &Ctx<'a>, e: &Event) -> Option<&'a str> {
    if !e.is_ual_sign_in() {
        return None;
    }
    let a = ctx.ds.audit(e)?;
    a.parameters
        .iter()
        .find(|(n, _)| ctx.s(*n).eq_ignore_ascii_case("RequestType"))
        .map(|(_, v)| ctx.s(*v).trim())
}

/// The name of a sign-in's developer tool, if it is one of `enrich::FOCI_DEV_APPS`.
fn dev_app(ctx: &Ctx<'_>, e: &Event) -> Option<&'static str> {
    let id = ctx.s(ctx.ds.app(e).app_id);
    enrich::is_foci_dev_app(id)
        .then(|| enrich::app_name(id).unwrap_or("a first-party developer tool"))
}

/// A raised sign-in and its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Match {
    pub pos: Pos,
    pub reason: String,
}

/// Every raised sign-in, per user in time order.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<Match> {
    let mut out = Vec::new();
    for &user in ctx.users() {
        // Per app: whether the user used it before. Per session and app: its first sign-in with
        // a logged IP (the victim's, in a ConsentFix redemption).
        let mut used: Vec<Sym> = Vec::new();
        let mut sessions: HashMap<(Id, Sym), Pos> = HashMap::default();
        // Per app: the user's last UAL `OAuth2:Authorize` request (the victim's).
        let mut authorized: HashMap<Sym, Pos> = HashMap::default();
        for &p in ctx.user_positions(user) {
            let e = ctx.ev(p);
            if !e.kind.is_user_sign_in() || !e.is_success() {
                continue;
            }
            let Some(app) = dev_app(ctx, e) else { continue };
            let app_id = ctx.ds.app(e).app_id;
            let first = !used.contains(&app_id);
            if first {
                used.push(app_id);
            }
            let ip = ctx.ds.ip(e).map(|i| i.to_canonical());
            let request = ual_request_type(ctx, e);
            let redeemed_elsewhere = match request {
                Some(r) if r.eq_ignore_ascii_case("OAuth2:Authorize") => {
                    authorized.insert(app_id, p);
                    None
                }
                Some(r) if r.eq_ignore_ascii_case("OAuth2:Token") => {
                    authorized.get(&app_id).copied().filter(|&q| {
                        let o = ctx.ev(q);
                        e.time - o.time <= CODE_LIFETIME
                            && ip.is_some()
                            && ctx.ds.ip(o).map(|i| i.to_canonical()).is_some_and(|i| Some(i) != ip)
                    })
                }
                _ => None,
            };
            let other = match ip {
                Some(ip) if !e.session_id.is_empty() => {
                    let q = *sessions.entry((e.session_id, app_id)).or_insert(p);
                    (ctx.ds.ip(ctx.ev(q)).map(|i| i.to_canonical()) != Some(ip)).then_some(q)
                }
                _ => None,
            };
            let Some(resource) = graph_resource(ctx.s(ctx.ds.app(e).resource)) else { continue };
            if !ctx.in_detection(e.time) {
                continue;
            }
            let reason = if let Some(q) = redeemed_elsewhere {
                format!(
                    "in the Unified Audit Log, {app}'s OAuth2:Authorize from {} at {}, then its \
                     OAuth2:Token from {} (an authorization code redeemed elsewhere; to \
                     {resource})",
                    ctx.origin_label(ctx.ev(q)),
                    rfc3339(ctx.ev(q).time),
                    ctx.origin_label(e)
                )
            } else if first {
                format!("the user's first sign-in with {app} in the data, to {resource}")
            } else if let Some(q) = other {
                format!(
                    "one {app} session from two IPs ({} at {}, then {}; to {resource})",
                    ctx.origin_label(ctx.ev(q)),
                    rfc3339(ctx.ev(q).time),
                    ctx.origin_label(e)
                )
            } else {
                continue;
            };
            out.push(Match { pos: p, reason });
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Origin, facts: Some(facts) };

/// The finding's fact: the first raised sign-in, and whether its origin is the user's.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    variant_fact(
        g,
        ID,
        g.ctx.settings.weights.first_party_app_abuse,
        "ConsentFix-style authorization-code phishing of a first-party app",
        "likely the user's own use of the tool",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    const AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    const AAD_GRAPH: &str = "00000002-0000-0000-c000-000000000000";

    fn matches(b: &Builder) -> Vec<Match> {
        with_context(b, &Settings::default(), |ctx, _| run(ctx))
    }

    /// The worst finding of `user` after the whole detection.
    fn worst(b: &Builder, user: &str) -> Option<crate::report::Finding> {
        crate::detect::rules::worst_of(b, user)
    }

    /// Alice at home for a week, then the victim's interactive Azure CLI sign-in from home and
    /// the attacker's redemption of the code, in the same session, from `ip` / `asn`.
    fn phished(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "198.51.100.20", 7922);
        s.app_id = AZURE_CLI.into();
        s.app_name = "Microsoft Azure CLI".into();
        s.resource = AAD_GRAPH.into();
        s.device_id = "laptop-1".into();
        s.session_id = "cf-1".into();
        let s = b.ni("alice@x.test", "2026-03-08T09:04:00Z", ip, asn);
        s.app_id = AZURE_CLI.into();
        s.app_name = "Microsoft Azure CLI".into();
        s.resource = "Windows Azure Active Directory".into();
        s.session_id = "cf-1".into();
        s.country = "NL".into();
        b
    }

    #[test]
    fn true_positive_first_use_and_a_session_redeemed_from_a_second_ip() {
        let b = phished("203.0.113.7", 14061);
        let m = matches(&b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].reason.starts_with("the user's first sign-in with Microsoft Azure CLI"),
            "{m:?}"
        );
        assert!(m[0].reason.ends_with("to Windows Azure Active Directory"), "{m:?}");
        assert!(m[1].reason.contains("session from two IPs"), "{m:?}");
        assert!(
            m[1].reason.contains("198.51.100.20") && m[1].reason.contains("203.0.113.7"),
            "{m:?}"
        );
    }

    #[test]
    fn only_graph_resources_and_developer_tools_are_raised() {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        // Azure CLI to Azure Resource Manager: its first use, but not a Graph token.
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        s.app_id = AZURE_CLI.into();
        s.resource = "Windows Azure Service Management API".into();
        // OfficeHome to Graph: a first-party app, but not a developer tool.
        let s = b.i("alice@x.test", "2026-03-08T09:01:00Z", "203.0.113.7", 14061);
        s.app_id = enrich::OFFICE_HOME_APP_ID.into();
        s.resource = "Microsoft Graph".into();
        // A failed VS Code sign-in to Graph.
        let s = b.i("alice@x.test", "2026-03-08T09:02:00Z", "203.0.113.7", 14061);
        s.app_id = "aebc6443-996d-45c2-90f0-388ff96faa56".into();
        s.resource = "00000003-0000-0000-c000-000000000000".into();
        s.error_code = 50126;
        assert!(matches(&b).is_empty(), "{:?}", matches(&b));
        // The same VS Code sign-in, successful, is its first use (by id, case-insensitive).
        let mut ok = b.clone();
        let s = ok.i("alice@x.test", "2026-03-08T09:03:00Z", "203.0.113.7", 14061);
        s.app_id = "AEBC6443-996D-45C2-90F0-388FF96FAA56".into();
        s.resource = "00000003-0000-0000-c000-000000000000".into();
        let m = matches(&ok);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].reason.contains("Visual Studio Code") && m[0].reason.contains("Microsoft Graph")
        );
    }

    #[test]
    fn true_positive_facts_name_the_variant_and_reach_high_from_a_hosting_network() {
        let b = phished("203.0.113.7", 14061);
        let f = facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 35);
        assert!(
            f[0].detail
                .starts_with("ConsentFix-style authorization-code phishing of a first-party app:"),
            "{f:?}"
        );
        let w = worst(&b, "alice@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(
            w.explanation
                .iter()
                .any(|s| s
                    .contains("ConsentFix-style authorization-code phishing of a first-party app")),
            "{w:?}"
        );
        assert!(w.rules.iter().any(|r| r == ID), "{:?}", w.rules);
    }

    #[test]
    fn true_positive_reaches_high_from_an_unfamiliar_residential_network() {
        let b = phished("192.0.2.66", 3320);
        let w = worst(&b, "alice@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(
            w.severity_reason.contains("ConsentFix-style authorization-code phishing"),
            "{}",
            w.severity_reason
        );
    }

    #[test]
    fn benign_lookalike_developer_using_azure_cli_daily_from_home_stays_below_medium() {
        let mut b = Builder::new();
        // Dev runs Azure CLI against Graph every day from home; on day 8 the home router gets a
        // new address in the same network, inside one long-lived CLI session.
        for day in 1..=9 {
            let ip = if day < 8 { "198.51.100.20" } else { "198.51.100.77" };
            let s = b.i("dev@x.test", &format!("2026-03-0{day}T08:00:00Z"), ip, 7922);
            s.app_id = AZURE_CLI.into();
            s.resource = "Microsoft Graph".into();
            s.device_id = "laptop-9".into();
            s.session_id = if day < 7 { format!("cli-{day}") } else { "cli-long".into() };
            let s = b.ni("dev@x.test", &format!("2026-03-0{day}T12:00:00Z"), ip, 7922);
            s.app_id = AZURE_CLI.into();
            s.resource = "Microsoft Graph".into();
            s.session_id = if day < 7 { format!("cli-{day}") } else { "cli-long".into() };
        }
        // Raised: the first use, and the new home address (one session, two IPs); both from
        // the user's own network.
        let m = matches(&b);
        assert!(m[0].reason.starts_with("the user's first sign-in"), "{m:?}");
        assert!(m.len() > 1 && m[1..].iter().all(|m| m.reason.contains("two IPs")), "{m:?}");
        let w = worst(&b, "dev@x.test").expect("the sign-in is still reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
        assert!(w.explanation.iter().any(|s| s.contains("user's own origin")), "{w:?}");
    }

    /// The records of `b` as a Purview audit CSV of `UserLoggedIn` records (the UAL alone).
    fn as_ual(b: &Builder) -> crate::ingest::Dataset {
        let mut csv = format!("{}\n", crate::sim::write::PURVIEW_HEADER);
        for r in &b.records {
            if let crate::sim::Record::SignIn(s) = r {
                let mut s = s.clone();
                s.user_id = "6f0c1b2a-1111-4222-8333-444455556666".into();
                s.mfa_method =
                    if s.interactive { "Mobile app notification".into() } else { s.mfa_method };
                csv.push_str(&crate::sim::write::purview_sts_row(
                    &s,
                    crate::sim::write::tenant_id(),
                ));
                csv.push('\n');
            }
        }
        let mut ds = crate::ingest::Dataset::new();
        ds.add_file("ual.csv", csv.as_bytes());
        ds
    }

    #[test]
    fn true_positive_ual_authorize_then_token_from_another_ip() {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        // The victim's authorize request (silent, from home), then the code redeemed from the
        // attacker's server four minutes later; the UAL keeps no session id on them.
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "198.51.100.20", 7922);
        s.app_id = AZURE_CLI.into();
        s.resource_id = "00000003-0000-0000-c000-000000000000".into();
        s.mfa_detail = "MFA requirement satisfied by claim in the token".into();
        s.request_id = "0a000000-0000-4000-8000-000000000001".into();
        let s = b.ni("alice@x.test", "2026-03-08T09:04:00Z", "203.0.113.7", 14061);
        s.app_id = AZURE_CLI.into();
        s.resource_id = "00000003-0000-0000-c000-000000000000".into();
        s.request_id = "0a000000-0000-4000-8000-000000000002".into();
        let ds = as_ual(&b);
        assert!(ds.events.iter().filter(|e| e.is_ual_sign_in()).count() >= 9, "{:?}", ds.files);
        let settings = Settings::default();
        let ctx = crate::detect::context::Ctx::new(&ds, &settings);
        let m = run(&ctx);
        assert!(
            m.iter().any(|m| m.reason.starts_with("in the Unified Audit Log")
                && m.reason.contains("OAuth2:Authorize from 198.51.100.20")
                && m.reason.contains("OAuth2:Token from 203.0.113.7")),
            "{m:?}"
        );
        // Redeemed from home too, or more than ten minutes later: no such pair.
        let mut home = b.clone();
        if let Some(crate::sim::Record::SignIn(s)) = home.records.last_mut() {
            s.ip = "198.51.100.20".into();
        }
        let mut late = b.clone();
        if let Some(crate::sim::Record::SignIn(s)) = late.records.last_mut() {
            s.time += 11 * 60_000;
        }
        for other in [home, late] {
            let ds = as_ual(&other);
            let ctx = crate::detect::context::Ctx::new(&ds, &settings);
            assert!(
                run(&ctx).iter().all(|m| !m.reason.starts_with("in the Unified")),
                "{:?}",
                run(&ctx)
            );
        }
    }
}
