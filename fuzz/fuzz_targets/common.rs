// Shared by the targets: reads `data` in chunks whose sizes come from the input itself, then
// checks the accounting invariant and that chunking does not change the result.
use sessionhunt::ingest::Dataset;

pub fn check(name: &str, data: &[u8], split_seed: u8) {
    let whole = {
        let mut ds = Dataset::new();
        ds.add_file(name, data);
        ds
    };
    let mut chunked = Dataset::new();
    let mut ingest = chunked.begin_file(name, Some(data.len() as u64));
    let step = usize::from(split_seed % 17) + 1;
    for c in data.chunks(step) {
        ingest.push(c);
    }
    ingest.finish();
    for f in &whole.files {
        assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{f:?}");
    }
    assert_eq!(whole.files, chunked.files);
    // Every field (profiles included), not just the events' profile numbers.
    let flat = |ds: &Dataset| ds.events.iter().map(|e| ds.fields(e)).collect::<Vec<_>>();
    assert_eq!(flat(&whole), flat(&chunked));
    assert_eq!(whole.diagnostics, chunked.diagnostics);
}
