#![no_main]
//! Any bytes as a UAL `AuditData`: once as a JSON record, once inside a Purview CSV cell (the
//! second parse of nested JSON text).
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let seed = data.first().copied().unwrap_or(0);
    common::check("auditdata.jsonl", data, seed);
    let mut csv = b"RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\nr1,9/26/2023 1:56:15 AM,1,New-InboxRule,a@example.com,\"".to_vec();
    for &b in data {
        if b == b'"' {
            csv.push(b'"');
        }
        csv.push(b);
    }
    csv.extend_from_slice(b"\"\r\n");
    common::check("purview.csv", &csv, seed);
});
