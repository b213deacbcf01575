// Shared by the targets: reads `data` in chunks whose sizes come from the input itself, and in
// two parts split where the input says (as the CLI reads a large file on two threads), then checks
// the accounting invariant and that neither changes the result.
use sessionhunt::ingest::{Dataset, PartData};

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
    let parted = in_parts(name, data, split_seed);
    for f in &whole.files {
        assert_eq!(f.rows, f.events + f.duplicates + f.skipped, "{f:?}");
    }
    assert_eq!(whole.files, chunked.files);
    // Every field (profiles included), not just the events' profile numbers.
    let flat = |ds: &Dataset| ds.events.iter().map(|e| ds.fields(e)).collect::<Vec<_>>();
    assert_eq!(flat(&whole), flat(&chunked));
    assert_eq!(whole.diagnostics, chunked.diagnostics);
    assert_eq!(whole.files, parted.files);
    assert_eq!(whole.events, parted.events);
    assert_eq!(flat(&whole), flat(&parted));
    assert_eq!(whole.diagnostics, parted.diagnostics);
}

/// Reads `data` in two parts: the file's reader up to a cut (the line start after a point the
/// seed picks), a `Part` from there; when the join is refused, the reader takes the bytes itself.
pub fn in_parts(name: &str, data: &[u8], seed: u8) -> Dataset {
    let len = data.len();
    let mut cut = if len == 0 { 0 } else { (usize::from(seed) * 131 + len / 2) % len };
    if seed & 2 == 0 {
        cut = data[cut..].iter().position(|&c| c == b'\n').map_or(cut, |nl| cut + nl + 1);
    }
    let mut ds = Dataset::new();
    let mut ingest = ds.begin_file(name, Some(len as u64));
    ingest.push(&data[..cut]);
    match ingest.part(cut as u64, len as u64) {
        Some(mut part) => {
            part.push(&data[cut..]);
            // Carried as bytes, as between the page's workers.
            let sent = part.finish().to_bytes().expect("a part is written");
            let part = PartData::from_bytes(&sent).expect("and read back");
            if ingest.join(part).is_err() {
                ingest.push(&data[cut..]);
            }
        }
        None => ingest.push(&data[cut..]),
    }
    ingest.finish();
    ds
}
