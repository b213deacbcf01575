//! `hosting-network`: the origin is a hosting, VPS or commercial-VPN network.
//!
//! ## What it detects
//! A suspicious sign-in whose ASN is in the embedded hosting/VPS list
//! ([`crate::enrich::HOSTING_ASNS`], dated [`crate::enrich::LIST_DATE`]) or in the user-supplied
//! `hosting_asns` setting.
//!
//!
//! Networks that rent servers but carry mostly ordinary users ([`crate::enrich::MIXED_ASNS`]:
//! Cloudflare AS13335, the exit of the WARP consumer VPN and of Cloudflare Zero Trust; the transit
//! carrier Cogent AS174) are a weaker class: the fact names them with a few points
//! (`weights.hosting_network_mixed`) and they corroborate nothing on the ladder.
//!
//! ## Why it matters
//! AiTM proxies and replay boxes run on rented servers (AWS, DigitalOcean, Hetzner, OVH, Vultr,
//! M247, Contabo, Cloudflare Workers …). Employees rarely sign in from a data centre.
//!
//! ## False positives
//! Commercial VPNs exit from hosting ASNs (M247, Datacamp); cloud desktops and jump hosts; service
//! accounts running in a cloud. The familiar-network guard keeps a user's own VPN provider from
//! raising findings once it is seen on several days; allowlist known VPN ASNs.
//!
//! ## Example
//! A token refresh from AS14061 (DigitalOcean): "AS14061 DigitalOcean is a hosting/VPS network
//! (embedded list dated 2026-03-01)", +20 points.

use crate::detect::context::Ctx;
use crate::detect::rule::{Contribution, Evidence, Group, Rule, capitalize};
use crate::enrich;

/// Rule id.
pub(crate) const ID: &str = "hosting-network";

/// Why the ASN is a hosting network, if it is.
pub(crate) fn check(ctx: &Ctx<'_>, asn: u32) -> Option<String> {
    if !ctx.is_hosting(asn) {
        return None;
    }
    let source = if enrich::is_embedded_hosting_asn(asn) {
        format!("embedded list dated {}", enrich::LIST_DATE)
    } else {
        "hosting_asns setting".to_owned()
    };
    Some(format!("{} is a hosting/VPS network ({source})", enrich::asn_label(asn)))
}

/// The registry entry.
pub(crate) const RULE: Rule =
    Rule { id: ID, evidence: Evidence::Corroboration, facts: Some(facts) };

/// The finding's fact: the first anchor in a hosting network.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let Some(p) = g.active.iter().find(|p| g.judged[p].hosting) else {
        return mixed(g);
    };
    let e = ctx.ev(*p);
    let Some(h) = check(ctx, ctx.asn(e)) else { return Vec::new() };
    let learned = if ctx.asn_is_learned(e) {
        " (the network its IP's sign-ins came from)"
    } else if ctx.asn_is_from_db(e) {
        " (the network the IP database gives its IP, from the IP database)"
    } else {
        ""
    };
    vec![Contribution::new(
        ID,
        ctx.settings.weights.hosting_network,
        format!("{}{learned}.", capitalize(&h)),
    )]
}

/// The weaker fact: the first anchor in a network of hosting and ordinary users alike.
fn mixed(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let Some(asn) = g
        .active
        .iter()
        .map(|p| ctx.asn(ctx.ev(*p)))
        .find(|&asn| enrich::is_mixed_asn(asn) && !ctx.is_hosting(asn))
    else {
        return Vec::new();
    };
    vec![Contribution::new(
        ID,
        ctx.settings.weights.hosting_network_mixed,
        format!(
            "{} rents servers but carries mostly ordinary users (a consumer VPN or transit \
             network; embedded list dated {}): not counted as a hosting network.",
            enrich::asn_label(asn),
            enrich::LIST_DATE
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Dataset;
    use crate::settings::Settings;

    #[test]
    fn true_positive_embedded_and_user_lists() {
        let ds = Dataset::new();
        let s = Settings { hosting_asns: vec![64500], ..Settings::default() };
        let ctx = Ctx::new(&ds, &s);
        assert_eq!(
            check(&ctx, 14061).as_deref(),
            Some("AS14061 DigitalOcean is a hosting/VPS network (embedded list dated 2026-03-01)")
        );
        assert!(check(&ctx, 64500).unwrap().contains("hosting_asns setting"));
    }

    #[test]
    fn benign_lookalike_isp_and_microsoft() {
        let ds = Dataset::new();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        assert_eq!(check(&ctx, 7922), None, "Comcast is an access network");
        assert_eq!(check(&ctx, 8075), None, "Microsoft has its own guard");
        assert_eq!(check(&ctx, 0), None);
    }

    #[test]
    fn true_positive_facts_hosting_reaches_the_report() {
        let mut b = crate::sim::builder::Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 20);
        assert!(f[0].detail.starts_with("AS14061 DigitalOcean is a hosting/VPS network"), "{f:?}");
    }

    #[test]
    fn benign_lookalike_cloudflare_warp_is_no_hosting_network() {
        // A replay-shaped refresh from Cloudflare (the user's WARP exit): the weaker fact, not a
        // hosting corroboration, so the finding stays an unfamiliar origin with nothing more.
        let mut b = crate::sim::builder::Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 13335);
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 5);
        assert!(
            f[0].detail.contains("AS13335 Cloudflare rents servers but carries mostly"),
            "{f:?}"
        );
        let w = crate::detect::rules::worst_of(&b, "alice@x.test").expect("a finding");
        assert_eq!(w.severity, crate::report::Severity::Medium, "{}", w.severity_reason);
        assert!(!w.severity_reason.contains("hosting"), "{}", w.severity_reason);
        // Listed by the analyst as hosting, it is one.
        let ds = b.dataset();
        let s = Settings { hosting_asns: vec![13335], ..Settings::default() };
        let r = crate::detect::run(&ds, &s);
        let f = r.findings.iter().find(|f| f.user == "alice@x.test").expect("a finding");
        assert_eq!(f.severity, crate::report::Severity::High, "{}", f.severity_reason);
    }
}
