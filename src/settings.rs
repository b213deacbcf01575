//! Every window, threshold, weight and allowlist of the analysis, in one explicit type.
//!
//! `Settings::default()` is the documented default (whole data span as detection window and
//! baseline); [`Settings::h1_preset`] reproduces reference hunt H1 exactly. Settings load from JSON
//! or TOML; unknown keys are rejected so a typo never silently falls back to a default.

use serde::{Deserialize, Serialize};

/// Analysis settings. Passed explicitly to [`crate::analyze`]; never stored in a global.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Detection window in days back from the latest event; `None` = the whole data span.
    pub detection_days: Option<u32>,
    /// Baseline window in days back from the latest event; `None` = the whole data span.
    pub baseline_days: Option<u32>,
    /// Exclude the detection window from the baseline (H1 includes it).
    pub exclude_detection_from_baseline: bool,
    /// Prefix length used to compare IPv4 addresses.
    pub ipv4_prefix: u8,
    /// Prefix length used to compare IPv6 addresses.
    pub ipv6_prefix: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            detection_days: None,
            baseline_days: None,
            exclude_detection_from_baseline: false,
            ipv4_prefix: 24,
            ipv6_prefix: 48,
        }
    }
}

impl Settings {
    /// Reference hunt H1's windows: detection = last 7 days, baseline = last 30 days.
    pub fn h1_preset() -> Settings {
        Settings { detection_days: Some(7), baseline_days: Some(30), ..Settings::default() }
    }

    /// Parses settings from JSON or TOML text (JSON when the first non-blank character is `{`).
    pub fn parse(text: &str) -> Result<Settings, String> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            serde_json::from_str(trimmed).map_err(|e| format!("settings (JSON): {e}"))
        } else {
            toml::from_str(trimmed).map_err(|e| format!("settings (TOML): {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_give_the_same_settings() {
        let json = Settings::parse(r#"{"detection_days": 7, "ipv6_prefix": 56}"#).unwrap();
        let toml = Settings::parse("detection_days = 7\nipv6_prefix = 56\n").unwrap();
        assert_eq!(json, toml);
        assert_eq!(json.detection_days, Some(7));
        assert_eq!(json.ipv6_prefix, 56);
        assert_eq!(json.ipv4_prefix, 24, "unset keys keep their defaults");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Settings::parse(r#"{"detection_dayz": 7}"#).unwrap_err();
        assert!(err.contains("detection_dayz"), "{err}");
    }
}
