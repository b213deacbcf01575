//! Where files come in: drag and drop, a file picker, or the demo tenant.

use web_sys::{DragEvent, File, FileList, HtmlInputElement};
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
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The drop zone.
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
        let on_files = props.on_files.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            on_files.emit(files_of(event.data_transfer().and_then(|d| d.files())));
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
    let class = classes!("drop-zone", dragging.then_some("dragging"));
    html! {
        <section {class} {ondragover} {ondragleave} {ondrop} aria-label="Load exports" data-testid="drop-zone">
            <p class="drop-title">{if props.loaded { "Drop more exports here to add them to the analysis" } else { "Drop sign-in and audit log exports here" }}</p>
            <p class="drop-hint">{"Entra portal CSV, Graph JSON, Log Analytics, Defender XDR, Unified Audit Log; .zip and .gz too. Several files at once."}</p>
            <div class="drop-actions">
                <label class="button primary">
                    {"Choose files…"}
                    <input type="file" multiple=true {onchange} disabled={props.busy} data-testid="file-input" />
                </label>
                <button class="button" onclick={move |_| on_demo.emit(())} disabled={props.busy} data-testid="demo-button">
                    {"Try with sample data"}
                </button>
            </div>
        </section>
    }
}
