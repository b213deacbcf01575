//! `impossible-travel`: consecutive interactive sign-ins too far apart for the time between them.
//!
//! ## What it detects
//! Two consecutive successful interactive sign-ins of a user, in the detection window, more than
//! `impossible_travel_min_km` (500 km) apart at more than `impossible_travel_min_kmh` (800 km/h).
//! Coordinates come from the log; when it has none, from the country's centroid
//! ([`crate::enrich::COUNTRY_CENTROIDS`]), so moves inside one country measure 0 km.
//!
//! ## Why it matters
//! An AiTM victim signs in through a proxy abroad, or the attacker signs in with the stolen cookie
//! while the victim works at home: two places at once.
//!
//! ## False positives
//! VPN connect/disconnect (the exit is abroad), mobile carriers that geolocate to their core
//! network, centroid coarseness for large countries. Alone it makes a finding at most low.
//!
//! ## Example
//! 09:00 from Chicago (US), 10:00 from Amsterdam (NL): about 6,600 km in 1 h, 6,600 km/h.

use crate::detect::context::duration_label;
use crate::detect::context::{Ctx, HOUR, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::enrich;
use crate::model::{Event, EventKind};
use crate::time::rfc3339;

/// Rule id.
pub(crate) const ID: &str = "impossible-travel";

/// One impossible hop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Hop {
    pub from: Pos,
    pub to: Pos,
    pub km: f64,
    pub kmh: f64,
}

fn place(ctx: &Ctx<'_>, e: &Event) -> Option<(f32, f32)> {
    ctx.ds
        .place(e)
        .location
        .coordinates
        .or_else(|| enrich::country_centroid(ctx.s(ctx.ds.place(e).location.country)))
}

/// [`place`], worked out once per place profile: the country look-up compares names
/// case-insensitively down a list of about 250, which, twice per sign-in, was a tenth of the
/// instructions of a whole run on a 67 MB interactive export (cachegrind).
fn cached_place(
    cache: &mut crate::detect::HashMap<u32, Option<(f32, f32)>>,
    ctx: &Ctx<'_>,
    e: &Event,
) -> Option<(f32, f32)> {
    *cache.entry(e.place).or_insert_with(|| place(ctx, e))
}

/// Every impossible hop.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<Hop> {
    let mut out = Vec::new();
    let mut places = crate::detect::HashMap::default();
    for &user in ctx.users() {
        let mut prev: Option<Pos> = None;
        for &p in ctx.user_positions(user) {
            let e = ctx.ev(p);
            if e.kind != EventKind::Interactive || !e.is_success() || !ctx.in_detection(e.time) {
                continue;
            }
            if let Some(q) = prev {
                let f = ctx.ev(q);
                let (a, b) = (cached_place(&mut places, ctx, f), cached_place(&mut places, ctx, e));
                if let (Some(a), Some(b)) = (a, b) {
                    let km = enrich::distance_km(a, b);
                    let hours = (e.time - f.time) as f64 / HOUR as f64;
                    let kmh = if hours > 0.0 { km / hours } else { f64::INFINITY };
                    if km > ctx.settings.impossible_travel_min_km
                        && kmh > ctx.settings.impossible_travel_min_kmh
                    {
                        out.push(Hop { from: q, to: p, km, kmh });
                    }
                }
            }
            prev = Some(p);
        }
    }
    out.sort_by_key(|h| h.to);
    out
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: Some(facts) };

/// The finding's fact: its first impossible hop.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let Some((p, (from, km, kmh))) =
        g.active.iter().find_map(|p| g.anchors[p].hop.map(|h| (*p, h)))
    else {
        return Vec::new();
    };
    let (a, b) = (ctx.ev(from), ctx.ev(p));
    let speed =
        if kmh.is_finite() { format!("{kmh:.0} km/h") } else { "no time at all".to_owned() };
    vec![
        Contribution::new(
            ID,
            ctx.settings.weights.impossible_travel,
            format!(
                "Interactive sign-ins from {} at {} and from {} at {}: {km:.0} km apart in {} \
                 ({speed}).",
                ctx.origin_label(a),
                rfc3339(a.time),
                ctx.origin_label(b),
                rfc3339(b.time),
                duration_label(b.time - a.time),
            ),
        )
        .referencing(from),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn hops(b: &Builder) -> Vec<Hop> {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        run(&ctx)
    }

    #[test]
    fn true_positive_us_then_nl_an_hour_later() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.i("alice@x.test", "2026-03-01T10:00:00Z", "203.0.113.7", 14061).country = "NL".into();
        let h = hops(&b);
        assert_eq!(h.len(), 1);
        assert!(h[0].kmh > 5000.0, "{h:?}");
    }

    #[test]
    fn benign_lookalike_two_countries_same_day_by_train() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T07:00:00Z", "198.51.100.20", 3215).country = "FR".into();
        b.i("alice@x.test", "2026-03-01T12:00:00Z", "203.0.113.7", 2856).country = "GB".into();
        // Coordinates from the log win over centroids: two sign-ins in one city.
        let r = b.i("alice@x.test", "2026-03-01T12:01:00Z", "203.0.113.9", 2856);
        r.country = "US".into();
        r.coordinates = Some((51.5, -0.1));
        let r = b.i("alice@x.test", "2026-03-01T12:02:00Z", "203.0.113.9", 2856);
        r.country = "GB".into();
        r.coordinates = Some((51.5, -0.1));
        assert!(hops(&b).is_empty(), "{:?}", hops(&b));
    }

    #[test]
    fn true_positive_facts_hop_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.i("alice@x.test", "2026-03-08T08:30:00Z", "198.51.100.20", 7922).country = "US".into();
        b.i("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018).country = "DE".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 15);
        assert!(f[0].detail.contains("km apart in"), "{f:?}");
    }
}
