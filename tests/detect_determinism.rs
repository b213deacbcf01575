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
    assert!(
        direct.findings.iter().any(|f| f.severity == sessionhunt::Severity::Critical),
        "the demo tenant must give findings for the comparison to mean anything"
    );
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

/// The CLI writes the report's text in pieces (its findings written a slice at a time, on several
/// threads): joined, they are exactly `to_json`, for any number of findings, with row problems
/// and with markup and control characters in the texts.
#[test]
fn the_report_written_in_pieces_is_the_report_text() {
    let files = sim::demo_files();
    let mut report = analyze(&load(&files, 1 << 20), &Settings::default());
    let demo = std::mem::take(&mut report.findings);
    assert!(!demo.is_empty());
    report.diagnostics.push(sessionhunt::report::Diagnostic {
        file: "a \"b\".csv".into(),
        line: 3,
        column: 4,
        message: "line\nbreak and \u{1b}[31m and </script>".into(),
    });
    for n in [0, 1, 2, 31, 32, 33, 700] {
        report.findings = demo.iter().cycle().take(n).cloned().collect();
        if let Some(f) = report.findings.first_mut() {
            f.user = "\"quoted\"\n  \"findings\": []".into();
        }
        let pieces = report.to_json_pieces();
        assert!(pieces.concat() == report.to_json(), "{n} findings: the pieces differ");
        assert!(pieces.len() >= n / 32, "{n} findings in {} pieces", pieces.len());
    }
}
