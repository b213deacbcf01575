//! Quality benchmark (not a timed test): simulates tenants, analyses them and prints, per
//! scenario, the attacked users' severities, the share of benign users at high or above, and
//! which confounders produce low/medium findings.
//!
//! `cargo run --release --example quality [benign_users] [days] [seeds] [--files]`
//! (`--files` measures through the export files and the parsers instead of direct events).

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::{self, Layout, TenantConfig, quality};
use sessionhunt::{Settings, analyze};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files = args.iter().any(|a| a == "--files");
    let nums: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let users = nums.first().copied().unwrap_or(400) as u32;
    let days = nums.get(1).copied().unwrap_or(28) as u32;
    let seeds = nums.get(2).copied().unwrap_or(3);
    for seed in 1..=seeds {
        let cfg = TenantConfig {
            seed,
            benign_users: users,
            days,
            attacks: TenantConfig::all_attacks(),
            domain: "contoso.example".to_owned(),
        };
        let tenant = sim::generate(&cfg);
        let dataset = if files {
            let mut ds = Dataset::new();
            for f in tenant.files(Layout::Mixed) {
                ds.add_file(&f.name, &f.bytes);
            }
            ds
        } else {
            tenant.dataset(Layout::Mixed)
        };
        let report = analyze(&dataset, &Settings::default());
        let q = quality::evaluate(&tenant, &report);
        println!(
            "== seed {seed}: {users} benign users, {days} days, {} events, {} findings ({}) ==",
            dataset.events.len(),
            report.findings.len(),
            if files { "through export files and parsers" } else { "direct events" }
        );
        print!("{}", q.render());
    }
}
