//! Same files and settings → byte-identical JSON report, whatever the order of the files or the
//! chunk sizes; and the simulator's direct events equal what the parsers read from its files.

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::{self, Layout, SimFile, TenantConfig};
use sessionhunt::{Settings, analyze};

fn load(files: &[SimFile], chunk: usize) -> Dataset {
    let mut ds = Dataset::new();
    for f in files {
        let mut ingest = ds.begin_file(&f.name, Some(f.bytes.len() as u64));
        for piece in f.bytes.chunks(chunk.max(1)) {
            ingest.push(piece);
        }
        ingest.finish();
    }
    ds
}

#[test]
fn report_is_byte_identical_across_file_order_and_chunk_sizes() {
    let files = sim::demo_files();
    let settings = Settings::default();
    let reference = serde_json::to_string(&analyze(&load(&files, 1 << 20), &settings)).unwrap();
    let mut reversed = files.clone();
    reversed.reverse();
    let mut rotated = files.clone();
    rotated.rotate_left(1);
    for (order, chunk) in [(&reversed, 7), (&rotated, 4096), (&files, 1013)] {
        let json = serde_json::to_string(&analyze(&load(order, chunk), &settings)).unwrap();
        assert!(json == reference, "report differs for chunk size {chunk}");
    }
    let report = analyze(&load(&files, 1 << 20), &settings);
    assert!(report.findings.iter().any(|f| f.severity >= sessionhunt::Severity::High));
}

#[test]
fn simulator_files_and_direct_events_give_the_same_findings() {
    let tenant = sim::generate(&TenantConfig::demo());
    let settings = Settings::default();
    let direct = analyze(&tenant.dataset(Layout::Mixed), &settings);
    let parsed = analyze(&load(&tenant.files(Layout::Mixed), 1 << 16), &settings);
    let a = serde_json::to_string_pretty(&direct.findings).unwrap();
    let b = serde_json::to_string_pretty(&parsed.findings).unwrap();
    if a != b {
        let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
        panic!("first difference: {line:?}");
    }
}

#[test]
fn the_simulator_is_deterministic() {
    assert_eq!(sim::demo_files(), sim::demo_files());
    let a = sim::generate(&TenantConfig { seed: 3, ..TenantConfig::demo() });
    let b = sim::generate(&TenantConfig { seed: 4, ..TenantConfig::demo() });
    assert_ne!(a.records, b.records);
}
