//! `tycoon-2fa`: the sign-in shapes of the Tycoon 2FA phishing kit: a scripting runtime driving
//! the Microsoft Authentication Broker or OfficeHome, and the broker's device-code flow logged as
//! interactive.
//!
//! ## What it detects
//! A successful sign-in (in the detection window, from an Entra export or a UAL `UserLoggedIn`
//! record) with any of:
//! - the user agent of a JavaScript runtime (`node`, `axios/…`, `undici`, `node-fetch`) and the
//!   Microsoft Authentication Broker (`29d9ed98-a469-4536-ade2-f981bc1d605e`) to Microsoft Graph
//!   (`00000003-0000-0000-c000-000000000000`) or Exchange Online
//!   (`00000002-0000-0ff1-ce00-000000000000`);
//! - the same user agents and OfficeHome (`4765445b-32c6-49b0-83e6-1d93765276ca`) calling itself
//!   (OfficeHome as its own resource);
//! - the broker with the device-code flow (authentication protocol `deviceCode` or transfer method
//!   `deviceCodeFlow`) logged as an interactive sign-in, to Exchange Online, SharePoint Online
//!   (`00000003-0000-0ff1-ce00-000000000000`) or Microsoft Graph.
//!
//! It extends `aitm-kit-fingerprint` rather than duplicating it: that rule already calls any
//! scripting user agent a kit trace; on a sign-in this rule names, the kit fingerprint drops its
//! scripting-agent reason so the same user agent is not counted twice (its OfficeHome-from-hosting
//! and claim-in-token reasons stay). On the ladder it is a kit fingerprint (corroboration): from
//! an origin that is not the user's (an address outside the user's baseline that is not a familiar
//! network, carrier or device) it is an unfamiliar origin that names Tycoon 2FA as its
//! corroboration; alone from the user's own network it stays a kit fingerprint alone.
//!
//! ## Why it matters
//! Tycoon 2FA, the most common phishing-as-a-service kit of 2024–2026, relays the victim's
//! credentials and MFA from a Node.js back end: its requests reach Entra ID with the runtime's own
//! user agent, through the broker (a family-of-client-ids app whose refresh token opens Graph and
//! Exchange) or through OfficeHome, and its device-code mode has the broker redeem a code in an
//! interactive flow no real broker client produces.
//!
//! ## False positives
//! In-house automation written in Node.js that signs a user in through the broker (rare: the
//! broker is a first-party client for Windows and mobile); it runs daily from the same network, so
//! the ladder's habitual-script guard keeps it below medium.
//!
//! ## Example
//! `alice` signs in through the Microsoft Authentication Broker to Microsoft Graph with user agent
//! `axios/1.7.9` from 203.0.113.7 (AS14061 DigitalOcean), never seen in her baseline: Tycoon 2FA,
//! +30 points, high with the hosting network.

use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, raised_sign_ins, variant_fact};
use crate::enrich;
use crate::model::{Event, EventKind};

use super::aitm_kit_fingerprint::tool_agent;
use super::device_code_phishing::BROKER_APP_ID;

/// Rule id.
pub(crate) const ID: &str = "tycoon-2fa";

/// Exchange Online, Microsoft Graph and SharePoint Online (resource ids).
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const SHAREPOINT: &str = "00000003-0000-0ff1-ce00-000000000000";

/// The JavaScript runtimes' user agents Tycoon 2FA's back end sends (as `tool_agent` names them).
const JS_RUNTIMES: [&str; 4] = ["node", "axios", "undici", "node-fetch"];

/// The name of `resource` (an id or a logged name) when it is one of `ids`.
pub(crate) fn resource_among(resource: &str, ids: &[&'static str]) -> Option<&'static str> {
    let r = resource.trim();
    ids.iter().find_map(|&id| {
        let name = enrich::app_name(id).unwrap_or(id);
        (r.eq_ignore_ascii_case(id) || r.eq_ignore_ascii_case(name)).then_some(name)
    })
}

/// Why a sign-in has one of Tycoon 2FA's shapes, if it has.
pub(crate) fn reason(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    if !e.kind.is_user_sign_in() || !e.is_success() {
        return None;
    }
    let app = ctx.ds.app(e);
    let app_id = ctx.s(app.app_id);
    let resource = ctx.s(app.resource);
    let broker = app_id.eq_ignore_ascii_case(BROKER_APP_ID);
    // The app first: most sign-ins are neither the broker nor OfficeHome, and reading the user
    // agent costs a lower-cased copy.
    if !broker && !app_id.eq_ignore_ascii_case(enrich::OFFICE_HOME_APP_ID) {
        return None;
    }
    let ua = ctx.s(ctx.ds.client(e).user_agent);
    if let Some(tool) = tool_agent(ua).filter(|t| JS_RUNTIMES.contains(t)) {
        if broker && let Some(r) = resource_among(resource, &[GRAPH, EXCHANGE]) {
            return Some(format!(
                "user agent \"{ua}\" (the {tool} runtime) through the Microsoft Authentication \
                 Broker to {r}"
            ));
        }
        let office_home = enrich::OFFICE_HOME_APP_ID;
        if app_id.eq_ignore_ascii_case(office_home)
            && (resource.eq_ignore_ascii_case(office_home)
                || resource.trim().eq_ignore_ascii_case("OfficeHome"))
        {
            return Some(format!(
                "user agent \"{ua}\" (the {tool} runtime) with OfficeHome calling itself"
            ));
        }
    }
    let auth = ctx.ds.auth(e);
    let device_code = ctx.s(auth.auth_protocol).eq_ignore_ascii_case("deviceCode")
        || ctx.s(auth.transfer_method).eq_ignore_ascii_case("deviceCodeFlow");
    if broker
        && device_code
        && e.kind == EventKind::Interactive
        && let Some(r) = resource_among(resource, &[EXCHANGE, SHAREPOINT, GRAPH])
    {
        return Some(format!(
            "the Microsoft Authentication Broker redeeming a device code in an interactive sign-in \
             to {r}"
        ));
    }
    None
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
        g.ctx.settings.weights.tycoon_2fa,
        "Tycoon 2FA phishing kit",
        "likely the user's own script",
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

    /// Alice at home for a week, then the kit's broker sign-in to Graph from `ip` / `asn`.
    fn phished(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", ip, asn);
        s.app_id = BROKER_APP_ID.into();
        s.resource = GRAPH.into();
        s.user_agent = "axios/1.7.9".into();
        s.country = "NL".into();
        b
    }

    #[test]
    fn true_positive_each_shape() {
        let mut b = phished("203.0.113.7", 14061);
        let s = b.ni("alice@x.test", "2026-03-08T09:01:00Z", "203.0.113.7", 14061);
        s.app_id = enrich::OFFICE_HOME_APP_ID.into();
        s.resource = "OfficeHome".into();
        s.user_agent = "node".into();
        let s = b.i("alice@x.test", "2026-03-08T09:02:00Z", "203.0.113.7", 14061);
        s.app_id = BROKER_APP_ID.into();
        s.resource = "Office 365 Exchange Online".into();
        s.auth_protocol = "deviceCode".into();
        let m = matches(&b);
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m[0].1.contains("axios") && m[0].1.contains("Microsoft Graph"), "{m:?}");
        assert!(m[1].1.contains("OfficeHome calling itself"), "{m:?}");
        assert!(m[2].1.contains("device code") && m[2].1.contains("Exchange"), "{m:?}");
    }

    #[test]
    fn benign_lookalike_other_tools_apps_and_flows_are_not_tycoon() {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        // python-requests through the broker: a scripting agent (aitm-kit-fingerprint's), not
        // the kit's Node.js back end.
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        s.app_id = BROKER_APP_ID.into();
        s.resource = GRAPH.into();
        s.user_agent = "python-requests/2.31.0".into();
        // axios to Graph through another app; OfficeHome to Graph with node.
        let s = b.i("alice@x.test", "2026-03-08T09:01:00Z", "203.0.113.7", 14061);
        s.app_id = "04b07795-8ddb-461a-bbee-02f9e1bf7b46".into();
        s.resource = GRAPH.into();
        s.user_agent = "axios/1.7.9".into();
        let s = b.i("alice@x.test", "2026-03-08T09:02:00Z", "203.0.113.7", 14061);
        s.app_id = enrich::OFFICE_HOME_APP_ID.into();
        s.resource = GRAPH.into();
        s.user_agent = "node".into();
        // The broker's device code, non-interactive (a Windows device's own broker refresh).
        let s = b.ni("alice@x.test", "2026-03-08T09:03:00Z", "203.0.113.7", 14061);
        s.app_id = BROKER_APP_ID.into();
        s.resource = GRAPH.into();
        s.auth_protocol = "deviceCode".into();
        // OfficeHome calling itself from a browser.
        let s = b.i("alice@x.test", "2026-03-08T09:04:00Z", "198.51.100.20", 7922);
        s.app_id = enrich::OFFICE_HOME_APP_ID.into();
        s.resource = "OfficeHome".into();
        assert!(matches(&b).is_empty(), "{:?}", matches(&b));
    }

    #[test]
    fn true_positive_facts_name_the_kit_and_reach_high_without_double_counting_the_agent() {
        for (ip, asn) in [("203.0.113.7", 14061), ("192.0.2.66", 3320)] {
            let b = phished(ip, asn);
            let f = facts_of(&b, "alice@x.test", ID);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].points, 30);
            assert!(f[0].detail.starts_with("Tycoon 2FA phishing kit:"), "{f:?}");
            // The kit fingerprint does not count the same axios user agent again.
            let kit = facts_of(&b, "alice@x.test", "aitm-kit-fingerprint");
            assert!(kit.iter().all(|k| !k.detail.contains("axios")), "{kit:?}");
            let w = worst(&b, "alice@x.test").expect("a finding");
            assert!(w.severity >= Severity::High, "{ip}: {:?}: {}", w.severity, w.severity_reason);
            assert!(w.explanation.iter().any(|s| s.contains("Tycoon 2FA")), "{w:?}");
            if asn != 14061 {
                assert!(w.severity_reason.contains("Tycoon 2FA"), "{}", w.severity_reason);
            }
        }
    }

    #[test]
    fn benign_lookalike_daily_node_automation_from_its_own_network_stays_below_medium() {
        let mut b = Builder::new();
        at_home(&mut b, "ops@x.test");
        // An in-house Node.js job signs the account in through the broker every day from home.
        for day in 1..=9 {
            let s = b.ni("ops@x.test", &format!("2026-03-0{day}T03:00:00Z"), "198.51.100.20", 7922);
            s.app_id = BROKER_APP_ID.into();
            s.resource = GRAPH.into();
            s.user_agent = "node".into();
        }
        let w = worst(&b, "ops@x.test").expect("reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
    }
}
