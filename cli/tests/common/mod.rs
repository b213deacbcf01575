//! Shared by the export tests: the binary, the demo tenant, and the npm validators in tests/tools.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;

pub fn sessionhunt() -> Command {
    Command::cargo_bin("sessionhunt").expect("the sessionhunt binary is built")
}

/// The demo tenant written into a temp folder (it has critical and high findings).
pub fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sessionhunt().arg("demo").arg("--out").arg(dir.path().join("demo")).assert().success();
    dir
}

/// Runs `sessionhunt ARGS…` and returns stdout, failing with stderr on a non-zero exit.
pub fn run(args: &[&std::ffi::OsStr]) -> String {
    let out = sessionhunt().args(args).output().unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The JSON report of `analyze` over `path`.
pub fn report(path: &Path) -> Value {
    serde_json::from_str(&run(&["analyze".as_ref(), path.as_os_str()])).unwrap()
}

/// tests/tools, whose node_modules `scripts/setup.sh --tests` installs. Fails (never skips) when
/// they are missing.
pub fn tools() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools");
    assert!(
        dir.join("node_modules/@kusto/language-service-next").is_dir()
            && dir.join("node_modules/tree-sitter-powershell").is_dir(),
        "tests/tools/node_modules is missing: run scripts/setup.sh --tests"
    );
    dir
}

/// Runs `node SCRIPT` from tests/tools with `input` on stdin; returns its exit success and JSON.
pub fn node(script: &str, input: &str) -> (bool, Value) {
    use std::io::Write as _;
    let mut child = std::process::Command::new("node")
        .arg(tools().join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/setup.sh installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let text = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{script} printed no JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.success(), json)
}

/// Users with a finding at or above `min` (severity names, lowest first) in a JSON report.
pub fn users_at_least(report: &Value, min: &str) -> Vec<String> {
    const ORDER: [&str; 5] = ["info", "low", "medium", "high", "critical"];
    let rank = |s: &str| ORDER.iter().position(|o| *o == s).unwrap();
    let mut users: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rank(f["severity"].as_str().unwrap()) >= rank(min))
        .map(|f| f["user"].as_str().unwrap().to_owned())
        .collect();
    users.sort();
    users.dedup();
    users
}
