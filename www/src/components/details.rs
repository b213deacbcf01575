//! A finding's details: why it fired (each fact and its points), the events behind it with every
//! field of their rows, related audit operations, remediation status, suppressions and the
//! baseline it was judged against. Everything from the logs is rendered as text.

use std::collections::HashMap;

use sessionhunt::report::Finding;
use yew::prelude::*;

use crate::protocol::EventView;
use crate::state::{Shared, UserEvents};

/// Props of [`Details`].
#[derive(Properties, PartialEq)]
pub struct DetailsProps {
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
}

/// Label/value rows of an event, empty values left out.
fn event_fields(e: &EventView) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("Time", e.time.clone()),
        ("Kind", e.kind.clone()),
        ("Source", format!("{}:{}", e.file, e.line)),
        ("IP", e.ip.clone()),
        ("Network", e.network.clone()),
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

/// The details panel.
#[component]
pub fn Details(props: &DetailsProps) -> Html {
    let f = &props.finding;
    let heading = use_node_ref();
    // Focus the panel's heading when it opens on a finding, so keyboard users land in it.
    {
        let heading = heading.clone();
        use_effect_with(f.id.clone(), move |_| {
            if let Some(el) = heading.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let loaded: Option<&UserEvents> =
        props.events.as_deref().filter(|events| events.user == f.user);
    let raw: HashMap<(&str, u64), &str> = props
        .raw_rows
        .as_deref()
        .map(|rows| rows.iter().map(|(f, l, t)| ((f.as_str(), *l), t.as_str())).collect())
        .unwrap_or_default();
    let refs = loaded.map(|u| u.refs.get(&f.id).map(Vec::as_slice).unwrap_or_default());
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
    html! {
        <aside class="details" aria-label="Finding details" data-testid="details" {onkeydown}>
            <div class="details-head">
                <span class={classes!("badge", f.severity.as_str())} data-testid="details-severity">{f.severity.as_str()}</span>
                <h2 tabindex="-1" ref={heading} data-testid="details-user">{f.user.clone()}</h2>
                <button class="button icon" onclick={close} aria-label="Close details" data-testid="details-close">{"×"}</button>
            </div>
            <p class="muted">{format!("{} · score {} · {} → {}", f.id, f.score, f.first_seen, f.last_seen)}</p>
            if !f.severity_reason.is_empty() {
                <p class="reason">{f.severity_reason.clone()}</p>
            }
            <div class="details-actions">
                <button class="button primary" onclick={timeline} data-testid="open-timeline">{"Show the user's timeline"}</button>
            </div>

            <h3>{"What happened"}</h3>
            <ol class="explanation" data-testid="explanation">
                { for f.explanation.iter().map(|s| html! { <li>{s.clone()}</li> }) }
            </ol>

            <h3>{"Facts and points"}</h3>
            <table class="grid facts" data-testid="facts">
                <thead><tr><th>{"Rule"}</th><th class="num">{"Points"}</th><th>{"Observed"}</th></tr></thead>
                <tbody>
                    { for f.facts.iter().map(|fact| html! {
                        <tr>
                            <td class="nowrap"><code>{fact.rule.clone()}</code></td>
                            <td class={classes!("num", (fact.points < 0).then_some("negative"))}>{format!("{:+}", fact.points)}</td>
                            <td>{fact.detail.clone()}</td>
                        </tr>
                    }) }
                </tbody>
                <tfoot><tr><th>{"Score"}</th><th class="num">{total}</th><th></th></tr></tfoot>
            </table>

            <h3>{"Attacker side"}</h3>
            <dl class="facts-list">
                <dt>{"IPs"}</dt><dd>{f.ips.join(", ")}</dd>
                <dt>{"Networks"}</dt><dd>{f.asns.iter().map(|a| sessionhunt::enrich::asn_label(*a)).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{"Countries"}</dt><dd>{f.countries.join(", ")}</dd>
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
                        Some(e) => format!("{} · {} · {} · {} · {}", r.time, r.kind, e.ip, e.network, if e.operation.is_empty() { &e.app } else { &e.operation }),
                        None => format!("{} · {}", r.time, r.kind),
                    };
                    html! {
                        <li>
                            <details>
                                <summary>{summary}<span class="muted">{format!("  {}:{}", r.file, r.line)}</span></summary>
                                if let Some(text) = raw.get(&(r.file.as_str(), r.line)) {
                                    if text.is_empty() {
                                        <p class="muted">{"The raw row is inside an archive or a compressed file: its fields are shown below."}</p>
                                    } else {
                                        <pre class="raw" data-testid="raw-row">{(*text).to_owned()}</pre>
                                    }
                                }
                                if let Some(e) = view {
                                    <dl class="row-fields">
                                        { for event_fields(e).into_iter().map(|(k, v)| html! { <><dt>{k}</dt><dd>{v}</dd></> }) }
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
                    <thead><tr><th>{"Time"}</th><th>{"Operation"}</th><th>{"Linked by"}</th><th>{"Detail"}</th><th>{"Row"}</th></tr></thead>
                    <tbody>
                        { for f.related_audit.iter().map(|a| html! {
                            <tr>
                                <td class="nowrap">{a.time.clone()}</td>
                                <td>{a.operation.clone()}</td>
                                <td>{a.linked_by.clone()}</td>
                                <td>{a.detail.clone()}</td>
                                <td class="nowrap muted">{format!("{}:{}", a.source.file, a.source.line)}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }

            <h3>{"Remediation"}</h3>
            <p data-testid="remediation">
                { match f.remediation.status.as_str() {
                    "sessions-revoked" => format!("Sessions revoked at {}", f.remediation.time),
                    "account-disabled" => format!("Account disabled at {}", f.remediation.time),
                    "none" | "" => "None seen in the logs: sessions were not revoked and the account was not disabled after this finding.".to_owned(),
                    other => format!("{other} {}", f.remediation.time),
                } }
            </p>

            if !f.suppressions.is_empty() {
                <h3>{"Suppressions and guards"}</h3>
                <ul>{ for f.suppressions.iter().map(|s| html! { <li>{s.clone()}</li> }) }</ul>
            }

            <h3>{"Baseline it was judged against"}</h3>
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
        </aside>
    }
}
