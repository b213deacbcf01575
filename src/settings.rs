//! Every window, threshold, weight and allowlist of the analysis, in one explicit type.
//!
//! `Settings::default()` is the documented default (whole data span as detection window and
//! baseline); [`Settings::h1_preset`] reproduces reference hunt H1 exactly. Settings load from JSON
//! or TOML; unknown keys are rejected so a typo never silently falls back to a default.
//!
//! Every field documents its default. Windows are anchored to the data: "now" is the latest event
//! in the loaded files, never the wall clock.

use serde::{Deserialize, Serialize};

/// Analysis settings. Passed explicitly to [`crate::analyze`]; never stored in a global.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Detection window in days back from the latest event; `None` = the whole data span.
    /// Default: `None`. H1: 7.
    pub detection_days: Option<u32>,
    /// Baseline window in days back from the latest event; `None` = the whole data span.
    /// Default: `None`. H1: 30.
    pub baseline_days: Option<u32>,
    /// Exclude the detection window from the baseline (H1 includes it). Default: `false`.
    pub exclude_detection_from_baseline: bool,
    /// Prefix length used to compare IPv4 addresses. Default: 24 (H1's `a.b.c.0/24`).
    pub ipv4_prefix: u8,
    /// Prefix length used to compare IPv6 addresses. Default: 48.
    pub ipv6_prefix: u8,
    /// At most this many baseline IPs per user (H1's `make_set(IPAddress, 100)`), first seen kept.
    /// Default: `None` (no cap). H1: 100.
    pub baseline_max_ips: Option<u32>,
    /// At most this many baseline prefixes per user (H1's `make_set(.., 50)`), first seen kept.
    /// Default: `None` (no cap). H1: 50.
    pub baseline_max_prefixes: Option<u32>,
    /// Users with fewer successful interactive sign-ins than this in the baseline window get a
    /// coverage warning (their baseline is too thin to judge familiarity). Default: 3.
    pub min_baseline_sign_ins: u32,
    /// When the data spans fewer hours than this, a coverage warning says baselines are thin.
    /// Default: 72.
    pub min_baseline_span_hours: u32,
    /// How `ip-prevalence` counts users of an IP. Default: `all-data` (docs/detection.md §4: every user
    /// seen from the IP). H1: `candidates` (users among H1's candidates from the IP).
    pub ip_prevalence_scope: PrevalenceScope,
    /// `ip-prevalence`: an IP with at most this many users is "low-volume"; more is shared
    /// infrastructure. Default: 3.
    pub low_volume_max_users: u32,
    /// `no-nearby-interactive`: the ± window, in hours, for an interactive sign-in from the same
    /// IP. Default: 24.
    pub nearby_interactive_hours: u32,
    /// `short-window-origin-switch`: the window after an interactive sign-in, in minutes.
    /// Default: 10 (H2).
    pub short_window_minutes: u32,
    /// `post-compromise-activity`: the window after a suspicious sign-in, in minutes. Default: 60.
    pub post_compromise_minutes: u32,
    /// Zero-delay Microsoft refresh guard: a sign-in from a Microsoft ASN within this many
    /// seconds of another sign-in of the same user from a non-Microsoft network is Microsoft
    /// refreshing a token on the user's behalf, not a replay. Default: 5.
    pub microsoft_refresh_max_delay_secs: u32,
    /// Familiar-network guard: an ASN the user signed in from (interactively, or
    /// non-interactively from one of their own baseline devices) on at least this many distinct
    /// UTC days is "familiar"; new IPs inside it are IP rotation (carrier NAT, VPN pools), not a
    /// new network. 0 disables the guard. Default: 2.
    pub familiar_asn_min_days: u32,
    /// `session-anomaly`: the user needs at least this many other sessions to be compared.
    /// Default: 5.
    pub session_anomaly_min_sessions: u32,
    /// `session-anomaly`: the weighted z-score sum at or above which a session is anomalous.
    /// Default: 12.0.
    pub session_anomaly_threshold: f64,
    /// `session-anomaly`: weights of the per-session features.
    pub session_anomaly_weights: SessionWeights,
    /// `impossible-travel`: minimum distance in km. Default: 500.
    pub impossible_travel_min_km: f64,
    /// `impossible-travel`: minimum speed in km/h. Default: 800.
    pub impossible_travel_min_kmh: f64,
    /// `campaign`: the same IP, user agent or forwarding address in findings of at least this
    /// many users. Default: 2.
    pub campaign_min_users: u32,
    /// `campaign`: a user agent only links users when at most this many users use it in the
    /// whole data (common browser strings link nobody). Default: 5.
    pub campaign_ua_max_users: u32,
    /// `campaign` / `ip-prevalence`: an IP serving several users' unfamiliar-network candidates
    /// is a campaign's origin, not shared infrastructure, when all of them fall within this many
    /// hours and none of the users signs in interactively from it or from its ASN. Default: 72.
    pub campaign_max_span_hours: u32,
    /// `sneaky-2fa`: outdated browser user agents of one session count together within this many
    /// minutes. Default: 60.
    pub sneaky_2fa_window_minutes: u32,
    /// `rogue-device-registration`: sign-ins with a primary refresh token from an unmanaged device
    /// are raised within this many hours after a suspect device registration of the user.
    /// Default: 8.
    pub rogue_device_prt_hours: u32,
    /// `risky-ip`: Entra risk event types that mark an IP as known-bad. Default: anonymizedIPAddress,
    /// maliciousIPAddress, suspiciousIPAddress, unfamiliarFeatures, anomalousToken,
    /// attackerinTheMiddle, tokenIssuerAnomaly, nationStateIP.
    pub risky_event_types: Vec<String>,
    /// `risky-ip`: a sign-in at or above this Entra risk level marks its IP. Default: `medium`.
    pub risky_min_level: RiskThreshold,
    /// Extra hosting/VPS ASNs, added to the embedded list (`enrich::HOSTING_ASNS`). Default: none.
    pub hosting_asns: Vec<u32>,
    /// Extra Microsoft ASNs, added to the embedded list (`enrich::MICROSOFT_ASNS`). Default: none.
    pub microsoft_asns: Vec<u32>,
    /// Points of every fact.
    pub weights: Weights,
    /// Known-good IPs, networks, ASNs, users and apps. Default: empty.
    pub allow: Allowlist,
}

/// Which users `ip-prevalence` counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrevalenceScope {
    /// Every user with any event from the IP in the loaded data.
    #[default]
    AllData,
    /// Users among the `token-from-unfamiliar-network` candidates from the IP (H1 enrichment 1).
    Candidates,
}

/// Entra risk level threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskThreshold {
    /// `low` and above.
    Low,
    /// `medium` and above.
    #[default]
    Medium,
    /// `high` only.
    High,
    /// Risk levels never mark an IP (event types still do).
    Never,
}

/// Weights of the per-session features compared by `session-anomaly`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionWeights {
    /// Distinct IPs. Default: 1.0.
    pub ips: f64,
    /// Distinct ASNs. Default: 2.0.
    pub asns: f64,
    /// Distinct countries. Default: 2.0.
    pub countries: f64,
    /// Distinct browsers. Default: 1.0.
    pub browsers: f64,
    /// Distinct operating systems. Default: 1.0.
    pub operating_systems: f64,
    /// Distinct user agents. Default: 1.0.
    pub user_agents: f64,
    /// Distinct device ids. Default: 1.0.
    pub devices: f64,
    /// Distinct applications. Default: 0.5.
    pub apps: f64,
    /// Events. Default: 0.25.
    pub events: f64,
}

impl Default for SessionWeights {
    fn default() -> Self {
        SessionWeights {
            ips: 1.0,
            asns: 2.0,
            countries: 2.0,
            browsers: 1.0,
            operating_systems: 1.0,
            user_agents: 1.0,
            devices: 1.0,
            apps: 0.5,
            events: 0.25,
        }
    }
}

/// Points of each fact, named after the rule that states it (`weights.<rule id in snake case>`,
/// with a suffix where a rule states several kinds of fact). A finding's score is the sum of its
/// facts' points; severity comes from the confidence ladder (docs/detection.md §5), not from the
/// score. The names before ladder version 2 are still read (aliases).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// `token-from-unfamiliar-network`. Default: 30.
    #[serde(alias = "unfamiliar_network")]
    pub token_from_unfamiliar_network: i64,
    /// `token-from-unfamiliar-network`, own-origin guard (a familiar ASN, the user's carrier or
    /// ISP family, the user's own device). Default: -25.
    #[serde(alias = "familiar_network")]
    pub token_from_unfamiliar_network_own_origin: i64,
    /// `ip-prevalence`, one user. Default: 10.
    #[serde(alias = "single_user_ip")]
    pub ip_prevalence_single_user: i64,
    /// `ip-prevalence`, 2 to `low_volume_max_users` users. Default: 5.
    #[serde(alias = "low_volume_ip")]
    pub ip_prevalence_low_volume: i64,
    /// `ip-prevalence`, more users (shared infrastructure). Default: -20.
    #[serde(alias = "shared_ip")]
    pub ip_prevalence_shared: i64,
    /// `ip-prevalence`, several users in a short span, none at home there (a campaign's origin).
    /// Default: 10.
    pub ip_prevalence_campaign: i64,
    /// `no-nearby-interactive`, none within the window. Default: 0: with the default windows the
    /// baseline holds every interactive sign-in, so a candidate never has a nearby one from its
    /// own IP and the fact would add the same points to every candidate
    /// (docs/detection.md §4).
    pub no_nearby_interactive: i64,
    /// `no-nearby-interactive`, the user did sign in interactively from the IP. Default: -20.
    #[serde(alias = "nearby_interactive")]
    pub no_nearby_interactive_nearby: i64,
    /// `risky-ip`. Default: 20.
    pub risky_ip: i64,
    /// `short-window-origin-switch`. Default: 25.
    #[serde(alias = "short_window_switch")]
    pub short_window_origin_switch: i64,
    /// `session-origin-split`. Default: 35.
    #[serde(alias = "session_split")]
    pub session_origin_split: i64,
    /// `session-anomaly`. Default: 10.
    pub session_anomaly: i64,
    /// `hosting-network`. Default: 20.
    pub hosting_network: i64,
    /// `hosting-network`, a network of hosting and ordinary users alike (`enrich::MIXED_ASNS`:
    /// Cloudflare WARP, the Cogent transit network); no corroboration on the ladder. Default: 5.
    pub hosting_network_mixed: i64,
    /// `new-country`. Default: 10.
    pub new_country: i64,
    /// `impossible-travel`. Default: 15.
    pub impossible_travel: i64,
    /// `aitm-kit-fingerprint`. Default: 30.
    #[serde(alias = "aitm_kit")]
    pub aitm_kit_fingerprint: i64,
    /// `post-compromise-activity`: attacker-typical operations tied to the sign-ins (inbox rules,
    /// forwarding, consent, MFA methods, devices, Send). Default: 40.
    #[serde(alias = "post_compromise_persistence")]
    pub post_compromise_activity: i64,
    /// `post-compromise-activity`: mail binds or file access only. Default: 20.
    #[serde(alias = "post_compromise_access")]
    pub post_compromise_activity_access: i64,
    /// `attacker-typical-action`: such an operation found on its own (half for a weak shape).
    /// Default: 40.
    pub attacker_typical_action: i64,
    /// `campaign`. Default: 15.
    pub campaign: i64,
    /// `device-code-phishing`. Default: 35.
    pub device_code_phishing: i64,
    /// `legacy-ropc`. Default: 25.
    pub legacy_ropc: i64,
    /// `first-party-app-abuse`. Default: 35.
    pub first_party_app_abuse: i64,
    /// `tycoon-2fa`. Default: 30.
    pub tycoon_2fa: i64,
    /// `sneaky-2fa`. Default: 30.
    pub sneaky_2fa: i64,
    /// `rogue-device-registration`. Default: 35.
    pub rogue_device_registration: i64,
    /// `conditional-access-mfa-bypass`. Default: 30.
    pub conditional_access_mfa_bypass: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            token_from_unfamiliar_network: 30,
            token_from_unfamiliar_network_own_origin: -25,
            ip_prevalence_single_user: 10,
            ip_prevalence_low_volume: 5,
            ip_prevalence_shared: -20,
            ip_prevalence_campaign: 10,
            no_nearby_interactive: 0,
            no_nearby_interactive_nearby: -20,
            risky_ip: 20,
            short_window_origin_switch: 25,
            session_origin_split: 35,
            session_anomaly: 10,
            hosting_network: 20,
            hosting_network_mixed: 5,
            new_country: 10,
            impossible_travel: 15,
            aitm_kit_fingerprint: 30,
            post_compromise_activity: 40,
            post_compromise_activity_access: 20,
            attacker_typical_action: 40,
            campaign: 15,
            device_code_phishing: 35,
            legacy_ropc: 25,
            first_party_app_abuse: 35,
            tycoon_2fa: 30,
            sneaky_2fa: 30,
            rogue_device_registration: 35,
            conditional_access_mfa_bypass: 30,
        }
    }
}

/// Known-good entities. Events matching an entry never raise a finding on their own; a finding
/// whose every suspicious event is allowlisted is kept at severity `info` with the reason, so each
/// suppression stays visible.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Allowlist {
    /// Exact IP addresses (corporate egress, VPN gateways).
    pub ips: Vec<String>,
    /// Networks in CIDR notation (`198.51.100.0/24`, `2001:db8::/32`).
    pub cidrs: Vec<String>,
    /// Autonomous system numbers.
    pub asns: Vec<u32>,
    /// Users (UPN or object id, case-insensitive), e.g. service accounts.
    pub users: Vec<String>,
    /// Application ids or names (case-insensitive).
    pub apps: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            detection_days: None,
            baseline_days: None,
            exclude_detection_from_baseline: false,
            ipv4_prefix: 24,
            ipv6_prefix: 48,
            baseline_max_ips: None,
            baseline_max_prefixes: None,
            min_baseline_sign_ins: 3,
            min_baseline_span_hours: 72,
            ip_prevalence_scope: PrevalenceScope::AllData,
            low_volume_max_users: 3,
            nearby_interactive_hours: 24,
            short_window_minutes: 10,
            post_compromise_minutes: 60,
            microsoft_refresh_max_delay_secs: 5,
            familiar_asn_min_days: 2,
            session_anomaly_min_sessions: 5,
            session_anomaly_threshold: 12.0,
            session_anomaly_weights: SessionWeights::default(),
            impossible_travel_min_km: 500.0,
            impossible_travel_min_kmh: 800.0,
            campaign_min_users: 2,
            campaign_ua_max_users: 5,
            campaign_max_span_hours: 72,
            sneaky_2fa_window_minutes: 60,
            rogue_device_prt_hours: 8,
            risky_event_types: [
                "anonymizedIPAddress",
                "maliciousIPAddress",
                "suspiciousIPAddress",
                "unfamiliarFeatures",
                "anomalousToken",
                "attackerinTheMiddle",
                "tokenIssuerAnomaly",
                "nationStateIP",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            risky_min_level: RiskThreshold::Medium,
            hosting_asns: Vec::new(),
            microsoft_asns: Vec::new(),
            weights: Weights::default(),
            allow: Allowlist::default(),
        }
    }
}

impl Settings {
    /// Reference hunt H1's parameters: detection = last 7 days, baseline = last 30 days, at most
    /// 100 baseline IPs and 50 prefixes per user, IP prevalence counted among the candidates.
    pub fn h1_preset() -> Settings {
        Settings {
            detection_days: Some(7),
            baseline_days: Some(30),
            baseline_max_ips: Some(100),
            baseline_max_prefixes: Some(50),
            ip_prevalence_scope: PrevalenceScope::Candidates,
            ..Settings::default()
        }
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

    /// Problems that make part of the settings ineffective (e.g. an unparseable CIDR). The
    /// analysis reports them as coverage warnings and carries on without the bad entries.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ip in &self.allow.ips {
            if ip.trim().parse::<std::net::IpAddr>().is_err() {
                out.push(format!("settings: allow.ips entry {ip:?} is not an IP address; ignored"));
            }
        }
        for cidr in &self.allow.cidrs {
            if cidr.trim().parse::<ipnet::IpNet>().is_err() {
                out.push(format!("settings: allow.cidrs entry {cidr:?} is not a CIDR; ignored"));
            }
        }
        if self.ipv4_prefix > 32 {
            out.push(format!("settings: ipv4_prefix {} is above 32; 32 used", self.ipv4_prefix));
        }
        if self.ipv6_prefix > 128 {
            out.push(format!("settings: ipv6_prefix {} is above 128; 128 used", self.ipv6_prefix));
        }
        out
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
        let err = Settings::parse("[weights]\nunfamiliar = 3\n").unwrap_err();
        assert!(err.contains("unfamiliar"), "{err}");
    }

    #[test]
    fn nested_tables_load_from_toml_and_json() {
        let toml = Settings::parse(
            "ip_prevalence_scope = \"candidates\"\n[allow]\nasns = [8075]\ncidrs = [\"10.0.0.0/8\"]\n\
             [weights]\ncampaign = 99\n",
        )
        .unwrap();
        assert_eq!(toml.allow.asns, vec![8075]);
        assert_eq!(toml.weights.campaign, 99);
        assert_eq!(toml.weights.token_from_unfamiliar_network, 30);
        assert_eq!(toml.ip_prevalence_scope, PrevalenceScope::Candidates);
        let json = serde_json::to_string(&toml).unwrap();
        assert_eq!(Settings::parse(&json).unwrap(), toml, "round trip");
    }

    #[test]
    fn weights_before_ladder_v2_are_still_read() {
        let old = Settings::parse(
            "{\"weights\": {\"unfamiliar_network\": 7, \"aitm_kit\": 8, \"familiar_network\": -9}}",
        )
        .unwrap();
        assert_eq!(old.weights.token_from_unfamiliar_network, 7);
        assert_eq!(old.weights.aitm_kit_fingerprint, 8);
        assert_eq!(old.weights.token_from_unfamiliar_network_own_origin, -9);
    }

    #[test]
    fn h1_preset_matches_the_hunt() {
        let h1 = Settings::h1_preset();
        assert_eq!((h1.detection_days, h1.baseline_days), (Some(7), Some(30)));
        assert_eq!((h1.baseline_max_ips, h1.baseline_max_prefixes), (Some(100), Some(50)));
        assert!(!h1.exclude_detection_from_baseline);
    }

    #[test]
    fn bad_allowlist_entries_are_reported() {
        let mut s = Settings::default();
        s.allow.cidrs = vec!["10.0.0.0/8".into(), "nope".into()];
        s.allow.ips = vec!["1.2.3.4".into(), "1.2.3".into()];
        let problems = s.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
