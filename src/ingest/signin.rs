//! Sign-in rows of every export (portal CSV, Graph JSON, Log Analytics, Defender) to [`Event`]s.
//!
//! Readers fill a [`Row`] of canonical fields ([`F`]), borrowing cell text where they can; one
//! builder turns it into an event, so every format gets the same normalization.

use std::borrow::Cow;

use hashbrown::HashTable;
use serde_json::Value;

use super::columns::{Aliases, F, NF};
use super::values::{lower_into, parse_bool, parse_ip, parse_risk, parse_time};
use crate::model::{
    AuthRequirement, EventFields, EventKind, Id, Interner, Outcome, RiskLevel, SourceRef, Sym,
    hash_of, same_bytes,
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
        if slot.as_deref().is_none_or(|s| trim(s).is_empty()) {
            *slot = Some(value);
        }
    }

    pub(crate) fn get(&self, f: F) -> &str {
        self.v[f as usize].as_deref().map(trim).unwrap_or("")
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
            (F::CaPolicies, Value::Array(policies)) => {
                // The policies that enforce MFA as a grant control and were not applied.
                let mut names: Vec<Cow<'_, str>> = Vec::new();
                for p in policies.iter().filter_map(Value::as_object) {
                    let field =
                        |k: &str| p.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v);
                    let not_applied = field("result")
                        .and_then(json_str)
                        .is_some_and(|r| r.trim().eq_ignore_ascii_case("notApplied"));
                    let mfa = match field("enforcedGrantControls") {
                        Some(Value::Array(c)) => c
                            .iter()
                            .filter_map(json_str)
                            .any(|c| c.trim().eq_ignore_ascii_case("Mfa")),
                        Some(other) => json_str(other).is_some_and(|c| {
                            c.split([',', ';', '[', ']', '"', ' '])
                                .any(|c| c.eq_ignore_ascii_case("Mfa"))
                        }),
                        None => false,
                    };
                    if not_applied && mfa && names.len() < 16 {
                        let name = field("displayName")
                            .and_then(json_str)
                            .filter(|n| !n.trim().is_empty())
                            .or_else(|| field("id").and_then(json_str))
                            .unwrap_or(Cow::Borrowed("an unnamed policy"));
                        names.push(Cow::Owned(name.chars().take(200).collect()));
                    }
                }
                if !names.is_empty() {
                    self.set(F::CaMfaNotApplied, Cow::Owned(names.join("; ")));
                }
            }
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
            F::CaPolicies,
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

/// Interning helpers with a reused lower-casing buffer, and the memos of field groups.
#[derive(Debug, Default)]
pub(crate) struct Strs {
    buf: String,
    memos: Memos,
}

/// `s.trim()`, without its char-by-char scan when `s` starts and ends with a visible ASCII
/// character (no whitespace to trim), as nearly every cell does; the row builder trims each cell
/// several times.
pub(crate) fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| (0x21..0x7f).contains(&b));
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) { s } else { s.trim() }
}

/// `s` trimmed and interned as is.
fn raw(i: &mut Interner, s: &str) -> Sym {
    let s = trim(s);
    if s.is_empty() { Sym::EMPTY } else { i.intern(s) }
}

/// `s` trimmed, lower-cased and interned.
fn lower(i: &mut Interner, buf: &mut String, s: &str) -> Sym {
    let s = lowered(buf, s);
    if s.is_empty() { Sym::EMPTY } else { i.intern(s) }
}

/// `s` trimmed and lower-cased (into `buf` only when it has an ASCII capital: otherwise
/// `lower_into` would copy it unchanged).
fn lowered<'s>(buf: &'s mut String, s: &'s str) -> &'s str {
    let s = trim(s);
    if s.bytes().any(|c| c.is_ascii_uppercase()) { lower_into(s, buf) } else { s }
}

/// The [`Id`] of `s` trimmed, as logged.
fn id_raw(i: &mut Interner, s: &str) -> Id {
    i.id(trim(s))
}

/// The [`Id`] of `s` trimmed and lower-cased.
fn id_lower(i: &mut Interner, buf: &mut String, s: &str) -> Id {
    i.id(lowered(buf, s))
}

/// `s` trimmed, upper-cased and interned.
fn upper(i: &mut Interner, buf: &mut String, s: &str) -> Sym {
    let s = trim(s);
    if s.is_empty() {
        return Sym::EMPTY;
    }
    buf.clear();
    buf.push_str(s);
    buf.make_ascii_uppercase();
    i.intern(buf)
}

impl Strs {
    pub(crate) fn raw(&mut self, i: &mut Interner, s: &str) -> Sym {
        raw(i, s)
    }

    pub(crate) fn lower(&mut self, i: &mut Interner, s: &str) -> Sym {
        lower(i, &mut self.buf, s)
    }

    pub(crate) fn id_raw(&mut self, i: &mut Interner, s: &str) -> Id {
        id_raw(i, s)
    }

    pub(crate) fn id_lower(&mut self, i: &mut Interner, s: &str) -> Id {
        id_lower(i, &mut self.buf, s)
    }

    pub(crate) fn upper(&mut self, i: &mut Interner, s: &str) -> Sym {
        upper(i, &mut self.buf, s)
    }
}

/// Remembers, for a group of fields that repeat together from row to row (a user's UPN and
/// object id, a client, an app, a location, an outcome), which symbols their texts gave, so a
/// repeated group costs one hash and one comparison instead of one interner lookup per field
/// (each of which, in a table of millions of strings, is a few dependent cache misses).
///
/// Exact: the key is the texts themselves, and the symbols of a group depend on its texts only.
/// Numbering is unchanged: a group is remembered only after its fields were interned in the
/// usual order, so on a hit every string already has its symbol and nothing new is numbered.
/// Bounded: when the remembered keys outgrow [`MEMO_BYTES`] (input where every row is new) the
/// memo starts over; it is a cache, so that changes nothing but speed.
///
/// Hand-written: a `HashMap<Vec<u8>, [Sym; N]>` would allocate per key; this keeps the keys in
/// one buffer and the table at 4-byte numbers, like [`crate::model::Table`].
#[derive(Debug, Default)]
struct Memo<const N: usize> {
    /// The keys, one after another: each field's length (4 bytes) and text.
    keys: Vec<u8>,
    /// The entries, in the table itself (a lookup that hits touches the table and the key's
    /// bytes, no third array): the key's hash, where the key is in `keys`, and its symbols.
    index: HashTable<MemoEntry<N>>,
    key: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct MemoEntry<const N: usize> {
    hash: u64,
    start: u32,
    len: u32,
    syms: [Sym; N],
}

/// Largest size of one memo's keys before it starts over.
const MEMO_BYTES: usize = 4 << 20;

impl<const N: usize> Memo<N> {
    /// The symbols of `parts`, from `intern` the first time.
    fn get(
        &mut self,
        parts: &[&str],
        i: &mut Interner,
        buf: &mut String,
        intern: impl FnOnce(&mut Interner, &mut String) -> [Sym; N],
    ) -> [Sym; N] {
        self.key.clear();
        for p in parts {
            self.key.extend_from_slice(&(p.len() as u32).to_le_bytes());
            self.key.extend_from_slice(p.as_bytes());
        }
        let hash = hash_of(self.key.as_slice());
        let Memo { keys, index, key } = self;
        let text = |e: &MemoEntry<N>| {
            keys.get(e.start as usize..e.start as usize + e.len as usize).unwrap_or_default()
        };
        if let Some(e) = index.find(hash, |e| e.hash == hash && same_bytes(text(e), key)) {
            return e.syms;
        }
        let syms = intern(i, buf);
        if keys.len() + key.len() > MEMO_BYTES {
            keys.clear();
            index.clear();
        }
        let (Ok(start), Ok(len)) = (u32::try_from(keys.len()), u32::try_from(key.len())) else {
            return syms;
        };
        keys.extend_from_slice(key);
        index.insert_unique(hash, MemoEntry { hash, start, len, syms }, |e| e.hash);
        syms
    }
}

/// The memos of the sign-in builder's field groups, each interned together in [`build`].
#[derive(Debug, Default)]
struct Memos {
    /// Object id and UPN (when there is a UPN) → object id, user (the lower-cased UPN), UPN as
    /// logged.
    who: Memo<3>,
    /// Location text, city, state, country → country, city, state.
    place: Memo<3>,
    /// User agent, browser, OS, device id.
    client: Memo<4>,
    /// App id, app name, resource, client app.
    app: Memo<4>,
    /// Risk event types, MFA detail, incoming token type, authentication protocol, original
    /// transfer method, app owner tenant, Conditional Access MFA policies not applied.
    outcome: Memo<7>,
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
    // AD FS sign-ins (`ADFSSignInLogs`, in Log Analytics and diagnostic-settings exports) are
    // sign-ins to an on-premises federation server, with an AD FS request id and no Entra session:
    // not Entra sign-ins of any kind, so they are skipped with their reason.
    if [row.get(F::Category), row.get(F::Table)].iter().any(|t| contains_ci(t, "adfs")) {
        return Err("AD FS sign-in");
    }
    let kind = row_kind(row).or(hint).unwrap_or(EventKind::Interactive);
    let mut e = EventFields::empty(kind, time, source);

    let Strs { buf, memos } = strs;
    let oid = row.get(F::UserObjectId);
    let upn = row.get(F::Upn);
    if !upn.is_empty() {
        [e.user_object_id, e.user, e.upn] = memos.who.get(&[oid, upn], interner, buf, |i, b| {
            [lower(i, b, oid), lower(i, b, upn), raw(i, upn)]
        });
    } else {
        e.user_object_id = lower(interner, buf, oid);
        e.user = if !e.user_object_id.is_empty() {
            e.user_object_id
        } else if matches!(kind, EventKind::ServicePrincipal | EventKind::ManagedIdentity) {
            let sp = row.get(F::SpId);
            lower(interner, buf, if sp.is_empty() { row.get(F::AppId) } else { sp })
        } else {
            Sym::EMPTY
        };
    }
    if e.user.is_empty() {
        return Err("no user");
    }

    e.ip = parse_ip(row.get(F::Ip));
    e.asn = row.get(F::Asn).parse().unwrap_or(0);

    // `Location` is `City, State, CC` in the portal CSV, a country code in Log Analytics.
    let place = [row.get(F::Location), row.get(F::City), row.get(F::State), row.get(F::Country)];
    [e.location.country, e.location.city, e.location.state] =
        memos.place.get(&place, interner, buf, |i, b| {
            let [loc, city_col, state_col, country_col] = place;
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
            for (v, slot) in
                [(city_col, &mut city), (state_col, &mut state), (country_col, &mut country)]
            {
                if !v.is_empty() {
                    *slot = v;
                }
            }
            let country = if country.len() == 2 && country.bytes().all(|c| c.is_ascii_alphabetic())
            {
                upper(i, b, country)
            } else {
                Sym::EMPTY
            };
            [country, raw(i, city), raw(i, state)]
        });
    if let (Ok(lat), Ok(lon)) = (row.get(F::Lat).parse::<f32>(), row.get(F::Lon).parse::<f32>())
        && lat.is_finite()
        && lon.is_finite()
    {
        e.location.coordinates = Some((lat, lon));
    }

    let client = [row.get(F::UserAgent), row.get(F::Browser), row.get(F::Os), row.get(F::DeviceId)];
    [e.user_agent, e.browser, e.os, e.device_id] =
        memos.client.get(&client, interner, buf, |i, b| {
            let [ua, browser, os, device] = client;
            [raw(i, ua), raw(i, browser), raw(i, os), lower(i, b, device)]
        });
    e.compliant = parse_bool(row.get(F::Compliant));
    e.managed = parse_bool(row.get(F::Managed));
    let resource = [F::ResourceName, F::Resource, F::ResourceId]
        .into_iter()
        .map(|f| row.get(f))
        .find(|r| {
            !r.is_empty() && !r.starts_with('/') && !r.eq_ignore_ascii_case("Microsoft.aadiam")
        })
        .unwrap_or("");
    let app = [row.get(F::AppId), row.get(F::AppName), resource, row.get(F::ClientApp)];
    [e.app_id, e.app_name, e.resource, e.client_app] =
        memos.app.get(&app, interner, buf, |i, b| {
            let [id, name, resource, client_app] = app;
            [lower(i, b, id), raw(i, name), raw(i, resource), raw(i, client_app)]
        });
    e.session_id = id_lower(interner, buf, row.get(F::SessionId));
    e.unique_token_id = id_raw(interner, row.get(F::Uti));
    e.request_id = id_lower(interner, buf, row.get(F::RequestId));
    e.correlation_id = id_lower(interner, buf, row.get(F::CorrelationId));

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
    let ret = if !ret.eq_ignore_ascii_case("none") && ret != "[]" { ret } else { "" };
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
    let outcome = [
        ret,
        mfa,
        row.get(F::IncomingTokenType),
        row.get(F::AuthProtocol),
        row.get(F::TransferMethod),
        row.get(F::AppOwnerTenant),
        row.get(F::CaMfaNotApplied),
    ];
    [
        e.risk_event_types,
        e.mfa_detail,
        e.incoming_token_type,
        e.auth_protocol,
        e.transfer_method,
        e.app_owner_tenant,
        e.ca_mfa_not_applied,
    ] = memos.outcome.get(&outcome, interner, buf, |i, _| outcome.map(|t| raw(i, t)));
    let _ = row.take(F::CaPolicies);
    let _ = row.take(F::Properties);
    Ok(e)
}
