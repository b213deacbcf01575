//! Where the time goes (not a timed test): reads the given files in 8 MiB pieces, as the page's
//! worker does, then analyses them, and prints the seconds of each phase (read, ingest, analyse,
//! serialize). Under `perf record` it profiles one phase at a time.
//!
//! `cargo run --release --example phases -- FILE...`

use std::io::Read;
use std::time::Instant;

// An example sits at the edge, like the CLI: it reads the files the core is given as bytes.
#[allow(clippy::disallowed_methods)]
fn main() -> std::io::Result<()> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let mut dataset = sessionhunt::ingest::Dataset::new();
    let (mut read, mut push) = (0.0, 0.0);
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 8 << 20];
    for path in &paths {
        let mut file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut ingest = dataset.begin_file(name, Some(size));
        loop {
            let t = Instant::now();
            let n = file.read(&mut buf)?;
            read += t.elapsed().as_secs_f64();
            if n == 0 {
                break;
            }
            bytes += n as u64;
            let t = Instant::now();
            ingest.push(&buf[..n]);
            push += t.elapsed().as_secs_f64();
        }
        let t = Instant::now();
        ingest.finish();
        push += t.elapsed().as_secs_f64();
    }
    let t = Instant::now();
    let report = sessionhunt::analyze(&dataset, &sessionhunt::Settings::default());
    let analyze = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let json = report.to_json();
    let serialize = t.elapsed().as_secs_f64();
    println!(
        "{:.1} MB, {} events, {} findings, {} B of report: read {read:.2} s, ingest {push:.2} s, \
         analyse {analyze:.2} s, serialize {serialize:.2} s; {:.0} MB/s without reading",
        bytes as f64 / 1e6,
        dataset.events.len(),
        report.findings.len(),
        json.len(),
        bytes as f64 / 1e6 / (push + analyze + serialize),
    );
    Ok(())
}
