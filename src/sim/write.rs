//! Export writers: simulated records as the files an analyst downloads (docs/formats.md): the Entra
//! portal sign-in CSV (57-column header, every field quoted), Graph beta `signIn` JSON (an array,
//! one object per line) and the Purview audit search CSV (`AuditData` JSON in one cell, CRLF).

use serde_json::{Value, json};

use super::records::{AuditRecord, SignInRecord};
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
        "None",
        &s.unique_token_id,
        "None",
        "None",
        "Unbound",
        "1002",
        &s.app_name,
        &s.app_id,
        MICROSOFT_TENANT,
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

/// One Graph beta `signIn` object.
pub fn graph_object(s: &SignInRecord) -> Value {
    let mut location = json!({
        "city": s.city, "state": s.state, "countryOrRegion": s.country,
    });
    if let Some((lat, lon)) = s.coordinates {
        location["geoCoordinates"] =
            json!({"latitude": f64::from(lat), "longitude": f64::from(lon), "altitude": null});
    }
    json!({
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
    })
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
        "UserKey": a.user,
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
    }
    v
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
}
