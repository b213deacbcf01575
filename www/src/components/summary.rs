//! The summary of a report and the per-file accounting.

use std::rc::Rc;

use sessionhunt::{Report, Severity};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};
use yew::prelude::*;

use crate::format;

/// Props of [`InputsTable`].
#[derive(Properties, PartialEq)]
pub struct ReportProps {
    /// The report shown.
    pub report: Rc<Report>,
}

/// Props of [`Summary`].
#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    /// The report shown.
    pub report: Rc<Report>,
    /// The report's JSON contract text, for the download.
    pub json: Rc<str>,
}

/// Saves `text` as a file through a temporary blob URL (no network involved).
fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts: js_sys::Array = std::iter::once(JsValue::from_str(text)).collect();
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    Url::revoke_object_url(&url)
}

/// Time span, users, events by kind, findings by severity, coverage warnings.
#[component]
pub fn Summary(props: &SummaryProps) -> Html {
    let report = &props.report;
    let on_download = {
        let json = props.json.clone();
        Callback::from(move |_| {
            if let Err(err) = download("sessionhunt-report.json", "application/json", &json) {
                web_sys::console::error_2(&"sessionhunt: download failed".into(), &err);
            }
        })
    };
    let coverage = &report.coverage;
    let severities =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
    html! {
        <section class="summary" aria-label="Summary" data-testid="summary">
            <div class="card">
                <h2>{"Span"}</h2>
                if coverage.start.is_empty() {
                    <p class="muted">{"no events"}</p>
                } else {
                    <p><time>{coverage.start.clone()}</time>{" → "}<time>{coverage.end.clone()}</time></p>
                }
                <p data-testid="user-count">{format!("{} users", format::count(coverage.users))}</p>
            </div>
            <div class="card">
                <h2>{"Events"}</h2>
                <ul class="counts">
                    { for coverage.events_by_kind.iter().map(|k| html! {
                        <li><span>{k.kind.clone()}</span><strong>{format::count(k.count)}</strong></li>
                    }) }
                </ul>
            </div>
            <div class="card">
                <h2>{"Findings"}</h2>
                <ul class="counts">
                    { for severities.iter().map(|&s| {
                        let n = report.findings.iter().filter(|f| f.severity == s).count();
                        html! {
                            <li data-testid={format!("severity-{}", s.as_str())}>
                                <span class={classes!("badge", s.as_str())}>{s.as_str()}</span>
                                <strong>{n}</strong>
                            </li>
                        }
                    }) }
                </ul>
            </div>
            <div class="card actions">
                <h2>{"Export"}</h2>
                <button class="button" onclick={on_download} data-testid="download-json">{"Download report (JSON)"}</button>
                <p class="muted">{"The same JSON the command-line tool prints."}</p>
            </div>
            if !coverage.warnings.is_empty() {
                <div class="card warnings">
                    <h2>{"Coverage"}</h2>
                    <ul>{ for coverage.warnings.iter().map(|w| html! { <li>{w.clone()}</li> }) }</ul>
                </div>
            }
        </section>
    }
}

/// Per-file accounting: every row is an event, a duplicate, or skipped with a reason.
#[component]
pub fn InputsTable(props: &ReportProps) -> Html {
    let report = &props.report;
    html! {
        <section aria-label="Input files">
            <h2>{"Files"}</h2>
            <table class="grid inputs" data-testid="inputs">
                <thead><tr>
                    <th>{"File"}</th><th>{"Format"}</th><th class="num">{"Size"}</th><th class="num">{"Rows"}</th>
                    <th class="num">{"Events"}</th><th class="num">{"Duplicates"}</th><th class="num">{"Skipped"}</th>
                </tr></thead>
                <tbody>
                    { for report.inputs.iter().map(|input| {
                        let reasons = input.skipped_reasons.iter()
                            .map(|r| format!("{}: {}", r.reason, r.count)).collect::<Vec<_>>().join("\n");
                        html! {
                            <tr>
                                <td>{input.name.clone()}</td>
                                <td>{input.format.clone()}</td>
                                <td class="num">{format::bytes(input.bytes)}</td>
                                <td class="num">{format::count(input.rows)}</td>
                                <td class="num">{format::count(input.events)}</td>
                                <td class="num">{format::count(input.duplicates)}</td>
                                <td class="num" title={reasons}>{format::count(input.skipped)}</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if !report.diagnostics.is_empty() {
                <details class="diagnostics">
                    <summary>{format!("{} row problems", report.diagnostics.len())}</summary>
                    <ul>
                        { for report.diagnostics.iter().map(|d| html! {
                            <li><code>{format!("{}:{}:{}", d.file, d.line, d.column)}</code>{" "}{d.message.clone()}</li>
                        }) }
                    </ul>
                </details>
            }
        </section>
    }
}
