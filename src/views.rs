//! Investigation views (docs/views.md): what an analyst opens after the findings grid, computed
//! from the dataset and the report it came from. The page's worker and the CLI
//! (`sessionhunt session`, `campaign`, `overview`) call the same functions, so both show the
//! same data.
//!
//! - [`session`]: every event of one session id, sign-ins and audit records, in time order, with
//!   the origin changes between them and the sign-in each audit record rode on; [`sessions_of`]
//!   the sessions of a finding.
//! - [`campaign`]: IPs, networks, user agents and forwarding addresses shared by two or more
//!   users' findings.
//! - [`overview`]: findings per day, the networks and countries of non-interactive traffic, and
//!   what each input file and each user's data cover (and what it cannot show).
//!
//! Like the report, each view is plain data: no I/O, no clock, every list sorted (no hash order
//! reaches output), serialized numbers `u32`/`u64`/`i64`. Log text stays data: it is only ever
//! put in strings, which serde escapes in JSON and the CLI's table escapes for the terminal. A
//! view never panics on what a log holds.

pub mod campaign;
pub(crate) mod origin;
pub mod overview;
pub mod session;

pub use campaign::{Member, SharedIndicator, campaign};
pub use overview::{
    CountryCount, DayCount, LogSpan, NetworkCount, NonInteractive, Overview, SourceCoverage,
    UserCoverage, overview,
};
pub use session::{RodeOn, SessionEvent, SessionView, session, sessions_of};

use std::collections::BTreeMap;

use crate::ingest::Dataset;
use crate::model::Event;

/// The file name of an event's row (empty when its file is not in the dataset).
pub(crate) fn file_name<'a>(ds: &'a Dataset, e: &Event) -> &'a str {
    ds.files.get(e.source.file as usize).map_or("", |f| f.name.as_str())
}

/// Report file names to their indexes in the dataset (a name given twice keeps every index).
pub(crate) fn file_indexes(ds: &Dataset) -> BTreeMap<&str, Vec<u32>> {
    let mut out: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (i, f) in ds.files.iter().enumerate() {
        out.entry(f.name.as_str()).or_default().push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    out
}

/// RFC 3339 text of a time, or empty for none.
pub(crate) fn time_text(t: Option<i64>) -> String {
    t.map(crate::time::rfc3339).unwrap_or_default()
}
