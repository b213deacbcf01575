//! Quality benchmark (not a timed test): simulates tenants, analyses them in every export layout
//! and prints a summary line per layout and seed (recall, campaign members linked, the shares of
//! benign users at medium and at high or above), then per layout and seed the attacked users'
//! severities per variant and per attacker action, and which confounders produce findings.
//!
//! `cargo run --release --example quality [benign_users] [days] [seeds] [--direct] [--layout NAME]`
//! (`--direct` builds the portal, Graph and mixed layouts' events straight from the records
//! instead of reading the export files; `--layout` measures one layout: portal, graph, mixed,
//! log-analytics or ual-only).

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::{self, Layout, TenantConfig, quality};
use sessionhunt::{Settings, analyze};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let direct = args.iter().any(|a| a == "--direct");
    let only =
        args.iter().position(|a| a == "--layout").and_then(|i| args.get(i + 1)).map(String::as_str);
    let nums: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let users = nums.first().copied().unwrap_or(400) as u32;
    let days = nums.get(1).copied().unwrap_or(28) as u32;
    let seeds = nums.get(2).copied().unwrap_or(3);
    let layouts: Vec<Layout> =
        Layout::ALL.into_iter().filter(|l| only.is_none_or(|o| o == l.name())).collect();
    let mut rows: Vec<(String, quality::Quality)> = Vec::new();
    for seed in 1..=seeds {
        let cfg = TenantConfig {
            seed,
            benign_users: users,
            days,
            attacks: TenantConfig::all_attacks(),
            domain: "contoso.example".to_owned(),
        };
        let tenant = sim::generate(&cfg);
        for &layout in &layouts {
            let dataset = if direct {
                tenant.dataset(layout)
            } else {
                let mut ds = Dataset::new();
                for f in tenant.files(layout) {
                    ds.add_file(&f.name, &f.bytes);
                }
                ds
            };
            let report = analyze(&dataset, &Settings::default());
            let q = quality::evaluate(&tenant, &report);
            println!(
                "== seed {seed}, layout {}: {users} benign users, {days} days, {} events, {} findings ==",
                layout.name(),
                dataset.events.len(),
                report.findings.len(),
            );
            print!("{}", q.render());
            rows.push((format!("{} s{seed}", layout.name()), q));
        }
    }
    let rows: Vec<(&str, &quality::Quality)> = rows.iter().map(|(l, q)| (l.as_str(), q)).collect();
    println!("== summary ==");
    print!("{}", quality::summary(&rows));
}
