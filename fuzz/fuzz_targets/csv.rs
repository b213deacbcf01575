#![no_main]
//! Any bytes read as a CSV export (header classification, csv-core framing, field mapping).
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let seed = data.first().copied().unwrap_or(0);
    // Keep the first byte from turning every input into JSON or a container.
    let mut input = b"Date (UTC),Request ID,Username,IP address,Location,Status\n".to_vec();
    if seed & 1 == 0 {
        input.clear();
    }
    input.extend_from_slice(data);
    common::check("fuzz.csv", &input, seed);
});
