//! Resident memory per event (not a timed test): generates the three main input shapes (portal
//! sign-in CSV, Graph beta `signIn` JSON, Purview UAL CSV) with the benchmark's generators, reads
//! each into a dataset and prints `size_of::<Event>()` and the bytes per event that stay
//! resident: beyond the unique data, for the unique strings, and for the distinct profiles, audit
//! details and IPv6 addresses.
//!
//! Then the same for the demo tenant (the variety of real users, at a smaller volume).
//!
//! `cargo run --release --example memory [rows]` (default 100000).

#[path = "../benches/shapes/mod.rs"]
mod shapes;

fn main() {
    let rows = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000usize);
    println!("size_of::<Event>() = {} B", std::mem::size_of::<sessionhunt::model::Event>());
    let inputs = [
        ("portal_csv", "InteractiveSignIns.csv", shapes::portal_csv(rows)),
        ("graph_json", "signins.json", shapes::graph_json(rows)),
        ("ual_csv", "purview.csv", shapes::ual_csv(rows)),
    ];
    for (id, name, data) in &inputs {
        print(id, data.len(), &shapes::ingest(name, data));
    }
    // The demo tenant: fewer events, but the variety of real users (devices, apps, places).
    let mut ds = sessionhunt::ingest::Dataset::new();
    let files = sessionhunt::sim::demo_files();
    for f in &files {
        ds.add_file(&f.name, &f.bytes);
    }
    print("demo_tenant", files.iter().map(|f| f.bytes.len()).sum(), &ds);
}

fn print(id: &str, bytes: usize, ds: &sessionhunt::ingest::Dataset) {
    let n = ds.events.len().max(1) as f64;
    println!(
        "{id}: {:.1} MB, {} events: {:.1} B/event resident beyond unique data, {:.1} B/event unique strings, {:.1} B/event distinct profiles and details (who, client, app, place, auth, audit, IPv6: {:?})",
        bytes as f64 / 1e6,
        ds.events.len(),
        ds.event_heap_bytes() as f64 / n,
        ds.strings.heap_bytes() as f64 / n,
        ds.shared_bytes() as f64 / n,
        ds.shared_counts(),
    );
}
