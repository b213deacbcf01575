//! The summary of a report and the per-file accounting.

use sessionhunt::{Report, Severity};
use yew::prelude::*;

use crate::format;
use crate::state::Shared;

/// Props of [`InputsTable`].
#[derive(Properties, PartialEq)]
pub struct InputsProps {
    /// The report shown.
    pub report: Shared<Report>,
    /// Remove a loaded file (by the name the page gave it); `None` when files cannot be removed
    /// (the demo tenant).
    #[prop_or_default]
    pub on_remove: Option<Callback<String>>,
    /// Names of the files the page loaded (a `.zip`'s members are named `archive.zip/member`).
    #[prop_or_default]
    pub loaded: Vec<String>,
}

/// Props of [`Summary`].
#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    /// The report shown.
    pub report: Shared<Report>,
    /// The report's JSON contract text as a Blob, for the download.
    pub blob: Option<web_sys::Blob>,
    /// The analyst's grades (the exports read them; they export and import as a grades file).
    #[prop_or_default]
    pub grades: Shared<sessionhunt::export::Grades>,
}

/// Props of [`AnswerBanner`].
#[derive(Properties, PartialEq)]
pub struct AnswerProps {
    /// The report shown.
    pub report: Shared<Report>,
}

/// The answer on top: what was examined, what could not be, and whether anything was found
/// (never the reassuring line unless the loaded data allowed the hunt).
#[component]
pub fn AnswerBanner(props: &AnswerProps) -> Html {
    let answer = crate::answer::answer(&props.report);
    let tone = match answer.tone {
        crate::answer::Tone::Findings => "findings",
        crate::answer::Tone::Clear => "clear",
        crate::answer::Tone::Limited => "limited",
    };
    html! {
        <section class={classes!("answer", tone)} role="status" aria-label="Answer" data-testid="answer" data-tone={tone}>
            <p class="answer-headline" data-testid="answer-headline">{answer.headline}</p>
            <ul>{ for answer.lines.into_iter().map(|l| html! { <li>{l}</li> }) }</ul>
        </section>
    }
}

/// Time span, users, events by kind, findings by severity, coverage warnings.
#[component]
pub fn Summary(props: &SummaryProps) -> Html {
    let report = &props.report;
    // A hand-off export of the shown report: the worker makes it (the same bytes as the CLI's
    // command) and the page saves it when it arrives.
    let worker = crate::context::use_worker();
    let dispatch = crate::context::use_dispatch();
    let grades_error = use_state(|| None::<String>);
    // What the hand-off exports cover: findings at or above this severity (the CLI's
    // `--min-severity`, default high), plus those graded true positive.
    let min_severity = use_state(|| Severity::High);
    let on_min_severity = {
        let min_severity = min_severity.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(s) = Severity::parse(&select.value()) {
                min_severity.set(s);
            }
        })
    };
    let on_export = {
        let worker = worker.clone();
        let grades = props.grades.clone();
        let min_severity = *min_severity;
        Callback::from(move |export: sessionhunt::export::Kind| {
            let grades = (!grades.is_empty()).then(|| grades.to_json());
            let request = crate::protocol::ToWorker::Export { export, min_severity, grades };
            if let Some(worker) = &worker {
                worker.send(None, request, Vec::new());
            }
        })
    };
    let on_download = {
        let blob = props.blob.clone();
        Callback::from(move |_| {
            let Some(blob) = &blob else { return };
            if let Err(err) = format::download_blob("sessionhunt-report.json", blob) {
                web_sys::console::error_2(&"sessionhunt: download failed".into(), &err);
            }
        })
    };
    let on_export_grades = {
        let grades = props.grades.clone();
        Callback::from(move |_| {
            if let Err(err) =
                format::download("sessionhunt-grades.json", "application/json", &grades.to_json())
            {
                web_sys::console::error_2(&"sessionhunt: download failed".into(), &err);
            }
        })
    };
    let on_import_grades = {
        let error = grades_error.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let (dispatch, error) = (dispatch.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                match text.map(|t| sessionhunt::export::Grades::parse(&t)) {
                    Some(Ok(grades)) => {
                        error.set(None);
                        if let Some(dispatch) = &dispatch {
                            dispatch.dispatch(crate::state::Action::Grades(Shared::new(grades)));
                        }
                    }
                    Some(Err(e)) => error.set(Some(format!("{name}: {e}"))),
                    None => error.set(Some(format!("{name}: the browser could not read the file"))),
                }
            });
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
                                <strong>{format::count(n as u64)}</strong>
                            </li>
                        }
                    }) }
                </ul>
            </div>
            <div class="card actions" id="export">
                <h2>{"Export"}</h2>
                <button class="button" onclick={on_download} disabled={props.blob.is_none()} aria-busy={props.blob.is_none().to_string()} data-testid="download-json">{"Download report (JSON)"}</button>
                if props.blob.is_none() {
                    <p class="muted" data-testid="download-pending">{"Writing the report's JSON…"}</p>
                } else {
                    <p class="muted">{"The same JSON the command-line tool prints."}</p>
                }
                <h3>{"Hand-off"}</h3>
                <label class="field">{"Cover findings of severity"}
                    <select onchange={on_min_severity} data-testid="export-min-severity">
                        { for [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info].into_iter().map(|s| html! {
                            <option value={s.as_str()} selected={*min_severity == s}>{format!("{} or more", s.as_str())}</option>
                        }) }
                    </select>
                </label>
                <p class="muted">{format!("Findings of {} severity or more and those graded true positive, less those graded otherwise; the same bytes as the command-line tool's command with --min-severity {} and the grades file.", min_severity.as_str(), min_severity.as_str())}</p>
                { for sessionhunt::export::Kind::ALL.into_iter().map(|kind| {
                    let on_export = on_export.clone();
                    let title = format!("sessionhunt {} … (saves {})", kind.command(), kind.file_name());
                    html! {
                        <button class="button" onclick={Callback::from(move |_| on_export.emit(kind))} {title} data-testid={format!("export-{}", kind.command())}>{kind.label()}</button>
                    }
                }) }
                <h3>{format!("Grades ({})", props.grades.len())}</h3>
                <button class="button" onclick={on_export_grades} data-testid="grades-export">{"Export grades (JSON)"}</button>
                <label class="button">{"Import grades…"}
                    <input type="file" accept=".json,application/json" onchange={on_import_grades} data-testid="grades-import" />
                </label>
                if let Some(e) = &*grades_error {
                    <p class="error" role="alert" data-testid="grades-error">{e.clone()}</p>
                }
            </div>
            if !coverage.warnings.is_empty() {
                <div class="card warnings">
                    <h2>{"Coverage"}</h2>
                    <ul>{ for coverage.warnings.iter().map(|w| html! { <li>{crate::glossary::text(w)}</li> }) }</ul>
                    <crate::glossary::Glossary texts={coverage.warnings.clone()} />
                </div>
            }
        </section>
    }
}

/// The loaded file an input came from: itself, or the archive holding it.
fn loaded_file<'a>(input: &str, loaded: &'a [String]) -> Option<&'a String> {
    loaded.iter().find(|name| {
        input == name.as_str()
            || input.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Per-file accounting: every row is an event, a duplicate, or skipped with a reason; each file's
/// row problems one click away; a remove button per file (the analysis follows).
#[component]
pub fn InputsTable(props: &InputsProps) -> Html {
    let report = &props.report;
    html! {
        <section aria-label="Input files" class="inputs-section">
            <h2>{"Files"}</h2>
            <table class="grid inputs" data-testid="inputs">
                <thead><tr>
                    <th>{"File"}</th><th>{"Format"}</th><th class="num">{"Size"}</th><th class="num">{"Rows"}</th>
                    <th class="num">{"Events"}</th><th class="num">{"Duplicates"}</th><th class="num">{"Skipped"}</th>
                    <th>{"Row problems"}</th><th></th>
                </tr></thead>
                <tbody>
                    { for report.inputs.iter().map(|input| {
                        let reasons = input.skipped_reasons.iter()
                            .map(|r| format!("{}: {}", r.reason, r.count)).collect::<Vec<_>>().join("\n");
                        let diagnostics: Vec<_> = report.diagnostics.iter().filter(|d| d.file == input.name).collect();
                        let remove = props.on_remove.as_ref().and_then(|cb| {
                            let file = loaded_file(&input.name, &props.loaded)?.clone();
                            let cb = cb.clone();
                            let label = format!("Remove {file}");
                            Some(html! {
                                <button class="button small" aria-label={label} title="Remove this file; the analysis follows"
                                    data-testid="remove-file" onclick={move |_| cb.emit(file.clone())}>{"Remove"}</button>
                            })
                        });
                        html! {
                            <tr>
                                <td>{input.name.clone()}</td>
                                <td>
                                    {input.format.clone()}{if input.log_kind.is_empty() { String::new() } else { format!(" ({})", input.log_kind) }}
                                    if input.log_kind == "ip-database" {
                                        // Its licence asks for the attribution wherever its data is used.
                                        <p class="muted small" data-testid="ipdb-attribution">
                                            {format!("{} ranges, dated {}. ", format::count(input.ranges), input.date)}
                                            {input.attribution.clone()}
                                        </p>
                                    }
                                </td>
                                <td class="num">{format::bytes(input.bytes)}</td>
                                <td class="num">{format::count(input.rows)}</td>
                                <td class="num">{format::count(input.events)}</td>
                                <td class="num">{format::count(input.duplicates)}</td>
                                <td class="num" title={reasons.clone()}>{format::count(input.skipped)}</td>
                                <td class="file-problems">
                                    if diagnostics.is_empty() && input.skipped_reasons.is_empty() {
                                        <span class="muted">{"none"}</span>
                                    } else {
                                        <details data-testid="file-diagnostics">
                                            <summary>{format!("{} problem{}", diagnostics.len(), if diagnostics.len() == 1 { "" } else { "s" })}</summary>
                                            if !input.skipped_reasons.is_empty() {
                                                <p class="muted">{"Skipped: "}{reasons.replace('\n', "; ")}</p>
                                            }
                                            <ul>
                                                { for diagnostics.iter().map(|d| html! {
                                                    <li><code>{format!("line {}, column {}", d.line, d.column)}</code>{" "}{d.message.clone()}</li>
                                                }) }
                                            </ul>
                                        </details>
                                    }
                                </td>
                                <td>{ remove.unwrap_or_default() }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
