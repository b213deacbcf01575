//! The measured quality bars on a small simulated tenant, so regressions fail CI (the full
//! per-scenario benchmark is `cargo run --release --example quality`).

use sessionhunt::sim::{self, Layout, TenantConfig, quality};
use sessionhunt::{Settings, Severity, analyze};

#[test]
fn every_attack_is_high_and_benign_users_stay_below_high() {
    for seed in [11, 12] {
        let cfg = TenantConfig {
            seed,
            benign_users: 110,
            days: 14,
            attacks: TenantConfig::all_attacks(),
            domain: "contoso.example".to_owned(),
        };
        let tenant = sim::generate(&cfg);
        let report = analyze(&tenant.dataset(Layout::Mixed), &Settings::default());
        let q = quality::evaluate(&tenant, &report);
        let table = q.render();
        let missed: Vec<String> = q
            .missed()
            .into_iter()
            .map(|(o, attack, audit)| {
                format!("{} ({}, audit {audit}) only {:?}", o.user, attack.name(), o.severity)
            })
            .collect();
        assert!(missed.is_empty(), "seed {seed}: {missed:?}\n{table}");
        let audited: Vec<_> = q.attacked.iter().filter(|((_, audit), _)| *audit).collect();
        assert!(
            audited.iter().all(|(_, v)| v.iter().all(|o| o.severity == Severity::Critical)),
            "seed {seed}: an attack with an audit trail is not critical\n{table}"
        );
        assert!(q.benign_high_percent() <= 1.0, "seed {seed}\n{table}");
        assert_eq!(q.benign_all.len(), 110);
    }
}
