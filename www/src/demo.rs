//! The built-in demo tenant: generated in the worker by the core's simulator (deterministic, about
//! 60 users over 21 days with every attack variant and benign confounder), then read through the
//! same ingestion path as an analyst's files.

/// The demo export files, as (name, bytes).
pub fn files() -> Vec<(String, Vec<u8>)> {
    sessionhunt::sim::demo_files().into_iter().map(|file| (file.name, file.bytes)).collect()
}
