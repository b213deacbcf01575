//! Time conversions shared by readers and the report.

use chrono::{DateTime, SecondsFormat};

use crate::model::Millis;

/// Formats UTC milliseconds as RFC 3339 with a `Z`, with milliseconds only when they are not zero
/// (`2026-07-03T18:52:57Z`, `2026-07-03T18:52:57.794Z`).
pub fn rfc3339(millis: Millis) -> String {
    match DateTime::from_timestamp_millis(millis) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_whole_seconds_without_fraction() {
        assert_eq!(rfc3339(1_783_104_777_000), "2026-07-03T18:52:57Z");
        assert_eq!(rfc3339(1_783_104_777_794), "2026-07-03T18:52:57.794Z");
    }
}
