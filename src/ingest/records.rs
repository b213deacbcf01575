//! Recognizes what a CSV header or a JSON record is, and turns each row into an event.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::auditdata::{self, Outer, as_json, field, text};
use super::columns::{F, normalize};
use super::csv_stream::Fields;
use super::directory_audit::{self, PortalColumns};
use super::signin::{self, Row};
use super::{Dataset, FileState};
use crate::model::{EventKind, SourceRef};

/// What the header of a CSV file said.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CsvMode {
    /// Waiting for the header record.
    Header,
    /// A sign-in export mapped column by column.
    SignIn { cols: Vec<Option<F>>, hint: Option<EventKind>, json_cells: bool },
    /// The portal's authentication-details download.
    AuthDetails { request: usize, detail: usize, method: usize, ncols: usize },
    /// Audit-like rows handled as objects keyed by header name (UAL, OfficeActivity,
    /// CloudAppEvents, Log Analytics AuditLogs).
    Object { names: Vec<String> },
    /// The portal's directory audit ("Audit logs") download.
    DirectoryAudit { cols: Box<PortalColumns> },
    /// Nothing recognized: rows are counted and skipped.
    Unknown,
}

const EXPECTED: &str = "expected one of: Entra admin center sign-in CSV (\"Date (UTC)\", \"Request ID\", …), \
its authentication-details CSV (\"Request ID\", \"Authentication method\", …), Log Analytics SigninLogs / \
AADNonInteractiveUserSignInLogs (\"CreatedDateTime [UTC]\" or \"TimeGenerated [UTC]\", \"UserPrincipalName\", …), \
Defender XDR AADSignInEventsBeta / EntraIdSignInEvents (\"Timestamp\", \"AccountUpn\", …) or CloudAppEvents \
(\"Timestamp\", \"ActionType\", \"RawEventData\"), Unified Audit Log (\"CreationDate\", \"AuditData\", …), \
Entra admin center audit-log CSV (\"Date (UTC)\", \"Activity\", \"ActorUserPrincipalName\", …) or Log Analytics \
AuditLogs (\"ActivityDisplayName\", \"InitiatedBy\", \"TargetResources\", …)";

/// The kind the portal file name states (`NonInteractiveSignIns_…`, `MSISignIns_…`).
fn name_hint(name: &str) -> Option<EventKind> {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if base.contains("noninteractive") {
        Some(EventKind::NonInteractive)
    } else if base.contains("msisignin") || base.contains("managedidentit") {
        Some(EventKind::ManagedIdentity)
    } else if base.contains("applicationsignin") || base.contains("serviceprincipal") {
        Some(EventKind::ServicePrincipal)
    } else if base.contains("interactive") {
        Some(EventKind::Interactive)
    } else {
        None
    }
}

/// Classifies a CSV header.
pub(crate) fn classify_header(
    ds: &mut Dataset,
    st: &mut FileState,
    fields: &Fields<'_>,
    line: u64,
) -> CsvMode {
    let mut norm = String::new();
    let names: Vec<String> = (0..fields.len())
        .map(|i| {
            normalize(&fields.str(i), &mut norm);
            norm.clone()
        })
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    let pos = |n: &str| names.iter().position(|x| x == n);

    if has("auditdata") {
        let format = if has("recordid") {
            "ual-purview-csv"
        } else if has("identity") || has("resultindex") || has("recordtype") {
            "ual-powershell-csv"
        } else {
            "ual-classic-csv"
        };
        st.set_format(format);
        return object_mode(fields);
    }
    if has("actiontype") && (has("raweventdata") || has("accountobjectid")) {
        st.set_format("defender-cloudappevents-csv");
        return object_mode(fields);
    }
    if has("operation")
        && (has("officeworkload") || has("recordtype") || has("workload"))
        && !has("userprincipalname")
    {
        st.set_format(if has("officeworkload") {
            "log-analytics-officeactivity-csv"
        } else {
            "ual-flattened-csv"
        });
        return object_mode(fields);
    }
    if let Some(cols) = PortalColumns::from_header(&names) {
        st.set_format("entra-portal-audit-csv");
        return CsvMode::DirectoryAudit { cols: Box::new(cols) };
    }
    if directory_audit::is_log_analytics_header(&names) {
        st.set_format("log-analytics-auditlogs-csv");
        return object_mode(fields);
    }
    if let (Some(request), Some(method)) = (pos("request id"), pos("authentication method"))
        && !has("ip address")
    {
        st.set_format("entra-portal-authdetails-csv");
        let detail = pos("result detail").unwrap_or(usize::MAX);
        return CsvMode::AuthDetails { request, detail, method, ncols: names.len() };
    }
    let aliases = &ds.state.aliases;
    let cols: Vec<Option<F>> = names.iter().map(|n| aliases.get(n)).collect();
    let mapped = |f: F| cols.contains(&Some(f));
    let timed = mapped(F::Time) || mapped(F::TimeGenerated);
    if has("date (utc)") && has("request id") {
        st.set_format("entra-portal-csv");
        let mut hint = name_hint(&st.name);
        if hint.is_none() && has("service principal id") && !has("username") {
            hint = Some(EventKind::ServicePrincipal);
        }
        return CsvMode::SignIn { cols, hint, json_cells: false };
    }
    if timed && has("accountupn") {
        st.set_format("defender-signin-csv");
        return CsvMode::SignIn { cols, hint: None, json_cells: true };
    }
    // A Log Analytics export without any time column is still recognized, so its rows are
    // reported as "no time" rather than the whole file as unknown.
    if (timed || has("resulttype"))
        && (has("userprincipalname") || has("serviceprincipalid"))
        && (has("ipaddress") || has("appid"))
    {
        st.set_format("log-analytics-csv");
        return CsvMode::SignIn { cols, hint: name_hint(&st.name), json_cells: true };
    }
    let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
    let message = format!(
        "unrecognized CSV header ({} columns: {}{}); {EXPECTED}",
        names.len(),
        shown.join(", "),
        if names.len() > 6 { ", …" } else { "" }
    );
    st.set_format("unknown");
    st.diag(ds, line, 1, message);
    CsvMode::Unknown
}

fn object_mode(fields: &Fields<'_>) -> CsvMode {
    let names = (0..fields.len())
        .map(|i| {
            let raw = fields.str(i);
            let mut n = raw.trim_start_matches('\u{feff}').trim().trim_matches('"').trim();
            // Log Analytics suffixes datetime columns, Excel's flattening prefixes AuditData.
            n = n.strip_suffix(" [UTC]").unwrap_or(n);
            n = n.strip_prefix("AuditData.").unwrap_or(n);
            n.to_owned()
        })
        .collect();
    CsvMode::Object { names }
}

/// Checks the field count; false (and the row skipped) when it does not match the header.
fn field_count_ok(
    ds: &mut Dataset,
    st: &mut FileState,
    fields: &Fields<'_>,
    ncols: usize,
    line: u64,
) -> bool {
    let n = fields.len();
    // Extra trailing empty fields (a trailing comma) are harmless.
    if n == ncols || (n > ncols && (ncols..n).all(|i| fields.bytes(i).is_empty())) {
        return true;
    }
    st.skip(
        ds,
        "wrong field count",
        line,
        n.min(ncols) as u64 + 1,
        Some(format!("row has {n} fields, the header has {ncols}")),
    );
    false
}

/// Handles one CSV data record.
pub(crate) fn csv_record(
    ds: &mut Dataset,
    st: &mut FileState,
    mode: &CsvMode,
    fields: &Fields<'_>,
    line: u64,
) {
    st.row(ds);
    let source = SourceRef { file: st.index, line: u32::try_from(line).unwrap_or(u32::MAX) };
    match mode {
        CsvMode::Header => {}
        CsvMode::Unknown => st.skip(ds, "unrecognized format", line, 0, None),
        CsvMode::SignIn { cols, hint, json_cells } => {
            if !field_count_ok(ds, st, fields, cols.len(), line) {
                return;
            }
            let mut row = Row::default();
            for (i, c) in cols.iter().enumerate() {
                if let Some(f) = c {
                    row.set(*f, fields.str(i));
                }
            }
            if *json_cells {
                row.expand_json_cells(&ds.state.aliases);
            }
            finish_signin(ds, st, &mut row, *hint, source, line, cols, 0);
        }
        CsvMode::AuthDetails { request, detail, method, ncols } => {
            if !field_count_ok(ds, st, fields, *ncols, line) {
                return;
            }
            let req = fields.str(*request);
            let det = fields.str(*detail);
            let det = if det.trim().is_empty() { fields.str(*method) } else { det };
            if req.trim().is_empty() {
                st.skip(
                    ds,
                    "no request id",
                    line,
                    *request as u64 + 1,
                    Some("authentication-details row without a Request ID".to_owned()),
                );
                return;
            }
            st.auth_detail(ds, &req, &det, line);
            st.skip(ds, "authentication detail (joined into its sign-in)", line, 0, None);
        }
        CsvMode::Object { names } => {
            if !field_count_ok(ds, st, fields, names.len(), line) {
                return;
            }
            let mut map = Map::new();
            for (i, n) in names.iter().enumerate() {
                let v = fields.str(i);
                if !v.trim().is_empty() && !n.is_empty() {
                    map.insert(n.clone(), Value::String(v.into_owned()));
                }
            }
            object(ds, st, &map, line, 0, true);
        }
        CsvMode::DirectoryAudit { cols } => {
            if field_count_ok(ds, st, fields, cols.ncols, line) {
                directory_audit::csv_row(ds, st, cols, fields, line);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finish_signin(
    ds: &mut Dataset,
    st: &mut FileState,
    row: &mut Row<'_>,
    hint: Option<EventKind>,
    source: SourceRef,
    line: u64,
    cols: &[Option<F>],
    json_col: u64,
) {
    let Dataset { strings, state, .. } = ds;
    match signin::build(row, hint, source, strings, &mut state.strs) {
        Ok(ev) => st.emit(ds, ev),
        Err(reason) => {
            let (col, what) = match reason {
                "no time" | "unparseable time" => {
                    (F::Time, row.get(F::Time).to_owned() + row.get(F::TimeGenerated))
                }
                "AD FS sign-in" => (F::Category, String::new()),
                _ => (F::Upn, String::new()),
            };
            let column = if json_col > 0 {
                json_col
            } else {
                cols.iter().position(|c| *c == Some(col)).map_or(0, |p| p as u64 + 1)
            };
            let message = match reason {
                "unparseable time" => format!(
                    "unparseable time {what:?}: expected ISO 8601 or M/D/YYYY h:mm:ss AM/PM"
                ),
                "no time" => {
                    "no time: the row has no Date (UTC) / createdDateTime / TimeGenerated value"
                        .to_owned()
                }
                "no user" => {
                    "no user: the row has no UPN, user object id or service principal".to_owned()
                }
                "AD FS sign-in" => "AD FS sign-in (ADFSSignInLogs): a sign-in to an on-premises \
                                    federation server, not an Entra ID sign-in; not read"
                    .to_owned(),
                other => other.to_owned(),
            };
            st.skip(ds, reason, line, column, Some(message));
        }
    }
}

fn has_key(map: &Map<String, Value>, name: &str) -> bool {
    map.contains_key(name) || map.keys().any(|k| k.eq_ignore_ascii_case(name))
}

/// Handles one record object (a JSON record, or a CSV row of an audit-like export keyed by
/// header name). `from_csv` chooses format names.
pub(crate) fn object(
    ds: &mut Dataset,
    st: &mut FileState,
    map: &Map<String, Value>,
    line: u64,
    col: u64,
    from_csv: bool,
) {
    let source = SourceRef { file: st.index, line: u32::try_from(line).unwrap_or(u32::MAX) };
    if let Some(raw) = field(map, &["AuditData"]) {
        if !from_csv {
            st.set_format("ual-json");
        }
        let outer = Outer {
            time: text(map, &["CreationDate"]),
            operation: text(map, &["Operation", "Operations"]),
            // The Graph audit-query envelope holds the UPN in `userPrincipalName` and the
            // `UserKey` in `userId` (docs/formats-ual-sign-ins.md).
            user: text(map, &["userPrincipalName", "UserId", "UserIds"]),
            record_id: text(map, &["RecordId", "Identity"]),
            ..Outer::default()
        };
        let ad = as_json(raw);
        let Some(ad) = ad.as_object() else {
            let message = "AuditData is not a JSON object (cut off, or not JSON)".to_owned();
            st.skip(ds, "malformed AuditData", line, col, Some(message));
            return;
        };
        audit(ds, st, ad, &outer, source, line, col);
        return;
    }
    if directory_audit::is_record(map) {
        if !from_csv {
            st.set_format(directory_audit::json_format(map));
        }
        directory_audit::object(ds, st, map, None, line, col);
        return;
    }
    if has_key(map, "ActionType") && !has_key(map, "RawEventData") && !has_key(map, "ActivityType")
    {
        let action = text(map, &["ActionType"]).unwrap_or_default();
        let message = format!(
            "Defender record {action:?} is not from CloudAppEvents or a sign-in table (no RawEventData / ActivityType): not read"
        );
        st.skip(ds, "unsupported record", line, col, Some(message));
        return;
    }
    if has_key(map, "RawEventData")
        || (has_key(map, "ActionType") && has_key(map, "AccountObjectId"))
    {
        if !from_csv {
            st.set_format("defender-cloudappevents-json");
        }
        let outer = Outer {
            time: text(map, &["Timestamp", "TimeGenerated"]),
            operation: text(map, &["ActionType"]),
            user: text(map, &["AccountId", "AccountDisplayName"]),
            ip: text(map, &["IPAddress"]),
            user_agent: text(map, &["UserAgent"]),
            country: text(map, &["CountryCode"]),
            city: text(map, &["City"]),
            workload: text(map, &["Application"]),
            record_id: text(map, &["ReportId"]),
            object_id: text(map, &["ObjectName"]),
        };
        let raw = field(map, &["RawEventData"]).map(as_json);
        let empty = Map::new();
        let ad = raw.as_deref().and_then(Value::as_object).unwrap_or(&empty);
        // The Defender timestamp is the event time; RawEventData's CreationTime is the same.
        audit(ds, st, ad, &outer, source, line, col);
        return;
    }
    if let Some(props) = field(map, &["properties"]).and_then(Value::as_object)
        && (has_key(map, "category") || has_key(map, "operationName"))
    {
        let category = text(map, &["category"]).unwrap_or_default();
        if category.eq_ignore_ascii_case("AuditLogs") {
            st.set_format("eventhub-auditlogs-json");
            directory_audit::object(ds, st, props, Some(map), line, col);
            return;
        }
        st.set_format("eventhub-signin-json");
        if !category.to_ascii_lowercase().contains("signin") {
            let message = format!(
                "diagnostic-settings record of category {category:?}: only sign-in categories and AuditLogs are read"
            );
            st.skip(ds, "unsupported record", line, col, Some(message));
            return;
        }
        let mut row = Row::default();
        let mut key = String::new();
        row.fill_json(props, &ds.state.aliases, &mut key);
        row.set(F::Category, category.clone());
        if let Some(t) = text(map, &["time"]) {
            row.set(F::TimeGenerated, t);
        }
        row.expand_json_cells(&ds.state.aliases);
        finish_signin(ds, st, &mut row, None, source, line, &[], col.max(1));
        return;
    }
    if (has_key(map, "CreationTime") && has_key(map, "Operation"))
        || (has_key(map, "Operation")
            && (has_key(map, "OfficeWorkload") || has_key(map, "Workload")))
    {
        if !from_csv {
            st.set_format(if has_key(map, "OfficeWorkload") {
                "log-analytics-officeactivity-json"
            } else {
                "ual-auditdata-json"
            });
        }
        let outer = Outer { time: text(map, &["TimeGenerated", "Start_Time"]), ..Outer::default() };
        audit(ds, st, map, &outer, source, line, col);
        return;
    }
    let signin_time =
        ["createdDateTime", "TimeGenerated", "Timestamp"].iter().any(|k| has_key(map, k));
    let signin_who =
        ["userPrincipalName", "AccountUpn", "userId", "servicePrincipalId", "ipAddress", "appId"]
            .iter()
            .any(|k| has_key(map, k));
    if signin_time && signin_who {
        st.set_format(if map.contains_key("createdDateTime") {
            "graph-signin-json"
        } else if has_key(map, "AccountUpn") {
            "defender-signin-json"
        } else {
            "log-analytics-json"
        });
        let mut row = Row::default();
        let mut key = String::new();
        row.fill_json(map, &ds.state.aliases, &mut key);
        row.expand_json_cells(&ds.state.aliases);
        let hint = name_hint(&st.name);
        finish_signin(ds, st, &mut row, hint, source, line, &[], col.max(1));
        return;
    }
    let keys: Vec<&str> = map.keys().take(5).map(String::as_str).collect();
    let message = format!(
        "unrecognized record (keys: {}{}): expected a Graph / Log Analytics / Defender sign-in, a \
         CloudAppEvents row, a Unified Audit Log record (AuditData, or CreationTime + Operation), or a \
         directory audit record (activityDisplayName + initiatedBy / targetResources)",
        keys.join(", "),
        if map.len() > 5 { ", …" } else { "" }
    );
    st.skip(ds, "unrecognized record", line, col, Some(message));
}

fn audit(
    ds: &mut Dataset,
    st: &mut FileState,
    ad: &Map<String, Value>,
    outer: &Outer<'_>,
    source: SourceRef,
    line: u64,
    col: u64,
) {
    let Dataset { strings, state, .. } = ds;
    match auditdata::build(ad, outer, source, strings, &mut state.strs) {
        Ok(ev) => st.emit(ds, ev),
        Err(reason) => {
            let message = match reason {
                "unparseable time" => {
                    let t = text(ad, &["CreationTime"])
                        .or_else(|| outer.time.clone())
                        .unwrap_or(Cow::Borrowed(""));
                    format!("unparseable time {t:?}: expected AuditData.CreationTime in ISO 8601")
                }
                "no time" => {
                    "no time: AuditData has no CreationTime and the row no CreationDate".to_owned()
                }
                "no user" => "no user: AuditData has no UserId (or only a placeholder such as \
                              Unknown or Not Available) and names no target user"
                    .to_owned(),
                other => other.to_owned(),
            };
            st.skip(ds, reason, line, col, Some(message));
        }
    }
}

/// Handles one JSON record slice from the scanner.
pub(crate) fn json_record(ds: &mut Dataset, st: &mut FileState, bytes: &[u8], line: u64, col: u64) {
    st.row(ds);
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => object(ds, st, &map, line, col, false),
        Ok(_) => st.skip(
            ds,
            "not a JSON object",
            line,
            col,
            Some("record is not a JSON object".to_owned()),
        ),
        Err(e) => {
            let (l, c) = (e.line() as u64, e.column() as u64);
            let (line2, col2) =
                if l <= 1 { (line, col + c.saturating_sub(1)) } else { (line + l - 1, c) };
            st.skip(ds, "malformed JSON", line2, col2, Some(format!("malformed JSON: {e}")));
        }
    }
}
