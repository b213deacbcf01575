//! The root component: owns the state, the worker, the loaded files, and the page layout.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use gloo::storage::{LocalStorage, Storage};
use sessionhunt::export::Grades;
use sessionhunt::report::Finding;
use sessionhunt::{Report, Settings};
use wasm_bindgen::JsCast;
use web_sys::File;
use yew::prelude::*;

use crate::bridge::Analyzer;
use crate::components::about::About;
use crate::components::campaign::CampaignPane;
use crate::components::details::Details;
use crate::components::drop_zone::DropZone;
use crate::components::findings::FindingsTable;
use crate::components::overview::OverviewPane;
use crate::components::session::SessionPane;
use crate::components::settings::SettingsPanel;
use crate::components::status::StatusLine;
use crate::components::summary::{AnswerBanner, InputsTable, Summary};
use crate::components::theme::ThemeToggle;
use crate::components::timeline::Timeline;
use crate::components::users::UsersList;
use crate::context::{Dispatch, WorkerLink};
use crate::protocol::{FromWorker, ToWorker};
use crate::state::{
    Action, AppState, Pane, Phase, SearchIndex, Shared, UserEvents, ViewData, ViewRequest,
};

/// Local-storage key of the analysis settings.
use crate::context::SETTINGS_KEY;

/// The settings stored in this browser, or the defaults (a stored value the core no longer
/// accepts is reported on the console and ignored).
fn stored_settings() -> Settings {
    match LocalStorage::get::<serde_json::Value>(SETTINGS_KEY) {
        Ok(value) => serde_json::from_value(value).unwrap_or_else(|err| {
            web_sys::console::warn_1(
                &format!("sessionhunt: stored settings ignored: {err}").into(),
            );
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

/// Where the page keeps the analyst's grades in this browser (a grades file's text).
const GRADES_KEY: &str = "sessionhunt.grades";

/// The grades kept in this browser; none when there are none or they cannot be read.
fn stored_grades() -> Grades {
    match LocalStorage::get::<String>(GRADES_KEY) {
        Ok(text) => Grades::parse(&text).unwrap_or_else(|err| {
            web_sys::console::warn_1(&format!("sessionhunt: stored grades ignored: {err}").into());
            Grades::default()
        }),
        Err(_) => Grades::default(),
    }
}

/// What the worker holds, so the page can tell what a re-analysis has to send.
#[derive(Default)]
struct Loaded {
    /// The files chosen so far (the analysis covers all of them).
    files: Vec<File>,
    /// The demo tenant is loaded.
    demo: bool,
    /// Users whose events were asked for and have not arrived.
    pending: HashSet<String>,
}

/// Starts a worker whose messages feed the reducer.
fn spawn(
    dispatcher: UseReducerDispatcher<AppState>,
    loaded: Rc<RefCell<Loaded>>,
) -> Option<Analyzer> {
    // The report arrives in parts (see `protocol`): its findings in pages (each parsed in the task
    // that receives it, so no task has to take in 100 000 findings), then the rest of it, then its
    // text as a Blob.
    let pages = Rc::new(RefCell::new((Vec::<Finding>::new(), SearchIndex::default())));
    // A view for the side pane arrived: no longer pending, and into the state.
    let view_arrived = {
        let dispatcher = dispatcher.clone();
        let loaded = loaded.clone();
        move |view: ViewData| {
            loaded.borrow_mut().pending.remove(&view.request().key());
            dispatcher.dispatch(Action::View(Shared::new(view)));
        }
    };
    let on_event = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |message: FromWorker| match message {
            FromWorker::Ready => dispatcher.dispatch(Action::WorkerReady),
            FromWorker::Progress(progress) => dispatcher.dispatch(Action::Progress(progress)),
            FromWorker::ReportJson { blob: Some(blob), .. } => {
                // It follows `Done`, whose report is dispatched from a zero-delay timeout: this
                // one's timeout was set later and runs after it, so the text meets its report.
                let dispatcher = dispatcher.clone();
                gloo::timers::callback::Timeout::new(0, move || {
                    dispatcher.dispatch(Action::ReportBlob(blob))
                })
                .forget();
            }
            FromWorker::ReportJson { blob: None, .. } => {
                dispatcher.dispatch(Action::Fail("the report's text did not arrive".to_owned()))
            }
            FromWorker::FindingsPage { findings_json } => {
                match serde_json::from_str::<Vec<Finding>>(&findings_json) {
                    Ok(page) => {
                        let (found, search) = &mut *pages.borrow_mut();
                        search.extend(&page);
                        found.extend(page);
                    }
                    Err(err) => {
                        dispatcher.dispatch(Action::Fail(format!("unreadable findings: {err}")))
                    }
                }
            }
            FromWorker::Done { view_json, findings } => {
                let (found, search) = std::mem::take(&mut *pages.borrow_mut());
                match serde_json::from_str::<Report>(&view_json) {
                    Ok(_) if found.len() as u64 != findings => {
                        dispatcher.dispatch(Action::Fail(format!(
                            "the report arrived incomplete: {} of {findings} findings",
                            found.len()
                        )))
                    }
                    Ok(mut report) => {
                        report.findings = found;
                        // Render in a task of its own: taking in the report and laying out its
                        // views in one task would block the page longer (long-task budget).
                        let dispatcher = dispatcher.clone();
                        let loaded = Action::Loaded(Shared::new(report), Shared::new(search));
                        gloo::timers::callback::Timeout::new(0, move || {
                            dispatcher.dispatch(loaded)
                        })
                        .forget();
                    }
                    Err(err) => {
                        dispatcher.dispatch(Action::Fail(format!("unreadable report: {err}")))
                    }
                }
            }
            FromWorker::Events { user, events, finding_events } => {
                loaded.borrow_mut().pending.remove(&user);
                let refs = finding_events.into_iter().collect();
                dispatcher.dispatch(Action::Events(Shared::new(UserEvents { user, events, refs })));
            }
            FromWorker::Users { users } => {
                loaded.borrow_mut().pending.remove("users:");
                dispatcher.dispatch(Action::Users(Shared::new(users)));
            }
            FromWorker::RawRows { finding, rows } => {
                loaded.borrow_mut().pending.remove(&format!("raw:{finding}"));
                dispatcher.dispatch(Action::RawRows(finding, Shared::new(rows)));
            }
            FromWorker::Session { view, total_events } => {
                view_arrived(ViewData::Session(view, total_events))
            }
            FromWorker::Campaign { indicators, total } => {
                view_arrived(ViewData::Campaign(indicators, total))
            }
            FromWorker::Overview { overview, total_users } => {
                view_arrived(ViewData::Overview(overview, total_users))
            }
            FromWorker::Exported { name, blob: Some(blob), .. } => {
                if let Err(err) = crate::format::download_blob(&name, &blob) {
                    web_sys::console::error_2(&"sessionhunt: download failed".into(), &err);
                }
            }
            FromWorker::Exported { name, blob: None, .. } => {
                dispatcher.dispatch(Action::Fail(format!("the export {name} did not arrive")))
            }
            FromWorker::Failed { message } => {
                // Pages of a report that failed on the way must not join the next one's.
                *pages.borrow_mut() = Default::default();
                dispatcher.dispatch(Action::Fail(message))
            }
            // Between the analysis worker and its helpers only.
            FromWorker::PartProgress { .. } | FromWorker::PartRead { .. } => {}
        })
    };
    match Analyzer::spawn(on_event) {
        Ok(worker) => Some(worker),
        Err(err) => {
            dispatcher.dispatch(Action::Fail(format!("cannot start the analysis worker: {err}")));
            None
        }
    }
}

/// The side pane's tabs: the finding (when one is selected), the session (when one is open), the
/// campaign and the overview, and a close button. Each tab is a button that switches the pane.
fn pane_tabs(
    pane: &Pane,
    has_finding: bool,
    last_session: Option<String>,
    dispatcher: Dispatch,
) -> Html {
    let tab = |target: Pane, label: String| {
        let dispatcher = dispatcher.clone();
        let current = std::mem::discriminant(&target) == std::mem::discriminant(pane);
        let key = target.key();
        html! {
            <button role="tab" class={classes!("pane-tab", current.then_some("current"))} aria-selected={current.to_string()}
                data-testid={format!("tab-{key}")} onclick={move |_| dispatcher.dispatch(Action::Pane(Some(target.clone())))}>{label}</button>
        }
    };
    let close = {
        let dispatcher = dispatcher.clone();
        move |_| dispatcher.dispatch(Action::Pane(None))
    };
    // The last session opened stays a tab while another view is shown.
    let session = match pane {
        Pane::Session(id) => Some(id.clone()),
        _ => last_session,
    };
    html! {
        <div class="pane-tabs" role="tablist" aria-label="Side pane views">
            if has_finding { {tab(Pane::Finding, "Finding".to_owned())} }
            if let Some(id) = session { {tab(Pane::Session(id.clone()), format!("Session {}", crate::components::details::short_id(&id)))} }
            {tab(Pane::Campaign, "Campaign".to_owned())}
            {tab(Pane::Overview, "Overview".to_owned())}
            <button class="button small icon pane-close" onclick={close} aria-label="Close the side pane" data-testid="pane-close">{"×"}</button>
        </div>
    }
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState {
        settings: Shared::new(stored_settings()),
        grades: Shared::new(stored_grades()),
        ..AppState::new()
    });
    // Grades are kept in this browser as they change (they are few; each is a click).
    use_effect_with(state.grades.clone(), |grades| {
        if let Err(err) = LocalStorage::set(GRADES_KEY, grades.to_json()) {
            web_sys::console::warn_1(&format!("sessionhunt: grades not stored: {err}").into());
        }
    });
    let analyzer = use_mut_ref(|| None::<Analyzer>);
    let loaded = use_mut_ref(Loaded::default);

    {
        let dispatcher = state.dispatcher();
        let analyzer = analyzer.clone();
        let loaded = loaded.clone();
        use_effect_with((), move |_| {
            *analyzer.borrow_mut() = spawn(dispatcher, loaded);
        });
    }

    // Sends a request; `begin` is the status label and whether it reads data anew.
    let send = {
        let dispatcher = state.dispatcher();
        let analyzer = analyzer.clone();
        Rc::new(move |begin: Option<(String, bool)>, request: ToWorker, files: Vec<File>| {
            if let Some((label, reading)) = begin {
                dispatcher.dispatch(Action::Begin(label, reading));
            }
            let result = match analyzer.borrow().as_ref() {
                Some(worker) => worker.send(&request, &files),
                None => Err("the analysis worker is not running".to_owned()),
            };
            if let Err(err) = result {
                dispatcher.dispatch(Action::Fail(err));
            }
        })
    };
    // The same handle for the page's life, so components that take it from the context do not
    // re-render for it (`send` only holds the dispatcher and the worker cell, both stable).
    let worker = {
        let send = send.clone();
        (*use_memo((), move |_| WorkerLink::new(send))).clone()
    };
    // Reads every chosen file again (after an addition or a removal).
    let analyze_all = {
        let send = send.clone();
        let loaded = loaded.clone();
        let dispatcher = state.dispatcher();
        let settings = state.settings.clone();
        Rc::new(move || {
            let files = {
                let mut loaded = loaded.borrow_mut();
                loaded.demo = false;
                loaded.pending.clear();
                loaded.files.clone()
            };
            if files.is_empty() {
                dispatcher.dispatch(Action::Cleared);
                return;
            }
            let n = files.len();
            let label = format!("Reading {n} file{}", if n == 1 { "" } else { "s" });
            send(Some((label, true)), ToWorker::Analyze { settings: (*settings).clone() }, files);
        })
    };

    // The views ask for the events of their users; the worker answers from what it holds.
    {
        let wanted = state.wanted_events();
        let wanted_raw = state.wanted_raw_rows();
        let wanted_users = state.wanted_users();
        let wanted_view = state.wanted_view();
        let send = send.clone();
        let loaded = loaded.clone();
        let ready = state.report.is_some() && state.worker_ready;
        let working = matches!(state.phase, Phase::Working { .. });
        use_effect(move || {
            if ready && !working {
                for user in wanted {
                    if loaded.borrow_mut().pending.insert(user.clone()) {
                        send(None, ToWorker::UserEvents { user }, Vec::new());
                    }
                }
                if let Some(finding) =
                    wanted_raw.filter(|f| loaded.borrow_mut().pending.insert(format!("raw:{f}")))
                {
                    send(None, ToWorker::RawRows { finding }, Vec::new());
                }
                if let Some(view) =
                    wanted_view.filter(|v| loaded.borrow_mut().pending.insert(v.key()))
                {
                    let request = match view {
                        ViewRequest::Session(id) => ToWorker::Session { id },
                        ViewRequest::Campaign => ToWorker::Campaign,
                        ViewRequest::Overview => ToWorker::Overview,
                    };
                    send(None, request, Vec::new());
                }
                // "users:" cannot be a user's name here: names are UPNs or object ids.
                if wanted_users && loaded.borrow_mut().pending.insert("users:".to_owned()) {
                    send(None, ToWorker::Users, Vec::new());
                }
            }
        });
    }

    let on_files = {
        let loaded = loaded.clone();
        let analyze_all = analyze_all.clone();
        Callback::from(move |files: Vec<File>| {
            if files.is_empty() {
                return;
            }
            {
                let mut loaded = loaded.borrow_mut();
                if loaded.demo {
                    loaded.files.clear();
                }
                // A file with the name of one already loaded replaces it.
                for file in files {
                    let name = file.name();
                    loaded.files.retain(|f| f.name() != name);
                    loaded.files.push(file);
                }
            }
            analyze_all();
        })
    };
    let on_remove = {
        let loaded = loaded.clone();
        let analyze_all = analyze_all.clone();
        Callback::from(move |name: String| {
            loaded.borrow_mut().files.retain(|f| f.name() != name);
            analyze_all();
        })
    };
    let on_demo = {
        let send = send.clone();
        let loaded = loaded.clone();
        let settings = state.settings.clone();
        Callback::from(move |()| {
            {
                let mut loaded = loaded.borrow_mut();
                loaded.files.clear();
                loaded.demo = true;
                loaded.pending.clear();
            }
            send(
                Some(("Generating the demo tenant".to_owned(), true)),
                ToWorker::Demo { settings: (*settings).clone() },
                Vec::new(),
            )
        })
    };
    let on_cancel = {
        let dispatcher = state.dispatcher();
        let analyzer = analyzer.clone();
        let loaded = loaded.clone();
        Callback::from(move |()| {
            // The worker reads synchronously: stopping it is the only way to stop at once. Its
            // memory goes with it; a fresh worker starts empty.
            analyzer.borrow_mut().take();
            {
                let mut l = loaded.borrow_mut();
                *l = Loaded::default();
            }
            dispatcher.dispatch(Action::WorkerRestarting);
            dispatcher.dispatch(Action::Cleared);
            dispatcher.dispatch(Action::Cancelled);
            *analyzer.borrow_mut() = spawn(dispatcher.clone(), loaded.clone());
        })
    };
    let on_settings = {
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        let has_report = state.report.is_some();
        Callback::from(move |settings: Settings| {
            crate::context::apply_settings(&dispatcher, &worker, settings, has_report)
        })
    };
    let on_close_details = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            dispatcher.dispatch(Action::Select(None));
            // Focus goes back to the grid, whose active row is the one that opened the panel.
            gloo::timers::callback::Timeout::new(0, || {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("[data-testid=grid-viewport]").ok().flatten())
                {
                    // `focus({preventScroll: true})`: the page stays where the analyst left it
                    // (web-sys's FocusOptions binding is not enabled; the call is the same).
                    let options = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&options, &"preventScroll".into(), &true.into());
                    if let Ok(focus) = js_sys::Reflect::get(&el, &"focus".into())
                        .and_then(|f| f.dyn_into::<js_sys::Function>())
                    {
                        let _ = focus.call1(&el, &options);
                    }
                }
            })
            .forget();
        })
    };
    let on_want_users = {
        let dispatcher = state.dispatcher();
        Callback::from(move |open: bool| dispatcher.dispatch(Action::WantUsers(open)))
    };
    let on_dismiss_rescored = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::DismissRescored))
    };
    let on_timeline = {
        let dispatcher = state.dispatcher();
        Callback::from(move |user: String| {
            dispatcher.dispatch(Action::Timeline(Some(user)));
            // The timeline opens in the workspace, on the first screen: bring that into view (the
            // user list, below it, is one place it is opened from).
            if let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    let on_close_timeline = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Timeline(None)))
    };
    let on_range = {
        let dispatcher = state.dispatcher();
        Callback::from(move |range| dispatcher.dispatch(Action::Range(range)))
    };
    let on_clear = {
        let loaded = loaded.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            *loaded.borrow_mut() = Loaded::default();
            dispatcher.dispatch(Action::Cleared);
        })
    };

    // Sorting and filtering 100 000 findings is done once per change, not per render.
    let rows = {
        let s = &*state;
        let key = (
            s.report.clone(),
            s.sort,
            s.descending,
            s.filter.clone(),
            s.column_filters.clone(),
            s.range.map(|(a, b)| (a.to_bits(), b.to_bits())),
            s.grade_filter,
            s.grades.clone(),
            s.show_low,
            s.indicator.clone(),
        );
        let state = state.clone();
        use_memo(key, move |_| {
            let (rows, folded) = state.grid_rows();
            (Shared::new(rows), folded)
        })
    };

    // What lies below the first screen (summary, users, files) is laid out in a task after the
    // workspace's: a report's first render in one task came close to the 100 ms long-task
    // budget on a busy machine (132 ms once in CI). A re-scored report renders in one task.
    let below = use_state(|| false);
    {
        let below = below.clone();
        use_effect_with(state.report.is_some(), move |&loaded| {
            if loaded {
                gloo::timers::callback::Timeout::new(0, move || below.set(true)).forget();
            } else {
                below.set(false);
            }
        });
    }
    let busy = matches!(state.phase, Phase::Working { .. });
    let loaded_names: Vec<String> = loaded.borrow().files.iter().map(File::name).collect();
    let selected = state.selected_finding().cloned();
    // Once data is loaded, a drop anywhere on the page adds files (the drop zone is a bar then).
    let (ondragover, ondrop) = if state.report.is_some() && !busy {
        (
            Some(Callback::from(|e: DragEvent| e.prevent_default())),
            Some(crate::components::drop_zone::take_drop(on_files.clone())),
        )
    } else {
        (None, None)
    };
    let pane = state.pane.clone().filter(|p| *p != Pane::Finding || selected.is_some());
    let workspace_class = classes!(
        "workspace",
        pane.is_some().then_some("with-pane"),
        state.timeline_user.is_some().then_some("with-timeline"),
    );
    html! {
        <ContextProvider<Dispatch> context={state.dispatcher()}>
        <ContextProvider<WorkerLink> context={worker}>
        <div class={classes!("app", state.report.is_some().then_some("loaded"))} data-worker={if state.worker_ready { "ready" } else { "starting" }} {ondragover} {ondrop}>
            <div class="first-screen">
            <header class="topbar">
                <h1><span class="logo" aria-hidden="true">{"◎"}</span>{"sessionhunt"}</h1>
                <p class="tagline">{"Hunt AiTM session-token theft and replay in Entra ID and Microsoft 365 exports."}</p>
                <p class="privacy-badge" title="The analysis runs in this tab. Nothing is uploaded.">{"Offline · nothing leaves this browser"}</p>
                <ThemeToggle />
            </header>
            <main>
                // One row once data is loaded: the drop bar and the settings' summary (open, the
                // settings take a row of their own).
                <div class="bar-row">
                <DropZone on_files={on_files.clone()} {on_demo} busy={busy || !state.worker_ready} loaded={state.report.is_some()} />
                <details class="card settings" data-testid="settings">
                    <summary>{"Analysis settings"}<span class="muted settings-more">{" · windows, thresholds, weights, allowlists"}</span></summary>
                    <SettingsPanel settings={state.settings.clone()} on_change={on_settings} />
                </details>
                // The hand-off exports live with the summary, below the workspace: one click away.
                if state.report.is_some() {
                    <a class="button export-link" href="#export" data-testid="export-link"
                        title="The report (JSON), the HTML case report, the PowerShell containment script, the KQL for Sentinel, Timesketch; grades">{"Export ↓"}</a>
                }
                </div>
                <StatusLine phase={state.phase.clone()} {on_cancel} />
                if let Some(report) = &state.report {
                    <AnswerBanner report={report.clone()} />
                    if let Some(n) = state.rescored {
                        <p class="notice" role="status" data-testid="rescored">
                            {format!("Re-scored: {n} finding{} changed.", if n == 1 { "" } else { "s" })}
                            <button class="chip-close" aria-label="Dismiss" onclick={on_dismiss_rescored}>{"×"}</button>
                        </p>
                    }
                    // The workspace: the grid takes the rest of the first screen; the timeline
                    // opens below it, the side pane (a finding, a session, the campaign, the
                    // overview) beside both. Nothing covers anything.
                    <div class={workspace_class} data-testid="workspace">
                        <div class="ws-grid">
                            <FindingsTable report={report.clone()} view={state.grid_view((*rows).clone())} />
                        </div>
                        if let Some(user) = &state.timeline_user {
                            <div class="ws-timeline">
                                <Timeline user={user.clone()} report={report.clone()} events={state.events.get(user).cloned()}
                                    focus={state.timeline_focus.clone()} highlight={state.indicator.clone()}
                                    range={state.range} {on_range} on_close={on_close_timeline} />
                            </div>
                        }
                        if let Some(pane) = &pane {
                            <aside class="ws-pane" aria-label="Side pane" data-testid="side-pane" data-pane={pane.key()}>
                                {pane_tabs(pane, selected.is_some(), state.last_session.clone(), state.dispatcher())}
                                <div class="pane-body">
                                { match pane {
                                    Pane::Finding => match selected.clone() {
                                        Some(finding) => html! {
                                            <Details report={report.clone()} events={state.events.get(&finding.user).cloned()} raw_rows={state.raw_rows.get(&finding.id).cloned()} grade={state.grades.get(&finding.id).cloned()} settings={state.settings.clone()} {finding} on_close={on_close_details} on_timeline={on_timeline.clone()} />
                                        },
                                        None => html! {},
                                    },
                                    Pane::Session(id) => html! {
                                        <SessionPane id={id.clone()} view={match state.pane_view().as_deref() { Some(ViewData::Session(v, n)) => Some((v.clone(), *n)), _ => None }} />
                                    },
                                    Pane::Campaign => html! {
                                        <CampaignPane view={match state.pane_view().as_deref() { Some(ViewData::Campaign(v, n)) => Some((v.clone(), *n)), _ => None }}
                                            active={state.indicator.clone()} timeline_open={state.timeline_user.is_some()} />
                                    },
                                    Pane::Overview => html! {
                                        <OverviewPane view={match state.pane_view().as_deref() { Some(ViewData::Overview(v, n)) => Some((v.clone(), *n)), _ => None }}
                                            range={state.range} show_low={state.show_low} />
                                    },
                                } }
                                </div>
                            </aside>
                        }
                    </div>
                }
            </main>
            </div>
            if let Some(report) = state.report.as_ref().filter(|_| *below) {
                <div class="below">
                    <Summary report={report.clone()} blob={state.report_blob.clone()} grades={state.grades.clone()} />
                    <UsersList report={report.clone()} users={state.users.clone()} open={state.users_wanted}
                        on_toggle={on_want_users} on_timeline={on_timeline.clone()} />
                    <InputsTable report={report.clone()} on_remove={(!loaded_names.is_empty()).then_some(on_remove)} loaded={loaded_names} />
                    <p><button class="button" onclick={on_clear} data-testid="clear">{"Clear everything loaded"}</button></p>
                </div>
            }
            <footer>
                {"Your files are read by this page only: the analysis runs in a web worker in this tab, and the page's Content-Security-Policy forbids connections to any other site."}
                <About />
            </footer>
        </div>
        </ContextProvider<WorkerLink>>
        </ContextProvider<Dispatch>>
    }
}
