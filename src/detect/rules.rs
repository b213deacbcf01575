//! The rules of docs/detection.md §4, one module each, and their registry.
//!
//! Anchor rules raise suspicious events (`token-from-unfamiliar-network`,
//! `short-window-origin-switch`, `session-origin-split`, `impossible-travel`,
//! `aitm-kit-fingerprint`, `risky-ip`, `attacker-typical-action`, and the token-theft variants
//! `device-code-phishing`, `legacy-ropc`, `first-party-app-abuse`, `tycoon-2fa`, `sneaky-2fa`,
//! `rogue-device-registration` and `conditional-access-mfa-bypass`); context rules weigh them
//! (`ip-prevalence`, `no-nearby-interactive`, `hosting-network`, `new-country`,
//! `session-anomaly`); finding-level rules join and relate them (`post-compromise-activity`,
//! `campaign`, `remediated`). Every rule states its own facts about a finding
//! ([`super::rule::Rule::facts`]); docs/rules.md is generated from this registry and the rules'
//! module docs (`tests/rules_doc.rs`).

pub(crate) mod aitm_kit_fingerprint;
pub(crate) mod attacker_typical_action;
pub(crate) mod campaign;
pub(crate) mod conditional_access_mfa_bypass;
pub(crate) mod device_code_phishing;
pub(crate) mod first_party_app_abuse;
pub(crate) mod hosting_network;
pub(crate) mod impossible_travel;
pub(crate) mod ip_prevalence;
pub(crate) mod legacy_ropc;
pub(crate) mod new_country;
pub(crate) mod no_nearby_interactive;
pub(crate) mod post_compromise_activity;
pub(crate) mod remediated;
pub(crate) mod risky_ip;
pub(crate) mod rogue_device_registration;
pub(crate) mod session_anomaly;
pub(crate) mod session_origin_split;
pub(crate) mod short_window_origin_switch;
pub(crate) mod sneaky_2fa;
pub(crate) mod token_from_unfamiliar_network;
pub(crate) mod tycoon_2fa;

use super::rule::Rule;

/// Every rule, in the order of docs/detection.md §4; a finding states their facts in this order.
pub(crate) const REGISTRY: [Rule; 22] = [
    token_from_unfamiliar_network::RULE,
    ip_prevalence::RULE,
    no_nearby_interactive::RULE,
    risky_ip::RULE,
    short_window_origin_switch::RULE,
    session_origin_split::RULE,
    session_anomaly::RULE,
    hosting_network::RULE,
    new_country::RULE,
    impossible_travel::RULE,
    aitm_kit_fingerprint::RULE,
    device_code_phishing::RULE,
    legacy_ropc::RULE,
    first_party_app_abuse::RULE,
    tycoon_2fa::RULE,
    sneaky_2fa::RULE,
    rogue_device_registration::RULE,
    conditional_access_mfa_bypass::RULE,
    post_compromise_activity::RULE,
    attacker_typical_action::RULE,
    campaign::RULE,
    remediated::RULE,
];

/// Every rule id, in the registry's order.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|r| r.id)
}

/// Every rule with its evidence class on the confidence ladder (`origin`, `corroboration`,
/// `attacker-typical action`, `context`) and the settings key of its points (`weights.` plus
/// the id in snake case, and that key's suffixed variants), for docs/rules.md.
pub fn catalog() -> Vec<(&'static str, &'static str, Vec<String>)> {
    let weights = serde_json::to_value(crate::settings::Weights::default()).unwrap_or_default();
    let keys: Vec<String> =
        weights.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    REGISTRY
        .iter()
        .map(|r| {
            let key = r.id.replace('-', "_");
            let mine = keys
                .iter()
                .filter(|k| **k == key || k.starts_with(&format!("{key}_")))
                .map(|k| format!("weights.{k}"))
                .collect();
            (r.id, r.evidence.as_str(), mine)
        })
        .collect()
}

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

/// Test support: the facts rule `rule` states in the findings of `user`, after the whole
/// detection over the records of `b` under the default settings (so a rule's facts are tested
/// as they reach the report).
#[cfg(test)]
pub(crate) fn facts_of(
    b: &crate::sim::builder::Builder,
    user: &str,
    rule: &str,
) -> Vec<crate::report::Fact> {
    let ds = b.dataset();
    crate::detect::run(&ds, &crate::settings::Settings::default())
        .findings
        .into_iter()
        .filter(|f| f.user == user)
        .flat_map(|f| f.facts)
        .filter(|f| f.rule == rule)
        .collect()
}

/// Test support: a user with a week of interactive sign-ins from home (Comcast, her laptop).
#[cfg(test)]
pub(crate) fn at_home(b: &mut crate::sim::builder::Builder, user: &str) {
    for day in 1..=7 {
        let s = b.i(user, &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 7922);
        s.device_id = "laptop-1".into();
        s.session_id = format!("{user}-home-{day}");
        s.country = "US".into();
    }
}

/// Test support: the most severe finding of `user` after the whole detection over the records
/// of `b` under the default settings.
#[cfg(test)]
pub(crate) fn worst_of(
    b: &crate::sim::builder::Builder,
    user: &str,
) -> Option<crate::report::Finding> {
    let ds = b.dataset();
    crate::detect::run(&ds, &crate::settings::Settings::default())
        .findings
        .into_iter()
        .filter(|f| f.user == user)
        .max_by_key(|f| f.severity)
}
