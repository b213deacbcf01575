//! Compactness bars: regressions in the event's size or in the resident bytes per event fail here.

#[path = "../benches/shapes/mod.rs"]
mod shapes;

use sessionhunt::model::Event;

/// The event struct itself: what varies per event; repeated groups are interned profiles.
/// 120 since session, request, correlation and token ids are kept in the event as 16 bytes each
/// when they are GUIDs or base64url tokens (nearly always) instead of as interned text: the
/// event grew by 48 bytes, and the unique strings shrank by about 130 bytes per event.
const MAX_EVENT_SIZE: usize = 120;

/// Resident bytes per event beyond unique data (event vector, duplicate index, auth join).
/// Measured at 5000 rows: 134.7 (120 for the event, the rest the duplicate index, whose share
/// moves between about 10 and 21 bytes with its load factor).
const MAX_SIGN_IN_BYTES: f64 = 136.0;
const MAX_AUDIT_BYTES: f64 = 136.0;

/// Unique strings per event. The generated shapes' ids are GUIDs and tokens, which are not
/// interned; what is left is users, object ids and the like, and at 5000 rows the interner's
/// first text chunks and table. Measured: 21–53 at 5000 rows, 3–16 at 100,000 (139–146 at
/// 100,000 when every id was interned text).
const MAX_STRING_BYTES: f64 = 64.0;

/// Distinct profiles, audit details and IPv6 addresses: the generated shapes repeat a handful,
/// besides the who profiles (below).
const MAX_SHARED_BYTES: f64 = 1.0;

/// Bytes of one who profile (object id and UPN as logged): 8, and its slot in the lookup table,
/// with the vector's and the table's power-of-two growth (measured: 18.4 for 2001 profiles).
/// There is one per user and spelling of the UPN, like the users' unique strings: the generated
/// shapes have 2000 users in 5000 rows, which makes 7.4 B/event.
const MAX_WHO_BYTES: f64 = 20.0;

/// Resident bytes per event beyond unique data, and of distinct profiles less the who
/// profiles' allowance.
fn per_event(name: &str, data: &[u8], rows: usize) -> (f64, f64) {
    let ds = shapes::ingest(name, data);
    assert_eq!(ds.events.len(), rows, "{:?}", ds.files[0]);
    let n = rows as f64;
    let strings = ds.strings.heap_bytes() as f64 / n;
    assert!(strings <= MAX_STRING_BYTES, "{name}: {strings:.1} B/event of unique strings");
    let whos = ds.shared_counts()[0];
    assert!(whos <= 2001, "{name}: {whos} who profiles for 2000 users and the empty one");
    let shared = (ds.shared_bytes() as f64 - whos as f64 * MAX_WHO_BYTES).max(0.0);
    (ds.event_heap_bytes() as f64 / n, shared / n)
}

#[test]
fn event_struct_stays_small() {
    assert!(std::mem::size_of::<Event>() <= MAX_EVENT_SIZE, "{}", std::mem::size_of::<Event>());
}

#[test]
fn portal_csv_sign_ins_stay_compact() {
    let rows = 5000;
    let (b, shared) = per_event("InteractiveSignIns.csv", &shapes::portal_csv(rows), rows);
    assert!(b <= MAX_SIGN_IN_BYTES, "{b:.1} B/event");
    assert!(shared <= MAX_SHARED_BYTES, "{shared:.1} B/event of distinct profiles");
}

#[test]
fn graph_json_sign_ins_stay_compact() {
    let rows = 5000;
    let (b, shared) = per_event("signins.json", &shapes::graph_json(rows), rows);
    assert!(b <= MAX_SIGN_IN_BYTES, "{b:.1} B/event");
    assert!(shared <= MAX_SHARED_BYTES, "{shared:.1} B/event of distinct profiles");
}

#[test]
fn audit_events_share_their_details() {
    let rows = 5000;
    let (b, shared) = per_event("purview.csv", &shapes::ual_csv(rows), rows);
    assert!(b <= MAX_AUDIT_BYTES, "{b:.1} B/event");
    // The generated records repeat a handful of distinct details.
    assert!(shared <= MAX_SHARED_BYTES, "{shared:.1} B/event of distinct audit details");
}
