//! The campaign view in the side pane (docs/views.md, "Campaign view"): the IPs, networks, user
//! agents and forwarding addresses that two or more users' findings share, with their users,
//! counts, first and last use, and the members' severities at a glance. A click on an indicator
//! filters the grid to the findings that carry it and marks it on the timeline. The worker computes
//! it with the core's `views::campaign`, as the CLI's `sessionhunt campaign` does.

use std::collections::BTreeSet;

use sessionhunt::Severity;
use sessionhunt::views::SharedIndicator;

use crate::protocol::CampaignRow;
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::format;
use crate::state::{Action, IndicatorFilter, Shared};

/// Indicators laid out at once.
const PAGE: usize = 100;

/// Props of [`CampaignPane`].
#[derive(Properties, PartialEq)]
pub struct CampaignProps {
    /// The indicators and how many the report has, once the worker sent them.
    pub view: Option<(Vec<CampaignRow>, u64)>,
    /// The indicator filtering the grid, if any.
    pub active: Option<Shared<IndicatorFilter>>,
    /// Whether a timeline is open (a click opens the first member's otherwise).
    pub timeline_open: bool,
}

/// How the page names an indicator.
pub fn indicator_label(x: &SharedIndicator) -> String {
    match x.kind.as_str() {
        "ip" => format!("IP {}", x.value),
        "asn" => x.label.clone(),
        "user-agent" => format!("user agent {}", x.value),
        "forwarding-address" => format!("forwarding to {}", x.value),
        _ => x.label.clone(),
    }
}

/// The kind's name in the table.
fn kind_label(kind: &str) -> &str {
    match kind {
        "ip" => "IP",
        "asn" => "Network",
        "user-agent" => "User agent",
        "forwarding-address" => "Forwarding address",
        other => other,
    }
}

/// The campaign view.
#[component]
pub fn CampaignPane(props: &CampaignProps) -> Html {
    let shown = use_state(|| PAGE);
    let show_low = use_state(|| false);
    let dispatch = use_dispatch();
    let Some((indicators, total)) = &props.view else {
        return html! {
            <section class="view campaign-view" data-testid="campaign-view" aria-busy="true">
                <h2>{"Campaign"}</h2>
                <p class="muted">{"Looking for what the findings share…"}</p>
            </section>
        };
    };
    // What needs attention first: indicators that at least two medium-or-worse findings share.
    // Those shared only with low findings are folded behind a count, as the grid folds them.
    let (strong, weak): (Vec<&CampaignRow>, Vec<&CampaignRow>) =
        indicators.iter().partition(|r| r.indicator.shared_severity >= Severity::Medium);
    let list: Vec<&CampaignRow> = if *show_low {
        strong.iter().chain(weak.iter()).copied().collect()
    } else {
        strong.clone()
    };
    let end = (*shown).min(list.len());
    let pick = |x: &SharedIndicator| {
        let dispatch = dispatch.clone();
        let filter = IndicatorFilter {
            kind: x.kind.clone(),
            value: x.value.clone(),
            label: indicator_label(x),
            // Only an address needs its list (see `IndicatorFilter::findings`).
            findings: if x.kind == "forwarding-address" {
                x.findings.iter().map(|m| m.id.clone()).collect::<BTreeSet<_>>()
            } else {
                BTreeSet::new()
            },
        };
        // The most severe member's timeline (the core lists findings most severe first).
        let first_user = x.findings.first().map(|m| m.user.clone());
        let active = props.active.as_ref().is_some_and(|a| a.kind == x.kind && a.value == x.value);
        let open_timeline = !props.timeline_open;
        move |_: MouseEvent| {
            let Some(d) = &dispatch else { return };
            if active {
                d.dispatch(Action::Indicator(None));
                return;
            }
            d.dispatch(Action::Indicator(Some(Shared::new(filter.clone()))));
            if open_timeline && let Some(user) = &first_user {
                d.dispatch(Action::Timeline(Some(user.clone())));
            }
        }
    };
    html! {
        <section class="view campaign-view" data-testid="campaign-view">
            <h2>{"Campaign: what the findings share"}</h2>
            if indicators.is_empty() {
                <p class="empty-result" data-testid="campaign-empty">
                    {"No IP, network, user agent or forwarding address is shared by two users' findings: nothing here ties them into one campaign."}
                </p>
            } else {
                <p data-testid="campaign-summary">
                    {format!("{} indicator{} shared by two or more users; {} of them by findings of medium severity or worse.",
                        format::count(*total), if *total == 1 { "" } else { "s" }, format::count(strong.len() as u64))}
                    {" Click one to filter the findings to it and mark it on the timeline."}
                </p>
                // A list, not a wide table: the pane is narrow; each indicator on one line, its
                // reach and members under it.
                <ol class="campaign" data-testid="campaign-table">
                    { for list[..end].iter().map(|row| {
                        let x = &row.indicator;
                        let active = props.active.as_ref().is_some_and(|a| a.kind == x.kind && a.value == x.value);
                        let label = if x.kind == "asn" { x.label.clone() } else { x.value.clone() };
                        html! {
                            <li class={classes!(active.then_some("selected"))} data-testid="campaign-indicator"
                                data-kind={x.kind.clone()} data-value={x.value.clone()}>
                                <div class="line">
                                    <span class={classes!("badge", "kind", x.shared_severity.as_str())} title={format!("shared by findings of {} severity or worse", x.shared_severity.as_str())}>{kind_label(&x.kind)}</span>
                                    <button class="link indicator" onclick={pick(x)} aria-pressed={active.to_string()}
                                        title={format!("Filter the findings to {}", indicator_label(x))}
                                        data-testid="campaign-pick">{label}</button>
                                </div>
                                <div class="line muted small">
                                    <span>{format!("{} users · {} findings · {} events · {} → {}", format::count(row.users), format::count(row.findings), format::count(x.events), x.first, x.last)}</span>
                                    <span class="members">
                                        { for x.findings.iter().take(16).map(|m| html! {
                                            <span class={classes!("badge", "mini", m.severity.as_str())} title={format!("{} · {} · {}", m.user, m.severity.as_str(), m.id)}>{m.severity.as_str().chars().next().unwrap_or('?').to_ascii_uppercase()}</span>
                                        }) }
                                        if row.findings > 16 { <span>{format!(" +{}", format::count(row.findings - 16))}</span> }
                                    </span>
                                </div>
                            </li>
                        }
                    }) }
                </ol>
                if end < list.len() {
                    <p><button class="button small" data-testid="campaign-more"
                        onclick={ let shown = shown.clone(); move |_| shown.set(*shown + PAGE) }>
                        {format!("Show {} more", PAGE.min(list.len() - end))}</button></p>
                }
                if !weak.is_empty() {
                    <p>
                        <button class="button small" data-testid="campaign-low"
                            onclick={ let show_low = show_low.clone(); move |_| show_low.set(!*show_low) }>
                            {if *show_low { format!("Fold the {} shared only by low findings", weak.len()) }
                             else { format!("{} more shared only by low findings", format::count(weak.len() as u64)) }}
                        </button>
                    </p>
                }
                if (indicators.len() as u64) < *total {
                    <p class="muted small">{format!("The page holds the {} most severe of {} indicators; `sessionhunt campaign` lists them all.", format::count(indicators.len() as u64), format::count(*total))}</p>
                }
            }
        </section>
    }
}
