//! Replays the `analyze` fuzz target's seed corpus (`fuzz/corpus/analyze/`) and its regressions
//! (`fuzz/regressions/analyze-*`) on the stable toolchain with the target's own reading of the
//! bytes: split at 0x1E into up to four files, every row counted once, and a byte-identical report
//! whatever the file order and chunk sizes.

// Tests read their inputs from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use sessionhunt::ingest::Dataset;
use sessionhunt::{Settings, analyze};

const EXTENSIONS: [&str; 4] = ["csv", "json", "jsonl", "txt"];

/// The fuzz target's split (keep in step with fuzz/fuzz_targets/analyze.rs).
fn files(data: &[u8]) -> (Vec<(String, &[u8])>, usize) {
    let Some((&seed, rest)) = data.split_first() else {
        return (Vec::new(), 1);
    };
    let files = rest
        .splitn(4, |&b| b == 0x1e)
        .enumerate()
        .map(|(i, bytes)| (format!("f{i}.{}", EXTENSIONS[usize::from(seed >> (2 * i)) & 3]), bytes))
        .collect();
    (files, usize::from(seed % 31) + 1)
}

fn load<'a>(files: impl Iterator<Item = &'a (String, &'a [u8])>, step: usize) -> Dataset {
    let mut ds = Dataset::new();
    for (name, bytes) in files {
        let mut ingest = ds.begin_file(name, Some(bytes.len() as u64));
        for c in bytes.chunks(step) {
            ingest.push(c);
        }
        ingest.finish();
    }
    ds
}

#[test]
fn analyze_corpus_and_regressions_keep_the_target_properties() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut inputs = Vec::new();
    for entry in std::fs::read_dir(root.join("corpus/analyze")).unwrap() {
        inputs.push(entry.unwrap().path());
    }
    for entry in std::fs::read_dir(root.join("regressions")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("analyze-") {
            inputs.push(path);
        }
    }
    inputs.sort();
    assert!(inputs.len() >= 4, "{inputs:?}");
    let settings = Settings::default();
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let (files, step) = files(&data);
        let report = analyze(&load(files.iter(), step), &settings);
        for input in &report.inputs {
            assert_eq!(
                input.rows,
                input.events + input.duplicates + input.skipped,
                "{}: {input:?}",
                path.display()
            );
        }
        let expected = report.to_json();
        for (order_reversed, other_step) in [(true, usize::MAX), (false, 4093), (true, 1)] {
            let ds = if order_reversed {
                load(files.iter().rev(), other_step)
            } else {
                load(files.iter(), other_step)
            };
            assert_eq!(
                analyze(&ds, &settings).to_json(),
                expected,
                "{}: reversed {order_reversed}, chunks of {other_step}",
                path.display()
            );
        }
    }
}
