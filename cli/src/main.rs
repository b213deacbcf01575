//! `sessionhunt`: the command-line front end. It is the only crate that touches the file system
//! and stdout; all analysis is `sessionhunt::analyze`, the same call the browser's worker makes.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use sessionhunt::{Settings, analyze, ingest::Dataset};

/// Hunts adversary-in-the-middle session-token theft and replay in Entra ID and Microsoft 365
/// log exports. Nothing is sent anywhere: the analysis runs on this machine.
#[derive(Parser, Debug)]
#[command(name = "sessionhunt", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyses export files and folders (read recursively) and prints the report.
    Analyze {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// Settings file (JSON or TOML); defaults apply to every key it leaves out.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Export files or folders.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Writes the built-in demo tenant (the page's "Try with sample data") as export files.
    Demo {
        /// Folder to write the files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// The report as JSON (the stable contract documented in README.md).
    Json,
}

/// Size of the slices files are read in: the core never needs a whole file in memory.
const CHUNK: usize = 1 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sessionhunt: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Analyze { format, settings, paths } => {
            let settings = match settings {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read settings file {}", path.display()))?;
                    Settings::parse(&text)
                        .map_err(anyhow::Error::msg)
                        .with_context(|| format!("invalid settings file {}", path.display()))?
                }
                None => Settings::default(),
            };
            let inputs = collect_inputs(&paths)?;
            let mut dataset = Dataset::new();
            for input in &inputs {
                read_into(&mut dataset, input)?;
            }
            let report = analyze(&dataset, &settings);
            let stdout = io::stdout();
            let mut out = stdout.lock();
            match format {
                OutputFormat::Json => out.write_all(report.to_json().as_bytes())?,
            }
            out.flush()?;
            Ok(())
        }
        Command::Demo { out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            for file in sessionhunt::sim::demo_files() {
                let path = out.join(&file.name);
                std::fs::write(&path, &file.bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {} ({} bytes)", path.display(), file.bytes.len());
            }
            Ok(())
        }
    }
}

/// One file to read and the name it gets in the report.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Input {
    /// For a file given directly: its file name. For a file found in a folder: the folder's name
    /// and the path below it (`exports/sub/x.csv`), as a browser names files of a dropped folder.
    name: String,
    path: PathBuf,
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
            inputs.push(Input { name: display_name(path), path: path.clone() });
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
            inputs.push(Input { name, path });
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

fn read_into(dataset: &mut Dataset, input: &Input) -> Result<()> {
    let mut file =
        File::open(&input.path).with_context(|| format!("cannot open {}", input.path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let mut ingest = dataset.begin_file(&input.name, size);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", input.path.display()));
            }
        };
        ingest.push(&buf[..n]);
    }
    ingest.finish();
    Ok(())
}
