//! The CLI as a user runs it: real files on disk, exit codes, stdout JSON, stderr messages.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn sessionhunt() -> Command {
    Command::cargo_bin("sessionhunt").expect("the sessionhunt binary is built")
}

fn report_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON report")
}

#[test]
fn analyze_prints_the_report_contract_for_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir_all(exports.join("uals")).unwrap();
    std::fs::write(exports.join("b.csv"), "x\n").unwrap();
    std::fs::write(exports.join("uals/a.json"), "[]").unwrap();
    let single = dir.path().join("single.txt");
    std::fs::write(&single, "hello").unwrap();

    let out = sessionhunt()
        .arg("analyze")
        .arg("--format")
        .arg("json")
        .arg(&exports)
        .arg(&single)
        .output()
        .unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let report = report_of(&out.stdout);

    let names: Vec<&str> =
        report["inputs"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["exports/b.csv", "exports/uals/a.json", "single.txt"],
        "sorted, folder-relative names"
    );
    assert_eq!(report["inputs"][2]["bytes"], 5);
    for key in ["name", "format", "rows", "events", "duplicates", "skipped"] {
        assert!(report["inputs"][0].get(key).is_some(), "inputs[].{key}");
    }
    for key in ["start", "end", "users", "warnings"] {
        assert!(report["coverage"].get(key).is_some(), "coverage.{key}");
    }
    assert!(report["findings"].is_array());
    assert!(report["diagnostics"].is_array());
}

#[test]
fn the_report_does_not_depend_on_argument_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.json");
    std::fs::write(&a, "Date (UTC),Request ID\n").unwrap();
    std::fs::write(&b, "{}").unwrap();
    let first = sessionhunt().arg("analyze").arg(&a).arg(&b).output().unwrap();
    let second = sessionhunt().arg("analyze").arg(&b).arg(&a).output().unwrap();
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn a_missing_input_exits_2_and_names_it() {
    sessionhunt()
        .args(["analyze", "does/not/exist.csv"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("does/not/exist.csv"));
}

#[test]
fn bad_usage_exits_2() {
    sessionhunt().arg("analyze").assert().code(2).stderr(predicate::str::contains("PATH"));
    sessionhunt().args(["analyze", "--format", "yaml", "x"]).assert().code(2);
    sessionhunt().arg("frobnicate").assert().code(2);
}

#[test]
fn an_invalid_settings_file_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, r#"{"detection_dayz": 3}"#).unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "").unwrap();
    sessionhunt()
        .arg("analyze")
        .arg("--settings")
        .arg(&settings)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("settings.json")
                .and(predicate::str::contains("detection_dayz")),
        );
}

#[test]
fn a_valid_toml_settings_file_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "detection_days = 7\nbaseline_days = 30\n").unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "").unwrap();
    sessionhunt().arg("analyze").arg("--settings").arg(&settings).arg(&input).assert().success();
}

#[test]
fn demo_writes_the_simulated_tenant_and_analyze_finds_its_attacks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    sessionhunt().arg("demo").arg("--out").arg(&out).assert().success();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "several export files: {names:?}");

    let output = sessionhunt().arg("analyze").arg(&out).output().unwrap();
    assert!(output.status.success());
    let report = report_of(&output.stdout);
    for input in report["inputs"].as_array().unwrap() {
        assert_ne!(input["format"], "unknown", "{input}");
        assert_eq!(input["skipped"], 0, "{input}");
        assert!(input["events"].as_u64().unwrap() > 0, "{input}");
    }
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities.first(), Some(&"critical"), "most severe first");
    assert!(severities.iter().filter(|s| **s == "high").count() > 0);
}
