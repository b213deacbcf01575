//! A large file's second half read by a helper worker (another instance of this worker) as a
//! core `Part`, and that helper's side of the exchange.

use super::reading::{AHEAD, Pending, SliceReader, slices};
use super::*;

/// Reads a part of a file for the worker that started this one (see [`PartHelper`]): the
/// range's slices (ahead, on a reader worker, as [`read_files`] does), pushed into a `Part`, and
/// the part's data posted back as bytes.
pub(super) async fn read_part(
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
pub(super) struct PartHelper {
    pub(super) worker: Worker,
    /// Bytes and rows the helper has read so far.
    pub(super) progress: Rc<Cell<(u64, u64)>>,
    /// The answer, once it came: the part, or `Err` when the helper failed.
    pub(super) answer: Rc<RefCell<Option<Result<PartData, ()>>>>,
    /// Resolved when the answer comes.
    pub(super) answered: Promise,
    pub(super) _on_message: Closure<dyn FnMut(MessageEvent)>,
    pub(super) _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl PartHelper {
    pub(super) fn spawn(url: &str, file: &File, spec: &PartSpec) -> Option<PartHelper> {
        let worker = Worker::new(url).ok()?;
        let request = Request {
            message: ToWorker::ReadPart { spec: spec.clone() },
            files: vec![file.clone()],
            worker_url: None,
        }
        .encode()
        .ok()?;
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
                match FromWorker::decode(&event.data()) {
                    FromWorker::Ready => {
                        if worker.post_message(&request).is_err() {
                            settle(Err(()));
                        }
                    }
                    FromWorker::PartProgress { bytes, rows } => progress.set((bytes, rows)),
                    FromWorker::PartRead { data: Some(part), .. } => {
                        let bytes = Uint8Array::new(&part).to_vec();
                        settle(PartData::from_bytes(&bytes).map_err(|_| ()));
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
    pub(super) async fn answer(&self, ms: i32) -> Option<Result<PartData, ()>> {
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
