//! Unified Audit Log sign-ins: the `UserLoggedIn` / `UserLoginFailed` records (RecordType 15,
//! `AzureActiveDirectoryStsLogon`, STS logons) become sign-in events, whatever shape carried
//! them (Purview, classic or `Search-UnifiedAuditLog` CSV, JSON or JSON Lines `AuditData`,
//! CloudAppEvents `RawEventData`).
//!
//! The field mapping, the `RequestType` table and what the UAL cannot show are documented in
//! docs/formats-ual-sign-ins.md. A sign-in keeps its record's audit detail (operation and the
//! `ExtendedProperties` such as `RequestType` and `UserAuthenticationMethod`), which is also how
//! the dataset tells it from an Entra sign-in ([`crate::model::Event::is_ual_sign_in`]) when it
//! settles the copies of one sign-in read from both logs.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::Dataset;
use super::auditdata::{Outer, as_json, cut, field, name_values, nv, text};
use super::signin::Strs;
use super::values::{parse_bool, parse_ip};
use crate::model::{AuditDetail, EventFields, EventKind, Interner, Millis, Outcome, SourceRef};

/// True for the operations of an STS logon record.
pub(crate) fn is_sts_logon(operation: &str) -> bool {
    let op = operation.trim();
    op.eq_ignore_ascii_case("UserLoggedIn") || op.eq_ignore_ascii_case("UserLoginFailed")
}

/// Values the UAL writes in `UserId` / `UserKey` when there is no user: sign-outs, actors of
/// another tenant, accounts that do not exist (docs/formats-ual-sign-ins.md, "Placeholders").
const PLACEHOLDERS: &[&str] = &["Unknown", "Not Available", "__NULL__"];

/// True when a `UserId` / `UserKey` value names no user.
pub(crate) fn is_placeholder_user(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || PLACEHOLDERS.iter().any(|p| s.eq_ignore_ascii_case(p))
}

/// True for a GUID in any case, in its hyphenated form (an object id in `UserKey` or `Actor`).
fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// The kind of sign-in an STS logon record is, from its `RequestType` (`<Controller>:<action>`
/// of the ESTS endpoint called) and `UserAuthenticationMethod`. Microsoft publishes no meaning
/// for these values; the classes follow the addendum's table A2 (credential or MFA presented:
/// interactive; single sign-on from an existing session or a token redemption: non-interactive;
/// sign-out: not a sign-in at all). See docs/formats-ual-sign-ins.md, "Interactive or not".
pub(crate) fn kind_of(request_type: &str, auth_method: &str) -> EventKind {
    let rt = request_type.trim().to_ascii_lowercase();
    let (controller, action) = rt.split_once(':').unwrap_or((rt.as_str(), ""));
    match (controller, action) {
        // A sign-out written as a `UserLoggedIn` with no user: an audit operation.
        ("oauth2", "logout") => EventKind::Audit,
        // The authorize endpoint answered from the session cookie (silent SSO, or a replayed
        // ESTS cookie): no factor presented, so non-interactive by Entra's own definition
        // ("the client uses a token or code"). Entra may log a browser SSO in its interactive
        // log; when both logs are loaded the Entra copy is kept, with Entra's kind.
        ("oauth2", "authorize") => EventKind::NonInteractive,
        // The token endpoint: the ROPC password grant when `UserAuthenticationMethod` is 1 (every
        // public sample), a credential presented; otherwise a code or refresh-token redemption
        // (UNCONFIRMED in public data), non-interactive.
        ("oauth2", "token") => {
            if auth_method.trim() == "1" {
                EventKind::Interactive
            } else {
                EventKind::NonInteractive
            }
        }
        // Device TLS / PKeyAuth certificate steps (`deviceAuth:ReprocessTls`, class S in the
        // table; `DeviceAuth:PKeyAuth` UNCONFIRMED): the device, not the user, authenticates.
        ("deviceauth", _) => EventKind::NonInteractive,
        // SAML and WS-Federation protocol requests: the doc leaves them unclassed (meanings
        // UNCONFIRMED). Like `OAuth2:Authorize` they are answered from the session; a typed
        // credential shows up as its own `Login:login` record. Chosen: non-interactive.
        ("saml2", _) | ("wsfederation", _) => EventKind::NonInteractive,
        // The login page (`Login:login`, `Login:reprocess`, `Login:resume`), the "Stay signed
        // in?" prompt (`Kmsi:kmsi`), MFA (`SAS:BeginAuth` / `ProcessAuth` / `EndAuth`),
        // device-code confirmation (`Cmsi:Cmsi`, `OAuth2:DeviceAuth`), consent, password reset,
        // WS-Trust credentials and every value not seen: interactive, as the UAL is weighted
        // towards interactive sign-ins (A1). `Login:reprocess` is "S?" in the table (a guess that
        // the session expired, UNCONFIRMED); it is a login-page request, so interactive.
        _ => EventKind::Interactive,
    }
}

/// Builds the sign-in (or, for a sign-out, the audit event) of one STS logon record. `time` is
/// the record's parsed time and `operation` its `Operation`. Never fails: a record without a user
/// keeps no user (docs/formats-ual-sign-ins.md, "Placeholders").
pub(crate) fn build(
    ad: &Map<String, Value>,
    outer: &Outer<'_>,
    operation: &str,
    time: Millis,
    source: SourceRef,
    interner: &mut Interner,
    strs: &mut Strs,
) -> EventFields {
    let ext = field(ad, &["ExtendedProperties"]).map(name_values).unwrap_or_default();
    let dev = field(ad, &["DeviceProperties"]).map(name_values).unwrap_or_default();
    let request_type = nv(&ext, "RequestType").unwrap_or("");
    let auth_method = nv(&ext, "UserAuthenticationMethod").unwrap_or("");
    let mut e = EventFields::empty(kind_of(request_type, auth_method), time, source);

    // User: the UPN in `UserId` (the column of the CSV around it when AuditData has none), the
    // object id in `UserKey` (2023 on; `PUID@domain` before) or the `Actor` of type 0.
    let upn = [text(ad, &["UserId"]), outer.user.clone()]
        .into_iter()
        .flatten()
        .find(|u| !is_placeholder_user(u))
        .unwrap_or_default();
    let oid = text(ad, &["UserKey"]).filter(|k| is_guid(k.trim())).or_else(|| actor_oid(ad));
    e.user_object_id = strs.lower(interner, oid.as_deref().unwrap_or(""));
    e.user = if upn.is_empty() { e.user_object_id } else { strs.lower(interner, &upn) };

    let ip = text(ad, &["ClientIP", "ActorIpAddress", "ClientIPAddress", "ActorIP"])
        .or_else(|| outer.ip.clone())
        .unwrap_or_default();
    e.ip = parse_ip(&ip);
    let ua = nv(&ext, "UserAgent")
        .map(Cow::Borrowed)
        .or_else(|| text(ad, &["UserAgent"]))
        .or_else(|| outer.user_agent.clone())
        .unwrap_or_default();
    e.user_agent = strs.raw(interner, &ua);
    e.os = strs.raw(interner, nv(&dev, "OS").unwrap_or(""));
    e.browser = strs.raw(interner, nv(&dev, "BrowserType").unwrap_or(""));
    e.device_id = strs.lower(interner, nv(&dev, "Id").unwrap_or(""));
    let both = nv(&dev, "IsCompliantAndManaged");
    e.compliant = nv(&dev, "IsCompliant").or(both).is_some_and(parse_bool);
    e.managed = nv(&dev, "IsManaged").or(both).is_some_and(parse_bool);
    e.session_id = strs.id_lower(interner, nv(&dev, "SessionId").unwrap_or(""));

    let app = text(ad, &["ApplicationId", "AppId", "ClientAppId"]).unwrap_or_default();
    e.app_id = strs.lower(interner, &app);
    // The resource's application id (`Unknown` on some authorize redirects and sign-outs).
    let resource = text(ad, &["ObjectId"])
        .or_else(|| outer.object_id.clone())
        .filter(|r| !is_placeholder_user(r))
        .unwrap_or_default();
    e.resource = strs.raw(interner, &resource);

    // `Id` is the Entra request id in every record since November 2020, where it equals
    // `IntraSystemId`; in older records only `IntraSystemId` has the request id's shape, so it
    // comes first (the addendum's A3: "join on IntraSystemId first, then Id").
    let record_id = text(ad, &["Id"]).or_else(|| outer.record_id.clone()).unwrap_or_default();
    let request_id = text(ad, &["IntraSystemId", "IntraSystemsId"]).unwrap_or(record_id.clone());
    e.request_id = strs.id_lower(interner, &request_id);
    e.correlation_id = strs.id_lower(interner, &text(ad, &["InterSystemsId"]).unwrap_or_default());

    let error = text(ad, &["ErrorNumber", "ErrorCode"]).unwrap_or_default();
    e.error_code = error.trim().parse().unwrap_or(0);
    let logon_error = text(ad, &["LogonError"]).filter(|l| !l.trim().eq_ignore_ascii_case("none"));
    let status = text(ad, &["ResultStatus"]).unwrap_or_default();
    let failed = operation.trim().eq_ignore_ascii_case("UserLoginFailed")
        || status.trim().eq_ignore_ascii_case("failed")
        || status.trim().eq_ignore_ascii_case("failure");
    // `ResultStatus` is `Success` on some failures (the Huntress 50126 record), so the
    // operation decides; a `UserLoggedIn` with an error (50140 "KmsiInterrupt", MFA required,
    // an expired flow token) is an interrupted step, as Entra shows it.
    e.outcome = if failed {
        Outcome::Failure
    } else if e.error_code != 0 || logon_error.is_some() {
        Outcome::Interrupted
    } else {
        Outcome::Success
    };
    if e.kind == EventKind::Audit {
        e.outcome = Outcome::Success;
    }
    if let Some(c) = &outer.country
        && c.len() == 2
    {
        e.location.country = strs.upper(interner, c);
    }
    if let Some(c) = &outer.city {
        e.location.city = strs.raw(interner, c);
    }

    // The rest of the record, kept as the audit detail's parameters (values that repeat from
    // sign-in to sign-in, so the details are shared): every extended property but the user agent
    // (`RequestType`, `UserAuthenticationMethod`, `ResultStatusDetail`, `KeepMeSignedIn`, …),
    // the device's name and trust type, the logon error, the status, and the record id when it
    // is not the request id.
    let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = ext
        .iter()
        .filter(|(n, v)| !n.eq_ignore_ascii_case("UserAgent") && !v.trim().is_empty())
        .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str())))
        .collect();
    for (name, key) in [("DeviceName", "DisplayName"), ("DeviceTrustType", "DeviceTrustType")] {
        if let Some(v) = nv(&dev, key) {
            params.push((Cow::Borrowed(name), Cow::Borrowed(v)));
        }
    }
    if let Some(v) = logon_error {
        params.push((Cow::Borrowed("LogonError"), v));
    }
    if !status.trim().is_empty() {
        params.push((Cow::Borrowed("ResultStatus"), status.clone()));
    }
    if !record_id.trim().is_empty() && !record_id.trim().eq_ignore_ascii_case(request_id.trim()) {
        params.push((Cow::Borrowed("RecordId"), record_id.clone()));
    }
    let workload = text(ad, &["Workload"]).or_else(|| outer.workload.clone()).unwrap_or_default();
    e.audit = Some(AuditDetail {
        operation: strs.raw(interner, operation),
        workload: strs.raw(interner, &workload),
        client_info: strs.raw(interner, &text(ad, &["Client"]).unwrap_or_default()),
        parameters: params
            .iter()
            .map(|(n, v)| (strs.raw(interner, n), strs.raw(interner, cut(v, 4096))))
            .filter(|(n, _)| !n.is_empty())
            .collect(),
        ..AuditDetail::default()
    });
    e
}

/// The object id of the record's `Actor` entry of type 0, when it is a GUID.
fn actor_oid(ad: &Map<String, Value>) -> Option<Cow<'_, str>> {
    let actors = field(ad, &["Actor"]).map(as_json)?;
    let found = actors.as_array()?.iter().find_map(|a| {
        let a = a.as_object()?;
        let kind = field(a, &["Type"])?;
        let zero = kind.as_u64() == Some(0) || kind.as_str().is_some_and(|s| s.trim() == "0");
        let id = text(a, &["ID", "Id"])?;
        (zero && is_guid(id.trim())).then(|| id.into_owned())
    });
    found.map(Cow::Owned)
}

/// What sign-in evidence read only from the Unified Audit Log cannot show, as coverage
/// sentences for the report (empty when no UAL sign-in is loaded, or when every one of them has
/// its Entra copy): docs/formats-ual-sign-ins.md, "What the UAL cannot tell".
pub(crate) fn ual_sign_in_coverage(ds: &Dataset) -> Vec<String> {
    let (mut ual, mut entra) = (0u64, 0u64);
    for e in &ds.events {
        if e.is_ual_sign_in() {
            ual += 1;
        } else if e.kind.is_user_sign_in() {
            entra += 1;
        }
    }
    if ual == 0 {
        return Vec::new();
    }
    let lacks = "the Unified Audit Log records no ASN, country or city for a sign-in (the \
                 CloudAppEvents copy adds a country), and no risk, token type or \
                 authentication requirement";
    if entra == 0 {
        vec![format!(
            "Sign-ins come only from the Unified Audit Log ({ual} UserLoggedIn / UserLoginFailed \
             records): {lacks}, so the network and location rules have little to compare; and it \
             holds a subset of Entra sign-ins, mostly browser and password sign-ins, with no \
             refresh-token redemptions (the bulk of the non-interactive log) or service-principal \
             sign-ins seen in any sample, so a replayed refresh token may leave no sign-in at all. \
             Load the Entra interactive and non-interactive sign-in logs."
        )]
    } else {
        vec![format!(
            "{ual} sign-ins are known only from the Unified Audit Log (no Entra sign-in with their \
             request id and user was loaded): {lacks}."
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_types_map_to_kinds() {
        use EventKind::{Audit, Interactive as I, NonInteractive as N};
        for (rt, uam, want) in [
            ("Login:login", "1", I),
            ("login:LOGIN", "", I),
            ("Login:reprocess", "", I),
            ("Login:resume", "", I),
            ("Kmsi:kmsi", "", I),
            ("SAS:BeginAuth", "", I),
            ("SAS:ProcessAuth", "", I),
            ("SAS:EndAuth", "", I),
            ("Cmsi:Cmsi", "", I),
            ("OAuth2:DeviceAuth", "", I),
            ("Consent:Set", "", I),
            ("OrgIdWsTrust2:process", "", I),
            ("", "", I),
            ("Something:new", "", I),
            ("OAuth2:Token", "1", I),
            ("OAuth2:Token", " 1 ", I),
            ("OAuth2:Token", "", N),
            ("OAuth2:Token", "9", N),
            ("OAuth2:Authorize", "9", N),
            ("oauth2:authorize", "", N),
            ("deviceAuth:ReprocessTls", "", N),
            ("DeviceAuth:PKeyAuth", "", N),
            ("Saml2:processrequest", "", N),
            ("WsFederation:wsfederation", "", N),
            ("OAuth2:Logout", "", Audit),
        ] {
            assert_eq!(kind_of(rt, uam), want, "{rt:?} {uam:?}");
        }
    }

    #[test]
    fn placeholders_are_no_user() {
        for p in ["Unknown", "Not Available", "not available", " __NULL__ ", "", "  "] {
            assert!(is_placeholder_user(p), "{p:?}");
        }
        for u in
            ["alice@example.com", "Unknown@example.com", "f757cb79-dd91-4555-a45e-520c2525d932"]
        {
            assert!(!is_placeholder_user(u), "{u:?}");
        }
    }
}
