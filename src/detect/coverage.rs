//! What the loaded data lets the detection see, and what it does not: coverage warnings for the
//! report (docs/detection.md §3: say so instead of guessing).

use super::context::Ctx;
use crate::model::EventKind;

/// Appends the coverage warnings of the loaded data.
pub(crate) fn coverage_warnings(ctx: &Ctx<'_>, warnings: &mut Vec<String>) {
    warnings.extend(ctx.ds.ual_sign_in_coverage());
    let mut kinds = [0u64; EventKind::ALL.len()];
    let mut with_session = 0u64;
    let mut with_asn = 0u64;
    let mut sign_ins = 0u64;
    // Counts: the events in the dataset's order (sequential reads), not the canonical one.
    for e in &ctx.ds.events {
        kinds[e.kind.index()] += 1;
        if e.kind.is_user_sign_in() {
            sign_ins += 1;
            with_session += u64::from(!e.session_id.is_empty());
            with_asn += u64::from(ctx.asn(e) != 0);
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
    if sign_ins > 0 && with_session == 0 {
        warnings.push(
            "No sign-in carries a session id (exports before late 2024, or Graph v1.0): \
             session-origin-split and session-anomaly cannot fire."
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
