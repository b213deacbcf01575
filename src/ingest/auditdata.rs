//! Unified Audit Log `AuditData` (and the same record inside CloudAppEvents `RawEventData` or a
//! flattened CSV row) to an audit [`Event`]; STS logons (`UserLoggedIn` / `UserLoginFailed`) are
//! sign-ins, built by [`super::ual_signins`].
//!
//! Keys are looked up case-insensitively (some tools lower-case them) and values that should be
//! objects or arrays but arrive as JSON text (`ServerRule`, `ModifiedProperties[].NewValue`,
//! flattened CSV cells) get a second parse.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::signin::{Strs, json_str};
use super::ual_signins;
use super::values::{parse_bool, parse_ip, parse_time};

use crate::model::{AuditDetail, EventFields, EventKind, Interner, Outcome, SourceRef, Sym};

/// A field by any of `names`, exact spelling first, then ignoring case.
pub(crate) fn field<'v>(obj: &'v Map<String, Value>, names: &[&str]) -> Option<&'v Value> {
    for n in names {
        if let Some(v) = obj.get(*n).filter(|v| !v.is_null()) {
            return Some(v);
        }
    }
    for (k, v) in obj {
        if !v.is_null() && names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
            return Some(v);
        }
    }
    None
}

/// A field as non-empty text.
pub(crate) fn text<'v>(obj: &'v Map<String, Value>, names: &[&str]) -> Option<Cow<'v, str>> {
    for n in names {
        if let Some(s) = field(obj, &[n]).and_then(json_str).filter(|s| !s.trim().is_empty()) {
            return Some(s);
        }
    }
    None
}

/// A value that may be JSON text: parsed when it is a string holding an object or an array.
pub(crate) fn as_json(v: &Value) -> Cow<'_, Value> {
    if let Value::String(s) = v {
        let t = s.trim_start();
        if (t.starts_with('{') || t.starts_with('['))
            && let Ok(parsed) = serde_json::from_str::<Value>(t)
        {
            return Cow::Owned(parsed);
        }
    }
    Cow::Borrowed(v)
}

/// `Name`/`Value` pairs (`Parameters`, `OperationProperties`, `ExtendedProperties`,
/// `DeviceProperties`) as (name, value text); `ModifiedProperties` use `NewValue`.
pub(crate) fn name_values(v: &Value) -> Vec<(String, String)> {
    let v = as_json(v);
    let Some(items) = v.as_array() else { return Vec::new() };
    items
        .iter()
        .filter_map(|it| {
            let obj = it.as_object()?;
            let name = text(obj, &["Name", "name", "Key", "key"])?.into_owned();
            let value = field(obj, &["Value", "NewValue", "value", "newValue"])
                .map(|v| match json_str(v) {
                    Some(s) => s.into_owned(),
                    None => v.to_string(),
                })
                .unwrap_or_default();
            Some((name, value))
        })
        .collect()
}

pub(crate) fn nv<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case(name) && !v.trim().is_empty())
        .map(|(_, v)| v.as_str())
}

/// Parameter names that mean mail leaves the mailbox.
const FORWARD_PARAMS: &[&str] = &[
    "ForwardTo",
    "RedirectTo",
    "ForwardAsAttachmentTo",
    "ForwardingSmtpAddress",
    "ForwardingAddress",
];

/// Parameters that only add noise.
const DROP_PARAMS: &[&str] =
    &["Force", "AlwaysDeleteOutlookRulesBlob", "Confirm", "ErrorAction", "WarningAction"];

/// Splits a recipient list (`a@x;b@y`, `"smtp:a@x"`, `[a@x]`) into lower-case addresses.
fn recipients(s: &str, out: &mut Vec<String>) {
    for part in s.split([';', ',']) {
        let p = part.trim().trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']').trim();
        let p = p.strip_prefix("smtp:").or_else(|| p.strip_prefix("SMTP:")).unwrap_or(p);
        if p.is_empty() {
            continue;
        }
        let p = p.to_lowercase();
        if !out.contains(&p) {
            out.push(p);
        }
    }
}

/// Collects e-mail-like strings anywhere under `v` (an `UpdateInboxRules` `ServerRule`).
fn emails_in(v: &Value, out: &mut Vec<String>, depth: u32) {
    if depth > 32 {
        return;
    }
    match v {
        Value::String(s) => {
            let t = s.trim();
            if t.contains('@') && !t.contains(' ') && t.len() < 320 {
                recipients(t, out);
            } else if (t.starts_with('{') || t.starts_with('['))
                && let Ok(inner) = serde_json::from_str::<Value>(t)
            {
                emails_in(&inner, out, depth + 1);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| emails_in(x, out, depth + 1)),
        Value::Object(m) => m.values().for_each(|x| emails_in(x, out, depth + 1)),
        _ => {}
    }
}

/// Values taken from the columns around `AuditData` (Purview / PowerShell CSV, CloudAppEvents).
#[derive(Debug, Default)]
pub(crate) struct Outer<'a> {
    pub(crate) time: Option<Cow<'a, str>>,
    pub(crate) operation: Option<Cow<'a, str>>,
    pub(crate) user: Option<Cow<'a, str>>,
    pub(crate) record_id: Option<Cow<'a, str>>,
    pub(crate) ip: Option<Cow<'a, str>>,
    pub(crate) user_agent: Option<Cow<'a, str>>,
    pub(crate) country: Option<Cow<'a, str>>,
    pub(crate) city: Option<Cow<'a, str>>,
    pub(crate) workload: Option<Cow<'a, str>>,
    pub(crate) object_id: Option<Cow<'a, str>>,
}

pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Builds the event of one audit record. Errors are skip reasons.
pub(crate) fn build(
    ad: &Map<String, Value>,
    outer: &Outer<'_>,
    source: SourceRef,
    interner: &mut Interner,
    strs: &mut Strs,
) -> Result<EventFields, &'static str> {
    // `CreationTime` (UTC) is authoritative; the CSV `CreationDate` is locale text.
    let time_text = text(ad, &["CreationTime"])
        .or_else(|| outer.time.clone())
        .or_else(|| text(ad, &["CreationDate", "TimeGenerated", "Timestamp", "Start_Time"]));
    let Some(time_text) = time_text else { return Err("no time") };
    let time = parse_time(&time_text).ok_or("unparseable time")?;
    let operation = text(ad, &["Operation", "ActionType", "Operations"])
        .or_else(|| outer.operation.clone())
        .unwrap_or_default();
    if ual_signins::is_sts_logon(&operation) {
        return Ok(ual_signins::build(ad, outer, &operation, time, source, interner, strs));
    }
    let mut e = EventFields::empty(EventKind::Audit, time, source);

    // `Unknown`, `Not Available`, `__NULL__` are no user (docs/formats-ual-sign-ins.md): such a
    // record is kept, with no user, when it names the user it acted on (checked below).
    let user = [text(ad, &["UserId", "UserIds", "MailboxOwnerUPN"]), outer.user.clone()]
        .into_iter()
        .flatten()
        .find(|u| !ual_signins::is_placeholder_user(u))
        .unwrap_or_default();
    e.user = strs.lower(interner, &user);

    let aac = field(ad, &["AppAccessContext"]).map(as_json);
    let aac = aac.as_deref().and_then(Value::as_object);
    let device_props = field(ad, &["DeviceProperties"]).map(name_values).unwrap_or_default();
    let ext_props = field(ad, &["ExtendedProperties"]).map(name_values).unwrap_or_default();

    let ip = text(
        ad,
        &[
            "ClientIP",
            "ClientIPAddress",
            "ActorIpAddress",
            "ActorIP",
            "Client_IPAddress",
            "ClientIP_",
        ],
    )
    .or_else(|| outer.ip.clone())
    .unwrap_or_default();
    e.ip = parse_ip(&ip);

    let session = text(ad, &["SessionId"])
        .or_else(|| aac.and_then(|a| text(a, &["AADSessionId"])))
        .or_else(|| nv(&device_props, "SessionId").map(Cow::Borrowed))
        .unwrap_or_default();
    e.session_id = strs.id_lower(interner, &session);
    if let Some(a) = aac {
        e.unique_token_id = strs.id_raw(interner, &text(a, &["UniqueTokenId"]).unwrap_or_default());
        e.correlation_id =
            strs.id_lower(interner, &text(a, &["CorrelationId"]).unwrap_or_default());
        if let Some(name) = text(a, &["ClientAppName"]) {
            e.app_name = strs.raw(interner, &name);
        }
    }
    if e.correlation_id.is_empty() {
        e.correlation_id =
            strs.id_lower(interner, &text(ad, &["CorrelationId"]).unwrap_or_default());
    }

    let mut ua = text(ad, &["UserAgent"]).map(Cow::into_owned);
    if ua.is_none() {
        ua = nv(&ext_props, "UserAgent").map(str::to_owned);
    }
    if ua.is_none()
        && let Some(details) = nv(&ext_props, "additionalDetails")
        && let Ok(Value::Object(m)) = serde_json::from_str::<Value>(details)
    {
        ua = text(&m, &["User-Agent", "UserAgent"]).map(Cow::into_owned);
    }
    let ua = ua.or_else(|| outer.user_agent.as_deref().map(str::to_owned)).unwrap_or_default();
    e.user_agent = strs.raw(interner, &ua);

    let device = text(ad, &["DeviceId"])
        .map(Cow::into_owned)
        .or_else(|| nv(&device_props, "Id").map(str::to_owned));
    e.device_id = strs.lower(interner, device.as_deref().unwrap_or(""));
    e.os = strs.raw(interner, nv(&device_props, "OS").unwrap_or(""));
    e.browser = strs.raw(interner, nv(&device_props, "BrowserType").unwrap_or(""));
    e.compliant = nv(&device_props, "IsCompliant")
        .or(nv(&device_props, "IsCompliantAndManaged"))
        .is_some_and(parse_bool);
    e.managed = nv(&device_props, "IsManaged")
        .or(nv(&device_props, "IsCompliantAndManaged"))
        .is_some_and(parse_bool);

    let app = text(ad, &["AppId", "ApplicationId", "ClientAppId"])
        .or_else(|| aac.and_then(|a| text(a, &["ClientAppId"])))
        .unwrap_or_default();
    e.app_id = strs.lower(interner, &app);
    let oid = text(ad, &["TokenObjectId"]).unwrap_or_default();
    e.user_object_id = strs.lower(interner, &oid);
    let record_id = text(ad, &["Id"]).or_else(|| outer.record_id.clone()).unwrap_or_default();
    e.request_id = strs.id_lower(interner, &record_id);

    let op_lower = operation.to_ascii_lowercase();
    let error = text(ad, &["ErrorNumber", "ErrorCode"]).unwrap_or_default();
    e.error_code = error.trim().parse().unwrap_or(0);
    let status = text(ad, &["ResultStatus"]).unwrap_or_default();
    e.outcome = if op_lower == "userloginfailed"
        || e.error_code != 0
        || status.eq_ignore_ascii_case("failed")
        || status.eq_ignore_ascii_case("failure")
    {
        Outcome::Failure
    } else {
        Outcome::Success
    };

    if let Some(c) = &outer.country
        && c.len() == 2
    {
        e.location.country = strs.upper(interner, c);
    }
    if let Some(c) = &outer.city {
        e.location.city = strs.raw(interner, c);
    }

    // Details.
    let mut detail = AuditDetail {
        operation: strs.raw(interner, &operation),
        workload: strs.raw(
            interner,
            &text(ad, &["Workload", "OfficeWorkload"])
                .or_else(|| outer.workload.clone())
                .unwrap_or_default(),
        ),
        client_info: strs
            .raw(interner, &text(ad, &["ClientInfoString", "Client"]).unwrap_or_default()),
        ..AuditDetail::default()
    };
    let mut forward = Vec::new();
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(p) = field(ad, &["Parameters"]) {
        for (n, v) in name_values(p) {
            if DROP_PARAMS.iter().any(|d| d.eq_ignore_ascii_case(&n)) {
                continue;
            }
            if FORWARD_PARAMS.iter().any(|d| d.eq_ignore_ascii_case(&n)) {
                recipients(&v, &mut forward);
            }
            params.push((n, v));
        }
    }
    if let Some(p) = field(ad, &["OperationProperties"]) {
        for (n, v) in name_values(p) {
            if n.eq_ignore_ascii_case("ServerRule")
                && let Ok(rule) = serde_json::from_str::<Value>(&v)
            {
                // Only the actions carry recipients; conditions can name senders.
                let actions =
                    rule.as_object().and_then(|o| field(o, &["Actions"])).unwrap_or(&rule);
                emails_in(actions, &mut forward, 0);
            }
            params.push((n, v));
        }
    }
    if let Some(p) = field(ad, &["ModifiedProperties"]) {
        params.extend(name_values(p));
    }
    if let Some(targets) = field(ad, &["Target"]).map(as_json)
        && let Some(items) = targets.as_array()
    {
        let ids: Vec<String> = items
            .iter()
            .filter_map(|t| t.as_object().and_then(|o| text(o, &["ID", "Id"])).map(Cow::into_owned))
            .collect();
        if let Some(u) = ids.iter().find(|i| i.contains('@')) {
            detail.target_user = strs.lower(interner, u);
        }
        if !ids.is_empty() {
            params.push(("Target".to_owned(), ids.join(";")));
        }
    }
    let object_id = text(ad, &["ObjectId", "OfficeObjectId"])
        .or_else(|| outer.object_id.clone())
        .unwrap_or_default();
    if detail.target_user.is_empty() && object_id.contains('@') && !object_id.contains(['\\', '/'])
    {
        detail.target_user = strs.lower(interner, &object_id);
    }
    for key in ["RequestType", "UserAuthenticationMethod", "ResultStatusDetail"] {
        if let Some(v) = nv(&ext_props, key) {
            params.push((key.to_owned(), v.to_owned()));
        }
    }
    if let Some(v) = text(ad, &["LogonError"]) {
        params.push(("LogonError".to_owned(), v.into_owned()));
    }
    if let Some(v) = text(ad, &["ResultStatus"]) {
        params.push(("ResultStatus".to_owned(), v.into_owned()));
    }
    detail.parameters = params
        .iter()
        .map(|(n, v)| (strs.raw(interner, n), strs.raw(interner, cut(v, 4096))))
        .filter(|(n, _)| *n != Sym::EMPTY)
        .collect();
    detail.forward_to = forward.iter().map(|f| strs.raw(interner, f)).collect();
    if e.user.is_empty() && detail.target_user.is_empty() {
        return Err("no user");
    }
    e.audit = Some(detail);
    Ok(e)
}
