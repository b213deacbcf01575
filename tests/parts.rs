//! Reading a file in parts ([`sessionhunt::ingest::Part`], what the CLI does on several cores)
//! gives exactly the dataset, and so the report, of reading it in one piece: the same events
//! with the same numbers, strings, per-file accounting and diagnostics, wherever the file is
//! split, in how many parts, and in whichever chunks the parts are fed. A split that does not
//! fall at the end of a record is detected, and the part's bytes are read again by the file's
//! own reader.

// Tests read their fixture files; the core itself never does.
#![allow(clippy::disallowed_methods)]

use sessionhunt::ingest::{Dataset, Part, PartData};
use sessionhunt::sim::{Layout, TenantConfig, generate};
use sessionhunt::{Settings, analyze};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/");

/// Pushes `bytes` in chunks of `chunk` bytes.
fn feed(mut push: impl FnMut(&[u8]), bytes: &[u8], chunk: usize) {
    for piece in bytes.chunks(chunk.max(1)) {
        push(piece);
    }
}

/// What a read came to: parts joined and parts read again by the file's own reader.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Joins {
    joined: usize,
    reread: usize,
    unsplittable: usize,
}

/// Reads `bytes` as file `name` into `ds`, cut at `cuts` (sorted, each > 0): the file's own
/// reader takes the bytes before the first cut, and each cut starts a part. Every part is fed
/// before any is joined, as threads would.
fn read_in_parts(
    ds: &mut Dataset,
    name: &str,
    bytes: &[u8],
    cuts: &[usize],
    chunk: usize,
) -> Joins {
    let mut joins = Joins::default();
    let mut ingest = ds.begin_file(name, Some(bytes.len() as u64));
    let first = cuts.first().copied().unwrap_or(bytes.len()).min(bytes.len());
    feed(|c| ingest.push(c), &bytes[..first], chunk);
    let mut parts = Vec::new();
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(bytes.len());
        // Every other part is started the way a worker with a wasm instance of its own starts
        // it: from its spec, sent as a message.
        let part = if i % 2 == 0 {
            ingest.part(start as u64, end as u64)
        } else {
            ingest.part_spec(start as u64, end as u64).map(|spec| {
                let sent = serde_json::to_string(&spec).unwrap();
                Part::new(serde_json::from_str(&sent).unwrap())
            })
        };
        match part {
            Some(p) => parts.push(p),
            None => {
                joins.unsplittable += 1;
                break;
            }
        }
    }
    for p in &mut parts {
        let r = p.range();
        feed(|c| p.push(c), &bytes[r.start as usize..r.end as usize], chunk);
    }
    let mut at = first;
    for p in parts {
        // Ended and carried as bytes, as a worker hands its part to the one that joins it.
        let sent = p.finish().to_bytes().unwrap();
        match ingest.join(PartData::from_bytes(&sent).unwrap()) {
            Ok(()) => joins.joined += 1,
            Err(r) => {
                joins.reread += 1;
                feed(|c| ingest.push(c), &bytes[r.start as usize..r.end as usize], chunk);
            }
        }
        at = ingest.progress().0 as usize;
    }
    // Whatever no part took (a file that cannot be read in parts).
    feed(|c| ingest.push(c), &bytes[at..], chunk);
    ingest.finish();
    joins
}

fn whole(files: &[(&str, &[u8])]) -> Dataset {
    let mut ds = Dataset::new();
    for (name, bytes) in files {
        ds.add_file(name, bytes);
    }
    ds
}

/// Asserts two datasets are the same: events (numbers included), strings, accounting,
/// diagnostics, and the report's bytes.
fn assert_same(a: &Dataset, b: &Dataset, what: &str) {
    assert_eq!(a.files, b.files, "{what}: per-file accounting");
    assert_eq!(a.diagnostics, b.diagnostics, "{what}: diagnostics");
    assert_eq!(a.events, b.events, "{what}: events");
    assert_eq!(a.strings.len(), b.strings.len(), "{what}: number of strings");
    for (x, y) in a.events.iter().zip(&b.events) {
        let (fx, fy) = (a.fields(x), b.fields(y));
        assert_eq!(fx, fy, "{what}: fields of an event");
        let syms = [fx.user, fx.user_agent, fx.app_name, fx.location.city, fx.mfa_detail];
        for s in syms {
            assert_eq!(a.strings.resolve(s), b.strings.resolve(s), "{what}: a string");
        }
        for i in [fx.session_id, fx.request_id, fx.correlation_id, fx.unique_token_id] {
            assert_eq!(*a.strings.id_text(i), *b.strings.id_text(i), "{what}: an id");
        }
    }
    assert_eq!(a.shared_counts(), b.shared_counts(), "{what}: profile counts");
    let settings = Settings::default();
    assert_eq!(analyze(a, &settings).to_json(), analyze(b, &settings).to_json(), "{what}: report");
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    bytes.iter().enumerate().filter(|&(_, &c)| c == b'\n').map(|(i, _)| i + 1).collect()
}

/// A generated portal sign-in CSV made hostile: duplicated rows within and across halves, rows
/// with a wrong field count (more than the 100 diagnostics kept, on both sides of any split),
/// a quoted field spanning lines, doubled quotes, bytes that are not UTF-8, and no final newline.
fn hostile_portal(crlf: bool) -> (String, Vec<u8>) {
    let mut config = TenantConfig::demo();
    config.benign_users = 8;
    config.days = 7;
    let file = generate(&config)
        .files(Layout::Portal)
        .into_iter()
        .find(|f| f.name.starts_with("NonInteractive"))
        .expect("a non-interactive CSV");
    let text = String::from_utf8(file.bytes).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    let (header, rows) = lines.split_first().expect("a header");
    let mut out: Vec<Vec<u8>> = vec![header.as_bytes().to_vec()];
    for (i, row) in rows.iter().enumerate() {
        out.push(row.as_bytes().to_vec());
        if i % 5 == 0 {
            out.push(b"\"only\",\"three\",\"fields\"".to_vec());
        }
        if i % 97 == 3 {
            // A copy right after, and one far later.
            out.push(row.as_bytes().to_vec());
        }
        if i == 11 {
            out.push(row.replacen("\",\"", "\",\"multi\nline \"\"quoted\"\" ", 1).into_bytes());
        }
        if i == 400 {
            let mut bad = row.as_bytes().to_vec();
            if let Some(p) = bad.iter().position(|&c| c == b'M') {
                bad[p] = 0xff;
            }
            out.push(bad);
        }
    }
    for row in rows.iter().step_by(61) {
        out.push(row.as_bytes().to_vec());
    }
    let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let bytes = out.join(sep);
    (file.name, bytes)
}

#[test]
fn a_hostile_portal_csv_reads_the_same_in_two_parts_at_every_split() {
    for crlf in [false, true] {
        let (name, bytes) = hostile_portal(crlf);
        let expected = whole(&[(&name, &bytes)]);
        assert!(expected.files[0].duplicates > 10, "the input has duplicates");
        assert!(expected.diagnostics.len() > 100, "the input overflows the diagnostics cap");
        let starts = line_starts(&bytes);
        let mut totals = Joins::default();
        // Every 9th line start, and byte offsets that fall anywhere (mid-line, mid-field, inside
        // the quoted field that spans lines, between CR and LF).
        let mut cuts: Vec<usize> = starts.iter().copied().step_by(9).collect();
        cuts.extend((1..bytes.len()).step_by(7919));
        cuts.extend(starts.iter().take(40).copied());
        for (n, &cut) in cuts.iter().enumerate() {
            if cut >= bytes.len() {
                continue;
            }
            let mut ds = Dataset::new();
            let chunk = [1 << 16, 4093, 1 << 20][n % 3];
            let j = read_in_parts(&mut ds, &name, &bytes, &[cut], chunk);
            totals.joined += j.joined;
            totals.reread += j.reread;
            totals.unsplittable += j.unsplittable;
            assert_same(&expected, &ds, &format!("{name}, crlf {crlf}, cut at {cut}"));
        }
        // Splits at line starts join (no silent fallback), other splits are read again.
        assert!(totals.joined > cuts.len() / 2, "{totals:?}");
        assert!(totals.reread > 0, "{totals:?}");
    }
}

#[test]
fn several_parts_and_an_earlier_file_with_copies() {
    let (name, bytes) = hostile_portal(false);
    // A file read earlier whose name sorts after this one, holding copies of some of its rows:
    // the copies in this file (read in parts) become the kept ones.
    let copies: Vec<u8> = {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        let mut out = vec![header];
        out.extend(lines.iter().rev().step_by(13).copied().filter(|l| !l.contains("only")));
        (out.join("\n") + "\n").into_bytes()
    };
    let earlier = "zz_NonInteractiveSignIns_copies.csv";
    let expected = whole(&[(earlier, &copies), (&name, &bytes)]);
    assert!(expected.files[0].duplicates > 5, "copies in the later file replace the earlier ones");
    let starts = line_starts(&bytes);
    let n = starts.len();
    for parts in [2usize, 3, 4, 7] {
        for shift in [0usize, 1, 5] {
            let cuts: Vec<usize> =
                (1..parts).map(|k| starts[(k * n / parts + shift) % n]).collect();
            let mut ds = Dataset::new();
            ds.add_file(earlier, &copies);
            let j = read_in_parts(&mut ds, &name, &bytes, &cuts, 1 << 16);
            assert_eq!(j.joined + j.reread, parts - 1);
            assert_same(&expected, &ds, &format!("{parts} parts, shift {shift}"));
        }
    }
}

#[test]
fn every_fixture_reads_the_same_split_anywhere() {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| !n.ends_with(".py"))
        .collect();
    names.sort();
    let mut split = 0;
    for name in &names {
        let bytes = std::fs::read(format!("{DIR}{name}")).expect("fixture");
        let expected = whole(&[(name, &bytes)]);
        // Every byte offset of small files; a spread of offsets for the larger ones.
        let step = (bytes.len() / 400).max(1);
        let mut cuts: Vec<usize> = (1..bytes.len()).step_by(step).collect();
        cuts.extend(line_starts(&bytes).into_iter().filter(|&c| c < bytes.len()));
        for cut in cuts {
            let mut ds = Dataset::new();
            let j = read_in_parts(&mut ds, name, &bytes, &[cut], 1 + cut % 700);
            split += j.joined;
            assert_same(&expected, &ds, &format!("{name} cut at {cut}"));
        }
    }
    assert!(split >= 40, "CSV fixtures were read in parts ({split} joins)");
}

#[test]
fn only_plain_csv_with_a_read_header_can_be_split() {
    let cases = [
        ("graph_signin.jsonl", false),
        ("graph_signin.jsonl.gz", false),
        ("SGS_2026-03-01_2026-03-07_1_1.zip", false),
        ("InteractiveSignIns_AuthDetails_2026-03-01_2026-03-07.csv", false),
        ("InteractiveSignIns_2026-03-01_2026-03-07.csv", true),
        ("ual_purview.csv", true),
        ("log_analytics_signins.csv", true),
    ];
    for (name, splittable) in cases {
        let bytes = std::fs::read(format!("{DIR}{name}")).expect("fixture");
        let mut ds = Dataset::new();
        let mut ingest = ds.begin_file(name, Some(bytes.len() as u64));
        let end = bytes.len() as u64;
        assert!(ingest.part(end / 2, end).is_none(), "{name}: nothing read yet");
        ingest.push(&bytes[..bytes.len() / 2]);
        let half = (bytes.len() / 2) as u64;
        assert_eq!(ingest.part(half, end).is_some(), splittable, "{name}");
        // A part cannot start before what was read, nor end past the file.
        assert!(ingest.part(half - 1, end).is_none(), "{name}");
        assert!(ingest.part(half, end + 1).is_none(), "{name}");
    }
}

/// The one cutting rule of the CLI and the page: even shares, each moved to the next line start,
/// none under the minimum, none past the end.
#[test]
fn cut_points_start_parts_at_line_starts() {
    use sessionhunt::ingest::{CUT_WINDOW, cut_points};
    let text: Vec<u8> = (0..2000).flat_map(|i| format!("row {i},x\n").into_bytes()).collect();
    let size = text.len() as u64;
    let read = |at: u64, len: u64| -> Result<Vec<u8>, ()> {
        let end = (at + len).min(size) as usize;
        Ok(text[at as usize..end].to_vec())
    };
    let cuts = cut_points(0, size, 4, 1000, read).expect("in memory");
    assert_eq!(cuts.len(), 3);
    for (k, &cut) in cuts.iter().enumerate() {
        assert_eq!(text[cut as usize - 1], b'\n', "cut {k} follows a newline");
        let share = size / 4 * (k as u64 + 1);
        assert!(cut > share && cut - share <= CUT_WINDOW, "cut {k} near its share");
    }
    // Too small for two parts of the minimum: one piece.
    assert!(cut_points(0, size, 4, size, read).expect("in memory").is_empty());
    // Already read past most of it: the rest alone is shared.
    let late = cut_points(size - 2000, size, 2, 100, read).expect("in memory");
    assert!(late.len() == 1 && late[0] > size - 1000);
    // A read error is the caller's.
    assert_eq!(cut_points(0, size, 2, 1, |_, _| Err::<Vec<u8>, _>("gone")), Err("gone"));
}
