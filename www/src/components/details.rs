//! A finding's details: why it fired (each fact and its points), the events behind it with every
//! field of their rows, related audit operations, remediation status, suppressions and the
//! baseline it was judged against. Everything from the logs is rendered as text.

use std::collections::HashMap;

use sessionhunt::Report;
use sessionhunt::report::Finding;
use yew::prelude::*;

use crate::protocol::EventView;
use crate::state::{Shared, UserEvents};

/// Props of [`Details`].
#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    /// The report the finding belongs to (for linked findings and what was loaded).
    #[prop_or_default]
    pub report: Shared<Report>,
    /// The finding shown.
    pub finding: Finding,
    /// The user's events, once the worker sent them (`None` while loading).
    pub events: Option<Shared<UserEvents>>,
    /// The raw rows behind the finding (file, line, text), once the worker sent them.
    #[prop_or_default]
    pub raw_rows: Option<Shared<crate::protocol::RawRows>>,
    /// Close the panel.
    pub on_close: Callback<()>,
    /// Show the user's timeline.
    pub on_timeline: Callback<String>,
    /// The analyst's grade of the finding, if any.
    #[prop_or_default]
    pub grade: Option<sessionhunt::export::GradeEntry>,
    /// The settings in force (a false positive's allowlist adds to them).
    #[prop_or_default]
    pub settings: Shared<sessionhunt::Settings>,
}

/// A session id short enough for a button: its first 8 characters (the full id is the title).
pub fn short_id(id: &str) -> String {
    match id.char_indices().nth(8) {
        Some((at, _)) => format!("{}…", &id[..at]),
        None => id.to_owned(),
    }
}

/// Label/value rows of an event, empty values left out.
fn event_fields(e: &EventView, nets: &crate::networks::Networks) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("Time", e.time_text()),
        ("Kind", e.kind.as_str().to_owned()),
        ("Source", format!("{}:{}", e.file, e.line)),
        ("IP", e.ip.clone()),
        ("Network", nets.label(e)),
        ("Location", e.location.clone()),
        ("Application", e.app.clone()),
        ("Resource", e.resource.clone()),
        ("Client", e.client.clone()),
        ("User agent", e.user_agent.clone()),
        ("Session id", e.session_id.clone()),
        ("Request id", e.request_id.clone()),
        ("Outcome", e.outcome.clone()),
        ("Risk", e.risk.clone()),
        ("Device", e.device.clone()),
        ("Authentication", e.authentication.clone()),
        ("Operation", e.operation.clone()),
    ];
    rows.extend(e.audit_detail.iter().map(|d| ("Audit", d.clone())));
    rows.retain(|(_, v)| !v.is_empty());
    rows
}

/// What the attacker did, in a line: the related audit operations with their counts, or why there
/// are none (none tied, or no audit log to tell).
fn what_attacker_did(report: &Report, f: &Finding) -> String {
    if f.related_audit.is_empty() {
        return if crate::answer::kind_count(report, "audit") == 0 {
            "Unknown: no audit log loaded.".to_owned()
        } else {
            "No audit operation is tied to this finding's IPs or sessions.".to_owned()
        };
    }
    let mut ops: Vec<(&str, usize)> = Vec::new();
    for a in &f.related_audit {
        match ops.iter_mut().find(|(op, _)| *op == a.operation) {
            Some((_, n)) => *n += 1,
            None => ops.push((a.operation.as_str(), 1)),
        }
    }
    ops.iter()
        .map(|(op, n)| if *n == 1 { (*op).to_owned() } else { format!("{op} ×{n}") })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Other users' findings sharing an attacker IP with `f`, and whether a campaign rule fired.
fn linked(report: &Report, f: &Finding) -> String {
    let mut users: Vec<&str> = report
        .findings
        .iter()
        .filter(|o| o.user != f.user && o.ips.iter().any(|ip| f.ips.contains(ip)))
        .map(|o| o.user.as_str())
        .collect();
    users.sort_unstable();
    users.dedup();
    let campaign = f.rules.iter().any(|r| r == "campaign");
    match (users.len(), campaign) {
        (0, false) => "None: no other user's finding shares its IPs.".to_owned(),
        (0, true) => "Part of a campaign (see the facts).".to_owned(),
        (n, _) => {
            let shown: Vec<&str> = users.iter().take(5).copied().collect();
            format!(
                "{}{} user{} share{} its IPs: {}{}",
                if campaign { "Campaign: " } else { "" },
                n,
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                shown.join(", "),
                if n > 5 { format!(" +{} more", n - 5) } else { String::new() }
            )
        }
    }
}

/// Sentences of the explanation that the facts table does not already say.
fn prose_beyond_facts(f: &Finding) -> Vec<String> {
    let norm = |s: &str| s.trim().trim_end_matches('.').to_lowercase();
    f.explanation
        .iter()
        .filter(|s| {
            let s = norm(s);
            !f.facts.iter().any(|fact| {
                let d = norm(&fact.detail);
                !d.is_empty() && (s.contains(&d) || d.contains(&s))
            })
        })
        .cloned()
        .collect()
}

/// The details panel.
#[component]
pub fn Details(props: &DetailsProps) -> Html {
    let f = &props.finding;
    let heading = use_node_ref();
    // Focus the panel's heading when it opens, so keyboard users land in it; not when it switches
    // to another finding while open (it follows the grid's arrow keys, and the focus stays there).
    {
        let heading = heading.clone();
        use_effect_with((), move |_| {
            if let Some(el) = heading.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let loaded: Option<&UserEvents> =
        props.events.as_deref().filter(|events| events.user == f.user);
    let raw: HashMap<(&str, u64), &sessionhunt::ingest::raw::RawRow> = props
        .raw_rows
        .as_deref()
        .map(|rows| rows.iter().map(|r| ((r.file.as_str(), r.line), r)).collect())
        .unwrap_or_default();
    let refs = loaded.map(|u| u.refs.get(&f.id).map(Vec::as_slice).unwrap_or_default());
    let nets = loaded.map(|u| crate::networks::Networks::of(&u.events)).unwrap_or_default();
    // Each attacker IP's network and country from its events behind the finding (its
    // sign-ins first), so IPs, networks and countries are read in one order; `None` until the
    // events arrive.
    let origins: Option<Vec<(String, String, String)>> = loaded.map(|u| {
        let refs: std::collections::HashSet<(&str, u64)> = u
            .refs
            .get(&f.id)
            .map(|r| r.iter().map(|r| (r.file.as_str(), r.line)).collect())
            .unwrap_or_default();
        let behind = || u.events.iter().filter(|e| refs.contains(&(e.file.as_str(), e.line)));
        f.ips
            .iter()
            .map(|ip| {
                let of_ip = |e: &&EventView| e.ip == *ip;
                let e = behind()
                    .filter(of_ip)
                    .find(|e| e.kind != sessionhunt::model::EventKind::Audit)
                    .or_else(|| behind().find(of_ip))
                    .or_else(|| u.events.iter().find(|e| e.ip == *ip));
                match e {
                    Some(e) => (
                        ip.clone(),
                        nets.label(e),
                        e.location.split(", ").next().unwrap_or_default().to_owned(),
                    ),
                    None => (ip.clone(), "unknown ASN".to_owned(), String::new()),
                }
            })
            .collect()
    });
    let by_source: HashMap<(&str, u64), &EventView> = loaded
        .map(|u| u.events.iter().map(|e| ((e.file.as_str(), e.line), e)).collect())
        .unwrap_or_default();
    let on_close = props.on_close.clone();
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        if event.key() == "Escape" {
            on_close.emit(());
        }
    });
    let close = {
        let on_close = props.on_close.clone();
        move |_| on_close.emit(())
    };
    let timeline = {
        let on_timeline = props.on_timeline.clone();
        let user = f.user.clone();
        move |_| on_timeline.emit(user.clone())
    };
    let total: i64 = f.facts.iter().map(|fact| fact.points).sum();
    let dispatch = crate::context::use_dispatch();
    html! {
        <aside class="details" aria-label="Finding details" data-testid="details" {onkeydown}>
            <div class="details-head">
                <span class={classes!("badge", f.severity.as_str())} data-testid="details-severity">{f.severity.as_str()}</span>
                <h2 tabindex="-1" ref={heading} data-testid="details-user">{f.user.clone()}</h2>
                <button class="button icon" onclick={close} aria-label="Close details" data-testid="details-close">{"×"}</button>
            </div>
            <p class="muted">{format!("{} · score {} · {} → {}", f.id, f.score, f.first_seen, f.last_seen)}</p>
            <dl class="answers" data-testid="details-answers">
                <dt>{"Compromised since"}</dt>
                <dd data-testid="answer-since"><time>{f.first_seen.clone()}</time></dd>
                <dt>{"Attacker IPs and networks"}</dt>
                <dd data-testid="answer-origin">
                    if let Some(per_ip) = origins.filter(|o| !o.is_empty()) {
                        // Each IP with its own network and country, in the finding's order.
                        <ul class="origins">
                            { for per_ip.into_iter().map(|(ip, network, country)| html! {
                                <li data-testid="origin" data-ip={ip.clone()}>{ip}<span class="muted">{format!(" · {network}{}", if country.is_empty() { String::new() } else { format!(" · {country}") })}</span></li>
                            }) }
                        </ul>
                    } else {
                    {if f.ips.is_empty() { "none recorded".to_owned() } else { f.ips.join(", ") }}
                    if !f.asns.is_empty() || !f.countries.is_empty() {
                        <span class="muted">{format!(" · {}{}{}",
                            f.asns.iter().map(|a| sessionhunt::enrich::asn_label(*a)).collect::<Vec<_>>().join(", "),
                            if f.asns.is_empty() || f.countries.is_empty() { "" } else { " · " },
                            f.countries.join(", "))}</span>
                    }
                    }
                </dd>
                <dt>{"What the attacker did"}</dt>
                <dd data-testid="answer-actions">{what_attacker_did(&props.report, f)}</dd>
                <dt>{"Contained?"}</dt>
                <dd data-testid="remediation" class={classes!("remediation", match crate::answer::containment(f) {
                    crate::answer::Containment::Contained => "contained",
                    crate::answer::Containment::NotContained => "not-contained",
                    crate::answer::Containment::Unknown => "unknown",
                })}>{crate::answer::remediation_sentence(f)}</dd>
                <dt>{"Linked users, campaign"}</dt>
                <dd data-testid="answer-linked">{linked(&props.report, f)}</dd>
            </dl>
            if !f.severity_reason.is_empty() {
                <p class="reason" data-testid="severity-reason"><strong>{"Why this severity: "}</strong>{crate::glossary::text(&f.severity_reason)}</p>
            }
            // The terms of the specification the finding's sentences use, explained once here.
            <crate::glossary::Glossary texts={std::iter::once(f.severity_reason.clone())
                .chain(f.explanation.iter().cloned())
                .chain(f.facts.iter().map(|x| x.detail.clone()))
                .chain(f.suppressions.iter().cloned())
                .collect::<Vec<_>>()} />
            <div class="details-actions">
                <button class="button primary" onclick={timeline} data-testid="open-timeline">{"Show the user's timeline"}</button>
                // Each session of the finding opens its session view in the side pane.
                { for f.session_ids.iter().take(4).map(|sid| {
                    let dispatch = dispatch.clone();
                    let id = sid.clone();
                    let onclick = move |_| crate::components::session::open_session(&dispatch, &id);
                    html! {
                        <button class="button" {onclick} data-testid="open-session" title={sid.clone()}>
                            {format!("Session {}", short_id(sid))}
                        </button>
                    }
                }) }
            </div>
            <crate::components::grading::GradePanel finding={f.clone()} grade={props.grade.clone()} settings={props.settings.clone()} />

            <details class="fold" data-testid="facts-fold">
            <summary><h3>{format!("Why it fired: {} facts, score {}", f.facts.len(), f.score)}</h3></summary>
            <ol class="explanation" data-testid="explanation">
                { for prose_beyond_facts(f).into_iter().map(|s| html! { <li>{crate::glossary::text(&s)}</li> }) }
            </ol>
            <table class="grid facts" data-testid="facts">
                <thead><tr><th>{"Rule"}</th><th class="num">{"Points"}</th><th>{"Observed"}</th></tr></thead>
                <tbody>
                    { for f.facts.iter().map(|fact| html! {
                        <tr>
                            <td class="nowrap"><code>{fact.rule.clone()}</code></td>
                            <td class={classes!("num", (fact.points < 0).then_some("negative"))}>{format!("{:+}", fact.points)}</td>
                            <td>{crate::glossary::text(&fact.detail)}</td>
                        </tr>
                    }) }
                </tbody>
                <tfoot><tr><th>{"Score"}</th><th class="num">{total}</th><th></th></tr></tfoot>
            </table>
            </details>

            // The attacker's IPs, networks and countries are in the answers above.
            <h3>{"Attacker sessions and user agents"}</h3>
            <dl class="facts-list">
                <dt>{"Sessions"}</dt><dd class="mono">{f.session_ids.join(", ")}</dd>
                <dt>{"User agents"}</dt><dd data-testid="details-user-agents">{ for f.user_agents.iter().map(|ua| html! { <div class="mono">{ua.clone()}</div> }) }</dd>
            </dl>

            <h3>{match refs { Some(r) => format!("Events behind it ({})", r.len()), None => "Events behind it".to_owned() }}</h3>
            if loaded.is_none() {
                <p class="muted" data-testid="events-loading">{"Loading the events from the worker…"}</p>
            }
            <ul class="events" data-testid="finding-events">
                { for refs.unwrap_or_default().iter().map(|r| {
                    let view = by_source.get(&(r.file.as_str(), r.line));
                    let summary = match view {
                        Some(e) => format!("{} · {} · {} · {} · {}", r.time, r.kind, e.ip, nets.label(e), if e.operation.is_empty() { &e.app } else { &e.operation }),
                        None => format!("{} · {}", r.time, r.kind),
                    };
                    html! {
                        <li>
                            <details>
                                <summary>{summary}<span class="muted">{format!("  {}:{}", r.file, r.line)}</span></summary>
                                if let Some(row) = raw.get(&(r.file.as_str(), r.line)) {
                                    if row.text.is_empty() {
                                        <p class="muted">{"The raw row could not be read again (was the file changed or removed?): its fields as read are shown below."}</p>
                                    } else if row.fields.is_empty() {
                                        <pre class="raw" data-testid="raw-row">{row.text.clone()}</pre>
                                    } else {
                                        <details class="raw-row">
                                            <summary>{"The row as the file holds it"}</summary>
                                            <pre class="raw" data-testid="raw-row">{row.text.clone()}</pre>
                                        </details>
                                        <table class="grid raw-fields" data-testid="raw-fields">
                                            <thead><tr><th>{"Column"}</th><th>{"Value"}</th></tr></thead>
                                            <tbody>
                                                { for row.fields.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| html! { <tr><th scope="row">{k.clone()}</th><td>{v.clone()}</td></tr> }) }
                                            </tbody>
                                        </table>
                                    }
                                }
                                if let Some(e) = view {
                                    <dl class="row-fields">
                                        { for event_fields(e, &nets).into_iter().map(|(k, v)| html! { <><dt>{k}</dt><dd>{v}</dd></> }) }
                                    </dl>
                                }
                            </details>
                        </li>
                    }
                }) }
            </ul>

            <h3>{format!("Related audit operations ({})", f.related_audit.len())}</h3>
            if f.related_audit.is_empty() {
                <p class="muted">{"None tied to this finding."}</p>
            } else {
                <table class="grid audit" data-testid="related-audit">
                    <thead><tr><th>{"Time"}</th><th>{"Operation"}</th><th>{"Linked by"}</th><th>{"Source"}</th></tr></thead>
                    <tbody>
                        // Each operation's detail on a line of its own under it, across the whole
                        // table: it is the longest text and the one to read (issue 21).
                        { for f.related_audit.iter().map(|a| html! { <>
                            <tr class="op">
                                <td class="nowrap">{a.time.clone()}</td>
                                <td>{a.operation.clone()}</td>
                                <td class="nowrap">{a.linked_by.clone()}</td>
                                <td class="source muted small" title="Source file and line">{format!("{}:{}", a.source.file, a.source.line)}</td>
                            </tr>
                            <tr class="op-detail">
                                <td class="detail" colspan="4">{a.detail.clone()}</td>
                            </tr>
                        </> }) }
                    </tbody>
                </table>
            }

            if !f.suppressions.is_empty() {
                <h3>{"Suppressions and guards"}</h3>
                <ul>{ for f.suppressions.iter().map(|s| html! { <li>{crate::glossary::text(s)}</li> }) }</ul>
            }

            <details class="fold">
            <summary><h3>{"Baseline it was judged against"}</h3></summary>
            <dl class="facts-list">
                <dt>{"Interactive sign-ins"}</dt><dd>{f.baseline.interactive_sign_ins}</dd>
                <dt>{"IPs / prefixes"}</dt><dd>{format!("{} / {}", f.baseline.ips, f.baseline.prefixes.join(", "))}</dd>
                <dt>{"Networks"}</dt><dd>{f.baseline.asns.iter().map(|a| sessionhunt::enrich::asn_label(*a)).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{"Familiar networks"}</dt><dd>{f.baseline.familiar_asns.iter().map(|a| format!("AS{a}")).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{"Countries"}</dt><dd>{f.baseline.countries.join(", ")}</dd>
                <dt>{"Devices · user agents · apps · sessions"}</dt>
                <dd>{format!("{} · {} · {} · {}", f.baseline.devices, f.baseline.user_agents, f.baseline.apps, f.baseline.sessions)}</dd>
                <dt>{"Typical hours (UTC)"}</dt><dd>{f.baseline.typical_hours_utc.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")}</dd>
            </dl>
            </details>
        </aside>
    }
}
