//! Messages between the page and the analysis worker.
//!
//! Control messages are serde enums carried as JS values (`serde-wasm-bindgen`); `File` handles
//! travel beside them in the same `postMessage` (they are structured-cloneable, so the bytes are
//! not copied). The report comes back as its JSON contract text: one string is cheap to post, and
//! the page shows exactly what the CLI prints.

use serde::{Deserialize, Serialize};
use sessionhunt::Settings;

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
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens for messages.
    Ready,
    /// Reading progress.
    Progress(Progress),
    /// The analysis finished; `report_json` is the report in its JSON contract form.
    Done {
        /// `serde_json` text of the [`sessionhunt::Report`].
        report_json: String,
    },
    /// The request could not be carried out.
    Failed {
        /// What went wrong, for the analyst.
        message: String,
    },
}

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
}
