//! The normalized event model: what every reader produces and every rule consumes.
//!
//! One [`Event`] per sign-in or audit operation, whatever export it came from. Repeated strings
//! (users, user agents, app names, session ids, …) are interned once per dataset in an
//! [`Interner`] and referred to by a 4-byte [`Sym`], which keeps an event compact: multi-gigabyte
//! exports must fit in a browser tab's 4 GB of wasm memory.
//!
//! These types are internal: they are not serialized. The boundary type is [`crate::report::Report`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// An interned string. `Sym::EMPTY` stands for "absent".
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// Stores each distinct string once; hands out [`Sym`]s in first-seen order, so the same input
/// always gives the same symbols.
#[derive(Debug)]
pub struct Interner {
    // Keys are the same strings as in `strings`; a second copy keeps this simple and safe. The
    // memory cost is measured by `heap_bytes` and reported by the ingestion benchmark.
    map: HashMap<Box<str>, Sym>,
    strings: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner { map: HashMap::new(), strings: Vec::new() };
        interner.strings.push("".into());
        interner.map.insert("".into(), Sym::EMPTY);
        interner
    }
}

impl Interner {
    /// Returns the symbol of `s`, adding it when new. Surrounding whitespace is kept: callers trim.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(u32::try_from(self.strings.len()).expect("fewer than 2^32 distinct strings"));
        self.strings.push(s.into());
        self.map.insert(s.into(), sym);
        sym
    }

    /// Returns the symbol of `s` if it was interned before.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The string behind a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }

    /// Number of distinct strings, the empty one included.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when only the empty string is stored.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }

    /// Approximate heap bytes used by the unique strings and the lookup table.
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.strings.iter().map(|s| s.len()).sum();
        // Two copies of the text, a fat pointer per entry in the vector and the map, plus the
        // map's per-entry overhead (key, value, control byte).
        2 * text + self.strings.capacity() * 16 + self.map.capacity() * (16 + 4 + 1)
    }
}

/// What kind of log row an event came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
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

/// Entra risk level of a sign-in (during sign-in or aggregated, whichever is higher).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// `authenticationRequirement` of a sign-in.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthRequirement {
    /// Not stated.
    #[default]
    Unknown,
    /// `singleFactorAuthentication`.
    SingleFactor,
    /// `multiFactorAuthentication`.
    MultiFactor,
}

/// Where an event came from: the file (index into the dataset's files) and the 1-based line.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRef {
    /// Index of the input file in [`crate::ingest::Dataset::files`].
    pub file: u32,
    /// 1-based line where the row starts.
    pub line: u32,
}

/// Geographic location as the log reports it (the product does no IP geolocation of its own).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
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

/// One normalized sign-in or audit operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Event time (sign-in creation time, audit `CreationTime`), UTC milliseconds.
    pub time: Millis,
    /// What log it came from.
    pub kind: EventKind,
    /// The user: lower-cased UPN, else the object id.
    pub user: Sym,
    /// The user's object id (`oid`), when logged.
    pub user_object_id: Sym,
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
    pub session_id: Sym,
    /// Unique token identifier (`uti` claim) as logged.
    pub unique_token_id: Sym,
    /// Sign-in request id (`id`), lower case. For audit rows: the record id.
    pub request_id: Sym,
    /// Correlation id, lower case.
    pub correlation_id: Sym,
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
    /// Audit details; `None` for sign-ins. Identical details are stored once per dataset and
    /// shared (many operations repeat the same operation, workload, client and parameters).
    pub audit: Option<Arc<AuditDetail>>,
    /// Where the row is.
    pub source: SourceRef,
}

impl Event {
    /// An event with every field absent, for readers to fill in.
    pub fn empty(kind: EventKind, time: Millis, source: SourceRef) -> Event {
        Event {
            time,
            kind,
            user: Sym::EMPTY,
            user_object_id: Sym::EMPTY,
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
            session_id: Sym::EMPTY,
            unique_token_id: Sym::EMPTY,
            request_id: Sym::EMPTY,
            correlation_id: Sym::EMPTY,
            outcome: Outcome::Unknown,
            error_code: 0,
            risk_level: RiskLevel::None,
            risk_event_types: Sym::EMPTY,
            auth_requirement: AuthRequirement::Unknown,
            mfa_detail: Sym::EMPTY,
            incoming_token_type: Sym::EMPTY,
            audit: None,
            source,
        }
    }

    /// True for a successful sign-in (the hunts' `ResultType == 0`).
    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }
}

/// What an audit operation did, as far as AiTM hunting cares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
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
