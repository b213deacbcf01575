//! The analysis worker: reads `File`s in slices, streams them into the core, analyses, reports.
//!
//! It keeps the loaded [`Dataset`] between requests so a settings change re-scores without
//! re-reading the files. Reading is synchronous (`FileReaderSync`, available in workers only), one
//! slice at a time, so memory holds one slice of raw input, never a whole file.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use sessionhunt::analyze;
use sessionhunt::ingest::Dataset;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use crate::protocol::{FromWorker, Progress, ToWorker};

/// Size of the slices files are read in.
const SLICE: u64 = 8 << 20;

#[derive(Default)]
struct WorkerState {
    dataset: Option<Dataset>,
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(WorkerState::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let reply = |message: FromWorker| post(&reply_scope, &message);
        match handle(&state, &event.data(), &reply) {
            Ok(report_json) => reply(FromWorker::Done { report_json }),
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
) -> Result<String, String> {
    let request = Reflect::get(data, &"request".into()).map_err(|_| "malformed request")?;
    let request: ToWorker = serde_wasm_bindgen::from_value(request)
        .map_err(|err| format!("malformed request: {err}"))?;
    let mut state = state.borrow_mut();
    let settings = match request {
        ToWorker::Analyze { settings } => {
            let files = Reflect::get(data, &"files".into()).map_err(|_| "no files in request")?;
            let files: Vec<File> =
                Array::from(&files).iter().filter_map(|f| f.dyn_into::<File>().ok()).collect();
            state.dataset = Some(read_files(&files, reply)?);
            settings
        }
        ToWorker::Demo { settings } => {
            let mut dataset = Dataset::new();
            for (name, bytes) in crate::demo::files() {
                dataset.add_file(&name, &bytes);
            }
            state.dataset = Some(dataset);
            settings
        }
        ToWorker::Rescore { settings } => settings,
    };
    let dataset = state.dataset.as_ref().ok_or("nothing is loaded yet")?;
    Ok(analyze(dataset, &settings).to_json())
}

fn read_files(files: &[File], reply: &dyn Fn(FromWorker)) -> Result<Dataset, String> {
    let reader = FileReaderSync::new().map_err(|_| "this browser has no FileReaderSync")?;
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
        reply(FromWorker::Progress(progress.clone()));
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
            offset = end;
            reply(FromWorker::Progress(progress.clone()));
        }
        ingest.finish();
        progress.files_done += 1;
    }
    reply(FromWorker::Progress(progress));
    Ok(dataset)
}
