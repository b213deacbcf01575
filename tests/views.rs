//! The investigation views (docs/views.md) over whole analyses: the same JSON whatever the order of
//! the files or the chunk sizes, and no panic on any fixture export, hostile and damaged ones
//! included.

// Tests read their fixtures from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use sessionhunt::ingest::Dataset;
use sessionhunt::sim::{self, SimFile};
use sessionhunt::{Report, Settings, analyze, views};

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

/// Every view of an analysis as JSON text: the overview, the campaign, and the session of each
/// session id the findings name.
fn views_json(ds: &Dataset, report: &Report) -> String {
    let mut out = serde_json::to_string(&views::overview(ds, report)).unwrap();
    out.push_str(&serde_json::to_string(&views::campaign(ds, report)).unwrap());
    let mut sessions: Vec<&str> =
        report.findings.iter().flat_map(|f| f.session_ids.iter().map(String::as_str)).collect();
    sessions.sort_unstable();
    sessions.dedup();
    for s in sessions {
        out.push_str(&serde_json::to_string(&views::session(ds, report, s)).unwrap());
    }
    out
}

#[test]
fn the_views_are_identical_across_file_order_and_chunk_sizes() {
    let files = sim::demo_files();
    let settings = Settings::default();
    let ds = load(&files, 1 << 20);
    let reference = views_json(&ds, &analyze(&ds, &settings));
    assert!(reference.contains("\"origin_changes\":"), "sessions were shown");
    let mut reversed = files.clone();
    reversed.reverse();
    for (order, chunk) in [(&reversed, 4093), (&files, 1013)] {
        let ds = load(order, chunk);
        let json = views_json(&ds, &analyze(&ds, &settings));
        assert!(json == reference, "views differ for chunk size {chunk}");
    }
}

#[test]
fn no_fixture_makes_a_view_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let settings = Settings::default();
    let mut all = Dataset::new();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut one = Dataset::new();
        one.add_file(&name, &bytes);
        all.add_file(&name, &bytes);
        let report = analyze(&one, &settings);
        let text = views_json(&one, &report);
        assert!(!text.is_empty(), "{name}");
        // Ids from the data itself, and a few that are not.
        let ids = one.events.iter().take(50).map(|e| one.strings.id_text(e.session_id).to_string());
        for id in ids.chain(["".into(), "\u{0}\u{1b}".into(), "x".repeat(10_000)]) {
            let _ = views::session(&one, &report, &id);
        }
    }
    let report = analyze(&all, &settings);
    let overview = views::overview(&all, &report);
    assert_eq!(overview.sources.len(), all.files.len());
    let total: u64 = overview.findings_per_day.iter().map(|d| d.total).sum();
    assert_eq!(total, report.findings.len() as u64);
    let _ = views_json(&all, &report);
}
