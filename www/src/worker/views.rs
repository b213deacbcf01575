//! What the page asks of the loaded data: the user list, a user's events as display rows, and the
//! raw rows behind a finding.

use super::reading::SLICE;
use super::*;

/// Every user with an event, by name, with their counts and span.
pub fn users(dataset: &Dataset) -> Vec<UserRow> {
    // By symbol first (one pass over the events, no string per event), then named and sorted.
    let mut by_sym: std::collections::BTreeMap<u32, (u64, u64, u64, i64, i64)> =
        std::collections::BTreeMap::new();
    for e in &dataset.events {
        if e.user.is_empty() {
            continue;
        }
        let row = by_sym.entry(e.user.index()).or_insert((0, 0, 0, i64::MAX, i64::MIN));
        match e.kind {
            EventKind::Interactive => row.0 += 1,
            EventKind::Audit => row.2 += 1,
            _ => row.1 += 1,
        }
        row.3 = row.3.min(e.time);
        row.4 = row.4.max(e.time);
    }
    let mut rows: Vec<UserRow> = dataset
        .events
        .iter()
        .filter(|e| !e.user.is_empty())
        .filter_map(|e| {
            let (interactive, non_interactive, audit, first, last) =
                by_sym.remove(&e.user.index())?;
            Some(UserRow {
                user: dataset.strings.resolve(e.user).to_owned(),
                interactive,
                non_interactive,
                audit,
                first_ms: first,
                last_ms: last,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.user.cmp(&b.user));
    rows
}

/// Every event of `user` (as the report names users), in time order, as display text.
pub fn user_events(dataset: &Dataset, user: &str) -> Vec<EventView> {
    let Some(sym) = dataset.strings.get(user) else { return Vec::new() };
    if sym.is_empty() {
        return Vec::new();
    }
    let mut events: Vec<&Event> = dataset.events.iter().filter(|e| e.user == sym).collect();
    events.sort_by_key(|e| (e.time, e.source));
    events.iter().map(|e| event_view(dataset, e)).collect()
}

pub(super) fn event_view(dataset: &Dataset, event: &Event) -> EventView {
    // The stored event is compact; the view needs every field once, so unpack them here.
    let e = &dataset.fields(event);
    let s = |sym: Sym| dataset.strings.resolve(sym).to_owned();
    let join = |parts: &[String], sep: &str| {
        parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(sep)
    };
    let outcome = e.outcome.as_str();
    let outcome = if e.error_code == 0 {
        outcome.to_owned()
    } else {
        format!("{outcome} (error {})", e.error_code)
    };
    let risk = e.risk_level.label().to_owned();
    let requirement = e.auth_requirement.label().to_owned();
    let mut device = vec![s(e.device_id)];
    if e.compliant {
        device.push("compliant".to_owned());
    }
    if e.managed {
        device.push("managed".to_owned());
    }
    let app = if e.app_name.is_empty() { s(e.app_id) } else { s(e.app_name) };
    let mut audit_detail = Vec::new();
    let mut operation = String::new();
    if let Some(audit) = &e.audit {
        operation = s(audit.operation);
        for (label, value) in [
            ("Workload", audit.workload),
            ("Client", audit.client_info),
            ("Target user", audit.target_user),
        ] {
            if !value.is_empty() {
                audit_detail.push(format!("{label}: {}", s(value)));
            }
        }
        for (name, value) in &audit.parameters {
            audit_detail.push(format!("{}={}", s(*name), s(*value)));
        }
        for target in &audit.forward_to {
            audit_detail.push(format!("Forwards to: {}", s(*target)));
        }
    }
    EventView {
        file: dataset.files.get(e.source.file as usize).map(|f| f.name.clone()).unwrap_or_default(),
        line: u64::from(e.source.line),
        time_ms: e.time,
        kind: e.kind,
        ip: e.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        asn: e.asn,
        network: sessionhunt::enrich::asn_label(e.asn),
        location: join(&[s(e.location.country), s(e.location.state), s(e.location.city)], ", "),
        user_agent: s(e.user_agent),
        client: join(&[s(e.browser), s(e.os), s(e.client_app)], " · "),
        app,
        resource: s(e.resource),
        session_id: dataset.strings.id_text(e.session_id).to_string(),
        request_id: dataset.strings.id_text(e.request_id).to_string(),
        outcome,
        risk: join(&[risk, s(e.risk_event_types)], " · "),
        device: join(&device, " · "),
        authentication: join(&[s(e.mfa_detail), requirement, s(e.incoming_token_type)], " · "),
        operation,
        audit_detail,
    }
}

/// The rows at `refs` (file name as the report gives it, 1-based line), read again from the
/// sources through the core's raw-row reader (the same containers and encodings as ingestion).
/// A file is read in slices only until its rows are found (an archive: to its end).
pub(super) fn raw_rows(sources: &[Source], refs: &[(String, u64)]) -> Vec<RawRow> {
    let mut found: Vec<RawRow> = Vec::new();
    for source in sources {
        let name = source.name();
        let mine: Vec<(String, u64)> =
            refs.iter().filter(|(file, _)| RawRowReader::holds(&name, file)).cloned().collect();
        if mine.is_empty() {
            continue;
        }
        let mut reader = RawRowReader::new(&name, &mine);
        match source {
            Source::Bytes(_, bytes) => {
                for piece in bytes.chunks(SLICE as usize) {
                    if reader.done() {
                        break;
                    }
                    reader.push(piece);
                }
            }
            Source::File(file) => {
                let Ok(sync) = FileReaderSync::new() else { continue };
                let size = file.size() as u64;
                let mut offset = 0u64;
                while offset < size && !reader.done() {
                    let end = (offset + SLICE).min(size);
                    let Ok(slice) = file.slice_with_f64_and_f64(offset as f64, end as f64) else {
                        break;
                    };
                    let Ok(array) = sync.read_as_array_buffer(&slice) else { break };
                    reader.push(&Uint8Array::new(&array).to_vec());
                    offset = end;
                }
            }
        }
        found.extend(reader.finish());
    }
    refs.iter()
        .map(|(file, line)| {
            found
                .iter()
                .find(|r| &r.file == file && r.line == *line)
                .cloned()
                .unwrap_or_else(|| RawRow { file: file.clone(), line: *line, ..RawRow::default() })
        })
        .collect()
}

/// The SHA-256 of every loaded file, by its name (the case report lists them, as the CLI does),
/// read again in slices.
pub(super) fn sha256_of_sources(sources: &[Source]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for source in sources {
        let mut hash = sessionhunt::export::InputHash::default();
        match source {
            Source::Bytes(_, bytes) => hash.update(bytes),
            Source::File(file) => {
                let sync = FileReaderSync::new().map_err(|_| "cannot read the files again")?;
                let size = file.size() as u64;
                let mut offset = 0u64;
                while offset < size {
                    let end = (offset + SLICE).min(size);
                    let error = |_| format!("cannot read {} again", file.name());
                    let slice =
                        file.slice_with_f64_and_f64(offset as f64, end as f64).map_err(error)?;
                    let array = sync.read_as_array_buffer(&slice).map_err(error)?;
                    hash.update(&Uint8Array::new(&array).to_vec());
                    offset = end;
                }
            }
        }
        out.insert(source.name(), hash.hex());
    }
    Ok(out)
}
