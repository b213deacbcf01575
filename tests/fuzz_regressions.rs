//! Replays every input the fuzzers ever flagged (`fuzz/regressions/`) and their seed corpora
//! (`fuzz/corpus/*/`) on the stable toolchain, with the fuzz targets' own properties: no panic, no
//! hang, every row counted once, and the same result whole, in chunks of any size or in two parts. So a
//! regression fails the ordinary test suite, not only a nightly fuzzing session.

// Tests read their inputs from disk; clippy.toml bans file access in the library only.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use sessionhunt::ingest::Dataset;
use sessionhunt::{Settings, analyze};

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut dirs = vec![root.join("regressions")];
    for entry in std::fs::read_dir(root.join("corpus")).expect("fuzz/corpus exists") {
        dirs.push(entry.unwrap().path());
    }
    let mut files = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn chunked(name: &str, data: &[u8], step: usize) -> Dataset {
    let mut dataset = Dataset::new();
    let mut ingest = dataset.begin_file(name, Some(data.len() as u64));
    for chunk in data.chunks(step) {
        ingest.push(chunk);
    }
    ingest.finish();
    dataset
}

/// Reads `data` in two parts, the second from the line start after `cut` (see `ingest::Part`);
/// when the join is refused, the file's own reader takes the bytes.
fn in_parts(name: &str, data: &[u8], cut: usize) -> Dataset {
    let cut = data[cut..].iter().position(|&c| c == b'\n').map_or(cut, |nl| cut + nl + 1);
    let len = data.len() as u64;
    let mut dataset = Dataset::new();
    let mut ingest = dataset.begin_file(name, Some(len));
    ingest.push(&data[..cut]);
    match ingest.part(cut as u64, len) {
        Some(mut part) => {
            part.push(&data[cut..]);
            if ingest.join(part.finish()).is_err() {
                ingest.push(&data[cut..]);
            }
        }
        None => ingest.push(&data[cut..]),
    }
    ingest.finish();
    dataset
}

#[test]
fn every_regression_and_seed_input_keeps_the_fuzz_properties() {
    let files = inputs();
    assert!(files.len() >= 10, "the corpora are in the repository: {files:?}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut whole = Dataset::new();
        whole.add_file(&name, &data);
        for file in &whole.files {
            assert_eq!(
                file.rows,
                file.events + file.duplicates + file.skipped,
                "{}: {file:?}",
                path.display()
            );
        }
        let expected = analyze(&whole, &Settings::default()).to_json();
        for cut in [data.len() / 3, data.len() / 2] {
            let other = in_parts(&name, &data, cut);
            assert_eq!(whole.files, other.files, "{} in parts at {cut}", path.display());
            assert_eq!(whole.events, other.events, "{} in parts at {cut}", path.display());
            assert_eq!(
                whole.diagnostics,
                other.diagnostics,
                "{} in parts at {cut}",
                path.display()
            );
        }
        for step in [1, 2, 7, 64, 4093] {
            let other = chunked(&name, &data, step);
            assert_eq!(whole.files, other.files, "{} in chunks of {step}", path.display());
            assert_eq!(
                analyze(&other, &Settings::default()).to_json(),
                expected,
                "{} in chunks of {step}",
                path.display()
            );
        }
    }
}
