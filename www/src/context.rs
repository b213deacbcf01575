//! What the page's components share without threading it through props: the state's dispatcher
//! and the way to the analysis worker. [`crate::App`] provides both; a component takes them with
//! [`use_dispatch`] and [`use_worker`], and reads what it shows from its props (data only).

use std::rc::Rc;

use sessionhunt::Settings;
use web_sys::File;
use yew::prelude::*;

use crate::protocol::ToWorker;
use crate::state::AppState;

/// Dispatches [`crate::state::Action`]s to the page state. Its identity never changes, so a
/// component that takes it does not re-render when the state does.
pub type Dispatch = UseReducerDispatcher<AppState>;

/// Sends a request to the analysis worker: an optional status label (and whether the request
/// reads data anew), the request, the files it reads.
type Send = dyn Fn(Option<(String, bool)>, ToWorker, Vec<File>);

/// The way to the analysis worker (made once per page; compared by identity).
#[derive(Clone)]
pub struct WorkerLink(Rc<Send>);

impl WorkerLink {
    /// Wraps the page's send function.
    pub fn new(send: Rc<Send>) -> WorkerLink {
        WorkerLink(send)
    }

    /// Sends `request` with `files`; `begin` sets the status line.
    pub fn send(&self, begin: Option<(String, bool)>, request: ToWorker, files: Vec<File>) {
        (self.0)(begin, request, files);
    }
}

impl PartialEq for WorkerLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The page state's dispatcher; `None` outside [`crate::App`] (a component rendered alone does
/// nothing on input rather than panic).
#[hook]
pub fn use_dispatch() -> Option<Dispatch> {
    use_context::<Dispatch>()
}

/// The way to the analysis worker, inside [`crate::App`].
#[hook]
pub fn use_worker() -> Option<WorkerLink> {
    use_context::<WorkerLink>()
}

/// Where the page keeps the settings in this browser.
pub const SETTINGS_KEY: &str = "sessionhunt.settings";

/// Applies new settings: kept in this browser, put in the state, and (with `rescore`, when a
/// report is shown) the loaded data re-scored with them without reading the files again.
pub fn apply_settings(dispatch: &Dispatch, worker: &WorkerLink, settings: Settings, rescore: bool) {
    use gloo::storage::{LocalStorage, Storage};
    if let Err(err) = LocalStorage::set(SETTINGS_KEY, &settings) {
        web_sys::console::warn_1(&format!("sessionhunt: settings not stored: {err}").into());
    }
    dispatch.dispatch(crate::state::Action::Settings(crate::state::Shared::new(settings.clone())));
    if rescore {
        let label = "Re-scoring with the new settings".to_owned();
        worker.send(Some((label, false)), ToWorker::Rescore { settings }, Vec::new());
    }
}
