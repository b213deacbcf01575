//! The page's state and its pure reducer. Effects (the worker, storage) live in `app.rs`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

use sessionhunt::report::{EventRef, Finding};
use sessionhunt::{Report, Settings};
use yew::Reducible;

use crate::protocol::{EventView, Progress, RawRows, UserRow};
use sessionhunt::export::{Grade, Grades};

/// Shared, immutable data compared by identity: props holding a 100 000-finding report must not
/// be compared field by field on every render.
pub struct Shared<T>(pub Rc<T>);

impl<T> Shared<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Shared<T> {
        Shared(Rc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Self {
        Shared::new(T::default())
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Shared(..)")
    }
}

/// Every finding's text in every column, lower-cased, one string per finding: what the free-text
/// search scans. Built as the report's findings arrive (a page of them per task), because making
/// it when the analyst types would cost one long task of about 130 ms per keystroke at 100 000
/// findings.
///
/// It also keeps each finding's time span in milliseconds, parsed once from the report's RFC 3339
/// text as the findings arrive, for the timeline brush's range filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex(Vec<Box<str>>, Vec<Option<(i64, i64)>>);

impl SearchIndex {
    /// The index of `findings`.
    pub fn of(findings: &[Finding]) -> SearchIndex {
        let mut index = SearchIndex::default();
        index.extend(findings);
        index
    }

    /// Adds `findings`, after those already indexed.
    pub fn extend(&mut self, findings: &[Finding]) {
        self.1.extend(findings.iter().map(|f| {
            let first = sessionhunt::ingest::parse_time(&f.first_seen)?;
            let last = sessionhunt::ingest::parse_time(&f.last_seen).unwrap_or(first);
            Some((first, last))
        }));
        self.0.extend(findings.iter().map(|f| {
            let mut text = String::new();
            for column in GRID {
                // Per column, so the text matches what each cell shows; a newline between
                // columns, which a search box cannot hold, so no match spans two cells.
                text.push_str(&column.page_text(f).to_lowercase());
                text.push('\n');
            }
            // And what the details panel shows first (issue 21: search finds what is on
            // screen): the network names, the rung's reason, the explanation and the related
            // audit operations, one per line. The facts' sentences are the explanation's own
            // (the core writes each fact's sentence into both), so they are not indexed twice.
            let networks = f.asns.iter().map(|a| sessionhunt::enrich::asn_label(*a));
            let prose = f.explanation.iter().chain(std::iter::once(&f.severity_reason));
            let audit = f.related_audit.iter().map(|a| format!("{} {}", a.operation, a.detail));
            for line in networks.chain(prose.cloned()).chain(audit) {
                text.push_str(&line.to_lowercase());
                text.push('\n');
            }
            text.into_boxed_str()
        }));
    }

    /// True when finding `i`'s events span overlaps `[from, to]` (milliseconds).
    pub fn overlaps(&self, i: usize, (from, to): (f64, f64)) -> bool {
        self.1
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|(first, last)| (first as f64) <= to && (last as f64) >= from)
    }

    /// Number of findings indexed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when finding `i`'s text contains `needle` (lower-cased, without a newline).
    fn matches(&self, i: usize, needle: &str) -> bool {
        self.0.get(i).is_some_and(|text| text.contains(needle))
    }
}

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
        /// The request can be cancelled (reading files); re-scoring is quick and cannot.
        cancellable: bool,
    },
    /// A report is shown.
    Ready,
    /// The last request failed.
    Failed(String),
    /// The analyst cancelled reading.
    Cancelled,
}

pub use sessionhunt::report::grid::Column;

/// The columns the page's grid offers, in display order: the core's list
/// (`sessionhunt::report::grid`, which the CLI's CSV writes in full), less what the details panel
/// shows better (counts, remediation time, suppressions, the rung's reason, the explanation).
pub const GRID: [Column; 13] = [
    Column::Severity,
    Column::Score,
    Column::User,
    Column::Rules,
    Column::FirstSeen,
    Column::LastSeen,
    Column::Ips,
    Column::Asns,
    Column::Countries,
    Column::Sessions,
    Column::UserAgents,
    Column::Remediation,
    Column::Id,
];

/// What the page does with a grid column beyond the core's list.
pub trait PageColumn {
    /// Shown before the analyst chooses otherwise.
    fn shown_by_default(self) -> bool;
    /// The cell's whole text on the page (what search and per-column filters match).
    fn page_text(self, f: &Finding) -> String;
    /// Ascending order of two findings in this column (no allocation: 100 000 rows sort fast).
    fn compare(self, a: &Finding, b: &Finding) -> Ordering;
}

impl PageColumn for Column {
    fn shown_by_default(self) -> bool {
        !matches!(self, Column::UserAgents | Column::Id | Column::Asns)
    }

    fn page_text(self, f: &Finding) -> String {
        match self {
            // Three states in words (docs/exports.md): "unknown" without an audit log.
            Column::Remediation => crate::answer::remediation_label(f),
            other => other.text(f, &sessionhunt::report::grid::PAGE),
        }
    }

    fn compare(self, a: &Finding, b: &Finding) -> Ordering {
        match self {
            Column::Severity => (a.severity, a.score).cmp(&(b.severity, b.score)),
            Column::Score => a.score.cmp(&b.score),
            Column::User => a.user.cmp(&b.user),
            Column::Rules => a.rules.cmp(&b.rules),
            Column::FirstSeen => a.first_seen.cmp(&b.first_seen),
            Column::LastSeen => a.last_seen.cmp(&b.last_seen),
            Column::Ips => a.ips.cmp(&b.ips),
            Column::Asns => a.asns.cmp(&b.asns),
            Column::Countries => a.countries.cmp(&b.countries),
            Column::Sessions => a.session_ids.cmp(&b.session_ids),
            Column::UserAgents => a.user_agents.cmp(&b.user_agents),
            Column::Remediation => a.remediation.status.cmp(&b.remediation.status),
            Column::Id => a.id.cmp(&b.id),
            Column::Events => a.events.len().cmp(&b.events.len()),
            Column::RemediationTime => a.remediation.time.cmp(&b.remediation.time),
            Column::AuditOperations
            | Column::Suppressions
            | Column::SeverityReason
            | Column::Explanation => self.page_text(a).cmp(&self.page_text(b)),
        }
    }
}

/// What the findings grid shows: its rows and how they were chosen and ordered. One value instead
/// of a prop per state field, built by [`AppState::grid_view`].
#[derive(Clone, Debug, PartialEq)]
pub struct GridView {
    /// Indices of the findings to show, in order.
    pub rows: Shared<Vec<usize>>,
    /// Visible columns, in order.
    pub columns: Vec<Column>,
    /// Sort column.
    pub sort: Column,
    /// Sort direction.
    pub descending: bool,
    /// Search text.
    pub filter: String,
    /// Per-column filters.
    pub column_filters: BTreeMap<Column, String>,
    /// Id of the finding whose details are open.
    pub selected: Option<String>,
    /// The timeline brush's time range, as text, when one is set.
    pub range_label: Option<String>,
    /// The analyst's grades (a column of their own).
    pub grades: Shared<Grades>,
    /// The grade filter.
    pub grade_filter: GradeFilter,
    /// Low and info findings left out of `rows` by the fold (0 when it is open or gives way to
    /// a search or filter).
    pub folded: usize,
    /// The analyst opened the fold.
    pub show_low: bool,
    /// The campaign indicator filtering the grid, as the page names it.
    pub indicator: Option<String>,
    /// A search, column filter, time range, grade filter or indicator hides findings.
    pub filtered: bool,
}

/// The side pane of the workspace: what it shows beside the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The selected finding's details.
    Finding,
    /// One session id's events (docs/views.md).
    Session(String),
    /// Indicators shared across users.
    Campaign,
    /// The tenant overview: findings per day, networks, coverage.
    Overview,
}

impl Pane {
    /// A stable key (test ids, the tab's value).
    pub fn key(&self) -> &'static str {
        match self {
            Pane::Finding => "finding",
            Pane::Session(_) => "session",
            Pane::Campaign => "campaign",
            Pane::Overview => "overview",
        }
    }

    /// The view it asks of the worker (none for a finding's details, which come from the report
    /// and the user's events).
    pub fn request(&self) -> Option<ViewRequest> {
        match self {
            Pane::Finding => None,
            Pane::Session(id) => Some(ViewRequest::Session(id.clone())),
            Pane::Campaign => Some(ViewRequest::Campaign),
            Pane::Overview => Some(ViewRequest::Overview),
        }
    }
}

/// An indicator of the campaign view the analyst picked: the grid shows the findings that carry
/// it, and the timeline marks the events that used it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorFilter {
    /// `ip`, `asn`, `user-agent` or `forwarding-address` (the core's kinds).
    pub kind: String,
    /// The value as the core gives it (an ASN as its number).
    pub value: String,
    /// How the page names it (`IP 203.0.113.7`, `AS14061 DigitalOcean`).
    pub label: String,
    /// Ids of the findings that carry a forwarding address (the finding itself does not list
    /// them; the other kinds are read from the finding's own lists).
    pub findings: BTreeSet<String>,
}

impl IndicatorFilter {
    /// The indicator ready to be matched against many findings or events: its value parsed and
    /// lower-cased once, not per row.
    pub fn matcher(&self) -> IndicatorMatcher<'_> {
        IndicatorMatcher {
            filter: self,
            asn: self.value.trim_start_matches("AS").parse().ok().filter(|&a: &u32| a != 0),
            lower: self.value.to_lowercase(),
        }
    }
}

/// What carries a campaign indicator: the one place the grid's filter and the timeline's marks
/// decide it.
pub struct IndicatorMatcher<'a> {
    filter: &'a IndicatorFilter,
    asn: Option<u32>,
    lower: String,
}

impl IndicatorMatcher<'_> {
    /// True when finding `f` carries the indicator: its IPs, networks or user agents hold the
    /// value (as the core's campaign view collects them), or, for a forwarding address, the
    /// campaign view listed it.
    pub fn finding(&self, f: &Finding) -> bool {
        match self.filter.kind.as_str() {
            "ip" => f.ips.contains(&self.filter.value),
            "asn" => self.asn.is_some_and(|asn| f.asns.contains(&asn)),
            "user-agent" => f.user_agents.contains(&self.filter.value),
            _ => self.filter.findings.contains(&f.id),
        }
    }

    /// True when event `e` (whose network is `asn`) used the indicator: its IP, network or user
    /// agent, or a forwarding address its audit detail names.
    pub fn event(&self, e: &EventView, asn: u32) -> bool {
        match self.filter.kind.as_str() {
            "ip" => e.ip == self.filter.value,
            "asn" => self.asn == Some(asn),
            "user-agent" => e.user_agent == self.filter.value,
            "forwarding-address" => {
                e.audit_detail.iter().any(|d| d.to_lowercase().contains(&self.lower))
            }
            _ => false,
        }
    }
}

/// A view the worker computes for the side pane, as it arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewData {
    /// A session's view and how many events it has (the view holds at most `VIEW_ROWS`).
    Session(sessionhunt::views::SessionView, u64),
    /// The campaign's indicators (their member lists cut) and how many there are.
    Campaign(Vec<crate::protocol::CampaignRow>, u64),
    /// The overview and how many users the data has.
    Overview(sessionhunt::views::Overview, u64),
}

/// A view the side pane wants from the worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewRequest {
    /// A session id's view.
    Session(String),
    /// The campaign view.
    Campaign,
    /// The overview.
    Overview,
}

impl ViewData {
    /// The request it answers.
    pub fn request(&self) -> ViewRequest {
        match self {
            ViewData::Session(v, _) => ViewRequest::Session(v.session_id.clone()),
            ViewData::Campaign(..) => ViewRequest::Campaign,
            ViewData::Overview(..) => ViewRequest::Overview,
        }
    }
}

impl ViewRequest {
    /// The key its answer is kept under (and a pending request is known by).
    pub fn key(&self) -> String {
        match self {
            ViewRequest::Session(id) => format!("session:{id}"),
            ViewRequest::Campaign => "campaign:".to_owned(),
            ViewRequest::Overview => "overview:".to_owned(),
        }
    }
}

/// The loaded events of one user (details panel, timeline).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserEvents {
    /// The user.
    pub user: String,
    /// Their events, in time order.
    pub events: Vec<EventView>,
    /// The events behind each of the user's findings, by finding id (the page's parsed report
    /// leaves these lists out; see `FromWorker::Done`).
    pub refs: BTreeMap<String, Vec<EventRef>>,
}

/// The page state.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// What the page is doing.
    pub phase: Phase,
    /// The last report, shared (never cloned) between renders.
    pub report: Option<Shared<Report>>,
    /// The free-text search's index of the report's findings.
    pub search: Shared<SearchIndex>,
    /// The same report as its JSON contract text (what "Download report" saves), held by the
    /// browser as a Blob and never copied into the page's memory; `None` until the worker has
    /// written it (it comes after the report) and in native tests.
    pub report_blob: Option<web_sys::Blob>,
    /// Sort column of the findings grid.
    pub sort: Column,
    /// Sort direction: most severe / largest / latest first when true.
    pub descending: bool,
    /// Free-text search over every column of the findings grid.
    pub filter: String,
    /// Per-column filters (case-insensitive substrings of the cell text).
    pub column_filters: BTreeMap<Column, String>,
    /// Columns the analyst hid.
    pub hidden: BTreeSet<Column>,
    /// Only findings overlapping this time range (milliseconds, from the timeline's brush).
    pub range: Option<(f64, f64)>,
    /// Id of the finding whose details are open.
    pub selected: Option<String>,
    /// User whose timeline is shown.
    pub timeline_user: Option<String>,
    /// The finding the timeline was opened from (it zooms to it and marks its events).
    pub timeline_focus: Option<String>,
    /// The events of the users asked for since the data was loaded, by user.
    pub events: BTreeMap<String, Shared<UserEvents>>,
    /// Raw rows (file, line, text) behind findings, by finding id, as the worker sent them.
    pub raw_rows: BTreeMap<String, Shared<RawRows>>,
    /// Settings of the analysis.
    pub settings: Shared<Settings>,
    /// The analysis worker has loaded and listens.
    pub worker_ready: bool,
    /// Every user of the loaded data, once asked for (the user list; `None` until it arrives).
    pub users: Option<Shared<Vec<UserRow>>>,
    /// The user list is open and wants its rows.
    pub users_wanted: bool,
    /// A re-scoring is under way (the next report is compared with the one shown).
    pub rescoring: bool,
    /// After a re-scoring: how many findings changed (added, removed, or another severity or
    /// score), for the notice.
    pub rescored: Option<usize>,
    /// The analyst's grades, by finding id (kept in this browser; survive a re-analysis).
    pub grades: Shared<Grades>,
    /// Only findings with this grade (or none) in the grid.
    pub grade_filter: GradeFilter,
    /// What the workspace's side pane shows (`None`: the grid takes the whole width).
    pub pane: Option<Pane>,
    /// The views the worker computed for the side pane, by [`ViewRequest::key`]; they belong to
    /// the report shown and go with it.
    pub views: BTreeMap<String, Shared<ViewData>>,
    /// Low and info findings are shown without a search or filter (the fold is open).
    pub show_low: bool,
    /// The campaign indicator filtering the grid and marked on the timeline.
    pub indicator: Option<Shared<IndicatorFilter>>,
    /// The last session opened in the side pane (it keeps a tab while another view is shown).
    pub last_session: Option<String>,
}

/// Which findings the grid shows by their grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GradeFilter {
    /// Every finding.
    #[default]
    All,
    /// Findings nobody graded yet.
    Ungraded,
    /// Findings with this grade.
    Is(Grade),
}

impl GradeFilter {
    /// Every choice, in the order the page offers them.
    pub const ALL: [GradeFilter; 5] = [
        GradeFilter::All,
        GradeFilter::Ungraded,
        GradeFilter::Is(Grade::TruePositive),
        GradeFilter::Is(Grade::FalsePositive),
        GradeFilter::Is(Grade::BenignTruePositive),
    ];

    /// A stable key (the select's values, test ids).
    pub fn key(self) -> &'static str {
        match self {
            GradeFilter::All => "all",
            GradeFilter::Ungraded => "ungraded",
            GradeFilter::Is(g) => g.as_str(),
        }
    }

    /// Words for the analyst.
    pub fn label(self) -> &'static str {
        match self {
            GradeFilter::All => "Any grade",
            GradeFilter::Ungraded => "Not graded",
            GradeFilter::Is(g) => g.label(),
        }
    }

    /// The choice with this key.
    pub fn from_key(key: &str) -> GradeFilter {
        GradeFilter::ALL.into_iter().find(|g| g.key() == key).unwrap_or_default()
    }

    /// True when a finding graded `grade` passes.
    pub fn admits(self, grade: Option<Grade>) -> bool {
        match self {
            GradeFilter::All => true,
            GradeFilter::Ungraded => grade.is_none(),
            GradeFilter::Is(g) => grade == Some(g),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            phase: Phase::Idle,
            report: None,
            search: Shared::new(SearchIndex::default()),
            report_blob: None,
            sort: Column::Severity,
            descending: true,
            filter: String::new(),
            column_filters: BTreeMap::new(),
            hidden: GRID.into_iter().filter(|c| !c.shown_by_default()).collect(),
            range: None,
            selected: None,
            timeline_user: None,
            timeline_focus: None,
            events: BTreeMap::new(),
            raw_rows: BTreeMap::new(),
            settings: Shared::new(Settings::default()),
            worker_ready: false,
            users: None,
            users_wanted: false,
            rescoring: false,
            rescored: None,
            grades: Shared::new(Grades::default()),
            grade_filter: GradeFilter::All,
            pane: None,
            views: BTreeMap::new(),
            show_low: false,
            indicator: None,
            last_session: None,
        }
    }
}

/// Everything that changes the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Grade a finding (with a note), or take its grade away.
    Grade(String, Option<(Grade, String)>),
    /// Replace every grade (a grades file imported, or the ones kept in this browser).
    Grades(Shared<Grades>),
    /// Show only findings with this grade.
    GradeFilter(GradeFilter),
    /// The analysis worker is ready.
    WorkerReady,
    /// The worker was stopped (cancel) and a new one is starting.
    WorkerRestarting,
    /// A request was sent to the worker: label, and whether it reads data anew (then it can be
    /// cancelled; re-scoring is quick and cannot).
    Begin(String, bool),
    /// Reading progress arrived.
    Progress(Progress),
    /// A report arrived: parsed, and the search index of its findings (rebuilt here when it does
    /// not cover them). Its JSON text comes after it ([`Action::ReportBlob`]).
    Loaded(Shared<Report>, Shared<SearchIndex>),
    /// The report's JSON text arrived (after the report itself: see `FromWorker::ReportJson`).
    ReportBlob(web_sys::Blob),
    /// The request failed.
    Fail(String),
    /// The analyst cancelled reading.
    Cancelled,
    /// Everything loaded was removed.
    Cleared,
    /// Sort by a column; the same column again flips the direction.
    SortBy(Column),
    /// Change the free-text search.
    Filter(String),
    /// Change one column's filter.
    ColumnFilter(Column, String),
    /// Show or hide a column.
    ToggleColumn(Column),
    /// Filter the grid to findings overlapping a time range (or clear it).
    Range(Option<(f64, f64)>),
    /// Open (or close) a finding's details.
    Select(Option<String>),
    /// Show (or close) a user's timeline.
    Timeline(Option<String>),
    /// A user's events arrived.
    Events(Shared<UserEvents>),
    /// A finding's raw rows arrived.
    RawRows(String, Shared<RawRows>),
    /// New analysis settings.
    Settings(Shared<Settings>),
    /// Clear the search, every column filter and the time range.
    ClearFilters,
    /// Open (true) or close the user list.
    WantUsers(bool),
    /// The list of every user arrived.
    Users(Shared<Vec<UserRow>>),
    /// Dismiss the re-scoring notice.
    DismissRescored,
    /// Show this in the side pane, or close it (which closes a finding's details too).
    Pane(Option<Pane>),
    /// A view for the side pane arrived.
    View(Shared<ViewData>),
    /// Open (true) or close the fold of low and info findings.
    ShowLow(bool),
    /// Filter the grid to a campaign indicator's findings (and mark it on the timeline), or not.
    Indicator(Option<Shared<IndicatorFilter>>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::WorkerReady => next.worker_ready = true,
            Action::WorkerRestarting => {
                next.worker_ready = false;
                next.events.clear();
                next.raw_rows.clear();
                next.views.clear();
            }
            Action::Begin(label, reading) => {
                // Reading replaces the data: events asked for before belong to the old data.
                if reading {
                    next.events.clear();
                    next.raw_rows.clear();
                    next.users = None;
                }
                next.rescoring = !reading;
                next.rescored = None;
                next.phase = Phase::Working { label, progress: None, cancellable: reading }
            }
            Action::Progress(progress) => match &mut next.phase {
                Phase::Working { progress: slot, .. } => *slot = Some(progress),
                _ => return self,
            },
            Action::Loaded(report, search) => {
                // A finding or user that is gone from the new report closes its views.
                if next
                    .selected
                    .as_ref()
                    .is_some_and(|id| !report.findings.iter().any(|f| &f.id == id))
                {
                    next.selected = None;
                }
                if next
                    .timeline_user
                    .as_ref()
                    .is_some_and(|user| !report.findings.iter().any(|f| &f.user == user))
                {
                    next.timeline_user = None;
                }
                if next
                    .timeline_focus
                    .as_ref()
                    .is_some_and(|id| !report.findings.iter().any(|f| &f.id == id))
                {
                    next.timeline_focus = next
                        .timeline_user
                        .as_ref()
                        .and_then(|u| report.findings.iter().find(|f| &f.user == u))
                        .map(|f| f.id.clone());
                }
                next.rescored = (next.rescoring)
                    .then(|| self.report.as_ref().map(|old| changed(old, &report)))
                    .flatten();
                next.rescoring = false;
                next.search = if search.len() == report.findings.len() {
                    search
                } else {
                    Shared::new(SearchIndex::of(&report.findings))
                };
                next.report = Some(report);
                // The new report's text is still being written: no download of the old one.
                next.report_blob = None;
                // Event references and views belong to a report: ask again for the new one's.
                next.events.clear();
                next.raw_rows.clear();
                next.views.clear();
                // Its findings were the old report's: a new one has its own campaign view.
                next.indicator = None;
                if next.pane == Some(Pane::Finding) && next.selected.is_none() {
                    next.pane = None;
                }
                next.phase = Phase::Ready;
            }
            // Text for a report that was cleared meanwhile has nothing to attach to.
            Action::ReportBlob(_) if next.report.is_none() => return self,
            Action::ReportBlob(blob) => next.report_blob = Some(blob),
            Action::Fail(message) => {
                next.rescoring = false;
                next.phase = Phase::Failed(message)
            }
            Action::Cancelled => next.phase = Phase::Cancelled,
            Action::Cleared => {
                next.report = None;
                next.search = Shared::new(SearchIndex::default());
                next.report_blob = None;
                next.selected = None;
                next.timeline_user = None;
                next.events.clear();
                next.raw_rows.clear();
                next.views.clear();
                next.pane = None;
                next.indicator = None;
                next.last_session = None;
                next.range = None;
                next.users = None;
                next.users_wanted = false;
                next.rescored = None;
                next.phase = Phase::Idle;
            }
            Action::SortBy(key) => {
                if next.sort == key {
                    next.descending = !next.descending;
                } else {
                    next.sort = key;
                    next.descending = true;
                }
            }
            Action::Filter(text) => next.filter = text,
            Action::ColumnFilter(column, text) => {
                if text.is_empty() {
                    next.column_filters.remove(&column);
                } else {
                    next.column_filters.insert(column, text);
                }
            }
            Action::ToggleColumn(column) => {
                if !next.hidden.remove(&column) {
                    next.hidden.insert(column);
                    // A hidden column keeps no filter the analyst can no longer see.
                    next.column_filters.remove(&column);
                }
            }
            Action::Range(range) => next.range = range,
            Action::Select(id) => {
                next.pane = match (&id, next.pane.take()) {
                    (Some(_), _) => Some(Pane::Finding),
                    (None, Some(Pane::Finding)) => None,
                    (None, other) => other,
                };
                next.selected = id;
            }
            Action::Pane(pane) => {
                // As the core keys sessions (trimmed, lower-cased), so its answer meets the ask.
                let pane = match pane {
                    Some(Pane::Session(id)) => Some(Pane::Session(id.trim().to_lowercase())),
                    other => other,
                };
                if let Some(Pane::Session(id)) = &pane {
                    next.last_session = Some(id.clone());
                }
                if pane.is_none() || (pane == Some(Pane::Finding) && next.selected.is_none()) {
                    next.selected = None;
                    next.pane = None;
                } else {
                    next.pane = pane;
                }
            }
            Action::View(view) => {
                next.views.insert(view.request().key(), view);
            }
            Action::ShowLow(show) => next.show_low = show,
            Action::Indicator(indicator) => next.indicator = indicator,
            Action::Timeline(user) => {
                // Opened from a finding's details: that finding is the timeline's focus; else
                // the user's most severe finding (the report lists them most severe first).
                let report = next.report.clone();
                next.timeline_focus = user.as_ref().and_then(|user| {
                    let findings = &report.as_ref()?.findings;
                    findings
                        .iter()
                        .find(|f| Some(&f.id) == next.selected.as_ref() && &f.user == user)
                        .or_else(|| findings.iter().find(|f| &f.user == user))
                        .map(|f| f.id.clone())
                });
                next.timeline_user = user;
            }
            Action::Events(events) => {
                next.events.insert(events.user.clone(), events);
            }
            Action::RawRows(finding, rows) => {
                next.raw_rows.insert(finding, rows);
            }
            Action::Settings(settings) => next.settings = settings,
            Action::ClearFilters => {
                next.indicator = None;
                next.grade_filter = GradeFilter::All;
                next.filter.clear();
                next.column_filters.clear();
                next.range = None;
            }
            Action::WantUsers(open) => next.users_wanted = open,
            Action::Users(users) => next.users = Some(users),
            Action::DismissRescored => next.rescored = None,
            Action::Grade(id, grade) => {
                let mut grades = (*next.grades).clone();
                grades.set(&id, grade);
                next.grades = Shared::new(grades);
            }
            Action::Grades(grades) => next.grades = grades,
            Action::GradeFilter(filter) => next.grade_filter = filter,
        }
        Rc::new(next)
    }
}

impl AppState {
    /// The state a fresh page starts in.
    pub fn new() -> AppState {
        AppState::default()
    }

    /// Visible columns, in display order.
    pub fn columns(&self) -> Vec<Column> {
        GRID.into_iter().filter(|c| !self.hidden.contains(c)).collect()
    }

    /// True when the search, a column filter or the time range hides findings.
    pub fn filtered(&self) -> bool {
        !self.filter.trim().is_empty()
            || !self.column_filters.is_empty()
            || self.range.is_some()
            || self.indicator.is_some()
    }

    /// Users whose events the open views need and that have not arrived.
    pub fn wanted_events(&self) -> Vec<String> {
        let mut users: Vec<String> = Vec::new();
        if let Some(f) = self.selected_finding() {
            users.push(f.user.clone());
        }
        if let Some(user) = &self.timeline_user {
            users.push(user.clone());
        }
        users.retain(|u| !self.events.contains_key(u));
        users.dedup();
        users
    }

    /// The view the side pane shows and has not arrived (none for a finding's details, which
    /// come from the report and the user's events).
    pub fn wanted_view(&self) -> Option<ViewRequest> {
        self.report.as_ref()?;
        let wanted = self.pane.as_ref()?.request()?;
        (!self.views.contains_key(&wanted.key())).then_some(wanted)
    }

    /// The side pane's view, once it arrived.
    pub fn pane_view(&self) -> Option<Shared<ViewData>> {
        self.views.get(&self.pane.as_ref()?.request()?.key()).cloned()
    }

    /// True when the fold of low and info findings applies: the analyst has not opened it, and
    /// no search or column filter asks for something in particular (those look through every
    /// finding: what an analyst searches for must be found).
    pub fn folds_low(&self) -> bool {
        !self.show_low
            && self.filter.trim().is_empty()
            && self.column_filters.is_empty()
            && self.indicator.is_none()
    }

    /// True when the user list is open and its rows have not arrived.
    pub fn wanted_users(&self) -> bool {
        self.users_wanted && self.users.is_none() && self.report.is_some()
    }

    /// The open finding whose raw rows have not arrived.
    pub fn wanted_raw_rows(&self) -> Option<String> {
        self.selected
            .clone()
            .filter(|id| !self.raw_rows.contains_key(id) && self.selected_finding().is_some())
    }

    /// The finding whose details are open.
    pub fn selected_finding(&self) -> Option<&Finding> {
        let id = self.selected.as_ref()?;
        self.report.as_ref()?.findings.iter().find(|f| &f.id == id)
    }

    /// The grid's view of this state, `rows` being [`AppState::visible_findings`] (computed once
    /// per change by the page, not per render).
    pub fn grid_view(&self, (rows, folded): (Shared<Vec<usize>>, usize)) -> GridView {
        GridView {
            rows,
            folded,
            show_low: self.show_low,
            indicator: self.indicator.as_ref().map(|x| x.label.clone()),
            filtered: self.filtered() || self.grade_filter != GradeFilter::All,
            columns: self.columns(),
            sort: self.sort,
            descending: self.descending,
            filter: self.filter.clone(),
            column_filters: self.column_filters.clone(),
            selected: self.selected.clone(),
            grades: self.grades.clone(),
            grade_filter: self.grade_filter,
            range_label: self.range.map(|(a, b)| {
                format!(
                    "{} → {}",
                    sessionhunt::time::rfc3339(a as i64),
                    sessionhunt::time::rfc3339(b as i64)
                )
            }),
        }
    }

    /// Indices of the findings to show, filtered and in display order: the first of
    /// [`AppState::grid_rows`].
    pub fn visible_findings(&self) -> Vec<usize> {
        self.grid_rows().0
    }

    /// Indices of the findings to show, filtered and in display order, and how many low and info
    /// findings the fold left out (they passed every other filter).
    pub fn grid_rows(&self) -> (Vec<usize>, usize) {
        let Some(report) = &self.report else { return (Vec::new(), 0) };
        let fold = self.folds_low();
        let mut folded = 0;
        let indicator = self.indicator.as_deref().map(IndicatorFilter::matcher);
        let needle = self.filter.trim().to_lowercase();
        let column_needles: Vec<(Column, ColumnFilter)> = self
            .column_filters
            .iter()
            .filter_map(|(c, t)| Some((*c, ColumnFilter::parse(t)?)))
            .collect();
        let range = self.range;
        let mut rows: Vec<usize> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(i, _)| needle.is_empty() || self.search.matches(*i, &needle))
            .filter(|(_, f)| column_needles.iter().all(|(c, t)| t.matches(*c, f)))
            .filter(|(i, _)| range.is_none_or(|r| self.search.overlaps(*i, r)))
            .filter(|(_, f)| self.grade_filter.admits(self.grades.get(&f.id).map(|g| g.grade)))
            .filter(|(_, f)| indicator.as_ref().is_none_or(|m| m.finding(f)))
            .filter(|(_, f)| {
                let out = fold && f.severity <= sessionhunt::Severity::Low;
                folded += usize::from(out);
                !out
            })
            .map(|(i, _)| i)
            .collect();
        let findings = &report.findings;
        let sort = self.sort;
        rows.sort_by(|&a, &b| {
            let order = sort.compare(&findings[a], &findings[b]);
            // Ties keep the report's own order, so the view is stable.
            let order = if self.descending { order.reverse() } else { order };
            order.then(a.cmp(&b))
        });
        (rows, folded)
    }
}

/// Findings of `new` that are not in `old` with the same severity and score, plus those of `old`
/// gone from `new` (the re-scoring notice).
fn changed(old: &Report, new: &Report) -> usize {
    let before: BTreeMap<&str, (sessionhunt::Severity, i64)> =
        old.findings.iter().map(|f| (f.id.as_str(), (f.severity, f.score))).collect();
    let after: BTreeMap<&str, (sessionhunt::Severity, i64)> =
        new.findings.iter().map(|f| (f.id.as_str(), (f.severity, f.score))).collect();
    let differ = after.iter().filter(|(id, v)| before.get(*id) != Some(v)).count();
    differ + before.keys().filter(|id| !after.contains_key(*id)).count()
}

/// How a column filter compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// The cell's text contains the value (case-insensitive).
    Contains,
    /// `=value`: the cell's text is the value.
    Equals,
    /// `>value`.
    Greater,
    /// `>=value`.
    AtLeast,
    /// `<value`.
    Less,
    /// `<=value`.
    AtMost,
}

/// One column's filter: a substring by default; `>100`, `<=50`, `=low` compare (numbers as
/// numbers, severities by rank, anything else as text, which orders RFC 3339 times); a leading
/// `!` negates (`!low`, `!>50`).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnFilter {
    negate: bool,
    op: Op,
    value: String,
}

impl ColumnFilter {
    /// The filter typed as `text`; `None` when it filters nothing (empty, or a bare `!`).
    pub fn parse(text: &str) -> Option<ColumnFilter> {
        let mut rest = text.trim();
        let negate = rest.starts_with('!');
        if negate {
            rest = rest[1..].trim_start();
        }
        let (op, value) = [
            (">=", Op::AtLeast),
            ("<=", Op::AtMost),
            (">", Op::Greater),
            ("<", Op::Less),
            ("=", Op::Equals),
        ]
        .iter()
        .find_map(|(p, op)| rest.strip_prefix(p).map(|v| (*op, v.trim())))
        .unwrap_or((Op::Contains, rest));
        if value.is_empty() {
            return None;
        }
        Some(ColumnFilter { negate, op, value: value.to_lowercase() })
    }

    /// True when finding `f`'s cell in `column` passes.
    pub fn matches(&self, column: Column, f: &Finding) -> bool {
        let text = column.page_text(f).to_lowercase();
        let order = || -> Ordering {
            if column == Column::Severity
                && let Some(s) = sessionhunt::Severity::parse(&self.value)
            {
                return f.severity.cmp(&s);
            }
            match (text.parse::<f64>(), self.value.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
                _ => text.as_str().cmp(self.value.as_str()),
            }
        };
        let pass = match self.op {
            Op::Contains => text.contains(self.value.as_str()),
            Op::Equals => order() == Ordering::Equal,
            Op::Greater => order() == Ordering::Greater,
            Op::AtLeast => order() != Ordering::Less,
            Op::Less => order() == Ordering::Less,
            Op::AtMost => order() != Ordering::Greater,
        };
        pass != self.negate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sessionhunt::Severity;

    fn finding(user: &str, severity: Severity, score: i64) -> Finding {
        Finding {
            id: format!("F-{user}"),
            user: user.into(),
            severity,
            score,
            ..Finding::default()
        }
    }

    fn report() -> Report {
        let mut b = finding("b@example.com", Severity::Medium, 40);
        b.first_seen = "2026-03-02T10:00:00Z".into();
        b.last_seen = "2026-03-02T11:00:00Z".into();
        b.ips = vec!["203.0.113.7".into()];
        let mut a = finding("a@example.com", Severity::Critical, 90);
        a.first_seen = "2026-03-05T10:00:00Z".into();
        a.last_seen = "2026-03-05T10:30:00Z".into();
        a.ips = vec!["198.51.100.1".into()];
        a.user_agents = vec!["Mozilla/5.0 <script>".into()];
        let mut c = finding("c@example.com", Severity::Medium, 55);
        c.first_seen = "2026-03-01T00:00:00Z".into();
        c.last_seen = "2026-03-09T00:00:00Z".into();
        Report { findings: vec![b, a, c], ..Report::default() }
    }

    fn loaded() -> Rc<AppState> {
        Rc::new(AppState::new()).reduce(Action::Loaded(Shared::new(report()), Shared::default()))
    }

    #[test]
    fn default_order_is_most_severe_first() {
        let state = loaded();
        assert_eq!(state.phase, Phase::Ready);
        assert_eq!(state.visible_findings(), vec![1, 2, 0]);
    }

    #[test]
    fn sorting_the_same_column_twice_flips_direction() {
        let state = loaded().reduce(Action::SortBy(Column::User));
        assert_eq!(state.visible_findings(), vec![2, 0, 1]);
        let state = state.reduce(Action::SortBy(Column::User));
        assert_eq!(state.visible_findings(), vec![1, 0, 2]);
    }

    #[test]
    fn grades_filter_the_grid_and_survive_a_new_report() {
        let state = loaded();
        let ids: Vec<String> =
            state.report.as_ref().unwrap().findings.iter().map(|f| f.id.clone()).collect();
        let state = state
            .reduce(Action::Grade(ids[0].clone(), Some((Grade::FalsePositive, "VPN".into()))))
            .reduce(Action::Grade(ids[1].clone(), Some((Grade::TruePositive, String::new()))));
        let only = |s: &Rc<AppState>, f: GradeFilter| {
            s.clone().reduce(Action::GradeFilter(f)).visible_findings().len()
        };
        assert_eq!(only(&state, GradeFilter::Is(Grade::FalsePositive)), 1);
        assert_eq!(only(&state, GradeFilter::Ungraded), ids.len() - 2);
        assert_eq!(only(&state, GradeFilter::All), ids.len());
        assert_eq!(state.grades.get(&ids[0]).map(|g| g.note.as_str()), Some("VPN"));
        let state = state.reduce(Action::Grade(ids[0].clone(), None));
        assert!(state.grades.get(&ids[0]).is_none());
        // A new report (another analysis) keeps the grades: they are keyed by the finding's id.
        let report = state.report.clone().unwrap();
        let search = state.search.clone();
        let state = state.reduce(Action::Loaded(report, search));
        assert!(state.grades.get(&ids[1]).is_some());
    }

    #[test]
    fn every_column_sorts() {
        for column in Column::ALL {
            let state = loaded().reduce(Action::SortBy(column));
            let rows = state.visible_findings();
            let findings = &state.report.as_ref().unwrap().findings;
            let wrong = if state.descending { Ordering::Less } else { Ordering::Greater };
            for pair in rows.windows(2) {
                assert_ne!(
                    column.compare(&findings[pair[0]], &findings[pair[1]]),
                    wrong,
                    "{column:?} descending={}",
                    state.descending
                );
            }
        }
        let state = loaded().reduce(Action::SortBy(Column::Ips));
        assert_eq!(state.visible_findings(), vec![0, 1, 2], "IPs descending, empty last");
    }

    #[test]
    fn search_matches_any_column() {
        let state = loaded().reduce(Action::Filter("CRIT".into()));
        assert_eq!(state.visible_findings(), vec![1]);
        let state = state.reduce(Action::Filter("c@ex".into()));
        assert_eq!(state.visible_findings(), vec![2]);
        let state = state.reduce(Action::Filter("<script>".into()));
        assert_eq!(state.visible_findings(), vec![1], "user agents are searched");
    }

    #[test]
    fn the_search_index_arrives_in_pages_and_matches_within_a_cell() {
        let findings = report().findings;
        let mut paged = SearchIndex::default();
        paged.extend(&findings[..1]);
        paged.extend(&findings[1..]);
        assert_eq!(paged, SearchIndex::of(&findings), "pages give the same index");
        // The index the page built is the one searched; one that does not cover the report is
        // rebuilt rather than trusted.
        let state = Rc::new(AppState::new())
            .reduce(Action::Loaded(Shared::new(report()), Shared::new(paged)));
        assert_eq!(state.search.len(), 3);
        let state = state.reduce(Action::Filter("AS".into()));
        assert!(state.visible_findings().is_empty(), "no finding here has an ASN");
        // "medium" ends the severity cell and "55" starts the score cell: no match across them.
        let state = state.reduce(Action::Filter("medium55".into()));
        assert!(state.visible_findings().is_empty());
        let state = state.reduce(Action::Filter("medium".into()));
        assert_eq!(state.visible_findings(), vec![2, 0]);
        let short = Rc::new(AppState::new()).reduce(Action::Loaded(
            Shared::new(report()),
            Shared::new(SearchIndex::of(&report().findings[..1])),
        ));
        assert_eq!(short.search.len(), 3, "an index of too few findings is rebuilt");
    }

    #[test]
    fn column_filters_combine() {
        let state = loaded().reduce(Action::ColumnFilter(Column::Severity, "medium".into()));
        assert_eq!(state.visible_findings(), vec![2, 0]);
        let state = state.reduce(Action::ColumnFilter(Column::Ips, "203.0".into()));
        assert_eq!(state.visible_findings(), vec![0]);
        let state = state.reduce(Action::ColumnFilter(Column::Ips, String::new()));
        assert_eq!(state.visible_findings(), vec![2, 0], "an empty filter is removed");
    }

    #[test]
    fn column_filters_compare_and_negate() {
        let state = loaded().reduce(Action::ColumnFilter(Column::Score, ">50".into()));
        assert_eq!(state.visible_findings(), vec![1, 2], "90 and 55, numerically");
        let state = state.reduce(Action::ColumnFilter(Column::Score, "<= 55".into()));
        assert_eq!(state.visible_findings(), vec![2, 0]);
        let state = state.reduce(Action::ColumnFilter(Column::Score, "!>50".into()));
        assert_eq!(state.visible_findings(), vec![0]);
        let state = state.reduce(Action::ColumnFilter(Column::Score, "=9".into()));
        assert!(state.visible_findings().is_empty(), "= is exact, not a substring");
        let state = loaded().reduce(Action::ColumnFilter(Column::Severity, "!medium".into()));
        assert_eq!(state.visible_findings(), vec![1]);
        let state = state.reduce(Action::ColumnFilter(Column::Severity, ">=medium".into()));
        assert_eq!(state.visible_findings(), vec![1, 2, 0], "by rank, not alphabetically");
        let state = state.reduce(Action::ColumnFilter(Column::Severity, ">medium".into()));
        assert_eq!(state.visible_findings(), vec![1]);
        let state = loaded().reduce(Action::ColumnFilter(Column::FirstSeen, "<2026-03-02".into()));
        assert_eq!(state.visible_findings(), vec![2], "times compare as text");
        assert_eq!(ColumnFilter::parse(" ! "), None, "a bare ! filters nothing");
        let state = loaded().reduce(Action::ColumnFilter(Column::Severity, "!".into()));
        assert_eq!(state.visible_findings().len(), 3);
    }

    #[test]
    fn clearing_filters_clears_search_columns_and_range() {
        let state = loaded()
            .reduce(Action::Filter("nothing like this".into()))
            .reduce(Action::ColumnFilter(Column::Score, ">1000".into()))
            .reduce(Action::Range(Some((0.0, 1.0))));
        assert!(state.filtered());
        assert!(state.visible_findings().is_empty());
        let state = state.reduce(Action::ClearFilters);
        assert!(!state.filtered());
        assert_eq!(state.visible_findings().len(), 3);
    }

    #[test]
    fn search_covers_explanations_audit_networks_and_reasons() {
        let mut r = report();
        r.findings[0].explanation = vec!["A mailbox rule forwarded mail.".into()];
        r.findings[1].related_audit = vec![sessionhunt::report::AuditRef {
            operation: "New-InboxRule".into(),
            ..Default::default()
        }];
        r.findings[2].asns = vec![24940];
        r.findings[2].severity_reason = "Low: unfamiliar network but a shared IP.".into();
        let state =
            Rc::new(AppState::new()).reduce(Action::Loaded(Shared::new(r), Shared::default()));
        let find = |q: &str| state.clone().reduce(Action::Filter(q.into())).visible_findings();
        assert_eq!(find("forwarded"), vec![0]);
        assert_eq!(find("inbox"), vec![1]);
        assert_eq!(find("hetzner"), vec![2], "AS24940 is named Hetzner");
        assert_eq!(find("shared ip"), vec![2]);
    }

    #[test]
    fn rescoring_counts_the_findings_that_changed() {
        let state = loaded().reduce(Action::Begin("Re-scoring".into(), false));
        let mut r = report();
        r.findings[0].score = 41;
        r.findings.remove(2);
        let state = state.reduce(Action::Loaded(Shared::new(r), Shared::default()));
        assert_eq!(state.rescored, Some(2), "one re-scored, one gone");
        let state = state.reduce(Action::Begin("Reading".into(), true));
        let state = state.reduce(Action::Loaded(Shared::new(report()), Shared::default()));
        assert_eq!(state.rescored, None, "reading anew is no re-scoring");
    }

    #[test]
    fn the_user_list_is_asked_for_once_open() {
        let state = loaded();
        assert!(!state.wanted_users());
        let state = state.reduce(Action::WantUsers(true));
        assert!(state.wanted_users());
        let state = state.reduce(Action::Users(Shared::new(Vec::new())));
        assert!(!state.wanted_users());
        let state = state.reduce(Action::Begin("Reading".into(), true));
        assert!(state.users.is_none(), "new data, new users");
    }

    #[test]
    fn hiding_a_column_drops_its_filter() {
        let state = loaded().reduce(Action::ColumnFilter(Column::Ips, "203.0".into()));
        assert!(state.columns().contains(&Column::Ips));
        let state = state.reduce(Action::ToggleColumn(Column::Ips));
        assert!(!state.columns().contains(&Column::Ips));
        assert_eq!(state.visible_findings().len(), 3);
        let state = state.reduce(Action::ToggleColumn(Column::Id));
        assert!(state.columns().contains(&Column::Id), "hidden by default, shown on request");
    }

    #[test]
    fn time_range_keeps_overlapping_findings() {
        let day = |d: u32, h: u32| {
            sessionhunt::ingest::parse_time(&format!("2026-03-{d:02}T{h:02}:00:00Z")).unwrap()
                as f64
        };
        let state = loaded().reduce(Action::Range(Some((day(5, 9), day(5, 12)))));
        assert_eq!(state.visible_findings(), vec![1, 2], "a and the long-running c");
        let state = state.reduce(Action::Range(Some((day(2, 10), day(2, 10)))));
        assert_eq!(state.visible_findings(), vec![2, 0]);
        let state = state.reduce(Action::Range(None));
        assert_eq!(state.visible_findings().len(), 3);
    }

    #[test]
    fn a_new_report_closes_views_of_findings_it_no_longer_has() {
        let state = loaded()
            .reduce(Action::Select(Some("F-a@example.com".into())))
            .reduce(Action::Timeline(Some("a@example.com".into())));
        assert_eq!(state.selected_finding().map(|f| f.score), Some(90));
        assert_eq!(state.timeline_focus.as_deref(), Some("F-a@example.com"));
        let other = state.clone().reduce(Action::Timeline(Some("c@example.com".into())));
        assert_eq!(
            other.timeline_focus.as_deref(),
            Some("F-c@example.com"),
            "the user's top finding"
        );
        let mut rescored = report();
        rescored.findings.remove(1);
        let state = state.reduce(Action::Loaded(Shared::new(rescored), Shared::default()));
        assert_eq!(state.selected, None);
        assert_eq!(state.timeline_user, None);
    }

    #[test]
    fn open_views_ask_for_their_users_events_once() {
        let state = loaded().reduce(Action::Select(Some("F-a@example.com".into())));
        assert_eq!(state.wanted_events(), vec!["a@example.com".to_owned()]);
        let state = state.reduce(Action::Timeline(Some("b@example.com".into())));
        assert_eq!(state.wanted_events().len(), 2);
        let events = UserEvents { user: "a@example.com".into(), ..UserEvents::default() };
        let state = state.reduce(Action::Events(Shared::new(events)));
        assert_eq!(state.wanted_events(), vec!["b@example.com".to_owned()]);
        let state = state.reduce(Action::Begin("Reading".into(), true));
        assert_eq!(state.wanted_events().len(), 2, "new data drops the events of the old");
        let state = state
            .reduce(Action::Events(Shared::new(UserEvents {
                user: "a@example.com".into(),
                ..UserEvents::default()
            })))
            .reduce(Action::Loaded(Shared::new(report()), Shared::default()));
        assert_eq!(state.wanted_events().len(), 2, "a new report drops the references of the old");
    }

    #[test]
    fn progress_outside_work_is_ignored() {
        let state = loaded();
        let same = state.clone().reduce(Action::Progress(Progress::default()));
        assert!(Rc::ptr_eq(&state, &same));
    }

    #[test]
    fn time_left_follows_the_average_rate() {
        let p =
            Progress { bytes_done: 100, bytes_total: 400, elapsed_ms: 1000, ..Progress::default() };
        assert_eq!(p.remaining_ms(), Some(3000));
        assert_eq!(Progress { elapsed_ms: 10, ..p.clone() }.remaining_ms(), None);
        assert_eq!(Progress { bytes_done: 400, ..p }.remaining_ms(), None);
    }

    #[test]
    fn low_findings_are_folded_until_opened_or_searched_for() {
        let mut r = report();
        let mut low = finding("d@example.com", Severity::Low, 10);
        low.ips = vec!["192.0.2.9".into()];
        r.findings.push(low);
        r.findings.push(finding("e@example.com", Severity::Info, 1));
        let state =
            Rc::new(AppState::new()).reduce(Action::Loaded(Shared::new(r), Shared::default()));
        assert_eq!(state.grid_rows(), (vec![1, 2, 0], 2), "two folded");
        let search = state.clone().reduce(Action::Filter("192.0.2.9".into()));
        assert_eq!(search.grid_rows(), (vec![3], 0), "a search looks through the fold");
        let column = state.clone().reduce(Action::ColumnFilter(Column::Severity, "=info".into()));
        assert_eq!(column.grid_rows(), (vec![4], 0));
        let open = state.clone().reduce(Action::ShowLow(true));
        assert_eq!(open.grid_rows(), (vec![1, 2, 0, 3, 4], 0));
        assert_eq!(open.reduce(Action::ShowLow(false)).grid_rows().1, 2);
        // A campaign indicator asks for its findings, low ones too.
        let indicator = IndicatorFilter {
            kind: "ip".into(),
            value: "192.0.2.9".into(),
            label: "IP 192.0.2.9".into(),
            findings: ["F-d@example.com".to_owned(), "F-b@example.com".to_owned()].into(),
        };
        let picked = state.clone().reduce(Action::Indicator(Some(Shared::new(indicator))));
        assert_eq!(picked.grid_rows(), (vec![3], 0), "the finding's own IPs, not the list");
        // A forwarding address: the campaign view's list of findings (b and d).
        let address = IndicatorFilter {
            kind: "forwarding-address".into(),
            value: "drop@evil.example".into(),
            label: "forwarding to drop@evil.example".into(),
            findings: ["F-d@example.com".to_owned(), "F-b@example.com".to_owned()].into(),
        };
        let mailed = state.clone().reduce(Action::Indicator(Some(Shared::new(address))));
        assert_eq!(mailed.grid_rows(), (vec![0, 3], 0));
        let network =
            IndicatorFilter { kind: "asn".into(), value: "AS14061".into(), ..Default::default() };
        let mut r = report();
        r.findings[2].asns = vec![14061];
        let by_network = Rc::new(AppState::new())
            .reduce(Action::Loaded(Shared::new(r), Shared::default()))
            .reduce(Action::Indicator(Some(Shared::new(network))));
        assert_eq!(by_network.grid_rows(), (vec![2], 0));
        assert!(picked.filtered());
        let (rows, folded) = picked.grid_rows();
        let view = picked.grid_view((Shared::new(rows), folded));
        assert_eq!(view.indicator.as_deref(), Some("IP 192.0.2.9"));
        assert_eq!(picked.reduce(Action::ClearFilters).indicator, None);
    }

    #[test]
    fn the_side_pane_follows_the_selection_and_asks_for_its_views_once() {
        let state = loaded();
        assert_eq!(state.wanted_view(), None, "no pane, no view");
        let state = state.reduce(Action::Pane(Some(Pane::Session("  ABC-1 ".into()))));
        assert_eq!(state.pane, Some(Pane::Session("abc-1".into())), "keyed as the core keys it");
        assert_eq!(state.wanted_view(), Some(ViewRequest::Session("abc-1".into())));
        let view =
            sessionhunt::views::SessionView { session_id: "abc-1".into(), ..Default::default() };
        let state = state.reduce(Action::View(Shared::new(ViewData::Session(view, 0))));
        assert_eq!(state.wanted_view(), None, "it arrived");
        assert!(matches!(state.pane_view().as_deref(), Some(ViewData::Session(..))));
        // Selecting a finding shows it; closing the finding goes back to no pane, the session
        // keeping its tab.
        let state = state.reduce(Action::Select(Some("F-a@example.com".into())));
        assert_eq!(state.pane, Some(Pane::Finding));
        assert_eq!(state.last_session.as_deref(), Some("abc-1"));
        let closed = state.clone().reduce(Action::Select(None));
        assert_eq!(closed.pane, None);
        // The campaign tab while a finding is selected keeps the selection; closing the pane
        // closes both.
        let campaign = state.reduce(Action::Pane(Some(Pane::Campaign)));
        assert_eq!(campaign.wanted_view(), Some(ViewRequest::Campaign));
        assert_eq!(campaign.selected.as_deref(), Some("F-a@example.com"));
        let none = campaign.clone().reduce(Action::Pane(None));
        assert_eq!((none.pane.clone(), none.selected.clone()), (None, None));
        // A new report makes the views stale: asked for again.
        let rescored = campaign
            .reduce(Action::View(Shared::new(ViewData::Campaign(Vec::new(), 0))))
            .reduce(Action::Loaded(Shared::new(report()), Shared::default()));
        assert_eq!(rescored.wanted_view(), Some(ViewRequest::Campaign));
    }
}
