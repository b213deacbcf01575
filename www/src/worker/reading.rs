//! Reading the chosen files into the core: slices read ahead on a reader worker of its own
//! ([`SliceReader`]), progress, and the hand-over of a large file's second half to a helper
//! ([`super::parts`]).

use super::parts::PartHelper;
use super::*;

/// Size of the slices files are read in.
pub(super) const SLICE: u64 = 8 << 20;

/// Slices asked of the reader worker ahead of the one being pushed into the core.
pub(super) const AHEAD: usize = 3;

/// Least time between two progress messages while a file is read.
pub(super) const PROGRESS_EVERY_MS: u64 = 125;

pub(super) async fn read_files(
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
pub(super) fn slices(
    index: usize,
    from: u64,
    to: u64,
    split: Option<u64>,
) -> Vec<(usize, u64, u64)> {
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
pub(super) fn window(reader: &SliceReader, file: &File, at: u64, len: u64) -> Result<Vec<u8>, ()> {
    let to = at.saturating_add(len).min(file.size() as u64);
    let slice = file.slice_with_f64_and_f64(at as f64, to as f64).map_err(|_| ())?;
    let array = reader.sync.read_as_array_buffer(&slice).map_err(|_| ())?;
    Ok(Uint8Array::new(&array).to_vec())
}

/// A slice asked for: (file index, start, end), and the reader worker's answer to come, if it
/// was asked.
pub(super) struct Pending {
    pub(super) slice: (usize, u64, u64),
    pub(super) answer: Option<JsFuture>,
}

/// Reads slices of files, on a reader worker of its own when it could start one.
///
/// Written by hand: reading a `File` on another thread while this one computes is the point, and
/// the browser offers no API for it but a worker. The reader is a few lines of JavaScript (a
/// blob: script, which the page's CSP allows as a worker), answering each `{file, start, end}`
/// with `{buffer}` (transferred) or `{error}`, in the order asked. It lives as long as one
/// reading: dropping it terminates the reader, so no late answer can reach a later request.
pub(super) struct SliceReader {
    pub(super) sync: FileReaderSync,
    pub(super) helper: Option<Helper>,
}

pub(super) struct Helper {
    pub(super) worker: Worker,
    /// The resolve functions of the answers awaited, oldest first.
    pub(super) waiting: Rc<RefCell<VecDeque<Function>>>,
    /// Set when the reader failed: it is asked nothing more.
    pub(super) broken: Rc<Cell<bool>>,
    pub(super) _on_message: Closure<dyn FnMut(MessageEvent)>,
    pub(super) _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

pub(super) const READER_SCRIPT: &str = "onmessage=(e)=>{const m=e.data;\
try{const b=new FileReaderSync().readAsArrayBuffer(m.file.slice(m.start,m.end));\
postMessage({buffer:b},[b]);}catch(err){postMessage({error:String(err)});}};";

impl SliceReader {
    pub(super) fn new() -> Result<SliceReader, String> {
        let sync = FileReaderSync::new().map_err(|_| "this browser has no FileReaderSync")?;
        Ok(SliceReader { sync, helper: Helper::spawn() })
    }

    /// Asks the reader worker for a slice (nothing is asked when there is none).
    pub(super) fn ask(&self, file: &File, slice: (usize, u64, u64)) -> Pending {
        let answer = self.helper.as_ref().and_then(|h| h.ask(file, slice.1, slice.2));
        Pending { slice, answer }
    }

    /// Waits for the answer to a slice asked for and drops it (a slice a helper took meanwhile).
    pub(super) async fn discard(&self, pending: Pending) {
        if let Some(answer) = pending.answer {
            let _ = answer.await;
        }
    }

    /// The bytes of a slice asked for: the reader worker's answer, or, if it had none or failed,
    /// read here.
    pub(super) async fn take(&self, file: &File, pending: Pending) -> Result<Uint8Array, String> {
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
    pub(super) fn spawn() -> Option<Helper> {
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

    pub(super) fn ask(&self, file: &File, start: u64, end: u64) -> Option<JsFuture> {
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
