#![no_main]
//! Any bytes, read as an input, then every event's cited row read back with the raw-row reader
//! (`ingest::raw`): no panic, one row per ref, each found (the reader goes through the same
//! containers and encodings, so a cited line is always there), the same rows whatever the chunking.
use libfuzzer_sys::fuzz_target;
use sessionhunt::ingest::Dataset;
use sessionhunt::ingest::raw::RawRowReader;

fuzz_target!(|data: &[u8]| {
    let name = "fuzz.csv";
    let mut ds = Dataset::new();
    ds.add_file(name, data);
    let refs: Vec<(String, u64)> = ds
        .events
        .iter()
        .map(|e| (ds.files[e.source.file as usize].name.clone(), u64::from(e.source.line)))
        .collect();
    let read = |chunk: usize| {
        let mut reader = RawRowReader::new(name, &refs);
        for piece in data.chunks(chunk.max(1)) {
            if reader.done() {
                break;
            }
            reader.push(piece);
        }
        reader.finish()
    };
    let whole = read(data.len().max(1));
    assert_eq!(whole.len(), refs.len());
    for (row, (file, line)) in whole.iter().zip(&refs) {
        assert_eq!((&row.file, row.line), (file, *line));
        assert!(!row.text.is_empty(), "{file}:{line} cited but not found");
    }
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    assert_eq!(read(chunk), whole, "chunking changed the rows");
});
