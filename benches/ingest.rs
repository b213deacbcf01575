//! Ingestion throughput on generated 100k-row inputs of the three main shapes: the portal
//! sign-in CSV, Graph beta `signIn` JSON and the Purview UAL CSV. Run `cargo bench --bench
//! ingest`; it also prints the resident bytes per event.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "shapes/mod.rs"]
mod shapes;
use shapes::ingest;

const ROWS: usize = 100_000;

fn bench(c: &mut Criterion) {
    let inputs = [
        ("portal_csv", "InteractiveSignIns.csv", shapes::portal_csv(ROWS)),
        ("graph_json", "signins.json", shapes::graph_json(ROWS)),
        ("ual_csv", "purview.csv", shapes::ual_csv(ROWS)),
    ];
    for (id, name, data) in &inputs {
        let ds = ingest(name, data);
        let events = ds.events.len();
        assert_eq!(ds.files[0].events as usize, events, "{:?}", ds.files[0]);
        assert_eq!(events, ROWS, "{:?}", ds.files[0]);
        println!(
            "{id}: {:.1} MB, {events} events, size_of::<Event>() = {} B, resident {:.1} B/event beyond unique data ({:.1} B/event for the unique strings, {:.1} B/event for the distinct profiles, audit details and IPv6 addresses)",
            data.len() as f64 / 1e6,
            std::mem::size_of::<sessionhunt::model::Event>(),
            ds.event_heap_bytes() as f64 / events as f64,
            ds.strings.heap_bytes() as f64 / events as f64,
            ds.shared_bytes() as f64 / events as f64,
        );
        let mut g = c.benchmark_group("ingest");
        g.sample_size(10);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(*id, |b| b.iter(|| black_box(ingest(name, data)).events.len()));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
