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

/// The demo tenant written once per test into a temp folder (it has critical and high findings).
fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sessionhunt().arg("demo").arg("--out").arg(dir.path().join("demo")).assert().success();
    dir
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/formats").join(name)
}

#[test]
fn csv_is_the_findings_grid_with_the_documented_columns() {
    let dir = demo_dir();
    let json = sessionhunt().arg("analyze").arg(dir.path()).output().unwrap();
    let report = report_of(&json.stdout);
    let out = sessionhunt().args(["analyze", "--format", "csv"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "id",
            "severity",
            "score",
            "user",
            "rules",
            "first_seen",
            "last_seen",
            "ips",
            "asns",
            "countries",
            "session_ids",
            "user_agents",
            "events",
            "audit_operations",
            "remediation",
            "remediation_time",
            "suppressions",
            "severity_reason",
            "explanation"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(rows.len(), findings.len(), "one row per finding");
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(&row[0], f["id"].as_str().unwrap());
        assert_eq!(&row[1], f["severity"].as_str().unwrap());
        assert_eq!(row[2].parse::<i64>().unwrap(), f["score"].as_i64().unwrap());
        assert_eq!(&row[3], f["user"].as_str().unwrap());
        let rules: Vec<&str> =
            f["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert_eq!(&row[4], rules.join(" | "));
        let ips: Vec<&str> =
            f["ips"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert_eq!(&row[7], ips.join(" | "));
        assert_eq!(row[12].parse::<usize>().unwrap(), f["events"].as_array().unwrap().len());
        assert_eq!(&row[14], f["remediation"]["status"].as_str().unwrap());
    }
}

#[test]
fn table_summarizes_inputs_severities_and_top_users_with_reasons() {
    let dir = demo_dir();
    let json = report_of(&sessionhunt().arg("analyze").arg(dir.path()).output().unwrap().stdout);
    let out =
        sessionhunt().args(["analyze", "--format", "table"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let count = |s: &str| findings.iter().filter(|f| f["severity"] == s).count();
    assert!(
        text.contains(&format!(
            "Findings: {} (critical {}, high {}, medium {}, low {}, info {})",
            findings.len(),
            count("critical"),
            count("high"),
            count("medium"),
            count("low"),
            count("info")
        )),
        "{text}"
    );
    // The first user listed is the first (most severe) finding's user, with the reason.
    let top = &findings[0];
    let users = text.split("Top users").nth(1).expect("a top-users section");
    let first_line = users.lines().nth(2).unwrap();
    assert!(first_line.trim_start().starts_with(top["user"].as_str().unwrap()), "{first_line}");
    assert!(first_line.contains("critical"));
    assert!(users.contains(&format!("why: {}", top["severity_reason"].as_str().unwrap())));
    for input in json["inputs"].as_array().unwrap() {
        assert!(text.contains(input["format"].as_str().unwrap()));
    }
}

#[test]
fn table_escapes_terminal_control_characters_from_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    // A file name with an escape sequence ends up in the table's input list.
    let name = dir.path().join("evil\u{1b}[2J.csv");
    std::fs::write(&name, "x\n").unwrap();
    let out =
        sessionhunt().args(["analyze", "--format", "table", "-q"]).arg(&name).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("evil\\u{1b}[2J.csv"), "{text}");
}

#[test]
fn output_file_gets_the_same_bytes_as_stdout() {
    let dir = demo_dir();
    for format in ["json", "csv", "table"] {
        let stdout = sessionhunt()
            .args(["analyze", "--format", format])
            .arg(dir.path().join("demo"))
            .output()
            .unwrap();
        let file = dir.path().join(format!("out.{format}"));
        sessionhunt()
            .args(["analyze", "--format", format, "-o"])
            .arg(&file)
            .arg(dir.path().join("demo"))
            .assert()
            .success()
            .stdout("");
        assert_eq!(std::fs::read(&file).unwrap(), stdout.stdout, "{format}");
    }
    // An output path that cannot be written is exit 2, naming it.
    sessionhunt()
        .args(["analyze", "-o"])
        .arg(dir.path().join("no/such/dir/out.json"))
        .arg(dir.path().join("demo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir/out.json"));
}

#[test]
fn fail_on_exits_1_at_or_above_the_severity_and_still_writes_the_output() {
    let dir = demo_dir();
    let full = sessionhunt().arg("analyze").arg(dir.path()).output().unwrap();
    // The demo's worst findings are critical.
    for level in ["critical", "high", "info"] {
        let out =
            sessionhunt().args(["analyze", "--fail-on", level]).arg(dir.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "--fail-on {level}");
        assert_eq!(out.stdout, full.stdout, "the report is written in full");
    }
    // Nothing at all in a file without sign-ins: no finding reaches even `info`.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    sessionhunt().args(["analyze", "--fail-on", "info"]).arg(&empty).assert().code(0);
    sessionhunt()
        .args(["analyze", "--fail-on", "severe"])
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("severe").and(predicate::str::contains("critical")));
}

#[test]
fn a_zip_is_read_with_its_members() {
    let zip = fixture("SGS_2026-03-01_2026-03-07_1_1.zip");
    let out = sessionhunt().arg("analyze").arg(&zip).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = report_of(&out.stdout);
    let inputs = report["inputs"].as_array().unwrap();
    let members: Vec<&Value> = inputs
        .iter()
        .filter(|i| i["name"].as_str().unwrap().starts_with("SGS_2026-03-01_2026-03-07_1_1.zip/"))
        .collect();
    assert!(members.len() >= 3, "{inputs:?}");
    assert!(
        members.iter().any(|m| m["format"] == "entra-portal-csv" && m["events"].as_u64() > Some(0))
    );
}

#[test]
fn unreadable_settings_name_the_file_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("broken.toml");
    std::fs::write(&settings, "detection_days = 7\nbaseline_days = [\n").unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "").unwrap();
    sessionhunt()
        .arg("analyze")
        .arg("--settings")
        .arg(&settings)
        .arg(&input)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("broken.toml").and(predicate::str::contains("line 2")));
}

#[test]
fn row_problems_are_echoed_on_stderr_as_file_line_column_and_quiet_silences_them() {
    let damaged = fixture("ual_damaged.csv");
    let unknown = fixture("not_an_export.csv");
    let out = sessionhunt().arg("analyze").arg(&damaged).arg(&unknown).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("ual_damaged.csv:3:6: row has 5 fields"), "{stderr}");
    assert!(stderr.contains("not_an_export.csv: not a recognized"), "{stderr}");
    let quiet = sessionhunt().arg("analyze").arg("-q").arg(&damaged).output().unwrap();
    assert!(quiet.status.success());
    assert_eq!(quiet.stderr, b"");
    // The report keeps every diagnostic either way.
    let report = report_of(&quiet.stdout);
    assert!(report["diagnostics"].as_array().unwrap().len() >= 3);
}

#[test]
fn no_progress_bar_or_escape_codes_when_stderr_is_not_a_terminal() {
    // Larger than the progress bar's threshold (32 MiB); stderr is a pipe here.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![0u8; 33 << 20]).unwrap();
    let out = sessionhunt().arg("analyze").arg("-q").arg(&big).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stderr, b"", "nothing on stderr");
    assert!(!out.stdout.contains(&0x1b) && !out.stdout.contains(&b'\r'));
}

#[test]
fn demo_scales_and_takes_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("graph");
    sessionhunt()
        .args(["demo", "--users", "10", "--days", "8", "--layout", "graph", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = report_of(&sessionhunt().arg("analyze").arg(&out).output().unwrap().stdout);
    let formats: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"graph-signin-json") && !formats.contains(&"entra-portal-csv"),
        "{formats:?}"
    );
    assert!(report["coverage"]["users"].as_u64().unwrap() >= 10);
    sessionhunt()
        .args(["demo", "--days", "3", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 7"));
}

/// Large CSVs are read in parts on several threads (and the analysis runs on several): the report
/// is the same, byte for byte, for any number of threads, also when splits fall inside quoted
/// fields that span lines (those parts are read again by the first thread).
#[test]
fn reading_on_several_threads_gives_the_same_report() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let source = std::fs::read_dir(&demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("NonInteractive"))
        .unwrap();
    let text = std::fs::read_to_string(&source).unwrap();
    // Every row of this copy spans two lines of about equal length (a line break inside its
    // middle quoted field), so about half the splits fall inside a row.
    let multiline: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut fields: Vec<String> = l.split("\",\"").map(str::to_owned).collect();
            let middle = fields.len() / 2;
            if i > 0 {
                fields[middle].push_str(" two\nlines");
            }
            fields.join("\",\"")
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(demo.join("NonInteractiveSignIns_multiline.csv"), multiline).unwrap();
    let run = |jobs: &str| {
        let output = sessionhunt()
            .args(["analyze", "-q", "--part-min-bytes", "65536", "--jobs", jobs])
            .arg(&demo)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    let one = run("1");
    let report = report_of(&one);
    let inputs = report["inputs"].as_array().unwrap();
    let multi = inputs.iter().find(|i| i["name"] == "demo/NonInteractiveSignIns_multiline.csv");
    // Its rows are read whole (copies of the original's: counted as duplicates).
    let multi = multi.unwrap();
    assert!(multi["rows"].as_u64().unwrap() > 4_000 && multi["skipped"] == 0, "{multi}");
    for jobs in ["2", "3", "8"] {
        assert!(run(jobs) == one, "--jobs {jobs} gives another report");
    }
}

/// `--timings` (hidden, for benchmarks) names each phase on stderr and changes nothing else;
/// without it, stderr says nothing of time.
#[test]
fn timings_are_printed_only_when_asked() {
    let dir = demo_dir();
    let run = |timings: bool| {
        let mut cmd = sessionhunt();
        cmd.args(["analyze", "-q"]);
        if timings {
            cmd.arg("--timings");
        }
        let output = cmd.arg(dir.path().join("demo")).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        (output.stdout, String::from_utf8(output.stderr).unwrap())
    };
    let (plain, quiet) = run(false);
    let (timed, stderr) = run(true);
    assert_eq!(plain, timed, "--timings changes the report");
    assert_eq!(quiet, "", "stderr without --timings");
    let phases: Vec<&str> = stderr
        .lines()
        .map(|l| {
            let rest = l.strip_prefix("sessionhunt: ").expect(l);
            let (phase, secs) = rest.split_once(' ').expect(l);
            let secs = secs.strip_suffix(" s").expect(l);
            assert!(secs.parse::<f64>().is_ok_and(|s| s >= 0.0), "{l}");
            phase
        })
        .collect();
    assert_eq!(phases, ["read", "analyse", "render", "write"]);
}

#[test]
fn ip_db_is_another_input_listed_with_its_date_and_attribution() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("asn-ipv4_2026-06-17.csv");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/ipdb/asn-ipv4.csv"),
        &db_path,
    )
    .unwrap();
    let log = fixture("ual_purview.csv");
    let out = sessionhunt()
        .args(["analyze", "--ip-db"])
        .arg(&db_path)
        .arg("--ip-db")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/ipdb/ip2asn-v6.tsv"))
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let report = report_of(&out.stdout);
    let inputs = report["inputs"].as_array().unwrap();
    let db = inputs.iter().find(|i| i["name"] == "asn-ipv4_2026-06-17.csv").unwrap();
    assert_eq!(db["log_kind"], "ip-database");
    assert_eq!(db["format"], "ip-location-db-asn-csv");
    assert_eq!(db["date"], "2026-06-17");
    assert_eq!(db["ranges"], 36);
    assert!(db["attribution"].as_str().unwrap().contains("https://db-ip.com"));
    let v6 = inputs.iter().find(|i| i["name"] == "ip2asn-v6.tsv").unwrap();
    assert_eq!((v6["date"].as_str(), v6["ranges"].as_u64()), (Some("undated"), Some(8)));
    let warnings = report["coverage"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().starts_with("IP database used")),
        "{warnings:?}"
    );

    // A log passed as --ip-db is read as what it is, with a warning.
    let out = sessionhunt().args(["analyze", "--ip-db"]).arg(&log).arg(&db_path).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--ip-db ual_purview.csv is not an IP database"), "{stderr}");
}
