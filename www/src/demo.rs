//! The built-in demo tenant: generated in the worker by the core's simulator, then read through
//! the same ingestion path as an analyst's files.

/// The demo export files, as (name, bytes).
pub fn files() -> Vec<(String, Vec<u8>)> {
    Vec::new()
}
