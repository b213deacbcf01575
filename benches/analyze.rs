//! Ingestion and full analysis (ingest + `analyze`) on generated 100k and 1M sign-ins: the portal
//! sign-in CSV and Graph beta `signIn` JSON, each with a Purview UAL CSV of a tenth as many audit
//! records, plus the UAL alone. Run `cargo bench --bench analyze`; `SESSIONHUNT_BENCH_ROWS=100000`
//! (comma-separated) picks the sizes. Criterion reports time and MB/s; the lines printed before each
//! group give events/s of one timed run and the resident bytes. Peak RSS of the whole process is
//! measured on the CLI by scripts/bench.sh (/usr/bin/time), not here.

// A benchmark reads its sizes from the environment and times one run itself; clippy.toml bans the
// clock and the environment in the library only.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use sessionhunt::ingest::Dataset;
use sessionhunt::{Settings, analyze};

#[path = "shapes/mod.rs"]
mod shapes;

fn sizes() -> Vec<usize> {
    std::env::var("SESSIONHUNT_BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn label(rows: usize) -> String {
    if rows.is_multiple_of(1_000_000) {
        format!("{}M", rows / 1_000_000)
    } else {
        format!("{}k", rows / 1000)
    }
}

/// A benchmark input: its id and its files (name, bytes).
type Tenant = (&'static str, Vec<(&'static str, Vec<u8>)>);

/// Reads every file into one dataset, in 1 MiB chunks (as the CLI does).
fn ingest_all(files: &[(&str, Vec<u8>)]) -> Dataset {
    let mut ds = Dataset::new();
    for (name, data) in files {
        let mut ing = ds.begin_file(name, Some(data.len() as u64));
        for chunk in data.chunks(1 << 20) {
            ing.push(chunk);
        }
        ing.finish();
    }
    ds
}

fn bench(c: &mut Criterion) {
    let settings = Settings::default();
    for rows in sizes() {
        let size = label(rows);
        let ual = shapes::ual_csv(rows / 10);
        let tenants: [Tenant; 3] = [
            (
                "portal_csv+ual",
                vec![
                    ("InteractiveSignIns.csv", shapes::portal_csv(rows)),
                    ("purview.csv", ual.clone()),
                ],
            ),
            (
                "graph_json+ual",
                vec![("signins.json", shapes::graph_json(rows)), ("purview.csv", ual.clone())],
            ),
            ("ual_csv", vec![("purview.csv", shapes::ual_csv(rows))]),
        ];
        for (id, files) in &tenants {
            let bytes: usize = files.iter().map(|f| f.1.len()).sum();
            // One timed run for events/s and the split between reading and analysing.
            let t = Instant::now();
            let ds = ingest_all(files);
            let read = t.elapsed();
            let t = Instant::now();
            let report = analyze(&ds, &settings);
            let analysed = t.elapsed();
            let events = ds.events.len();
            assert_eq!(
                report.inputs.iter().map(|i| i.events).sum::<u64>() as usize,
                events,
                "every row became an event"
            );
            println!(
                "{id}/{size}: {:.1} MB, {events} events, {} findings; ingest {:.2} s ({:.0} MB/s, {:.0} k events/s), analyze {:.2} s, end to end {:.0} MB/s, {:.0} k events/s; resident {:.1} B/event + {:.1} B/event strings",
                bytes as f64 / 1e6,
                report.findings.len(),
                read.as_secs_f64(),
                bytes as f64 / 1e6 / read.as_secs_f64(),
                events as f64 / 1e3 / read.as_secs_f64(),
                analysed.as_secs_f64(),
                bytes as f64 / 1e6 / (read + analysed).as_secs_f64(),
                events as f64 / 1e3 / (read + analysed).as_secs_f64(),
                ds.event_heap_bytes() as f64 / events as f64,
                ds.strings.heap_bytes() as f64 / events as f64,
            );

            let mut g = c.benchmark_group(format!("{id}/{size}"));
            // Few, flat samples: a 1M-row iteration takes seconds on the 2-core machines.
            g.sample_size(10);
            g.sampling_mode(SamplingMode::Flat);
            g.warm_up_time(Duration::from_millis(500));
            g.measurement_time(Duration::from_secs(if rows >= 1_000_000 { 20 } else { 5 }));
            g.throughput(Throughput::Bytes(bytes as u64));
            g.bench_function("ingest", |b| b.iter(|| black_box(ingest_all(files)).events.len()));
            g.bench_function("analyze_only", |b| {
                b.iter(|| black_box(analyze(&ds, &settings)).findings.len())
            });
            g.bench_function("end_to_end", |b| {
                b.iter(|| black_box(analyze(&ingest_all(files), &settings)).findings.len())
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
