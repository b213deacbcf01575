//! Where files come in: drag and drop (files or whole folders), a file or folder picker, or the
//! demo tenant.
//!
//! A folder's files are named by their path in it (`exports/2026-03/InteractiveSignIns.csv`), as
//! the CLI names the files of a folder it is given, so the page's report names the same inputs.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, DragEvent, File, FileList, FileSystemDirectoryEntry, FileSystemEntry,
    FileSystemFileEntry, HtmlInputElement,
};
use yew::prelude::*;

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Files chosen or dropped.
    pub on_files: Callback<Vec<File>>,
    /// "Try with sample data" pressed.
    pub on_demo: Callback<()>,
    /// A request is running.
    pub busy: bool,
    /// Files are loaded already (new ones are added to them).
    #[prop_or_default]
    pub loaded: bool,
}

fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).map(named_by_path).collect()
}

/// A file chosen with the folder picker, named by its path in the folder (`webkitRelativePath`);
/// any other file as it is.
fn named_by_path(file: File) -> File {
    let path = Reflect::get(&file, &"webkitRelativePath".into()).ok().and_then(|p| p.as_string());
    match path {
        Some(path) if !path.is_empty() && path != file.name() => renamed(&file, &path),
        _ => file,
    }
}

/// `file` under another name. A File made of a File refers to its bytes: nothing is read or
/// copied.
fn renamed(file: &File, name: &str) -> File {
    let parts: Array = std::iter::once(JsValue::from(file)).collect();
    File::new_with_blob_sequence(&parts, name).unwrap_or_else(|_| file.clone())
}

/// The entries of a drop (files and folders), taken while the drop event lasts: the browser
/// empties the list after it. `None` when the browser gives no entries (then the plain file list
/// is used).
fn dropped_entries(transfer: &DataTransfer) -> Option<Vec<FileSystemEntry>> {
    let items = transfer.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    (!entries.is_empty()).then_some(entries)
}

/// Every file under `entries`, folders walked to the bottom, each named by its path without the
/// leading `/`, in name order.
async fn walk(entries: Vec<FileSystemEntry>) -> Result<Vec<File>, JsValue> {
    let mut files = Vec::new();
    let mut stack = entries;
    while let Some(entry) = stack.pop() {
        let path = entry.full_path();
        let path = path.trim_start_matches('/');
        if entry.is_directory() {
            let reader = entry.unchecked_into::<FileSystemDirectoryEntry>().create_reader();
            // `readEntries` hands out a folder's entries in batches until one comes back empty.
            loop {
                let batch = Promise::new(&mut |resolve, reject| {
                    let _ = reader.read_entries_with_callback_and_callback(&resolve, &reject);
                });
                let batch: Array = JsFuture::from(batch).await?.unchecked_into();
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter().map(JsCast::unchecked_into::<FileSystemEntry>));
            }
        } else if entry.is_file() {
            let entry: FileSystemFileEntry = entry.unchecked_into();
            let file = Promise::new(&mut |resolve, reject| {
                entry.file_with_callback_and_callback(&resolve, &reject);
            });
            let file: File = JsFuture::from(file).await?.unchecked_into();
            files.push(if file.name() == path { file } else { renamed(&file, path) });
        }
    }
    files.sort_by_key(File::name);
    Ok(files)
}

/// The drop zone.
/// Takes the files (or folders) of a drop: the drop zone's, and the whole page's once data is
/// loaded (adding files stays a drop anywhere when the drop zone is a bar).
pub fn take_drop(on_files: Callback<Vec<File>>) -> Callback<DragEvent> {
    Callback::from(move |event: DragEvent| {
        event.prevent_default();
        let Some(transfer) = event.data_transfer() else { return };
        match dropped_entries(&transfer) {
            Some(entries) => {
                let on_files = on_files.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match walk(entries).await {
                        Ok(files) => on_files.emit(files),
                        Err(err) => web_sys::console::error_2(
                            &"sessionhunt: cannot read the dropped folder".into(),
                            &err,
                        ),
                    }
                });
            }
            None => on_files.emit(files_of(transfer.files())),
        }
    })
}

#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let dragging = use_state(|| false);
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        let take = take_drop(props.on_files.clone());
        Callback::from(move |event: DragEvent| {
            // Handled here: the page's own drop target (anywhere, once data is loaded) must not
            // take the same files again.
            event.stop_propagation();
            dragging.set(false);
            take.emit(event);
        })
    };
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let files = files_of(input.files());
            // Clear the picker so choosing the same files again still fires `change`.
            input.set_value("");
            on_files.emit(files);
        })
    };
    let on_demo = props.on_demo.clone();
    let class =
        classes!("drop-zone", dragging.then_some("dragging"), props.loaded.then_some("compact"));
    if props.loaded {
        // Once data is loaded: a bar, so the findings get the screen. Same inputs, same test ids.
        return html! {
            <section {class} {ondragover} {ondragleave} {ondrop} aria-label="Load exports" data-testid="drop-zone">
                <span class="drop-title">{"Add exports: drop them anywhere on the page, or"}</span>
                <label class="button small primary">
                    {"Choose files…"}
                    <input type="file" multiple=true onchange={onchange.clone()} disabled={props.busy} data-testid="file-input" />
                </label>
                <label class="button small">
                    {"Choose a folder…"}
                    <input type="file" webkitdirectory=true multiple=true {onchange} disabled={props.busy} data-testid="folder-input" />
                </label>
                <button class="button small" onclick={move |_| on_demo.emit(())} disabled={props.busy} data-testid="demo-button">
                    {"Try with sample data"}
                </button>
            </section>
        };
    }
    html! {
        <section {class} {ondragover} {ondragleave} {ondrop} aria-label="Load exports" data-testid="drop-zone">
            <p class="drop-title">{if props.loaded { "Drop more exports here to add them to the analysis" } else { "Drop sign-in and audit log exports here" }}</p>
            <p class="drop-hint">{"Entra portal CSV, Graph JSON, Log Analytics, Defender XDR, Unified Audit Log; .zip and .gz too. Several files, or a whole folder, at once."}</p>
            <div class="drop-actions">
                <label class="button primary">
                    {"Choose files…"}
                    <input type="file" multiple=true onchange={onchange.clone()} disabled={props.busy} data-testid="file-input" />
                </label>
                <label class="button">
                    {"Choose a folder…"}
                    <input type="file" webkitdirectory=true multiple=true {onchange} disabled={props.busy} data-testid="folder-input" />
                </label>
                <button class="button" onclick={move |_| on_demo.emit(())} disabled={props.busy} data-testid="demo-button">
                    {"Try with sample data"}
                </button>
            </div>
        </section>
    }
}
