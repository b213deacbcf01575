//! The quality bars (issue 17) on small simulated tenants, in every export layout: every attacked
//! user at high or critical, every victim with an audit trail at critical where the sign-in logs
//! are there, every campaign member linked to the others, and at most 1 % of benign users at
//! medium or above (the real-life confounders of docs/detection.md §5 stay below medium). The full
//! per-scenario benchmark is `cargo run --release --example quality`.

use sessionhunt::sim::{self, Layout, TenantConfig, quality};
use sessionhunt::{Settings, Severity, analyze};

const BENIGN_USERS: u32 = 110;

#[test]
fn every_attack_is_high_and_benign_users_stay_below_medium_in_every_layout() {
    let mut failures: Vec<String> = Vec::new();
    let mut tables = String::new();
    let mut rows: Vec<(String, quality::Quality)> = Vec::new();
    for seed in [11, 12] {
        let cfg = TenantConfig {
            seed,
            benign_users: BENIGN_USERS,
            days: 14,
            attacks: TenantConfig::all_attacks(),
            domain: "contoso.example".to_owned(),
        };
        let tenant = sim::generate(&cfg);
        for layout in Layout::ALL {
            // Log Analytics and UAL-only through their files and the parsers; the others from
            // the records (`tests/detect_determinism.rs` checks that they give the parsers'
            // findings), which saves half the test's time in a debug build.
            let dataset = tenant.dataset(layout);
            let at = format!("seed {seed}, layout {}", layout.name());
            // Every row the simulator writes is read (a row skipped is a simulator bug); the
            // UAL-only layout's IP database (ip2asn-v4.tsv) gives ranges, not events.
            let databases = dataset.files.iter().filter(|f| f.log_kind == "ip-database").count();
            assert_eq!(databases > 0, layout == Layout::UalOnly, "{at}: IP database files");
            for f in &dataset.files {
                let used = if f.log_kind == "ip-database" { f.ranges } else { f.events };
                assert!(
                    f.skipped == 0 && f.duplicates == 0 && f.rows == used && f.rows > 0,
                    "{at}: {} ({}) {} rows, {} events, skipped {:?}",
                    f.name,
                    f.format,
                    f.rows,
                    f.events,
                    f.skipped_reasons
                );
            }
            let report = analyze(&dataset, &Settings::default());
            let q = quality::evaluate(&tenant, &report);
            assert_eq!(q.benign_all.len(), BENIGN_USERS as usize, "{at}");
            for (o, attack, audit) in q.missed() {
                // The UAL alone keeps neither the authentication requirement nor the policy
                // detail: a password-only sign-in from the attacker's server, then its token used
                // from there, looks like the user's own new network (the coverage warnings say
                // conditional-access-mfa-bypass cannot fire). Its audit trail is still found. The
                // same holds for a device-code sign-in (the UAL keeps no authentication protocol)
                // and a single-factor ROPC success (no authentication requirement: legacy-ropc
                // cannot fire on the UAL's BAV2ROPC user agent alone) from the attacker's server.
                if matches!(
                    attack,
                    sim::Attack::CaMfaBypass
                        | sim::Attack::DeviceCodePhishing
                        | sim::Attack::LegacyRopc
                ) && layout == Layout::UalOnly
                    && !audit
                {
                    continue;
                }
                failures.push(format!(
                    "{at}: {} ({}, audit {audit}) only {}",
                    o.user,
                    attack.name(),
                    o.severity.as_str()
                ));
            }
            // Without sign-in logs (the UAL alone) an action with no sign-in behind it ranks
            // high, not critical (docs/detection.md §5).
            if layout != Layout::UalOnly {
                for ((attack, _), v) in q.attacked.iter().filter(|((_, audit), _)| *audit) {
                    for o in v.iter().filter(|o| o.severity == Severity::High) {
                        failures.push(format!(
                            "{at}: {} ({}) has an audit trail but is only high",
                            o.user,
                            attack.name()
                        ));
                    }
                }
            }
            // A variant with a rule of its own is named by it (issue 18: the analyst reads
            // "Tycoon 2FA", not only "unfamiliar network").
            for ((attack, audit), v) in &q.attacked {
                let Some(rule) = attack.rule() else { continue };
                // The policy detail is only in Graph JSON and Log Analytics exports (the portal
                // CSV and the UAL have none; the mixed layout is half portal).
                if *attack == sim::Attack::CaMfaBypass
                    && !matches!(layout, Layout::Graph | Layout::LogAnalytics)
                {
                    continue;
                }
                // The UAL's UserLoggedIn records keep neither the authentication protocol (device
                // code, ROPC) nor the authentication requirement (single-factor); the coverage
                // warnings say so.
                if matches!(attack, sim::Attack::DeviceCodePhishing | sim::Attack::LegacyRopc)
                    && layout == Layout::UalOnly
                {
                    continue;
                }
                for o in v.iter().filter(|o| !o.rules.iter().any(|r| r == rule)) {
                    failures.push(format!(
                        "{at}: {} ({}, audit {audit}) is not named by {rule}: {:?}",
                        o.user,
                        attack.name(),
                        o.rules
                    ));
                }
            }
            // The Node.js automation through the broker is Tycoon 2FA's shape from the user's own
            // network: the rule sees it, and the ladder keeps it below medium (checked above).
            for o in q.benign.get(&sim::Confounder::NodeAutomation).into_iter().flatten() {
                if !o.rules.iter().any(|r| r == "tycoon-2fa") {
                    failures.push(format!(
                        "{at}: {} (node automation) not seen by tycoon-2fa: {:?}",
                        o.user, o.rules
                    ));
                }
            }
            // The look-alikes of the device-code, ROPC and ConsentFix variants are seen by their
            // rule wherever the export keeps the field it reads (the UAL has no authentication
            // protocol or requirement, but the app and resource ids), and kept below medium.
            let seen = [
                (
                    sim::Confounder::MeetingRoomDeviceCode,
                    "device-code-phishing",
                    layout != Layout::UalOnly,
                ),
                (sim::Confounder::LegacyMailClient, "legacy-ropc", layout != Layout::UalOnly),
                (sim::Confounder::AzureCliDeveloper, "first-party-app-abuse", true),
            ];
            for (confounder, rule, _) in seen.iter().filter(|s| s.2) {
                for o in q.benign.get(confounder).into_iter().flatten() {
                    if !o.rules.iter().any(|r| r == rule) {
                        failures.push(format!(
                            "{at}: {} ({}) not seen by {rule}: {:?}",
                            o.user,
                            confounder.name(),
                            o.rules
                        ));
                    }
                }
            }
            for (o, audit) in q.campaign_unlinked() {
                failures.push(format!(
                    "{at}: campaign member {} (audit {audit}) is not linked to the campaign",
                    o.user
                ));
            }
            if q.benign_medium_percent() > 1.0 {
                failures.push(format!(
                    "{at}: {:.2} % of benign users at medium or above ({} users, listed below)",
                    q.benign_medium_percent(),
                    q.benign_at_least(Severity::Medium).len()
                ));
            }
            tables.push_str(&format!("== {at} ==\n{}", q.render()));
            rows.push((format!("{} s{seed}", layout.name()), q));
        }
    }
    let rows: Vec<(&str, &quality::Quality)> = rows.iter().map(|(l, q)| (l.as_str(), q)).collect();
    let summary = quality::summary(&rows);
    // The figures, for `--nocapture` (the quality bars are the assertions).
    eprintln!("{summary}");
    // A test's own switch, not a setting of the product.
    #[allow(clippy::disallowed_methods)]
    let tables_wanted = std::env::var_os("SESSIONHUNT_QUALITY_TABLES").is_some();
    if tables_wanted {
        eprintln!("{tables}");
    }
    assert!(
        failures.is_empty(),
        "{} failures\n{}\n\n{summary}\n{tables}",
        failures.len(),
        failures.join("\n")
    );
}
