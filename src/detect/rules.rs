//! The fourteen rules of docs/detection.md §4, one module each.
//!
//! Anchor rules raise suspicious events (`token-from-unfamiliar-network`,
//! `short-window-origin-switch`, `session-origin-split`, `impossible-travel`,
//! `aitm-kit-fingerprint`, `risky-ip`); context rules weigh them (`ip-prevalence`,
//! `no-nearby-interactive`, `hosting-network`, `new-country`, `session-anomaly`); finding-level
//! rules join and relate them (`post-compromise-activity`, `campaign`, `remediated`).

pub(crate) mod aitm_kit_fingerprint;
pub(crate) mod campaign;
pub(crate) mod hosting_network;
pub(crate) mod impossible_travel;
pub(crate) mod ip_prevalence;
pub(crate) mod new_country;
pub(crate) mod no_nearby_interactive;
pub(crate) mod post_compromise_activity;
pub(crate) mod remediated;
pub(crate) mod risky_ip;
pub(crate) mod session_anomaly;
pub(crate) mod session_origin_split;
pub(crate) mod short_window_origin_switch;
pub(crate) mod token_from_unfamiliar_network;

/// Every rule id of docs/detection.md §4, in the table's order.
pub const RULE_IDS: [&str; 14] = [
    token_from_unfamiliar_network::ID,
    ip_prevalence::ID,
    no_nearby_interactive::ID,
    risky_ip::ID,
    short_window_origin_switch::ID,
    session_origin_split::ID,
    session_anomaly::ID,
    hosting_network::ID,
    new_country::ID,
    impossible_travel::ID,
    aitm_kit_fingerprint::ID,
    post_compromise_activity::ID,
    campaign::ID,
    remediated::ID,
];

/// Test support shared by the rule modules: builds the context and the baselines of the records in
/// `b` under `settings`, and runs `f` over them.
#[cfg(test)]
pub(crate) fn with_context<T>(
    b: &crate::sim::builder::Builder,
    settings: &crate::settings::Settings,
    f: impl FnOnce(&super::context::Ctx<'_>, &super::baseline::Baselines) -> T,
) -> T {
    let ds = b.dataset();
    let ctx = super::context::Ctx::new(&ds, settings);
    let baselines = super::baseline::build(&ctx);
    f(&ctx, &baselines)
}
