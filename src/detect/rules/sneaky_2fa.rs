//! `sneaky-2fa`: several outdated browsers taking turns inside one sign-in session, the
//! impossible device shift the Sneaky 2FA phishing kit leaves behind.
//!
//! ## What it detects
//! Within one session (the user sign-ins sharing a session id, or a correlation id when they
//! carry no session id) and within `sneaky_2fa_window_minutes` (60), sign-ins whose browser user
//! agents (`Mozilla/5.0 …`) include at least two distinct *outdated* ones of different browser or
//! operating-system families: Chrome or Edge before 110, Firefox before 110, Safari before 16
//! (each released before 2023; the floor is dated with the embedded lists, `enrich::LIST_DATE`).
//! Every sign-in of the session from the second such user agent on is raised, once the shift is
//! seen; failures and interruptions count for the shift (the kit's flow is full of them), only
//! successes are raised.
//!
//! From an origin that is not the user's (an address outside the user's baseline that is not a
//! familiar network, carrier or device) it is an unfamiliar origin that names Sneaky 2FA as its
//! corroboration; elsewhere it ranks as a kit fingerprint alone (docs/detection.md §5).
//!
//! ## Why it matters
//! Sneaky 2FA (2025) relays the victim's sign-in from its own servers and rotates a list of old
//! browser user agents from request to request, so one sign-in flow changes browser and operating
//! system within minutes. A real session lives on one device: its browser does not turn from
//! Chrome on Windows into Safari on a Mac, let alone into versions years out of date.
//!
//! ## False positives
//! A user with several browsers has one session per browser, so they never mix in one session.
//! Old embedded browsers (a kiosk, a legacy app's web view) keep one user agent per session.
//!
//! ## Example
//! Session `5f1c…` of `alice` signs in with `Chrome/103` on Windows at 09:00, `Firefox/102` on
//! Linux at 09:01 and `Safari/15.6` on macOS at 09:02, from 203.0.113.7 (AS14061 DigitalOcean):
//! Sneaky 2FA, +30 points, high with the hosting network.

use crate::detect::HashMap;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, variant_fact};
use crate::model::{Id, Sym};

/// Rule id.
pub(crate) const ID: &str = "sneaky-2fa";

/// A browser user agent's families and major version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Browser {
    pub family: &'static str,
    pub os: &'static str,
    pub major: u32,
}

impl Browser {
    /// Older than the dated floor: released before 2023 (as of `enrich::LIST_DATE`).
    pub(crate) fn outdated(&self) -> bool {
        let floor = match self.family {
            "Chrome" | "Edge" | "Firefox" => 110,
            "Safari" => 16,
            _ => return false,
        };
        self.major < floor
    }
}

/// The major version after `key` (`Chrome/` → 103).
fn major_after(ua: &str, key: &str) -> Option<u32> {
    let at = ua.find(key)? + key.len();
    let digits: String = ua[at..].chars().take_while(char::is_ascii_digit).take(6).collect();
    digits.parse().ok()
}

/// The browser a `Mozilla/5.0` user agent names, if it is a browser's.
pub(crate) fn browser_of(ua: &str) -> Option<Browser> {
    if !ua.starts_with("Mozilla/") {
        return None;
    }
    let os = if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        "other"
    };
    let (family, major) = if let Some(m) = major_after(ua, "Edg/") {
        ("Edge", m)
    } else if let Some(m) = major_after(ua, "Firefox/") {
        ("Firefox", m)
    } else if let Some(m) = major_after(ua, "Chrome/") {
        ("Chrome", m)
    } else if ua.contains("Safari/")
        && let Some(m) = major_after(ua, "Version/")
    {
        ("Safari", m)
    } else {
        return None;
    };
    Some(Browser { family, os, major })
}

/// Every raised sign-in and its reason, per user in time order.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<(Pos, String)> {
    let mut parsed: HashMap<Sym, Option<Browser>> = HashMap::default();
    let mut out = Vec::new();
    for &user in ctx.users() {
        out.extend(
            of_user(ctx, user, &mut parsed)
                .into_iter()
                .filter(|(p, _)| ctx.in_detection(ctx.ev(*p).time)),
        );
    }
    out
}

/// One user's successful sign-ins after an impossible device shift in their session (at any
/// time), with the reason; `parsed` caches the browsers of user agents.
pub(crate) fn of_user(
    ctx: &Ctx<'_>,
    user: Sym,
    parsed: &mut HashMap<Sym, Option<Browser>>,
) -> Vec<(Pos, String)> {
    let window = i64::from(ctx.settings.sneaky_2fa_window_minutes) * 60_000;
    let mut out = Vec::new();
    // Per session: its outdated browser user agents so far (first time seen, agent, browser).
    let mut sessions: HashMap<Id, Vec<(i64, Sym, Browser)>> = HashMap::default();
    for &p in ctx.user_positions(user) {
        let e = ctx.ev(p);
        if !e.kind.is_user_sign_in() {
            continue;
        }
        let key = if e.session_id.is_empty() { e.correlation_id } else { e.session_id };
        if key.is_empty() {
            continue;
        }
        let ua = ctx.ds.client(e).user_agent;
        let Some(b) = *parsed.entry(ua).or_insert_with(|| browser_of(ctx.s(ua))) else {
            continue;
        };
        if !b.outdated() {
            continue;
        }
        let seen = sessions.entry(key).or_default();
        seen.retain(|(t, _, _)| e.time - *t <= window);
        if !seen.iter().any(|(_, u, _)| *u == ua) {
            seen.push((e.time, ua, b));
        }
        let Some(other) = seen
            .iter()
            .find(|(_, u, o)| *u != ua && (o.family != b.family || o.os != b.os))
            .map(|(_, u, _)| *u)
        else {
            continue;
        };
        if !e.is_success() {
            continue;
        }
        out.push((
            p,
            format!(
                "{} outdated browser user agents in one session within {} min, now {} {} on {} \
                 after \"{}\" (an impossible device shift)",
                seen.len(),
                ctx.settings.sneaky_2fa_window_minutes,
                b.family,
                b.major,
                b.os,
                ctx.s(other)
            ),
        ));
    }
    out
}

/// The registry entry.
pub(crate) const RULE: Rule =
    Rule { id: ID, evidence: Evidence::Corroboration, facts: Some(facts) };

/// The finding's fact: the first raised sign-in, and whether its origin is the user's.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    variant_fact(
        g,
        ID,
        g.ctx.settings.weights.sneaky_2fa,
        "Sneaky 2FA phishing kit",
        "old browsers of the user's own, worth a look",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{at_home, facts_of, with_context};
    use crate::report::Severity;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    const CHROME_103: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/103.0.5060.134 Safari/537.36";
    const FIREFOX_102: &str =
        "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0";
    const SAFARI_15: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Safari/605.1.15";
    const CHROME_122: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
    const EDGE_122: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0";

    fn matches(b: &Builder) -> Vec<(Pos, String)> {
        with_context(b, &Settings::default(), |ctx, _| run(ctx))
    }

    fn worst(b: &Builder, user: &str) -> Option<crate::report::Finding> {
        crate::detect::rules::worst_of(b, user)
    }

    /// Alice at home for a week, then one session whose user agent rotates through three old
    /// browsers from `ip` / `asn`.
    fn phished(ip: &str, asn: u32) -> Builder {
        let mut b = Builder::new();
        at_home(&mut b, "alice@x.test");
        for (k, ua) in [CHROME_103, FIREFOX_102, SAFARI_15].iter().enumerate() {
            let s = b.i("alice@x.test", &format!("2026-03-08T09:0{k}:00Z"), ip, asn);
            s.user_agent = (*ua).into();
            s.session_id = "sn-1".into();
            s.country = "NL".into();
            if k == 0 {
                s.error_code = 50074;
            }
        }
        b
    }

    #[test]
    fn parses_browsers_and_dates_the_floor() {
        let b = browser_of(CHROME_103).expect("chrome");
        assert_eq!((b.family, b.os, b.major, b.outdated()), ("Chrome", "Windows", 103, true));
        let e = browser_of(EDGE_122).expect("edge");
        assert_eq!((e.family, e.major, e.outdated()), ("Edge", 122, false));
        assert_eq!(
            browser_of(SAFARI_15).map(|b| (b.family, b.os, b.major)),
            Some(("Safari", "macOS", 15))
        );
        assert_eq!(browser_of("axios/1.6.8"), None);
        assert_eq!(browser_of("Mozilla/5.0 (compatible; MSAL 1.0)"), None);
    }

    #[test]
    fn true_positive_rotation_in_one_session() {
        let m = matches(&phished("203.0.113.7", 14061));
        // The failed first step counts for the shift; the two successes after it are raised.
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].1.contains("Firefox 102 on Linux") && m[0].1.contains("Chrome/103"), "{m:?}");
        assert!(m[1].1.starts_with("3 outdated browser user agents"), "{m:?}");
    }

    #[test]
    fn benign_lookalike_several_browsers_each_in_its_own_session() {
        let mut b = Builder::new();
        at_home(&mut b, "bob@x.test");
        // Three browsers, one of them old, each with its own session; and one session moving
        // between two current browsers on one machine.
        for (k, ua) in [CHROME_103, FIREFOX_102, SAFARI_15].iter().enumerate() {
            let s = b.i("bob@x.test", &format!("2026-03-08T09:0{k}:00Z"), "198.51.100.20", 7922);
            s.user_agent = (*ua).into();
            s.session_id = format!("own-{k}");
        }
        for (k, ua) in [CHROME_122, EDGE_122].iter().enumerate() {
            let s = b.i("bob@x.test", &format!("2026-03-08T10:0{k}:00Z"), "198.51.100.20", 7922);
            s.user_agent = (*ua).into();
            s.session_id = "current".into();
        }
        assert!(matches(&b).is_empty(), "{:?}", matches(&b));
        let w = worst(&b, "bob@x.test");
        assert!(w.as_ref().is_none_or(|w| w.severity < Severity::Medium), "{w:?}");
    }

    #[test]
    fn true_positive_facts_name_the_kit_and_reach_high() {
        for (ip, asn) in [("203.0.113.7", 14061), ("192.0.2.66", 3320)] {
            let b = phished(ip, asn);
            let f = facts_of(&b, "alice@x.test", ID);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].points, 30);
            assert!(f[0].detail.starts_with("Sneaky 2FA phishing kit:"), "{f:?}");
            let w = worst(&b, "alice@x.test").expect("a finding");
            assert!(w.severity >= Severity::High, "{ip}: {:?}: {}", w.severity, w.severity_reason);
            assert!(w.rules.iter().any(|r| r == ID), "{:?}", w.rules);
        }
    }
}
