//! The containment script (docs/detection.md §6 steps 2 and 3, docs/exports.md): Microsoft Graph
//! PowerShell for the users of the covered findings, to be reviewed before it is run.
//!
//! Per user, in this order: remove the devices registered since the compromise began (a
//! device-bound primary refresh token survives a session revocation), revoke the sessions
//! (`Revoke-MgUserSignInSession`), disable the account (`Update-MgUser -AccountEnabled:$false`),
//! then list for review what an attacker leaves behind: inbox rules, forwarding, OAuth grants,
//! authentication methods, devices. Every destructive call carries `-WhatIf:$WhatIf`, true unless
//! the reviewer runs the script with `-Execute`, and sits under a `# DESTRUCTIVE` marker.
//!
//! Values from logs (UPNs) are PowerShell single-quoted strings: no expansion happens inside
//! them, and a quote is doubled (PowerShell also reads the typographic quotes U+2018 to U+201B as
//! single quotes, so those are doubled too). A user whose name holds a control character cannot be
//! written safely and is listed in the header as left out, never dropped silently.

use std::fmt::Write as _;

use super::{Selection, by_user, comment_safe, is_invisible_format};
use crate::report::{Finding, Report};

/// The containment script for the findings `selection` covers.
pub fn powershell(report: &Report, selection: &Selection, version: &str) -> String {
    let findings = selection.findings(report);
    let users = by_user(&findings);
    let mut out = String::new();
    let w = &mut out;
    line(w, "# sessionhunt containment script (Microsoft Graph PowerShell)");
    line(w, &format!("# Written by sessionhunt {}.", comment_safe(version)));
    line(w, "#");
    line(w, "# REVIEW EVERY STEP BEFORE RUNNING IT.");
    line(w, "# As written, every destructive step only says what it would do (-WhatIf).");
    line(w, "# Run it with -Execute to carry the steps out:  ./contain.ps1 -Execute");
    line(w, "#");
    line(
        w,
        &format!(
            "# Findings covered: severity {} or higher, plus those graded true-positive, minus those graded false-positive or benign-true-positive.",
            selection.min_severity.as_str()
        ),
    );
    if findings.is_empty() {
        line(w, "# No finding is covered: there is nothing to contain.");
    }
    for f in &findings {
        line(
            w,
            &format!(
                "#   {} {} {}: {}",
                f.id,
                f.severity.as_str(),
                grade_of(selection, f),
                comment_safe(&f.user)
            ),
        );
    }
    let excluded = selection.excluded_by_grade(report);
    if !excluded.is_empty() {
        line(w, "# Left out by their grade:");
        for f in excluded {
            line(
                w,
                &format!(
                    "#   {} {} {}: {}",
                    f.id,
                    f.severity.as_str(),
                    grade_of(selection, f),
                    comment_safe(&f.user)
                ),
            );
        }
    }
    let unsafe_users: Vec<&str> =
        users.iter().map(|(u, _)| *u).filter(|u| quote(u).is_none()).collect();
    if !unsafe_users.is_empty() {
        line(
            w,
            "# Left out: user names holding control characters, which cannot be quoted safely; contain them by hand:",
        );
        for u in &unsafe_users {
            line(w, &format!("#   {}", comment_safe(u)));
        }
    }
    line(w, "");
    line(w, "[CmdletBinding()]");
    line(w, "param(");
    line(
        w,
        "    # Carries out the destructive steps; without it they only print what they would do.",
    );
    line(w, "    [switch]$Execute");
    line(w, ")");
    line(w, "");
    line(w, "Set-StrictMode -Version Latest");
    line(w, "$ErrorActionPreference = 'Stop'");
    line(w, "$WhatIf = -not $Execute");
    line(w, "");
    line(
        w,
        "# Modules: Microsoft.Graph (Users, Users.Actions, Identity.DirectoryManagement, Identity.SignIns, Mail).",
    );
    line(
        w,
        "Connect-MgGraph -NoWelcome -Scopes 'User.ReadWrite.All', 'Directory.AccessAsUser.All', 'Device.ReadWrite.All', 'UserAuthenticationMethod.Read.All', 'MailboxSettings.Read', 'Mail.Read', 'DelegatedPermissionGrant.Read.All'",
    );
    line(w, "");
    line(w, "# Parses an RFC 3339 time from the findings as UTC.");
    line(w, "function ConvertTo-UtcTime([string]$Text) {");
    line(
        w,
        "    [datetime]::Parse($Text, [Globalization.CultureInfo]::InvariantCulture, ([Globalization.DateTimeStyles]::AdjustToUniversal -bor [Globalization.DateTimeStyles]::AssumeUniversal))",
    );
    line(w, "}");
    for (user, fs) in &users {
        let Some(upn) = quote(user) else { continue };
        user_block(w, &upn, user, fs, selection);
    }
    line(w, "");
    line(w, "Write-Host 'Done. Re-run with -Execute once every step above was reviewed.'");
    out
}

fn user_block(w: &mut String, upn: &str, user: &str, fs: &[&Finding], selection: &Selection) {
    let first = fs.iter().map(|f| f.first_seen.as_str()).filter(|t| !t.is_empty()).min();
    let last = fs.iter().map(|f| f.last_seen.as_str()).max().unwrap_or("");
    let ids: Vec<&str> = fs.iter().map(|f| f.id.as_str()).collect();
    line(w, "");
    line(w, &format!("# ===== {} =====", comment_safe(user)));
    line(
        w,
        &format!(
            "# Findings: {}; first malicious use {}, last {}.",
            ids.join(", "),
            first.unwrap_or("unknown"),
            if last.is_empty() { "unknown" } else { last }
        ),
    );
    for f in fs {
        let status = &f.remediation.status;
        line(
            w,
            &format!(
                "# {} {} {}: containment seen in the logs: {}{}",
                f.id,
                f.severity.as_str(),
                grade_of(selection, f),
                comment_safe(status),
                if f.remediation.time.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", comment_safe(&f.remediation.time))
                }
            ),
        );
    }
    line(w, &format!("$upn = {upn}"));
    // The times come from the core's RFC 3339 formatting; quoted all the same.
    let since = first.and_then(quote).unwrap_or_else(|| "'1970-01-01T00:00:00Z'".to_owned());
    line(w, &format!("$since = ConvertTo-UtcTime {since}"));
    line(
        w,
        "$user = Get-MgUser -UserId $upn -Property 'Id', 'UserPrincipalName', 'AccountEnabled'",
    );
    line(w, "");
    line(w, "# 1. DESTRUCTIVE (review): remove the devices registered since the compromise began.");
    line(
        w,
        "#    First: a device-bound primary refresh token survives the session revocation below.",
    );
    line(w, "foreach ($registered in @(Get-MgUserRegisteredDevice -UserId $user.Id -All)) {");
    line(w, "    $device = Get-MgDevice -DeviceId $registered.Id");
    line(
        w,
        "    if ($device.RegistrationDateTime -and $device.RegistrationDateTime.ToUniversalTime() -ge $since) {",
    );
    line(
        w,
        "        Write-Host ('Device registered during the compromise: {0} ({1}), {2}' -f $device.DisplayName, $device.DeviceId, $device.RegistrationDateTime)",
    );
    line(w, "        Remove-MgDevice -DeviceId $device.Id -WhatIf:$WhatIf");
    line(w, "    }");
    line(w, "}");
    line(w, "");
    line(w, "# 2. DESTRUCTIVE (review): revoke every session and refresh token of the user.");
    line(w, "Revoke-MgUserSignInSession -UserId $user.Id -WhatIf:$WhatIf");
    line(w, "");
    line(
        w,
        "# 3. DESTRUCTIVE (review): disable the account until it is cleaned up (docs/detection.md section 6).",
    );
    line(w, "Update-MgUser -UserId $user.Id -AccountEnabled:$false -WhatIf:$WhatIf");
    line(w, "");
    line(
        w,
        "# 4. Review (read only): what an attacker leaves behind. Remove what is not the user's by hand.",
    );
    line(w, "Write-Host \"Inbox rules of $upn\"");
    line(
        w,
        "Get-MgUserMailFolderMessageRule -UserId $user.Id -MailFolderId 'inbox' -All | Format-List -Property 'DisplayName', 'IsEnabled', 'Sequence', 'Conditions', 'Actions'",
    );
    line(
        w,
        "Write-Host \"Mailbox forwarding of $upn (Exchange Online PowerShell, when connected)\"",
    );
    line(w, "if (Get-Command -Name Get-Mailbox -ErrorAction SilentlyContinue) {");
    line(
        w,
        "    Get-Mailbox -Identity $upn | Format-List -Property 'ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward'",
    );
    line(w, "} else {");
    line(
        w,
        "    Write-Host 'Get-Mailbox is not available: run Connect-ExchangeOnline to see mailbox forwarding.'",
    );
    line(w, "}");
    line(w, "Write-Host \"OAuth permission grants of $upn\"");
    line(
        w,
        "Get-MgUserOauth2PermissionGrant -UserId $user.Id -All | Format-Table -Property 'ClientId', 'ConsentType', 'Scope'",
    );
    line(w, "Write-Host \"Authentication methods of $upn\"");
    line(
        w,
        "Get-MgUserAuthenticationMethod -UserId $user.Id | Format-List -Property 'Id', 'AdditionalProperties'",
    );
    line(w, "Write-Host \"Devices of $upn\"");
    line(
        w,
        "Get-MgUserRegisteredDevice -UserId $user.Id -All | ForEach-Object { Get-MgDevice -DeviceId $_.Id } | Format-Table -Property 'DisplayName', 'DeviceId', 'OperatingSystem', 'RegistrationDateTime', 'ApproximateLastSignInDateTime'",
    );
    line(
        w,
        "Get-MgUserOwnedDevice -UserId $user.Id -All | ForEach-Object { Get-MgDevice -DeviceId $_.Id } | Format-Table -Property 'DisplayName', 'DeviceId', 'OperatingSystem', 'RegistrationDateTime'",
    );
}

fn grade_of(selection: &Selection, f: &Finding) -> &'static str {
    selection.grades.get(&f.id).map_or("ungraded", |g| g.grade.as_str())
}

fn line(w: &mut String, text: &str) {
    let _ = writeln!(w, "{text}");
}

/// `text` as a PowerShell single-quoted string: nothing inside expands; each single quote (and
/// each typographic one, which PowerShell also reads as a quote) is doubled. `None` when the text
/// holds a control or invisible formatting character, which no quoting makes safe to review.
pub fn quote(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c.is_control() || is_invisible_format(c) {
            return None;
        }
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Grades;
    use crate::report::Severity;

    fn finding(id: &str, user: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            user: user.into(),
            severity,
            first_seen: "2026-03-02T10:00:00Z".into(),
            last_seen: "2026-03-02T11:00:00Z".into(),
            ..Finding::default()
        }
    }

    #[test]
    fn quotes_double_every_kind_of_single_quote() {
        assert_eq!(quote("o'brien@x").as_deref(), Some("'o''brien@x'"));
        assert_eq!(quote("a\u{2019}b").as_deref(), Some("'a\u{2019}\u{2019}b'"));
        assert_eq!(quote("$(Remove-Item x)").as_deref(), Some("'$(Remove-Item x)'"));
        assert_eq!(quote("a\nb"), None);
        assert_eq!(quote("a\u{202e}b"), None);
    }

    #[test]
    fn each_user_gets_the_steps_in_order_behind_whatif() {
        let report = Report {
            findings: vec![
                finding("F-1", "a@x.com", Severity::Critical),
                finding("F-2", "b@x.com", Severity::Medium),
            ],
            ..Report::default()
        };
        let script = powershell(&report, &Selection::at_least(Severity::High), "0.1.0");
        assert!(script.contains("#   F-1 critical ungraded: a@x.com"));
        assert!(!script.contains("b@x.com"), "below the severity");
        let at = |s: &str| script.find(s).unwrap_or_else(|| panic!("{s} missing:\n{script}"));
        assert!(at("Remove-MgDevice") < at("Revoke-MgUserSignInSession"));
        assert!(at("Revoke-MgUserSignInSession") < at("Update-MgUser -UserId"));
        for destructive in ["Remove-MgDevice", "Revoke-MgUserSignInSession", "Update-MgUser"] {
            let l =
                script.lines().find(|l| l.contains(destructive) && !l.starts_with('#')).unwrap();
            assert!(l.ends_with("-WhatIf:$WhatIf"), "{l}");
        }
        let graded = Selection {
            min_severity: Severity::High,
            grades: Grades::parse(r#"{"grades": [{"finding": "F-2", "grade": "true-positive"}]}"#)
                .unwrap(),
        };
        assert!(powershell(&report, &graded, "0.1.0").contains("$upn = 'b@x.com'"));
    }

    #[test]
    fn a_user_name_with_a_line_break_is_left_out_and_said() {
        let report = Report {
            findings: vec![finding("F-1", "a@x.com\nRemove-Item C:\\", Severity::High)],
            ..Report::default()
        };
        let script = powershell(&report, &Selection::at_least(Severity::High), "0.1.0");
        assert!(script.contains("#   a@x.com?Remove-Item C:\\"), "{script}");
        assert!(!script.contains("$upn ="));
        assert!(script.lines().all(|l| !l.starts_with("Remove-Item")));
    }
}
