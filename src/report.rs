//! The report: the core's one boundary type.
//!
//! Everything the CLI prints, the web worker sends to the page and the snapshot tests store is a
//! [`Report`]. It is plain data with public fields. Its JSON form is a documented, stable contract
//! (README, "The report contract"): fields are only ever added, never renamed or removed, so review
//! any change here as an API change.
//!
//! Architecture invariant: nothing in a report depends on the order of the input files, the chunk
//! sizes they were read in, hash-map iteration order or the wall clock. Every list is sorted.

pub mod grid;

use serde::{Deserialize, Serialize};
use serde_json::ser::Formatter as _;

/// Version of the JSON contract. Bumped only when a field is added (the contract only grows).
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// The result of analysing a set of files with a set of settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Version of this JSON contract.
    pub schema_version: u32,
    /// One entry per input file, in the order of their names.
    pub inputs: Vec<InputSummary>,
    /// What the loaded data covers, and what it cannot tell.
    pub coverage: Coverage,
    /// The findings, most severe first (severity, then score, then user, then id).
    pub findings: Vec<Finding>,
    /// Row-level problems, with file, line and column. Capped per file; the caps are counted in
    /// [`InputSummary::skipped`] and [`Coverage::warnings`], so nothing is lost silently.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The report as its JSON contract text: pretty-printed, ending with a newline. The CLI prints
    /// exactly this and the page downloads exactly this, so the two can be compared byte for byte.
    pub fn to_json(&self) -> String {
        // A report holds only strings, numbers, booleans and lists: serializing cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The same text as [`Report::to_json`], in pieces to be written one after the other: the
    /// findings, most of a large report, are written a slice at a time, on several threads with
    /// the crate's `threads` feature (the CLI's), and never copied into one string.
    ///
    /// Exact: each finding is written by serde_json's pretty printer set two levels deep, as it is
    /// when the whole report is written, and the report without its findings holds
    /// `"findings": []` once at the top level's indentation (pretty-printed JSON has no line break
    /// inside a string).
    pub fn to_json_pieces(&self) -> Vec<String> {
        const INDENT: &str = "\n    ";
        let rest = Report {
            schema_version: self.schema_version,
            inputs: self.inputs.clone(),
            coverage: self.coverage.clone(),
            findings: Vec::new(),
            diagnostics: self.diagnostics.clone(),
        }
        .to_json();
        let marker = "\n  \"findings\": []";
        let Some(at) = rest.find(marker).filter(|_| !self.findings.is_empty()) else {
            return vec![self.to_json()];
        };
        let (head, tail) = rest.split_at(at + marker.len() - 1);
        let chunks: Vec<&[Finding]> = self.findings.chunks(FINDINGS_PER_PIECE).collect();
        let bodies = crate::par::map(&chunks, |chunk| {
            let mut out = Vec::new();
            for (j, f) in chunk.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(INDENT.as_bytes());
                // A pretty printer two levels deep (the report object, its findings array), as
                // serializing the whole report has it when it reaches a finding.
                let mut nested = serde_json::ser::PrettyFormatter::new();
                for _ in 0..2 {
                    let _ = nested.begin_object(&mut std::io::sink());
                }
                let _ = f.serialize(&mut serde_json::Serializer::with_formatter(&mut out, nested));
            }
            String::from_utf8(out)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        });
        let mut pieces = Vec::with_capacity(bodies.len() + 2);
        pieces.push(head.to_owned());
        let last = bodies.len() - 1;
        for (i, mut body) in bodies.into_iter().enumerate() {
            // Each body starts with its first finding's line break: the comma between two
            // slices ends the one before.
            body.push_str(if i == last { "\n  ]" } else { "," });
            pieces.push(body);
        }
        pieces.push(tail[1..].to_owned());
        pieces
    }
}

/// Findings written per task by [`Report::to_json_pieces`].
const FINDINGS_PER_PIECE: usize = 32;

/// What happened to one input file.
///
/// Every row is counted exactly once: `rows == events + duplicates + skipped + ignored` where a row
/// that produced an event counts in `events`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    /// The file name as given (for files inside a zip: `archive.zip/inner.csv`).
    pub name: String,
    /// The detected format, e.g. `entra-portal-csv`; `unknown` when nothing matched.
    pub format: String,
    /// Kind of log the rows hold when the format says so (`interactive`, `non-interactive`,
    /// `service-principal`, `managed-identity`, `audit`, `mixed`).
    pub log_kind: String,
    /// Size of the input in bytes (after decompression for .gz members).
    pub bytes: u64,
    /// Data rows (CSV records after the header, JSON records) read.
    pub rows: u64,
    /// Rows that became events.
    pub events: u64,
    /// Rows dropped as duplicates of an event already loaded (same request id and same content,
    /// or a Unified Audit Log sign-in also loaded from another log); the reasons are in
    /// `duplicate_reasons`.
    pub duplicates: u64,
    /// Duplicate rows counted per reason (sorted by reason).
    pub duplicate_reasons: Vec<ReasonCount>,
    /// Rows skipped, in total; the reasons are in `skipped_reasons`.
    pub skipped: u64,
    /// Skipped rows counted per reason (sorted by reason).
    pub skipped_reasons: Vec<ReasonCount>,
    /// For an IP → ASN / country database (`log_kind` `ip-database`): rows that became ranges
    /// (its rows are `ranges + skipped`; it has no events). Absent for logs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ranges: u64,
    /// For an IP database: the newest date its file name states (`YYYY-MM-DD`), else
    /// `undated`. Absent for logs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// For an IP database: the attribution its licence asks for wherever results derived from
    /// it are shown (with DB-IP's link for ip-location-db). Absent for logs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attribution: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A count of skipped (or duplicate) rows for one reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// Short, stable reason text, e.g. `unparseable time`.
    pub reason: String,
    /// How many rows were skipped (or dropped as duplicates) for it.
    pub count: u64,
}

/// The span and the limits of the loaded evidence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Earliest event time, RFC 3339 UTC; empty when there are no events.
    pub start: String,
    /// Latest event time ("now" for every window), RFC 3339 UTC; empty when there are no events.
    pub end: String,
    /// Distinct users (lower-cased UPN, else object id).
    pub users: u64,
    /// Events per kind (interactive, non-interactive, service-principal, managed-identity, audit).
    pub events_by_kind: Vec<KindCount>,
    /// What the data cannot tell: missing logs, spans too short to baseline, capped diagnostics.
    pub warnings: Vec<String>,
    /// The audit events counted per operation as logged (`New-InboxRule`, `Update user.`), most
    /// frequent first, then by name: what an audit-only input let the analysis examine.
    #[serde(default)]
    pub audit_operations: Vec<OperationCount>,
    /// Sign-ins read from the Unified Audit Log (`UserLoggedIn` / `UserLoginFailed`), also
    /// counted in `events_by_kind` as the sign-ins they are.
    #[serde(default)]
    pub audit_log_sign_ins: u64,
}

/// A count of audit events of one operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCount {
    /// The operation as logged.
    pub operation: String,
    /// How many audit events of that operation were loaded.
    pub count: u64,
}

/// A count of events of one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    /// The event kind (see [`crate::model::EventKind::as_str`]).
    pub kind: String,
    /// How many events of that kind were loaded.
    pub count: u64,
}

/// Severity on the confidence ladder (docs/detection.md §5).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only.
    #[default]
    Info,
    /// Unfamiliar network, but a shared IP or a nearby interactive sign-in.
    Low,
    /// Unfamiliar network, single-user IP, no nearby interactive sign-in.
    Medium,
    /// Medium plus a risk detection, a hosting network or mail/file access.
    High,
    /// A replay chained to post-compromise activity from the same IP or session.
    Critical,
}

impl Severity {
    /// The lower-case name used in the JSON contract and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// One suspected session theft or replay: a user and an attacker origin (session or network).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id derived from the finding's content (user and origin), e.g. `F-3f9a0c12`.
    pub id: String,
    /// Lower-cased UPN (or object id when the logs carry no UPN).
    pub user: String,
    /// Place on the confidence ladder.
    pub severity: Severity,
    /// Sum of the points of `facts`.
    pub score: i64,
    /// Ids of the rules that fired (docs/detection.md §4), sorted.
    pub rules: Vec<String>,
    /// First event behind the finding, RFC 3339 UTC.
    pub first_seen: String,
    /// Last event behind the finding, RFC 3339 UTC.
    pub last_seen: String,
    /// Attacker-side IP addresses, sorted.
    pub ips: Vec<String>,
    /// Attacker-side autonomous system numbers, sorted.
    pub asns: Vec<u32>,
    /// Attacker-side countries (ISO 3166 alpha-2), sorted.
    pub countries: Vec<String>,
    /// Session ids involved, sorted.
    pub session_ids: Vec<String>,
    /// Attacker-side user agents, sorted.
    pub user_agents: Vec<String>,
    /// Plain-language sentences: what happened and why it fired, in reading order.
    pub explanation: Vec<String>,
    /// Every fact that contributed to `score`, with its points.
    pub facts: Vec<Fact>,
    /// Every event behind the finding (sign-ins and audit operations), in time order.
    pub events: Vec<EventRef>,
    /// Audit operations tied to the finding (post-compromise activity), in time order.
    pub related_audit: Vec<AuditRef>,
    /// Whether sessions were revoked or the account disabled after the finding.
    pub remediation: Remediation,
    /// Allowlist entries that lowered or suppressed parts of this finding ("suppressed by …"),
    /// and the guards that weakened it ("guard: …").
    pub suppressions: Vec<String>,
    /// Why the finding sits on its rung of the confidence ladder (docs/detection.md §5), in one sentence.
    #[serde(default)]
    pub severity_reason: String,
    /// The user's baseline the finding was judged against (docs/detection.md §3).
    #[serde(default)]
    pub baseline: BaselineSummary,
}

/// A user's baseline, summarized: successful interactive sign-ins in the baseline window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// Successful interactive sign-ins in the baseline window.
    pub interactive_sign_ins: u64,
    /// Distinct IP addresses among them.
    pub ips: u64,
    /// Their prefixes (IPv4 /24, IPv6 /48 by default), first seen first, at most 20.
    pub prefixes: Vec<String>,
    /// Their autonomous system numbers, sorted.
    pub asns: Vec<u32>,
    /// ASNs the user is at home in (used on enough distinct days), sorted.
    pub familiar_asns: Vec<u32>,
    /// Their countries, sorted.
    pub countries: Vec<String>,
    /// Distinct device ids.
    pub devices: u64,
    /// Distinct user agents.
    pub user_agents: u64,
    /// Distinct applications.
    pub apps: u64,
    /// UTC hours holding at least a tenth of the sign-ins.
    pub typical_hours_utc: Vec<u32>,
    /// Sessions of the user in the data (all sign-ins sharing a session id).
    pub sessions: u64,
}

/// One scored fact of a finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The rule id that produced it.
    pub rule: String,
    /// Points it adds (negative points lower the score).
    pub points: i64,
    /// What was observed, in one sentence.
    pub detail: String,
}

/// A reference to the row an event came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventRef {
    /// Input file name (as in [`InputSummary::name`]).
    pub file: String,
    /// 1-based line of the row's first line in that file (the record's start for multi-line rows).
    pub line: u64,
    /// Event time, RFC 3339 UTC.
    pub time: String,
    /// Event kind (see [`crate::model::EventKind::as_str`]).
    pub kind: String,
}

/// An audit operation linked to a finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRef {
    /// Operation name as logged, e.g. `New-InboxRule`.
    pub operation: String,
    /// Event time, RFC 3339 UTC.
    pub time: String,
    /// How it was tied to the finding: `ip`, `session`, or `token`.
    pub linked_by: String,
    /// The most telling parameters, e.g. `ForwardTo=x@example.net`.
    pub detail: String,
    /// Where the row is.
    pub source: EventRef,
}

/// Remediation status of a finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// `sessions-revoked` or `account-disabled` (contained); `none` (an audit log was loaded
    /// and shows neither after the finding); `unknown` (no audit source was loaded, so it cannot
    /// be told; added with ladder version 2).
    pub status: String,
    /// When it happened, RFC 3339 UTC; empty when `status` is `none` or `unknown`.
    pub time: String,
}

/// A row-level problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Input file name.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// 1-based column: the field number in CSV, the byte column in JSON; 0 when not known.
    pub column: u64,
    /// What is wrong and what was expected.
    pub message: String,
}
