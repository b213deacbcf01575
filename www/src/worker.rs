//! The analysis worker: reads `File`s in slices, streams them into the core, analyses, reports.
//!
//! It keeps the loaded [`Dataset`] between requests so a settings change re-scores without
//! re-reading the files. Reading is synchronous (`FileReaderSync`, available in workers only), one
//! slice at a time, so memory holds one slice of raw input, never a whole file.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use sessionhunt::ingest::Dataset;
use sessionhunt::model::{AuthRequirement, Event, Outcome, RiskLevel, Sym};
use sessionhunt::{Report, analyze};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use crate::protocol::{EventView, FromWorker, Progress, ToWorker};

/// Size of the slices files are read in.
const SLICE: u64 = 8 << 20;

#[derive(Default)]
struct WorkerState {
    dataset: Option<Dataset>,
    /// The last report, for the event references of findings the page asks about.
    report: Option<Report>,
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(WorkerState::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let reply = |message: FromWorker| post(&reply_scope, &message);
        match handle(&state, &event.data(), &reply) {
            Ok(message) => reply(message),
            Err(message) => reply(FromWorker::Failed { message }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &FromWorker::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => {
            if let Err(err) = scope.post_message(&value) {
                web_sys::console::error_2(&"sessionhunt worker: cannot post".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("sessionhunt worker: {err}").into()),
    }
}

fn handle(
    state: &Rc<RefCell<WorkerState>>,
    data: &JsValue,
    reply: &dyn Fn(FromWorker),
) -> Result<FromWorker, String> {
    let request = Reflect::get(data, &"request".into()).map_err(|_| "malformed request")?;
    let request: ToWorker = serde_wasm_bindgen::from_value(request)
        .map_err(|err| format!("malformed request: {err}"))?;
    let mut state = state.borrow_mut();
    let settings = match request {
        ToWorker::Analyze { settings } => {
            let files = Reflect::get(data, &"files".into()).map_err(|_| "no files in request")?;
            let files: Vec<File> =
                Array::from(&files).iter().filter_map(|f| f.dyn_into::<File>().ok()).collect();
            // Drop what was loaded before reading anew: only one dataset is ever resident.
            state.dataset = None;
            state.dataset = Some(read_files(&files, reply)?);
            settings
        }
        ToWorker::Demo { settings } => {
            state.dataset = None;
            let mut dataset = Dataset::new();
            for (name, bytes) in crate::demo::files() {
                dataset.add_file(&name, &bytes);
            }
            state.dataset = Some(dataset);
            settings
        }
        ToWorker::Rescore { settings } => settings,
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
    let report = analyze(dataset, &settings);
    let report_json = report.to_json();
    let mut view = report.clone();
    for finding in &mut view.findings {
        finding.events = Vec::new();
    }
    let view_json = serde_json::to_string(&view).map_err(|e| e.to_string())?;
    state.report = Some(report);
    reply(FromWorker::ReportJson { report_json });
    Ok(FromWorker::Done { view_json })
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

fn event_view(dataset: &Dataset, e: &Event) -> EventView {
    let s = |sym: Sym| dataset.strings.resolve(sym).to_owned();
    let join = |parts: &[String], sep: &str| {
        parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(sep)
    };
    let outcome = match e.outcome {
        Outcome::Success => "success",
        Outcome::Failure => "failure",
        Outcome::Interrupted => "interrupted",
        Outcome::Unknown => "unknown",
    };
    let outcome = if e.error_code == 0 {
        outcome.to_owned()
    } else {
        format!("{outcome} (error {})", e.error_code)
    };
    let risk = match e.risk_level {
        RiskLevel::None => String::new(),
        RiskLevel::Low => "low".to_owned(),
        RiskLevel::Medium => "medium".to_owned(),
        RiskLevel::High => "high".to_owned(),
    };
    let requirement = match e.auth_requirement {
        AuthRequirement::Unknown => String::new(),
        AuthRequirement::SingleFactor => "single-factor".to_owned(),
        AuthRequirement::MultiFactor => "multi-factor".to_owned(),
    };
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
        session_id: s(e.session_id),
        request_id: s(e.request_id),
        outcome,
        risk: join(&[risk, s(e.risk_event_types)], " · "),
        device: join(&device, " · "),
        authentication: join(&[s(e.mfa_detail), requirement, s(e.incoming_token_type)], " · "),
        operation,
        audit_detail,
    }
}

fn read_files(files: &[File], reply: &dyn Fn(FromWorker)) -> Result<Dataset, String> {
    let reader = FileReaderSync::new().map_err(|_| "this browser has no FileReaderSync")?;
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
    let mut dataset = Dataset::new();
    let mut buf = Vec::new();
    for file in files {
        let name = file.name();
        let size = file.size() as u64;
        progress.file = name.clone();
        progress.elapsed_ms = elapsed();
        reply(FromWorker::Progress(progress.clone()));
        let rows_before = progress.rows_done;
        let mut ingest = dataset.begin_file(&name, Some(size));
        let mut offset = 0u64;
        while offset < size {
            let end = (offset + SLICE).min(size);
            let slice = file
                .slice_with_f64_and_f64(offset as f64, end as f64)
                .map_err(|_| format!("{name}: cannot slice the file"))?;
            let array = reader
                .read_as_array_buffer(&slice)
                .map_err(|_| format!("{name}: the browser could not read the file"))?;
            let array = Uint8Array::new(&array);
            buf.resize(array.length() as usize, 0);
            array.copy_to(&mut buf);
            ingest.push(&buf);
            progress.bytes_done += end - offset;
            progress.rows_done = rows_before + ingest.rows();
            progress.elapsed_ms = elapsed();
            offset = end;
            reply(FromWorker::Progress(progress.clone()));
        }
        let index = ingest.finish();
        progress.rows_done = rows_before + dataset.files.get(index).map_or(0, |f| f.rows);
        progress.files_done += 1;
    }
    progress.elapsed_ms = elapsed();
    reply(FromWorker::Progress(progress));
    Ok(dataset)
}
