//! The root component: owns the state, the worker, and the page layout.

use std::rc::Rc;

use sessionhunt::{Report, Settings};
use web_sys::File;
use yew::prelude::*;

use crate::bridge::Analyzer;
use crate::components::about::About;
use crate::components::drop_zone::DropZone;
use crate::components::findings::FindingsTable;
use crate::components::status::StatusLine;
use crate::components::summary::{InputsTable, Summary};
use crate::protocol::{FromWorker, ToWorker};
use crate::state::{Action, AppState};

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::new);
    let analyzer = use_mut_ref(|| None::<Analyzer>);

    {
        let dispatcher = state.dispatcher();
        let analyzer = analyzer.clone();
        use_effect_with((), move |_| {
            let on_event = {
                let dispatcher = dispatcher.clone();
                Callback::from(move |message: FromWorker| match message {
                    FromWorker::Ready => dispatcher.dispatch(Action::WorkerReady),
                    FromWorker::Progress(progress) => {
                        dispatcher.dispatch(Action::Progress(progress))
                    }
                    FromWorker::Done { report_json } => {
                        match serde_json::from_str::<Report>(&report_json) {
                            Ok(report) => dispatcher
                                .dispatch(Action::Loaded(Rc::new(report), Rc::from(report_json))),
                            Err(err) => dispatcher
                                .dispatch(Action::Fail(format!("unreadable report: {err}"))),
                        }
                    }
                    FromWorker::Failed { message } => dispatcher.dispatch(Action::Fail(message)),
                })
            };
            match Analyzer::spawn(on_event) {
                Ok(worker) => *analyzer.borrow_mut() = Some(worker),
                Err(err) => dispatcher
                    .dispatch(Action::Fail(format!("cannot start the analysis worker: {err}"))),
            }
        });
    }

    let send = {
        let dispatcher = state.dispatcher();
        let analyzer = analyzer.clone();
        move |label: String, request: ToWorker, files: Vec<File>| {
            dispatcher.dispatch(Action::Begin(label));
            let result = match analyzer.borrow().as_ref() {
                Some(worker) => worker.send(&request, &files),
                None => Err("the analysis worker is not running".to_owned()),
            };
            if let Err(err) = result {
                dispatcher.dispatch(Action::Fail(err));
            }
        }
    };
    let on_files = {
        let send = send.clone();
        Callback::from(move |files: Vec<File>| {
            if files.is_empty() {
                return;
            }
            let label =
                format!("Reading {} file{}", files.len(), if files.len() == 1 { "" } else { "s" });
            send(label, ToWorker::Analyze { settings: Settings::default() }, files);
        })
    };
    let on_demo = Callback::from(move |()| {
        send(
            "Generating the demo tenant".to_owned(),
            ToWorker::Demo { settings: Settings::default() },
            Vec::new(),
        )
    });
    let on_sort = {
        let dispatcher = state.dispatcher();
        Callback::from(move |key| dispatcher.dispatch(Action::SortBy(key)))
    };
    let on_filter = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text| dispatcher.dispatch(Action::Filter(text)))
    };

    let busy = matches!(state.phase, crate::state::Phase::Working { .. });
    let rows = state.visible_findings();
    html! {
        <div class="app" data-worker={if state.worker_ready { "ready" } else { "starting" }}>
            <header class="topbar">
                <h1><span class="logo" aria-hidden="true">{"◎"}</span>{"sessionhunt"}</h1>
                <p class="tagline">{"Hunt AiTM session-token theft and replay in Entra ID and Microsoft 365 exports."}</p>
                <p class="privacy-badge" title="The analysis runs in this tab. Nothing is uploaded.">{"Offline · nothing leaves this browser"}</p>
            </header>
            <main>
                <DropZone {on_files} {on_demo} busy={busy || !state.worker_ready} />
                <StatusLine phase={state.phase.clone()} />
                if let Some(report) = &state.report {
                    <Summary report={report.clone()} json={state.report_json.clone()} />
                    <FindingsTable report={report.clone()} {rows} sort={state.sort}
                        descending={state.descending} filter={state.filter.clone()} {on_sort} {on_filter} />
                    <InputsTable report={report.clone()} />
                }
            </main>
            <footer>
                {"Your files are read by this page only: the analysis runs in a web worker in this tab, and the page's Content-Security-Policy forbids connections to any other site."}
                <About />
            </footer>
        </div>
    }
}
