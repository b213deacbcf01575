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
use std::collections::BTreeMap;

use sessionhunt::export::{Grades, Kind, Selection, render};
use sessionhunt::{Report, Settings, analyze};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent, Url,
    Worker,
};

use crate::protocol::{
    EventView, FINDINGS_PAGE, FromWorker, Progress, Request, ToWorker, UserRow, VIEW_ROWS,
};

mod parts;
mod reading;
mod views;

use parts::read_part;
use reading::read_files;
use views::{raw_rows, sha256_of_sources};
pub use views::{user_events, users};

#[derive(Default)]
struct WorkerState {
    dataset: Option<Dataset>,
    /// The last report, for the event references of findings the page asks about.
    report: Option<Report>,
    /// The settings of the last report (the exports are made with them).
    settings: Settings,
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
    let sent = message.encode().and_then(|(value, transfer)| {
        match transfer {
            Some(transfer) => scope.post_message_with_transfer(&value, &transfer),
            None => scope.post_message(&value),
        }
        .map_err(|err| format!("cannot post: {err:?}"))
    });
    if let Err(err) = sent {
        web_sys::console::error_1(&format!("sessionhunt worker: {err}").into());
    }
}

async fn handle(
    state: &RefCell<WorkerState>,
    data: &JsValue,
    reply: &dyn Fn(FromWorker),
) -> Result<FromWorker, String> {
    let Request { message: request, files, worker_url: helper_url } = Request::decode(data)?;
    if let ToWorker::ReadPart { spec } = request {
        let file = files.first().ok_or("no file in request")?;
        return read_part(spec, file, reply).await;
    }
    if let ToWorker::Analyze { .. } = request {
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
        ToWorker::Export { export, min_severity, grades } => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            let report = state.report.as_ref().ok_or("nothing is analysed yet")?;
            let grades = match grades.as_deref() {
                Some(text) => Grades::parse(text)?,
                None => Grades::default(),
            };
            let selection = Selection { min_severity, grades };
            let hashes = match export {
                Kind::CaseReport => sha256_of_sources(&state.sources)?,
                _ => BTreeMap::new(),
            };
            let text = render(export, report, dataset, &state.settings, &selection, &hashes);
            let blob = text_blob(&text, export.mime())?;
            let (name, bytes) = (export.file_name().to_owned(), blob.size() as u64);
            return Ok(FromWorker::Exported { export, name, bytes, blob: Some(blob) });
        }
        ToWorker::Users => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            return Ok(FromWorker::Users { users: users(dataset) });
        }
        ToWorker::Session { id } => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            let report = state.report.as_ref().ok_or("nothing is analysed yet")?;
            let mut view = sessionhunt::views::session(dataset, report, &id);
            let total_events = view.events.len() as u64;
            view.events.truncate(VIEW_ROWS);
            return Ok(FromWorker::Session { view, total_events });
        }
        ToWorker::Campaign => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            let report = state.report.as_ref().ok_or("nothing is analysed yet")?;
            let indicators = sessionhunt::views::campaign(dataset, report);
            let total = indicators.len() as u64;
            let indicators = indicators
                .into_iter()
                .take(VIEW_ROWS)
                .map(crate::protocol::CampaignRow::of)
                .collect();
            return Ok(FromWorker::Campaign { indicators, total });
        }
        ToWorker::Overview => {
            let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
            let report = state.report.as_ref().ok_or("nothing is analysed yet")?;
            let mut overview = sessionhunt::views::overview(dataset, report);
            let total_users = overview.users.len() as u64;
            // Users with findings first, most severe first (the core's list is by name).
            overview.users.sort_by(|a, b| {
                b.severity.cmp(&a.severity).then_with(|| b.findings.cmp(&a.findings))
            });
            overview.users.truncate(VIEW_ROWS);
            return Ok(FromWorker::Overview { overview, total_users });
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
    state.settings = settings;
    let blob = text_blob(&report_json, "application/json")?;
    drop(report_json);
    Ok(FromWorker::ReportJson { bytes: blob.size() as u64, blob: Some(blob) })
}

/// A text (the report's, an export's) as a `Blob` of type `mime`, made here in the worker and
/// never decoded into a JavaScript string. Copied out of wasm memory in 8 MiB pieces, each a Blob
/// of its own (a Blob of Blobs does not copy them again), so a 300 MB report never needs a second
/// 300 MB array at once.
fn text_blob(text: &str, mime: &str) -> Result<Blob, String> {
    let error = |e: JsValue| format!("cannot hold the report: {e:?}");
    let pieces = Array::new();
    for piece in text.as_bytes().chunks(8 << 20) {
        let part: Array = std::iter::once(JsValue::from(Uint8Array::from(piece))).collect();
        let blob = Blob::new_with_u8_array_sequence(&part).map_err(error)?;
        pieces.push(&blob);
    }
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(&pieces, &options).map_err(error)
}
