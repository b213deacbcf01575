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
//! This file holds the event itself and its enums; its parts hold the rest:
//! - [`id`]: the 16-byte session / request / token id and its text codec;
//! - [`interner`]: strings stored once, handed out as [`Sym`]s;
//! - [`table`]: the numbered value table the profiles are stored in;
//! - [`profiles`]: the groups of fields events refer to by number, and packing an
//!   [`EventFields`] into an [`Event`].
//!
//! The report ([`crate::report::Report`]) is the output's boundary type. Model types are
//! serialized only between the parts of one analysis (a large file read in parts, by other wasm
//! instances or threads, whose events, strings and profiles are absorbed into one dataset), never
//! into output.

use std::net::IpAddr;

pub mod id;
pub mod interner;
pub(crate) mod profiles;
pub(crate) mod table;

pub use id::{Id, IdText};
pub(crate) use interner::Texts;
pub use interner::{Interner, Sym};
pub use profiles::{AppProfile, AuditDetail, AuthProfile, ClientProfile, PlaceProfile, WhoProfile};
pub(crate) use profiles::{ProfileItems, Profiles};
pub(crate) use table::{Table, hash_of, same_bytes, table_bytes};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

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

    /// This kind's position in [`EventKind::ALL`]: the one index of per-kind counts.
    pub fn index(self) -> usize {
        match self {
            EventKind::Interactive => 0,
            EventKind::NonInteractive => 1,
            EventKind::ServicePrincipal => 2,
            EventKind::ManagedIdentity => 3,
            EventKind::Audit => 4,
        }
    }

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
    /// The application's owner tenant (`appOwnerTenantId`), as logged; Microsoft's own
    /// first-party apps are owned by `f8cdef31-a31e-4b4a-93e4-5f571e91255a`.
    pub app_owner_tenant: Sym,
    /// The Conditional Access policies that enforce MFA as a grant control but were `notApplied`
    /// to the sign-in (`appliedConditionalAccessPolicies`), their names joined by `; `; empty when
    /// none or when the export keeps no policy detail.
    pub ca_mfa_not_applied: Sym,
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
            app_owner_tenant: Sym::EMPTY,
            ca_mfa_not_applied: Sym::EMPTY,
            audit: None,
            source,
        }
    }

    /// True for a successful sign-in (the hunts' `ResultType == 0`).
    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_indexes_its_place_in_all() {
        for (i, kind) in EventKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i, "{kind:?}");
        }
    }
}
