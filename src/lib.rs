//! `sessionhunt` finds adversary-in-the-middle (AiTM) session-token theft and replay in Microsoft
//! Entra ID and Microsoft 365 log exports.
//!
//! Bytes of exports go in, chunk by chunk, through an [`ingest::Dataset`]; one [`Report`] comes
//! out of [`analyze`]. The crate does no I/O, reads no clock, spawns no threads and knows nothing
//! of wasm or the DOM, so the same calls run in the native CLI and in the browser's web worker and
//! give byte-identical reports.
//!
//! ```
//! use sessionhunt::{analyze, ingest::Dataset, Settings};
//!
//! let mut dataset = Dataset::new();
//! dataset.add_file("empty.csv", b"");
//! let report = analyze(&dataset, &Settings::default());
//! assert_eq!(report.inputs.len(), 1);
//! assert!(report.findings.is_empty());
//! ```

#![warn(missing_docs)]

pub mod detect;
pub mod enrich;
pub mod ingest;
pub mod model;
mod par;
pub mod report;
pub mod settings;
pub mod sim;
pub mod time;

pub use report::{Report, Severity};
pub use settings::Settings;

use std::collections::BTreeSet;

use model::EventKind;
use report::{Coverage, KindCount, REPORT_SCHEMA_VERSION};

/// Analyses everything loaded into `dataset` with `settings`.
///
/// Re-running with other settings re-scores without re-reading the files.
pub fn analyze(dataset: &ingest::Dataset, settings: &Settings) -> Report {
    let detection = detect::run(dataset, settings);

    let mut inputs = dataset.files.clone();
    inputs.sort_by(|a, b| a.name.cmp(&b.name));

    let mut diagnostics = dataset.diagnostics.clone();
    diagnostics.sort();

    let mut warnings = detection.warnings;
    warnings.sort();
    warnings.dedup();

    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        inputs,
        coverage: coverage(dataset, warnings),
        findings: detection.findings,
        diagnostics,
    }
}

fn coverage(dataset: &ingest::Dataset, warnings: Vec<String>) -> Coverage {
    let start = dataset.events.iter().map(|e| e.time).min();
    let end = dataset.events.iter().map(|e| e.time).max();
    let users: BTreeSet<_> =
        dataset.events.iter().filter(|e| !e.user.is_empty()).map(|e| e.user).collect();
    let events_by_kind = EventKind::ALL
        .iter()
        .map(|&kind| KindCount {
            kind: kind.as_str().to_owned(),
            count: dataset.events.iter().filter(|e| e.kind == kind).count() as u64,
        })
        .collect();
    Coverage {
        start: start.map(time::rfc3339).unwrap_or_default(),
        end: end.map(time::rfc3339).unwrap_or_default(),
        users: users.len() as u64,
        events_by_kind,
        warnings,
    }
}
