//! Every user of the loaded data, with what was loaded of them, each a click from their timeline:
//! an analyst can always look for themselves, even when nothing was found (issue 21).

use std::collections::BTreeMap;

use sessionhunt::Report;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::format;
use crate::protocol::UserRow;
use crate::state::Shared;

/// Rows shown at once; the filter narrows a longer list.
const SHOWN: usize = 200;

/// Props of [`UsersList`].
#[derive(Properties, PartialEq)]
pub struct UsersProps {
    /// The report (findings per user).
    pub report: Shared<Report>,
    /// The users, once the worker sent them.
    pub users: Option<Shared<Vec<UserRow>>>,
    /// The list is open.
    pub open: bool,
    /// The list was opened or closed.
    pub on_toggle: Callback<bool>,
    /// Open a user's timeline.
    pub on_timeline: Callback<String>,
}

/// The user list, folded until opened (then asked of the worker).
#[component]
pub fn UsersList(props: &UsersProps) -> Html {
    let filter = use_state(String::new);
    let ontoggle = {
        let on_toggle = props.on_toggle.clone();
        Callback::from(move |event: Event| {
            // The `open` attribute follows the fold (no HtmlDetailsElement binding needed).
            let el: web_sys::Element = event.target_unchecked_into();
            on_toggle.emit(el.has_attribute("open"));
        })
    };
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            filter.set(input.value());
        })
    };
    // Findings per user, counted only while the list is open: a pass over every finding with a
    // string-keyed map costs over 100 ms of main-thread work at 100 000 findings, which a closed
    // list must not pay on every render.
    let mut findings: BTreeMap<&str, (usize, sessionhunt::Severity)> = BTreeMap::new();
    if props.open {
        for f in &props.report.findings {
            let entry = findings.entry(f.user.as_str()).or_insert((0, f.severity));
            entry.0 += 1;
            entry.1 = entry.1.max(f.severity);
        }
    }
    let needle = filter.trim().to_lowercase();
    let users = props.users.as_deref();
    let matching: Vec<&UserRow> = users
        .map(|u| u.iter().filter(|r| needle.is_empty() || r.user.contains(&needle)).collect())
        .unwrap_or_default();
    html! {
        <details class="card users" data-testid="users" open={props.open} {ontoggle}>
            <summary>
                {format!("All users ({})", format::count(props.report.coverage.users))}
                <span class="muted">{" · every user's events and timeline, with or without findings"}</span>
            </summary>
            if props.open {
                if let Some(all) = users {
                    <div class="table-head">
                        <input type="search" placeholder="Find a user" value={(*filter).clone()} {oninput}
                            aria-label="Find a user" data-testid="users-filter" />
                        <span class="muted" data-testid="users-count">
                            {format!("{} of {}", format::count(matching.len() as u64), format::count(all.len() as u64))}
                            if matching.len() > SHOWN { {format!(", the first {SHOWN} shown")} }
                        </span>
                    </div>
                    <table class="grid users-table">
                        <thead><tr>
                            <th>{"User"}</th><th class="num">{"Interactive"}</th><th class="num">{"Non-interactive"}</th>
                            <th class="num">{"Audit"}</th><th>{"First event"}</th><th>{"Last event"}</th><th>{"Findings"}</th><th></th>
                        </tr></thead>
                        <tbody>
                            { for matching.iter().take(SHOWN).map(|r| {
                                let on_timeline = props.on_timeline.clone();
                                let user = r.user.clone();
                                let found = findings.get(r.user.as_str());
                                html! {
                                    <tr data-user={r.user.clone()}>
                                        <td class="user" title={r.user.clone()}>{r.user.clone()}</td>
                                        <td class="num">{format::count(r.interactive)}</td>
                                        <td class="num">{format::count(r.non_interactive)}</td>
                                        <td class="num">{format::count(r.audit)}</td>
                                        <td class="nowrap"><time>{sessionhunt::time::rfc3339(r.first_ms)}</time></td>
                                        <td class="nowrap"><time>{sessionhunt::time::rfc3339(r.last_ms)}</time></td>
                                        <td class="nowrap">
                                            { match found {
                                                Some((n, s)) => html! { <><span class={classes!("badge", s.as_str())}>{s.as_str()}</span>{format!(" {n}")}</> },
                                                None => html! { <span class="muted">{"none"}</span> },
                                            } }
                                        </td>
                                        <td><button class="button small" data-testid="user-timeline"
                                            aria-label={format!("Show the timeline of {}", r.user)}
                                            onclick={move |_| on_timeline.emit(user.clone())}>{"Timeline"}</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                } else {
                    <p class="muted" data-testid="users-loading">{"Loading the users from the worker…"}</p>
                }
            }
        </details>
    }
}
