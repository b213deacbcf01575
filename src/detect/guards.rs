//! The two network-reality guards of docs/detection.md §1/§4 (zero-delay Microsoft refreshes, IP rotation
//! inside one network), shared by the rules that compare origins.
//!
//! Elastic's telemetry (docs/detection.md §1.2): 44 % of session-IP alerts were zero-delay Microsoft proxying
//! and 16 % were several IPs inside one ASN. Both guards say in the report what they ignored.

use super::baseline::Baselines;
use super::context::{Ctx, Pos};

/// Zero-delay Microsoft refresh: a sign-in from a Microsoft ASN within
/// `microsoft_refresh_max_delay_secs` of a sign-in of the same user from a non-Microsoft network.
/// Returns that other sign-in.
pub(crate) fn microsoft_refresh(ctx: &Ctx<'_>, pos: Pos) -> Option<Pos> {
    let e = ctx.ev(pos);
    if !e.kind.is_user_sign_in() || !ctx.is_microsoft(ctx.ds.place(e).asn) {
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
            p != pos
                && o.kind.is_user_sign_in()
                && ctx.ds.place(o).asn != 0
                && !ctx.is_microsoft(ctx.ds.place(o).asn)
        })
        .min_by_key(|&p| (ctx.ev(p).session_id != e.session_id, p))
}

/// Familiar-network guard: the number of days the user was at home in the event's ASN, when that
/// reaches `familiar_asn_min_days`.
pub(crate) fn familiar_asn(ctx: &Ctx<'_>, baselines: &Baselines, pos: Pos) -> Option<u32> {
    let e = ctx.ev(pos);
    baselines.users.get(&e.user)?.familiar_days(ctx, ctx.ds.place(e).asn)
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
}
