//! `aitm-kit-fingerprint`: traces AiTM phishing kits leave in sign-in and audit logs.
//!
//! ## What it detects
//! A successful sign-in (in the detection window) with any of:
//! - an interactive browser sign-in to OfficeHome (`4765445b-32c6-49b0-83e6-1d93765276ca`) with
//!   an empty device id from a hosting ASN (the kit's proxy signing the victim in);
//! - a scripting-library user agent: node, axios, undici, python-requests, Go-http-client;
//! - "MFA requirement satisfied by claim in the token" on an interactive sign-in from an address
//!   and prefix no *other* baseline interactive sign-in of the user came from (a cookie replayed
//!   in the attacker's browser);
//!
//! and, on audit operations tied to a finding, `ClientInfoString` `Client=OWA;Action=ViaProxy`.
//!
//! ## Why it matters
//! Evilginx-style kits proxy OfficeHome; Tycoon 2FA and others drive sign-ins with node/axios.
//! Microsoft-Analyzer-Suite and Defender's OfficeHome pivot hunt key on these shapes.
//!
//! ## False positives
//! Admin scripts using python-requests or Go with a user's token; cloud desktops signing in to
//! OfficeHome from a hosting ASN; a traveller's first sign-in abroad satisfied by a token claim.
//!
//! ## Example
//! Interactive OfficeHome sign-in from 203.0.113.7 (AS14061 DigitalOcean) with no device id,
//! user agent `axios/1.6.8`: two fingerprints, +30 points.

use crate::detect::baseline::Baselines;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::enrich;
use crate::model::{Event, EventKind, Sym};
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "aitm-kit-fingerprint";

/// The MFA detail text of a replayed claim.
pub(crate) const CLAIM_IN_TOKEN: &str = "mfa requirement satisfied by claim in the token";

/// How the reason naming a scripting user agent begins (`tycoon-2fa` takes it over).
pub(crate) const SCRIPTING_AGENT: &str = "user agent \"";

const TOOL_AGENTS: [&str; 6] =
    ["axios/", "undici", "python-requests/", "go-http-client/", "node-fetch", "node/"];

/// A matched sign-in and its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KitMatch {
    pub pos: Pos,
    pub reasons: Vec<String>,
}

/// The tool a user agent names, if it is a scripting library.
pub(crate) fn tool_agent(ua: &str) -> Option<&'static str> {
    let lower = ua.trim().to_ascii_lowercase();
    if lower == "node" || lower.starts_with("node ") {
        return Some("node");
    }
    TOOL_AGENTS.iter().copied().find(|t| lower.contains(t)).map(|t| t.trim_end_matches('/'))
}

/// True when an audit operation's client info shows OWA's proxy action.
pub(crate) fn via_proxy(ctx: &Ctx<'_>, e: &Event) -> bool {
    ctx.ds.audit(e).is_some_and(|a| {
        ctx.s(a.client_info).to_ascii_lowercase().replace(' ', "").contains("action=viaproxy")
    })
}

/// Every fingerprinted sign-in.
pub(crate) fn run(ctx: &Ctx<'_>, baselines: &Baselines) -> Vec<KitMatch> {
    let mut out = Vec::new();
    let mut tools: crate::detect::HashMap<Sym, Option<&'static str>> =
        crate::detect::HashMap::default();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        if !e.kind.is_user_sign_in() || !e.is_success() || !ctx.in_detection(e.time) {
            continue;
        }
        let mut reasons = Vec::new();
        let client = ctx.s(ctx.ds.client(e).client_app);
        if e.kind == EventKind::Interactive
            && ctx.s(ctx.ds.app(e).app_id).eq_ignore_ascii_case(enrich::OFFICE_HOME_APP_ID)
            && (client.is_empty() || client.eq_ignore_ascii_case("browser"))
            && ctx.ds.client(e).device_id.is_empty()
            && ctx.is_hosting(ctx.asn(e))
        {
            reasons.push(format!(
                "interactive OfficeHome browser sign-in with no device id from hosting network {}",
                enrich::asn_label(ctx.asn(e))
            ));
        }
        let ua = ctx.ds.client(e).user_agent;
        // Once per distinct user agent, not per sign-in (it lower-cases and scans the text).
        let tool = *tools.entry(ua).or_insert_with(|| tool_agent(ctx.s(ua)));
        if let Some(tool) = tool {
            reasons.push(format!(
                "{SCRIPTING_AGENT}{}\" is the {tool} scripting library, typical of kits replaying \
                 tokens",
                ctx.s(ctx.ds.client(e).user_agent)
            ));
        }
        if e.kind == EventKind::Interactive
            && ctx.s(ctx.ds.auth(e).mfa_detail).to_ascii_lowercase().contains(CLAIM_IN_TOKEN)
            && let (Some(ip), Some(b)) = (ctx.ds.ip(e), baselines.get(e.user))
            && !b.knows_ip_from_others(
                ctx,
                ip,
                ctx.in_baseline(e.time) && b.excluded.binary_search(&pos).is_err(),
            )
        {
            reasons.push(format!(
                "interactive sign-in whose MFA was \"satisfied by claim in the token\" from {ip}, \
                 a network no other interactive sign-in of the user came from"
            ));
        }
        if !reasons.is_empty() {
            out.push(KitMatch { pos, reasons });
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule =
    Rule { id: ID, evidence: Evidence::Corroboration, facts: Some(facts) };

/// The finding's fact: the first fingerprinted sign-in, and OWA's proxy action on a linked
/// operation.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let mut kit: Vec<String> = Vec::new();
    if let Some(&p) = g.active.iter().find(|p| !g.anchors[p].kit.is_empty()) {
        kit.push(format!("at {}: {}", rfc3339(ctx.ev(p).time), g.anchors[&p].kit.join("; ")));
    }
    if let Some(l) = g.linked.iter().find(|l| via_proxy(ctx, ctx.ev(l.pos))) {
        kit.push(format!(
            "{} at {} carries Client=OWA;Action=ViaProxy",
            ctx.ds.audit(ctx.ev(l.pos)).map(|a| ctx.s(a.operation)).unwrap_or(""),
            rfc3339(ctx.ev(l.pos).time)
        ));
    }
    if kit.is_empty() {
        return Vec::new();
    }
    vec![Contribution::new(
        ID,
        ctx.settings.weights.aitm_kit_fingerprint,
        format!("AiTM kit trace {}.", kit.join("; ")),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::with_context;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn matches(b: &Builder) -> Vec<KitMatch> {
        with_context(b, &Settings::default(), run)
    }

    #[test]
    fn true_positive_officehome_proxy_sign_in() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T08:00:00Z", "198.51.100.20", 7922);
        let r = b.i("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        r.app_id = enrich::OFFICE_HOME_APP_ID.into();
        r.user_agent = "axios/1.6.8".into();
        let r = b.i("alice@x.test", "2026-03-01T09:05:00Z", "192.0.2.66", 24940);
        r.mfa_detail = "MFA requirement satisfied by claim in the token".into();
        let m = matches(&b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].reasons.len(), 2, "{m:?}");
        assert!(m[1].reasons[0].contains("claim in the token"));
    }

    #[test]
    fn benign_lookalike_registered_device_and_known_network() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T08:00:00Z", "198.51.100.20", 7922);
        // OfficeHome from the user's own, registered laptop on a cloud desktop.
        let r = b.i("alice@x.test", "2026-03-01T09:00:00Z", "203.0.113.7", 14061);
        r.app_id = enrich::OFFICE_HOME_APP_ID.into();
        r.device_id = "dev-1".into();
        r.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/122.0".into();
        // A claim in the token on the usual network.
        let r = b.i("alice@x.test", "2026-03-01T10:00:00Z", "198.51.100.21", 7922);
        r.mfa_detail = "MFA requirement satisfied by claim in the token".into();
        assert!(matches(&b).is_empty());
        assert_eq!(tool_agent("Mozilla/5.0 (Macintosh) Safari/605.1.15"), None);
        assert_eq!(tool_agent("python-requests/2.31.0"), Some("python-requests"));
    }

    #[test]
    fn true_positive_facts_tool_agent_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018).user_agent =
            "axios/1.6.8".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 30);
        assert!(f[0].detail.contains("\"axios/1.6.8\" is the axios scripting library"), "{f:?}");
    }
}
