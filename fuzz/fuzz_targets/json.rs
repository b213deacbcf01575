#![no_main]
//! Any bytes read as a JSON export (the record scanner, envelopes, record recognition).
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let seed = data.first().copied().unwrap_or(0);
    let mut input = Vec::with_capacity(data.len() + 1);
    if !matches!(data.first(), Some(b'{' | b'[')) {
        input.push(b'[');
    }
    input.extend_from_slice(data);
    common::check("fuzz.json", &input, seed);
});
