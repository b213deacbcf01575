//! The simulator's neutral records: one struct per sign-in and per audit operation, with plain
//! strings. Writers turn them into export files ([`super::write`]); [`to_dataset`] turns them
//! straight into normalized events (what a parser would produce from those files), which is also
//! the quickest way to build test inputs.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::ingest::Dataset;
use crate::model::{
    AuditDetail, AuthRequirement, EventFields, EventKind, Location, Millis, Outcome, RiskLevel,
    SourceRef,
};
use crate::report::InputSummary;

/// One user sign-in (interactive or not).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInRecord {
    /// UTC milliseconds.
    pub time: Millis,
    /// Interactive (true) or non-interactive (false).
    pub interactive: bool,
    /// UPN.
    pub user: String,
    /// Object id.
    pub user_id: String,
    /// Display name.
    pub display_name: String,
    /// Client IP.
    pub ip: String,
    /// ASN; 0 when unknown.
    pub asn: u32,
    /// ISO alpha-2 country.
    pub country: String,
    /// State or region.
    pub state: String,
    /// City.
    pub city: String,
    /// Latitude and longitude.
    pub coordinates: Option<(f32, f32)>,
    /// User agent.
    pub user_agent: String,
    /// Browser as Entra writes it, e.g. `Edge 122.0.0`.
    pub browser: String,
    /// Operating system, e.g. `Windows10`.
    pub os: String,
    /// Entra device id; empty for unregistered devices.
    pub device_id: String,
    /// Device compliant.
    pub compliant: bool,
    /// Device managed.
    pub managed: bool,
    /// Join type (`Microsoft Entra joined` …).
    pub trust_type: String,
    /// Application id.
    pub app_id: String,
    /// Application name.
    pub app_name: String,
    /// Resource name.
    pub resource: String,
    /// Resource id.
    pub resource_id: String,
    /// Client app (`Browser`, `Mobile Apps and Desktop clients`).
    pub client_app: String,
    /// Session id.
    pub session_id: String,
    /// Unique token identifier (base64url of the request id's bytes, docs/formats.md §0 note 1).
    pub unique_token_id: String,
    /// Request id.
    pub request_id: String,
    /// Correlation id.
    pub correlation_id: String,
    /// Error code; 0 = success.
    pub error_code: u32,
    /// Failure reason / additional details text.
    pub failure_reason: String,
    /// `none`, `low`, `medium`, `high`.
    pub risk_level: String,
    /// Entra risk event types.
    pub risk_event_types: Vec<String>,
    /// `singleFactorAuthentication` or `multiFactorAuthentication`.
    pub auth_requirement: String,
    /// MFA / status additional detail, e.g. `MFA requirement satisfied by claim in the token`.
    pub mfa_detail: String,
    /// MFA method, e.g. `Mobile app notification`.
    pub mfa_method: String,
    /// Incoming token type.
    pub incoming_token_type: String,
    /// Authentication protocol (`deviceCode`, `ropc`); empty = `none`.
    pub auth_protocol: String,
    /// Original transfer method (`deviceCodeFlow`); empty = none.
    pub transfer_method: String,
    /// The application's owner tenant; empty = not logged (the portal writes Microsoft's).
    pub app_owner_tenant: String,
    /// Conditional Access policies enforcing MFA that were not applied (their names).
    pub ca_mfa_not_applied: Vec<String>,
}

/// One Unified Audit Log operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditRecord {
    /// UTC milliseconds.
    pub time: Millis,
    /// Acting user's UPN.
    pub user: String,
    /// Client IP as the workload logs it (Exchange admin records carry `:port`).
    pub ip: String,
    /// Operation, e.g. `New-InboxRule`.
    pub operation: String,
    /// Workload (`Exchange`, `AzureActiveDirectory`, …).
    pub workload: String,
    /// Numeric `RecordType` (1 ExchangeAdmin, 2 ExchangeItem, 8 AzureActiveDirectory, 50 …).
    pub record_type: u32,
    /// `ClientInfoString`, e.g. `Client=OWA;Action=ViaProxy`.
    pub client_info: String,
    /// Session id.
    pub session_id: String,
    /// `AppAccessContext.UniqueTokenId`.
    pub unique_token_id: String,
    /// Parameters (Name, Value).
    pub parameters: Vec<(String, String)>,
    /// External forwarding addresses.
    pub forward_to: Vec<String>,
    /// Target user (e.g. whose sessions were revoked).
    pub target_user: String,
    /// Record id.
    pub record_id: String,
    /// Application id (`AppId` / `ClientAppId` of mailbox and admin records).
    pub app_id: String,
    /// User agent (Entra directory records carry it in `ExtendedProperties` `additionalDetails`).
    pub user_agent: String,
    /// Correlation id (`InterSystemsId` of Entra directory records: the sign-in's correlation id).
    pub correlation_id: String,
    /// `UserKey`: the acting user's object id (the UPN when empty).
    pub user_key: String,
    /// `ObjectId` when the target is not a user (a service principal's id).
    pub object_id: String,
    /// `Target` ids when the target is not a user.
    pub targets: Vec<String>,
    /// Further `ExtendedProperties` (Name, Value) of Entra directory records.
    pub extended: Vec<(String, String)>,
}

/// A simulated log row.
#[allow(clippy::large_enum_variant)] // Records are built one at a time; boxing buys nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Record {
    /// A sign-in.
    SignIn(SignInRecord),
    /// An audit operation.
    Audit(AuditRecord),
}

impl Record {
    /// Event time.
    pub fn time(&self) -> Millis {
        match self {
            Record::SignIn(s) => s.time,
            Record::Audit(a) => a.time,
        }
    }

    /// Acting user.
    pub fn user(&self) -> &str {
        match self {
            Record::SignIn(s) => &s.user,
            Record::Audit(a) => &a.user,
        }
    }
}

/// Parses an IP as logs write it: bare, with `:port`, or `[v6]:port`.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
    }
    let (host, _port) = s.rsplit_once(':')?;
    host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

fn risk_level(s: &str) -> RiskLevel {
    match s.to_ascii_lowercase().as_str() {
        "low" => RiskLevel::Low,
        "medium" => RiskLevel::Medium,
        "high" => RiskLevel::High,
        _ => RiskLevel::None,
    }
}

/// Normalizes records into events of `dataset`, all attributed to file `file` with the given
/// 1-based lines (`lines[i]` for `records[i]`; `None` numbers them 2, 3, …).
pub fn push_events(dataset: &mut Dataset, file: u32, records: &[Record], lines: Option<&[u32]>) {
    for (i, r) in records.iter().enumerate() {
        let line = lines.and_then(|l| l.get(i).copied()).unwrap_or(i as u32 + 2);
        let source = SourceRef { file, line };
        let fields = to_event(dataset, r, source);
        let ev = dataset.pack(fields);
        dataset.events.push(ev);
        if let Some(f) = dataset.files.get_mut(file as usize) {
            f.rows += 1;
            f.events += 1;
        }
    }
}

/// A dataset holding `records` as events of one in-memory file named `name`.
pub fn to_dataset(name: &str, records: &[Record]) -> Dataset {
    let mut ds = Dataset::new();
    ds.files.push(InputSummary {
        name: name.to_owned(),
        format: "simulated-events".to_owned(),
        log_kind: "mixed".to_owned(),
        ..InputSummary::default()
    });
    push_events(&mut ds, 0, records, None);
    ds.events.shrink_to_fit();
    ds
}

fn to_event(ds: &mut Dataset, r: &Record, source: SourceRef) -> EventFields {
    let st = &mut ds.strings;
    match r {
        Record::SignIn(s) => {
            let kind =
                if s.interactive { EventKind::Interactive } else { EventKind::NonInteractive };
            let mut e = EventFields::empty(kind, s.time, source);
            e.user = st.intern(&s.user.trim().to_lowercase());
            e.upn = st.intern(s.user.trim());
            e.user_object_id = st.intern(&s.user_id.to_lowercase());
            e.ip = parse_ip(&s.ip);
            e.asn = s.asn;
            e.location = Location {
                country: st.intern(&s.country.to_ascii_uppercase()),
                state: st.intern(&s.state),
                city: st.intern(&s.city),
                coordinates: s.coordinates,
            };
            e.user_agent = st.intern(&s.user_agent);
            e.browser = st.intern(&s.browser);
            e.os = st.intern(&s.os);
            e.device_id = st.intern(&s.device_id.to_lowercase());
            e.compliant = s.compliant;
            e.managed = s.managed;
            e.app_id = st.intern(&s.app_id.to_lowercase());
            e.app_name = st.intern(&s.app_name);
            e.resource = st.intern(&s.resource);
            e.client_app = st.intern(&s.client_app);
            e.session_id = st.id(&s.session_id.to_lowercase());
            e.unique_token_id = st.id(&s.unique_token_id);
            e.request_id = st.id(&s.request_id.to_lowercase());
            e.correlation_id = st.id(&s.correlation_id.to_lowercase());
            e.outcome = if s.error_code == 0 { Outcome::Success } else { Outcome::Failure };
            e.error_code = s.error_code;
            e.risk_level = risk_level(&s.risk_level);
            e.risk_event_types = st.intern(&s.risk_event_types.join(","));
            e.auth_requirement = match s.auth_requirement.as_str() {
                "multiFactorAuthentication" => AuthRequirement::MultiFactor,
                "singleFactorAuthentication" => AuthRequirement::SingleFactor,
                _ => AuthRequirement::Unknown,
            };
            e.mfa_detail = st.intern(&s.mfa_detail);
            e.incoming_token_type = st.intern(&s.incoming_token_type);
            e.auth_protocol = st.intern(&s.auth_protocol);
            e.transfer_method = st.intern(&s.transfer_method);
            e.app_owner_tenant = st.intern(&s.app_owner_tenant);
            e.ca_mfa_not_applied = st.intern(&s.ca_mfa_not_applied.join("; "));
            e
        }
        Record::Audit(a) => {
            let mut e = EventFields::empty(EventKind::Audit, a.time, source);
            e.user = st.intern(&a.user.trim().to_lowercase());
            e.upn = st.intern(a.user.trim());
            e.ip = parse_ip(&a.ip);
            e.session_id = st.id(&a.session_id.to_lowercase());
            e.unique_token_id = st.id(&a.unique_token_id);
            e.request_id = st.id(&a.record_id.to_lowercase());
            e.app_id = st.intern(&a.app_id.to_lowercase());
            e.user_agent = st.intern(&a.user_agent);
            e.outcome = Outcome::Success;
            let parameters =
                a.parameters.iter().map(|(k, v)| (st.intern(k), st.intern(v))).collect();
            let forward_to = a.forward_to.iter().map(|f| st.intern(&f.to_lowercase())).collect();
            e.audit = Some(AuditDetail {
                operation: st.intern(&a.operation),
                workload: st.intern(&a.workload),
                client_info: st.intern(&a.client_info),
                parameters,
                forward_to,
                target_user: st.intern(&a.target_user.to_lowercase()),
            });
            e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_parse_with_ports_and_brackets() {
        assert_eq!(parse_ip("185.73.124.135:19823"), "185.73.124.135".parse().ok());
        assert_eq!(parse_ip("[2001:db8::1]:443"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip(""), None);
        assert_eq!(parse_ip("garbage"), None);
    }
}
