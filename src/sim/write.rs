//! Export writers: simulated records as the files an analyst downloads (docs/formats.md): the Entra
//! portal sign-in CSV (57-column header, every field quoted), Graph beta `signIn` JSON (an array,
//! one object per line), the Log Analytics `SigninLogs` / `AADNonInteractiveUserSignInLogs`
//! "Export to CSV - all columns" (docs/formats.md §3) and the Purview audit search CSV (`AuditData`
//! JSON in one cell, CRLF), which also carries sign-ins as STS logon records (`UserLoggedIn` /
//! `UserLoginFailed`, docs/formats-ual-sign-ins.md).

use serde_json::{Value, json};

use super::records::{AuditRecord, SignInRecord};
use crate::detect::fnv1a64;
use crate::model::Millis;
use crate::time::rfc3339;

/// A simulated export file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimFile {
    /// File name, as the portal or collector would name it.
    pub name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The exact 57-column header of the portal sign-in download (docs/formats.md §1.3).
pub const PORTAL_HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Cross tenant access type\",\"Incoming token type\",\"Authentication Protocol\",\"Unique token identifier\",\"Original transfer method\",\"Client credential type\",\"Token Protection - Sign In Session\",\"Token Protection - Sign In Session StatusCode\",\"Application\",\"Application ID \",\"App owner tenant ID\",\"Resource\",\"Resource ID \",\"Resource tenant ID\",\"Resource owner tenant ID\",\"Home tenant ID\",\"Home tenant name\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Device ID\",\"Browser\",\"Operating System\",\"Compliant\",\"Managed\",\"Join Type\",\"Multifactor authentication result\",\"Multifactor authentication auth method\",\"Multifactor authentication auth detail\",\"Authentication requirement\",\"Sign-in identifier\",\"Session ID\",\"IP address (seen by resource)\",\"Through Global Secure Access\",\"Global Secure Access IP address\",\"Autonomous system  number\",\"Flagged for review\",\"Token issuer type\",\"Incoming token type\",\"Token issuer name\",\"Latency\",\"Conditional Access\",\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"";

/// The Purview audit search export header (docs/formats.md §5.1).
pub const PURVIEW_HEADER: &str = "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames";

const TENANT_ID: &str = "9b1c0f52-6d3e-4b8a-9a51-2f7c1d5e8a10";
const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

fn q(s: &str) -> String {
    // Sign-in values never hold line breaks; keep every row on one line.
    format!("\"{}\"", s.replace(['\r', '\n'], " ").replace('"', "\"\""))
}

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// One data row of the portal CSV.
pub fn portal_row(s: &SignInRecord, tenant: &str) -> String {
    let location = [s.city.as_str(), s.state.as_str(), s.country.as_str()]
        .iter()
        .filter(|x| !x.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let ok = s.error_code == 0;
    let requirement = if s.auth_requirement == "multiFactorAuthentication" {
        "Multifactor authentication"
    } else {
        "Single-factor authentication"
    };
    let asn = if s.asn == 0 { String::new() } else { s.asn.to_string() };
    let fields: [&str; 57] = [
        &rfc3339(s.time),
        &s.request_id,
        &s.user_agent,
        &s.correlation_id,
        &s.user_id,
        &s.display_name,
        &s.user,
        "Member",
        "None",
        &s.incoming_token_type,
        or_none(&s.auth_protocol, "None"),
        &s.unique_token_id,
        or_none(&s.transfer_method, "None"),
        "None",
        "Unbound",
        "1002",
        &s.app_name,
        &s.app_id,
        &s.app_owner_tenant,
        &s.resource,
        &s.resource_id,
        TENANT_ID,
        MICROSOFT_TENANT,
        TENANT_ID,
        tenant,
        &s.ip,
        &location,
        if ok { "Success" } else { "Failure" },
        &s.error_code.to_string(),
        &s.failure_reason,
        &s.client_app,
        &s.device_id,
        &s.browser,
        &s.os,
        yes_no(s.compliant),
        yes_no(s.managed),
        &s.trust_type,
        &s.mfa_detail,
        &s.mfa_method,
        "",
        requirement,
        &s.user,
        &s.session_id,
        "",
        "No",
        "",
        &asn,
        "No",
        "AzureAD",
        &s.incoming_token_type,
        "",
        "112",
        if ok { "Success" } else { "Not Applied" },
        "",
        "",
        "",
        "",
    ];
    fields.iter().map(|f| q(f)).collect::<Vec<_>>().join(",")
}

/// `text`, or `none` when it is empty.
fn or_none<'a>(text: &'a str, none: &'a str) -> &'a str {
    if text.is_empty() { none } else { text }
}

/// One Graph beta `signIn` object.
pub fn graph_object(s: &SignInRecord) -> Value {
    let mut location = json!({
        "city": s.city, "state": s.state, "countryOrRegion": s.country,
    });
    if let Some((lat, lon)) = s.coordinates {
        location["geoCoordinates"] =
            json!({"latitude": f64::from(lat), "longitude": f64::from(lon), "altitude": null});
    }
    let mut o = json!({
        "id": s.request_id,
        "createdDateTime": rfc3339(s.time),
        "userDisplayName": s.display_name,
        "userPrincipalName": s.user,
        "userId": s.user_id,
        "appId": s.app_id,
        "appDisplayName": s.app_name,
        "ipAddress": s.ip,
        "autonomousSystemNumber": s.asn,
        "clientAppUsed": s.client_app,
        "userAgent": s.user_agent,
        "correlationId": s.correlation_id,
        "sessionId": s.session_id,
        "uniqueTokenIdentifier": s.unique_token_id,
        "isInteractive": s.interactive,
        "signInEventTypes": [if s.interactive { "interactiveUser" } else { "nonInteractiveUser" }],
        "resourceDisplayName": s.resource,
        "resourceId": s.resource_id,
        "authenticationRequirement": s.auth_requirement,
        "incomingTokenType": s.incoming_token_type,
        "riskDetail": "none",
        "riskLevelAggregated": s.risk_level,
        "riskLevelDuringSignIn": s.risk_level,
        "riskState": if s.risk_level == "none" { "none" } else { "atRisk" },
        "riskEventTypes_v2": s.risk_event_types,
        "status": {
            "errorCode": s.error_code,
            "failureReason": if s.error_code == 0 { "Other." } else { s.failure_reason.as_str() },
            "additionalDetails": s.mfa_detail,
        },
        "deviceDetail": {
            "deviceId": s.device_id,
            "displayName": "",
            "operatingSystem": s.os,
            "browser": s.browser,
            "isCompliant": s.compliant,
            "isManaged": s.managed,
            "trustType": s.trust_type,
        },
        "location": location,
        "authenticationDetails": if s.mfa_method.is_empty() { json!([]) } else { json!([{
            "authenticationStepDateTime": rfc3339(s.time),
            "authenticationMethod": s.mfa_method,
            "succeeded": true,
            "authenticationStepResultDetail": s.mfa_detail,
            "authenticationStepRequirement": "Primary authentication",
        }]) },
    });
    if !s.auth_protocol.is_empty() {
        o["authenticationProtocol"] = json!(s.auth_protocol);
    }
    if !s.transfer_method.is_empty() {
        o["originalTransferMethod"] = json!(s.transfer_method);
    }
    if !s.app_owner_tenant.is_empty() {
        o["appOwnerTenantId"] = json!(s.app_owner_tenant);
    }
    o["appliedConditionalAccessPolicies"] = ca_policies(s);
    o
}

/// The Conditional Access policies of a sign-in as Graph and Log Analytics write them: the MFA
/// policies that were not applied (the real record's keys, docs/formats.md §2).
fn ca_policies(s: &SignInRecord) -> Value {
    Value::Array(
        s.ca_mfa_not_applied
            .iter()
            .enumerate()
            .map(|(k, name)| {
                json!({
                    "id": format!("c0a0c0a0-0000-4000-8000-{k:012}"),
                    "displayName": name,
                    "enforcedGrantControls": ["Mfa"],
                    "enforcedSessionControls": [],
                    "sessionControlsNotSatisfied": [],
                    "result": "notApplied",
                    "conditionsSatisfied": 0,
                    "conditionsNotSatisfied": 0,
                })
            })
            .collect(),
    )
}

/// The `AuditData` object of a UAL record.
pub fn audit_data(a: &AuditRecord, tenant_id: &str) -> Value {
    let creation = rfc3339(a.time);
    let creation = creation.trim_end_matches('Z');
    let mut v = json!({
        "CreationTime": creation,
        "Id": a.record_id,
        "Operation": a.operation,
        "OrganizationId": tenant_id,
        "RecordType": a.record_type,
        "ResultStatus": "Succeeded",
        "UserKey": if a.user_key.is_empty() { &a.user } else { &a.user_key },
        "UserType": 0,
        "Version": 1,
        "Workload": a.workload,
        "UserId": a.user,
    });
    let ip_key =
        if a.record_type == 50 || a.record_type == 2 { "ClientIPAddress" } else { "ClientIP" };
    if !a.ip.is_empty() {
        v[ip_key] = json!(a.ip);
    }
    if !a.session_id.is_empty() {
        v["SessionId"] = json!(a.session_id);
    }
    if !a.unique_token_id.is_empty() || !a.session_id.is_empty() {
        v["AppAccessContext"] = json!({
            "AADSessionId": a.session_id,
            "UniqueTokenId": a.unique_token_id,
            "IssuedAtTime": creation,
        });
        if !a.app_id.is_empty() {
            v["AppAccessContext"]["ClientAppId"] = json!(a.app_id);
        }
    }
    if !a.app_id.is_empty() {
        v["AppId"] = json!(a.app_id);
        v["ClientAppId"] = json!(a.app_id);
    }
    if !a.correlation_id.is_empty() {
        // Entra directory records carry the sign-in's correlation id here (formats-sts-and-
        // directory-audit.md A3, B5), and no address.
        v["InterSystemsId"] = json!(a.correlation_id);
    }
    let mut extended: Vec<Value> = Vec::new();
    if !a.user_agent.is_empty() {
        let details = json!({"User-Agent": a.user_agent}).to_string();
        extended.push(json!({"Name": "additionalDetails", "Value": details}));
    }
    extended.extend(a.extended.iter().map(|(n, x)| json!({"Name": n, "Value": x})));
    if !extended.is_empty() {
        v["ExtendedProperties"] = json!(extended);
    }
    if !a.client_info.is_empty() {
        v["ClientInfoString"] = json!(a.client_info);
    }
    let nv: Vec<Value> = a.parameters.iter().map(|(n, x)| json!({"Name": n, "Value": x})).collect();
    match a.record_type {
        1 => v["Parameters"] = json!(nv),
        2 | 50 => {
            v["OperationProperties"] = json!(nv);
            v["MailboxOwnerUPN"] = json!(a.user);
            v["LogonType"] = json!(0);
        }
        _ => {
            if !nv.is_empty() {
                v["ModifiedProperties"] = json!(
                    a.parameters
                        .iter()
                        .map(|(n, x)| json!({"Name": n, "NewValue": x, "OldValue": ""}))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
    if !a.target_user.is_empty() {
        v["ObjectId"] = json!(a.target_user);
        v["Target"] = json!([{"ID": a.target_user, "Type": 5}]);
        v["Actor"] = json!([{"ID": a.user, "Type": 5}]);
    } else if !a.targets.is_empty() || !a.object_id.is_empty() {
        v["ObjectId"] = json!(a.object_id);
        v["Target"] =
            json!(a.targets.iter().map(|t| json!({"ID": t, "Type": 2})).collect::<Vec<_>>());
        v["Actor"] = json!([{"ID": a.user, "Type": 5}]);
    }
    if !a.user_key.is_empty()
        && let Some(actor) = v.get_mut("Actor").and_then(Value::as_array_mut)
    {
        actor.push(json!({"ID": a.user_key, "Type": 0}));
    }
    v
}

/// The `BrowserType` of an STS logon record: the browser's name without its version
/// (`Edge 122.0.0` is `Edge`), `Other` when Entra names none.
fn browser_type(browser: &str) -> String {
    let name: Vec<&str> = browser
        .split_whitespace()
        .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    if name.is_empty() { "Other".to_owned() } else { name.join(" ") }
}

/// The `RequestType` of the STS logon record of a sign-in (docs/formats-ual-sign-ins.md
/// §3): a token refresh is a token-endpoint redemption (`OAuth2:Token`); an interactive sign-in
/// that completed MFA is the MFA step (`SAS:ProcessAuth`); one that presented no factor (the
/// session cookie carried the MFA claim) is single sign-on at the authorize endpoint
/// (`OAuth2:Authorize`); a password alone, or a failed one, is the login page (`Login:login`).
pub fn sts_request_type(s: &SignInRecord) -> &'static str {
    if !s.interactive {
        "OAuth2:Token"
    } else if s.error_code != 0 {
        "Login:login"
    } else if s.mfa_detail.contains("claim in the token") {
        "OAuth2:Authorize"
    } else if !s.mfa_method.is_empty() {
        "SAS:ProcessAuth"
    } else {
        "Login:login"
    }
}

/// A sign-in as the Unified Audit Log's STS logon record (RecordType 15, `UserLoggedIn` or
/// `UserLoginFailed`), fields where real records put them (docs/formats-ual-sign-ins.md
/// §2): `Id` and `IntraSystemId` are the sign-in's request id, `InterSystemsId` its correlation
/// id, `ObjectId` the resource, `ApplicationId` the client app, the user agent and request type
/// in `ExtendedProperties`, device and session in `DeviceProperties`, the error in
/// `ErrorNumber`. The UAL has no ASN, location or risk.
pub fn sts_logon_data(s: &SignInRecord, tenant_id: &str) -> Value {
    let creation = rfc3339(s.time);
    let creation = creation.trim_end_matches('Z');
    let failed = s.error_code != 0;
    let request_type = sts_request_type(s);
    let mut extended = vec![json!({"Name": "ResultStatusDetail", "Value": if failed {
        "UserError"
    } else if request_type == "OAuth2:Authorize" {
        "Redirect"
    } else {
        "Success"
    }})];
    if s.interactive && !failed {
        extended.push(json!({"Name": "KeepMeSignedIn", "Value": "true"}));
    }
    if !s.user_agent.is_empty() {
        extended.push(json!({"Name": "UserAgent", "Value": s.user_agent}));
    }
    if request_type == "Login:login" {
        extended.push(json!({"Name": "UserAuthenticationMethod", "Value": "1"}));
    }
    extended.push(json!({"Name": "RequestType", "Value": request_type}));
    let yes_no = |b: bool| if b { "True" } else { "False" };
    let mut device = Vec::new();
    if !s.device_id.is_empty() {
        device.push(json!({"Name": "Id", "Value": s.device_id}));
    }
    device.push(json!({"Name": "OS", "Value": s.os}));
    device.push(json!({"Name": "BrowserType", "Value": browser_type(&s.browser)}));
    device.push(json!({"Name": "IsCompliant", "Value": yes_no(s.compliant)}));
    device
        .push(json!({"Name": "IsCompliantAndManaged", "Value": yes_no(s.compliant && s.managed)}));
    if !s.session_id.is_empty() {
        device.push(json!({"Name": "SessionId", "Value": s.session_id}));
    }
    let mut v = json!({
        "CreationTime": creation,
        "Id": s.request_id,
        "Operation": if failed { "UserLoginFailed" } else { "UserLoggedIn" },
        "OrganizationId": tenant_id,
        "RecordType": 15,
        "ResultStatus": "Success",
        "UserKey": s.user_id,
        "UserType": 0,
        "Version": 1,
        "Workload": "AzureActiveDirectory",
        "ClientIP": s.ip,
        "ObjectId": s.resource_id,
        "UserId": s.user,
        "AzureActiveDirectoryEventType": 1,
        "ExtendedProperties": extended,
        "ModifiedProperties": [],
        "Actor": [{"ID": s.user_id, "Type": 0}, {"ID": s.user, "Type": 5}],
        "ActorContextId": tenant_id,
        "ActorIpAddress": s.ip,
        "InterSystemsId": s.correlation_id,
        "IntraSystemId": s.request_id,
        "SupportTicketId": "",
        "Target": [{"ID": s.resource_id, "Type": 0}],
        "TargetContextId": tenant_id,
        "ApplicationId": s.app_id,
        "DeviceProperties": device,
        "ErrorNumber": s.error_code.to_string(),
    });
    if s.error_code == 50126 {
        v["LogonError"] = json!("InvalidUserNameOrPassword");
    }
    v
}

/// One Purview CSV row of a sign-in's STS logon record (without the line ending).
pub fn purview_sts_row(s: &SignInRecord, tenant_id: &str) -> String {
    let data = serde_json::to_string(&sts_logon_data(s, tenant_id)).unwrap_or_default();
    let date = rfc3339(s.time).trim_end_matches('Z').to_owned() + ".0000000Z";
    let op = if s.error_code != 0 { "UserLoginFailed" } else { "UserLoggedIn" };
    format!("{},{},15,{op},{},{},,", s.request_id, date, s.user, q(&data))
}

/// Which Log Analytics table a CSV export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaTable {
    /// `SigninLogs`: interactive sign-ins.
    SigninLogs,
    /// `AADNonInteractiveUserSignInLogs`.
    NonInteractive,
}

/// Columns of `SigninLogs` as "Export to CSV - all columns" writes them: the order of a real
/// 2026 record (docs/formats.md §3.2), datetime columns suffixed ` [UTC]`.
const LA_SIGNIN_COLUMNS: &[&str] = &[
    "TenantId",
    "SourceSystem",
    "TimeGenerated [UTC]",
    "ResourceId",
    "OperationName",
    "OperationVersion",
    "Category",
    "ResultType",
    "ResultSignature",
    "ResultDescription",
    "DurationMs",
    "CorrelationId",
    "Resource",
    "ResourceGroup",
    "ResourceProvider",
    "Identity",
    "Level",
    "Location",
    "AlternateSignInName",
    "AppDisplayName",
    "AppId",
    "AuthenticationContextClassReferences",
    "AuthenticationDetails",
    "AppliedEventListeners",
    "AuthenticationMethodsUsed",
    "AuthenticationProcessingDetails",
    "AuthenticationRequirement",
    "AuthenticationRequirementPolicies",
    "ClientAppUsed",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CreatedDateTime [UTC]",
    "DeviceDetail",
    "IsInteractive",
    "Id",
    "IPAddress",
    "IsRisky",
    "LocationDetails",
    "MfaDetail",
    "NetworkLocationDetails",
    "OriginalRequestId",
    "ProcessingTimeInMilliseconds",
    "RiskDetail",
    "RiskEventTypes",
    "RiskEventTypes_V2",
    "RiskLevelAggregated",
    "RiskLevelDuringSignIn",
    "RiskState",
    "ResourceDisplayName",
    "ResourceIdentity",
    "ResourceServicePrincipalId",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "Status",
    "TokenIssuerName",
    "TokenIssuerType",
    "UserAgent",
    "UserDisplayName",
    "UserId",
    "UserPrincipalName",
    "AADTenantId",
    "UserType",
    "FlaggedForReview",
    "IPAddressFromResourceProvider",
    "SignInIdentifier",
    "SignInIdentifierType",
    "ResourceTenantId",
    "HomeTenantId",
    "UniqueTokenIdentifier",
    "SessionId",
    "SessionLifetimePolicies",
    "AutonomousSystemNumber",
    "AuthenticationProtocol",
    "CrossTenantAccessType",
    "AppliedConditionalAccessPolicies",
    "RiskLevel",
    "IncomingTokenType",
    "Type",
];

/// `SigninLogs` columns the non-interactive table lacks (docs/formats.md §3.4).
const LA_SIGNIN_ONLY: &[&str] = &[
    "Resource",
    "ResourceId",
    "ResourceProvider",
    "ServicePrincipalName",
    "SignInIdentifier",
    "IPAddressFromResourceProvider",
    "FlaggedForReview",
    "RiskLevel",
    "AppliedConditionalAccessPolicies",
];

/// The column names of a Log Analytics export of `table`.
pub fn la_columns(table: LaTable) -> Vec<&'static str> {
    match table {
        LaTable::SigninLogs => LA_SIGNIN_COLUMNS.to_vec(),
        LaTable::NonInteractive => {
            let mut cols: Vec<&'static str> = LA_SIGNIN_COLUMNS
                .iter()
                .filter(|c| !LA_SIGNIN_ONLY.contains(c))
                .map(
                    |&c| if c == "ProcessingTimeInMilliseconds" { "ProcessingTimeInMs" } else { c },
                )
                .collect();
            let at = cols.iter().position(|c| *c == "SignInIdentifierType").unwrap_or(cols.len());
            cols.insert(at, "SignInEventTypes");
            cols
        }
    }
}

/// The header line of a Log Analytics export (UTF-8 BOM included, as the portal writes it).
pub fn la_header(table: LaTable) -> String {
    format!("\u{feff}{}", la_columns(table).join(","))
}

/// A Log Analytics datetime cell: US locale, milliseconds, e.g. `3/2/2026, 7:05:00.000 AM`.
pub fn la_time(millis: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.format("%-m/%-d/%Y, %-I:%M:%S%.3f %p").to_string())
        .unwrap_or_default()
}

/// A CSV cell quoted only when it must be (as Log Analytics writes them).
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The `authenticationDetails` of a sign-in, as the JSON text Log Analytics stores (pretty).
fn la_auth_details(s: &SignInRecord) -> String {
    let at = rfc3339(s.time);
    let step = |method: &str, detail: &str, ok: bool, requirement: &str| {
        json!({
            "authenticationStepDateTime": at,
            "authenticationMethod": method,
            "succeeded": ok,
            "authenticationStepResultDetail": detail,
            "authenticationStepRequirement": requirement,
        })
    };
    let steps = if s.error_code != 0 {
        vec![step(
            "Password",
            "Invalid username or password or Invalid on-premise username or password.",
            false,
            "Primary authentication",
        )]
    } else if s.mfa_detail.contains("claim in the token") || !s.interactive {
        vec![
            step(
                "Previously satisfied",
                "First factor requirement satisfied by claim in the token",
                true,
                "Primary authentication",
            ),
            step("Previously satisfied", &s.mfa_detail, true, "Multifactor authentication"),
        ]
    } else {
        let mut v = vec![step("Password", "Correct password", true, "Primary authentication")];
        if !s.mfa_method.is_empty() {
            v.push(step(&s.mfa_method, &s.mfa_detail, true, "Multifactor authentication"));
        }
        v
    };
    serde_json::to_string_pretty(&steps).unwrap_or_default()
}

/// One data row of a Log Analytics export of `table` (without the line ending).
pub fn la_row(s: &SignInRecord, table: LaTable, tenant_id: &str, tenant_name: &str) -> String {
    let ok = s.error_code == 0;
    let h = fnv1a64(s.request_id.as_bytes());
    let risky = !s.risk_level.is_empty() && s.risk_level != "none";
    let location = {
        let mut l = json!({"city": s.city, "state": s.state, "countryOrRegion": s.country});
        if let Some((lat, lon)) = s.coordinates {
            l["geoCoordinates"] = json!({"latitude": f64::from(lat), "longitude": f64::from(lon)});
        }
        l.to_string()
    };
    let device = json!({
        "deviceId": s.device_id, "displayName": "", "operatingSystem": s.os, "browser": s.browser,
        "isCompliant": s.compliant, "isManaged": s.managed, "trustType": s.trust_type,
    })
    .to_string();
    let mfa = if s.interactive && !s.mfa_method.is_empty() && ok {
        json!({"authMethod": s.mfa_method, "authDetail": s.mfa_detail}).to_string()
    } else {
        "{}".to_owned()
    };
    let status = if ok {
        json!({"errorCode": 0, "additionalDetails": s.mfa_detail})
    } else {
        json!({"errorCode": s.error_code, "failureReason": s.failure_reason})
    }
    .to_string();
    let table_name = match table {
        LaTable::SigninLogs => "SigninLogs",
        LaTable::NonInteractive => "AADNonInteractiveUserSignInLogs",
    };
    let category = match table {
        LaTable::SigninLogs => "SignInLogs",
        LaTable::NonInteractive => "NonInteractiveUserSignInLogs",
    };
    let bool_text = |b: bool| if b { "true" } else { "false" };
    let value = |col: &str| -> String {
        match col {
            "TenantId" | "AADTenantId" | "ResourceTenantId" | "HomeTenantId" => {
                tenant_id.to_owned()
            }
            "SourceSystem" => "Azure AD".to_owned(),
            // Ingestion lags the sign-in by a few seconds to a few minutes.
            "TimeGenerated [UTC]" => la_time(s.time + 20_000 + (h % 180_000) as i64),
            "ResourceId" => format!("/tenants/{tenant_id}/providers/Microsoft.aadiam"),
            "OperationName" => "Sign-in activity".to_owned(),
            "OperationVersion" => "1.0".to_owned(),
            "Category" => category.to_owned(),
            "ResultType" => s.error_code.to_string(),
            "ResultSignature" => "None".to_owned(),
            "ResultDescription" => {
                if ok {
                    String::new()
                } else {
                    s.failure_reason.clone()
                }
            }
            "DurationMs" => "0".to_owned(),
            "CorrelationId" => s.correlation_id.clone(),
            "Resource" | "ResourceProvider" => "Microsoft.aadiam".to_owned(),
            "ResourceGroup" => "Microsoft.aadiam".to_owned(),
            "Identity" | "UserDisplayName" => s.display_name.clone(),
            "Level" => "4".to_owned(),
            "Location" => s.country.clone(),
            "AppDisplayName" => s.app_name.clone(),
            "AppId" => s.app_id.clone(),
            "AuthenticationDetails" => la_auth_details(s),
            "ConditionalAccessPolicies" | "AppliedConditionalAccessPolicies" => {
                ca_policies(s).to_string()
            }
            "AppliedEventListeners"
            | "AuthenticationMethodsUsed"
            | "RiskEventTypes"
            | "SessionLifetimePolicies"
            | "AuthenticationRequirementPolicies"
            | "NetworkLocationDetails" => "[]".to_owned(),
            "AuthenticationProcessingDetails" => {
                r#"[{"key":"IsCAEToken","value":"False"}]"#.to_owned()
            }
            "AuthenticationRequirement" => s.auth_requirement.clone(),
            "ClientAppUsed" => s.client_app.clone(),
            "ConditionalAccessStatus" => if ok { "success" } else { "notApplied" }.to_owned(),
            "CreatedDateTime [UTC]" => la_time(s.time),
            "DeviceDetail" => device.clone(),
            "IsInteractive" => bool_text(s.interactive).to_owned(),
            "Id" => s.request_id.clone(),
            "IPAddress" => s.ip.clone(),
            "IsRisky" => bool_text(risky).to_owned(),
            "LocationDetails" => location.clone(),
            "MfaDetail" => mfa.clone(),
            "OriginalRequestId" => s.request_id.clone(),
            "ProcessingTimeInMilliseconds" | "ProcessingTimeInMs" => (40 + h % 200).to_string(),
            "RiskDetail" => "none".to_owned(),
            "RiskEventTypes_V2" => json!(s.risk_event_types).to_string(),
            "RiskLevelAggregated" | "RiskLevelDuringSignIn" | "RiskLevel" => {
                if s.risk_level.is_empty() { "none".to_owned() } else { s.risk_level.clone() }
            }
            "RiskState" => if risky { "atRisk" } else { "none" }.to_owned(),
            "ResourceDisplayName" => s.resource.clone(),
            "ResourceIdentity" | "ResourceServicePrincipalId" => s.resource_id.clone(),
            "Status" => status.clone(),
            "TokenIssuerType" => "AzureAD".to_owned(),
            "UserAgent" => s.user_agent.clone(),
            "UserId" => s.user_id.clone(),
            "UserPrincipalName" | "SignInIdentifier" => s.user.clone(),
            "UserType" => "Member".to_owned(),
            "FlaggedForReview" => "false".to_owned(),
            "SignInIdentifierType" => "userPrincipalName".to_owned(),
            "SignInEventTypes" => {
                json!([if s.interactive { "interactiveUser" } else { "nonInteractiveUser" }])
                    .to_string()
            }
            "UniqueTokenIdentifier" => s.unique_token_id.clone(),
            "SessionId" => s.session_id.clone(),
            "AutonomousSystemNumber" => {
                if s.asn == 0 {
                    String::new()
                } else {
                    s.asn.to_string()
                }
            }
            "AuthenticationProtocol" => or_none(&s.auth_protocol, "none").to_owned(),
            "CrossTenantAccessType" => "none".to_owned(),
            "IncomingTokenType" => s.incoming_token_type.clone(),
            "Type" => table_name.to_owned(),
            "HomeTenantName" => tenant_name.to_owned(),
            _ => String::new(),
        }
    };
    la_columns(table).iter().map(|c| cell(&value(c))).collect::<Vec<_>>().join(",")
}

/// One data row of the Purview CSV (without the line ending).
pub fn purview_row(a: &AuditRecord, tenant_id: &str) -> String {
    let data = serde_json::to_string(&audit_data(a, tenant_id)).unwrap_or_default();
    let date = rfc3339(a.time).trim_end_matches('Z').to_owned() + ".0000000Z";
    format!("{},{},{},{},{},{},,", a.record_id, date, a.record_type, a.operation, a.user, q(&data))
}

/// The tenant id written into the files.
pub fn tenant_id() -> &'static str {
    TENANT_ID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_header_has_57_columns() {
        assert_eq!(PORTAL_HEADER.split("\",\"").count(), 57);
        assert!(PORTAL_HEADER.contains("\"Autonomous system  number\""));
        assert!(PORTAL_HEADER.contains("\"Application ID \""));
        let row = portal_row(&SignInRecord::default(), "Contoso");
        assert_eq!(row.split("\",\"").count(), 57);
    }

    #[test]
    fn purview_rows_embed_audit_data_json() {
        let a = AuditRecord {
            time: 1_773_136_800_000,
            user: "alice@x.test".into(),
            ip: "203.0.113.7:5123".into(),
            operation: "New-InboxRule".into(),
            record_type: 1,
            parameters: vec![("MoveToFolder".into(), "RSS Feeds".into())],
            ..AuditRecord::default()
        };
        let row = purview_row(&a, TENANT_ID);
        assert!(
            row.contains(r#"""Parameters"":[{""Name"":""MoveToFolder"",""Value"":""RSS Feeds""}]"#),
            "{row}"
        );
        assert!(row.contains(r#"""CreationTime"":""2026-03-10T10:00:00"""#), "{row}");
    }
    fn sign_in(interactive: bool) -> SignInRecord {
        SignInRecord {
            time: 1_772_442_300_123,
            interactive,
            user: "alice@contoso.example".into(),
            user_id: "6f0c1b2a-1111-4222-8333-444455556666".into(),
            display_name: "alice".into(),
            ip: "2001:db8:1:2::3".into(),
            asn: 6167,
            country: "US".into(),
            state: "Illinois".into(),
            city: "Chicago".into(),
            user_agent: "Outlook-iOS/2.0".into(),
            browser: "Mobile Safari".into(),
            os: "Ios".into(),
            app_id: "27922004-5251-4030-b22d-91ecd9a37ea4".into(),
            app_name: "Outlook Mobile".into(),
            resource: "Office 365 Exchange Online".into(),
            resource_id: "00000002-0000-0ff1-ce00-000000000000".into(),
            client_app: "Mobile Apps and Desktop clients".into(),
            session_id: "5d1c2b3a-0000-4000-8000-00000000abcd".into(),
            unique_token_id: "7u7u7gAAAECAAAAAAAAAAQ".into(),
            request_id: "eeeeeeee-0000-4000-8000-000000000001".into(),
            correlation_id: "c0ffee00-0000-4000-8000-000000000003".into(),
            auth_requirement: "singleFactorAuthentication".into(),
            mfa_detail: "MFA requirement satisfied by claim in the token".into(),
            incoming_token_type: "refreshToken".into(),
            risk_level: "medium".into(),
            risk_event_types: vec!["anomalousToken".into()],
            ..SignInRecord::default()
        }
    }

    fn extended<'v>(v: &'v Value, list: &str, name: &str) -> Option<&'v str> {
        v[list].as_array()?.iter().find(|p| p["Name"] == name)?["Value"].as_str()
    }

    #[test]
    fn sts_logon_records_put_each_field_where_real_records_do() {
        let s = sign_in(false);
        let v = sts_logon_data(&s, TENANT_ID);
        assert_eq!(v["Operation"], "UserLoggedIn");
        assert_eq!(v["RecordType"], 15);
        assert_eq!(v["Workload"], "AzureActiveDirectory");
        assert_eq!(v["Id"], s.request_id.as_str());
        assert_eq!(v["IntraSystemId"], s.request_id.as_str());
        assert_eq!(v["InterSystemsId"], s.correlation_id.as_str());
        assert_eq!(v["UserKey"], s.user_id.as_str());
        assert_eq!(v["UserId"], s.user.as_str());
        assert_eq!(v["ClientIP"], s.ip.as_str());
        assert_eq!(v["ActorIpAddress"], s.ip.as_str());
        assert_eq!(v["ObjectId"], s.resource_id.as_str());
        assert_eq!(v["ApplicationId"], s.app_id.as_str());
        assert_eq!(v["ErrorNumber"], "0");
        assert_eq!(v["CreationTime"], "2026-03-02T09:05:00.123");
        assert_eq!(extended(&v, "ExtendedProperties", "RequestType"), Some("OAuth2:Token"));
        assert_eq!(extended(&v, "ExtendedProperties", "UserAgent"), Some("Outlook-iOS/2.0"));
        assert_eq!(extended(&v, "DeviceProperties", "SessionId"), Some(s.session_id.as_str()));
        assert_eq!(extended(&v, "DeviceProperties", "BrowserType"), Some("Mobile Safari"));
        assert_eq!(extended(&v, "DeviceProperties", "IsCompliant"), Some("False"));
        assert_eq!(extended(&v, "DeviceProperties", "Id"), None, "an unregistered phone");
        // No ASN, location or risk: the UAL has none.
        assert!(v.get("AutonomousSystemNumber").is_none() && v.get("Location").is_none());

        let mut mfa = sign_in(true);
        mfa.mfa_method = "Mobile app notification".into();
        mfa.mfa_detail = "MFA completed in Azure AD".into();
        mfa.device_id = "0b7f0d7e-7a43-4e49-9c6a-3e2b3d5d6f70".into();
        let v = sts_logon_data(&mfa, TENANT_ID);
        assert_eq!(extended(&v, "ExtendedProperties", "RequestType"), Some("SAS:ProcessAuth"));
        assert_eq!(extended(&v, "ExtendedProperties", "KeepMeSignedIn"), Some("true"));
        assert_eq!(extended(&v, "DeviceProperties", "Id"), Some(mfa.device_id.as_str()));
        let v = sts_logon_data(&sign_in(true), TENANT_ID);
        assert_eq!(extended(&v, "ExtendedProperties", "RequestType"), Some("OAuth2:Authorize"));
        let mut typo = sign_in(true);
        typo.error_code = 50126;
        let v = sts_logon_data(&typo, TENANT_ID);
        assert_eq!(v["Operation"], "UserLoginFailed");
        assert_eq!(v["ErrorNumber"], "50126");
        assert_eq!(v["LogonError"], "InvalidUserNameOrPassword");
        assert_eq!(extended(&v, "ExtendedProperties", "RequestType"), Some("Login:login"));
        let row = purview_sts_row(&typo, TENANT_ID);
        assert!(row.starts_with(&format!("{},2026-03-02T09:05:00.123", typo.request_id)), "{row}");
        assert!(row.contains(",15,UserLoginFailed,alice@contoso.example,\""), "{row}");
    }

    #[test]
    fn log_analytics_times_are_us_locale_with_milliseconds() {
        assert_eq!(la_time(1_772_442_300_123), "3/2/2026, 9:05:00.123 AM");
        assert_eq!(la_time(1_772_442_300_123 + 6 * 3_600_000), "3/2/2026, 3:05:00.123 PM");
        assert_eq!(la_time(1_772_409_600_000), "3/2/2026, 12:00:00.000 AM");
    }

    /// The authentication protocol and the original transfer method (device-code phishing,
    /// ROPC) are read from every sign-in shape that carries them: portal CSV, Graph JSON and
    /// Log Analytics CSV.
    #[test]
    fn auth_protocol_and_transfer_method_read_back_from_every_shape() {
        use crate::ingest::Dataset;
        let mut s = sign_in(true);
        s.auth_protocol = "deviceCode".into();
        s.transfer_method = "deviceCodeFlow".into();
        let graph = serde_json::to_string(&json!({ "value": [graph_object(&s)] })).unwrap();
        let files = [
            (
                "InteractiveSignIns_2026-03-02.csv",
                format!("{PORTAL_HEADER}\r\n{}\r\n", portal_row(&s, "Contoso")),
            ),
            ("signins.json", graph),
            (
                "SigninLogs_2026-03-02.csv",
                format!(
                    "{}\r\n{}\r\n",
                    la_header(LaTable::SigninLogs),
                    la_row(&s, LaTable::SigninLogs, TENANT_ID, "Contoso")
                ),
            ),
        ];
        for (name, text) in files {
            let mut ds = Dataset::new();
            let summary = ds.add_file(name, text.as_bytes());
            assert_eq!((summary.rows, summary.events), (1, 1), "{name}: {summary:?}");
            let e = ds.fields(&ds.events[0]);
            assert_eq!(ds.strings.resolve(e.auth_protocol), "deviceCode", "{name}");
            // Log Analytics' SigninLogs has no OriginalTransferMethod column in this layout.
            if !name.starts_with("SigninLogs") {
                assert_eq!(ds.strings.resolve(e.transfer_method), "deviceCodeFlow", "{name}");
            }
        }
    }

    /// The Log Analytics rows read back, through the product's own parser, into the sign-in
    /// they were written from.
    #[test]
    fn log_analytics_rows_read_back_as_the_sign_ins_written() {
        use crate::ingest::Dataset;
        use crate::model::{EventKind, Outcome};
        for (table, interactive) in [(LaTable::SigninLogs, true), (LaTable::NonInteractive, false)]
        {
            let mut s = sign_in(interactive);
            s.device_id = "0b7f0d7e-7a43-4e49-9c6a-3e2b3d5d6f70".into();
            s.compliant = true;
            s.coordinates = Some((41.88, -87.63));
            let mut typo = sign_in(interactive);
            typo.error_code = 50126;
            typo.failure_reason = "Error validating credentials, \"quoted\".".into();
            let text = format!(
                "{}\r\n{}\r\n{}\r\n",
                la_header(table),
                la_row(&s, table, TENANT_ID, "Contoso"),
                la_row(&typo, table, TENANT_ID, "Contoso")
            );
            let mut ds = Dataset::new();
            let summary = ds.add_file("SigninLogs_2026-03-02_2026-03-03.csv", text.as_bytes());
            assert_eq!((summary.rows, summary.events, summary.skipped), (2, 2, 0), "{table:?}");
            assert_eq!(summary.format, "log-analytics-csv");
            let e = ds.fields(&ds.events[0]);
            let st = &ds.strings;
            let kind = if interactive { EventKind::Interactive } else { EventKind::NonInteractive };
            assert_eq!(e.kind, kind);
            assert_eq!(e.time, s.time);
            assert_eq!(st.resolve(e.user), s.user);
            assert_eq!(e.ip, s.ip.parse().ok());
            assert_eq!(e.asn, s.asn);
            assert_eq!(st.resolve(e.location.country), "US");
            assert_eq!(st.resolve(e.location.city), "Chicago");
            assert_eq!(e.location.coordinates, s.coordinates);
            assert_eq!(st.resolve(e.device_id), s.device_id);
            assert!(e.compliant && !e.managed);
            assert_eq!(st.resolve(e.user_agent), s.user_agent);
            assert_eq!(st.resolve(e.app_id), s.app_id);
            assert_eq!(st.resolve(e.resource), s.resource);
            assert_eq!(&*st.id_text(e.session_id), s.session_id);
            assert_eq!(&*st.id_text(e.request_id), s.request_id);
            assert_eq!(&*st.id_text(e.correlation_id), s.correlation_id);
            assert_eq!(&*st.id_text(e.unique_token_id), s.unique_token_id);
            assert_eq!(st.resolve(e.mfa_detail), s.mfa_detail);
            assert_eq!(st.resolve(e.risk_event_types), "anomalousToken");
            assert_eq!(st.resolve(e.incoming_token_type), "refreshToken");
            assert_eq!(e.outcome, Outcome::Success);
            let f = ds.fields(&ds.events[1]);
            assert_eq!((f.outcome, f.error_code), (Outcome::Failure, 50126));
        }
    }
}
