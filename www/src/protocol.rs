//! Messages between the page and the analysis worker (and between the worker and its helper),
//! and the one place they are encoded and decoded ([`Request::encode`], [`Request::decode`],
//! [`FromWorker::encode`], [`FromWorker::decode`]).
//!
//! Control messages are serde enums carried as JS values (`serde-wasm-bindgen`). What is not
//! serde data travels beside them as properties of the same posted object: the `File` handles a
//! request reads (structured-cloneable, so their bytes are not copied), the URL a helper can be
//! started from, the report's text as a `Blob`, a part's bytes as a transferred `ArrayBuffer`.
//! The report comes back as its JSON contract text in a `Blob` (what the download saves: exactly
//! what the CLI prints) and as a compact view in pages of findings (what the page parses and
//! shows). Times travel as milliseconds since the epoch and event kinds as the core's
//! [`EventKind`]; the page formats them for display.

use js_sys::{Array, ArrayBuffer, Object, Reflect};
use serde::{Deserialize, Serialize};
use sessionhunt::Settings;
use sessionhunt::model::EventKind;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File};

/// A request as posted: the message and what travels beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The message.
    pub message: ToWorker,
    /// The files it reads (`Analyze`: the chosen files; `ReadPart`: the one file).
    pub files: Vec<File>,
    /// The URL this worker was started from, when the page lets it start helpers from it.
    pub worker_url: Option<String>,
}

impl Request {
    /// The object to post.
    pub fn encode(&self) -> Result<JsValue, String> {
        let object = Object::new();
        let message = serde_wasm_bindgen::to_value(&self.message).map_err(|e| e.to_string())?;
        let files: Array = self.files.iter().collect();
        set(&object, "request", &message)?;
        set(&object, "files", &files)?;
        if let Some(url) = &self.worker_url {
            set(&object, "workerUrl", &url.as_str().into())?;
        }
        Ok(object.into())
    }

    /// The request in a posted object.
    pub fn decode(data: &JsValue) -> Result<Request, String> {
        let message = Reflect::get(data, &"request".into()).map_err(|_| "malformed request")?;
        let message: ToWorker = serde_wasm_bindgen::from_value(message)
            .map_err(|err| format!("malformed request: {err}"))?;
        let files = Reflect::get(data, &"files".into())
            .ok()
            .filter(Array::is_array)
            .map(|f| Array::from(&f).iter().filter_map(|f| f.dyn_into::<File>().ok()).collect())
            .unwrap_or_default();
        let worker_url = Reflect::get(data, &"workerUrl".into()).ok().and_then(|u| u.as_string());
        Ok(Request { message, files, worker_url })
    }
}

impl FromWorker {
    /// The object to post, and what to transfer with it (a part's bytes).
    pub fn encode(&self) -> Result<(JsValue, Option<Array>), String> {
        let value = serde_wasm_bindgen::to_value(self).map_err(|e| e.to_string())?;
        match self {
            FromWorker::ReportJson { blob: Some(blob), .. }
            | FromWorker::Exported { blob: Some(blob), .. } => {
                set(&value, "blob", blob)?;
                Ok((value, None))
            }
            FromWorker::PartRead { data: Some(data), .. } => {
                set(&value, "part", data)?;
                let transfer: Array = std::iter::once(JsValue::from(data)).collect();
                Ok((value, Some(transfer)))
            }
            _ => Ok((value, None)),
        }
    }

    /// The message in a posted object; an unreadable one becomes [`FromWorker::Failed`].
    pub fn decode(data: &JsValue) -> FromWorker {
        let mut message = match serde_wasm_bindgen::from_value::<FromWorker>(data.clone()) {
            Ok(message) => message,
            Err(err) => {
                return FromWorker::Failed { message: format!("unreadable worker message: {err}") };
            }
        };
        match &mut message {
            FromWorker::ReportJson { blob, .. } | FromWorker::Exported { blob, .. } => {
                *blob = Reflect::get(data, &"blob".into()).ok().and_then(|b| b.dyn_into().ok());
            }
            FromWorker::PartRead { data: part, .. } => {
                *part = Reflect::get(data, &"part".into()).ok().and_then(|b| b.dyn_into().ok());
            }
            _ => {}
        }
        message
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("cannot set {key}: {e:?}")))
}

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToWorker {
    /// Read the files posted with this message (replacing anything loaded before) and analyse them.
    Analyze {
        /// Analysis settings.
        settings: Settings,
    },
    /// Generate the built-in demo tenant, load it and analyse it.
    Demo {
        /// Analysis settings.
        settings: Settings,
    },
    /// Analyse what is loaded again with other settings, without re-reading the files.
    Rescore {
        /// Analysis settings.
        settings: Settings,
    },
    /// Send the raw rows (the text in the file) of the events behind a finding of the last report.
    RawRows {
        /// The finding's id.
        finding: String,
    },
    /// Send every loaded event of one user (for the details panel and the timeline).
    UserEvents {
        /// The user as the report names it (lower-cased UPN or object id).
        user: String,
    },
    /// Make a hand-off export of the last report (with the settings it was made with) and
    /// answer [`FromWorker::Exported`]: the same bytes as the CLI's command for it.
    Export {
        /// Which export.
        export: sessionhunt::export::Kind,
        /// Findings at or above this severity are covered (plus those graded true positive).
        min_severity: sessionhunt::Severity,
        /// The analyst's grades as a grades file (docs/exports.md), if any.
        grades: Option<String>,
    },
    /// Send every user of the loaded data with their event counts (the user list, so every user
    /// stays reachable even with no finding).
    Users,
    /// Send the session view of one session id (`sessionhunt::views::session`, docs/views.md).
    Session {
        /// The session id (trimmed and lower-cased by the core).
        id: String,
    },
    /// Send the campaign view of the last report (`sessionhunt::views::campaign`).
    Campaign,
    /// Send the tenant overview of the last report (`sessionhunt::views::overview`).
    Overview,
    /// Worker → helper worker: read a byte range of the file posted with this message as a part
    /// of it (the core's `Part`) and answer [`FromWorker::PartRead`]. A worker sends this to a
    /// helper it started itself, so a large export is parsed on two cores; the page never does.
    ReadPart {
        /// Where the part is and how to read it.
        spec: sessionhunt::ingest::PartSpec,
    },
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens for messages.
    Ready,
    /// Reading progress.
    Progress(Progress),
    /// The report in its JSON contract form (what "Download report" saves), byte for byte what
    /// the CLI prints. The text travels as a `Blob` set beside this message (property `blob` of
    /// the posted object): the page never copies it into its own memory or parses it, so even a
    /// 300 MB report costs the page's main thread nothing. Sent last, after
    /// [`FromWorker::Done`]: the findings ([`FromWorker::FindingsPage`]) come first, so the page
    /// lays them out while the worker writes this (half a second for a 46 MB report), and the
    /// download button is enabled when it arrives.
    ReportJson {
        /// Length of the text in bytes.
        bytes: u64,
        /// The text (UTF-8, `application/json`); filled in by the page's side of the bridge.
        #[serde(skip)]
        blob: Option<Blob>,
    },
    /// A page of the report's findings, compact and without their `events` lists (the page asks
    /// for a user's event references with [`ToWorker::UserEvents`] when a view needs them).
    /// Pages of [`FINDINGS_PAGE`] findings, each parsed in its own main-thread task, so 100 000
    /// findings never block the page in one long task.
    FindingsPage {
        /// `serde_json` text of a `Vec<Finding>`, in report order.
        findings_json: String,
    },
    /// The analysis finished: the rest of the report.
    Done {
        /// The report without its findings (they came in the pages before), compact JSON.
        view_json: String,
        /// Number of findings sent in the pages, so the page can tell none was lost.
        findings: u64,
    },
    /// The events of one user, answering [`ToWorker::UserEvents`].
    Events {
        /// The user asked for.
        user: String,
        /// Every loaded event of the user, in time order (then file, then line).
        events: Vec<EventView>,
        /// The `events` of each of the user's findings in the last report, by finding id.
        finding_events: Vec<(String, Vec<sessionhunt::report::EventRef>)>,
    },
    /// Every user of the loaded data, answering [`ToWorker::Users`].
    Users {
        /// One row per user, by name.
        users: Vec<UserRow>,
    },
    /// The raw rows behind a finding, answering [`ToWorker::RawRows`].
    RawRows {
        /// The finding's id.
        finding: String,
        /// The row of each event behind it, in the finding's order; its text is empty when the
        /// file no longer holds that line.
        rows: RawRows,
    },
    /// The session view, answering [`ToWorker::Session`]: the core's view with at most
    /// [`VIEW_ROWS`] events (the first ones, in time order; the CLI gives them all).
    Session {
        /// The view, its `events` cut to [`VIEW_ROWS`].
        view: sessionhunt::views::SessionView,
        /// How many events the session has.
        total_events: u64,
    },
    /// The campaign view, answering [`ToWorker::Campaign`]: the core's indicators in its order
    /// (most severe shared first), at most [`VIEW_ROWS`] of them, each with at most
    /// [`MEMBERS_SENT`] users and findings (a network can be shared by 75 000 users' findings).
    Campaign {
        /// The indicators.
        indicators: Vec<CampaignRow>,
        /// How many indicators the report has.
        total: u64,
    },
    /// The tenant overview, answering [`ToWorker::Overview`]: the core's, with at most
    /// [`VIEW_ROWS`] users, those with findings first (most severe first), then by name.
    Overview {
        /// The overview, its `users` cut and ordered as said.
        overview: sessionhunt::views::Overview,
        /// How many users the loaded data has.
        total_users: u64,
    },
    /// A hand-off export, answering [`ToWorker::Export`]. Its text travels as a `Blob` beside
    /// this message (property `blob`), as the report's does.
    Exported {
        /// Which export.
        export: sessionhunt::export::Kind,
        /// The file name to save it as.
        name: String,
        /// Length of the text in bytes.
        bytes: u64,
        /// The text; filled in by the page's side of the bridge.
        #[serde(skip)]
        blob: Option<Blob>,
    },
    /// Helper worker → worker: how far reading a part has come.
    PartProgress {
        /// Bytes of the part read so far.
        bytes: u64,
        /// Rows read so far.
        rows: u64,
    },
    /// Helper worker → worker: the part, read to its end, answering [`ToWorker::ReadPart`]. Its
    /// data (the core's `PartData::to_bytes`) travels beside this message as an `ArrayBuffer`
    /// (property `part` of the posted object), transferred, not copied.
    PartRead {
        /// Length of the data in bytes.
        bytes: u64,
        /// The data; filled in by the receiving side.
        #[serde(skip)]
        data: Option<ArrayBuffer>,
    },
    /// The request could not be carried out.
    Failed {
        /// What went wrong, for the analyst.
        message: String,
    },
}

/// Findings per [`FromWorker::FindingsPage`]. Parsing 250 takes the page about 5 ms once the
/// wasm is warm; the first pages run before V8 has optimized the parser (a fresh CI machine saw
/// 78-104 ms tasks with pages of 1,000), so pages stay small enough for that too.
pub const FINDINGS_PAGE: usize = 250;

/// Rows of a view the worker sends at most (a session's events, campaign indicators, overview
/// users): the page turns them into data in one task, which has to stay short (no main-thread
/// task over 100 ms, issue 19); the CLI's views give everything.
pub const VIEW_ROWS: usize = 1_000;

/// Users and findings of a campaign indicator the worker sends at most (the most severe findings
/// first, as the core orders them); the counts travel beside them. A forwarding address keeps
/// every finding: the page filters the grid by that list (a finding does not name the addresses
/// its audit operations forward to), and addresses are not shared by thousands.
pub const MEMBERS_SENT: usize = 50;

/// A campaign indicator as the page gets it: its `users` and `findings` cut to [`MEMBERS_SENT`],
/// with how many there are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRow {
    /// The core's indicator, its lists cut.
    pub indicator: sessionhunt::views::SharedIndicator,
    /// How many users share it.
    pub users: u64,
    /// How many findings carry it.
    pub findings: u64,
}

impl CampaignRow {
    /// The row of `indicator`, its lists cut to [`MEMBERS_SENT`].
    pub fn of(mut indicator: sessionhunt::views::SharedIndicator) -> CampaignRow {
        let (users, findings) = (indicator.users.len() as u64, indicator.findings.len() as u64);
        indicator.users.truncate(MEMBERS_SENT);
        if indicator.kind != "forwarding-address" {
            indicator.findings.truncate(MEMBERS_SENT);
        }
        CampaignRow { indicator, users, findings }
    }
}

/// One user of the loaded data and what was loaded of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// The user as the report names users (lower-cased UPN, else object id).
    pub user: String,
    /// Interactive sign-ins.
    pub interactive: u64,
    /// Non-interactive sign-ins (and service-principal or managed-identity ones under the user).
    pub non_interactive: u64,
    /// Audit operations.
    pub audit: u64,
    /// First event, milliseconds since the epoch.
    pub first_ms: i64,
    /// Last event, milliseconds since the epoch.
    pub last_ms: i64,
}

/// Raw rows behind a finding, with a CSV row's header names.
pub type RawRows = Vec<sessionhunt::ingest::raw::RawRow>;

/// How far reading has come.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Name of the file being read.
    pub file: String,
    /// Bytes read of all files so far.
    pub bytes_done: u64,
    /// Bytes of all files.
    pub bytes_total: u64,
    /// Files finished.
    pub files_done: u32,
    /// Files in the request.
    pub files_total: u32,
    /// Data rows read so far (all files).
    pub rows_done: u64,
    /// Milliseconds since reading started (the worker's clock), for the time-left estimate.
    pub elapsed_ms: u64,
}

impl EventView {
    /// The time as RFC 3339 UTC, as the report writes times.
    pub fn time_text(&self) -> String {
        sessionhunt::time::rfc3339(self.time_ms)
    }

    /// The time in milliseconds as a float, for drawing.
    pub fn millis(&self) -> f64 {
        self.time_ms as f64
    }
}

impl Progress {
    /// Estimated milliseconds left at the average rate so far; `None` until there is a rate.
    pub fn remaining_ms(&self) -> Option<u64> {
        if self.bytes_done == 0 || self.elapsed_ms < 200 || self.bytes_done >= self.bytes_total {
            return None;
        }
        let left = (self.bytes_total - self.bytes_done) as f64;
        Some((left * self.elapsed_ms as f64 / self.bytes_done as f64).round() as u64)
    }
}

/// One loaded event, every normalized field as display text, with the row it came from.
///
/// Built in the worker from its kept `Dataset`; the page renders every field as text only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// Input file name.
    pub file: String,
    /// 1-based line where the row starts.
    pub line: u64,
    /// Event time, milliseconds since the epoch (the page formats it: [`EventView::time_text`]).
    pub time_ms: i64,
    /// What log it came from.
    pub kind: EventKind,
    /// Client IP address; empty when not logged.
    pub ip: String,
    /// Autonomous system number; 0 when not logged.
    pub asn: u32,
    /// `AS14061 DigitalOcean`, `AS64500` or `unknown ASN`.
    pub network: String,
    /// Country, state and city as logged, joined.
    pub location: String,
    /// Raw user agent.
    pub user_agent: String,
    /// Browser and operating system as logged.
    pub client: String,
    /// Application (name, else id).
    pub app: String,
    /// Resource.
    pub resource: String,
    /// Session id.
    pub session_id: String,
    /// Request id (record id for audit rows).
    pub request_id: String,
    /// `success`, `failure`, `interrupted` or `unknown`, with the error code when not 0.
    pub outcome: String,
    /// Entra risk level and event types.
    pub risk: String,
    /// Device id, compliance and management.
    pub device: String,
    /// MFA detail, authentication requirement, incoming token type.
    pub authentication: String,
    /// Audit operation (empty for sign-ins).
    pub operation: String,
    /// Audit workload, client info, parameters, forwarding targets, target user.
    pub audit_detail: Vec<String>,
}
