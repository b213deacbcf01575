//! Detection: per-user baselines, the rules of domain.md §4, scoring on the confidence ladder.

use crate::ingest::Dataset;
use crate::report::Finding;
use crate::settings::Settings;

/// What detection produces: findings (sorted) and coverage warnings.
#[derive(Debug, Default)]
pub struct Detection {
    /// Findings, in report order.
    pub findings: Vec<Finding>,
    /// What the data is too thin to tell (e.g. users whose baseline span is too short).
    pub warnings: Vec<String>,
}

/// Runs every rule over the dataset.
pub fn run(_dataset: &Dataset, _settings: &Settings) -> Detection {
    Detection::default()
}
