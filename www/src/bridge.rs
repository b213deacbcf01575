//! The page's side of the worker: starts it, queues requests until it is ready, and turns its
//! messages into callbacks.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};
use yew::Callback;

use crate::protocol::{FromWorker, Request, ToWorker};

/// A running analysis worker.
pub struct Analyzer {
    worker: Worker,
    /// The URL the worker was started from, which it starts helpers from (see `worker`).
    url: String,
    inner: Rc<RefCell<Inner>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

#[derive(Default)]
struct Inner {
    ready: bool,
    queue: Vec<JsValue>,
}

impl Analyzer {
    /// Starts the worker; `on_event` receives every message it sends.
    pub fn spawn(on_event: Callback<FromWorker>) -> Result<Analyzer, String> {
        let (worker, url) = new_worker()?;
        let inner = Rc::new(RefCell::new(Inner::default()));
        let flush_worker = worker.clone();
        let flush_inner = inner.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let message = FromWorker::decode(&event.data());
            if message == FromWorker::Ready {
                let queued = {
                    let mut inner = flush_inner.borrow_mut();
                    inner.ready = true;
                    std::mem::take(&mut inner.queue)
                };
                for value in queued {
                    // A failed post surfaces as a worker error event; nothing else to do here.
                    let _ = flush_worker.post_message(&value);
                }
            }
            on_event.emit(message);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Analyzer { worker, url, inner, _on_message: on_message })
    }

    /// Sends a request, with the files it reads (none for `Demo` and `Rescore`).
    pub fn send(&self, request: &ToWorker, files: &[File]) -> Result<(), String> {
        let worker_url = (logical_processors() >= HELPER_MIN_PROCESSORS).then(|| self.url.clone());
        let message =
            Request { message: request.clone(), files: files.to_vec(), worker_url }.encode()?;
        let mut inner = self.inner.borrow_mut();
        if inner.ready {
            self.worker.post_message(&message).map_err(js_error)
        } else {
            inner.queue.push(message);
            Ok(())
        }
    }
}

impl Drop for Analyzer {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Logical processors from which the worker is offered helpers (its URL, to start them from) that
/// parse half of a large export each (see `worker`). Measured on 2: the helper's parsing competes
/// with the reading (the browser's file I/O) and the page for the two cores, and the 564 MB
/// benchmark took as long (3.87-4.14 s against 3.88-3.96 s), so it is not offered there.
const HELPER_MIN_PROCESSORS: u32 = 3;

/// `navigator.hardwareConcurrency` (1 when the browser does not say).
fn logical_processors() -> u32 {
    let navigator = web_sys::window().and_then(|w| Reflect::get(&w, &"navigator".into()).ok());
    navigator
        .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()).ok())
        .and_then(|c| c.as_f64())
        .map_or(1, |c| c as u32)
}

fn js_error(err: JsValue) -> String {
    err.as_string().unwrap_or_else(|| format!("{err:?}"))
}

/// Starts the worker.
///
/// Served from `dist/`: from a tiny blob script that loads Trunk's worker build (`worker.js`, a
/// no-modules wasm-bindgen script, and `worker_bg.wasm`) by absolute URL, resolved against the
/// page's base URL so it works at any sub-path.
///
/// As the single self-contained HTML file (`scripts/single-file.mjs`), nothing can be fetched (a
/// `file://` page may not load scripts or wasm from disk): that page's bootstrap has already made
/// a blob: URL holding the worker's script and wasm, and announces it as
/// `window.sessionhuntSingleFile.workerUrl`.
///
/// Returns the worker and the URL it was started from (kept: the worker starts helpers from it).
fn new_worker() -> Result<(Worker, String), String> {
    if let Some(url) = single_file_worker_url() {
        return Ok((Worker::new(&url).map_err(js_error)?, url));
    }
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let base = document.base_uri().map_err(js_error)?.ok_or("no base URL")?;
    let script_url = Url::new_with_base("worker.js", &base).map_err(js_error)?.href();
    let wasm_url = Url::new_with_base("worker_bg.wasm", &base).map_err(js_error)?.href();
    let source = format!(
        "importScripts({script});wasm_bindgen({{module_or_path:{wasm}}});",
        script = js_string(&script_url),
        wasm = js_string(&wasm_url)
    );
    let parts: Array = std::iter::once(JsValue::from_str(&source)).collect();
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    Ok((Worker::new(&url).map_err(js_error)?, url))
}

/// The worker's blob: URL made by the single-file bootstrap, if this page is the single file.
fn single_file_worker_url() -> Option<String> {
    let window = web_sys::window()?;
    let single = Reflect::get(&window, &"sessionhuntSingleFile".into()).ok()?;
    if !single.is_object() {
        return None;
    }
    Reflect::get(&single, &"workerUrl".into()).ok()?.as_string()
}

/// A JavaScript string literal for `s` (JSON string syntax is valid JavaScript).
fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}
