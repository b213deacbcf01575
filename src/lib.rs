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
pub mod export;
pub mod ingest;
pub mod model;
mod par;
pub mod report;
pub mod settings;
pub mod sim;
pub mod time;
pub mod views;

/// The product version the reports and exports name (the workspace's, so the CLI and the page agree).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use report::{Report, Severity};
pub use settings::Settings;

use model::EventKind;
use report::{Coverage, KindCount, OperationCount, REPORT_SCHEMA_VERSION};

/// Analyses everything loaded into `dataset` with `settings`.
///
/// Re-running with other settings re-scores without re-reading the files.
pub fn analyze(dataset: &ingest::Dataset, settings: &Settings) -> Report {
    let (detection, extent) = par::join(|| detect::run(dataset, settings), || Extent::of(dataset));

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
        coverage: coverage(extent, warnings),
        findings: detection.findings,
        diagnostics,
    }
}

/// What the events cover, counted in one pass (beside the detection, where there are threads).
struct Extent {
    start: Option<model::Millis>,
    end: Option<model::Millis>,
    users: usize,
    by_kind: [u64; EventKind::ALL.len()],
    /// Audit operations by name, most frequent first.
    operations: Vec<OperationCount>,
    /// Sign-ins read from the Unified Audit Log.
    audit_log_sign_ins: u64,
}

impl Extent {
    fn of(dataset: &ingest::Dataset) -> Extent {
        let mut users = detect::HashSet::default();
        let mut extent = Extent {
            start: None,
            end: None,
            users: 0,
            by_kind: [0; EventKind::ALL.len()],
            operations: Vec::new(),
            audit_log_sign_ins: 0,
        };
        let mut operations: std::collections::BTreeMap<&str, u64> = Default::default();
        for e in &dataset.events {
            extent.start = Some(extent.start.map_or(e.time, |t| t.min(e.time)));
            extent.end = Some(extent.end.map_or(e.time, |t| t.max(e.time)));
            if !e.user.is_empty() {
                users.insert(e.user);
            }
            extent.by_kind[e.kind.index()] += 1;
            if e.is_ual_sign_in() {
                extent.audit_log_sign_ins += 1;
            } else if e.kind == EventKind::Audit
                && let Some(detail) = dataset.audit(e)
            {
                *operations.entry(dataset.strings.resolve(detail.operation)).or_default() += 1;
            }
        }
        extent.users = users.len();
        extent.operations = operations
            .into_iter()
            .map(|(operation, count)| OperationCount { operation: operation.to_owned(), count })
            .collect();
        extent.operations.sort_by(|a, b| b.count.cmp(&a.count).then(a.operation.cmp(&b.operation)));
        extent
    }
}

fn coverage(extent: Extent, warnings: Vec<String>) -> Coverage {
    let events_by_kind = EventKind::ALL
        .iter()
        .zip(extent.by_kind)
        .map(|(&kind, count)| KindCount { kind: kind.as_str().to_owned(), count })
        .collect();
    Coverage {
        start: extent.start.map(time::rfc3339).unwrap_or_default(),
        end: extent.end.map(time::rfc3339).unwrap_or_default(),
        users: extent.users as u64,
        events_by_kind,
        warnings,
        audit_operations: extent.operations,
        audit_log_sign_ins: extent.audit_log_sign_ins,
    }
}
