//! What the loaded data lets the detection see, and what it does not: coverage warnings for the
//! report (docs/detection.md §3: say so instead of guessing).

use super::context::Ctx;
use crate::model::{AuthRequirement, EventKind};

/// The sign-in formats that keep Conditional Access policy detail (`appliedConditionalAccessPolicies`
/// / `ConditionalAccessPolicies`); the portal's CSV keeps the status only, the UAL none.
const CA_DETAIL_FORMATS: [&str; 6] = [
    "graph-signin-json",
    "eventhub-signin-json",
    "log-analytics-csv",
    "log-analytics-json",
    "defender-signin-csv",
    "defender-signin-json",
];

/// The input formats of the Entra directory audit log (`ingest/directory_audit.rs`).
const DIRECTORY_FORMATS: [&str; 5] = [
    "graph-directoryaudit-json",
    "log-analytics-auditlogs-json",
    "entra-portal-audit-csv",
    "log-analytics-auditlogs-csv",
    "eventhub-auditlogs-json",
];

/// Appends the coverage warnings of the loaded data.
pub(crate) fn coverage_warnings(ctx: &Ctx<'_>, warnings: &mut Vec<String>) {
    warnings.extend(ctx.ds.ual_sign_in_coverage());
    let mut kinds = [0u64; EventKind::ALL.len()];
    let mut with_session = 0u64;
    let mut with_asn = 0u64;
    let mut sign_ins = 0u64;
    // What the token-theft variant rules read: the Entra directory's own operations (device
    // registrations), the incoming token type, the authentication protocol or transfer method,
    // user agents.
    let mut directory = 0u64;
    let mut with_token_type = 0u64;
    let mut with_protocol = 0u64;
    let mut with_agent = 0u64;
    let mut with_ca_detail = 0u64;
    let mut with_requirement = 0u64;
    let ca_files: Vec<bool> =
        ctx.ds.files.iter().map(|f| CA_DETAIL_FORMATS.contains(&f.format.as_str())).collect();
    let directory_files: Vec<bool> =
        ctx.ds.files.iter().map(|f| DIRECTORY_FORMATS.contains(&f.format.as_str())).collect();
    // Counts: the events in the dataset's order (sequential reads), not the canonical one.
    for e in &ctx.ds.events {
        kinds[e.kind.index()] += 1;
        if e.kind.is_user_sign_in() {
            sign_ins += 1;
            with_session += u64::from(!e.session_id.is_empty());
            with_asn += u64::from(ctx.asn(e) != 0);
            let client = ctx.ds.client(e);
            with_token_type += u64::from(!client.incoming_token_type.is_empty());
            with_agent += u64::from(!client.user_agent.is_empty());
            with_ca_detail +=
                u64::from(ca_files.get(e.source.file as usize).copied().unwrap_or(false));
            let auth = ctx.ds.auth(e);
            with_protocol +=
                u64::from(!auth.auth_protocol.is_empty() || !auth.transfer_method.is_empty());
            with_requirement += u64::from(auth.auth_requirement != AuthRequirement::Unknown);
        } else if e.kind == EventKind::Audit
            && (directory_files.get(e.source.file as usize).copied().unwrap_or(false)
                || ctx.ds.audit(e).is_some_and(|a| {
                    ctx.s(a.workload).eq_ignore_ascii_case("AzureActiveDirectory")
                }))
        {
            directory += 1;
        }
    }
    if kinds[EventKind::Interactive.index()] == 0 {
        warnings.push(
            "No interactive sign-ins loaded: there is no baseline, so token-from-unfamiliar-network, \
             new-country and H2 cannot fire. Load the interactive sign-in log."
                .to_owned(),
        );
    }
    if kinds[EventKind::NonInteractive.index()] == 0 {
        warnings.push(
            "No non-interactive sign-ins loaded: token replays (H1, H2) are invisible. Load the \
             non-interactive sign-in log."
                .to_owned(),
        );
    }
    if kinds[EventKind::Audit.index()] == 0 {
        warnings.push(
            "No audit events loaded: post-compromise-activity, attacker-typical-action and \
             remediated cannot fire, so no finding can reach critical and every containment is \
             unknown. Load the Unified Audit Log or the Entra audit log."
                .to_owned(),
        );
    }
    if sign_ins > 0 && directory == 0 {
        warnings.push(
            "No Entra directory operations loaded (the directory audit log, or the Unified Audit \
             Log's AzureActiveDirectory records): rogue-device-registration cannot see device \
             registrations (only the broker's refresh tokens redeemed for the Device Registration \
             Service), and attacker-typical-action cannot see new MFA methods, consents or \
             devices. Load the Entra audit log."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_token_type == 0 {
        warnings.push(
            "No sign-in carries an incoming token type (the Unified Audit Log's UserLoggedIn \
             records have none): rogue-device-registration cannot tell sign-ins with a primary \
             refresh token, nor the broker's refresh tokens for the Device Registration Service."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_protocol == 0 {
        warnings.push(
            "No sign-in carries an authentication protocol or original transfer method: \
             device-code-phishing sees the device-code flow only through the broker to the Device \
             Registration Service and a kit's user agent, tycoon-2fa's device-code shape cannot \
             fire, and legacy-ropc sees ROPC only through the BAV2ROPC user agent."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_requirement == 0 {
        warnings.push(
            "No sign-in says whether it was single- or multi-factor (the Unified Audit Log's \
             UserLoggedIn records do not): legacy-ropc cannot tell a password-only ROPC success \
             and sees only ROPC attempts failing with an unknown client id (error 700016)."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_ca_detail == 0 {
        warnings.push(
            "No loaded sign-in export keeps Conditional Access policy detail (the portal's CSV has \
             the status only, the Unified Audit Log none): conditional-access-mfa-bypass cannot \
             fire. Load Graph beta JSON, Log Analytics or Defender sign-in exports."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_agent == 0 {
        warnings.push(
            "No sign-in carries a user agent: aitm-kit-fingerprint's scripting agents, \
             tycoon-2fa's runtime user agents and sneaky-2fa's browser rotation cannot fire."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_session == 0 {
        warnings.push(
            "No sign-in carries a session id (exports before late 2024, or Graph v1.0): \
             session-origin-split and session-anomaly cannot fire, and sneaky-2fa falls back to \
             correlation ids."
                .to_owned(),
        );
    }
    if let Some([no_asn, asn, no_country, country]) = ctx.db_counts() {
        let mut files: Vec<String> = ctx
            .ds
            .ipdb
            .tables()
            .iter()
            .map(|t| {
                let date = crate::enrich::ipdb::date_in_name(t.file())
                    .unwrap_or_else(|| "undated".to_owned());
                format!("{} ({}, {date})", t.file(), t.kind().format())
            })
            .collect();
        files.dedup();
        let mut credits: Vec<&str> =
            ctx.ds.ipdb.tables().iter().map(|t| t.kind().attribution()).collect();
        credits.sort_unstable();
        credits.dedup();
        warnings.push(format!(
            "IP database used: {}. It gave the ASN of {asn} of the {no_asn} addresses the logs \
             leave without one (and no sign-in of the same address taught), and the country of \
             {country} of the {no_country} without one; each such value is marked \"from the IP \
             database\" in the explanations. {}",
            files.join(", "),
            credits.join(" ")
        ));
    }
    if sign_ins > 0 && with_asn == 0 {
        warnings.push(
            "No sign-in carries an ASN: network comparisons fall back to prefixes and countries; \
             H2 and hosting-network cannot fire."
                .to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn warnings(b: &Builder) -> Vec<String> {
        let ds = b.dataset();
        crate::detect::run(&ds, &Settings::default()).warnings
    }

    fn has(w: &[String], start: &str) -> bool {
        w.iter().any(|w| w.starts_with(start))
    }

    #[test]
    fn says_which_variant_rules_cannot_fire_for_the_loaded_shapes() {
        // Sign-ins with no user agent, protocol or token type, and mailbox operations only.
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        b.audit("alice@x.test", "2026-03-07T09:00:00Z", "198.51.100.20", "MailItemsAccessed");
        let w = warnings(&b);
        assert!(has(&w, "No Entra directory operations loaded"), "{w:?}");
        assert!(w.iter().any(|w| w.contains("rogue-device-registration cannot see device")));
        assert!(has(&w, "No sign-in carries an incoming token type"), "{w:?}");
        assert!(has(&w, "No sign-in carries an authentication protocol"), "{w:?}");
        assert!(has(&w, "No sign-in carries a user agent"), "{w:?}");
        assert!(has(&w, "No loaded sign-in export keeps Conditional Access"), "{w:?}");
        assert!(has(&w, "No sign-in says whether it was single- or multi-factor"), "{w:?}");

        // The same with the fields, and a directory operation from the UAL's Entra records.
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        let s = b.ni("alice@x.test", "2026-03-07T10:00:00Z", "198.51.100.20", 7922);
        s.user_agent = "Mozilla/5.0".into();
        s.incoming_token_type = "refreshToken".into();
        s.auth_protocol = "none".into();
        s.auth_requirement = "multiFactorAuthentication".into();
        b.audit("alice@x.test", "2026-03-07T09:00:00Z", "", "Add device.").workload =
            "AzureActiveDirectory".into();
        let mut ds = b.dataset();
        ds.files[0].format = "graph-signin-json".to_owned();
        let w = crate::detect::run(&ds, &Settings::default()).warnings;
        for start in [
            "No loaded sign-in export keeps Conditional Access",
            "No Entra directory operations",
            "No sign-in carries an incoming token type",
            "No sign-in carries an authentication protocol",
            "No sign-in carries a user agent",
            "No sign-in says whether it was single- or multi-factor",
        ] {
            assert!(!has(&w, start), "{start}: {w:?}");
        }
    }
}
