#![no_main]
//! The whole analysis on arbitrary bytes. The input is split at 0x1E (ASCII record separator) into
//! up to four files named `f0.csv`, `f1.json`, … (extensions from the first byte, which also picks
//! the chunk size). Each file is read in chunks, then everything is analysed. Properties: no panic,
//! every row counted once, and a byte-identical report when the files are read in the opposite
//! order and whole (determinism across file order and chunking, the report contract).
use libfuzzer_sys::fuzz_target;
use sessionhunt::ingest::Dataset;
use sessionhunt::{Settings, analyze};

const EXTENSIONS: [&str; 4] = ["csv", "json", "jsonl", "txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let files: Vec<(String, &[u8])> = rest
        .splitn(4, |&b| b == 0x1e)
        .enumerate()
        .map(|(i, bytes)| {
            let ext = EXTENSIONS[usize::from(seed >> (2 * i)) & 3];
            (format!("f{i}.{ext}"), bytes)
        })
        .collect();
    let step = usize::from(seed % 31) + 1;

    let mut chunked = Dataset::new();
    for (name, bytes) in &files {
        let mut ingest = chunked.begin_file(name, Some(bytes.len() as u64));
        for c in bytes.chunks(step) {
            ingest.push(c);
        }
        ingest.finish();
    }
    let mut whole = Dataset::new();
    for (name, bytes) in files.iter().rev() {
        whole.add_file(name, bytes);
    }

    let settings = Settings::default();
    let report = analyze(&chunked, &settings);
    for input in &report.inputs {
        assert_eq!(input.rows, input.events + input.duplicates + input.skipped, "{input:?}");
    }
    let other = analyze(&whole, &settings);
    assert_eq!(report.to_json(), other.to_json(), "file order or chunking changed the report");
});
