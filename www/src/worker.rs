//! The analysis worker: reads `File`s in slices, streams them into the core, analyses, reports.
//!
//! It keeps the loaded [`Dataset`] between requests so a settings change re-scores without
//! re-reading the files. Requests are handled one at a time, in the order they arrive: a request
//! that comes while another is under way waits in a queue (as it would if the worker were busy).
//!
//! Files are read on a second thread: a small reader worker started here (see [`SliceReader`])
//! reads each 8 MiB slice with `FileReaderSync` and hands its `ArrayBuffer` over (transferred,
//! not copied) while this worker is still pushing the previous slices into the core, so reading
//! costs no time on the analysis thread. At most [`AHEAD`] slices are in flight, so memory holds a
//! few slices of raw input, never a whole file. Where no reader worker can be started, slices are
//! read here, one at a time, with the same result.
//!
//! When the page offers it (a machine with at least three logical processors, see `bridge`), a
//! large plain CSV export (two parts of at least `sessionhunt::ingest::PART_MIN_BYTES`) is parsed on two cores: once its header
//! is read, this worker starts a helper, another instance of this same worker (see
//! [`PartHelper`]), which reads the file's second half as a part of it (the core's `Part`) and
//! hands it back as bytes, joined here exactly as the CLI joins its threads' parts; this worker
//! reads the first half meanwhile. If anything goes wrong there (no helper, a split inside a
//! quoted field), this worker reads those bytes itself: the report is the same.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use sessionhunt::ingest::raw::{RawRow, RawRowReader};
use sessionhunt::ingest::{Dataset, PART_MIN_BYTES, Part, PartData, PartSpec, cut_points};
use sessionhunt::model::{Event, EventKind, Sym};
use sessionhunt::{Report, analyze};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent, Url,
    Worker,
};

use crate::protocol::{EventView, FINDINGS_PAGE, FromWorker, Progress, ToWorker, UserRow};

/// Size of the slices files are read in.
const SLICE: u64 = 8 << 20;

/// Slices asked of the reader worker ahead of the one being pushed into the core.
const AHEAD: usize = 3;

/// Least time between two progress messages while a file is read.
const PROGRESS_EVERY_MS: u64 = 125;

#[derive(Default)]
struct WorkerState {
    dataset: Option<Dataset>,
    /// The last report, for the event references of findings the page asks about.
    report: Option<Report>,
    /// The loaded files, to read raw rows again on request.
    sources: Vec<Source>,
}

/// A loaded file the worker can read again.
enum Source {
    /// A file chosen by the analyst (read again in slices).
    File(File),
    /// A demo file (kept in memory).
    Bytes(String, Vec<u8>),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::File(f) => f.name(),
            Source::Bytes(name, _) => name.clone(),
        }
    }
}

/// The worker: its state and the requests waiting their turn.
struct AnalysisWorker {
    scope: DedicatedWorkerGlobalScope,
    state: RefCell<WorkerState>,
    inbox: RefCell<VecDeque<JsValue>>,
    /// True while a task is taking requests from `inbox`.
    running: Cell<bool>,
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let worker = Rc::new(AnalysisWorker {
        scope: scope.clone(),
        state: RefCell::default(),
        inbox: RefCell::default(),
        running: Cell::new(false),
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        worker.inbox.borrow_mut().push_back(event.data());
        if !worker.running.replace(true) {
            wasm_bindgen_futures::spawn_local(serve(worker.clone()));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &FromWorker::Ready);
}

/// Answers the queued requests in order, until none is left.
async fn serve(worker: Rc<AnalysisWorker>) {
    loop {
        let next = worker.inbox.borrow_mut().pop_front();
        let Some(data) = next else { break };
        let reply = |message: FromWorker| post(&worker.scope, &message);
        match handle(&worker.state, &data, &reply).await {
            Ok(message) => reply(message),
            Err(message) => reply(FromWorker::Failed { message }),
        }
    }
    worker.running.set(false);
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => {
            // A Blob is not serde data: it travels as a property of the posted object.
            if let FromWorker::ReportJson { blob: Some(blob), .. } = message {
                let _ = Reflect::set(&value, &"blob".into(), blob);
            }
            let sent = if let FromWorker::PartRead { data: Some(data), .. } = message {
                let _ = Reflect::set(&value, &"part".into(), data);
                let transfer: Array = std::iter::once(JsValue::from(data)).collect();
                scope.post_message_with_transfer(&value, &transfer)
            } else {
                scope.post_message(&value)
            };
            if let Err(err) = sent {
                web_sys::console::error_2(&"sessionhunt worker: cannot post".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("sessionhunt worker: {err}").into()),
    }
}

async fn handle(
    state: &RefCell<WorkerState>,
    data: &JsValue,
    reply: &dyn Fn(FromWorker),
) -> Result<FromWorker, String> {
    let request = Reflect::get(data, &"request".into()).map_err(|_| "malformed request")?;
    let request: ToWorker = serde_wasm_bindgen::from_value(request)
        .map_err(|err| format!("malformed request: {err}"))?;
    if let ToWorker::ReadPart { spec } = request {
        let files = Reflect::get(data, &"files".into()).map_err(|_| "no file in request")?;
        let file =
            Array::from(&files).get(0).dyn_into::<File>().map_err(|_| "no file in request")?;
        return read_part(spec, &file, reply).await;
    }
    if let ToWorker::Analyze { .. } = request {
        let files = Reflect::get(data, &"files".into()).map_err(|_| "no files in request")?;
        let files: Vec<File> =
            Array::from(&files).iter().filter_map(|f| f.dyn_into::<File>().ok()).collect();
        let helper_url = Reflect::get(data, &"workerUrl".into()).ok().and_then(|u| u.as_string());
        // Drop what was loaded before reading anew: only one dataset is ever resident. No borrow
        // of the state is held while reading (it awaits the reader worker).
        {
            let mut state = state.borrow_mut();
            state.dataset = None;
            state.sources = Vec::new();
        }
        let dataset = read_files(&files, helper_url.as_deref(), reply).await?;
        let mut state = state.borrow_mut();
        state.dataset = Some(dataset);
        state.sources = files.into_iter().map(Source::File).collect();
    }
    let mut state = state.borrow_mut();
    let settings = match request {
        ToWorker::Analyze { settings } => settings,
        ToWorker::Demo { settings } => {
            state.dataset = None;
            let mut dataset = Dataset::new();
            let mut sources = Vec::new();
            for (name, bytes) in crate::demo::files() {
                dataset.add_file(&name, &bytes);
                sources.push(Source::Bytes(name, bytes));
            }
            state.dataset = Some(dataset);
            state.sources = sources;
            settings
        }
        ToWorker::Rescore { settings } => settings,
        ToWorker::ReadPart { .. } => return Err("a part is read before anything else".to_owned()),
        ToWorker::RawRows { finding } => {
            let refs: Vec<(String, u64)> = state
                .report
                .iter()
                .flat_map(|r| r.findings.iter())
                .filter(|f| f.id == finding)
                .flat_map(|f| f.events.iter().map(|e| (e.file.clone(), e.line)))
                .collect();
            let rows = raw_rows(&state.sources, &refs);
            return Ok(FromWorker::RawRows { finding, rows });
        }
        ToWorker::Users => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            return Ok(FromWorker::Users { users: users(dataset) });
        }
        ToWorker::UserEvents { user } => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            let events = user_events(dataset, &user);
            let finding_events = state
                .report
                .iter()
                .flat_map(|r| r.findings.iter())
                .filter(|f| f.user == user)
                .map(|f| (f.id.clone(), f.events.clone()))
                .collect();
            return Ok(FromWorker::Events { user, events, finding_events });
        }
    };
    let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
    let mut report = analyze(dataset, &settings);
    // The findings go first, so the page shows them while the report's text (what "Download
    // report" saves) is written here; that comes last (see `protocol`).
    // The page's view leaves out the findings' event lists: they are taken out while the view is
    // written (nothing is copied) and put back, because the worker answers with them later.
    let events: Vec<_> =
        report.findings.iter_mut().map(|f| std::mem::take(&mut f.events)).collect();
    for page in report.findings.chunks(FINDINGS_PAGE) {
        let findings_json = serde_json::to_string(page).map_err(|e| e.to_string())?;
        reply(FromWorker::FindingsPage { findings_json });
    }
    let findings = std::mem::take(&mut report.findings);
    let view_json = serde_json::to_string(&report).map_err(|e| e.to_string());
    report.findings = findings;
    for (finding, events) in report.findings.iter_mut().zip(events) {
        finding.events = events;
    }
    let count = report.findings.len() as u64;
    reply(FromWorker::Done { view_json: view_json?, findings: count });
    let report_json = report.to_json();
    state.report = Some(report);
    let blob = json_blob(&report_json)?;
    drop(report_json);
    Ok(FromWorker::ReportJson { bytes: blob.size() as u64, blob: Some(blob) })
}

/// The report's text as a `Blob`, made here in the worker and never decoded into a JavaScript
/// string. Copied out of wasm memory in 8 MiB pieces, each a Blob of its own (a Blob of Blobs does
/// not copy them again), so a 300 MB report never needs a second 300 MB array at once.
fn json_blob(text: &str) -> Result<Blob, String> {
    let error = |e: JsValue| format!("cannot hold the report: {e:?}");
    let pieces = Array::new();
    for piece in text.as_bytes().chunks(8 << 20) {
        let part: Array = std::iter::once(JsValue::from(Uint8Array::from(piece))).collect();
        let blob = Blob::new_with_u8_array_sequence(&part).map_err(error)?;
        pieces.push(&blob);
    }
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    Blob::new_with_blob_sequence_and_options(&pieces, &options).map_err(error)
}

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
                first: sessionhunt::time::rfc3339(first),
                last: sessionhunt::time::rfc3339(last),
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

fn event_view(dataset: &Dataset, event: &Event) -> EventView {
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
        time: sessionhunt::time::rfc3339(e.time),
        millis: e.time as f64,
        kind: e.kind.as_str().to_owned(),
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

async fn read_files(
    files: &[File],
    helper_url: Option<&str>,
    reply: &dyn Fn(FromWorker),
) -> Result<Dataset, String> {
    let started = js_sys::Date::now();
    let elapsed = move || (js_sys::Date::now() - started).max(0.0) as u64;
    // Sorted by name so the report does not depend on the order the files were dropped in.
    let mut files: Vec<&File> = files.iter().collect();
    files.sort_by_key(|f| f.name());
    let bytes_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let mut progress = Progress {
        bytes_total,
        files_total: u32::try_from(files.len()).unwrap_or(u32::MAX),
        ..Progress::default()
    };
    let reader = SliceReader::new()?;
    // Where a helper would take over each large file: the core's cut for two parts (the line
    // start after its middle, none under `PART_MIN_BYTES`), as the CLI cuts for its threads.
    // Slices end there, so the slices before it are exactly what this worker reads when it does.
    let splits: Vec<Option<u64>> = files
        .iter()
        .map(|f| {
            helper_url?;
            let size = f.size() as u64;
            let read = |at: u64, len: u64| window(&reader, f, at, len);
            cut_points(0, size, 2, PART_MIN_BYTES, read).ok()?.first().copied()
        })
        .collect();
    // Every slice of every file, in reading order, so the reader worker can run ahead across
    // the end of one file into the next.
    let plan: Vec<(usize, u64, u64)> = files
        .iter()
        .zip(&splits)
        .enumerate()
        .flat_map(|(index, (file, split))| slices(index, 0, file.size() as u64, *split))
        .collect();
    // Per file: where its helper's part starts, once a helper took it (slices from there on are
    // not read here).
    let mut handed: Vec<Option<u64>> = vec![None; files.len()];
    let mut last_post = 0;
    let mut ahead: VecDeque<Pending> = VecDeque::new();
    let mut asked = 0;
    let mut dataset = Dataset::new();
    let mut buf = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let name = file.name();
        let size = file.size() as u64;
        progress.file = name.clone();
        progress.elapsed_ms = elapsed();
        reply(FromWorker::Progress(progress.clone()));
        let rows_before = progress.rows_done;
        let mut ingest = dataset.begin_file(&name, Some(size));
        let mut helper: Option<PartHelper> = None;
        let with_helper = |progress: &Progress, helper: Option<&PartHelper>| {
            let (bytes, rows) = helper.map_or((0, 0), |h| h.progress.get());
            Progress {
                bytes_done: progress.bytes_done + bytes,
                rows_done: progress.rows_done + rows,
                ..progress.clone()
            }
        };
        loop {
            let taken = |handed: &[Option<u64>], (f, start, _): (usize, u64, u64)| {
                handed[f].is_some_and(|from| start >= from)
            };
            while plan.get(asked).is_some_and(|&s| taken(&handed, s)) {
                asked += 1;
            }
            let next = ahead.front().map(|p| p.slice).or_else(|| plan.get(asked).copied());
            if next.is_none_or(|s| s.0 != index) {
                break;
            }
            while ahead.len() < AHEAD
                && let Some(&(f, start, end)) = plan.get(asked)
            {
                asked += 1;
                if !taken(&handed, (f, start, end)) {
                    ahead.push_back(reader.ask(files[f], (f, start, end)));
                }
            }
            let Some(pending) = ahead.pop_front() else { break };
            if taken(&handed, pending.slice) {
                // Asked before the helper took it: the reader answers in order, so take the
                // answer and drop it.
                reader.discard(pending).await;
                continue;
            }
            let (_, start, end) = pending.slice;
            let array = reader.take(files[index], pending).await?;
            buf.resize(array.length() as usize, 0);
            array.copy_to(&mut buf);
            ingest.push(&buf);
            progress.bytes_done += end - start;
            progress.rows_done = rows_before + ingest.rows();
            progress.elapsed_ms = elapsed();
            // Every slice would be 40 updates a second, each re-rendering the page: a fifth of a
            // core taken from reading on a 2-core machine (measured). A few a second is as smooth.
            if progress.elapsed_ms >= last_post + PROGRESS_EVERY_MS {
                last_post = progress.elapsed_ms;
                reply(FromWorker::Progress(with_helper(&progress, helper.as_ref())));
            }
            // The header is read with the first slice: the second half can go to a helper.
            if start == 0
                && let (Some(split), Some(url)) = (splits[index], helper_url)
                && let Some(spec) = ingest.part_spec(split, size)
                && let Some(h) = PartHelper::spawn(url, file, &spec)
            {
                handed[index] = Some(split);
                helper = Some(h);
            }
        }
        if let Some(helper) = helper.take() {
            let range = handed[index].unwrap_or(size)..size;
            // Progress goes on while the helper finishes its half.
            let joined = loop {
                if let Some(answer) = helper.answer(250).await {
                    break answer.and_then(|part| ingest.join(part).map_err(|_| ()));
                }
                progress.elapsed_ms = elapsed();
                reply(FromWorker::Progress(with_helper(&progress, Some(&helper))));
            };
            drop(helper);
            if joined.is_err() {
                // The helper failed, or its part could not be joined (a quoted field across the
                // split): read those bytes here instead.
                for (_, start, end) in slices(index, range.start, range.end, None) {
                    let pending = Pending { slice: (index, start, end), answer: None };
                    let array = reader.take(files[index], pending).await?;
                    buf.resize(array.length() as usize, 0);
                    array.copy_to(&mut buf);
                    ingest.push(&buf);
                }
            }
            progress.bytes_done += range.end - range.start;
        }
        let index = ingest.finish();
        progress.rows_done = rows_before + dataset.files.get(index).map_or(0, |f| f.rows);
        progress.files_done += 1;
    }
    progress.elapsed_ms = elapsed();
    reply(FromWorker::Progress(progress));
    Ok(dataset)
}

/// The slices of bytes `from..to` of file `index`, ending at `split` too when it is inside.
fn slices(index: usize, from: u64, to: u64, split: Option<u64>) -> Vec<(usize, u64, u64)> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let mut end = (at + SLICE).min(to);
        if let Some(split) = split
            && at < split
            && split < end
        {
            end = split;
        }
        out.push((index, at, end));
        at = end;
    }
    out
}

/// Up to `len` bytes of a file from `at` (read at once: the file is cut before reading starts).
fn window(reader: &SliceReader, file: &File, at: u64, len: u64) -> Result<Vec<u8>, ()> {
    let to = at.saturating_add(len).min(file.size() as u64);
    let slice = file.slice_with_f64_and_f64(at as f64, to as f64).map_err(|_| ())?;
    let array = reader.sync.read_as_array_buffer(&slice).map_err(|_| ())?;
    Ok(Uint8Array::new(&array).to_vec())
}

/// Reads a part of a file for the worker that started this one (see [`PartHelper`]): the
/// range's slices (ahead, on a reader worker, as [`read_files`] does), pushed into a `Part`, and
/// the part's data posted back as bytes.
async fn read_part(
    spec: PartSpec,
    file: &File,
    reply: &dyn Fn(FromWorker),
) -> Result<FromWorker, String> {
    let range = spec.range();
    let mut part = Part::new(spec);
    let reader = SliceReader::new()?;
    let mut plan = slices(0, range.start, range.end, None).into_iter();
    let mut ahead: VecDeque<Pending> = VecDeque::new();
    let mut buf = Vec::new();
    let mut done = 0;
    loop {
        while ahead.len() < AHEAD
            && let Some(slice) = plan.next()
        {
            ahead.push_back(reader.ask(file, slice));
        }
        let Some(pending) = ahead.pop_front() else { break };
        let (_, start, end) = pending.slice;
        let array = reader.take(file, pending).await?;
        buf.resize(array.length() as usize, 0);
        array.copy_to(&mut buf);
        part.push(&buf);
        done += end - start;
        reply(FromWorker::PartProgress { bytes: done, rows: part.rows() });
    }
    drop(buf);
    let bytes = part.finish().to_bytes()?;
    let array =
        Uint8Array::new_with_length(u32::try_from(bytes.len()).map_err(|_| "part too large")?);
    array.copy_from(&bytes);
    Ok(FromWorker::PartRead { bytes: bytes.len() as u64, data: Some(array.buffer()) })
}

/// A helper worker reading the second half of a large file (see the module's documentation).
///
/// Another instance of this worker, started from the URL the page started this one from (a blob:
/// URL, which the page's CSP allows for workers). It says `Ready`, is sent [`ToWorker::ReadPart`]
/// with the file, reports [`FromWorker::PartProgress`] and answers [`FromWorker::PartRead`] (or
/// `Failed`). Dropping it terminates it. Written by hand: it is this product's own message flow.
struct PartHelper {
    worker: Worker,
    /// Bytes and rows the helper has read so far.
    progress: Rc<Cell<(u64, u64)>>,
    /// The answer, once it came: the part, or `Err` when the helper failed.
    answer: Rc<RefCell<Option<Result<PartData, ()>>>>,
    /// Resolved when the answer comes.
    answered: Promise,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl PartHelper {
    fn spawn(url: &str, file: &File, spec: &PartSpec) -> Option<PartHelper> {
        let worker = Worker::new(url).ok()?;
        let request = Object::new();
        let spec = ToWorker::ReadPart { spec: spec.clone() };
        Reflect::set(&request, &"request".into(), &serde_wasm_bindgen::to_value(&spec).ok()?)
            .ok()?;
        let file_array: Array = std::iter::once(JsValue::from(file)).collect();
        Reflect::set(&request, &"files".into(), &file_array).ok()?;
        let progress: Rc<Cell<(u64, u64)>> = Rc::default();
        let answer: Rc<RefCell<Option<Result<PartData, ()>>>> = Rc::default();
        let mut resolve_answered: Option<Function> = None;
        let answered = Promise::new(&mut |resolve, _| resolve_answered = Some(resolve));
        let resolve_answered = resolve_answered?;
        let settle = {
            let (answer, resolve) = (answer.clone(), resolve_answered.clone());
            move |result: Result<PartData, ()>| {
                let mut answer = answer.borrow_mut();
                if answer.is_none() {
                    *answer = Some(result);
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
        };
        let on_message = {
            let (worker, progress, settle) = (worker.clone(), progress.clone(), settle.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                match serde_wasm_bindgen::from_value::<FromWorker>(data.clone()) {
                    Ok(FromWorker::Ready) => {
                        if worker.post_message(&request).is_err() {
                            settle(Err(()));
                        }
                    }
                    Ok(FromWorker::PartProgress { bytes, rows }) => progress.set((bytes, rows)),
                    Ok(FromWorker::PartRead { .. }) => {
                        let part = Reflect::get(&data, &"part".into())
                            .ok()
                            .and_then(|b| b.dyn_into::<ArrayBuffer>().ok())
                            .map(|b| Uint8Array::new(&b).to_vec());
                        settle(
                            part.ok_or(()).and_then(|b| PartData::from_bytes(&b).map_err(|_| ())),
                        );
                    }
                    _ => settle(Err(())),
                }
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Handled: this worker reads the bytes itself.
            event.prevent_default();
            settle(Err(()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(PartHelper {
            worker,
            progress,
            answer,
            answered,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The helper's answer, or `None` if it has not come within `ms` milliseconds.
    async fn answer(&self, ms: i32) -> Option<Result<PartData, ()>> {
        if self.answer.borrow().is_none() {
            let timer = Promise::new(&mut |resolve, _| {
                let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
                let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            });
            let first: Array = [self.answered.clone(), timer].into_iter().collect();
            let _ = JsFuture::from(Promise::race(&first)).await;
        }
        self.answer.borrow_mut().take()
    }
}

impl Drop for PartHelper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A slice asked for: (file index, start, end), and the reader worker's answer to come, if it
/// was asked.
struct Pending {
    slice: (usize, u64, u64),
    answer: Option<JsFuture>,
}

/// Reads slices of files, on a reader worker of its own when it could start one.
///
/// Written by hand: reading a `File` on another thread while this one computes is the point, and
/// the browser offers no API for it but a worker. The reader is a few lines of JavaScript (a
/// blob: script, which the page's CSP allows as a worker), answering each `{file, start, end}`
/// with `{buffer}` (transferred) or `{error}`, in the order asked. It lives as long as one
/// reading: dropping it terminates the reader, so no late answer can reach a later request.
struct SliceReader {
    sync: FileReaderSync,
    helper: Option<Helper>,
}

struct Helper {
    worker: Worker,
    /// The resolve functions of the answers awaited, oldest first.
    waiting: Rc<RefCell<VecDeque<Function>>>,
    /// Set when the reader failed: it is asked nothing more.
    broken: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

const READER_SCRIPT: &str = "onmessage=(e)=>{const m=e.data;\
try{const b=new FileReaderSync().readAsArrayBuffer(m.file.slice(m.start,m.end));\
postMessage({buffer:b},[b]);}catch(err){postMessage({error:String(err)});}};";

impl SliceReader {
    fn new() -> Result<SliceReader, String> {
        let sync = FileReaderSync::new().map_err(|_| "this browser has no FileReaderSync")?;
        Ok(SliceReader { sync, helper: Helper::spawn() })
    }

    /// Asks the reader worker for a slice (nothing is asked when there is none).
    fn ask(&self, file: &File, slice: (usize, u64, u64)) -> Pending {
        let answer = self.helper.as_ref().and_then(|h| h.ask(file, slice.1, slice.2));
        Pending { slice, answer }
    }

    /// Waits for the answer to a slice asked for and drops it (a slice a helper took meanwhile).
    async fn discard(&self, pending: Pending) {
        if let Some(answer) = pending.answer {
            let _ = answer.await;
        }
    }

    /// The bytes of a slice asked for: the reader worker's answer, or, if it had none or failed,
    /// read here.
    async fn take(&self, file: &File, pending: Pending) -> Result<Uint8Array, String> {
        if let Some(answer) = pending.answer {
            let buffer = answer.await.ok().and_then(|value| {
                Reflect::get(&value, &"buffer".into()).ok()?.dyn_into::<ArrayBuffer>().ok()
            });
            if let Some(buffer) = buffer {
                return Ok(Uint8Array::new(&buffer));
            }
            // Whatever went wrong there (the reader could not start, or could not read), reading
            // here either works or says why with the file's name; the reader is not asked again,
            // but still answers (or fails) what it was asked already.
            if let Some(helper) = &self.helper {
                helper.broken.set(true);
            }
        }
        let (_, start, end) = pending.slice;
        let name = file.name();
        let slice = file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| format!("{name}: cannot slice the file"))?;
        let array = self
            .sync
            .read_as_array_buffer(&slice)
            .map_err(|_| format!("{name}: the browser could not read the file"))?;
        Ok(Uint8Array::new(&array))
    }
}

impl Helper {
    fn spawn() -> Option<Helper> {
        let parts: Array = std::iter::once(JsValue::from_str(READER_SCRIPT)).collect();
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = Url::create_object_url_with_blob(&blob).ok()?;
        let worker = Worker::new(&url);
        // The worker has its own reference to the script once constructed.
        let _ = Url::revoke_object_url(&url);
        let worker = worker.ok()?;
        let waiting: Rc<RefCell<VecDeque<Function>>> = Rc::default();
        let on_answer = waiting.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let resolve = on_answer.borrow_mut().pop_front();
            if let Some(resolve) = resolve {
                let _ = resolve.call1(&JsValue::NULL, &event.data());
            }
        });
        // A reader that fails to start, or dies, answers everything awaited with an error.
        let on_failure = waiting.clone();
        let broken: Rc<Cell<bool>> = Rc::default();
        let failed = broken.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Handled here (the slices are read again on this thread): not an uncaught error.
            event.prevent_default();
            failed.set(true);
            let waiting: Vec<Function> = on_failure.borrow_mut().drain(..).collect();
            let failure = Object::new();
            let _ = Reflect::set(&failure, &"error".into(), &"the reader worker failed".into());
            for resolve in waiting {
                let _ = resolve.call1(&JsValue::NULL, &failure);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Helper { worker, waiting, broken, _on_message: on_message, _on_error: on_error })
    }

    fn ask(&self, file: &File, start: u64, end: u64) -> Option<JsFuture> {
        if self.broken.get() {
            return None;
        }
        let message = Object::new();
        Reflect::set(&message, &"file".into(), file).ok()?;
        Reflect::set(&message, &"start".into(), &(start as f64).into()).ok()?;
        Reflect::set(&message, &"end".into(), &(end as f64).into()).ok()?;
        let waiting = self.waiting.clone();
        let promise = Promise::new(&mut |resolve, _reject| waiting.borrow_mut().push_back(resolve));
        if self.worker.post_message(&message).is_err() {
            // Not sent: nothing will answer it.
            self.waiting.borrow_mut().pop_back();
            return None;
        }
        Some(JsFuture::from(promise))
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The rows at `refs` (file name as the report gives it, 1-based line), read again from the
/// sources through the core's raw-row reader (the same containers and encodings as ingestion).
/// A file is read in slices only until its rows are found (an archive: to its end).
fn raw_rows(sources: &[Source], refs: &[(String, u64)]) -> Vec<RawRow> {
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
