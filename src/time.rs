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

/// A duration as people say it, the one formatter of the report and the page: `45 s`, `3 min`,
/// `2 h`, `2 h 5 min`, `3 d`, `3 d 4 h` (negative durations read as their size).
pub fn duration(ms: Millis) -> String {
    let s = ms.unsigned_abs() / 1000;
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        3600..=86_399 => match s % 3600 / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
        _ => match s % 86_400 / 3600 {
            0 => format!("{} d", s / 86_400),
            h => format!("{} d {h} h", s / 86_400),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(-45_000), "45 s");
        assert_eq!(duration(180_000), "3 min");
        assert_eq!(duration(90 * 60_000), "1 h 30 min");
        assert_eq!(duration(3_600_000), "1 h");
        assert_eq!(duration(4 * 86_400_000), "4 d");
        assert_eq!(duration(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
    }

    #[test]
    fn formats_whole_seconds_without_fraction() {
        assert_eq!(rfc3339(1_783_104_777_000), "2026-07-03T18:52:57Z");
        assert_eq!(rfc3339(1_783_104_777_794), "2026-07-03T18:52:57.794Z");
    }
}
