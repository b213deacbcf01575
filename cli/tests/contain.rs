//! `sessionhunt contain`: the script parses with the tree-sitter PowerShell grammar (npm, in
//! tests/tools) with no ERROR or missing node, and each covered user gets the expected cmdlets, in
//! order, every destructive one behind -WhatIf.

mod common;

use common::{demo_dir, node, report, run, users_at_least};
use serde_json::Value;

fn parse(script: &str) -> Vec<(String, u64)> {
    let (ok, result) = node("ps-check.mjs", script);
    assert!(ok, "the script does not parse: {result:#}");
    result["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["row"].as_u64().unwrap()))
        .collect()
}

/// The commands of each user's block, by the user's quoted UPN.
fn per_user(script: &str, commands: &[(String, u64)], quoted: &str) -> Vec<String> {
    let lines: Vec<&str> = script.lines().collect();
    let start =
        lines.iter().position(|l| *l == format!("$upn = {quoted}")).expect("the user's block")
            as u64
            + 1;
    let end = lines
        .iter()
        .enumerate()
        .skip(start as usize)
        .find(|(_, l)| l.starts_with("$upn = "))
        .map_or(lines.len() as u64, |(i, _)| i as u64 + 1);
    commands.iter().filter(|(_, row)| *row > start && *row < end).map(|(n, _)| n.clone()).collect()
}

fn check_user(script: &str, commands: &[(String, u64)], quoted: &str) {
    let cmds = per_user(script, commands, quoted);
    let at = |name: &str| {
        cmds.iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("{name} missing for {quoted}: {cmds:?}"))
    };
    assert!(at("Remove-MgDevice") < at("Revoke-MgUserSignInSession"), "devices first");
    assert!(at("Revoke-MgUserSignInSession") < at("Update-MgUser"));
    for review in [
        "Get-MgUserMailFolderMessageRule",
        "Get-Mailbox",
        "Get-MgUserOauth2PermissionGrant",
        "Get-MgUserAuthenticationMethod",
        "Get-MgUserRegisteredDevice",
    ] {
        let last =
            cmds.iter().rposition(|c| c == review).unwrap_or_else(|| panic!("{review} missing"));
        assert!(last > at("Update-MgUser"), "{review} after the containment");
    }
}

#[test]
fn every_high_user_gets_the_steps_and_the_script_parses() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let script = run(&["contain".as_ref(), demo.as_os_str()]);
    let commands = parse(&script);
    let report = report(&demo);
    let users = users_at_least(&report, "high");
    assert!(users.len() >= 2);
    for u in &users {
        check_user(&script, &commands, &format!("'{u}'"));
    }
    assert_eq!(script.matches("\n$upn = ").count(), users.len(), "only those users");
    for l in script.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if ["Remove-MgDevice", "Revoke-MgUserSignInSession", "Update-MgUser"]
            .iter()
            .any(|c| l.trim_start().starts_with(c))
        {
            assert!(l.ends_with(" -WhatIf:$WhatIf"), "a destructive step not behind -WhatIf: {l}");
        }
    }
    // The header lists each covered finding with its severity and grade.
    for f in report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
    {
        let line = format!(
            "#   {} {} ungraded: {}",
            f["id"].as_str().unwrap(),
            f["severity"].as_str().unwrap(),
            f["user"].as_str().unwrap()
        );
        assert!(script.contains(&line), "{line}");
    }
}

#[test]
fn grades_override_severity() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let report = report(&demo);
    let findings = report["findings"].as_array().unwrap();
    let top: &Value = &findings[0];
    let low = findings.iter().find(|f| f["severity"] == "low").expect("the demo has low findings");
    let grades = dir.path().join("grades.json");
    std::fs::write(
        &grades,
        serde_json::json!({"grades": [
            {"finding": top["id"], "grade": "false-positive", "note": "the user's own VPN"},
            {"finding": low["id"], "grade": "true-positive", "note": "confirmed"},
        ]})
        .to_string(),
    )
    .unwrap();
    let script =
        run(&["contain".as_ref(), "--grades".as_ref(), grades.as_os_str(), demo.as_os_str()]);
    let commands = parse(&script);
    let low_user = low["user"].as_str().unwrap();
    check_user(&script, &commands, &format!("'{low_user}'"));
    assert!(
        script.contains(&format!(
            "#   {} low true-positive: {low_user}",
            low["id"].as_str().unwrap()
        ))
    );
    assert!(script.contains("# Left out by their grade:"));
    let top_user = top["user"].as_str().unwrap();
    if findings.iter().filter(|f| f["user"] == top["user"]).all(|f| f["id"] == top["id"]) {
        assert!(
            !script.contains(&format!("$upn = '{top_user}'")),
            "a false positive's user is left out"
        );
    }
    // A bad grades file is an error naming the file.
    std::fs::write(&grades, r#"{"grades": [{"finding": "F-1", "grade": "probably"}]}"#).unwrap();
    let out = common::sessionhunt()
        .arg("contain")
        .arg("--grades")
        .arg(&grades)
        .arg(&demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("grades.json"));
}

#[test]
fn quotes_in_user_names_are_doubled_and_the_script_still_parses() {
    let dir = demo_dir();
    let demo = dir.path().join("demo");
    let report = report(&demo);
    let victim = users_at_least(&report, "critical").into_iter().next().unwrap();
    // Lower case: the core lower-cases user names. No backslash: the JSON exports must stay JSON.
    let hostile = victim.replace('@', "'x\u{2019}$(remove-item c:/x)@");
    for entry in std::fs::read_dir(&demo).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(&victim, &hostile)).unwrap();
    }
    let script = run(&["contain".as_ref(), demo.as_os_str()]);
    let commands = parse(&script);
    let quoted =
        format!("'{}'", hostile.replace('\'', "''").replace('\u{2019}', "\u{2019}\u{2019}"));
    check_user(&script, &commands, &quoted);
    assert!(
        !commands.iter().any(|(c, _)| c.eq_ignore_ascii_case("remove-item")),
        "log text ran as a command"
    );
}
