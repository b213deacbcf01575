//! Column and key names of every sign-in export, mapped to one set of canonical fields.
//!
//! Portal CSV headers, Graph camelCase keys, Log Analytics PascalCase columns and Defender columns
//! are all matched by their normalized form (lower case, whitespace collapsed, ` [UTC]` kept), so
//! `Application ID `, `Autonomous system  number` and `"TimeGenerated [UTC]"` need no special case.
//! Nothing is matched by position: the portal header changed at least three times (docs/formats.md §1.3).

use std::collections::HashMap;

/// A canonical sign-in field.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub(crate) enum F {
    Time,
    TimeGenerated,
    RequestId,
    UserAgent,
    CorrelationId,
    UserObjectId,
    Upn,
    IncomingTokenType,
    /// `authenticationProtocol` (`deviceCode`, `ropc`, …).
    AuthProtocol,
    /// `originalTransferMethod` (`deviceCodeFlow`, …).
    TransferMethod,
    /// `appOwnerTenantId`.
    AppOwnerTenant,
    /// `appliedConditionalAccessPolicies` (Graph), `ConditionalAccessPolicies` (Log Analytics,
    /// Defender): the policy array, or its JSON text.
    CaPolicies,
    /// The MFA policies not applied, as found in [`F::CaPolicies`] (no column of its own).
    CaMfaNotApplied,
    Uti,
    AppName,
    AppId,
    ResourceName,
    Resource,
    ResourceId,
    Ip,
    Location,
    LocationDetails,
    Status,
    ErrorCode,
    ResultType,
    FailureReason,
    ClientApp,
    DeviceId,
    Browser,
    Os,
    Compliant,
    Managed,
    DeviceDetail,
    MfaResult,
    MfaMethod,
    MfaDetail,
    MfaDetailJson,
    AuthDetails,
    AuthRequirement,
    SessionId,
    Asn,
    Country,
    State,
    City,
    Lat,
    Lon,
    RiskAggregated,
    RiskDuring,
    RiskLevel,
    RiskEventTypesV2,
    RiskEventTypes,
    EventTypes,
    IsInteractive,
    SpId,
    SpName,
    MsiType,
    Table,
    Category,
    // Authentication-details CSV (one row per authentication step).
    AuthMethod,
    AuthMethodDetail,
    Succeeded,
    ResultDetail,
    Requirement,
    /// The first step's `authenticationStepDateTime` (from `authenticationDetails`; no column).
    StepTime,
    // Event Hub / diagnostic-settings envelope.
    Properties,
}

/// Number of [`F`] variants.
pub(crate) const NF: usize = F::Properties as usize + 1;

const ALIASES: &[(&str, F)] = &[
    // Portal CSV (docs/formats.md §1.3, §1.4, §1.6).
    ("date (utc)", F::Time),
    ("date", F::Time),
    ("request id", F::RequestId),
    ("user agent", F::UserAgent),
    ("correlation id", F::CorrelationId),
    ("user id", F::UserObjectId),
    ("username", F::Upn),
    ("incoming token type", F::IncomingTokenType),
    ("authentication protocol", F::AuthProtocol),
    ("original transfer method", F::TransferMethod),
    ("app owner tenant id", F::AppOwnerTenant),
    ("unique token identifier", F::Uti),
    ("application", F::AppName),
    ("application id", F::AppId),
    ("resource", F::Resource),
    ("resource id", F::ResourceId),
    ("ip address", F::Ip),
    ("location", F::Location),
    ("status", F::Status),
    ("sign-in error code", F::ErrorCode),
    ("failure reason", F::FailureReason),
    ("client app", F::ClientApp),
    ("device id", F::DeviceId),
    ("browser", F::Browser),
    ("operating system", F::Os),
    ("compliant", F::Compliant),
    ("managed", F::Managed),
    ("multifactor authentication result", F::MfaResult),
    ("multifactor authentication auth method", F::MfaMethod),
    ("multifactor authentication auth detail", F::MfaDetail),
    ("authentication requirement", F::AuthRequirement),
    ("session id", F::SessionId),
    ("autonomous system number", F::Asn),
    ("service principal id", F::SpId),
    ("service principal name", F::SpName),
    ("managed identity type", F::MsiType),
    ("authentication method", F::AuthMethod),
    ("authentication method detail", F::AuthMethodDetail),
    ("succeeded", F::Succeeded),
    ("result detail", F::ResultDetail),
    ("requirement", F::Requirement),
    // Graph beta signIn (camelCase), Log Analytics (PascalCase), both lower-cased here.
    ("createddatetime", F::Time),
    ("createddatetime [utc]", F::Time),
    ("timegenerated", F::TimeGenerated),
    ("timegenerated [utc]", F::TimeGenerated),
    ("time", F::TimeGenerated),
    ("id", F::RequestId),
    ("useragent", F::UserAgent),
    ("correlationid", F::CorrelationId),
    ("userid", F::UserObjectId),
    ("userprincipalname", F::Upn),
    ("incomingtokentype", F::IncomingTokenType),
    ("authenticationprotocol", F::AuthProtocol),
    ("originaltransfermethod", F::TransferMethod),
    ("appownertenantid", F::AppOwnerTenant),
    ("appliedconditionalaccesspolicies", F::CaPolicies),
    ("conditionalaccesspolicies", F::CaPolicies),
    ("conditionalaccesspolicies_dynamic", F::CaPolicies),
    ("conditionalaccesspolicies_string", F::CaPolicies),
    ("uniquetokenidentifier", F::Uti),
    ("appdisplayname", F::AppName),
    ("appid", F::AppId),
    ("resourcedisplayname", F::ResourceName),
    ("resourceid", F::ResourceId),
    ("ipaddress", F::Ip),
    ("locationdetails", F::LocationDetails),
    ("locationdetails_dynamic", F::LocationDetails),
    ("locationdetails_string", F::LocationDetails),
    ("status_dynamic", F::Status),
    ("status_string", F::Status),
    ("resulttype", F::ResultType),
    ("resultdescription", F::FailureReason),
    ("clientappused", F::ClientApp),
    ("devicedetail", F::DeviceDetail),
    ("devicedetail_dynamic", F::DeviceDetail),
    ("devicedetail_string", F::DeviceDetail),
    ("mfadetail", F::MfaDetailJson),
    ("mfadetail_dynamic", F::MfaDetailJson),
    ("mfadetail_string", F::MfaDetailJson),
    ("authenticationdetails", F::AuthDetails),
    ("authenticationrequirement", F::AuthRequirement),
    ("sessionid", F::SessionId),
    ("autonomoussystemnumber", F::Asn),
    ("risklevelaggregated", F::RiskAggregated),
    ("riskleveldurringsignin", F::RiskDuring),
    ("risklevelduringsignin", F::RiskDuring),
    ("risklevel", F::RiskLevel),
    ("riskeventtypes_v2", F::RiskEventTypesV2),
    ("riskeventtypes", F::RiskEventTypes),
    ("signineventtypes", F::EventTypes),
    ("isinteractive", F::IsInteractive),
    ("serviceprincipalid", F::SpId),
    ("serviceprincipalname", F::SpName),
    ("managedserviceidentity", F::MsiType),
    ("type", F::Table),
    ("category", F::Category),
    ("properties", F::Properties),
    // Defender XDR AADSignInEventsBeta / EntraIdSignInEvents (docs/formats.md §4.1).
    ("timestamp", F::Time),
    ("timestamp [utc]", F::Time),
    ("requestid", F::RequestId),
    ("accountobjectid", F::UserObjectId),
    ("accountupn", F::Upn),
    ("uniquetokenid", F::Uti),
    ("applicationid", F::AppId),
    ("errorcode", F::ErrorCode),
    ("entraiddeviceid", F::DeviceId),
    ("aaddeviceid", F::DeviceId),
    ("osplatform", F::Os),
    ("iscompliant", F::Compliant),
    ("ismanaged", F::Managed),
    ("country", F::Country),
    ("state", F::State),
    ("city", F::City),
    ("latitude", F::Lat),
    ("longitude", F::Lon),
    ("logontype", F::EventTypes),
    // Keys of nested objects (deviceDetail, location, status, mfaDetail, managedServiceIdentity).
    ("deviceid", F::DeviceId),
    ("operatingsystem", F::Os),
    ("countryorregion", F::Country),
    ("failurereason", F::FailureReason),
    ("authmethod", F::MfaMethod),
    ("authdetail", F::MfaDetail),
    ("msitype", F::MsiType),
];

/// Normalizes a header or key: trims, strips a BOM and quotes, collapses runs of whitespace and
/// lower-cases.
pub(crate) fn normalize(name: &str, out: &mut String) {
    out.clear();
    let name = name.trim_start_matches('\u{feff}').trim().trim_matches('"').trim();
    let mut space = false;
    for c in name.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
}

/// Lookup of normalized names: asked once per key of every JSON record, so hashed with fixed-seed
/// foldhash, not SipHash.
#[derive(Debug)]
pub(crate) struct Aliases {
    map: HashMap<&'static str, F, foldhash::fast::FixedState>,
}

impl Default for Aliases {
    fn default() -> Self {
        Aliases::new()
    }
}

impl Aliases {
    pub(crate) fn new() -> Aliases {
        Aliases { map: ALIASES.iter().copied().collect() }
    }

    /// The field of an already normalized name.
    pub(crate) fn get(&self, normalized: &str) -> Option<F> {
        self.map.get(normalized).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_portal_quirks() {
        let mut s = String::new();
        normalize("\"Autonomous system  number\"", &mut s);
        assert_eq!(s, "autonomous system number");
        normalize("Application ID ", &mut s);
        assert_eq!(s, "application id");
        normalize("\u{feff}\"Date (UTC)\"", &mut s);
        assert_eq!(s, "date (utc)");
        let a = Aliases::new();
        assert_eq!(a.get("autonomous system number"), Some(F::Asn));
        assert_eq!(a.get("timegenerated [utc]"), Some(F::TimeGenerated));
    }
}
