//! `device-code-phishing`: a sign-in through the OAuth device-code flow that the user did not
//! start (Storm-2372, Kali365, EvilToken).
//!
//! ## What it detects
//! A successful sign-in (in the detection window) that used the device-code flow: authentication
//! protocol `deviceCode`, original transfer method `deviceCodeFlow`, the Microsoft Authentication
//! Broker (`29d9ed98-a469-4536-ade2-f981bc1d605e`) to the Device Registration Service
//! (`01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9`), or a `kali365-live/` user agent; and either
//! - it is the user's first device-code sign-in in the loaded data, or
//! - its session used the device-code flow from two or more IPs or user agents.
//!
//! From an origin that is not the user's (an address outside the user's baseline that is not a
//! familiar network, carrier or device), it is an unfamiliar origin and names the variant as its
//! corroboration on the ladder (docs/detection.md §5).
//!
//! ## Why it matters
//! Device-code phishing needs no proxy: the attacker starts the flow, sends the user the code,
//! and the user signs the attacker's session in on microsoft.com/devicelogin. The tokens land on
//! the attacker's machine, so the classic AiTM signals (a kit's proxy, a cookie replayed from
//! another network) may never show; the protocol field does. With the broker to the Device
//! Registration Service the attacker registers a device and obtains a primary refresh token.
//!
//! ## False positives
//! Meeting-room and kiosk devices, TVs and command-line tools legitimately sign in by device code;
//! from the user's own network (familiar ASN, carrier or device) the finding stays low.
//!
//! ## Example
//! `alice` signs in for the first time by device code (`authenticationProtocol = deviceCode`,
//! Microsoft Authentication Broker) from 203.0.113.7 (AS14061 DigitalOcean), never seen in her
//! baseline: device-code phishing, +35 points, high with the hosting network.

use crate::detect::HashMap;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, variant_fact};
use crate::model::{Event, Id};
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "device-code-phishing";

/// The Microsoft Authentication Broker.
pub(crate) const BROKER_APP_ID: &str = "29d9ed98-a469-4536-ade2-f981bc1d605e";
/// The Device Registration Service (resource).
pub(crate) const DRS_RESOURCE_ID: &str = "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9";

/// How a sign-in shows the device-code flow, if it does.
pub(crate) fn device_code_sign(ctx: &Ctx<'_>, e: &Event) -> Option<String> {
    let auth = ctx.ds.auth(e);
    let app = ctx.ds.app(e);
    let broker = ctx.s(app.app_id).eq_ignore_ascii_case(BROKER_APP_ID);
    let via = if ctx.s(auth.auth_protocol).eq_ignore_ascii_case("deviceCode") {
        "authentication protocol deviceCode".to_owned()
    } else if ctx.s(auth.transfer_method).eq_ignore_ascii_case("deviceCodeFlow") {
        "original transfer method deviceCodeFlow".to_owned()
    } else if ctx.s(ctx.ds.client(e).user_agent).to_ascii_lowercase().starts_with("kali365-live/") {
        format!("the Kali365 kit's user agent \"{}\"", ctx.s(ctx.ds.client(e).user_agent))
    } else if broker && {
        let r = ctx.s(app.resource);
        r.eq_ignore_ascii_case(DRS_RESOURCE_ID)
            || r.eq_ignore_ascii_case("Device Registration Service")
    } {
        "the Microsoft Authentication Broker to the Device Registration Service".to_owned()
    } else {
        return None;
    };
    Some(if broker && !via.starts_with("the Microsoft Authentication Broker") {
        format!("{via}, through the Microsoft Authentication Broker")
    } else {
        via
    })
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
        // The user's device-code sign-ins (successful, any time), in time order.
        let codes: Vec<(Pos, String)> = ctx
            .user_positions(user)
            .iter()
            .copied()
            .filter(|&p| ctx.ev(p).kind.is_user_sign_in() && ctx.ev(p).is_success())
            .filter_map(|p| device_code_sign(ctx, ctx.ev(p)).map(|why| (p, why)))
            .collect();
        let Some(&(first, _)) = codes.first() else { continue };
        // Per session: its first device-code sign-in's IP and user agent.
        let mut sessions: HashMap<Id, Pos> = HashMap::default();
        for (p, why) in &codes {
            let e = ctx.ev(*p);
            let other = if e.session_id.is_empty() {
                None
            } else {
                let q = *sessions.entry(e.session_id).or_insert(*p);
                let o = ctx.ev(q);
                (ctx.ds.ip(o).map(|i| i.to_canonical()) != ctx.ds.ip(e).map(|i| i.to_canonical())
                    || ctx.ds.client(o).user_agent != ctx.ds.client(e).user_agent)
                    .then_some(q)
            };
            if !ctx.in_detection(e.time) {
                continue;
            }
            let reason = if *p == first {
                format!("the user's first device-code sign-in in the data ({why})")
            } else if let Some(q) = other {
                format!(
                    "one session signed in by device code from two origins ({} at {}, then {}; \
                     {why})",
                    ctx.origin_label(ctx.ev(q)),
                    rfc3339(ctx.ev(q).time),
                    ctx.origin_label(e)
                )
            } else {
                continue;
            };
            out.push(Match { pos: *p, reason });
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
        g.ctx.settings.weights.device_code_phishing,
        "Device-code phishing",
        "a device such as a meeting-room screen",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn matches(b: &Builder) -> Vec<Match> {
        with_context(b, &Settings::default(), |ctx, _| run(ctx))
    }

    /// The worst finding of `user` after the whole detection.
    fn worst(b: &Builder, user: &str) -> Option<crate::report::Finding> {
        crate::detect::rules::worst_of(b, user)
    }

    /// Alice at home for a week, then a device-code sign-in to the broker from `ip` / `asn`.
    fn phished(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", ip, asn);
        s.auth_protocol = "deviceCode".into();
        s.app_id = BROKER_APP_ID.into();
        s.session_id = "dc-1".into();
        s.country = "NL".into();
        b
    }

    #[test]
    fn true_positive_first_use_and_a_session_from_two_origins() {
        let mut b = phished("203.0.113.7", 14061);
        let s = b.ni("alice@x.test", "2026-03-08T09:20:00Z", "192.0.2.66", 24940);
        s.transfer_method = "deviceCodeFlow".into();
        s.session_id = "dc-1".into();
        let m = matches(&b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].reason.starts_with("the user's first device-code sign-in"), "{m:?}");
        assert!(m[0].reason.contains("through the Microsoft Authentication Broker"), "{m:?}");
        assert!(m[1].reason.contains("two origins"), "{m:?}");
    }

    #[test]
    fn benign_lookalike_habitual_device_code_in_one_place() {
        let mut b = Builder::new();
        // A meeting-room screen signed in by device code every day, always from the office.
        for day in 1..=9 {
            let s = b.i("room@x.test", &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 7922);
            s.auth_protocol = "deviceCode".into();
            s.session_id = format!("room-{day}");
        }
        // Only the first use in the data is raised, and that is outside the detection window.
        assert!(matches(&b).iter().all(|m| ctx_day(&b, m.pos) == 1), "{:?}", matches(&b));
        // A browser sign-in with no device-code trace is not raised at all.
        let mut plain = Builder::new();
        at_home(&mut plain, "bob@x.test");
        assert!(matches(&plain).is_empty());
    }

    fn ctx_day(b: &Builder, pos: Pos) -> u32 {
        with_context(b, &Settings::default(), |ctx, _| {
            rfc3339(ctx.ev(pos).time)[8..10].parse().unwrap_or(0)
        })
    }

    #[test]
    fn true_positive_facts_name_the_variant_and_reach_high_from_a_hosting_network() {
        let b = phished("203.0.113.7", 14061);
        let f = facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 35);
        assert!(f[0].detail.starts_with("Device-code phishing:"), "{f:?}");
        let w = worst(&b, "alice@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(w.explanation.iter().any(|s| s.contains("Device-code phishing")), "{w:?}");
        assert!(w.rules.iter().any(|r| r == ID), "{:?}", w.rules);
    }

    #[test]
    fn true_positive_reaches_high_from_an_unfamiliar_residential_network() {
        let b = phished("192.0.2.66", 3320);
        let w = worst(&b, "alice@x.test").expect("a finding");
        assert!(w.severity >= Severity::High, "{:?}: {}", w.severity, w.severity_reason);
        assert!(w.severity_reason.contains("device-code phishing"), "{}", w.severity_reason);
    }

    #[test]
    fn benign_lookalike_meeting_room_device_on_the_users_own_network_stays_below_medium() {
        // Alice signs in a meeting-room screen by device code from her own (familiar) network.
        let b = phished("198.51.100.77", 7922);
        let w = worst(&b, "alice@x.test").expect("the sign-in is still reported");
        assert!(w.severity < Severity::Medium, "{:?}: {}", w.severity, w.severity_reason);
        assert!(w.explanation.iter().any(|s| s.contains("user's own origin")), "{w:?}");
    }
}
