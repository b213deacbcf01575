//! The page's state and its pure reducer. Effects (the worker, storage) live in `app.rs`.

use std::rc::Rc;

use sessionhunt::Report;
use sessionhunt::report::Finding;
use yew::Reducible;

use crate::protocol::Progress;

/// What the page is doing.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    /// Nothing loaded yet.
    #[default]
    Idle,
    /// The worker is reading or analysing.
    Working {
        /// What is being done, for the status line.
        label: String,
        /// Reading progress, once the worker reports it.
        progress: Option<Progress>,
    },
    /// A report is shown.
    Ready,
    /// The last request failed.
    Failed(String),
}

/// Columns the findings table sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Severity, then score.
    #[default]
    Severity,
    /// Score.
    Score,
    /// User.
    User,
    /// First event.
    FirstSeen,
    /// Last event.
    LastSeen,
}

/// The page state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppState {
    /// What the page is doing.
    pub phase: Phase,
    /// The last report, shared (never cloned) between renders.
    pub report: Option<Rc<Report>>,
    /// The same report as its JSON contract text (what "Download report" saves).
    pub report_json: Rc<str>,
    /// Sort column of the findings table.
    pub sort: SortKey,
    /// Sort direction: most severe / largest / latest first when true.
    pub descending: bool,
    /// Free-text filter over the findings table.
    pub filter: String,
    /// The analysis worker has loaded and listens.
    pub worker_ready: bool,
}

/// Everything that changes the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The analysis worker is ready.
    WorkerReady,
    /// A request was sent to the worker.
    Begin(String),
    /// Reading progress arrived.
    Progress(Progress),
    /// A report arrived, parsed and as its JSON text.
    Loaded(Rc<Report>, Rc<str>),
    /// The request failed.
    Fail(String),
    /// Sort by a column; the same column again flips the direction.
    SortBy(SortKey),
    /// Change the free-text filter.
    Filter(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::WorkerReady => next.worker_ready = true,
            Action::Begin(label) => next.phase = Phase::Working { label, progress: None },
            Action::Progress(progress) => match &mut next.phase {
                Phase::Working { progress: slot, .. } => *slot = Some(progress),
                _ => return self,
            },
            Action::Loaded(report, json) => {
                next.report = Some(report);
                next.report_json = json;
                next.phase = Phase::Ready;
            }
            Action::Fail(message) => next.phase = Phase::Failed(message),
            Action::SortBy(key) => {
                if next.sort == key {
                    next.descending = !next.descending;
                } else {
                    next.sort = key;
                    next.descending = true;
                }
            }
            Action::Filter(text) => next.filter = text,
        }
        Rc::new(next)
    }
}

impl AppState {
    /// The state a fresh page starts in.
    pub fn new() -> AppState {
        AppState { descending: true, ..AppState::default() }
    }

    /// Indices of the findings to show, filtered and in display order.
    pub fn visible_findings(&self) -> Vec<usize> {
        let Some(report) = &self.report else { return Vec::new() };
        let needle = self.filter.trim().to_lowercase();
        let mut rows: Vec<usize> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| needle.is_empty() || matches_filter(f, &needle))
            .map(|(i, _)| i)
            .collect();
        let findings = &report.findings;
        rows.sort_by(|&a, &b| {
            let (fa, fb) = (&findings[a], &findings[b]);
            let order = match self.sort {
                SortKey::Severity => (fa.severity, fa.score).cmp(&(fb.severity, fb.score)),
                SortKey::Score => fa.score.cmp(&fb.score),
                SortKey::User => fa.user.cmp(&fb.user),
                SortKey::FirstSeen => fa.first_seen.cmp(&fb.first_seen),
                SortKey::LastSeen => fa.last_seen.cmp(&fb.last_seen),
            };
            // Ties keep the report's own order, so the view is stable.
            let order = if self.descending { order.reverse() } else { order };
            order.then(a.cmp(&b))
        });
        rows
    }
}

fn matches_filter(finding: &Finding, needle: &str) -> bool {
    finding.user.to_lowercase().contains(needle)
        || finding.severity.as_str().contains(needle)
        || finding.rules.iter().any(|r| r.contains(needle))
        || finding.ips.iter().any(|ip| ip.contains(needle))
        || finding.countries.iter().any(|c| c.to_lowercase().contains(needle))
        || finding.user_agents.iter().any(|ua| ua.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sessionhunt::Severity;

    fn finding(user: &str, severity: Severity, score: i64) -> Finding {
        Finding { user: user.into(), severity, score, ..Finding::default() }
    }

    fn loaded() -> Rc<AppState> {
        let report = Report {
            findings: vec![
                finding("b@example.com", Severity::Medium, 40),
                finding("a@example.com", Severity::Critical, 90),
                finding("c@example.com", Severity::Medium, 55),
            ],
            ..Report::default()
        };
        Rc::new(AppState::new()).reduce(Action::Loaded(Rc::new(report), Rc::from("{}")))
    }

    #[test]
    fn default_order_is_most_severe_first() {
        let state = loaded();
        assert_eq!(state.phase, Phase::Ready);
        assert_eq!(state.visible_findings(), vec![1, 2, 0]);
    }

    #[test]
    fn sorting_the_same_column_twice_flips_direction() {
        let state = loaded().reduce(Action::SortBy(SortKey::User));
        assert_eq!(state.visible_findings(), vec![2, 0, 1]);
        let state = state.reduce(Action::SortBy(SortKey::User));
        assert_eq!(state.visible_findings(), vec![1, 0, 2]);
    }

    #[test]
    fn filter_matches_user_and_severity() {
        let state = loaded().reduce(Action::Filter("CRIT".into()));
        assert_eq!(state.visible_findings(), vec![1]);
        let state = state.reduce(Action::Filter("c@ex".into()));
        assert_eq!(state.visible_findings(), vec![2]);
    }

    #[test]
    fn progress_outside_work_is_ignored() {
        let state = loaded();
        let same = state.clone().reduce(Action::Progress(Progress::default()));
        assert!(Rc::ptr_eq(&state, &same));
    }
}
