//! The session view in the side pane (docs/views.md, "Session view"): every event of one session
//! id, sign-ins and audit records, in time order; each origin change (IP, network, country, user
//! agent, device) marked where it changed; each audit record's token id tied to the sign-in it rode
//! on. The worker computes it with the core's `views::session`, as the CLI's `sessionhunt session`
//! does.

use sessionhunt::views::{SessionEvent, SessionView};
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::format;
use crate::state::{Action, Pane};

/// Rows laid out at once; "Show more" adds as many (a session can hold thousands of events).
const PAGE: usize = 200;

/// Props of [`SessionPane`].
#[derive(Properties, PartialEq)]
pub struct SessionProps {
    /// The session id asked for.
    pub id: String,
    /// The view and the session's event count, once the worker sent them.
    pub view: Option<(SessionView, u64)>,
}

/// One origin field of an event: its text, and whether the session's origin changed there.
fn changed(e: &SessionEvent, what: &str) -> Classes {
    classes!(e.changes.iter().any(|c| c == what).then_some("changed"))
}

/// A short, readable "what changed" for a row's title and its marker.
fn change_label(e: &SessionEvent) -> String {
    e.changes
        .iter()
        .map(|c| match c.as_str() {
            "ip" => "IP",
            "asn" => "network",
            "country" => "country",
            "user-agent" => "user agent",
            "device" => "device",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The session view.
#[component]
pub fn SessionPane(props: &SessionProps) -> Html {
    let shown = use_state(|| PAGE);
    {
        // Another session starts at its first page.
        let shown = shown.clone();
        use_effect_with(props.id.clone(), move |_| shown.set(PAGE));
    }
    let dispatch = use_dispatch();
    let Some((view, total)) = &props.view else {
        return html! {
            <section class="view session-view" data-testid="session-view" aria-busy="true">
                <h2>{format!("Session {}", props.id)}</h2>
                <p class="muted">{"Gathering the session's events…"}</p>
            </section>
        };
    };
    let select = |id: String| {
        let dispatch = dispatch.clone();
        move |_: MouseEvent| {
            if let Some(d) = &dispatch {
                d.dispatch(Action::Select(Some(id.clone())));
            }
        }
    };
    let n = view.events.len();
    let end = (*shown).min(n);
    let more = {
        let shown = shown.clone();
        move |_| shown.set(*shown + PAGE)
    };
    html! {
        <section class="view session-view" data-testid="session-view" data-session={view.session_id.clone()}>
            <h2>{"Session "}<span class="mono">{view.session_id.clone()}</span></h2>
            if view.events.is_empty() {
                <p class="empty-result" data-testid="session-empty">
                    {"No loaded event carries this session id. The findings that name it are listed below; the sign-ins may be in a log that was not loaded (the non-interactive log holds most of a replayed session)."}
                </p>
            } else {
                <p data-testid="session-summary">
                    {format!(
                        "{} event{} of {} · {} → {} · {} IP{} · {} origin change{}",
                        format::count(*total), if *total == 1 { "" } else { "s" },
                        view.users.join(", "), view.first, view.last,
                        view.ips, if view.ips == 1 { "" } else { "s" },
                        view.origin_changes, if view.origin_changes == 1 { "" } else { "s" },
                    )}
                </p>
            }
            if !view.findings.is_empty() {
                <p class="view-findings">
                    {"Findings citing it: "}
                    { for view.findings.iter().take(20).map(|id| html! {
                        <button class="button small" onclick={select(id.clone())} data-testid="session-finding">{id.clone()}</button>
                    }) }
                    if view.findings.len() > 20 { <span class="muted">{format!(" and {} more", view.findings.len() - 20)}</span> }
                </p>
            }
            if n > 0 {
            // A list, not a wide table: the pane is narrow, and each event reads as a sentence of
            // its origin, then what it did and how it ties to the session.
            <ol class="session-events" data-testid="session-events">
                { for view.events[..end].iter().map(|e| {
                    let flagged = !e.findings.is_empty();
                    let title = if e.changes.is_empty() { String::new() } else { format!("Origin changed: {}", change_label(e)) };
                    let tie = match &e.rode_on {
                        Some(r) => {
                            let at = if r.time.is_empty() { "not in the loaded data".to_owned() } else { format!("{} from {}", r.time, if r.ip.is_empty() { "no IP" } else { &r.ip }) };
                            format!("rode on sign-in {} ({at})", r.request_id)
                        }
                        None if e.linked_by == "token" => "tied by its token id".to_owned(),
                        None => String::new(),
                    };
                    let what = if e.operation.is_empty() { e.app.clone() } else { e.operation.clone() };
                    html! {
                        <li class={classes!("session-event", flagged.then_some("flagged"), (!e.changes.is_empty()).then_some("origin-change"))}
                            {title} data-testid="session-event" data-changes={e.changes.join(" ")}>
                            <div class="line">
                                <time>{e.time.clone()}</time>
                                if !e.changes.is_empty() { <span class="change-mark" aria-label={format!("origin changed: {}", change_label(e))}>{" ◆"}</span> }
                                <span class="kind">{e.kind.clone()}{if e.outcome == "success" { String::new() } else { format!(" · {}", e.outcome) }}</span>
                                <span class={classes!("ip", changed(e, "ip"))}>{if e.ip.is_empty() { "no IP".to_owned() } else { e.ip.clone() }}</span>
                                <span class={changed(e, "asn")}>{e.network.clone()}</span>
                                if !e.country.is_empty() { <span class={changed(e, "country")}>{e.country.clone()}</span> }
                                if flagged { <span class="cited" title={e.findings.join(", ")}>{"in a finding"}</span> }
                            </div>
                            <div class="line muted small">
                                if !what.is_empty() { <span>{what}</span> }
                                if !e.user_agent.is_empty() { <span class={classes!("ua", changed(e, "user-agent"))} title={e.user_agent.clone()}>{e.user_agent.clone()}</span> }
                                if !e.device_id.is_empty() { <span class={classes!("mono", changed(e, "device"))}>{format!("device {}", e.device_id)}</span> }
                                if !tie.is_empty() { <span>{tie}</span> }
                            </div>
                        </li>
                    }
                }) }
            </ol>
            if end < n {
                <p><button class="button small" onclick={more} data-testid="session-more">{format!("Show {} more ({} of {} shown)", PAGE.min(n - end), end, n)}</button></p>
            }
            if (n as u64) < *total {
                <p class="muted small">{format!("The page holds the first {} of {} events; `sessionhunt session {}` lists them all.", format::count(n as u64), format::count(*total), view.session_id)}</p>
            }
            }
        </section>
    }
}

/// Opens the session view of `id` (the details' and the grid's session links).
pub fn open_session(dispatch: &Option<crate::context::Dispatch>, id: &str) {
    if let Some(d) = dispatch {
        d.dispatch(Action::Pane(Some(Pane::Session(id.to_owned()))));
    }
}
