//! KQL for Microsoft Sentinel / Log Analytics that re-runs the hunt over the whole tenant, on the
//! engine where its logs already live (docs/detection.md §6 and §7, docs/exports.md).
//!
//! The queries, one after another, separated by a line that is exactly `//---`:
//! reference hunts H1 and H2 (docs/detection.md §7.1, §7.2) with the current windows, caps,
//! prefixes and allowlists; the rules KQL can express (docs/detection.md §4.1):
//! `token-from-unfamiliar-network` with the familiar-network guard and IP prevalence,
//! `short-window-origin-switch` with the zero-delay Microsoft refresh guard,
//! `session-origin-split`, `hosting-network` with the embedded hosting ASN list, post-compromise
//! linking to `OfficeActivity`, `CloudAppEvents` and `AuditLogs`, attacker-typical inbox rules and
//! forwarding on their own; and, given a report, the covered findings' IPs and user agents as an
//! indicator sweep over every table.
//!
//! Each query starts with `//` comments saying what it hunts and which settings it used, and
//! declares everything it needs in `let` statements, so any one of them can be pasted alone.
//! Values (allowlist entries from a settings file, user agents from logs) are KQL string literals
//! with `"`, `\` and every control character escaped; comments carry no log text.
//!
//! What KQL does not express as the product does (scores, the ladder, baselines kept free of
//! suspect sign-ins, carrier families) is said in the comments: these queries find candidates
//! for an analyst, the product grades them.

use std::fmt::Write as _;

use super::{Selection, comment_safe};
use crate::enrich::{HOSTING_ASNS, LIST_DATE, MICROSOFT_ASNS};
use crate::report::Report;
use crate::settings::Settings;

/// The line between two queries.
pub const SEPARATOR: &str = "//---";

/// Every query, separated by [`SEPARATOR`] lines, ending with a newline. With a report, the
/// windows default to the span of its data and an indicator query sweeps the tenant for the
/// IPs and user agents of the findings `selection` covers.
pub fn kql(
    settings: &Settings,
    report: Option<&Report>,
    selection: &Selection,
    version: &str,
) -> String {
    let p = Prelude::new(settings, report, version);
    let mut queries = vec![
        h1(&p),
        h2(&p),
        token_from_unfamiliar_network(&p),
        short_window_origin_switch(&p),
        session_origin_split(&p),
        hosting_network(&p),
        post_compromise_office_activity(&p),
        post_compromise_cloud_app_events(&p),
        post_compromise_audit_logs(&p),
        inbox_rules_office_activity(&p),
        inbox_rules_cloud_app_events(&p),
    ];
    if let Some(report) = report
        && let Some(q) = indicators(&p, report, selection)
    {
        queries.push(q);
    }
    let mut out = String::new();
    for (i, q) in queries.iter().enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
            out.push('\n');
        }
        out.push_str(q.trim_end());
        out.push('\n');
    }
    out
}

/// What every query declares: windows, allowlists, lists, and the comment lines naming them.
struct Prelude {
    version: String,
    /// `// Settings: …` comment lines.
    settings_comment: Vec<String>,
    detection_start: String,
    baseline_start: String,
    baseline_end: String,
    end_time: String,
    s: Settings,
    allow_ips: Vec<String>,
    allow_cidrs: Vec<String>,
    ignored: Vec<String>,
}

impl Prelude {
    fn new(settings: &Settings, report: Option<&Report>, version: &str) -> Prelude {
        // The data's span, when a report gives one (RFC 3339 text the core wrote; checked anyway).
        let span = report.and_then(|r| {
            let (start, end) = (r.coverage.start.as_str(), r.coverage.end.as_str());
            (is_time(start) && is_time(end)).then(|| (start.to_owned(), end.to_owned()))
        });
        let (end_time, end_said) = match &span {
            Some((_, end)) => {
                (format!("datetime({end})"), format!("the latest event of the data ({end})"))
            }
            None => ("now()".to_owned(), "now".to_owned()),
        };
        let whole = match &span {
            Some((start, _)) => {
                (format!("datetime({start})"), format!("the data's span, from {start}"))
            }
            // No data to take a span from: H1's baseline window stands for "everything".
            None => (
                "end_time - 30d".to_owned(),
                "the last 30 days (no data given to take a span from)".to_owned(),
            ),
        };
        let window = |days: Option<u32>| match days {
            Some(d) => (format!("end_time - {d}d"), format!("the last {d} days")),
            None => whole.clone(),
        };
        let (detection_start, detection_said) = window(settings.detection_days);
        let (baseline_start, mut baseline_said) = window(settings.baseline_days);
        let baseline_end = if settings.exclude_detection_from_baseline {
            baseline_said.push_str(", before the detection window");
            "detection_start".to_owned()
        } else {
            "end_time".to_owned()
        };
        let mut ignored = Vec::new();
        let allow_ips: Vec<String> = settings
            .allow
            .ips
            .iter()
            .filter_map(|ip| match ip.trim().parse::<std::net::IpAddr>() {
                Ok(ip) => Some(ip.to_string()),
                Err(_) => {
                    ignored.push(format!("allow.ips entry {:?}", comment_safe(ip)));
                    None
                }
            })
            .collect();
        let allow_cidrs: Vec<String> = settings
            .allow
            .cidrs
            .iter()
            .filter_map(|c| match c.trim().parse::<ipnet::IpNet>() {
                Ok(net) => Some(net.to_string()),
                Err(_) => {
                    ignored.push(format!("allow.cidrs entry {:?}", comment_safe(c)));
                    None
                }
            })
            .collect();
        let a = &settings.allow;
        let mut settings_comment = vec![
            format!(
                "// Settings: detection window {detection_said}; baseline {baseline_said}; end {end_said}."
            ),
            format!(
                "// Prefixes IPv4 /{} and IPv6 /{}; baseline caps {} IPs and {} prefixes per user; short window {} min; post-compromise window {} min; nearby interactive ±{} h; familiar ASN after {} days; low-volume IP up to {} users; Microsoft refresh guard {} s.",
                settings.ipv4_prefix.min(32),
                settings.ipv6_prefix.min(128),
                cap_said(settings.baseline_max_ips),
                cap_said(settings.baseline_max_prefixes),
                settings.short_window_minutes,
                settings.post_compromise_minutes,
                settings.nearby_interactive_hours,
                settings.familiar_asn_min_days,
                settings.low_volume_max_users,
                settings.microsoft_refresh_max_delay_secs,
            ),
            format!(
                "// Allowlists: {} IPs, {} CIDRs, {} ASNs, {} users, {} apps; hosting ASNs: the embedded list of {} (dated {LIST_DATE}) plus {} from the settings.",
                allow_ips.len(),
                allow_cidrs.len(),
                a.asns.len(),
                a.users.len(),
                a.apps.len(),
                HOSTING_ASNS.len(),
                settings.hosting_asns.len(),
            ),
        ];
        if !ignored.is_empty() {
            settings_comment
                .push(format!("// Ignored (not an IP or CIDR): {}.", ignored.join(", ")));
        }
        Prelude {
            version: comment_safe(version),
            settings_comment,
            detection_start,
            baseline_start,
            baseline_end,
            end_time,
            s: settings.clone(),
            allow_ips,
            allow_cidrs,
            ignored,
        }
    }

    /// The header comment: what the query hunts (lines without the `// `), and the settings.
    fn header(&self, title: &str, what: &[&str]) -> String {
        let mut out = format!("// sessionhunt {}: {title}\n", self.version);
        for l in what {
            let _ = writeln!(out, "// {l}");
        }
        for l in &self.settings_comment {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    /// The time window lets.
    fn windows(&self) -> String {
        format!(
            "let end_time = {};\nlet detection_start = {};\nlet baseline_start = {};\nlet baseline_end = {};\n",
            self.end_time, self.detection_start, self.baseline_start, self.baseline_end
        )
    }

    /// The allowlist lets and the functions that read them.
    fn allowlists(&self) -> String {
        let a = &self.s.allow;
        let users: Vec<String> = a.users.iter().map(|u| u.trim().to_lowercase()).collect();
        let apps: Vec<String> = a.apps.iter().map(|u| u.trim().to_owned()).collect();
        let asns: Vec<u32> = a.asns.clone();
        let _ = &self.ignored;
        format!(
            "let allow_ips = {};\nlet allow_cidrs = {};\nlet allow_asns = {};\nlet allow_users = {};\nlet allow_apps = {};\n\
             // An allowlisted origin, user or app never raises a candidate (docs/detection.md §4.3).\n\
             let allowed_origin = (ip: string, asn: string) {{\n    ip in (allow_ips)\n    or coalesce(ipv4_is_in_any_range(ip, allow_cidrs), false)\n    or coalesce(ipv6_is_in_any_range(ip, allow_cidrs), false)\n    or toint(asn) in (allow_asns)\n}};\n\
             let allowed = (user: string, app_id: string, app_name: string, ip: string, asn: string) {{\n    tolower(user) in (allow_users) or app_id in~ (allow_apps) or app_name in~ (allow_apps) or allowed_origin(ip, asn)\n}};\n",
            strings(&self.allow_ips),
            strings(&self.allow_cidrs),
            ints(&asns),
            strings(&users),
            strings(&apps),
        )
    }

    /// `prefix_of(ip)`: the address's network at the configured prefix lengths.
    fn prefix_fn(&self) -> String {
        let (v4, v6) = (self.s.ipv4_prefix.min(32), self.s.ipv6_prefix.min(128));
        format!(
            "let prefix_of = (ip: string) {{\n    iff(isnotnull(parse_ipv4(ip)), format_ipv4_mask(ip, {v4}), strcat(parse_ipv6_mask(ip, {v6}), \"/{v6}\"))\n}};\n"
        )
    }

    fn hosting(&self) -> String {
        let mut asns: Vec<u32> = HOSTING_ASNS.iter().map(|(a, _)| *a).collect();
        asns.extend(&self.s.hosting_asns);
        asns.sort_unstable();
        asns.dedup();
        let names: Vec<String> =
            HOSTING_ASNS.iter().map(|(a, n)| format!("\"{a}\": {}", string(n))).collect();
        format!(
            "let hosting_asns = {};\nlet hosting_names = dynamic({{{}}});\n",
            ints(&asns),
            names.join(", ")
        )
    }

    fn microsoft(&self) -> String {
        let mut asns: Vec<u32> = MICROSOFT_ASNS.iter().map(|(a, _)| *a).collect();
        asns.extend(&self.s.microsoft_asns);
        asns.sort_unstable();
        asns.dedup();
        format!("let microsoft_asns = {};\n", ints(&asns))
    }

    fn cap(&self, cap: Option<u32>) -> u32 {
        // make_set's own maximum: "no cap".
        cap.unwrap_or(1_048_576)
    }

    /// The `token-from-unfamiliar-network` candidates as `Suspicious` (lower-cased users,
    /// configured prefixes, allowlists, familiar-network guard), for the queries that start from
    /// suspicious sign-ins.
    fn suspicious(&self) -> String {
        format!(
            "{}{}{}\
             let Interactive = SigninLogs\n    | where TimeGenerated between (baseline_start .. baseline_end)\n    | where ResultType == \"0\"\n    | extend User = tolower(UserPrincipalName);\n\
             let Baseline = Interactive\n    | summarize BaselineIPs = make_set(IPAddress, {}), BaselinePrefixes = make_set(prefix_of(IPAddress), {}) by User;\n\
             // The familiar-network guard (docs/detection.md §4.2): an ASN the user signed in from interactively on {} distinct days is theirs.\n\
             let Familiar = Interactive\n    | where isnotempty(AutonomousSystemNumber)\n    | summarize Days = array_length(make_set(startofday(CreatedDateTime))) by User, AutonomousSystemNumber\n    | where Days >= {}\n    | summarize FamiliarASNs = make_set(AutonomousSystemNumber) by User;\n\
             let Suspicious = AADNonInteractiveUserSignInLogs\n    | where TimeGenerated between (detection_start .. end_time)\n    | where ResultType == \"0\"\n    | extend User = tolower(UserPrincipalName)\n    | where not(allowed(User, AppId, AppDisplayName, IPAddress, AutonomousSystemNumber))\n    | where not(toint(AutonomousSystemNumber) in (microsoft_asns))\n    | join kind=inner Baseline on User\n    | where not(set_has_element(BaselineIPs, IPAddress)) and not(set_has_element(BaselinePrefixes, prefix_of(IPAddress)))\n    | join kind=leftouter Familiar on User\n    | where isnull(FamiliarASNs) or not(set_has_element(FamiliarASNs, AutonomousSystemNumber))\n    | project SignInTime = CreatedDateTime, User, IPAddress, AutonomousSystemNumber, SessionId, UniqueTokenIdentifier, AppDisplayName, UserAgent, Country = Location;\n",
            self.windows(),
            self.allowlists(),
            self.prefix_fn() + &self.microsoft(),
            self.cap(self.s.baseline_max_ips),
            self.cap(self.s.baseline_max_prefixes),
            self.s.familiar_asn_min_days,
            self.s.familiar_asn_min_days.max(1),
        )
    }
}

fn cap_said(cap: Option<u32>) -> String {
    cap.map_or_else(|| "no cap on".to_owned(), |c| c.to_string())
}

fn h1(p: &Prelude) -> String {
    let s = &p.s;
    format!(
        "{}{}{}{}\
let Baseline = SigninLogs
    | where TimeGenerated between (baseline_start .. baseline_end)
    | where ResultType == \"0\"
    | summarize BaselineIPs = make_set(IPAddress, {}), BaselinePrefixes = make_set(prefix_of(IPAddress), {}) by UserPrincipalName;
let Candidates = AADNonInteractiveUserSignInLogs
    | where TimeGenerated between (detection_start .. end_time)
    | where ResultType == \"0\"
    | where not(allowed(UserPrincipalName, AppId, AppDisplayName, IPAddress, AutonomousSystemNumber))
    | join kind=inner Baseline on UserPrincipalName
    | where not(set_has_element(BaselineIPs, IPAddress)) and not(set_has_element(BaselinePrefixes, prefix_of(IPAddress)))
    | extend Place = todynamic(LocationDetails), Device = todynamic(DeviceDetail)
    | project TimeGenerated, UserPrincipalName, IPAddress, Country = tostring(Place.countryOrRegion), City = tostring(Place.city),
        AppDisplayName, OS = tostring(Device.operatingSystem), Browser = tostring(Device.browser), ResourceDisplayName, UserAgent,
        BaselineIPCount = array_length(BaselineIPs), Id;
// Enrichment 1: distinct users among the candidates from the IP.
let IpUsers = Candidates
    | summarize Users = make_set(UserPrincipalName) by IPAddress
    | project IPAddress, IpUsers = array_length(Users);
// Enrichment 2: a successful interactive sign-in of the user from the IP within ±{} h.
let Nearby = Candidates
    | join kind=inner (SigninLogs
        | where TimeGenerated between ((detection_start - {}h) .. end_time)
        | where ResultType == \"0\"
        | project UserPrincipalName, IPAddress, InteractiveTime = TimeGenerated) on UserPrincipalName, IPAddress
    | where abs(datetime_diff('second', InteractiveTime, TimeGenerated)) <= {}
    | distinct Id
    | extend NearbyInteractive = true;
Candidates
| join kind=leftouter IpUsers on IPAddress
| join kind=leftouter Nearby on Id
| extend NearbyInteractive = coalesce(NearbyInteractive, false)
| extend IpPrevalence = case(IpUsers == 1, \"single-user (investigate)\", IpUsers <= {}, \"low-volume (suspicious)\", \"multi-user (likely infrastructure)\")
| project TimeGenerated, UserPrincipalName, IPAddress, Country, City, AppDisplayName, OS, Browser, ResourceDisplayName, UserAgent,
    BaselineIPCount, IpUsers, IpPrevalence, NearbyInteractive
| order by TimeGenerated desc
",
        p.header(
            "reference hunt H1, AiTM session hijacking (docs/detection.md section 7.1)",
            &[
                "Successful non-interactive sign-ins from an IP whose address and prefix are both outside the user's successful interactive sign-ins,",
                "with H1's enrichments: distinct users among the candidates from the IP, and a nearby interactive sign-in from it.",
                "As H1's KQL: users joined by the UPN as logged (case-sensitive), baselines include suspect sign-ins.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        p.prefix_fn(),
        p.cap(s.baseline_max_ips),
        p.cap(s.baseline_max_prefixes),
        s.nearby_interactive_hours,
        s.nearby_interactive_hours,
        u64::from(s.nearby_interactive_hours) * 3600,
        s.low_volume_max_users,
    )
}

/// H2's pairs, as `Pairs` (with the allowlists on the non-interactive side).
fn h2_pairs(p: &Prelude) -> String {
    format!(
        "let window = {}m;
let Interactive = SigninLogs
    | where TimeGenerated between (detection_start .. end_time)
    | where ResultType == \"0\"
    | project User = tolower(UserPrincipalName), InteractiveTime = CreatedDateTime, InteractiveIP = IPAddress,
        InteractiveASN = AutonomousSystemNumber, InteractiveApp = AppDisplayName, InteractiveCorrelationId = CorrelationId;
let NonInteractive = AADNonInteractiveUserSignInLogs
    | where TimeGenerated between (detection_start .. end_time)
    | where ResultType == \"0\"
    | where not(allowed(UserPrincipalName, AppId, AppDisplayName, IPAddress, AutonomousSystemNumber))
    | project User = tolower(UserPrincipalName), NonInteractiveTime = CreatedDateTime, NonInteractiveIP = IPAddress,
        NonInteractiveASN = AutonomousSystemNumber, NonInteractiveApp = AppDisplayName, NonInteractiveCorrelationId = CorrelationId;
let Pairs = Interactive
    | join kind=inner NonInteractive on User
    | where NonInteractiveTime between (InteractiveTime .. (InteractiveTime + window))
    | where isnotempty(InteractiveASN) and isnotempty(NonInteractiveASN)
    | where InteractiveASN != NonInteractiveASN and InteractiveIP != NonInteractiveIP
    | extend DeltaSeconds = datetime_diff('second', NonInteractiveTime, InteractiveTime),
        AccountName = tostring(split(User, \"@\")[0]), UPNSuffix = tostring(split(User, \"@\")[1])
    | project InteractiveTime, NonInteractiveTime, DeltaSeconds, User, AccountName, UPNSuffix, InteractiveIP, NonInteractiveIP,
        InteractiveASN, NonInteractiveASN, InteractiveApp, NonInteractiveApp, InteractiveCorrelationId, NonInteractiveCorrelationId;
",
        p.s.short_window_minutes
    )
}

fn h2(p: &Prelude) -> String {
    format!(
        "{}{}{}{}Pairs
| order by InteractiveTime desc
",
        p.header(
            "reference hunt H2, short-window interactive / non-interactive mismatch (docs/detection.md section 7.2)",
            &[
                "A successful interactive sign-in, then within the short window a successful non-interactive sign-in of the same user",
                "from a different ASN and a different IP, both ASNs known. Benign matches: VPN changes, roaming, mobile refresh, several devices.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        h2_pairs(p),
    )
}

fn token_from_unfamiliar_network(p: &Prelude) -> String {
    format!(
        "{}{}{}\
// IP prevalence over every sign-in of the window (the product's all-data scope).
let IpUsers = union SigninLogs, AADNonInteractiveUserSignInLogs
    | where TimeGenerated between (baseline_start .. end_time)
    | summarize Users = make_set(tolower(UserPrincipalName)) by IPAddress
    | project IPAddress, IpUsers = array_length(Users);
Suspicious
| join kind=leftouter IpUsers on IPAddress
| extend Hosting = toint(AutonomousSystemNumber) in (hosting_asns)
| summarize FirstSeen = min(SignInTime), LastSeen = max(SignInTime), SignIns = count(), Apps = make_set(AppDisplayName, 10),
    UserAgents = make_set(UserAgent, 5), SessionIds = make_set(SessionId, 10), Countries = make_set(Country, 5)
    by User, IPAddress, AutonomousSystemNumber, Hosting, IpUsers
| extend IpPrevalence = case(IpUsers <= 1, \"single-user\", IpUsers <= {}, \"low-volume\", \"shared infrastructure\")
| extend Provider = tostring(hosting_names[AutonomousSystemNumber])
| order by Hosting desc, IpUsers asc, FirstSeen asc
",
        p.header(
            "rule token-from-unfamiliar-network (docs/detection.md section 4.1), with ip-prevalence and hosting-network",
            &[
                "Successful non-interactive sign-ins from an IP whose address and prefix are outside the user's interactive baseline,",
                "users compared lower-cased, allowlists and the familiar-network guard applied, Microsoft's own ASNs left out.",
                "The product also keeps suspect sign-ins out of the baseline and recognises carrier families; review each row.",
            ],
        ),
        p.suspicious(),
        p.hosting(),
        p.s.low_volume_max_users,
    )
}

fn short_window_origin_switch(p: &Prelude) -> String {
    format!(
        "{}{}{}{}{}Pairs
// The zero-delay Microsoft refresh guard (docs/detection.md section 4.2).
| where not(toint(NonInteractiveASN) in (microsoft_asns) and DeltaSeconds <= {})
| extend Hosting = toint(NonInteractiveASN) in (hosting_asns)
| order by InteractiveTime desc
",
        p.header(
            "rule short-window-origin-switch (docs/detection.md section 4.1)",
            &[
                "H2's pairs with the product's guards: allowlists on the replay's side, and a Microsoft ASN within the refresh delay is not a switch.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        p.microsoft() + &p.hosting(),
        h2_pairs(p),
        p.s.microsoft_refresh_max_delay_secs,
    )
}

fn session_origin_split(p: &Prelude) -> String {
    format!(
        "{}{}{}{}\
let SignIns = union withsource=SourceTable SigninLogs, AADNonInteractiveUserSignInLogs
    | where TimeGenerated between (detection_start .. end_time)
    | where ResultType == \"0\" and isnotempty(SessionId)
    | where not(toint(AutonomousSystemNumber) in (microsoft_asns))
    | project SourceTable, Time = CreatedDateTime, User = tolower(UserPrincipalName), SessionId, IPAddress, ASN = AutonomousSystemNumber,
        Country = Location, UserAgent, AppId, AppDisplayName;
// Each session's first interactive sign-in: the origin the session belongs to.
let Origins = SignIns
    | where SourceTable == \"SigninLogs\"
    | summarize arg_min(Time, ASN, Country) by SessionId
    | project SessionId, OriginTime = Time, OriginASN = ASN, OriginCountry = Country;
SignIns
| join kind=inner Origins on SessionId
| where Time > OriginTime
| where iff(isnotempty(ASN) and isnotempty(OriginASN), ASN != OriginASN, isnotempty(Country) and Country != OriginCountry)
| where not(allowed(User, AppId, AppDisplayName, IPAddress, ASN))
| summarize FirstOtherUse = min(Time), LastUse = max(Time), Events = count(), IPs = make_set(IPAddress, 20), ASNs = make_set(ASN, 20),
    Countries = make_set(Country, 10), UserAgents = make_set(UserAgent, 5), HostingEvents = countif(toint(ASN) in (hosting_asns))
    by User, SessionId, OriginTime, OriginASN, OriginCountry
| order by HostingEvents desc, FirstOtherUse asc
",
        p.header(
            "rule session-origin-split (docs/detection.md section 4.1)",
            &[
                "One session id used from another ASN (or country, when an ASN is missing) than its first interactive sign-in,",
                "Microsoft's own ASNs left out (the product sets aside only those within the refresh delay), allowlists applied.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        p.microsoft() + &p.hosting(),
    )
}

fn hosting_network(p: &Prelude) -> String {
    format!(
        "{}{}{}{}\
union withsource=SourceTable SigninLogs, AADNonInteractiveUserSignInLogs
| where TimeGenerated between (detection_start .. end_time)
| where ResultType == \"0\"
| where toint(AutonomousSystemNumber) in (hosting_asns)
| extend User = tolower(UserPrincipalName)
| where not(allowed(User, AppId, AppDisplayName, IPAddress, AutonomousSystemNumber))
| summarize FirstSeen = min(CreatedDateTime), LastSeen = max(CreatedDateTime), SignIns = count(), Interactive = countif(SourceTable == \"SigninLogs\"),
    IPs = make_set(IPAddress, 20), Apps = make_set(AppDisplayName, 10), UserAgents = make_set(UserAgent, 5)
    by User, AutonomousSystemNumber
| extend Provider = tostring(hosting_names[AutonomousSystemNumber])
| order by FirstSeen asc
",
        p.header(
            "rule hosting-network (docs/detection.md section 4.1)",
            &[
                "Successful sign-ins from a hosting, VPS or VPN-exit network: where AiTM kits and token replays run.",
                "A user who always works from a cloud desktop shows here every day: compare with the first and last sign-in.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        p.hosting(),
    )
}

/// The mailbox operations attacker-typical actions and post-compromise access come from
/// (docs/detection.md §4.1, `post-compromise-activity`).
const MAILBOX_OPERATIONS: &str = "\"New-InboxRule\", \"Set-InboxRule\", \"UpdateInboxRules\", \"Set-Mailbox\", \"Send\", \"SendAs\", \"SendOnBehalf\", \"MailItemsAccessed\", \"FileAccessed\", \"FileDownloaded\"";

/// The directory operations of `post-compromise-activity` as the UAL and `CloudAppEvents` name
/// them (trailing period) and as `AuditLogs` does (none).
const DIRECTORY_OPERATIONS: &str = "\"Consent to application\", \"Add delegated permission grant\", \"User registered security info\", \"User registered all required security info\", \"User changed default security info\", \"Update user\", \"Register device\", \"Add device\", \"Add registered owner to device\", \"Add registered users to device\"";

fn post_window(p: &Prelude) -> String {
    format!("let post_window = {}m;\n", p.s.post_compromise_minutes)
}

fn post_compromise_office_activity(p: &Prelude) -> String {
    format!(
        "{}{}{}\
// OfficeActivity's ClientIP may carry a port (1.2.3.4:5678, [2001:db8::1]:443).
let clean_ip = (ip: string) {{
    iff(ip startswith \"[\", extract(@\"^\\[([^\\]]+)\\]\", 1, ip), iff(countof(ip, \":\") == 1, tostring(split(ip, \":\")[0]), ip))
}};
let Actions = OfficeActivity
    | where TimeGenerated between (detection_start .. (end_time + post_window))
    | where Operation in~ ({MAILBOX_OPERATIONS})
    | project ActionTime = TimeGenerated, User = tolower(UserId), IPAddress = clean_ip(ClientIP), Operation, OfficeWorkload, Parameters, ResultStatus;
Suspicious
| join kind=inner Actions on User, IPAddress
| where ActionTime between (SignInTime .. (SignInTime + post_window))
| summarize SignInTime = max(SignInTime) by User, IPAddress, ActionTime, Operation, OfficeWorkload, Parameters, ResultStatus, AutonomousSystemNumber
| extend LinkedBy = \"ip\"
| order by ActionTime asc
",
        p.header(
            "rule post-compromise-activity over OfficeActivity (docs/detection.md section 4.1)",
            &[
                "Mailbox operations (inbox rules, forwarding, Send, mail and file access) within the post-compromise window after a",
                "token-from-unfamiliar-network candidate, from the same IP. MailItemsAccessed with MailAccessType Sync is the user's own client.",
            ],
        ),
        p.suspicious(),
        post_window(p),
    )
}

fn post_compromise_cloud_app_events(p: &Prelude) -> String {
    format!(
        "{}{}{}\
let Actions = CloudAppEvents
    | where Timestamp between (detection_start .. (end_time + post_window))
    | where ActionType in~ ({MAILBOX_OPERATIONS}) or trim_end(@\"\\.\", ActionType) in~ ({DIRECTORY_OPERATIONS})
    | extend User = tolower(tostring(RawEventData.UserId)), ActionSession = tostring(RawEventData.AppAccessContext.AADSessionId),
        ActionToken = tostring(RawEventData.AppAccessContext.UniqueTokenId)
    | project ActionTime = Timestamp, User, IPAddress, ActionSession, ActionToken, ActionType, Application, RawEventData;
let ByIp = Suspicious
    | join kind=inner Actions on User, IPAddress
    | extend LinkedBy = \"ip\";
let BySession = Suspicious
    | where isnotempty(SessionId)
    | join kind=inner (Actions | where isnotempty(ActionSession) | extend SessionId = ActionSession) on User, SessionId
    | extend LinkedBy = \"session\";
let ByToken = Suspicious
    | where isnotempty(UniqueTokenIdentifier)
    | join kind=inner (Actions | where isnotempty(ActionToken) | extend UniqueTokenIdentifier = ActionToken) on User, UniqueTokenIdentifier
    | extend LinkedBy = \"token\";
union ByIp, BySession, ByToken
| where ActionTime between (SignInTime .. (SignInTime + post_window))
| summarize LinkedBy = make_set(LinkedBy), SignInTime = max(SignInTime), SignInIP = take_any(IPAddress)
    by User, ActionTime, ActionType, Application, Details = tostring(RawEventData)
| order by ActionTime asc
",
        p.header(
            "rule post-compromise-activity over CloudAppEvents (docs/detection.md section 4.1)",
            &[
                "Mailbox and directory operations within the post-compromise window after a token-from-unfamiliar-network candidate,",
                "tied by the unique token id, the session id (RawEventData.AppAccessContext) or the IP.",
            ],
        ),
        p.suspicious(),
        post_window(p),
    )
}

fn post_compromise_audit_logs(p: &Prelude) -> String {
    format!(
        "{}{}{}\
let Actions = AuditLogs
    | where TimeGenerated between (detection_start .. (end_time + post_window))
    | where trim_end(@\"\\.\", OperationName) in~ ({DIRECTORY_OPERATIONS})
    | extend User = tolower(tostring(InitiatedBy.user.userPrincipalName)), IPAddress = tostring(InitiatedBy.user.ipAddress)
    | project ActionTime = TimeGenerated, User, IPAddress, OperationName, Result, Targets = tostring(TargetResources), CorrelationId;
Suspicious
| join kind=inner Actions on User, IPAddress
| where ActionTime between (SignInTime .. (SignInTime + post_window))
| summarize SignInTime = max(SignInTime) by User, IPAddress, ActionTime, OperationName, Result, Targets, CorrelationId
| extend LinkedBy = \"ip\"
| order by ActionTime asc
",
        p.header(
            "rule post-compromise-activity over AuditLogs (docs/detection.md section 4.1)",
            &[
                "Directory persistence (OAuth consent, MFA methods, device registration) within the post-compromise window after a",
                "token-from-unfamiliar-network candidate, from the same IP. Device Registration Service records often carry no IP: see the next queries.",
            ],
        ),
        p.suspicious(),
        post_window(p),
    )
}

/// The inbox-rule judgement shared by the two inbox-rule queries: from `Params` (a property bag
/// of the rule's parameters) to the reasons.
const RULE_SHAPES: &str = "\
| extend RuleName = tostring(Params.Name), MoveToFolder = tostring(Params.MoveToFolder),
    ForwardTo = strcat_delim(\";\", tostring(Params.ForwardTo), tostring(Params.RedirectTo), tostring(Params.ForwardAsAttachmentTo),
        tostring(Params.ForwardingSmtpAddress), tostring(Params.ForwardingAddress)),
    Words = tolower(strcat_delim(\" \", tostring(Params.SubjectContainsWords), tostring(Params.SubjectOrBodyContainsWords), tostring(Params.BodyContainsWords)))
| extend Hides = MoveToFolder has_any (hiding_folders), Deletes = tobool(Params.DeleteMessage), MarksRead = tobool(Params.MarkAsRead),
    Forwards = strlen(trim(\";\", ForwardTo)) > 0,
    OddName = isnotempty(RuleName) and (strlen(RuleName) <= 2 or RuleName matches regex @\"^[[:punct:][:space:]]+$\"),
    Lures = Words has_any (lure_words)
| where Hides or coalesce(Deletes, false) or coalesce(MarksRead, false) or Forwards or OddName or Lures
";

fn rule_lists() -> &'static str {
    "let hiding_folders = dynamic([\"RSS Feeds\", \"RSS Subscriptions\", \"Conversation History\", \"Archive\", \"Deleted Items\"]);\n\
     let lure_words = dynamic([\"invoice\", \"payment\", \"wire\", \"bank\", \"password\"]);\n"
}

fn inbox_rules_office_activity(p: &Prelude) -> String {
    format!(
        "{}{}{}{}\
OfficeActivity
| where TimeGenerated between (detection_start .. end_time)
| where Operation in~ (\"New-InboxRule\", \"Set-InboxRule\", \"Set-Mailbox\")
| extend User = tolower(UserId)
| where not(User in (allow_users))
| mv-apply Parameter = todynamic(Parameters) on (
    summarize Params = make_bag(bag_pack(tostring(Parameter.Name), tostring(Parameter.Value))))
{RULE_SHAPES}\
| project TimeGenerated, User, ClientIP, Operation, RuleName, MoveToFolder, ForwardTo, Hides, Deletes, MarksRead, Forwards, OddName, Lures, Parameters
| order by TimeGenerated asc
",
        p.header(
            "attacker-typical inbox rules and forwarding over OfficeActivity (docs/detection.md section 5.1), on their own",
            &[
                "Rules that move mail out of sight (RSS Feeds, Conversation History, Archive, Deleted Items), delete it, mark it read,",
                "forward or redirect it, carry a punctuation-only or one- or two-character name, or filter on lure words; mailbox forwarding.",
                "No sign-in evidence needed: an attacker-typical action alone is high (docs/detection.md section 5.2). Check whether forwarding leaves the tenant.",
            ],
        ),
        p.windows(),
        p.allowlists(),
        rule_lists(),
    )
}

fn inbox_rules_cloud_app_events(p: &Prelude) -> String {
    format!(
        "{}{}{}{}\
CloudAppEvents
| where Timestamp between (detection_start .. end_time)
| where ActionType in~ (\"New-InboxRule\", \"Set-InboxRule\", \"Set-Mailbox\")
| extend User = tolower(tostring(RawEventData.UserId))
| where not(User in (allow_users))
| mv-apply Parameter = RawEventData.Parameters on (
    summarize Params = make_bag(bag_pack(tostring(Parameter.Name), tostring(Parameter.Value))))
{RULE_SHAPES}\
| project Timestamp, User, IPAddress, ActionType, RuleName, MoveToFolder, ForwardTo, Hides, Deletes, MarksRead, Forwards, OddName, Lures, Parameters = tostring(RawEventData.Parameters)
| order by Timestamp asc
",
        p.header(
            "attacker-typical inbox rules and forwarding over CloudAppEvents (docs/detection.md section 5.1), on their own",
            &["The same judgement as the OfficeActivity query, for Defender XDR's CloudAppEvents (RawEventData carries the UAL record)."],
        ),
        p.windows(),
        p.allowlists(),
        rule_lists(),
    )
}

/// The covered findings' IPs and user agents over every table, or `None` when they have none.
fn indicators(p: &Prelude, report: &Report, selection: &Selection) -> Option<String> {
    let findings = selection.findings(report);
    let mut ips: Vec<String> = findings
        .iter()
        .flat_map(|f| f.ips.iter())
        .filter_map(|ip| ip.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()))
        .collect();
    ips.sort();
    ips.dedup();
    let mut uas: Vec<String> = findings
        .iter()
        .flat_map(|f| f.user_agents.iter())
        .filter(|u| !u.is_empty())
        .cloned()
        .collect();
    uas.sort();
    uas.dedup();
    if ips.is_empty() && uas.is_empty() {
        return None;
    }
    let users: std::collections::BTreeSet<&str> =
        findings.iter().map(|f| f.user.as_str()).collect();
    Some(format!(
        "{}\
let ioc_ips = {};
let ioc_user_agents = {};
let clean_ip = (ip: string) {{
    iff(ip startswith \"[\", extract(@\"^\\[([^\\]]+)\\]\", 1, ip), iff(countof(ip, \":\") == 1, tostring(split(ip, \":\")[0]), ip))
}};
union isfuzzy=true
    (SigninLogs
        | where IPAddress in (ioc_ips) or UserAgent in (ioc_user_agents)
        | project Time = CreatedDateTime, SourceTable = \"SigninLogs\", User = tolower(UserPrincipalName), IPAddress, UserAgent, Activity = AppDisplayName, Result = ResultType),
    (AADNonInteractiveUserSignInLogs
        | where IPAddress in (ioc_ips) or UserAgent in (ioc_user_agents)
        | project Time = CreatedDateTime, SourceTable = \"AADNonInteractiveUserSignInLogs\", User = tolower(UserPrincipalName), IPAddress, UserAgent, Activity = AppDisplayName, Result = ResultType),
    (OfficeActivity
        | extend IPAddress = clean_ip(ClientIP)
        | where IPAddress in (ioc_ips)
        | project Time = TimeGenerated, SourceTable = \"OfficeActivity\", User = tolower(UserId), IPAddress, UserAgent = \"\", Activity = Operation, Result = ResultStatus),
    (CloudAppEvents
        | where IPAddress in (ioc_ips) or UserAgent in (ioc_user_agents)
        | project Time = Timestamp, SourceTable = \"CloudAppEvents\", User = tolower(tostring(RawEventData.UserId)), IPAddress, UserAgent, Activity = ActionType, Result = \"\"),
    (AuditLogs
        | extend IPAddress = tostring(InitiatedBy.user.ipAddress)
        | where IPAddress in (ioc_ips)
        | project Time = TimeGenerated, SourceTable = \"AuditLogs\", User = tolower(tostring(InitiatedBy.user.userPrincipalName)), IPAddress, UserAgent = \"\", Activity = OperationName, Result)
| summarize FirstSeen = min(Time), LastSeen = max(Time), Events = count(), Tables = make_set(SourceTable), Activities = make_set(Activity, 20),
    IPs = make_set(IPAddress, 20), UserAgents = make_set(UserAgent, 5) by User
| order by FirstSeen asc
",
        p.header(
            "indicators of the findings: their attacker IPs and user agents across every table (docs/detection.md section 6, step 4: pivot)",
            &[
                &format!(
                    "{} IPs and {} user agents from {} findings of {} users (severity {} or higher, or graded true-positive; none graded false-positive or benign).",
                    ips.len(),
                    uas.len(),
                    findings.len(),
                    users.len(),
                    selection.min_severity.as_str()
                ),
                "No time filter: set the time range in the portal to the retention to hunt the whole tenant. Users beyond the findings' are new victims.",
            ],
        ),
        strings(&ips),
        strings(&uas),
    ))
}

/// `text` as a KQL string literal: double quotes, with `\`, `"` and every control or invisible
/// formatting character escaped.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || super::is_invisible_format(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn strings(items: &[String]) -> String {
    format!("dynamic([{}])", items.iter().map(|s| string(s)).collect::<Vec<_>>().join(", "))
}

fn ints(items: &[u32]) -> String {
    format!("dynamic([{}])", items.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
}

/// An RFC 3339 time as the core writes it (digits, `-`, `:`, `.`, `T`, `Z`): safe inside
/// `datetime(…)`.
fn is_time(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'.' | b'T' | b'Z'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Coverage, Finding, Severity};

    #[test]
    fn string_literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(string("x\ny\u{1}\u{202e}"), "\"x\\ny\\u0001\\u202e\"");
    }

    #[test]
    fn queries_are_separated_and_each_says_what_and_which_settings() {
        let text = kql(&Settings::default(), None, &Selection::at_least(Severity::High), "0.1.0");
        let queries: Vec<&str> = text.split("\n//---\n").collect();
        assert_eq!(queries.len(), 11, "no report: no indicator query");
        for q in &queries {
            assert!(q.starts_with("// sessionhunt 0.1.0: "), "{q}");
            assert!(q.contains("\n// Settings: detection window the last 30 days"), "{q}");
        }
        assert!(queries[0].contains("reference hunt H1"));
        assert!(queries[1].contains("let window = 10m;"));
    }

    #[test]
    fn settings_and_data_reach_the_queries() {
        let mut s = Settings::h1_preset();
        s.short_window_minutes = 7;
        s.allow.ips = vec!["198.51.100.7".into(), "nonsense".into()];
        s.allow.cidrs = vec!["10.0.0.0/8".into()];
        s.allow.users = vec!["Svc@Contoso.com".into()];
        s.hosting_asns = vec![64500];
        let report = Report {
            coverage: Coverage {
                start: "2026-03-01T00:00:00Z".into(),
                end: "2026-03-21T12:00:00Z".into(),
                ..Coverage::default()
            },
            findings: vec![Finding {
                id: "F-1".into(),
                user: "a@x.com".into(),
                severity: Severity::Critical,
                ips: vec!["203.0.113.9".into(), "not an ip\"".into()],
                user_agents: vec!["evil\"agent\n".into()],
                ..Finding::default()
            }],
            ..Report::default()
        };
        let text = kql(&s, Some(&report), &Selection::at_least(Severity::High), "0.1.0");
        assert!(text.contains("let end_time = datetime(2026-03-21T12:00:00Z);"));
        assert!(text.contains("let detection_start = end_time - 7d;"));
        assert!(text.contains("let baseline_start = end_time - 30d;"));
        assert!(text.contains("make_set(IPAddress, 100)"));
        assert!(text.contains("let window = 7m;"));
        assert!(text.contains("let allow_ips = dynamic([\"198.51.100.7\"]);"));
        assert!(text.contains("Ignored (not an IP or CIDR): allow.ips entry \"nonsense\""));
        assert!(text.contains("let allow_users = dynamic([\"svc@contoso.com\"]);"));
        assert!(text.contains("64500"));
        let last = text.rsplit("\n//---\n").next().unwrap();
        assert!(last.contains("let ioc_ips = dynamic([\"203.0.113.9\"]);"), "{last}");
        assert!(last.contains("let ioc_user_agents = dynamic([\"evil\\\"agent\\n\"]);"), "{last}");
    }
}
