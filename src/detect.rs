//! Detection: per-user baselines, the rules of docs/detection.md §4, scoring on the confidence ladder.
//!
//! The pipeline, all pure functions over one [`Dataset`]:
//! 1. [`context`]: events in a canonical, content-derived order; windows anchored to the latest
//!    event; compiled allowlists and network lists.
//! 2. [`baseline`]: per-user baselines and per-session statistics (docs/detection.md §3), with coverage
//!    warnings when a baseline is too thin.
//! 3. [`rules`]: the rules, one module each, behind one interface ([`rule`]) and one registry.
//! 4. [`finding`]: suspicious events grouped per user and attacker origin (session or network),
//!    each rule's facts with their points and sentences, placed on the confidence ladder
//!    ([`ladder`], docs/detection.md §5); [`coverage`] says what the data cannot show.
//!
//! [`hunts`] exposes the raw result rows of reference hunts H1 and H2 (docs/detection.md §7).

pub(crate) mod baseline;
pub(crate) mod context;
pub(crate) mod coverage;
pub(crate) mod finding;
pub(crate) mod guards;
pub mod hunts;
pub(crate) mod ladder;
pub(crate) mod rule;
pub mod rules;

use crate::ingest::Dataset;
use crate::report::Finding;
use crate::settings::Settings;

/// The detection's hash maps: std's, hashed by fixed-seed foldhash instead of SipHash, which is
/// several times slower on these small keys (symbols, addresses, short strings), most of all in
/// wasm. Deterministic like everything else here (no OS randomness), and their order never
/// reaches the report (clippy's `iter_over_hash_type`).
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// The detection's hash sets (see [`HashMap`]).
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

/// What detection produces: findings (sorted) and coverage warnings.
#[derive(Debug, Default)]
pub struct Detection {
    /// Findings, in report order.
    pub findings: Vec<Finding>,
    /// What the data is too thin to tell (e.g. users whose baseline span is too short).
    pub warnings: Vec<String>,
}

/// Runs every rule over the dataset.
pub fn run(dataset: &Dataset, settings: &Settings) -> Detection {
    let ctx = context::Ctx::new(dataset, settings);
    let mut warnings = settings.problems();
    if ctx.len() == 0 {
        return Detection { findings: Vec::new(), warnings };
    }
    let baselines = baseline::build_unpoisoned(&ctx);
    warnings.extend(baseline::warnings(&ctx, &baselines));
    let (findings, more) = finding::build(&ctx, &baselines);
    warnings.extend(more);
    warnings.sort();
    warnings.dedup();
    Detection { findings, warnings }
}

/// FNV-1a, 64 bit: a hash whose output is the same on every platform and in every run, for ids
/// derived from content.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_reference_function() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
