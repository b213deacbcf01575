//! `rogue-device-registration`: a device registered by an attacker's tool, and the primary
//! refresh token (PRT) it is used to steal.
//!
//! ## What it detects
//! - A device registration (`Add device`, `Register device`, in the directory audit log or the
//!   Unified Audit Log) carrying a registration tool's defaults: the OS build `10.0.19041.928`
//!   (ROADtools' default), the OS version `10.0.19045.2006` with a `DESKTOP-XXXXXX` name, the user
//!   agent `Dsreg/10.0 (Windows 10.0.19045.2006)`, or a scripting library's user agent (axios,
//!   python-requests, node, Go). Such a registration is an attacker-typical action of the strong
//!   shape (`attacker-typical-action` raises it on its own, high).
//! - A successful sign-in with `incomingTokenType = primaryRefreshToken` from an unmanaged device
//!   (neither compliant nor managed) within `rogue_device_prt_hours` (8) after a device
//!   registration of the user that carries those defaults, came from an origin that is not the
//!   user's, or has no address to judge.
//! - The Microsoft Authentication Broker (`29d9ed98-a469-4536-ade2-f981bc1d605e`) redeeming a
//!   refresh token (`incomingTokenType = refreshToken`) for the Device Registration Service
//!   (`01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9`): a phished refresh token turned into a device
//!   registration (`adrs_access`).
//!
//! A raised sign-in from an origin that is not the user's (an address outside the user's baseline
//! that is not a familiar network, carrier or device) is an unfamiliar origin that names the rogue
//! device as its corroboration (docs/detection.md §5).
//!
//! ## Why it matters
//! With a phished refresh token for the broker (device-code phishing, Storm-2372, ROADtools'
//! `roadtx`), an attacker registers a device of their own in the tenant and requests a PRT for it.
//! The PRT is bound to the attacker's device, not to a session: revoking the user's sessions or
//! resetting the password does not undo the device, which can ask for a new PRT. Remove the device
//! first, then revoke.
//!
//! ## False positives
//! Windows Autopilot and ordinary joins register devices with their real build and `Dsreg` user
//! agent, and turn managed within the hour; a new personal device registered from home signs in
//! with a PRT from the user's own network, below medium.
//!
//! ## Example
//! `Add device` `DESKTOP-8F2K1QZ`, `CloudDeviceOSVersion = 10.0.19045.2006`, user agent
//! `Dsreg/10.0 (Windows 10.0.19045.2006)` from 203.0.113.7 at 09:10; at 09:30 a sign-in with a
//! primary refresh token from that unmanaged device and address: rogue device registration,
//! +35 points, critical.

use crate::detect::baseline::Baselines;
use crate::detect::context::{Ctx, HOUR, Pos};
use crate::detect::guards;
use crate::detect::rule::{Contribution, Evidence, Group, Rule, variant_fact};
use crate::model::Event;
use crate::time::rfc3339;

use super::aitm_kit_fingerprint::tool_agent;
use super::device_code_phishing::{BROKER_APP_ID, DRS_RESOURCE_ID};

/// Rule id.
pub(crate) const ID: &str = "rogue-device-registration";

/// ROADtools' default OS build for a registered device.
const ROADTOOLS_BUILD: &str = "10.0.19041.928";
/// The OS version registration tools default to (with a `DESKTOP-XXXXXX` name).
const TOOL_OS_VERSION: &str = "10.0.19045.2006";

/// The operation of a device registration, lower-cased and without the UAL's trailing period.
fn is_registration(ctx: &Ctx<'_>, e: &Event) -> bool {
    ctx.ds.audit(e).is_some_and(|a| {
        let op = ctx.s(a.operation).trim().trim_end_matches('.').to_ascii_lowercase();
        op == "add device" || op == "register device"
    })
}

/// True for a `DESKTOP-` name followed by 6 to 8 letters and digits anywhere in `text`.
fn desktop_name(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.match_indices("DESKTOP-").any(|(i, m)| {
        let tail: Vec<u8> = upper.as_bytes()[i + m.len()..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_alphanumeric)
            .collect();
        (6..=8).contains(&tail.len())
    })
}

/// The registration tool's defaults a device registration carries, if any.
pub(crate) fn registration_fingerprint(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    if !is_registration(ctx, e) {
        return None;
    }
    let a = ctx.ds.audit(e)?;
    let ua = ctx.s(ctx.ds.client(e).user_agent);
    let values = || a.parameters.iter().map(|(_, v)| ctx.s(*v));
    if ua.contains(ROADTOOLS_BUILD) || values().any(|v| v.contains(ROADTOOLS_BUILD)) {
        return Some(format!("OS build {ROADTOOLS_BUILD}, ROADtools' default"));
    }
    if ua.to_ascii_lowercase().starts_with("dsreg/") && ua.contains(TOOL_OS_VERSION) {
        return Some(format!("user agent \"{ua}\", a registration tool's default build"));
    }
    if values().any(|v| v.contains(TOOL_OS_VERSION)) && values().any(desktop_name) {
        return Some(format!(
            "OS version {TOOL_OS_VERSION} and a DESKTOP-XXXXXX name, a registration tool's \
             defaults"
        ));
    }
    tool_agent(ua).map(|tool| format!("user agent \"{ua}\", the {tool} scripting library"))
}

/// Every raised sign-in and its reason, per user in time order.
pub(crate) fn run(ctx: &Ctx<'_>, baselines: &Baselines) -> Vec<(Pos, String)> {
    let window = i64::from(ctx.settings.rogue_device_prt_hours) * HOUR;
    let mut out = Vec::new();
    for &user in ctx.users() {
        // The user's suspect registrations: (time, why), in time order.
        let mut suspect: Vec<(i64, String)> = Vec::new();
        for &p in ctx.user_audits(user) {
            let e = ctx.ev(p);
            if !is_registration(ctx, e) || !e.is_success() {
                continue;
            }
            let op = ctx.ds.audit(e).map(|a| ctx.s(a.operation)).unwrap_or("");
            let why = if let Some(f) = registration_fingerprint(ctx, e) {
                format!("{op} at {} with {f}", rfc3339(e.time))
            } else {
                match (baselines.get(e.user), ctx.ds.ip(e)) {
                    (Some(b), Some(ip)) => {
                        if b.knows_ip(ctx, ip) || guards::own_origin(ctx, baselines, p).is_some() {
                            continue;
                        }
                        format!(
                            "{op} at {} from {ip}, an address the user never signed in from",
                            rfc3339(e.time)
                        )
                    }
                    _ => {
                        format!("{op} at {} from an origin the data cannot judge", rfc3339(e.time))
                    }
                }
            };
            suspect.push((e.time, why));
        }
        for &p in ctx.user_positions(user) {
            let e = ctx.ev(p);
            if !e.kind.is_user_sign_in() || !e.is_success() || !ctx.in_detection(e.time) {
                continue;
            }
            let client = ctx.ds.client(e);
            let token = ctx.s(client.incoming_token_type);
            let app = ctx.ds.app(e);
            if token.eq_ignore_ascii_case("refreshToken")
                && ctx.s(app.app_id).eq_ignore_ascii_case(BROKER_APP_ID)
                && {
                    let r = ctx.s(app.resource).trim();
                    r.eq_ignore_ascii_case(DRS_RESOURCE_ID)
                        || r.eq_ignore_ascii_case("Device Registration Service")
                }
            {
                out.push((
                    p,
                    "the Microsoft Authentication Broker redeeming a refresh token for the Device \
                     Registration Service (a phished token turned into a device registration)"
                        .to_owned(),
                ));
                continue;
            }
            if !token.eq_ignore_ascii_case("primaryRefreshToken")
                || client.compliant
                || client.managed
            {
                continue;
            }
            if let Some((t, why)) =
                suspect.iter().rev().find(|(t, _)| *t <= e.time && e.time - *t <= window)
            {
                out.push((
                    p,
                    format!(
                        "a primary refresh token from an unmanaged device {} after {why}",
                        crate::time::duration(e.time - t)
                    ),
                ));
            }
        }
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Action, facts: Some(facts) };

/// The finding's fact: the first raised sign-in (and whose origin it came from), else the first
/// fingerprinted registration among its anchors and linked operations.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let points = ctx.settings.weights.rogue_device_registration;
    let signed = variant_fact(
        g,
        ID,
        points,
        "Rogue device registration and PRT theft",
        "likely a device of the user's own",
    );
    if !signed.is_empty() {
        return signed;
    }
    let ops = g.active.iter().copied().chain(g.linked.iter().map(|l| l.pos));
    let Some((p, why)) = ops
        .filter(|&p| !ctx.ev(p).kind.is_user_sign_in())
        .find_map(|p| registration_fingerprint(ctx, ctx.ev(p)).map(|w| (p, w)))
    else {
        return Vec::new();
    };
    let e = ctx.ev(p);
    let op = ctx.ds.audit(e).map(|a| ctx.s(a.operation)).unwrap_or("");
    vec![Contribution::new(
        ID,
        points,
        format!("Rogue device registration: {op} at {} with {why}.", rfc3339(e.time)),
    )]
}

/// What the finding's remediation says when it holds a rogue device.
pub(crate) const REMEDIATION: &str = "A device was registered in the attacker's hands: remove the \
     device first (Remove-MgDevice, as the containment script does), then revoke the sessions, \
     because a primary refresh token bound to the device survives a session revocation and a \
     password reset.";

/// True when the finding holds a rogue device (a raised sign-in or a fingerprinted
/// registration): its remediation starts by removing the device.
pub(crate) fn in_finding(g: &Group<'_, '_>) -> bool {
    !facts(g).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn matches(b: &Builder) -> Vec<(Pos, String)> {
        with_context(b, &Settings::default(), run)
    }

    fn worst(b: &Builder, user: &str) -> Option<crate::report::Finding> {
        crate::detect::rules::worst_of(b, user)
    }

    /// Alice at home for a week; a device registered with a tool's defaults from `ip`, then a PRT
    /// sign-in from that unmanaged device and address.
    fn rogue(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let a = b.audit("alice@x.test", "2026-03-08T09:10:00Z", ip, "Add device");
        a.user_agent = "Dsreg/10.0 (Windows 10.0.19045.2006)".into();
        a.parameters = vec![
            ("CloudDeviceOSVersion".into(), "10.0.19045.2006".into()),
            ("CloudDisplayName".into(), "DESKTOP-8F2K1QZ".into()),
        ];
        let s = b.ni("alice@x.test", "2026-03-08T09:30:00Z", ip, asn);
        s.incoming_token_type = "primaryRefreshToken".into();
        s.device_id = "rogue-1".into();
        s.compliant = false;
        s.managed = false;
        s.country = "NL".into();
        b
    }

    #[test]
    fn true_positive_fingerprints_prt_and_broker_to_drs() {
        let mut b = rogue("203.0.113.7", 14061);
        let s = b.ni("alice@x.test", "2026-03-08T09:05:00Z", "203.0.113.7", 14061);
        s.app_id = BROKER_APP_ID.into();
        s.resource = DRS_RESOURCE_ID.into();
        s.incoming_token_type = "refreshToken".into();
        let m = matches(&b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].1.contains("Device Registration Service"), "{m:?}");
        assert!(m[1].1.contains("20 min after Add device"), "{m:?}");
        assert!(m[1].1.contains("Dsreg/10.0 (Windows 10.0.19045.2006)"), "{m:?}");
        // ROADtools' build, the name-and-version pair, and a scripting agent are each a
        // fingerprint; the name or the version alone is not.
        let fp = |params: Vec<(&str, &str)>, ua: &str| {
            let mut b = Builder::new();
            let a =
                b.audit("bob@x.test", "2026-03-08T09:10:00Z", "203.0.113.7", "Register device.");
            a.user_agent = ua.into();
            a.parameters = params.into_iter().map(|(n, v)| (n.into(), v.into())).collect();
            with_context(&b, &Settings::default(), |ctx, _| {
                registration_fingerprint(ctx, ctx.ev(ctx.positions().next().unwrap_or(0)))
            })
        };
        assert!(fp(vec![("DeviceOSVersion", "10.0.19041.928")], "").is_some());
        assert!(
            fp(vec![("CloudDisplayName", "DESKTOP-AB12CD3")], "python-requests/2.31").is_some()
        );
        assert!(
            fp(vec![("OS", "10.0.19045.2006"), ("Target", "Device: DESKTOP-AB12CD3 (x)")], "")
                .is_some()
        );
        assert!(fp(vec![("CloudDisplayName", "DESKTOP-AB12CD3")], "").is_none());
        assert!(fp(vec![("CloudDeviceOSVersion", "10.0.19045.2006")], "").is_none());
    }

    #[test]
    fn benign_lookalike_autopilot_join_from_the_office() {
        let mut b = Builder::new();
        at_home(&mut b, "carol@x.test");
        // An Autopilot join: the real build and dsreg agent, from the user's own network; the
        // new laptop's PRT sign-ins are managed and compliant.
        let a = b.audit("carol@x.test", "2026-03-08T09:10:00Z", "198.51.100.20", "Add device");
        a.user_agent = "Dsreg/10.0 (Windows 10.0.22631.3155)".into();
        a.parameters = vec![
            ("CloudDeviceOSVersion".into(), "10.0.22631.3155".into()),
            ("CloudDisplayName".into(), "DESKTOP-4KQ2M7P".into()),
        ];
        let s = b.ni("carol@x.test", "2026-03-08T09:40:00Z", "198.51.100.20", 7922);
        s.incoming_token_type = "primaryRefreshToken".into();
        s.device_id = "new-laptop".into();
        s.compliant = true;
        s.managed = true;
        // And an unmanaged PRT sign-in from home after it: the registration was the user's own.
        let s = b.ni("carol@x.test", "2026-03-08T10:40:00Z", "198.51.100.20", 7922);
        s.incoming_token_type = "primaryRefreshToken".into();
        s.device_id = "byod".into();
        s.compliant = false;
        s.managed = false;
        assert!(matches(&b).is_empty(), "{:?}", matches(&b));
        let w = worst(&b, "carol@x.test");
        assert!(w.as_ref().is_none_or(|w| w.severity < Severity::Medium), "{w:?}");
    }

    #[test]
    fn true_positive_reaches_critical_and_the_remediation_removes_the_device_first() {
        let b = rogue("203.0.113.7", 14061);
        let f = facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 35);
        assert!(f[0].detail.starts_with("Rogue device registration and PRT theft:"), "{f:?}");
        let w = worst(&b, "alice@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(
            w.explanation.iter().any(|s| s.contains("survives a session revocation")
                && s.contains("remove the device first")),
            "{:?}",
            w.explanation
        );
    }

    #[test]
    fn true_positive_the_registration_alone_is_high() {
        let mut b = Builder::new();
        at_home(&mut b, "dave@x.test");
        let a = b.audit("dave@x.test", "2026-03-08T09:10:00Z", "198.51.100.20", "Add device");
        a.parameters = vec![("CloudDeviceOSVersion".into(), "10.0.19041.928".into())];
        let w = worst(&b, "dave@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(w.rules.iter().any(|r| r == ID), "{:?}", w.rules);
    }
}
