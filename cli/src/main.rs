//! `sessionhunt`: the command-line front end. It is the only crate that touches the file system
//! and stdout; all analysis is `sessionhunt::analyze`, the same call the browser's worker makes.

mod render;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sessionhunt::export::{self, Grades, Selection};
use sessionhunt::ingest::{Dataset, FileIngest, Part, PartData};
use sessionhunt::report::{Diagnostic, InputSummary, Report, Severity};
use sessionhunt::{Settings, analyze};

/// Hunts adversary-in-the-middle session-token theft and replay in Entra ID and Microsoft 365
/// log exports. Nothing is sent anywhere: the analysis runs on this machine.
///
/// Exit codes: 0 success; 1 a finding at or above --fail-on; 2 unreadable input, invalid
/// settings or bad usage.
#[derive(Parser, Debug)]
#[command(name = "sessionhunt", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyses export files, folders (read recursively) and zips, and prints the report.
    Analyze {
        /// Output format: `json` (the report contract), `table` (a terminal summary) or `csv`
        /// (the findings grid, one row per finding).
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// Settings file (JSON or TOML); defaults apply to every key it leaves out.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Writes the output to FILE instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Exits with status 1 when a finding has this severity or a higher one (the output is
        /// still written in full).
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<FailOn>,
        /// Prints no warnings about unrecognized files and row problems on stderr (they stay in
        /// the report's `inputs` and `diagnostics`).
        #[arg(short, long)]
        quiet: bool,
        /// Threads that read a large CSV export in parts (default: the machine's cores). The
        /// report is the same for any number.
        #[arg(short = 'j', long, value_name = "N")]
        jobs: Option<std::num::NonZeroUsize>,
        /// Smallest part of a file read by a thread of its own (tests use small values to split
        /// small files).
        #[arg(long, value_name = "BYTES", default_value_t = sessionhunt::ingest::PART_MIN_BYTES, hide = true)]
        part_min_bytes: u64,
        /// Prints how long reading, analysing and writing took on stderr (for benchmarks).
        #[arg(long, hide = true)]
        timings: bool,
        /// An offline IP → ASN / country database (IPtoASN `ip2asn-v4.tsv`, `ip2asn-v6.tsv`,
        /// `ip2asn-combined.tsv`, or ip-location-db `asn-ipv4.csv`, `asn-ipv6.csv`,
        /// `asn-country-ipv4.csv`; plain or gzipped), used where the logs carry no ASN or
        /// country. Repeatable. It is simply another input: such a file among the PATHs is
        /// recognized by its content all the same.
        #[arg(long = "ip-db", value_name = "FILE")]
        ip_db: Vec<PathBuf>,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints the raw result rows of a reference hunt (docs/detection.md §7), as its KQL
    /// projects them: `h1` (AiTM session hijacking) one row per candidate token refresh from an
    /// unfamiliar network, `h2` (short-window interactive / non-interactive mismatch) one row per
    /// pair of sign-ins. Newest first.
    Hunt {
        /// Which hunt.
        #[arg(value_enum)]
        hunt: HuntName,
        /// Output format: `json` (an array of objects) or `csv` (a header row, then one row per
        /// result; cells a spreadsheet would run as formulas are neutralized).
        #[arg(long, value_enum, default_value_t = HuntFormat::Json)]
        format: HuntFormat,
        /// Settings file (JSON or TOML) for the windows and thresholds; the keys it leaves out
        /// take the defaults of `analyze` (the whole data span). Without it, H1 uses its own
        /// windows (detection 7 days, baseline 30, from the latest event; at most 100 baseline
        /// IPs and 50 /24s) and H2 the whole data span.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints KQL for Microsoft Sentinel / Log Analytics that re-runs reference hunts H1 and H2
    /// and the rules KQL can express, with the settings' windows, thresholds and allowlists; the
    /// queries are separated by lines that are exactly `//---`. With PATHs, the windows default to
    /// the data's span and a last query sweeps the tenant for the findings' IPs and user agents.
    Kql {
        #[command(flatten)]
        case: CaseArgs,
        /// Export files, folders or zips (optional).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints a Microsoft Graph PowerShell containment script for the users of the findings at or
    /// above --min-severity (and those graded true positive): remove devices registered during the
    /// compromise, revoke sessions, disable the account, then list inbox rules, forwarding, OAuth
    /// grants, authentication methods and devices for review. Every destructive step runs with
    /// -WhatIf until the script is run with -Execute.
    Contain {
        #[command(flatten)]
        case: CaseArgs,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Writes a self-contained HTML case report (no script, no external resource, printable):
    /// the answer, affected users, timelines, campaign infrastructure, indicators, the input files
    /// with their SHA-256, and the settings.
    Report {
        #[command(flatten)]
        case: CaseArgs,
        /// Writes the report to FILE instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Writes the affected users' events as Timesketch JSON Lines (message, datetime,
    /// timestamp_desc, the normalized fields and the ids of the findings citing each event).
    Timesketch {
        #[command(flatten)]
        case: CaseArgs,
        /// Writes the JSON Lines to FILE instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints every event of one session id across sign-ins and audit records, in time order:
    /// origin (IP, network, country, user agent, device) with its changes marked, app,
    /// operation, request and token ids, the sign-in each audit record rode on, and the findings
    /// citing each event (docs/views.md).
    Session {
        /// The session id (a finding's `session_ids`).
        #[arg(value_name = "SESSION_ID")]
        session_id: String,
        #[command(flatten)]
        view: ViewArgs,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints the IPs, networks, user agents and forwarding addresses shared by two or more
    /// users' findings, with the users, findings, severities, uses and first and last use
    /// (docs/views.md).
    Campaign {
        #[command(flatten)]
        view: ViewArgs,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Prints the tenant overview: findings per day by severity, the networks and countries of
    /// non-interactive sign-ins, per-file and per-user coverage, and what the loaded data cannot
    /// show (docs/views.md).
    Overview {
        #[command(flatten)]
        view: ViewArgs,
        /// Export files, folders or zips.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Writes the built-in demo tenant (the page's "Try with sample data") as export files, or
    /// with --users/--days a larger simulated tenant of the same kind (for benchmarks and trials).
    Demo {
        /// Folder to write the files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Benign users to simulate (the demo has 60; about 9.5 sign-ins per user and day).
        #[arg(long, value_name = "N")]
        users: Option<u32>,
        /// Days of logs to simulate (at least 7; the demo has 21).
        #[arg(long, value_name = "DAYS")]
        days: Option<u32>,
        /// Export shapes: `mixed` (portal CSVs, then Graph JSON, as the demo), `portal` (portal
        /// CSVs only), `graph` (Graph JSON only), `log-analytics` (SigninLogs and
        /// AADNonInteractiveUserSignInLogs CSVs) or `ual-only` (one Purview audit CSV with the
        /// sign-ins as UserLoggedIn records); the audit log is a Purview CSV in each.
        #[arg(long, value_enum, default_value_t = DemoLayout::Mixed)]
        layout: DemoLayout,
    },
}

/// What the hand-off exports share: settings, which findings they cover, threads.
#[derive(clap::Args, Debug)]
struct CaseArgs {
    /// Settings file (JSON or TOML); defaults apply to every key it leaves out.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Covers the findings at or above this severity (plus those graded true positive).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "high")]
    min_severity: FailOn,
    /// Grades file (JSON, docs/exports.md): true positives are covered whatever their severity,
    /// false positives and benign true positives never.
    #[arg(long, value_name = "FILE")]
    grades: Option<PathBuf>,
    /// Threads that read a large CSV export in parts (default: the machine's cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
}

impl CaseArgs {
    fn selection(&self) -> Result<Selection> {
        let grades = match &self.grades {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read grades file {}", path.display()))?;
                Grades::parse(&text)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("invalid grades file {}", path.display()))?
            }
            None => Grades::default(),
        };
        Ok(Selection { min_severity: self.min_severity.severity(), grades })
    }

    fn settings(&self) -> Result<Settings> {
        match &self.settings {
            Some(path) => read_settings(path),
            None => Ok(Settings::default()),
        }
    }
}

/// What the investigation views share: output format, settings, threads.
#[derive(clap::Args, Debug)]
struct ViewArgs {
    /// Output format: `json` (the view as data) or `table` (for a terminal; log text has its
    /// control characters escaped).
    #[arg(long, value_enum, default_value_t = ViewFormat::Json)]
    format: ViewFormat,
    /// Settings file (JSON or TOML); defaults apply to every key it leaves out.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Threads that read a large CSV export in parts (default: the machine's cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
    /// Prints how long reading and analysing, and then the view, took on stderr.
    #[arg(long, hide = true)]
    timings: bool,
}

impl ViewArgs {
    /// Reads and analyses the inputs, and starts timing the view (`--timings`).
    fn load(&self, paths: &[PathBuf]) -> Result<(Dataset, Report, Timings)> {
        let mut clock = Timings::new(self.timings);
        let settings = match &self.settings {
            Some(path) => read_settings(path)?,
            None => Settings::default(),
        };
        let (dataset, report) = load(paths, &settings, self.jobs)?;
        clock.lap("read and analyse");
        Ok((dataset, report, clock))
    }

    /// Prints the view on stdout as pretty JSON ending with a newline (`json`), or as its table.
    fn print<V: serde::Serialize + ?Sized>(
        &self,
        view: &V,
        table: impl FnOnce(&V) -> String,
    ) -> Result<()> {
        let text = match self.format {
            ViewFormat::Json => {
                serde_json::to_string_pretty(view).context("cannot write the view as JSON")? + "\n"
            }
            ViewFormat::Table => table(view),
        };
        write_output(None, &[text])
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum ViewFormat {
    /// The view as JSON.
    Json,
    /// A readable table.
    Table,
}

/// The version the exports name (the core's, so the page names the same).
const VERSION: &str = sessionhunt::VERSION;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// The report as JSON (the stable contract documented in README.md).
    Json,
    /// A readable summary: inputs, findings by severity, top users with reasons.
    Table,
    /// The findings grid as CSV (RFC 4180), one row per finding; columns in README.md.
    Csv,
}

/// The reference hunts `hunt` runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum HuntName {
    /// AiTM session hijacking: token refreshes from networks absent from the user's
    /// interactive baseline.
    H1,
    /// An interactive sign-in, then within 10 minutes a token use from another ASN and IP.
    H2,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum HuntFormat {
    /// An array of objects, one per row.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

/// How `demo` splits the simulated tenant into export files.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum DemoLayout {
    Mixed,
    Portal,
    Graph,
    LogAnalytics,
    UalOnly,
}

/// The severities `--fail-on` accepts (the confidence ladder, docs/detection.md §5).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

/// Size of the slices files are read in: the core never needs a whole file in memory.
const CHUNK: usize = 1 << 20;

/// How to split a large file between threads.
#[derive(Copy, Clone, Debug)]
struct Split {
    jobs: usize,
    part_min_bytes: u64,
}

/// Inputs at least this large (in total) get a progress bar, when stderr is a terminal.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// How many row diagnostics are echoed on stderr; the report holds all of them.
const STDERR_DIAGNOSTICS: usize = 10;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sessionhunt: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze {
            format,
            settings,
            output,
            fail_on,
            quiet,
            jobs,
            part_min_bytes,
            timings,
            ip_db,
            mut paths,
        } => {
            let mut clock = Timings::new(timings);
            let ip_db_names: Vec<String> = ip_db.iter().map(|p| display_name(p)).collect();
            paths.extend(ip_db);
            let settings = match settings {
                Some(path) => read_settings(&path)?,
                None => Settings::default(),
            };
            let inputs = collect_inputs(&paths)?;
            let mut dataset = Dataset::new();
            let progress = progress_bar(&inputs);
            let jobs = jobs
                .or_else(|| std::thread::available_parallelism().ok())
                .map_or(1, std::num::NonZeroUsize::get);
            let split = Split { jobs, part_min_bytes: part_min_bytes.max(1) };
            // The analysis runs on rayon's pool (the core's `threads` feature); only its size is
            // set here. It fails only when a pool already exists, which nothing else makes.
            let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
            for input in &inputs {
                read_into(&mut dataset, input, &progress, split)?;
            }
            clock.lap("read");
            // Analysis has no byte count: the spinner keeps turning while it runs.
            progress.set_message("analysing");
            if !progress.is_hidden() {
                progress.enable_steady_tick(std::time::Duration::from_millis(200));
            }
            let report = analyze(&dataset, &settings);
            clock.lap("analyse");
            progress.finish_and_clear();
            // The process ends right after the output is written: freeing hundreds of thousands
            // of interned strings and events one by one took about 8 % of the run on a 560 MB
            // tenant (perf, issue 6), for memory the OS takes back at exit anyway.
            std::mem::forget(dataset);
            if !quiet {
                warn_about_inputs(&report.inputs, &report.diagnostics, " in the report");
                for name in &ip_db_names {
                    if let Some(i) = report.inputs.iter().find(|i| &i.name == name)
                        && i.log_kind != "ip-database"
                    {
                        eprintln!(
                            "warning: --ip-db {name} is not an IP database ({}): expected \
                             ip2asn-*.tsv or ip-location-db asn-*.csv",
                            i.format
                        );
                    }
                }
            }
            let pieces = match format {
                OutputFormat::Json => report.to_json_pieces(),
                OutputFormat::Table => vec![render::table(&report)],
                OutputFormat::Csv => vec![render::csv(&report)?],
            };
            clock.lap("render");
            write_output(output.as_deref(), &pieces)?;
            clock.lap("write");
            let code = exit_code(&report, fail_on);
            std::mem::forget(report);
            std::mem::forget(pieces);
            Ok(code)
        }
        Command::Hunt { hunt, format, settings, paths } => {
            use sessionhunt::detect::hunts::{H1_COLUMNS, H2_COLUMNS, h1, h2};
            let settings = match (settings, hunt) {
                (Some(path), _) => read_settings(&path)?,
                (None, HuntName::H1) => Settings::h1_preset(),
                (None, HuntName::H2) => Settings::default(),
            };
            let inputs = collect_inputs(&paths)?;
            let mut dataset = Dataset::new();
            let progress = progress_bar(&inputs);
            let jobs = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            let split = Split { jobs, part_min_bytes: sessionhunt::ingest::PART_MIN_BYTES };
            let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
            for input in &inputs {
                read_into(&mut dataset, input, &progress, split)?;
            }
            progress.finish_and_clear();
            warn_about_inputs(&dataset.files, &dataset.diagnostics, "");
            // JSON from the rows themselves (serde_json writes a struct's fields in order; a
            // `Value` would sort them); CSV cells by column name.
            let pretty = |json: serde_json::Result<String>| -> Result<String> {
                Ok(json.context("cannot write the rows as JSON")? + "\n")
            };
            let value =
                |v: serde_json::Result<serde_json::Value>| v.context("cannot read the rows");
            let text = match (hunt, format) {
                (HuntName::H1, HuntFormat::Json) => {
                    pretty(serde_json::to_string_pretty(&h1(&dataset, &settings)))?
                }
                (HuntName::H2, HuntFormat::Json) => {
                    pretty(serde_json::to_string_pretty(&h2(&dataset, &settings)))?
                }
                (HuntName::H1, HuntFormat::Csv) => render::hunt_csv(
                    &H1_COLUMNS,
                    &value(serde_json::to_value(h1(&dataset, &settings)))?,
                )?,
                (HuntName::H2, HuntFormat::Csv) => render::hunt_csv(
                    &H2_COLUMNS,
                    &value(serde_json::to_value(h2(&dataset, &settings)))?,
                )?,
            };
            write_output(None, &[text])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Kql { case, paths } => {
            let (settings, selection) = (case.settings()?, case.selection()?);
            let loaded =
                if paths.is_empty() { None } else { Some(load(&paths, &settings, case.jobs)?) };
            let text = export::kql(&settings, loaded.as_ref().map(|l| &l.1), &selection, VERSION);
            write_output(None, &[text])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Contain { case, paths } => {
            let (settings, selection) = (case.settings()?, case.selection()?);
            let (_, report) = load(&paths, &settings, case.jobs)?;
            write_output(None, &[export::powershell(&report, &selection, VERSION)])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { case, output, paths } => {
            let (settings, selection) = (case.settings()?, case.selection()?);
            let (dataset, report) = load(&paths, &settings, case.jobs)?;
            let hashes = sha256_of_inputs(&collect_inputs(&paths)?)?;
            let kind = export::Kind::CaseReport;
            let html = export::render(kind, &report, &dataset, &settings, &selection, &hashes);
            write_output(output.as_deref(), &[html])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Timesketch { case, output, paths } => {
            let (settings, selection) = (case.settings()?, case.selection()?);
            let (dataset, report) = load(&paths, &settings, case.jobs)?;
            write_output(output.as_deref(), &[export::timesketch(&report, &dataset, &selection)])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Session { session_id, view, paths } => {
            let (dataset, report, mut clock) = view.load(&paths)?;
            let session = sessionhunt::views::session(&dataset, &report, &session_id);
            clock.lap("session view");
            if session.events.is_empty() {
                eprintln!(
                    "sessionhunt: warning: no event of session {} in the loaded data",
                    render::clean(session_id.trim())
                );
            }
            view.print(&session, render::session_table)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Campaign { view, paths } => {
            let (dataset, report, mut clock) = view.load(&paths)?;
            let shared = sessionhunt::views::campaign(&dataset, &report);
            clock.lap("campaign view");
            view.print(shared.as_slice(), render::campaign_table)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Overview { view, paths } => {
            let (dataset, report, mut clock) = view.load(&paths)?;
            let overview = sessionhunt::views::overview(&dataset, &report);
            clock.lap("overview");
            view.print(&overview, render::overview_table)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { out, users, days, layout } => {
            use sessionhunt::sim::{Layout, TenantConfig, generate};
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let mut config = TenantConfig::demo();
            if let Some(users) = users {
                config.benign_users = users;
            }
            if let Some(days) = days {
                if days < 7 {
                    bail!("--days must be at least 7 (got {days})");
                }
                config.days = days;
            }
            let layout = match layout {
                DemoLayout::Mixed => Layout::Mixed,
                DemoLayout::Portal => Layout::Portal,
                DemoLayout::Graph => Layout::Graph,
                DemoLayout::LogAnalytics => Layout::LogAnalytics,
                DemoLayout::UalOnly => Layout::UalOnly,
            };
            let files = if config == TenantConfig::demo() && layout == Layout::Mixed {
                sessionhunt::sim::demo_files()
            } else {
                generate(&config).files(layout)
            };
            for file in files {
                let path = out.join(&file.name);
                std::fs::write(&path, &file.bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {} ({} bytes)", path.display(), file.bytes.len());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads and analyses the inputs of a hand-off export, warning on stderr about unrecognized files
/// and row problems as `analyze` does.
fn load(
    paths: &[PathBuf],
    settings: &Settings,
    jobs: Option<std::num::NonZeroUsize>,
) -> Result<(Dataset, Report)> {
    let inputs = collect_inputs(paths)?;
    let jobs = jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, std::num::NonZeroUsize::get);
    let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
    let split = Split { jobs, part_min_bytes: sessionhunt::ingest::PART_MIN_BYTES };
    let progress = progress_bar(&inputs);
    let mut dataset = Dataset::new();
    for input in &inputs {
        read_into(&mut dataset, input, &progress, split)?;
    }
    progress.finish_and_clear();
    let report = analyze(&dataset, settings);
    warn_about_inputs(&report.inputs, &report.diagnostics, "");
    Ok((dataset, report))
}

/// SHA-256 of every input file (lower-case hex), by the name the report gives it.
fn sha256_of_inputs(inputs: &[Input]) -> Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut buf = vec![0u8; CHUNK];
    for input in inputs {
        let mut file = File::open(&input.path)
            .with_context(|| format!("cannot open {}", input.path.display()))?;
        let mut hasher = export::InputHash::default();
        read_range(&mut file, &mut buf, u64::MAX, input, |c| hasher.update(c))?;
        out.insert(input.name.clone(), hasher.hex());
    }
    Ok(out)
}

fn read_settings(path: &Path) -> Result<Settings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read settings file {}", path.display()))?;
    // The parser's message carries the line and column (serde_json and toml both report them).
    Settings::parse(&text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("invalid settings file {}", path.display()))
}

/// Phase durations for `--timings`, printed on stderr as each phase ends.
struct Timings(Option<std::time::Instant>);

impl Timings {
    fn new(on: bool) -> Self {
        Timings(on.then(std::time::Instant::now))
    }

    fn lap(&mut self, phase: &str) {
        if let Some(start) = &mut self.0 {
            eprintln!("sessionhunt: {phase} {:.3} s", start.elapsed().as_secs_f64());
            *start = std::time::Instant::now();
        }
    }
}

/// 1 when a finding reaches `--fail-on`, else 0.
fn exit_code(report: &Report, fail_on: Option<FailOn>) -> ExitCode {
    match fail_on {
        Some(level) if report.findings.iter().any(|f| f.severity >= level.severity()) => {
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Writes the output, given in pieces, to `path` (or stdout). A closed pipe (`| head`) is not an
/// error.
fn write_output(path: Option<&Path>, pieces: &[String]) -> Result<()> {
    let write = |out: &mut dyn Write| -> io::Result<()> {
        for piece in pieces {
            out.write_all(piece.as_bytes())?;
        }
        out.flush()
    };
    match path {
        Some(path) => File::create(path)
            .and_then(|file| write(&mut io::BufWriter::with_capacity(1 << 20, file)))
            .with_context(|| format!("cannot write output file {}", path.display())),
        None => match write(&mut io::stdout().lock()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("cannot write to stdout"),
        },
    }
}

/// What the analyst should know on stderr before reading the output: files that were not
/// recognized, and the first row problems (file:line:column), as compilers print them; `kept` says
/// where the rest are (" in the report").
fn warn_about_inputs(inputs: &[InputSummary], diagnostics: &[Diagnostic], kept: &str) {
    let mut err = io::stderr().lock();
    for input in inputs {
        if input.format == "unknown" {
            let _ = writeln!(
                err,
                "sessionhunt: warning: {}: not a recognized Entra ID / Microsoft 365 export ({} bytes, {} rows skipped)",
                input.name, input.bytes, input.skipped
            );
        }
    }
    for d in diagnostics.iter().take(STDERR_DIAGNOSTICS) {
        let _ = writeln!(err, "sessionhunt: {}:{}:{}: {}", d.file, d.line, d.column, d.message);
    }
    if diagnostics.len() > STDERR_DIAGNOSTICS {
        let _ = writeln!(
            err,
            "sessionhunt: … and {} more row diagnostics{kept}",
            diagnostics.len() - STDERR_DIAGNOSTICS
        );
    }
}

/// A byte-count progress bar on stderr for large inputs; hidden (draws nothing, ever) unless stderr
/// is a terminal, so pipelines, redirects and tests see no escape codes.
fn progress_bar(inputs: &[Input]) -> ProgressBar {
    let total: u64 = inputs.iter().map(|i| i.size).sum();
    if total < PROGRESS_MIN_BYTES || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// One file to read and the name it gets in the report.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Input {
    /// For a file given directly: its file name. For a file found in a folder: the folder's name
    /// and the path below it (`exports/sub/x.csv`), as a browser names files of a dropped folder.
    name: String,
    path: PathBuf,
    /// Size when listed (for the progress bar only).
    size: u64,
}

fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let base = display_name(path);
            walk(path, &base, &mut inputs)?;
        } else {
            inputs.push(Input { name: display_name(path), path: path.clone(), size: meta.len() });
        }
    }
    // Sorted by name, so the report does not depend on the order of the arguments or of the
    // directory listing.
    inputs.sort();
    inputs.dedup_by(|a, b| a.path == b.path);
    if inputs.is_empty() {
        bail!(
            "no files found in {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(inputs)
}

fn walk(dir: &Path, prefix: &str, inputs: &mut Vec<Input>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let path = entry.path();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().with_context(|| format!("cannot read {}", path.display()))?;
        if kind.is_dir() {
            walk(&path, &name, inputs)?;
        } else if kind.is_file() || kind.is_symlink() {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            inputs.push(Input { name, path, size });
        }
    }
    Ok(())
}

fn display_name(path: &Path) -> String {
    match path.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => path.display().to_string(),
    }
}

/// Reads one file into the dataset. A large plain CSV export is read in parts, one thread each
/// (the core's `Part`): the first part by this thread into the dataset, the others beside it into
/// datasets of their own, joined back in order. A part whose split did not fall between two
/// records (a quoted field spanning lines) is read again by this thread, so the report never
/// depends on the split.
fn read_into(
    dataset: &mut Dataset,
    input: &Input,
    progress: &ProgressBar,
    split: Split,
) -> Result<()> {
    let open =
        || File::open(&input.path).with_context(|| format!("cannot open {}", input.path.display()));
    let mut file = open()?;
    let size = file.metadata().ok().map(|m| m.len());
    progress.set_message(input.name.clone());
    let mut ingest = dataset.begin_file(&input.name, size);
    let mut buf = vec![0u8; CHUNK];
    // The first megabyte: the header, so the file's format is known.
    let chunk = CHUNK as u64;
    let first = read_range(&mut file, &mut buf, chunk, input, feed(&mut ingest, progress))?;
    let cuts = match size {
        Some(size) if first == chunk => cut_points(&mut open()?, first, size, split, input)?,
        _ => Vec::new(),
    };
    let parts: Vec<Part> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain(size.as_slice()))
        .map_while(|(&start, &end)| ingest.part(start, end))
        .collect();
    if let Some(until) = parts.first().map(|p| p.range().start - first) {
        std::thread::scope(|scope| -> Result<()> {
            let threads: Vec<_> = parts
                .into_iter()
                .map(|mut part| {
                    scope.spawn(move || -> Result<PartData> {
                        let (mut file, mut buf) = (open()?, vec![0u8; CHUNK]);
                        let range = part.range();
                        let push = |c: &[u8]| {
                            part.push(c);
                            progress.inc(c.len() as u64);
                        };
                        read_at(&mut file, &mut buf, range, input, push)?;
                        Ok(part.finish())
                    })
                })
                .collect();
            read_range(&mut file, &mut buf, until, input, feed(&mut ingest, progress))?;
            for thread in threads {
                let part = thread.join().map_err(|_| anyhow!("a reading thread failed"))??;
                if let Err(range) = ingest.join(part) {
                    // Read the part's bytes here instead (their count was already shown once).
                    progress.dec(range.end - range.start);
                    read_at(&mut file, &mut buf, range, input, feed(&mut ingest, progress))?;
                }
            }
            Ok(())
        })?;
    }
    // The rest: all of it when the file is read in one piece, else any bytes past the size the
    // file had when it was opened (a file still being written).
    let rest = ingest.progress().0..u64::MAX;
    read_at(&mut file, &mut buf, rest, input, feed(&mut ingest, progress))?;
    ingest.finish();
    Ok(())
}

/// Pushes read bytes into the file's reader and counts them on the progress bar.
fn feed<'a>(ingest: &'a mut FileIngest<'_>, progress: &'a ProgressBar) -> impl FnMut(&[u8]) + 'a {
    move |c| {
        ingest.push(c);
        progress.inc(c.len() as u64);
    }
}

/// Reads bytes `range` of `file` (to its end when the range ends at `u64::MAX`), see
/// [`read_range`].
fn read_at(
    file: &mut File,
    buf: &mut [u8],
    range: std::ops::Range<u64>,
    input: &Input,
    push: impl FnMut(&[u8]),
) -> Result<u64> {
    file.seek(SeekFrom::Start(range.start))
        .with_context(|| format!("cannot read {}", input.path.display()))?;
    read_range(file, buf, range.end.saturating_sub(range.start), input, push)
}

/// Reads up to `limit` bytes of `file` (to its end for `u64::MAX`) in `buf`-sized pieces, handing
/// each to `push`; returns the bytes read.
fn read_range(
    file: &mut File,
    buf: &mut [u8],
    limit: u64,
    input: &Input,
    mut push: impl FnMut(&[u8]),
) -> Result<u64> {
    let mut read = 0u64;
    while read < limit {
        let want = usize::try_from(limit - read).unwrap_or(usize::MAX).min(buf.len());
        let n = match file.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", input.path.display()));
            }
        };
        push(&buf[..n]);
        read += n as u64;
    }
    Ok(read)
}

/// Where the parts of a file start ([`sessionhunt::ingest::cut_points`]), reading its windows
/// from `file`.
fn cut_points(
    file: &mut File,
    from: u64,
    size: u64,
    split: Split,
    input: &Input,
) -> Result<Vec<u64>> {
    sessionhunt::ingest::cut_points(from, size, split.jobs, split.part_min_bytes, |at, len| {
        let mut window = Vec::with_capacity(len as usize);
        file.seek(SeekFrom::Start(at))
            .and_then(|_| (&mut *file).take(len).read_to_end(&mut window))
            .with_context(|| format!("cannot read {}", input.path.display()))?;
        Ok(window)
    })
}
