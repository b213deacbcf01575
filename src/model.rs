//! The normalized event model: what every reader produces and every rule consumes.
//!
//! One [`Event`] per sign-in or audit operation, whatever export it came from. Repeated strings
//! (users, user agents, app names, …) are interned once per dataset in an [`Interner`] and
//! referred to by a 4-byte [`Sym`]; groups of fields that repeat together (client, app, place,
//! authentication, audit detail) are interned once per dataset as profiles and referred to by a
//! 4-byte number; session, request, correlation and token ids that are GUIDs or base64url tokens
//! are kept as their 16 bytes ([`Id`]). That keeps an event at 120 bytes and little else per
//! event: multi-gigabyte exports must fit in a browser tab's 4 GB of wasm memory. Readers fill
//! an [`EventFields`]; the dataset packs it.
//!
//! These types are internal: they are not serialized. The boundary type is [`crate::report::Report`].

use std::hash::{BuildHasher, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hashbrown::HashTable;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// An interned string. `Sym::EMPTY` stands for "absent".
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Sym(u32);

impl Sym {
    /// The empty string, used for absent values.
    pub const EMPTY: Sym = Sym(0);

    /// True for the empty string.
    pub fn is_empty(self) -> bool {
        self == Sym::EMPTY
    }

    /// The index into the interner's table.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A session, request, correlation or token id, as the reader normalized it.
///
/// These ids are unique, or nearly, per row: interning their text cost a lookup in a table of
/// millions of strings per id per row (a third of ingest time, most of it cache misses) and about
/// 50 bytes per id. Nearly all of them have one of two shapes that hold exactly 16 bytes: a GUID
/// in canonical lower-case form (request, correlation, session and record ids) or 22 characters
/// of unpadded base64url (the `uti` claim). Those are kept as their 16 bytes; any other text is
/// interned. Exact either way: a text gives one `Id` ([`Interner::id`]) and the `Id` gives the
/// text back ([`Interner::id_text`]), so two ids of a dataset are equal exactly when their texts
/// are. The derived order is for grouping only; [`Interner::cmp_ids`] orders by text.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Id {
    form: IdForm,
    bytes: [u8; 16],
}

#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
enum IdForm {
    /// Absent (the empty text).
    #[default]
    None,
    /// Interned text: the `Sym`'s number in the first 4 bytes.
    Text,
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex, its 16 bytes in text order.
    Guid,
    /// 22 characters of unpadded base64url whose last character carries no stray bits.
    Token,
}

impl Id {
    /// The absent id.
    pub const NONE: Id = Id { form: IdForm::None, bytes: [0; 16] };

    /// True for the absent id.
    pub fn is_empty(self) -> bool {
        self.form == IdForm::None
    }

    fn text(sym: Sym) -> Id {
        if sym.is_empty() {
            return Id::NONE;
        }
        let mut bytes = [0; 16];
        bytes[..4].copy_from_slice(&sym.0.to_le_bytes());
        Id { form: IdForm::Text, bytes }
    }

    /// The interned text's symbol, for an id kept as text.
    fn sym(self) -> Option<Sym> {
        let n = u32::from_le_bytes([self.bytes[0], self.bytes[1], self.bytes[2], self.bytes[3]]);
        (self.form == IdForm::Text).then_some(Sym(n))
    }

    /// The same id with its text's symbol mapped (joining a part's dataset).
    pub(crate) fn map_sym(self, f: impl FnOnce(Sym) -> Sym) -> Id {
        self.sym().map_or(self, |s| Id::text(f(s)))
    }
}

/// Each byte's value as a lower-case hex digit, 0x80 for anything else.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 16 {
        t[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The 16 bytes of a canonical lower-case GUID, in text order. Hand-written: GUID crates accept
/// every spelling (braces, upper case, no dashes), and exactness needs exactly one; and this runs
/// up to four times per row.
fn parse_guid(s: &[u8]) -> Option<[u8; 16]> {
    /// Where each byte's two hex digits start.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let s: &[u8; 36] = s.try_into().ok()?;
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    let mut out = [0u8; 16];
    let mut bad = 0;
    for (o, &i) in out.iter_mut().zip(&AT) {
        let (hi, lo) = (HEX_VALUE[usize::from(s[i])], HEX_VALUE[usize::from(s[i + 1])]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad & 0x80 == 0).then_some(out)
}

fn write_guid(bytes: &[u8; 16], out: &mut [u8; 36]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut at = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[at] = b'-';
            at += 1;
        }
        out[at] = HEX[usize::from(b >> 4)];
        out[at + 1] = HEX[usize::from(b & 15)];
        at += 2;
    }
}

/// The 16 bytes of a 22-character unpadded base64url token that re-encodes to itself.
fn parse_token(s: &[u8]) -> Option<[u8; 16]> {
    use base64::Engine;
    if s.len() != 22 {
        return None;
    }
    let mut out = [0u8; 16];
    // The engine rejects padding and non-zero trailing bits, so the decoding is one-to-one.
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(s, &mut out).ok()?;
    (n == 16).then_some(out)
}

/// An id's text: borrowed from the interner, or written out from its 16 bytes.
#[derive(Clone, Copy)]
pub struct IdText<'a> {
    text: Option<&'a str>,
    buf: [u8; 36],
    len: u8,
}

impl std::ops::Deref for IdText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self.text {
            Some(t) => t,
            // Only ASCII is ever written into `buf`.
            None => std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// Stores each distinct string once; hands out [`Sym`]s in first-seen order, so the same input
/// always gives the same symbols.
///
/// The text lives in large chunks rather than one allocation per string: request and correlation
/// ids are unique per row, and a separate allocation for each would cost an allocator header and
/// rounding per id and a malloc/free pair per row. Chunks are never reallocated (a string that
/// does not fit starts a new chunk), so memory never briefly doubles as it would growing one
/// buffer. Hand-written because the arena crates either hand out `&str` tied to a borrow (no
/// 4-byte handles) or intern with a global table; this is a few lines over `hashbrown`.
#[derive(Debug)]
pub struct Interner {
    chunks: Vec<String>,
    /// Per symbol: chunk number, start and length in that chunk.
    spans: Vec<Span>,
    // Numbers into `spans`, hashed by the string they name: the text is stored once (a map keyed
    // by the string would hold a second copy of every id of every row).
    index: HashTable<u32>,
}

#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Largest capacity of a text chunk (a longer string gets a chunk of its own size).
const CHUNK: usize = 1 << 20;

impl Default for Interner {
    fn default() -> Self {
        let mut interner =
            Interner { chunks: Vec::new(), spans: Vec::new(), index: HashTable::new() };
        interner.intern("");
        interner
    }
}

fn text_of(chunks: &[String], span: Span) -> &str {
    let start = span.start as usize;
    chunks
        .get(span.chunk as usize)
        .and_then(|c| c.get(start..start + span.len as usize))
        .unwrap_or_default()
}

impl Interner {
    /// Returns the symbol of `s`, adding it when new. Surrounding whitespace is kept: callers trim.
    pub fn intern(&mut self, s: &str) -> Sym {
        let hash = hash_of(s);
        let Interner { chunks, spans, index } = self;
        // One probe for both the lookup and the insertion (a new id per row makes most calls of
        // some columns misses).
        let slot = index.entry(
            hash,
            |&i| same_bytes(text_of(chunks, spans[i as usize]).as_bytes(), s.as_bytes()),
            |&i| hash_of(text_of(chunks, spans[i as usize])),
        );
        let slot = match slot {
            hashbrown::hash_table::Entry::Occupied(o) => return Sym(*o.get()),
            hashbrown::hash_table::Entry::Vacant(v) => v,
        };
        let i = u32::try_from(spans.len()).expect("fewer than 2^32 distinct strings");
        let len = u32::try_from(s.len()).expect("strings shorter than 4 GiB");
        let fits = chunks.last().is_some_and(|c| c.capacity() - c.len() >= s.len());
        if !fits {
            // Chunks double from 4 KiB up to 1 MiB, so a small file does not reserve a megabyte.
            let next = chunks.last().map_or(4096, |c| (c.capacity() * 2).min(CHUNK));
            chunks.push(String::with_capacity(next.max(s.len())));
        }
        let chunk = chunks.len() - 1;
        let text = &mut chunks[chunk];
        let start = text.len();
        text.push_str(s);
        spans.push(Span {
            chunk: u32::try_from(chunk).expect("fewer than 2^32 chunks"),
            start: u32::try_from(start).expect("chunks shorter than 4 GiB"),
            len,
        });
        slot.insert(i);
        Sym(i)
    }

    /// Makes room for `additional` more strings, so the table does not grow (and re-read every
    /// stored string to rehash it) step by step while a large file is read.
    pub fn reserve(&mut self, additional: usize) {
        let Interner { chunks, spans, index } = self;
        spans.reserve(additional);
        index.reserve(additional, |&i| hash_of(text_of(chunks, spans[i as usize])));
    }

    /// Returns the symbol of `s` if it was interned before.
    pub fn get(&self, s: &str) -> Option<Sym> {
        let (chunks, spans) = (&self.chunks, &self.spans);
        self.index
            .find(hash_of(s), |&i| {
                same_bytes(text_of(chunks, spans[i as usize]).as_bytes(), s.as_bytes())
            })
            .map(|&i| Sym(i))
    }

    /// The string behind a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.spans.get(sym.0 as usize).map(|&sp| text_of(&self.chunks, sp)).unwrap_or_default()
    }

    /// Number of distinct strings, the empty one included.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when only the empty string is stored.
    pub fn is_empty(&self) -> bool {
        self.spans.len() <= 1
    }

    /// Interns every string of `other` in its order and returns, per symbol of `other`, the
    /// symbol in `self` (joining a part of a file read on its own, see
    /// [`crate::ingest::Part`]). Strings new to `self` are numbered in `other`'s first-seen
    /// order, which is the order reading the part's bytes after `self`'s would have given.
    pub(crate) fn absorb(&mut self, other: &Texts) -> Vec<Sym> {
        other.spans.iter().map(|&span| self.intern(text_of(&other.chunks, span))).collect()
    }

    /// The strings as plain data, without the lookup table (a part's strings, to be absorbed).
    pub(crate) fn into_texts(self) -> Texts {
        Texts { chunks: self.chunks, spans: self.spans }
    }

    /// The [`Id`] of an id's text (already trimmed and, where the field calls for it,
    /// lower-cased): its 16 bytes when it is a canonical GUID or a 22-character base64url token,
    /// else its interned text.
    pub fn id(&mut self, s: &str) -> Id {
        if s.is_empty() {
            Id::NONE
        } else if let Some(bytes) = parse_guid(s.as_bytes()) {
            Id { form: IdForm::Guid, bytes }
        } else if let Some(bytes) = parse_token(s.as_bytes()) {
            Id { form: IdForm::Token, bytes }
        } else {
            Id::text(self.intern(s))
        }
    }

    /// The text of an id.
    pub fn id_text(&self, id: Id) -> IdText<'_> {
        let mut out = IdText { text: None, buf: [0; 36], len: 0 };
        match id.form {
            IdForm::None => out.text = Some(""),
            IdForm::Text => out.text = id.sym().map(|s| self.resolve(s)),
            IdForm::Guid => {
                write_guid(&id.bytes, &mut out.buf);
                out.len = 36;
            }
            IdForm::Token => {
                use base64::Engine;
                let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let n = engine.encode_slice(id.bytes, &mut out.buf).unwrap_or(0);
                out.len = u8::try_from(n).unwrap_or(0);
            }
        }
        out
    }

    /// Orders two ids by their texts.
    pub fn cmp_ids(&self, a: Id, b: Id) -> std::cmp::Ordering {
        if a == b {
            return std::cmp::Ordering::Equal;
        }
        // Lower-case hex with dashes in the same places sorts as the bytes it spells.
        if a.form == IdForm::Guid && b.form == IdForm::Guid {
            return a.bytes.cmp(&b.bytes);
        }
        (*self.id_text(a)).cmp(&*self.id_text(b))
    }

    /// Approximate heap bytes used by the unique strings and the lookup table.
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.chunks.iter().map(String::capacity).sum();
        // The text chunks, a 12-byte span per string, and a 4-byte number per table slot.
        text + self.spans.capacity() * std::mem::size_of::<Span>()
            + table_bytes(self.index.capacity(), 4)
    }
}

/// An interner's strings in symbol order, without its lookup table: what [`Interner::absorb`]
/// reads (a part of a file read on its own, perhaps by another wasm instance).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Texts {
    chunks: Vec<String>,
    spans: Vec<Span>,
}

/// What kind of log row an event came from.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum EventKind {
    /// Interactive user sign-in (the user typed a password, did MFA, …).
    Interactive,
    /// Non-interactive user sign-in (token refresh on the user's behalf).
    NonInteractive,
    /// Application (service principal) sign-in.
    ServicePrincipal,
    /// Managed identity sign-in.
    ManagedIdentity,
    /// An audit operation (Unified Audit Log, Entra audit log, CloudAppEvents).
    Audit,
}

impl EventKind {
    /// All kinds, in report order.
    pub const ALL: [EventKind; 5] = [
        EventKind::Interactive,
        EventKind::NonInteractive,
        EventKind::ServicePrincipal,
        EventKind::ManagedIdentity,
        EventKind::Audit,
    ];

    /// The stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Interactive => "interactive",
            EventKind::NonInteractive => "non-interactive",
            EventKind::ServicePrincipal => "service-principal",
            EventKind::ManagedIdentity => "managed-identity",
            EventKind::Audit => "audit",
        }
    }

    /// True for user sign-ins (interactive or not).
    pub fn is_user_sign_in(self) -> bool {
        matches!(self, EventKind::Interactive | EventKind::NonInteractive)
    }
}

/// Outcome of a sign-in. Audit operations are `Success` unless the record says otherwise.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Outcome {
    /// `ResultType == 0` / error code 0 / Status "Success".
    Success,
    /// Any non-zero error code or Status "Failure".
    Failure,
    /// Status "Interrupted" (e.g. MFA prompt pending).
    Interrupted,
    /// Not stated by the export.
    #[default]
    Unknown,
}

impl Outcome {
    /// `success`, `failure`, `interrupted` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Interrupted => "interrupted",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Entra risk level of a sign-in (during sign-in or aggregated, whichever is higher).
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum RiskLevel {
    /// No risk information, `none`, or `hidden` (tenant without P2).
    #[default]
    None,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
}

impl RiskLevel {
    /// `none`, `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    /// As [`RiskLevel::as_str`], but empty when there is no risk information (for display).
    pub fn label(self) -> &'static str {
        if self == RiskLevel::None { "" } else { self.as_str() }
    }
}

/// `authenticationRequirement` of a sign-in.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum AuthRequirement {
    /// Not stated.
    #[default]
    Unknown,
    /// `singleFactorAuthentication`.
    SingleFactor,
    /// `multiFactorAuthentication`.
    MultiFactor,
}

impl AuthRequirement {
    /// `single-factor` or `multi-factor`; empty when not stated (for display).
    pub fn label(self) -> &'static str {
        match self {
            AuthRequirement::Unknown => "",
            AuthRequirement::SingleFactor => "single-factor",
            AuthRequirement::MultiFactor => "multi-factor",
        }
    }
}

/// Where an event came from: the file (index into the dataset's files) and the 1-based line.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SourceRef {
    /// Index of the input file in [`crate::ingest::Dataset::files`].
    pub file: u32,
    /// 1-based line where the row starts.
    pub line: u32,
}

/// Geographic location as the log reports it (the product does no IP geolocation of its own).
#[derive(Copy, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// ISO 3166 alpha-2 country code, upper case.
    pub country: Sym,
    /// State or region.
    pub state: Sym,
    /// City.
    pub city: Sym,
    /// Latitude and longitude in degrees when the log gives coordinates.
    pub coordinates: Option<(f32, f32)>,
}

/// Every field of one normalized sign-in or audit operation, flat: what the readers fill in, and
/// what [`crate::ingest::Dataset::fields`] gives back for a stored [`Event`].
///
/// The dataset does not keep this form: it packs it into an [`Event`] (see there).
#[derive(Clone, Debug, PartialEq)]
pub struct EventFields {
    /// Event time (sign-in creation time, audit `CreationTime`), UTC milliseconds.
    pub time: Millis,
    /// What log it came from.
    pub kind: EventKind,
    /// The user: lower-cased UPN, else the object id.
    pub user: Sym,
    /// The user's object id (`oid`), when logged.
    pub user_object_id: Sym,
    /// The UPN as logged (trimmed, case kept); empty when the row has none. `user` is its
    /// lower-cased form; reference hunt H1 joins on this one, case-sensitively, as KQL does.
    pub upn: Sym,
    /// Client IP address (ports and brackets stripped).
    pub ip: Option<IpAddr>,
    /// Autonomous system number of the client IP; 0 when not logged.
    pub asn: u32,
    /// Location as logged.
    pub location: Location,
    /// Raw user agent string.
    pub user_agent: Sym,
    /// Browser as logged (e.g. `Edge 120.0.0`).
    pub browser: Sym,
    /// Operating system as logged.
    pub os: Sym,
    /// Entra device id; empty for unregistered devices.
    pub device_id: Sym,
    /// Device is marked compliant.
    pub compliant: bool,
    /// Device is marked managed.
    pub managed: bool,
    /// Application (client) id, lower case.
    pub app_id: Sym,
    /// Application display name.
    pub app_name: Sym,
    /// Resource display name (or id when no name is logged).
    pub resource: Sym,
    /// Client app used (`Browser`, `Mobile Apps and Desktop clients`, …).
    pub client_app: Sym,
    /// Session id (`sid` claim), lower case.
    pub session_id: Id,
    /// Unique token identifier (`uti` claim) as logged.
    pub unique_token_id: Id,
    /// Sign-in request id (`id`), lower case. For audit rows: the record id.
    pub request_id: Id,
    /// Correlation id, lower case.
    pub correlation_id: Id,
    /// Success, failure, interrupted.
    pub outcome: Outcome,
    /// Sign-in error code (0 on success).
    pub error_code: u32,
    /// Entra risk level.
    pub risk_level: RiskLevel,
    /// Entra risk event types, comma-joined in log order (e.g. `anomalousToken,unfamiliarFeatures`).
    pub risk_event_types: Sym,
    /// Authentication requirement.
    pub auth_requirement: AuthRequirement,
    /// MFA detail / authentication-step result detail, e.g. "MFA requirement satisfied by claim in
    /// the token".
    pub mfa_detail: Sym,
    /// Incoming token type (e.g. `primaryRefreshToken`, `none`).
    pub incoming_token_type: Sym,
    /// Authentication protocol as logged (`authenticationProtocol`: `deviceCode`, `ropc`, `none`,
    /// …).
    pub auth_protocol: Sym,
    /// Original transfer method as logged (`originalTransferMethod`: `deviceCodeFlow`, …).
    pub transfer_method: Sym,
    /// Audit details; `None` for sign-ins, except those read from the Unified Audit Log
    /// (`UserLoggedIn` / `UserLoginFailed`), which keep their record's operation and
    /// `RequestType`, `UserAuthenticationMethod`, … as parameters (docs/formats-ual-sign-ins.md).
    pub audit: Option<AuditDetail>,
    /// Where the row is.
    pub source: SourceRef,
}

impl EventFields {
    /// An event with every field absent, for readers to fill in.
    pub fn empty(kind: EventKind, time: Millis, source: SourceRef) -> EventFields {
        EventFields {
            time,
            kind,
            user: Sym::EMPTY,
            user_object_id: Sym::EMPTY,
            upn: Sym::EMPTY,
            ip: None,
            asn: 0,
            location: Location::default(),
            user_agent: Sym::EMPTY,
            browser: Sym::EMPTY,
            os: Sym::EMPTY,
            device_id: Sym::EMPTY,
            compliant: false,
            managed: false,
            app_id: Sym::EMPTY,
            app_name: Sym::EMPTY,
            resource: Sym::EMPTY,
            client_app: Sym::EMPTY,
            session_id: Id::NONE,
            unique_token_id: Id::NONE,
            request_id: Id::NONE,
            correlation_id: Id::NONE,
            outcome: Outcome::Unknown,
            error_code: 0,
            risk_level: RiskLevel::None,
            risk_event_types: Sym::EMPTY,
            auth_requirement: AuthRequirement::Unknown,
            mfa_detail: Sym::EMPTY,
            incoming_token_type: Sym::EMPTY,
            auth_protocol: Sym::EMPTY,
            transfer_method: Sym::EMPTY,
            audit: None,
            source,
        }
    }

    /// True for a successful sign-in (the hunts' `ResultType == 0`).
    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }
}

/// Who a row names: the object id and the UPN as logged. Repeats across a user's events (a user
/// has one object id, and nearly always one spelling of the UPN).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct WhoProfile {
    /// The user's object id (`oid`), lower case, when logged.
    pub user_object_id: Sym,
    /// The UPN as logged (trimmed, case kept); empty when the row has none.
    pub upn: Sym,
}

/// The device and client side of a sign-in. Repeats across most of a user's events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ClientProfile {
    /// Raw user agent string.
    pub user_agent: Sym,
    /// Browser as logged (e.g. `Edge 120.0.0`).
    pub browser: Sym,
    /// Operating system as logged.
    pub os: Sym,
    /// Entra device id; empty for unregistered devices.
    pub device_id: Sym,
    /// Client app used (`Browser`, `Mobile Apps and Desktop clients`, …).
    pub client_app: Sym,
    /// Incoming token type (e.g. `primaryRefreshToken`, `none`).
    pub incoming_token_type: Sym,
    /// Device is marked compliant.
    pub compliant: bool,
    /// Device is marked managed.
    pub managed: bool,
}

/// The application and resource a sign-in was for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AppProfile {
    /// Application (client) id, lower case.
    pub app_id: Sym,
    /// Application display name.
    pub app_name: Sym,
    /// Resource display name (or id when no name is logged).
    pub resource: Sym,
}

/// Where a request came from as the log places it: network and location.
#[derive(Copy, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PlaceProfile {
    /// Autonomous system number of the client IP; 0 when not logged.
    pub asn: u32,
    /// Location as logged.
    pub location: Location,
}

impl PlaceProfile {
    fn key(&self) -> (u32, Sym, Sym, Sym, Option<(u32, u32)>) {
        let l = &self.location;
        let coordinates = l.coordinates.map(|(a, b)| (a.to_bits(), b.to_bits()));
        (self.asn, l.country, l.state, l.city, coordinates)
    }
}

// Coordinates compare by their bits (as the duplicate index always hashed them), so equality is
// an equivalence and interning is exact.
impl PartialEq for PlaceProfile {
    fn eq(&self, other: &PlaceProfile) -> bool {
        self.key() == other.key()
    }
}

impl Eq for PlaceProfile {}

impl Hash for PlaceProfile {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// How a sign-in was authenticated and judged: requirement, MFA detail, risk, error code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuthProfile {
    /// Sign-in error code (0 on success).
    pub error_code: u32,
    /// Entra risk level.
    pub risk_level: RiskLevel,
    /// Entra risk event types, comma-joined in log order.
    pub risk_event_types: Sym,
    /// Authentication requirement.
    pub auth_requirement: AuthRequirement,
    /// MFA detail / authentication-step result detail.
    pub mfa_detail: Sym,
    /// Authentication protocol (`deviceCode`, `ropc`, …), as logged.
    pub auth_protocol: Sym,
    /// Original transfer method (`deviceCodeFlow`, …), as logged.
    pub transfer_method: Sym,
}

/// One normalized sign-in or audit operation as the dataset stores it: 120 bytes.
///
/// What differs from event to event (time, user, ids, kind, outcome, source, IP) is stored here;
/// the groups of fields that repeat across many events are interned once per dataset as
/// profiles ([`WhoProfile`], [`ClientProfile`], [`AppProfile`], [`PlaceProfile`], [`AuthProfile`], and the
/// [`AuditDetail`] of audit operations) and referred to by a 4-byte number. Read them through
/// the dataset: `ds.client(e).user_agent`, `ds.place(e).asn`, `ds.ip(e)`, `ds.audit(e)`; or
/// [`crate::ingest::Dataset::fields`] for every field at once.
///
/// Two events of one dataset are equal exactly when all their fields are, since interning is
/// exact.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// Event time (sign-in creation time, audit `CreationTime`), UTC milliseconds.
    pub time: Millis,
    /// The user: lower-cased UPN, else the object id.
    pub user: Sym,
    /// Session id (`sid` claim), lower case.
    pub session_id: Id,
    /// Unique token identifier (`uti` claim) as logged.
    pub unique_token_id: Id,
    /// Sign-in request id (`id`), lower case. For audit rows: the record id.
    pub request_id: Id,
    /// Correlation id, lower case.
    pub correlation_id: Id,
    /// Where the row is.
    pub source: SourceRef,
    /// The number of the [`WhoProfile`] (object id, UPN as logged).
    pub(crate) who: u32,
    pub(crate) client: u32,
    pub(crate) app: u32,
    pub(crate) place: u32,
    pub(crate) auth: u32,
    /// The IPv4 address, or the IPv6 address's number in the dataset's table (see `ip_kind`).
    pub(crate) ip_num: u32,
    /// 0 for none, else 1 + the number of the shared audit detail.
    pub(crate) audit_num: u32,
    /// What log it came from.
    pub kind: EventKind,
    /// Success, failure, interrupted.
    pub outcome: Outcome,
    /// 0: no IP, 1: `ip_num` is an IPv4 address, 2: `ip_num` numbers an IPv6 address.
    pub(crate) ip_kind: u8,
}

impl Event {
    /// True for a successful sign-in (the hunts' `ResultType == 0`).
    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }

    /// True for a sign-in read from the Unified Audit Log (a `UserLoggedIn` / `UserLoginFailed`
    /// record): a user sign-in that kept its audit detail (docs/formats-ual-sign-ins.md).
    pub fn is_ual_sign_in(&self) -> bool {
        self.kind.is_user_sign_in() && self.audit_num != 0
    }

    /// The event without its source, for comparing copies of a row.
    pub(crate) fn content(&self) -> Event {
        Event { source: SourceRef::default(), ..*self }
    }
}

/// Values of one type each stored once, numbered in first-seen order (so the same input always
/// gives the same numbers). The lookup table holds only 4-byte numbers and hashes the stored
/// value again when it grows.
#[derive(Debug)]
pub(crate) struct Table<T> {
    items: Vec<T>,
    index: HashTable<u32>,
}

// foldhash with fixed seeds: fast on the small keys here, and the same in every run (the core
// draws no OS randomness). Numbers come from insertion order, so no hash order reaches output.
pub(crate) fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5e55_1015).hash_one(v)
}

/// Whether two byte strings are equal: the interner's and the memos' key comparison.
///
/// On wasm32, `==` on slices calls compiler-builtins' `memcmp`, which compares one byte at a time
/// (measured: 5.5% of the core's time in wasm, ingest and analysis, mostly the sign-in memos), so
/// there it is [`eq_by_words`]; elsewhere `==` is the platform's vectorized `memcmp`.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        eq_by_words(a, b)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a == b
    }
}

/// Byte-string equality eight bytes at a time. Hand-written: no crate offers a slice compare that
/// avoids `memcmp`, which is what is slow on wasm32.
#[cfg(any(target_arch = "wasm32", test))]
#[inline]
fn eq_by_words(a: &[u8], b: &[u8]) -> bool {
    fn word(b: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_ne_bytes(w)
    }
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (wa.remainder(), wb.remainder());
    wa.zip(wb).all(|(x, y)| word(x) == word(y)) && word(ra) == word(rb)
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { items: Vec::new(), index: HashTable::new() }
    }
}

impl<T: Hash + Eq> Table<T> {
    /// The number of `v`, adding it when new.
    pub(crate) fn intern(&mut self, v: T) -> u32 {
        let hash = hash_of(&v);
        let items = &self.items;
        if let Some(&i) = self.index.find(hash, |&i| items[i as usize] == v) {
            return i;
        }
        let i = u32::try_from(self.items.len()).expect("fewer than 2^32 distinct values");
        self.items.push(v);
        let items = &self.items;
        self.index.insert_unique(hash, i, |&i| hash_of(&items[i as usize]));
        i
    }

    /// The value numbered `i`.
    pub(crate) fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    /// Number of distinct values.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Heap bytes of the values (`extra` gives each one's own heap bytes) and the lookup table.
    pub(crate) fn heap_bytes(&self, extra: impl Fn(&T) -> usize) -> usize {
        self.items.capacity() * std::mem::size_of::<T>()
            + self.items.iter().map(extra).sum::<usize>()
            + table_bytes(self.index.capacity(), std::mem::size_of::<u32>())
    }
}

/// Approximate heap bytes of a hashbrown table (std `HashMap`/`HashSet` or [`HashTable`]) with
/// room for `capacity` items of `slot` bytes: a power-of-two number of buckets (7/8 usable once
/// there are 8 or more), one slot and one control byte each, plus a trailing control group.
pub(crate) fn table_bytes(capacity: usize, slot: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity.saturating_mul(8) / 7).next_power_of_two()
    };
    buckets * (slot + 1) + 16
}

/// The profiles, audit details and IPv6 addresses that events refer to by number.
#[derive(Debug)]
pub(crate) struct Profiles {
    whos: Table<WhoProfile>,
    clients: Table<ClientProfile>,
    apps: Table<AppProfile>,
    places: Table<PlaceProfile>,
    auths: Table<AuthProfile>,
    audits: Table<AuditDetail>,
    ipv6: Table<Ipv6Addr>,
}

/// A dataset's profiles in number order, without their lookup tables: what
/// [`Profiles::absorb`] reads.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ProfileItems {
    whos: Vec<WhoProfile>,
    clients: Vec<ClientProfile>,
    apps: Vec<AppProfile>,
    places: Vec<PlaceProfile>,
    auths: Vec<AuthProfile>,
    audits: Vec<AuditDetail>,
    ipv6: Vec<Ipv6Addr>,
}

impl Default for Profiles {
    fn default() -> Self {
        let mut p = Profiles {
            whos: Table::default(),
            clients: Table::default(),
            apps: Table::default(),
            places: Table::default(),
            auths: Table::default(),
            audits: Table::default(),
            ipv6: Table::default(),
        };
        // Number 0 of each profile is the empty one, so `Event`s of a fresh dataset are valid.
        p.whos.intern(WhoProfile::default());
        p.clients.intern(ClientProfile::default());
        p.apps.intern(AppProfile::default());
        p.places.intern(PlaceProfile::default());
        p.auths.intern(AuthProfile::default());
        p
    }
}

impl Profiles {
    /// Packs an event, interning its profiles.
    pub(crate) fn pack(&mut self, f: EventFields) -> Event {
        let who = self.whos.intern(WhoProfile { user_object_id: f.user_object_id, upn: f.upn });
        let client = self.clients.intern(ClientProfile {
            user_agent: f.user_agent,
            browser: f.browser,
            os: f.os,
            device_id: f.device_id,
            client_app: f.client_app,
            incoming_token_type: f.incoming_token_type,
            compliant: f.compliant,
            managed: f.managed,
        });
        let app = self.apps.intern(AppProfile {
            app_id: f.app_id,
            app_name: f.app_name,
            resource: f.resource,
        });
        let place = self.places.intern(PlaceProfile { asn: f.asn, location: f.location });
        let auth = self.auths.intern(AuthProfile {
            error_code: f.error_code,
            risk_level: f.risk_level,
            risk_event_types: f.risk_event_types,
            auth_requirement: f.auth_requirement,
            mfa_detail: f.mfa_detail,
            auth_protocol: f.auth_protocol,
            transfer_method: f.transfer_method,
        });
        let (ip_kind, ip_num) = match f.ip {
            None => (0, 0),
            Some(IpAddr::V4(v4)) => (1, u32::from(v4)),
            Some(IpAddr::V6(v6)) => (2, self.ipv6.intern(v6)),
        };
        let audit_num = match f.audit {
            None => 0,
            Some(mut detail) => {
                detail.parameters.shrink_to_fit();
                detail.forward_to.shrink_to_fit();
                self.audits.intern(detail).saturating_add(1)
            }
        };
        Event {
            time: f.time,
            user: f.user,
            session_id: f.session_id,
            unique_token_id: f.unique_token_id,
            request_id: f.request_id,
            correlation_id: f.correlation_id,
            source: f.source,
            who,
            client,
            app,
            place,
            auth,
            ip_num,
            audit_num,
            kind: f.kind,
            outcome: f.outcome,
            ip_kind,
        }
    }

    /// Every field of `e`.
    pub(crate) fn fields(&self, e: &Event) -> EventFields {
        let c = self.client(e);
        let a = self.app(e);
        let p = self.place(e);
        let h = self.auth(e);
        let w = self.who(e);
        EventFields {
            time: e.time,
            kind: e.kind,
            user: e.user,
            user_object_id: w.user_object_id,
            upn: w.upn,
            ip: self.ip(e),
            asn: p.asn,
            location: p.location,
            user_agent: c.user_agent,
            browser: c.browser,
            os: c.os,
            device_id: c.device_id,
            compliant: c.compliant,
            managed: c.managed,
            app_id: a.app_id,
            app_name: a.app_name,
            resource: a.resource,
            client_app: c.client_app,
            session_id: e.session_id,
            unique_token_id: e.unique_token_id,
            request_id: e.request_id,
            correlation_id: e.correlation_id,
            outcome: e.outcome,
            error_code: h.error_code,
            risk_level: h.risk_level,
            risk_event_types: h.risk_event_types,
            auth_requirement: h.auth_requirement,
            mfa_detail: h.mfa_detail,
            incoming_token_type: c.incoming_token_type,
            auth_protocol: h.auth_protocol,
            transfer_method: h.transfer_method,
            audit: self.audit(e).cloned(),
            source: e.source,
        }
    }

    pub(crate) fn who(&self, e: &Event) -> &WhoProfile {
        self.whos.get(e.who)
    }

    pub(crate) fn client(&self, e: &Event) -> &ClientProfile {
        self.clients.get(e.client)
    }

    pub(crate) fn app(&self, e: &Event) -> &AppProfile {
        self.apps.get(e.app)
    }

    pub(crate) fn place(&self, e: &Event) -> &PlaceProfile {
        self.places.get(e.place)
    }

    pub(crate) fn auth(&self, e: &Event) -> &AuthProfile {
        self.auths.get(e.auth)
    }

    pub(crate) fn ip(&self, e: &Event) -> Option<IpAddr> {
        match e.ip_kind {
            1 => Some(IpAddr::V4(Ipv4Addr::from(e.ip_num))),
            2 => Some(IpAddr::V6(*self.ipv6.get(e.ip_num))),
            _ => None,
        }
    }

    pub(crate) fn audit(&self, e: &Event) -> Option<&AuditDetail> {
        e.audit_num.checked_sub(1).map(|i| self.audits.get(i))
    }

    /// Replaces the MFA detail of `e` (the authentication-details join).
    pub(crate) fn set_mfa_detail(&mut self, e: &mut Event, detail: Sym) {
        let auth = AuthProfile { mfa_detail: detail, ..self.auth(e).clone() };
        e.auth = self.auths.intern(auth);
    }

    /// Interns every profile, audit detail and IPv6 address of `other` (whose strings map to
    /// `self`'s through `syms`, from [`Interner::absorb`]) in its order, and returns the
    /// renumbering of `other`'s events.
    pub(crate) fn absorb(&mut self, other: ProfileItems, syms: Vec<Sym>) -> Renumber {
        let s = |x: Sym| syms[x.0 as usize];
        let whos = other
            .whos
            .into_iter()
            .map(|w| {
                self.whos.intern(WhoProfile { user_object_id: s(w.user_object_id), upn: s(w.upn) })
            })
            .collect();
        let clients = other
            .clients
            .into_iter()
            .map(|c| {
                self.clients.intern(ClientProfile {
                    user_agent: s(c.user_agent),
                    browser: s(c.browser),
                    os: s(c.os),
                    device_id: s(c.device_id),
                    client_app: s(c.client_app),
                    incoming_token_type: s(c.incoming_token_type),
                    ..c
                })
            })
            .collect();
        let apps = other
            .apps
            .into_iter()
            .map(|a| {
                self.apps.intern(AppProfile {
                    app_id: s(a.app_id),
                    app_name: s(a.app_name),
                    resource: s(a.resource),
                })
            })
            .collect();
        let places = other
            .places
            .into_iter()
            .map(|p| {
                let l = p.location;
                let location =
                    Location { country: s(l.country), state: s(l.state), city: s(l.city), ..l };
                self.places.intern(PlaceProfile { location, ..p })
            })
            .collect();
        let auths = other
            .auths
            .into_iter()
            .map(|a| {
                self.auths.intern(AuthProfile {
                    risk_event_types: s(a.risk_event_types),
                    mfa_detail: s(a.mfa_detail),
                    auth_protocol: s(a.auth_protocol),
                    transfer_method: s(a.transfer_method),
                    ..a
                })
            })
            .collect();
        let audits = other
            .audits
            .into_iter()
            .map(|a| {
                self.audits.intern(AuditDetail {
                    operation: s(a.operation),
                    workload: s(a.workload),
                    client_info: s(a.client_info),
                    parameters: a.parameters.iter().map(|&(k, v)| (s(k), s(v))).collect(),
                    forward_to: a.forward_to.iter().map(|&f| s(f)).collect(),
                    target_user: s(a.target_user),
                })
            })
            .collect();
        let ipv6 = other.ipv6.into_iter().map(|ip| self.ipv6.intern(ip)).collect();
        Renumber { syms, whos, clients, apps, places, auths, audits, ipv6 }
    }

    /// The profiles as plain data, in number order, without their lookup tables.
    pub(crate) fn into_items(self) -> ProfileItems {
        ProfileItems {
            whos: self.whos.items,
            clients: self.clients.items,
            apps: self.apps.items,
            places: self.places.items,
            auths: self.auths.items,
            audits: self.audits.items,
            ipv6: self.ipv6.items,
        }
    }

    /// Heap bytes of every profile, audit detail and IPv6 address and of their lookup tables.
    pub(crate) fn heap_bytes(&self) -> usize {
        let detail = |a: &AuditDetail| {
            a.parameters.capacity() * std::mem::size_of::<(Sym, Sym)>()
                + a.forward_to.capacity() * std::mem::size_of::<Sym>()
        };
        self.whos.heap_bytes(|_| 0)
            + self.clients.heap_bytes(|_| 0)
            + self.apps.heap_bytes(|_| 0)
            + self.places.heap_bytes(|_| 0)
            + self.auths.heap_bytes(|_| 0)
            + self.audits.heap_bytes(detail)
            + self.ipv6.heap_bytes(|_| 0)
    }

    /// Numbers of distinct who, client, app, place and auth profiles, audit details, IPv6
    /// addresses.
    pub(crate) fn counts(&self) -> [usize; 7] {
        [
            self.whos.len(),
            self.clients.len(),
            self.apps.len(),
            self.places.len(),
            self.auths.len(),
            self.audits.len(),
            self.ipv6.len(),
        ]
    }
}

/// How the strings, profiles, audit details and IPv6 addresses of one dataset are numbered in
/// another that absorbed them ([`Profiles::absorb`]).
#[derive(Debug)]
pub(crate) struct Renumber {
    syms: Vec<Sym>,
    whos: Vec<u32>,
    clients: Vec<u32>,
    apps: Vec<u32>,
    places: Vec<u32>,
    auths: Vec<u32>,
    audits: Vec<u32>,
    ipv6: Vec<u32>,
}

impl Renumber {
    /// The event as the absorbing dataset numbers it (its source is kept).
    pub(crate) fn event(&self, e: &Event) -> Event {
        let s = |x: Sym| self.syms[x.0 as usize];
        Event {
            user: s(e.user),
            session_id: e.session_id.map_sym(s),
            unique_token_id: e.unique_token_id.map_sym(s),
            request_id: e.request_id.map_sym(s),
            correlation_id: e.correlation_id.map_sym(s),
            who: self.whos[e.who as usize],
            client: self.clients[e.client as usize],
            app: self.apps[e.app as usize],
            place: self.places[e.place as usize],
            auth: self.auths[e.auth as usize],
            ip_num: if e.ip_kind == 2 { self.ipv6[e.ip_num as usize] } else { e.ip_num },
            audit_num: match e.audit_num.checked_sub(1) {
                Some(i) => self.audits[i as usize] + 1,
                None => 0,
            },
            ..*e
        }
    }
}

/// What an audit operation did, as far as AiTM hunting cares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuditDetail {
    /// Operation as logged (`New-InboxRule`, `MailItemsAccessed`, `Update user.`, …).
    pub operation: Sym,
    /// Workload (`Exchange`, `AzureActiveDirectory`, `SharePoint`, …).
    pub workload: Sym,
    /// `ClientInfoString` / client, e.g. `Client=OWA;Action=ViaProxy`.
    pub client_info: Sym,
    /// Name/Value parameters in log order (`Parameters`, `OperationProperties`,
    /// `ModifiedProperties` as `Name=NewValue`), keeping only the names that matter.
    pub parameters: Vec<(Sym, Sym)>,
    /// External addresses mail is forwarded or redirected to (inbox rules, mailbox forwarding).
    pub forward_to: Vec<Sym>,
    /// The target of the operation when it is a user (e.g. the user whose sessions were revoked).
    pub target_user: Sym,
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time comparison (wasm32's) agrees with `==` on every length and on a
        /// difference at any position.
        #[test]
        fn eq_by_words_is_equality(
            a in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            flip in proptest::option::of((0usize..40, 1u8..=255)),
            cut in proptest::option::of(0usize..40),
        ) {
            let mut b = a.clone();
            if let Some((i, x)) = flip && i < b.len() {
                b[i] ^= x;
            }
            if let Some(n) = cut && n < b.len() {
                b.truncate(n);
            }
            proptest::prop_assert_eq!(eq_by_words(&a, &b), a == b);
            proptest::prop_assert!(eq_by_words(&a, &a));
        }
    }

    /// Texts shaped like ids, and near misses of each shape.
    fn id_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9a-fG]{4}-[0-9a-f]{4}-[0-9a-f]{11,13}",
            "[0-9a-f-]{36}",
            "[A-Za-z0-9_-]{21}[AQgw]",
            "[A-Za-z0-9_=+/-]{20,23}",
            ".{0,40}",
        ]
    }

    proptest::proptest! {
        /// An id gives its text back, and two ids are equal exactly when their texts are; the
        /// text order agrees with the texts'.
        #[test]
        fn ids_are_exact(a in id_like(), b in id_like()) {
            let mut st = Interner::default();
            let (x, y) = (st.id(&a), st.id(&b));
            proptest::prop_assert_eq!(&*st.id_text(x), a.as_str());
            proptest::prop_assert_eq!(&*st.id_text(y), b.as_str());
            proptest::prop_assert_eq!(x == y, a == b);
            proptest::prop_assert_eq!(st.cmp_ids(x, y), a.cmp(&b));
            // Asking again numbers nothing new and gives the same id.
            let strings = st.len();
            proptest::prop_assert_eq!(st.id(&a), x);
            proptest::prop_assert_eq!(st.len(), strings);
        }
    }

    #[test]
    fn ids_of_the_usual_shapes_are_not_interned() {
        let mut st = Interner::default();
        let guid = st.id("5d1c2b3a-0000-4000-8000-00000000abcd");
        let token = st.id("Bz1hOI89WU2reqpL121fAA");
        assert_eq!(st.len(), 1, "only the empty string is interned");
        assert_eq!(guid.form, IdForm::Guid);
        assert_eq!(token.form, IdForm::Token);
        // Upper case, braces, stray bits in a token's last character: kept as text.
        for text in [
            "5D1C2B3A-0000-4000-8000-00000000ABCD",
            "{5d1c2b3a-0000-4000-8000-00000000abcd}",
            "Bz1hOI89WU2reqpL121fAB",
        ] {
            let id = st.id(text);
            assert_eq!(id.form, IdForm::Text, "{text}");
            assert_eq!(&*st.id_text(id), text);
        }
        assert_eq!(st.id(""), Id::NONE);
    }

    fn sign_in(st: &mut Interner, ip: &str, ua: &str, line: u32) -> EventFields {
        let mut e = EventFields::empty(
            EventKind::NonInteractive,
            1_772_442_000_123,
            SourceRef { file: 1, line },
        );
        e.user = st.intern("alice@example.com");
        e.user_object_id = st.intern("6f0c1b2a-1111-4222-8333-444455556666");
        e.upn = st.intern("Alice@Example.com");
        e.ip = ip.parse().ok();
        e.asn = 64496;
        e.location = Location {
            country: st.intern("NL"),
            state: st.intern("Noord-Holland"),
            city: st.intern("Amsterdam"),
            coordinates: Some((52.37, -4.89)),
        };
        e.user_agent = st.intern(ua);
        e.browser = st.intern("Edge 122.0.0");
        e.os = st.intern("Windows10");
        e.device_id = st.intern("d3v1ce");
        e.compliant = true;
        e.managed = false;
        e.app_id = st.intern("4765445b-32c6-49b0-83e6-1d93765276ca");
        e.app_name = st.intern("OfficeHome");
        e.resource = st.intern("Office 365 Exchange Online");
        e.client_app = st.intern("Browser");
        e.session_id = st.id("5d1c2b3a-0000-4000-8000-00000000abcd");
        e.unique_token_id = st.id(&format!("uti{line}"));
        e.request_id = st.id(&format!("req{line}"));
        e.correlation_id = st.id("c0ffee");
        e.outcome = Outcome::Failure;
        e.error_code = 50126;
        e.risk_level = RiskLevel::Medium;
        e.risk_event_types = st.intern("anomalousToken");
        e.auth_requirement = AuthRequirement::MultiFactor;
        e.mfa_detail = st.intern("MFA requirement satisfied by claim in the token");
        e.incoming_token_type = st.intern("primaryRefreshToken");
        e.auth_protocol = st.intern("deviceCode");
        e.transfer_method = st.intern("deviceCodeFlow");
        e
    }

    #[test]
    fn the_event_is_120_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 120);
    }

    #[test]
    fn packing_keeps_every_field() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        for (i, ip) in ["203.0.113.50", "2001:db8::77", "", "::ffff:192.0.2.1"].iter().enumerate() {
            let f = sign_in(&mut st, ip, "Mozilla/5.0", i as u32 + 2);
            let e = p.pack(f.clone());
            assert_eq!(p.fields(&e), f, "{ip:?}");
            assert_eq!(p.ip(&e), f.ip);
        }
        let mut audit = EventFields::empty(EventKind::Audit, 7, SourceRef { file: 0, line: 9 });
        audit.user = st.intern("bob@example.com");
        audit.audit = Some(AuditDetail {
            operation: st.intern("New-InboxRule"),
            workload: st.intern("Exchange"),
            parameters: vec![(st.intern("ForwardTo"), st.intern("drop@example.net"))],
            forward_to: vec![st.intern("drop@example.net")],
            ..AuditDetail::default()
        });
        let e = p.pack(audit.clone());
        assert_eq!(p.fields(&e), audit);
        // An audit detail with every field empty is still a detail, not "no detail".
        let mut bare = EventFields::empty(EventKind::Audit, 8, SourceRef::default());
        bare.audit = Some(AuditDetail::default());
        let e = p.pack(bare.clone());
        assert_eq!(p.audit(&e), Some(&AuditDetail::default()));
        assert_eq!(p.fields(&e), bare);
    }

    #[test]
    fn repeated_groups_are_stored_once() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        let a = p.pack(sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2));
        let b = p.pack(sign_in(&mut st, "203.0.113.51", "Mozilla/5.0", 3));
        let c = p.pack(sign_in(&mut st, "203.0.113.51", "curl/8.5", 4));
        assert_eq!(
            (a.who, a.client, a.app, a.place, a.auth),
            (b.who, b.client, b.app, b.place, b.auth)
        );
        assert_ne!(b.client, c.client);
        assert_eq!((b.who, b.app, b.place, b.auth), (c.who, c.app, c.place, c.auth));
        // The empty profile of each kind, plus one who, app, place and auth and two clients.
        assert_eq!(p.counts(), [2, 3, 2, 2, 2, 0, 0]);
        // Same content, other row: equal but for the source.
        let d = p.pack(sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2));
        let moved = p.pack(EventFields { source: SourceRef { file: 9, line: 9 }, ..p.fields(&d) });
        assert_eq!(d, a);
        assert_ne!(moved, a);
        assert_eq!(moved.content(), a.content());
    }

    #[test]
    fn coordinates_compare_by_bits() {
        let at = |lat: f32| PlaceProfile {
            asn: 1,
            location: Location { coordinates: Some((lat, 0.0)), ..Location::default() },
        };
        assert_eq!(at(1.5), at(1.5));
        assert_ne!(at(0.0), at(-0.0));
        let mut t = Table::default();
        assert_ne!(t.intern(at(0.0)), t.intern(at(-0.0)));
        assert_eq!(t.intern(at(0.0)), 0);
    }

    #[test]
    fn joined_mfa_detail_changes_only_the_auth_profile() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        let mut f = sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2);
        f.mfa_detail = Sym::EMPTY;
        let mut e = p.pack(f.clone());
        let before = e;
        let detail = st.intern("MFA completed in Azure AD");
        p.set_mfa_detail(&mut e, detail);
        assert_eq!(p.fields(&e), EventFields { mfa_detail: detail, ..f });
        assert_eq!(Event { auth: before.auth, ..e }, before);
    }
}
