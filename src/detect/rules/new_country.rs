//! `new-country`: a country the user never signed in from.
//!
//! ## What it detects
//! A suspicious sign-in from a country absent from the user's baseline of successful interactive
//! sign-ins (Defender's cookie-theft playbook: "uncommon ISP / country / city").
//!
//! ## Why it matters
//! Replays often come from another country than the victim's. Combined with an unfamiliar network
//! it makes the story clearer for the analyst.
//!
//! ## False positives
//! Travel (the traveller usually signs in interactively abroad too, which puts the country in the
//! baseline), VPN exits abroad, geolocation errors. Residential-proxy attackers pick the victim's
//! own country, so absence of this fact proves nothing.
//!
//! ## Example
//! Alice's baseline countries are {US}; a refresh from NL adds "NL is not among the countries of
//! the user's baseline (US)", +10 points.

use crate::detect::baseline::Baselines;
use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule, capitalize};

/// Rule id.
pub(crate) const ID: &str = "new-country";

/// The explanation when the event's country is new for its user.
pub(crate) fn check(ctx: &Ctx<'_>, baselines: &Baselines, pos: Pos) -> Option<String> {
    if !is_new(ctx, baselines, pos) {
        return None;
    }
    let e = ctx.ev(pos);
    let country = ctx.country(e).to_ascii_uppercase();
    let from_db = if ctx.country_is_from_db(e) { " (from the IP database)" } else { "" };
    let b = baselines.get(e.user)?;
    let known: Vec<&str> = b.countries.iter().map(String::as_str).collect();
    Some(format!(
        "{country}{from_db} is not among the countries of the user's baseline ({})",
        known.join(", ")
    ))
}

/// Whether [`check`] fires, without writing its text (the finding builder asks this of every
/// anchor and needs the text of one).
pub(crate) fn is_new(ctx: &Ctx<'_>, baselines: &Baselines, pos: Pos) -> bool {
    let e = ctx.ev(pos);
    let country = ctx.country(e);
    if country.is_empty() {
        return false;
    }
    // The baseline's countries are upper case, so this is `contains(country.to_ascii_uppercase())`.
    baselines.get(e.user).is_some_and(|b| {
        !b.countries.is_empty() && !b.countries.iter().any(|c| c.eq_ignore_ascii_case(country))
    })
}

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Context, facts: Some(facts) };

/// The finding's fact: the first anchor in a country new to the user.
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let Some(c) = g
        .active
        .iter()
        .find(|p| g.judged[p].new_country)
        .and_then(|&p| check(g.ctx, g.baselines, p))
    else {
        return Vec::new();
    };
    vec![Contribution::new(ID, g.ctx.settings.weights.new_country, format!("{}.", capitalize(&c)))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::with_context;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn last_is_new(b: &Builder) -> Option<String> {
        with_context(b, &Settings::default(), |ctx, bl| check(ctx, bl, ctx.len() as Pos - 1))
    }

    #[test]
    fn true_positive_refresh_from_abroad() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.ni("alice@x.test", "2026-03-01T10:00:00Z", "203.0.113.7", 14061).country = "NL".into();
        assert_eq!(
            last_is_new(&b).as_deref(),
            Some("NL is not among the countries of the user's baseline (US)")
        );
    }

    #[test]
    fn benign_lookalike_traveller_signed_in_abroad() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", 7922);
        b.i("alice@x.test", "2026-03-05T09:00:00Z", "203.0.113.9", 1136).country = "NL".into();
        b.ni("alice@x.test", "2026-03-05T10:00:00Z", "203.0.113.7", 1136).country = "NL".into();
        assert_eq!(last_is_new(&b), None);
    }

    #[test]
    fn true_positive_facts_new_country_reaches_the_report() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.ni("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 7018).country = "DE".into();
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 10);
        assert_eq!(f[0].detail, "DE is not among the countries of the user's baseline (US).");
    }
}
