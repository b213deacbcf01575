//! The [`Dataset`]: every event loaded so far, their strings and profiles, per-file accounting,
//! and the indexes ingestion keeps across files (duplicates, authentication details).

use std::collections::HashMap;
use std::net::IpAddr;

use hashbrown::HashTable;

use super::{FileIngest, columns, pipeline, signin, ual_signins};
use crate::model::{
    AppProfile, AuditDetail, AuthProfile, ClientProfile, Event, EventFields, Id, Interner,
    PlaceProfile, Profiles, Sym, WhoProfile, hash_of, table_bytes,
};
use crate::report::{Diagnostic, InputSummary};

/// Everything loaded so far: the events of every file, their strings, and per-file accounting.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Interned strings of every event.
    pub strings: Interner,
    /// Events of every file, in load order (rules sort what they need). Their profiles, IPs and
    /// audit details are read through the dataset ([`Dataset::client`], [`Dataset::ip`], …).
    pub events: Vec<Event>,
    /// One summary per file, in load order; `SourceRef::file` indexes this.
    pub files: Vec<InputSummary>,
    /// Row-level problems of every file (capped per file).
    pub diagnostics: Vec<Diagnostic>,
    /// The IP → ASN / country databases among the inputs (one table per file; not events).
    pub ipdb: crate::enrich::ipdb::IpDb,
    pub(super) profiles: Profiles,
    pub(super) state: State,
}

/// Cross-file ingestion state: the duplicate index and the authentication-details join.
#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) aliases: columns::Aliases,
    pub(super) strs: signin::Strs,
    /// Duplicate index: events with a request id, hashed by [`DedupeSlot::key`]; the whole
    /// content (or, for sign-ins, the request id and user, see [`same_sign_in`]) is compared on
    /// the event itself.
    pub(super) dedupe: HashTable<DedupeSlot>,
    /// Request id → (result detail, file, line) from authentication-details CSVs.
    pub(super) auth: HashMap<Id, (Sym, u32, u64)>,
    /// The dataset of a [`Part`]: every event is kept, and duplicates are settled when the part
    /// is joined, against everything read before it.
    pub(super) part: bool,
}

/// One entry of the duplicate index: 8 bytes.
#[derive(Copy, Clone, Debug)]
pub(super) struct DedupeSlot {
    /// [`DedupeSlot::key`] of the event.
    pub(super) hash: u32,
    /// Index in `Dataset::events`.
    pub(super) event: u32,
}

impl DedupeSlot {
    /// The 32-bit hash of an event's request id, time, user and kind: copies (equal content)
    /// hash alike, and those four tell nearly all events apart, so hashing them is enough and
    /// cheaper than hashing all 120 bytes (5% of ingest in wasm, measured).
    ///
    /// A user sign-in hashes its request id and user only: a Unified Audit Log copy of an Entra
    /// sign-in carries the same two but may differ in time (seconds apart, UNCONFIRMED) and kind
    /// (read from `RequestType`), and must land on the same key to be found ([`same_sign_in`]).
    /// A request id is one sign-in request, so the few events that share both are the copies
    /// the portal and Log Analytics publish of one sign-in (risk re-publish, CA splitting).
    pub(super) fn key(e: &Event) -> u32 {
        // The high half of a 64-bit hash; the truncation is the point.
        let hash = if e.kind.is_user_sign_in() {
            hash_of(&(e.request_id, e.user))
        } else {
            hash_of(&(e.request_id, e.time, e.user, e.kind))
        };
        (hash >> 32) as u32
    }

    /// The table hash of a key: hashbrown picks the bucket from the low bits and the control
    /// byte from the top 7, so the 32 bits go to both ends.
    pub(super) fn spread(key: u32) -> u64 {
        u64::from(key) | (u64::from(key) << 32)
    }

    pub(super) fn hash(&self) -> u64 {
        DedupeSlot::spread(self.hash)
    }
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Dataset {
        Dataset::default()
    }

    /// Starts reading a file. `size` is its length in bytes when known (for progress).
    pub fn begin_file(&mut self, name: &str, size: Option<u64>) -> FileIngest<'_> {
        let index = self.add_summary(name);
        let pipe = pipeline::Pipeline::new(index, name, 0);
        FileIngest { dataset: self, index, consumed: 0, size, pipe, sample: Some(None) }
    }

    /// Reads a whole file that is already in memory.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) -> &InputSummary {
        let mut ingest = self.begin_file(name, Some(bytes.len() as u64));
        ingest.push(bytes);
        let index = ingest.finish();
        &self.files[index]
    }

    /// Approximate resident bytes that grow with the number of events: the event vector (spare
    /// capacity included), the duplicate index and the authentication-details join, excluding
    /// the unique strings (see [`Interner::heap_bytes`]) and the distinct profiles, audit
    /// details and IPv6 addresses (see [`Dataset::shared_bytes`]).
    pub fn event_heap_bytes(&self) -> usize {
        self.events.capacity() * std::mem::size_of::<Event>()
            + table_bytes(self.state.dedupe.capacity(), std::mem::size_of::<DedupeSlot>())
            + table_bytes(self.state.auth.capacity(), std::mem::size_of::<(Sym, (Sym, u32, u64))>())
    }

    /// Approximate heap bytes of the distinct who, client, app, place and auth profiles, audit
    /// details and IPv6 addresses (each stored once and shared by the events that refer to it)
    /// and of their lookup tables. Like the unique strings, this grows with the variety of the
    /// data rather than with the number of events.
    pub fn shared_bytes(&self) -> usize {
        self.profiles.heap_bytes()
    }

    /// Numbers of distinct who, client, app, place and auth profiles, audit details and IPv6
    /// addresses (for the memory figures).
    pub fn shared_counts(&self) -> [usize; 7] {
        self.profiles.counts()
    }

    /// The object id and the UPN as logged of an event.
    pub fn who(&self, e: &Event) -> &WhoProfile {
        self.profiles.who(e)
    }

    /// The device and client of an event.
    pub fn client(&self, e: &Event) -> &ClientProfile {
        self.profiles.client(e)
    }

    /// The application and resource of an event.
    pub fn app(&self, e: &Event) -> &AppProfile {
        self.profiles.app(e)
    }

    /// The network (ASN) and location of an event.
    pub fn place(&self, e: &Event) -> &PlaceProfile {
        self.profiles.place(e)
    }

    /// The error code, risk, authentication requirement and MFA detail of an event.
    pub fn auth(&self, e: &Event) -> &AuthProfile {
        self.profiles.auth(e)
    }

    /// The client IP of an event.
    pub fn ip(&self, e: &Event) -> Option<IpAddr> {
        self.profiles.ip(e)
    }

    /// The audit detail of an audit event, or of a sign-in read from the Unified Audit Log
    /// ([`Event::is_ual_sign_in`]); `None` for other sign-ins.
    pub fn audit(&self, e: &Event) -> Option<&AuditDetail> {
        self.profiles.audit(e)
    }

    /// Coverage sentences for sign-ins known only from the Unified Audit Log: what it cannot show
    /// (no ASN, country or city; refresh-token redemptions that never reach it). Empty when no
    /// such sign-in is loaded. Deterministic (counts only). See docs/formats-ual-sign-ins.md.
    pub fn ual_sign_in_coverage(&self) -> Vec<String> {
        ual_signins::ual_sign_in_coverage(self)
    }

    /// Every field of an event, flat (a copy).
    pub fn fields(&self, e: &Event) -> EventFields {
        self.profiles.fields(e)
    }

    /// Packs an event's fields into the compact form this dataset stores, interning its
    /// profiles (the event is not added).
    pub(crate) fn pack(&mut self, fields: EventFields) -> Event {
        self.profiles.pack(fields)
    }

    pub(super) fn add_summary(&mut self, name: &str) -> usize {
        self.files.push(InputSummary {
            name: name.to_owned(),
            format: "unknown".to_owned(),
            ..InputSummary::default()
        });
        self.files.len() - 1
    }
}
