//! The Entra directory audit log (Graph `directoryAudit`, Log Analytics `AuditLogs`) in every
//! shape it is exported in, to audit [`EventFields`]: the portal's "Audit logs" CSV (flat columns,
//! [`PortalColumns`]) and every JSON or CSV shape whose records are objects keyed like the Graph
//! resource (Graph and the portal's JSON download, Log Analytics JSON and CSV with their dynamic
//! columns as JSON text, Event Hub / diagnostic-settings `properties`).
//!
//! The shapes, the field mapping and the choice of the event's user are documented, with real
//! headers and records, in `docs/formats-directory-audit.md`.
//!
//! Each shape is first read into a [`Record`] borrowing its texts; one builder ([`build`]) then
//! makes the event, so every shape gets the same normalization (and one record exported twice in
//! two shapes gives two equal events, which the duplicate index then counts once).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::auditdata::{as_json, field, text};
use super::csv_stream::Fields;
use super::signin::{Strs, json_str};
use super::values::{parse_ip, parse_time};
use super::{Dataset, FileState};
use crate::model::{AuditDetail, EventFields, EventKind, Interner, Outcome, SourceRef, Sym};

/// Longest parameter value kept, in bytes (the key lists of `Update application – Certificates
/// and secrets management ` grow with every credential the application ever had).
const MAX_VALUE: usize = 4096;

/// Most parameters kept per record: a real record has a few dozen; a hostile one could list
/// thousands of targets.
const MAX_PARAMETERS: usize = 512;

/// Whether a record object (a JSON record, or a CSV row keyed by header name) is a directory
/// audit record: it names its activity the Graph or Log Analytics way (`activityDisplayName`), or
/// has `OperationName` and `targetResources`. `InitiatedBy` alone proves nothing: Log Analytics
/// `SigninLogs` has that column too.
pub(crate) fn is_record(map: &Map<String, Value>) -> bool {
    let has = |k: &str| map.contains_key(k) || map.keys().any(|x| x.eq_ignore_ascii_case(k));
    has("activityDisplayName") || has("OperationName") && has("targetResources")
}

/// Whether a CSV header (names normalized by `columns::normalize`) is a Log Analytics `AuditLogs`
/// export, read as objects keyed by header name (see [`is_record`]).
pub(crate) fn is_log_analytics_header(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|x| x == n);
    has("activitydisplayname")
        || has("activitydatetime [utc]")
        || has("operationname") && has("targetresources")
}

/// The format name of a directory audit JSON record: Graph's camelCase or Log Analytics'
/// PascalCase (the portal's JSON download is Graph-shaped, see the doc).
pub(crate) fn json_format(map: &Map<String, Value>) -> &'static str {
    if map.contains_key("activityDisplayName") || map.contains_key("activityDateTime") {
        "graph-directoryaudit-json"
    } else {
        "log-analytics-auditlogs-json"
    }
}

/// A column number, `NONE` when the header lacks the column.
type Col = usize;
const NONE: Col = usize::MAX;

/// Columns of one target in the portal CSV (`Target<n>…`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TargetColumns {
    kind: Col,
    name: Col,
    id: Col,
    upn: Col,
    /// (`Target<n>ModifiedProperty<m>Name`, `…NewValue`) in `m` order.
    props: Vec<(Col, Col)>,
}

/// Where each field of the portal's "Audit logs" download is (docs/formats-directory-audit.md
/// §2.1: 86 columns, 3 targets × 5 modified properties, 6 additional details). Found by name, so
/// a header with more or fewer numbered groups, or its columns in another order, reads the same.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PortalColumns {
    /// Number of columns of the header.
    pub(crate) ncols: usize,
    time: Col,
    correlation: Col,
    service: Col,
    category: Col,
    activity: Col,
    result: Col,
    reason: Col,
    user_agent: Col,
    actor_type: Col,
    actor_name: Col,
    actor_id: Col,
    actor_upn: Col,
    ip: Col,
    actor_sp_id: Col,
    actor_sp_name: Col,
    targets: Vec<TargetColumns>,
    /// (`AdditionalDetail<k>Key`, `…Value`) in `k` order.
    details: Vec<(Col, Col)>,
}

impl TargetColumns {
    fn new() -> TargetColumns {
        TargetColumns { kind: NONE, name: NONE, id: NONE, upn: NONE, props: Vec::new() }
    }
}

/// `s` = `<digits><rest>`: the number and the rest.
fn numbered(s: &str) -> Option<(u32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit())?;
    Some((s[..end].parse().ok()?, &s[end..]))
}

impl PortalColumns {
    /// The columns of a portal audit header (names normalized by `columns::normalize`), or
    /// `None` when the header is not one.
    pub(crate) fn from_header(names: &[String]) -> Option<PortalColumns> {
        let pos = |n: &str| names.iter().position(|x| x == n).unwrap_or(NONE);
        let has = |n: &str| pos(n) != NONE;
        if !(has("date (utc)")
            && has("activity")
            && (has("actoruserprincipalname") || has("actortype") || has("target1type")))
        {
            return None;
        }
        let mut targets: BTreeMap<u32, TargetColumns> = BTreeMap::new();
        let mut props: BTreeMap<(u32, u32), (Col, Col)> = BTreeMap::new();
        let mut details: BTreeMap<u32, (Col, Col)> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            if let Some((n, rest)) = name.strip_prefix("target").and_then(numbered) {
                let t = targets.entry(n).or_insert_with(TargetColumns::new);
                match rest {
                    "type" => t.kind = i,
                    "displayname" => t.name = i,
                    "objectid" => t.id = i,
                    "userprincipalname" => t.upn = i,
                    _ => {
                        if let Some((m, what)) =
                            rest.strip_prefix("modifiedproperty").and_then(numbered)
                        {
                            let p = props.entry((n, m)).or_insert((NONE, NONE));
                            match what {
                                "name" => p.0 = i,
                                "newvalue" => p.1 = i,
                                _ => {}
                            }
                        }
                    }
                }
            } else if let Some((k, what)) = name.strip_prefix("additionaldetail").and_then(numbered)
            {
                let d = details.entry(k).or_insert((NONE, NONE));
                match what {
                    "key" => d.0 = i,
                    "value" => d.1 = i,
                    _ => {}
                }
            }
        }
        for ((n, _), p) in props {
            targets.entry(n).or_insert_with(TargetColumns::new).props.push(p);
        }
        Some(PortalColumns {
            ncols: names.len(),
            time: pos("date (utc)"),
            correlation: pos("correlationid"),
            service: pos("service"),
            category: pos("category"),
            activity: pos("activity"),
            result: pos("result"),
            reason: pos("resultreason"),
            user_agent: pos("user agent"),
            actor_type: pos("actortype"),
            actor_name: pos("actordisplayname"),
            actor_id: pos("actorobjectid"),
            actor_upn: pos("actoruserprincipalname"),
            ip: pos("ipaddress"),
            actor_sp_id: pos("actorserviceprincipalid"),
            actor_sp_name: pos("actorserviceprincipalname"),
            targets: targets.into_values().collect(),
            details: details.into_values().collect(),
        })
    }
}

/// Who initiated an activity.
#[derive(Debug, Default)]
struct Actor<'a> {
    /// An application (`initiatedBy.app`), not a user.
    app: bool,
    upn: Cow<'a, str>,
    /// User object id, or the application's service principal id.
    id: Cow<'a, str>,
    ip: Cow<'a, str>,
    /// The application's display name.
    name: Cow<'a, str>,
    app_id: Cow<'a, str>,
}

/// One of `targetResources`.
#[derive(Debug, Default)]
struct Target<'a> {
    kind: Cow<'a, str>,
    name: Cow<'a, str>,
    upn: Cow<'a, str>,
    id: Cow<'a, str>,
    /// `modifiedProperties` as (`displayName`, `newValue` as logged).
    props: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// One directory audit record, whatever its shape, with its texts as logged.
#[derive(Debug, Default)]
struct Record<'a> {
    time: Option<Cow<'a, str>>,
    operation: Cow<'a, str>,
    category: Cow<'a, str>,
    result: Cow<'a, str>,
    result_reason: Cow<'a, str>,
    operation_type: Cow<'a, str>,
    service: Cow<'a, str>,
    correlation_id: Cow<'a, str>,
    id: Cow<'a, str>,
    actor: Actor<'a>,
    /// An IP from outside `initiatedBy` (Event Hub `callerIpAddress`, a projected
    /// `InitiatingIpAddress`), used when the initiator has none.
    other_ip: Cow<'a, str>,
    user_agent: Cow<'a, str>,
    targets: Vec<Target<'a>>,
    /// `additionalDetails` as (`key`, `value`), `User-Agent` included.
    details: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// Why a record gives no event: a skip reason and its diagnostic.
#[derive(Debug)]
pub(crate) struct Problem {
    reason: &'static str,
    message: String,
    /// The problem is the time (else the user).
    time: bool,
}

/// Values that name no one (docs/formats-directory-audit.md §3): `Unknown`, `Not Available`,
/// `__NULL__`, the nil GUID of Graph's own example, and Event Hub's `<null>`.
fn placeholder(s: &str) -> bool {
    let s = s.trim();
    s.is_empty()
        || s.eq_ignore_ascii_case("unknown")
        || s.eq_ignore_ascii_case("not available")
        || s.eq_ignore_ascii_case("null")
        || s == "__NULL__"
        || s == "<null>"
        || s == "00000000-0000-0000-0000-000000000000"
}

/// `s` unless it is a placeholder.
fn clean(s: &str) -> &str {
    if placeholder(s) { "" } else { s.trim() }
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

/// A modified property's value decoded once more: Graph writes `oldValue` / `newValue` as JSON
/// text (`"\"KeyDescription\""`), so a JSON string becomes its text; arrays and objects stay the
/// JSON text they are.
fn decode(v: &str) -> Cow<'_, str> {
    let t = v.trim();
    if t.starts_with('"')
        && let Ok(Value::String(s)) = serde_json::from_str::<Value>(t)
    {
        return Cow::Owned(s);
    }
    Cow::Borrowed(v)
}

/// Activities a user does to themself, whatever the targets say: the Authentication Methods
/// service's `User registered security info`, `User deleted security info`, `User changed
/// default security info`, … and the self-service password activities.
fn self_service(operation: &str) -> bool {
    let op = operation.trim();
    op.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("user ")) || op.contains("(self-service)")
}

/// A value as text: strings as they are, other scalars in JSON, objects and arrays as compact
/// JSON text.
fn value_text(v: &Value) -> Cow<'_, str> {
    json_str(v).unwrap_or_else(|| Cow::Owned(v.to_string()))
}

/// Builds the event of one record. The event's user is the user the activity is about: see
/// "The event's user" in docs/formats-directory-audit.md.
fn build(
    r: &Record<'_>,
    source: SourceRef,
    interner: &mut Interner,
    strs: &mut Strs,
) -> Result<EventFields, Problem> {
    let Some(time_text) = &r.time else {
        return Err(Problem {
            reason: "no time",
            message: "no time: the directory audit record has no activityDateTime / \
                      ActivityDateTime / TimeGenerated / Date (UTC) value (was the time column \
                      left out of the query's projection?)"
                .to_owned(),
            time: true,
        });
    };
    let Some(time) = parse_time(time_text) else {
        return Err(Problem {
            reason: "unparseable time",
            message: format!(
                "unparseable time {:?}: expected ISO 8601 or M/D/YYYY h:mm:ss AM/PM",
                cut(time_text, 100)
            ),
            time: true,
        });
    };
    let mut e = EventFields::empty(EventKind::Audit, time, source);

    let a = &r.actor;
    let (actor_upn, actor_id) = (clean(&a.upn), clean(&a.id));
    let actor_user = !(a.app || actor_upn.is_empty() && actor_id.is_empty());
    let target = r.targets.iter().find_map(|t| {
        let (upn, id) = (clean(&t.upn), clean(&t.id));
        let user = t.kind.trim().eq_ignore_ascii_case("user") || !upn.is_empty();
        (user && !(upn.is_empty() && id.is_empty())).then_some((upn, id))
    });
    let (upn, oid) = match target {
        Some((t_upn, t_id)) if actor_user => {
            if same(actor_upn, t_upn) || same(actor_id, t_id) {
                // The actor acted on themself: the target may name them more fully.
                let upn = if actor_upn.is_empty() { t_upn } else { actor_upn };
                (upn, if actor_id.is_empty() { t_id } else { actor_id })
            } else if self_service(&r.operation) {
                (actor_upn, actor_id)
            } else {
                // An administrator acted on a user.
                (t_upn, t_id)
            }
        }
        Some(t) => t,
        None if actor_user => (actor_upn, actor_id),
        None => ("", ""),
    };
    e.user = strs.lower(interner, upn);
    e.user_object_id = strs.lower(interner, oid);
    if e.user.is_empty() {
        e.user = e.user_object_id;
    }
    if e.user.is_empty() && a.app {
        // An application acting on no user: it is the subject, as in its own sign-ins.
        let who = [&a.id, &a.app_id, &a.name].into_iter().map(|s| clean(s)).find(|s| !s.is_empty());
        e.user = strs.lower(interner, who.unwrap_or(""));
    }
    if e.user.is_empty() {
        return Err(Problem {
            reason: "no user",
            message:
                "no user: the directory audit (AuditLogs) record names no user or application \
                      in initiatedBy and no user among its targets"
                    .to_owned(),
            time: false,
        });
    }

    let ip = Some(clean(&a.ip)).filter(|s| !s.is_empty()).unwrap_or_else(|| clean(&r.other_ip));
    e.ip = parse_ip(ip);
    e.user_agent = strs.raw(interner, cut(&r.user_agent, MAX_VALUE));
    e.correlation_id = strs.id_lower(interner, &r.correlation_id);
    e.request_id = strs.id_raw(interner, &r.id);
    let result = r.result.trim();
    e.outcome = if result.eq_ignore_ascii_case("success") {
        Outcome::Success
    } else if result.eq_ignore_ascii_case("failure") || result.eq_ignore_ascii_case("timeout") {
        Outcome::Failure
    } else {
        Outcome::Unknown
    };
    if a.app {
        e.app_id = strs.lower(interner, clean(&a.app_id));
        e.app_name = strs.raw(interner, clean(&a.name));
    }

    // Parameters in a fixed order: the record's own fields, the initiator, each target, then
    // the modified properties and additional details in log order.
    let mut parameters: Vec<(Sym, Sym)> = Vec::new();
    let mut add = |name: &str, value: &str, keep_empty: bool| {
        let value = cut(value.trim(), MAX_VALUE);
        if parameters.len() < MAX_PARAMETERS
            && !name.trim().is_empty()
            && (keep_empty || !value.is_empty())
        {
            parameters.push((strs.raw(interner, cut(name, MAX_VALUE)), strs.raw(interner, value)));
        }
    };
    add("Category", &r.category, false);
    add("Result", &r.result, false);
    add("ResultReason", &r.result_reason, false);
    add("OperationType", &r.operation_type, false);
    if a.app {
        add("ActorType", "app", false);
        add("Actor", clean(&a.name), false);
        add("ActorObjectId", clean(&a.id), false);
        add("ActorAppId", clean(&a.app_id), false);
    } else if actor_user {
        add("ActorType", "user", false);
        add("Actor", actor_upn, false);
        add("ActorObjectId", actor_id, false);
    }
    for t in &r.targets {
        let kind = t.kind.trim();
        let upn = clean(&t.upn);
        let name = if upn.is_empty() { t.name.trim() } else { upn };
        let id = clean(&t.id);
        let label = match (kind.is_empty(), name.is_empty()) {
            (false, false) => format!("{kind}: {name}"),
            (false, true) => kind.to_owned(),
            (true, false) => name.to_owned(),
            (true, true) => String::new(),
        };
        let label = match (label.is_empty(), id.is_empty()) {
            (_, true) => label,
            (true, false) => format!("({id})"),
            (false, false) => format!("{label} ({id})"),
        };
        add("Target", &label, false);
    }
    // A modified property stays even with no new value (a setting removed).
    for t in &r.targets {
        for (name, value) in &t.props {
            add(name, &decode(value), true);
        }
    }
    for (key, value) in &r.details {
        if !key.trim().eq_ignore_ascii_case("User-Agent") {
            add(key, value, true);
        }
    }
    let target_user = target.map(|(upn, id)| if upn.is_empty() { id } else { upn }).unwrap_or("");
    e.audit = Some(AuditDetail {
        operation: strs.raw(interner, cut(&r.operation, MAX_VALUE)),
        workload: strs.raw(interner, cut(&r.service, MAX_VALUE)),
        client_info: Sym::EMPTY,
        parameters,
        forward_to: Vec::new(),
        target_user: strs.lower(interner, target_user),
    });
    Ok(e)
}

/// The initiator of a Graph-shaped record (`initiatedBy`: `{user}` or `{app}`).
fn actor_of(initiated_by: Option<&Value>) -> Actor<'_> {
    let mut actor = Actor::default();
    let Some(obj) = initiated_by.and_then(Value::as_object) else { return actor };
    if let Some(u) = field(obj, &["user"]).and_then(Value::as_object) {
        actor.upn = text(u, &["userPrincipalName"]).unwrap_or_default();
        actor.id = text(u, &["id"]).unwrap_or_default();
        actor.ip = text(u, &["ipAddress"]).unwrap_or_default();
    }
    if placeholder(&actor.upn)
        && placeholder(&actor.id)
        && let Some(app) = field(obj, &["app"]).and_then(Value::as_object)
    {
        actor.app = true;
        actor.id = text(app, &["servicePrincipalId"]).unwrap_or_default();
        actor.app_id = text(app, &["appId"]).unwrap_or_default();
        actor.name = text(app, &["displayName", "servicePrincipalName"]).unwrap_or_default();
    }
    actor
}

/// `targetResources[]`.
fn targets_of(targets: Option<&Value>) -> Vec<Target<'_>> {
    let Some(items) = targets.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|o| Target {
            kind: text(o, &["type"]).unwrap_or_default(),
            name: text(o, &["displayName"]).unwrap_or_default(),
            upn: text(o, &["userPrincipalName"]).unwrap_or_default(),
            id: text(o, &["id"]).unwrap_or_default(),
            props: field(o, &["modifiedProperties"])
                .and_then(Value::as_array)
                .map(|props| {
                    props
                        .iter()
                        .filter_map(Value::as_object)
                        .filter_map(|p| {
                            let value = field(p, &["newValue"]).map(value_text);
                            Some((text(p, &["displayName"])?, value.unwrap_or_default()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// `additionalDetails[]` as (key, value).
fn details_of(details: Option<&Value>) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let Some(items) = details.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|o| {
            let value = field(o, &["value"]).map(value_text).unwrap_or_default();
            Some((text(o, &["key"])?, value))
        })
        .collect()
}

/// The `User-Agent` of the additional details.
fn user_agent_of<'a>(details: &[(Cow<'a, str>, Cow<'a, str>)]) -> Option<Cow<'a, str>> {
    details
        .iter()
        .find(|(k, v)| k.trim().eq_ignore_ascii_case("User-Agent") && !v.trim().is_empty())
        .map(|(_, v)| v.clone())
}

fn env_text<'v>(envelope: Option<&'v Map<String, Value>>, names: &[&str]) -> Option<Cow<'v, str>> {
    envelope.and_then(|m| text(m, names))
}

/// Reads one Graph-shaped record object: a Graph `directoryAudit` (and the portal's JSON
/// download), a Log Analytics `AuditLogs` row (JSON, or a CSV row keyed by header name; its
/// dynamic columns as objects or JSON text), or the `properties` of an Event Hub record, whose
/// envelope (`time`, `operationName`, `callerIpAddress`, `correlationId`) fills what they lack.
pub(crate) fn object(
    ds: &mut Dataset,
    st: &mut FileState,
    map: &Map<String, Value>,
    envelope: Option<&Map<String, Value>>,
    line: u64,
    col: u64,
) {
    let initiated_by = field(map, &["initiatedBy"]).map(as_json);
    let targets = field(map, &["targetResources"]).map(as_json);
    let details = field(map, &["additionalDetails"]).map(as_json);
    let t = |names: &[&str]| text(map, names).unwrap_or_default();
    let mut r = Record {
        time: text(map, &["activityDateTime", "TimeGenerated"])
            .or_else(|| env_text(envelope, &["time", "TimeGenerated"])),
        operation: text(map, &["activityDisplayName", "OperationName"])
            .or_else(|| env_text(envelope, &["operationName"]))
            .unwrap_or_default(),
        category: t(&["category"]),
        result: t(&["result"]),
        result_reason: t(&["resultReason"]),
        operation_type: t(&["operationType", "AADOperationType"]),
        service: t(&["loggedByService"]),
        correlation_id: text(map, &["correlationId"])
            .or_else(|| env_text(envelope, &["correlationId"]))
            .unwrap_or_default(),
        id: t(&["id"]),
        actor: actor_of(initiated_by.as_deref()),
        other_ip: env_text(envelope, &["callerIpAddress"])
            .or_else(|| text(map, &["InitiatingIpAddress"]))
            .unwrap_or_default(),
        user_agent: Cow::Borrowed(""),
        targets: targets_of(targets.as_deref()),
        details: details_of(details.as_deref()),
    };
    r.user_agent =
        user_agent_of(&r.details).or_else(|| text(map, &["userAgent"])).unwrap_or_default();
    if placeholder(&r.actor.upn) && placeholder(&r.actor.id) && !r.actor.app {
        // A hunting query's projection (`InitiatingUserOrApp`, Sentinel lab; `InitiatingUser`,
        // OTRF) when `InitiatedBy` itself was left out.
        if let Some(who) = text(map, &["InitiatingUserOrApp", "InitiatingUser"]) {
            if who.contains('@') {
                r.actor.upn = who;
            } else {
                r.actor.app = true;
                r.actor.name = who;
            }
        }
    }
    finish(ds, st, &r, line, col, col);
}

/// Reads one row of the portal's "Audit logs" CSV download.
pub(crate) fn csv_row(
    ds: &mut Dataset,
    st: &mut FileState,
    cols: &PortalColumns,
    fields: &Fields<'_>,
    line: u64,
) {
    let f = |c: Col| fields.str(c);
    let (upn, oid, sp_id, sp_name) =
        (f(cols.actor_upn), f(cols.actor_id), f(cols.actor_sp_id), f(cols.actor_sp_name));
    let kind = f(cols.actor_type).to_ascii_lowercase();
    let app = kind.contains("app")
        || kind.contains("serviceprincipal")
        || placeholder(&upn) && !(placeholder(&sp_id) && placeholder(&sp_name));
    let actor = if app {
        let name = if placeholder(&sp_name) { f(cols.actor_name) } else { sp_name };
        Actor {
            app,
            id: if placeholder(&sp_id) { oid } else { sp_id },
            ip: f(cols.ip),
            name,
            ..Actor::default()
        }
    } else {
        Actor { upn, id: oid, ip: f(cols.ip), ..Actor::default() }
    };
    let targets = cols
        .targets
        .iter()
        .map(|t| Target {
            kind: f(t.kind),
            name: f(t.name),
            upn: f(t.upn),
            id: f(t.id),
            props: t
                .props
                .iter()
                .map(|&(n, v)| (f(n), f(v)))
                .filter(|(n, _)| !n.trim().is_empty())
                .collect(),
        })
        .filter(|t| {
            ![&t.kind, &t.name, &t.upn, &t.id].iter().all(|s| s.trim().is_empty())
                || !t.props.is_empty()
        })
        .collect();
    let details: Vec<_> = cols
        .details
        .iter()
        .map(|&(k, v)| (f(k), f(v)))
        .filter(|(k, _)| !k.trim().is_empty())
        .collect();
    let ua = f(cols.user_agent);
    let user_agent =
        if ua.trim().is_empty() { user_agent_of(&details).unwrap_or_default() } else { ua };
    let r = Record {
        time: Some(f(cols.time)).filter(|s| !s.trim().is_empty()),
        operation: f(cols.activity),
        category: f(cols.category),
        result: f(cols.result),
        result_reason: f(cols.reason),
        service: f(cols.service),
        correlation_id: f(cols.correlation),
        actor,
        user_agent,
        targets,
        details,
        ..Record::default()
    };
    let column = |c: Col| if c == NONE { 0 } else { c as u64 + 1 };
    let user_col = if app { cols.actor_sp_id } else { cols.actor_upn };
    finish(ds, st, &r, line, column(cols.time), column(user_col));
}

/// Adds the event of a record, or skips it with its reason at `time_col` / `user_col`.
fn finish(
    ds: &mut Dataset,
    st: &mut FileState,
    r: &Record<'_>,
    line: u64,
    time_col: u64,
    user_col: u64,
) {
    let source = SourceRef { file: st.index, line: u32::try_from(line).unwrap_or(u32::MAX) };
    let Dataset { strings, state, .. } = ds;
    match build(r, source, strings, &mut state.strs) {
        Ok(ev) => st.emit(ds, ev),
        Err(p) => {
            let col = if p.time { time_col } else { user_col };
            st.skip(ds, p.reason, line, col, Some(p.message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(header: &str) -> Vec<String> {
        header.split(',').map(|n| n.trim_matches('"').to_ascii_lowercase()).collect()
    }

    #[test]
    fn portal_header_by_name() {
        let cols = PortalColumns::from_header(&names(
            "\"Date (UTC)\",\"Activity\",\"Target2ModifiedProperty1NewValue\",\"ActorType\",\
             \"Target2ModifiedProperty1Name\",\"Target1Type\",\"AdditionalDetail10Key\",\
             \"AdditionalDetail2Key\",\"AdditionalDetail2Value\"",
        ))
        .expect("a portal audit header");
        assert_eq!((cols.ncols, cols.time, cols.activity, cols.actor_type), (9, 0, 1, 3));
        assert_eq!(cols.targets.len(), 2);
        assert_eq!((cols.targets[0].kind, cols.targets[0].props.len()), (5, 0));
        assert_eq!((cols.targets[1].kind, &cols.targets[1].props), (NONE, &vec![(4, 2)]));
        // In number order, not column order; a key without a value column keeps NONE.
        assert_eq!(cols.details, [(7, 8), (6, NONE)]);
        // The sign-in download is not one.
        assert!(
            PortalColumns::from_header(&names("\"Date (UTC)\",\"Request ID\",\"Username\""))
                .is_none()
        );
    }

    #[test]
    fn values_are_decoded_once_more_only_when_json_strings() {
        assert_eq!(decode("\"KeyDescription\""), "KeyDescription");
        assert_eq!(decode("[\"a\",\"b\"]"), "[\"a\",\"b\"]");
        assert_eq!(decode("\"cut off"), "\"cut off");
        assert_eq!(decode("plain"), "plain");
        assert_eq!(cut("aé", 2), "a", "never inside a character");
    }

    #[test]
    fn self_service_and_placeholders() {
        assert!(self_service("User registered security info"));
        assert!(self_service("user deleted security info"));
        assert!(self_service("Change password (self-service)"));
        assert!(!self_service("Update user"));
        assert!(!self_service("Use"));
        for p in ["", " ", "Unknown", "Not Available", "__NULL__", "<null>", "null", NIL_GUID] {
            assert!(placeholder(p), "{p:?}");
        }
        assert!(!placeholder("alice@example.com"));
    }

    const NIL_GUID: &str = "00000000-0000-0000-0000-000000000000";
}
