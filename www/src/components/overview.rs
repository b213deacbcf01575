//! The tenant overview in the side pane (docs/views.md, "Tenant overview"): findings per day (a
//! histogram whose brushing filters the grid by time), the networks and countries of
//! non-interactive traffic, and what the loaded data covers: each log's span, each input file, each
//! user, and what it cannot show. The worker computes it with the core's `views::overview`, as the
//! CLI's `sessionhunt overview` does.

use std::rc::Rc;

use chrono::NaiveDate;
use sessionhunt::views::{DayCount, Overview};
use web_sys::Element;
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::format;
use crate::state::Action;

/// Users laid out at once.
const USERS_SHOWN: usize = 100;
/// The histogram's drawing size (viewBox units; the SVG scales to the pane's width).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;
const DAY_MS: f64 = 86_400_000.0;

/// Props of [`OverviewPane`].
#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    /// The overview and the data's user count, once the worker sent them.
    pub view: Option<(Overview, u64)>,
    /// The time range filtering the grid (milliseconds), to show on the histogram.
    pub range: Option<(f64, f64)>,
    /// The grid shows low and info findings (its fold is open): the histogram draws them too;
    /// otherwise it draws medium or worse, so a day of a hundred low findings does not flatten
    /// the days of the attack.
    #[prop_or_default]
    pub show_low: bool,
}

/// A `YYYY-MM-DD` day as milliseconds since the epoch at 00:00 UTC.
fn day_ms(day: &str) -> Option<f64> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis() as f64)
}

/// The histogram's days: every calendar day from the first to the last with a finding (days
/// without one are bars of zero), each with its start in milliseconds. Days the core could not
/// date (`unknown`) are left out of the figure and counted apart.
pub fn day_axis(days: &[DayCount]) -> (Vec<(f64, DayCount)>, u64) {
    let dated: Vec<(f64, &DayCount)> =
        days.iter().filter_map(|d| Some((day_ms(&d.day)?, d))).collect();
    let undated = days.iter().filter(|d| day_ms(&d.day).is_none()).map(|d| d.total).sum();
    let (Some(&(first, _)), Some(&(last, _))) = (dated.first(), dated.last()) else {
        return (Vec::new(), undated);
    };
    // Days in order (the core sorts them as text, which is date order for this format).
    let n = ((last - first) / DAY_MS).round() as usize + 1;
    // A span of years would draw bars thinner than a pixel: such data is rare and the figure
    // then shows the days that have findings, side by side.
    if n > 800 {
        return (dated.into_iter().map(|(t, d)| (t, d.clone())).collect(), undated);
    }
    let mut out: Vec<(f64, DayCount)> = (0..n)
        .map(|i| {
            let t = first + i as f64 * DAY_MS;
            (
                t,
                DayCount {
                    day: sessionhunt::time::rfc3339(t as i64)[..10].to_owned(),
                    ..DayCount::default()
                },
            )
        })
        .collect();
    for (t, d) in dated {
        let i = ((t - first) / DAY_MS).round() as usize;
        if let Some(slot) = out.get_mut(i) {
            slot.1 = d.clone();
        }
    }
    (out, undated)
}

/// The tenant overview.
#[component]
pub fn OverviewPane(props: &OverviewProps) -> Html {
    let dispatch = use_dispatch();
    let drag = use_mut_ref(|| None::<(usize, usize)>);
    // The keyboard's picked days (anchor, head), as the pointer's drag.
    let keys = use_mut_ref(|| None::<(usize, usize)>);
    let redraw = use_force_update();
    let users_all = use_state(|| false);
    let svg_ref = use_node_ref();
    let Some((view, total_users)) = &props.view else {
        return html! {
            <section class="view overview-view" data-testid="overview-view" aria-busy="true">
                <h2>{"Tenant overview"}</h2>
                <p class="muted">{"Counting what the data covers…"}</p>
            </section>
        };
    };
    let (days, undated) = day_axis(&view.findings_per_day);
    let n = days.len().max(1);
    let plot = WIDTH - LEFT - 4.0;
    let bar = plot / n as f64;
    let drawn_total =
        |d: &DayCount| if props.show_low { d.total } else { d.critical + d.high + d.medium };
    let max = days.iter().map(|(_, d)| drawn_total(d)).max().unwrap_or(0).max(1);
    let low_total: u64 = days.iter().map(|(_, d)| d.low + d.info).sum();
    let y_of = |v: u64| (HEIGHT - BOTTOM) - (v as f64 / max as f64) * (HEIGHT - BOTTOM - TOP);
    let index_at = {
        let svg_ref = svg_ref.clone();
        let count = days.len();
        Rc::new(move |client_x: f64| -> Option<usize> {
            let svg = svg_ref.cast::<Element>()?;
            let x = crate::components::timeline::view_x(&svg, client_x, WIDTH) - LEFT;
            (count > 0).then(|| ((x / bar).floor().max(0.0) as usize).min(count - 1))
        })
    };
    let starts: Rc<Vec<f64>> = Rc::new(days.iter().map(|(t, _)| *t).collect());
    let onpointerdown = {
        let drag = drag.clone();
        let index_at = index_at.clone();
        let redraw = redraw.clone();
        let svg_ref = svg_ref.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(i) = index_at(f64::from(e.client_x())) {
                *drag.borrow_mut() = Some((i, i));
                if let Some(svg) = svg_ref.cast::<Element>() {
                    let _ = svg.set_pointer_capture(e.pointer_id());
                }
                redraw.force_update();
            }
        })
    };
    let onpointermove = {
        let drag = drag.clone();
        let index_at = index_at.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            let Some((from, to)) = *d else { return };
            if let Some(i) = index_at(f64::from(e.client_x()))
                && i != to
            {
                *d = Some((from, i));
                drop(d);
                redraw.force_update();
            }
        })
    };
    let onpointerup = {
        let drag = drag.clone();
        let starts = starts.clone();
        let dispatch = dispatch.clone();
        let range = props.range;
        Callback::from(move |_: PointerEvent| {
            let Some((from, to)) = drag.borrow_mut().take() else { return };
            let (a, b) = (from.min(to), from.max(to));
            let (Some(start), Some(end)) = (starts.get(a), starts.get(b)) else { return };
            let picked = (*start, end + DAY_MS - 1.0);
            if let Some(d) = &dispatch {
                // A click on the day already picked alone clears it, as the timeline's brush does.
                let again = range == Some(picked);
                d.dispatch(Action::Range((!again).then_some(picked)));
            }
        })
    };
    // Keyboard: ← → pick a day (Shift extends the pick), Escape clears; the grid follows as with
    // the pointer.
    let onkeydown = {
        let keys = keys.clone();
        let starts = starts.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = starts.len();
            if n == 0 {
                return;
            }
            let mut k = keys.borrow_mut();
            let (anchor, head) = k.unwrap_or((0, 0));
            let head = match e.key().as_str() {
                "ArrowRight" if k.is_some() => (head + 1).min(n - 1),
                "ArrowLeft" if k.is_some() => head.saturating_sub(1),
                "ArrowRight" | "ArrowLeft" => head,
                "Home" => 0,
                "End" => n - 1,
                "Escape" => {
                    e.prevent_default();
                    *k = None;
                    if let Some(d) = &dispatch {
                        d.dispatch(Action::Range(None));
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            let anchor = if e.shift_key() && k.is_some() { anchor } else { head };
            *k = Some((anchor, head));
            let (a, b) = (anchor.min(head), anchor.max(head));
            if let Some(d) = &dispatch {
                d.dispatch(Action::Range(Some((starts[a], starts[b] + DAY_MS - 1.0))));
            }
        })
    };
    let drawn = drag.borrow().map(|(a, b)| (a.min(b), a.max(b)));
    let in_range = |t: f64| props.range.is_some_and(|(a, b)| t + DAY_MS - 1.0 >= a && t <= b);
    let shown_users = if *users_all { view.users.len() } else { USERS_SHOWN.min(view.users.len()) };
    html! {
        <section class="view overview-view" data-testid="overview-view">
            <h2>{"Tenant overview"}</h2>
            <p data-testid="overview-summary">
                {format!("{} finding{} · data from {} to {}", format::count(view.findings),
                    if view.findings == 1 { "" } else { "s" },
                    if view.start.is_empty() { "?" } else { &view.start }, if view.end.is_empty() { "?" } else { &view.end })}
            </p>
            <h3>{if props.show_low || low_total == 0 { "Findings per day (by first event)".to_owned() }
                else { format!("Findings of medium severity or worse per day (by first event; {low_total} low folded, as in the grid)") }}</h3>
            if days.is_empty() {
                <p class="muted" data-testid="overview-no-days">{"No finding has a date to draw."}</p>
            } else {
                <svg class="histogram" ref={svg_ref} viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img"
                    aria-label={format!("Findings per day from {} to {}; drag across days, or use the arrow keys (Shift extends), to filter the findings to them", days[0].1.day, days[days.len() - 1].1.day)}
                    tabindex="0" {onkeydown} {onpointerdown} {onpointermove} {onpointerup} data-testid="overview-histogram">
                    <line class="axis" x1={LEFT.to_string()} x2={(WIDTH - 4.0).to_string()} y1={(HEIGHT - BOTTOM).to_string()} y2={(HEIGHT - BOTTOM).to_string()} />
                    <text class="tick" x={(LEFT - 4.0).to_string()} y={(TOP + 8.0).to_string()} text-anchor="end">{max}</text>
                    <text class="tick" x={(LEFT - 4.0).to_string()} y={(HEIGHT - BOTTOM).to_string()} text-anchor="end">{"0"}</text>
                    { for days.iter().enumerate().map(|(i, (t, d))| {
                        let x = LEFT + i as f64 * bar;
                        let w = (bar - 1.0).max(0.5);
                        let picked = drawn.is_some_and(|(a, b)| i >= a && i <= b) || (drawn.is_none() && in_range(*t));
                        // Stacked: critical at the bottom, where the eye starts.
                        let mut base = 0u64;
                        let low = if props.show_low { d.low + d.info } else { 0 };
                        let parts = [("critical", d.critical), ("high", d.high), ("medium", d.medium), ("low", low)];
                        html! {
                            <g class={classes!("day", picked.then_some("picked"))} data-testid="overview-day" data-day={d.day.clone()} data-total={d.total.to_string()} data-drawn={drawn_total(d).to_string()}>
                                <title>{format!("{}: {} finding{} ({} critical, {} high, {} medium, {} low or info)", d.day, d.total, if d.total == 1 { "" } else { "s" }, d.critical, d.high, d.medium, d.low + d.info)}</title>
                                <rect class="day-bg" x={x.to_string()} y={TOP.to_string()} width={bar.to_string()} height={(HEIGHT - BOTTOM - TOP).to_string()} />
                                { for parts.into_iter().filter(|(_, v)| *v > 0).map(|(sev, v)| {
                                    let y1 = y_of(base + v);
                                    let y0 = y_of(base);
                                    base += v;
                                    html! { <rect class={classes!("bar", sev)} x={x.to_string()} y={y1.to_string()} width={w.to_string()} height={(y0 - y1).max(0.5).to_string()} /> }
                                }) }
                            </g>
                        }
                    }) }
                    <text class="tick" x={LEFT.to_string()} y={(HEIGHT - 6.0).to_string()}>{days[0].1.day.clone()}</text>
                    <text class="tick" x={(WIDTH - 4.0).to_string()} y={(HEIGHT - 6.0).to_string()} text-anchor="end">{days[days.len() - 1].1.day.clone()}</text>
                </svg>
                <p class="muted small">{"Drag across days (or focus the figure and use ← →, Shift to extend, Esc to clear) to filter the findings to them; click a picked day again to clear."}
                    if undated > 0 { {format!(" {undated} finding(s) without a date are not drawn.")} }</p>
            }
            <h3>{"What the data covers"}</h3>
            if !view.limits.is_empty() {
                <ul class="limits" data-testid="overview-limits">
                    { for view.limits.iter().map(|l| html! { <li>{l.clone()}</li> }) }
                </ul>
            }
            <table class="grid compact" data-testid="overview-logs">
                <thead><tr><th>{"Log"}</th><th class="num">{"Events"}</th><th>{"First"}</th><th>{"Last"}</th><th class="num">{"Days"}</th></tr></thead>
                <tbody>{ for view.logs.iter().map(|l| html! {
                    <tr><td>{l.kind.clone()}</td><td class="num">{format::count(l.events)}</td><td class="nowrap">{l.first.clone()}</td><td class="nowrap">{l.last.clone()}</td><td class="num">{l.days}</td></tr>
                }) }</tbody>
            </table>
            <details class="fold">
                <summary>{format!("Input files ({})", view.sources.len())}</summary>
                <table class="grid compact" data-testid="overview-sources">
                    <thead><tr><th>{"File"}</th><th>{"Format"}</th><th class="num">{"Rows"}</th><th class="num">{"Events"}</th><th>{"First"}</th><th>{"Last"}</th></tr></thead>
                    <tbody>{ for view.sources.iter().map(|s| html! {
                        <tr><td class="file">{s.name.clone()}</td><td>{format!("{} · {}", s.format, s.log_kind)}</td><td class="num">{format::count(s.rows)}</td><td class="num">{format::count(s.events)}</td><td class="nowrap">{s.first.clone()}</td><td class="nowrap">{s.last.clone()}</td></tr>
                    }) }</tbody>
                </table>
            </details>
            <h3>{"Non-interactive traffic"}</h3>
            <p data-testid="overview-ni">
                {format!("{} sign-ins of {} users from {} networks in {} countries.", format::count(view.non_interactive.events), format::count(view.non_interactive.users), format::count(view.non_interactive.networks), format::count(view.non_interactive.countries))}
                if view.non_interactive.unknown_network > 0 { {format!(" {} without a known network.", format::count(view.non_interactive.unknown_network))} }
            </p>
            <div class="two-tables">
                <table class="grid compact" data-testid="overview-networks">
                    <thead><tr><th>{"Network"}</th><th class="num">{"Sign-ins"}</th><th class="num">{"Users"}</th></tr></thead>
                    <tbody>{ for view.non_interactive.top_networks.iter().map(|x| html! {
                        <tr><td>{x.network.clone()}</td><td class="num">{format::count(x.events)}</td><td class="num">{format::count(x.users)}</td></tr>
                    }) }</tbody>
                </table>
                <table class="grid compact" data-testid="overview-countries">
                    <thead><tr><th>{"Country"}</th><th class="num">{"Sign-ins"}</th><th class="num">{"Users"}</th></tr></thead>
                    <tbody>{ for view.non_interactive.top_countries.iter().map(|x| html! {
                        <tr><td>{x.country.clone()}</td><td class="num">{format::count(x.events)}</td><td class="num">{format::count(x.users)}</td></tr>
                    }) }</tbody>
                </table>
            </div>
            <h3>{format!("Users ({})", format::count(*total_users))}</h3>
            <p class="muted small">{"What was loaded of each user, those with findings first. A user with no non-interactive sign-ins cannot show a replayed token's use."}</p>
            <div class="view-scroll">
            <table class="grid compact" data-testid="overview-users">
                <thead><tr><th>{"User"}</th><th>{"Worst finding"}</th><th class="num">{"Interactive"}</th><th class="num">{"Non-interactive"}</th><th class="num">{"Audit"}</th><th>{"First"}</th><th>{"Last"}</th></tr></thead>
                <tbody>{ for view.users[..shown_users].iter().map(|u| html! {
                    <tr data-testid="overview-user">
                        <td class="user">{u.user.clone()}</td>
                        <td>{ match u.severity { Some(s) => html! { <span class={classes!("badge", s.as_str())}>{format!("{} ×{}", s.as_str(), u.findings)}</span> }, None => html! { <span class="muted">{"none"}</span> } } }</td>
                        <td class="num">{format::count(u.interactive)}</td>
                        <td class={classes!("num", (u.non_interactive == 0).then_some("gap"))}>{format::count(u.non_interactive)}</td>
                        <td class="num">{format::count(u.audit)}</td>
                        <td class="nowrap">{u.first.clone()}</td><td class="nowrap">{u.last.clone()}</td>
                    </tr>
                }) }</tbody>
            </table>
            </div>
            if shown_users < view.users.len() {
                <p><button class="button small" data-testid="overview-users-more" onclick={ let u = users_all.clone(); move |_| u.set(true) }>
                    {format!("Show all {} listed", format::count(view.users.len() as u64))}</button></p>
            }
            if (view.users.len() as u64) < *total_users {
                <p class="muted small">{format!("The page lists {} of {} users; `sessionhunt overview` lists them all.", format::count(view.users.len() as u64), format::count(*total_users))}</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str, total: u64) -> DayCount {
        DayCount { day: d.into(), low: total, total, ..DayCount::default() }
    }

    #[test]
    fn the_axis_fills_days_without_findings_and_counts_undated_ones_apart() {
        let (axis, undated) =
            day_axis(&[day("2026-03-01", 2), day("2026-03-04", 1), day("unknown", 5)]);
        let days: Vec<(&str, u64)> = axis.iter().map(|(_, d)| (d.day.as_str(), d.total)).collect();
        assert_eq!(
            days,
            vec![("2026-03-01", 2), ("2026-03-02", 0), ("2026-03-03", 0), ("2026-03-04", 1)]
        );
        assert_eq!(undated, 5);
        assert_eq!(axis[1].0 - axis[0].0, DAY_MS);
        assert_eq!(axis[0].0, 1_772_323_200_000.0, "2026-03-01T00:00:00Z");
    }

    #[test]
    fn no_dated_day_gives_an_empty_axis() {
        assert_eq!(day_axis(&[day("unknown", 3)]), (Vec::new(), 3));
        assert_eq!(day_axis(&[]), (Vec::new(), 0));
    }
}
