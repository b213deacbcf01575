//! Sign-in rows of every export (portal CSV, Graph JSON, Log Analytics, Defender) to [`Event`]s.
//!
//! Readers fill a [`Row`] of canonical fields ([`F`]), borrowing cell text where they can; one
//! builder turns it into an event, so every format gets the same normalization.

use std::borrow::Cow;

use serde_json::Value;

use super::columns::{Aliases, F, NF};
use super::values::{lower_into, parse_bool, parse_ip, parse_risk, parse_time};
use crate::model::{
    AuthRequirement, EventFields, EventKind, Interner, Outcome, RiskLevel, SourceRef, Sym,
};

/// Canonical field values of one sign-in row.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    v: [Option<Cow<'a, str>>; NF],
}

impl Default for Row<'_> {
    fn default() -> Self {
        Row { v: std::array::from_fn(|_| None) }
    }
}

impl<'a> Row<'a> {
    /// Sets `f` unless it already holds a non-empty value (first non-empty wins: the duplicated
    /// `Incoming token type` column, `riskEventTypes_v2` before `riskEventTypes`, …).
    pub(crate) fn set(&mut self, f: F, value: Cow<'a, str>) {
        let slot = &mut self.v[f as usize];
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            *slot = Some(value);
        }
    }

    pub(crate) fn get(&self, f: F) -> &str {
        self.v[f as usize].as_deref().map(str::trim).unwrap_or("")
    }

    fn take(&mut self, f: F) -> Option<Cow<'a, str>> {
        self.v[f as usize].take()
    }

    /// Fills the row from a JSON object (Graph, Log Analytics JSON, Defender JSON, Event Hub
    /// `properties`).
    pub(crate) fn fill_json(
        &mut self,
        obj: &'a serde_json::Map<String, Value>,
        aliases: &Aliases,
        key: &mut String,
    ) {
        for (k, v) in obj {
            key.clear();
            key.push_str(k);
            key.make_ascii_lowercase();
            let Some(f) = aliases.get(key) else { continue };
            match v {
                Value::String(s) => self.set(f, Cow::Borrowed(s.as_str())),
                Value::Number(n) => self.set(f, Cow::Owned(n.to_string())),
                Value::Bool(b) => self.set(f, Cow::Borrowed(if *b { "true" } else { "false" })),
                Value::Null => {}
                Value::Object(_) | Value::Array(_) => self.absorb(f, v, aliases, key),
            }
        }
    }

    /// Takes what matters out of a nested value (`deviceDetail`, `location`, `status`,
    /// `mfaDetail`, `authenticationDetails`, event-type arrays).
    fn absorb(&mut self, f: F, v: &Value, aliases: &Aliases, key: &mut String) {
        match (f, v) {
            (F::AuthDetails, Value::Array(steps)) => {
                // The last step's result detail is the sign-in's outcome ("MFA requirement
                // satisfied by claim in the token", "MFA successfully completed", …).
                let detail = steps.iter().rev().find_map(|s| {
                    json_str(s.get("authenticationStepResultDetail")?)
                        .filter(|d| !d.trim().is_empty())
                });
                if let Some(d) = detail {
                    self.set(F::ResultDetail, Cow::Owned(d.into_owned()));
                }
                // The first step's time: the fallback sign-in time of exports without a time
                // column (see `build`).
                let first = steps.iter().find_map(|s| {
                    json_str(s.get("authenticationStepDateTime")?).filter(|t| !t.trim().is_empty())
                });
                if let Some(t) = first {
                    self.set(F::StepTime, Cow::Owned(t.into_owned()));
                }
            }
            (_, Value::Array(items)) => {
                let joined: Vec<String> =
                    items.iter().filter_map(json_str).map(Cow::into_owned).collect();
                if !joined.is_empty() {
                    self.set(f, Cow::Owned(joined.join(",")));
                }
            }
            (_, Value::Object(map)) => {
                for (k, inner) in map {
                    key.clear();
                    key.push_str(k);
                    key.make_ascii_lowercase();
                    let Some(g) = aliases.get(key) else { continue };
                    if g == F::Location || g == F::LocationDetails || g == F::Status {
                        continue;
                    }
                    if key == "geocoordinates" || matches!(inner, Value::Object(_)) {
                        let mut k2 = String::new();
                        self.absorb(g, inner, aliases, &mut k2);
                        continue;
                    }
                    if let Some(s) = json_str(inner) {
                        self.set(g, Cow::Owned(s.into_owned()));
                    }
                }
                // `geoCoordinates` is not an alias; look for it directly.
                if let Some(geo) = map.get("geoCoordinates").or_else(|| map.get("GeoCoordinates")) {
                    for (k, g) in [("latitude", F::Lat), ("longitude", F::Lon)] {
                        if let Some(s) = geo.get(k).and_then(json_str) {
                            self.set(g, Cow::Owned(s.into_owned()));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Parses cells that hold JSON text (Log Analytics dynamic columns, `AADNonInteractive…`
    /// string columns) and absorbs them.
    pub(crate) fn expand_json_cells(&mut self, aliases: &Aliases) {
        let mut key = String::new();
        for f in [
            F::DeviceDetail,
            F::Location,
            F::LocationDetails,
            F::Status,
            F::MfaDetailJson,
            F::AuthDetails,
            F::MsiType,
        ] {
            let Some(text) = self.v[f as usize].as_deref() else { continue };
            let t = text.trim_start();
            if !(t.starts_with('{') || t.starts_with('[')) {
                continue;
            }
            let Ok(v) = serde_json::from_str::<Value>(t) else { continue };
            self.v[f as usize] = None;
            self.absorb(f, &v, aliases, &mut key);
        }
        for f in [F::EventTypes, F::RiskEventTypesV2, F::RiskEventTypes] {
            let Some(text) = self.v[f as usize].as_deref() else { continue };
            if !text.trim_start().starts_with('[') {
                continue;
            }
            let Ok(v) = serde_json::from_str::<Value>(text.trim()) else { continue };
            self.v[f as usize] = None;
            self.absorb(f, &v, aliases, &mut key);
        }
    }
}

/// A JSON scalar as text.
pub(crate) fn json_str(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// Interning helpers with a reused lower-casing buffer.
#[derive(Debug, Default)]
pub(crate) struct Strs {
    buf: String,
}

impl Strs {
    pub(crate) fn raw(&mut self, i: &mut Interner, s: &str) -> Sym {
        let s = s.trim();
        if s.is_empty() { Sym::EMPTY } else { i.intern(s) }
    }

    pub(crate) fn lower(&mut self, i: &mut Interner, s: &str) -> Sym {
        let s = s.trim();
        if s.is_empty() {
            return Sym::EMPTY;
        }
        i.intern(lower_into(s, &mut self.buf))
    }

    pub(crate) fn upper(&mut self, i: &mut Interner, s: &str) -> Sym {
        let s = s.trim();
        if s.is_empty() {
            return Sym::EMPTY;
        }
        self.buf.clear();
        self.buf.push_str(s);
        self.buf.make_ascii_uppercase();
        i.intern(&self.buf)
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The kind a row states itself, if any.
fn row_kind(row: &Row<'_>) -> Option<EventKind> {
    for text in [row.get(F::EventTypes), row.get(F::Table), row.get(F::Category)] {
        if text.is_empty() {
            continue;
        }
        if contains_ci(text, "managedidentity") {
            return Some(EventKind::ManagedIdentity);
        }
        if contains_ci(text, "serviceprincipal") {
            return Some(EventKind::ServicePrincipal);
        }
        if contains_ci(text, "noninteractive") {
            return Some(EventKind::NonInteractive);
        }
        if contains_ci(text, "interactiveuser") {
            return Some(EventKind::Interactive);
        }
    }
    let msi = row.get(F::MsiType);
    if !msi.is_empty() && !msi.eq_ignore_ascii_case("none") {
        return Some(EventKind::ManagedIdentity);
    }
    let inter = row.get(F::IsInteractive);
    if !inter.is_empty() {
        return Some(if parse_bool(inter) {
            EventKind::Interactive
        } else {
            EventKind::NonInteractive
        });
    }
    None
}

/// Builds the event of a sign-in row. `hint` is the kind the file says (portal file name,
/// header); the row's own markers win. Errors are skip reasons.
pub(crate) fn build(
    row: &mut Row<'_>,
    hint: Option<EventKind>,
    source: SourceRef,
    interner: &mut Interner,
    strs: &mut Strs,
) -> Result<EventFields, &'static str> {
    // Without a creation time or `TimeGenerated` (columns dropped from a Log Analytics export,
    // as in the Sentinel training lab's `disable_accounts.csv`), the first authentication step's
    // time stands in: in every real export seen that has both, it is the sign-in's time to the
    // millisecond (the lab's 56 "Previously satisfied" rows; msticpy's demo `SigninLogs` against
    // `TimeGenerated`) and less than a second after `CreatedDateTime`. A time column that is
    // present but unparseable still skips the row: the stand-in never hides bad data.
    let time_text = [F::Time, F::TimeGenerated, F::StepTime]
        .into_iter()
        .map(|f| row.get(f))
        .find(|t| !t.is_empty())
        .unwrap_or("");
    if time_text.is_empty() {
        return Err("no time");
    }
    let time = parse_time(time_text).ok_or("unparseable time")?;
    let kind = row_kind(row).or(hint).unwrap_or(EventKind::Interactive);
    let mut e = EventFields::empty(kind, time, source);

    e.user_object_id = strs.lower(interner, row.get(F::UserObjectId));
    let upn = row.get(F::Upn);
    e.user = if !upn.is_empty() {
        strs.lower(interner, upn)
    } else if !e.user_object_id.is_empty() {
        e.user_object_id
    } else if matches!(kind, EventKind::ServicePrincipal | EventKind::ManagedIdentity) {
        let sp = row.get(F::SpId);
        strs.lower(interner, if sp.is_empty() { row.get(F::AppId) } else { sp })
    } else {
        Sym::EMPTY
    };
    if e.user.is_empty() {
        return Err("no user");
    }

    e.ip = parse_ip(row.get(F::Ip));
    e.asn = row.get(F::Asn).parse().unwrap_or(0);

    // `Location` is `City, State, CC` in the portal CSV, a country code in Log Analytics.
    let loc = row.get(F::Location);
    let (mut city, mut state) = ("", "");
    let mut country;
    if loc.contains(',') {
        let parts: Vec<&str> = loc.split(',').map(str::trim).collect();
        city = parts.first().copied().unwrap_or("");
        if parts.len() >= 3 {
            state = parts[1];
        }
        country = parts.last().copied().unwrap_or("");
    } else {
        country = loc;
    }
    for (f, slot) in [(F::City, &mut city), (F::State, &mut state), (F::Country, &mut country)] {
        let v = row.get(f);
        if !v.is_empty() {
            *slot = v;
        }
    }
    if country.len() == 2 && country.bytes().all(|c| c.is_ascii_alphabetic()) {
        e.location.country = strs.upper(interner, country);
    }
    e.location.city = strs.raw(interner, city);
    e.location.state = strs.raw(interner, state);
    if let (Ok(lat), Ok(lon)) = (row.get(F::Lat).parse::<f32>(), row.get(F::Lon).parse::<f32>())
        && lat.is_finite()
        && lon.is_finite()
    {
        e.location.coordinates = Some((lat, lon));
    }

    e.user_agent = strs.raw(interner, row.get(F::UserAgent));
    e.browser = strs.raw(interner, row.get(F::Browser));
    e.os = strs.raw(interner, row.get(F::Os));
    e.device_id = strs.lower(interner, row.get(F::DeviceId));
    e.compliant = parse_bool(row.get(F::Compliant));
    e.managed = parse_bool(row.get(F::Managed));
    e.app_id = strs.lower(interner, row.get(F::AppId));
    e.app_name = strs.raw(interner, row.get(F::AppName));
    let resource = [F::ResourceName, F::Resource, F::ResourceId]
        .into_iter()
        .map(|f| row.get(f))
        .find(|r| {
            !r.is_empty() && !r.starts_with('/') && !r.eq_ignore_ascii_case("Microsoft.aadiam")
        })
        .unwrap_or("");
    e.resource = strs.raw(interner, resource);
    e.client_app = strs.raw(interner, row.get(F::ClientApp));
    e.session_id = strs.lower(interner, row.get(F::SessionId));
    e.unique_token_id = strs.raw(interner, row.get(F::Uti));
    e.request_id = strs.lower(interner, row.get(F::RequestId));
    e.correlation_id = strs.lower(interner, row.get(F::CorrelationId));

    let code_text = if row.get(F::ErrorCode).is_empty() {
        row.get(F::ResultType)
    } else {
        row.get(F::ErrorCode)
    };
    e.error_code = code_text.parse::<u32>().unwrap_or(0);
    let status = row.get(F::Status);
    e.outcome = if status.eq_ignore_ascii_case("success") {
        Outcome::Success
    } else if status.eq_ignore_ascii_case("failure") {
        Outcome::Failure
    } else if status.eq_ignore_ascii_case("interrupted") {
        Outcome::Interrupted
    } else if code_text.is_empty() {
        Outcome::Unknown
    } else if e.error_code == 0 && code_text.parse::<i64>() == Ok(0) {
        Outcome::Success
    } else {
        Outcome::Failure
    };

    e.risk_level = [F::RiskAggregated, F::RiskDuring, F::RiskLevel]
        .into_iter()
        .map(|f| parse_risk(row.get(f)))
        .max()
        .unwrap_or(RiskLevel::None);
    let ret = if row.get(F::RiskEventTypesV2).is_empty() {
        row.get(F::RiskEventTypes)
    } else {
        row.get(F::RiskEventTypesV2)
    };
    if !ret.eq_ignore_ascii_case("none") && ret != "[]" {
        e.risk_event_types = strs.raw(interner, ret);
    }
    let req = row.get(F::AuthRequirement);
    e.auth_requirement = if contains_ci(req, "multi") {
        AuthRequirement::MultiFactor
    } else if contains_ci(req, "single") {
        AuthRequirement::SingleFactor
    } else {
        AuthRequirement::Unknown
    };
    let mfa = [F::ResultDetail, F::MfaDetail, F::MfaResult]
        .into_iter()
        .map(|f| row.get(f))
        .find(|s| !s.is_empty())
        .unwrap_or("");
    e.mfa_detail = strs.raw(interner, mfa);
    e.incoming_token_type = strs.raw(interner, row.get(F::IncomingTokenType));
    let _ = row.take(F::Properties);
    Ok(e)
}
