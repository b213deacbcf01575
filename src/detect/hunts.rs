//! The raw result rows of the two reference hunts (docs/detection.md §7), as the KQL returns them, for
//! fidelity tests, the CLI and the "re-run in Sentinel" export.
//!
//! Both read the same rule code the findings use: [`h1`] is `token-from-unfamiliar-network` with
//! `ip-prevalence` (enrichment 1) and `no-nearby-interactive` (enrichment 2); [`h2`] is
//! `short-window-origin-switch`. Run them with [`crate::Settings::h1_preset`] for H1's windows.

use super::baseline;
use super::context::Ctx;
use super::rules::ip_prevalence::{self, Prevalence};
use super::rules::{
    no_nearby_interactive, short_window_origin_switch, token_from_unfamiliar_network,
};
use crate::ingest::Dataset;
use crate::settings::Settings;
use crate::time::rfc3339;

/// One row of H1 (core query plus enrichments 1 and 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct H1Row {
    /// Sign-in time, RFC 3339.
    pub time: String,
    /// Lower-cased UPN.
    pub user: String,
    /// IP address.
    pub ip: String,
    /// Country.
    pub country: String,
    /// City.
    pub city: String,
    /// Application name.
    pub app: String,
    /// Device operating system.
    pub os: String,
    /// Browser.
    pub browser: String,
    /// Resource.
    pub resource: String,
    /// User agent.
    pub user_agent: String,
    /// Size of the user's baseline IP set.
    pub baseline_ip_count: u32,
    /// Distinct users among the candidates from this IP (enrichment 1, in the configured scope).
    pub ip_users: u32,
    /// Enrichment 1's label.
    pub ip_prevalence: String,
    /// Enrichment 2: a successful interactive sign-in from the same IP within ±24 h.
    pub nearby_interactive: bool,
}

/// H1's candidates, newest first.
pub fn h1(dataset: &Dataset, settings: &Settings) -> Vec<H1Row> {
    let ctx = Ctx::new(dataset, settings);
    let bl = baseline::build(&ctx);
    let cands = token_from_unfamiliar_network::run(&ctx, &bl);
    let users = ip_prevalence::users_per_ip(&ctx, &cands);
    let mut rows: Vec<(i64, u32, H1Row)> = cands
        .iter()
        .map(|c| {
            let e = ctx.ev(c.pos);
            let n = ctx.ds.ip(e).and_then(|ip| users.get(&ip.to_canonical()).copied()).unwrap_or(1);
            (
                e.time,
                c.pos,
                H1Row {
                    time: rfc3339(e.time),
                    user: ctx.s(e.user).to_owned(),
                    ip: ctx.ds.ip(e).map(|i| i.to_string()).unwrap_or_default(),
                    country: ctx.s(ctx.ds.place(e).location.country).to_owned(),
                    city: ctx.s(ctx.ds.place(e).location.city).to_owned(),
                    app: ctx.s(ctx.ds.app(e).app_name).to_owned(),
                    os: ctx.s(ctx.ds.client(e).os).to_owned(),
                    browser: ctx.s(ctx.ds.client(e).browser).to_owned(),
                    resource: ctx.s(ctx.ds.app(e).resource).to_owned(),
                    user_agent: ctx.s(ctx.ds.client(e).user_agent).to_owned(),
                    baseline_ip_count: c.baseline_ips,
                    ip_users: n,
                    ip_prevalence: Prevalence::of(n, settings).label().to_owned(),
                    nearby_interactive: no_nearby_interactive::nearby(&ctx, c.pos).is_some(),
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter().map(|r| r.2).collect()
}

/// One row of H2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct H2Row {
    /// Interactive sign-in time.
    pub interactive_time: String,
    /// Non-interactive sign-in time.
    pub non_interactive_time: String,
    /// Seconds between them.
    pub delta_seconds: i64,
    /// Lower-cased UPN.
    pub user: String,
    /// The part before `@`.
    pub account_name: String,
    /// The part after `@`.
    pub upn_suffix: String,
    /// Interactive IP.
    pub interactive_ip: String,
    /// Non-interactive IP.
    pub non_interactive_ip: String,
    /// Interactive ASN.
    pub interactive_asn: u32,
    /// Non-interactive ASN.
    pub non_interactive_asn: u32,
    /// Interactive app.
    pub interactive_app: String,
    /// Non-interactive app.
    pub non_interactive_app: String,
    /// Interactive correlation id.
    pub interactive_correlation_id: String,
    /// Non-interactive correlation id.
    pub non_interactive_correlation_id: String,
}

/// H2's pairs, newest interactive first.
pub fn h2(dataset: &Dataset, settings: &Settings) -> Vec<H2Row> {
    let ctx = Ctx::new(dataset, settings);
    let mut pairs = short_window_origin_switch::run(&ctx);
    pairs.sort_by(|a, b| {
        ctx.ev(b.interactive)
            .time
            .cmp(&ctx.ev(a.interactive).time)
            .then(a.interactive.cmp(&b.interactive))
            .then(a.non_interactive.cmp(&b.non_interactive))
    });
    pairs
        .iter()
        .map(|p| {
            let (i, n) = (ctx.ev(p.interactive), ctx.ev(p.non_interactive));
            let user = ctx.s(i.user).to_owned();
            let (account, suffix) = user.split_once('@').unwrap_or((user.as_str(), ""));
            H2Row {
                interactive_time: rfc3339(i.time),
                non_interactive_time: rfc3339(n.time),
                delta_seconds: (n.time - i.time) / 1000,
                account_name: account.to_owned(),
                upn_suffix: suffix.to_owned(),
                interactive_ip: ctx.ds.ip(i).map(|x| x.to_string()).unwrap_or_default(),
                non_interactive_ip: ctx.ds.ip(n).map(|x| x.to_string()).unwrap_or_default(),
                interactive_asn: ctx.ds.place(i).asn,
                non_interactive_asn: ctx.ds.place(n).asn,
                interactive_app: ctx.s(ctx.ds.app(i).app_name).to_owned(),
                non_interactive_app: ctx.s(ctx.ds.app(n).app_name).to_owned(),
                interactive_correlation_id: ctx.id(i.correlation_id).to_string(),
                non_interactive_correlation_id: ctx.id(n.correlation_id).to_string(),
                user,
            }
        })
        .collect()
}
