//! The two network-reality guards of docs/detection.md §1/§4 (zero-delay Microsoft refreshes, IP rotation
//! inside one network), shared by the rules that compare origins.
//!
//! Elastic's telemetry (docs/detection.md §1.2): 44 % of session-IP alerts were zero-delay Microsoft proxying
//! and 16 % were several IPs inside one ASN. Both guards say in the report what they ignored.

use super::baseline::Baselines;
use super::context::{Ctx, Pos};
use crate::enrich;

/// Zero-delay Microsoft refresh: a sign-in from a Microsoft ASN within
/// `microsoft_refresh_max_delay_secs` of a sign-in of the same user from a non-Microsoft network.
/// Returns that other sign-in.
pub(crate) fn microsoft_refresh(ctx: &Ctx<'_>, pos: Pos) -> Option<Pos> {
    let e = ctx.ev(pos);
    if !e.kind.is_user_sign_in() || !ctx.is_microsoft(ctx.asn(e)) {
        return None;
    }
    let delay = i64::from(ctx.settings.microsoft_refresh_max_delay_secs) * 1000;
    let positions = ctx.user_positions(e.user);
    let lo = positions.partition_point(|&p| ctx.ev(p).time < e.time - delay);
    positions[lo..]
        .iter()
        .take_while(|&&p| ctx.ev(p).time <= e.time + delay)
        .copied()
        .filter(|&p| {
            let o = ctx.ev(p);
            p != pos && o.kind.is_user_sign_in() && ctx.asn(o) != 0 && !ctx.is_microsoft(ctx.asn(o))
        })
        .min_by_key(|&p| (ctx.ev(p).session_id != e.session_id, p))
}

/// Familiar-network guard: the number of days the user was at home in the event's ASN, when that
/// reaches `familiar_asn_min_days`.
pub(crate) fn familiar_asn(ctx: &Ctx<'_>, baselines: &Baselines, pos: Pos) -> Option<u32> {
    let e = ctx.ev(pos);
    baselines.users.get(&e.user)?.familiar_days(ctx, ctx.asn(e))
}

/// Why an event's origin is plausibly the user's own, if it is (docs/detection.md §5, real-life
/// confounders): a familiar ASN (used on `familiar_asn_min_days` days); an ASN of the same carrier
/// or ISP family as one the user signs in from (a phone between its carrier's mobile network and
/// the same company's broadband); the user's own device id; an IPv6 address inside an ASN of the
/// user's interactive sign-ins (prefixes rotating inside one carrier).
pub(crate) fn own_origin(ctx: &Ctx<'_>, baselines: &Baselines, pos: Pos) -> Option<String> {
    let e = ctx.ev(pos);
    let b = baselines.get(e.user)?;
    let asn = ctx.asn(e);
    if let Some(days) = b.familiar_days(ctx, asn) {
        return Some(format!(
            "the user signed in from {} on {days} day(s)",
            enrich::asn_label(asn)
        ));
    }
    if let Some(family) = enrich::carrier_family(asn)
        && let Some(&other) = b
            .asns
            .iter()
            .chain(b.familiar_asns.keys())
            .find(|&&a| a != asn && enrich::carrier_family(a) == Some(family))
    {
        return Some(format!(
            "{} and {} of the user's baseline are one carrier ({family})",
            enrich::asn_label(asn),
            enrich::asn_label(other)
        ));
    }
    let device = ctx.ds.client(e).device_id;
    if !device.is_empty() && b.devices.contains(&device) {
        return Some(format!(
            "the sign-in carries the user's own device id {}",
            super::context::short_id(ctx.s(device))
        ));
    }
    if let Some(ip @ std::net::IpAddr::V6(_)) = ctx.ds.ip(e).map(|ip| ip.to_canonical())
        && asn != 0
        && b.asns.contains(&asn)
    {
        return Some(format!(
            "{ip} is an IPv6 address inside {}, a network of the user's interactive sign-ins",
            enrich::asn_label(asn)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::baseline;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    #[test]
    fn microsoft_refresh_needs_zero_delay() {
        let mut b = Builder::new();
        b.ni("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T09:00:02Z", "20.190.1.1", 8075);
        b.ni("alice@x.test", "2026-03-01T11:00:00Z", "20.190.1.2", 8075);
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        assert_eq!(microsoft_refresh(&ctx, 1), Some(0));
        assert_eq!(microsoft_refresh(&ctx, 2), None, "two hours later is not a zero-delay refresh");
        assert_eq!(microsoft_refresh(&ctx, 0), None, "not a Microsoft ASN");
    }

    #[test]
    fn familiar_asn_needs_several_days() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 21928);
        b.i("alice@x.test", "2026-03-02T09:00:00Z", "198.51.100.21", 21928);
        b.i("alice@x.test", "2026-03-02T09:00:00Z", "203.0.113.1", 14061);
        b.ni("alice@x.test", "2026-03-03T09:00:00Z", "198.51.99.1", 21928);
        b.ni("alice@x.test", "2026-03-03T09:00:00Z", "203.0.114.1", 14061);
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let bl = baseline::build(&ctx);
        let by_asn =
            |asn| ctx.positions().find(|&p| ctx.ds.place(ctx.ev(p)).asn == asn && p >= 3).unwrap();
        assert_eq!(familiar_asn(&ctx, &bl, by_asn(21928)), Some(2));
        assert_eq!(familiar_asn(&ctx, &bl, by_asn(14061)), None, "one day only");
    }

    #[test]
    fn own_origins_carrier_family_device_and_ipv6() {
        let mut b = Builder::new();
        // Interactive from home broadband (Verizon Fios) with the laptop's device id.
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 701).device_id =
            "dev-1".into();
        // The phone on Verizon Wireless: same carrier family.
        b.ni("alice@x.test", "2026-03-02T09:00:00Z", "192.0.2.44", 6167);
        // The laptop on a café network: own device id.
        b.ni("alice@x.test", "2026-03-02T10:00:00Z", "203.0.113.99", 64500).device_id =
            "dev-1".into();
        // A rotating IPv6 prefix inside the baseline ASN.
        b.ni("alice@x.test", "2026-03-02T11:00:00Z", "2001:db8:77::1", 701);
        // A stranger's network.
        b.ni("alice@x.test", "2026-03-02T12:00:00Z", "203.0.114.1", 14061);
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let bl = baseline::build(&ctx);
        let why = |p| own_origin(&ctx, &bl, p);
        assert!(why(1).unwrap().contains("one carrier (Verizon)"), "{:?}", why(1));
        assert!(why(2).unwrap().contains("own device id"), "{:?}", why(2));
        assert!(why(3).unwrap().contains("IPv6 address inside AS701"), "{:?}", why(3));
        assert_eq!(why(4), None, "a hosting network is nobody's own");
    }
}
