//! A user's timeline in SVG: one lane per log (interactive, non-interactive, audit), each event a
//! mark coloured by its network (ASN), the events behind findings ringed, the events of one
//! session joined by a line, and the gap between the user's own interactive sign-in and the
//! replay from another network drawn and labelled. Wheel or buttons zoom, dragging the lanes pans,
//! dragging in the strip under the lanes selects a time range that filters the findings grid.
//!
//! Hand-written rather than a charting crate: the page may load nothing from elsewhere and must
//! render log text as text only; SVG elements built by Yew (text nodes, `<title>` tooltips) give
//! both, and the drawing is a few affine maps.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use sessionhunt::Report;
use sessionhunt::model::EventKind;
use sessionhunt::report::{EventRef, Finding};
use wasm_bindgen::JsCast;
use web_sys::{Element, WheelEvent};
use yew::prelude::*;

use crate::protocol::EventView;
use crate::state::{Shared, UserEvents};

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 16.0;
/// Top of the lanes: the tick labels, then a row for the gap's label, which so never covers an
/// event mark.
const AXIS: f64 = 50.0;
/// Baseline of the tick labels.
const TICK_TEXT: f64 = 18.0;
const LANE: f64 = 58.0;
const LANES: [(&str, &str); 3] = [
    ("interactive", "Interactive sign-ins"),
    ("non-interactive", "Non-interactive"),
    ("audit", "Audit operations"),
];
const BRUSH: f64 = 30.0;
const PLOT_WIDTH: f64 = WIDTH - LEFT - RIGHT;
const HEIGHT: f64 = AXIS + LANE * 3.0 + 12.0 + BRUSH + 4.0;
const BRUSH_TOP: f64 = AXIS + LANE * 3.0 + 12.0;
/// Smallest span the view zooms to: ten seconds.
const MIN_SPAN: f64 = 10_000.0;

/// Warm colours for the attacker's networks, cool ones for everything else.
const HOT: [&str; 5] = ["#e03131", "#f76707", "#c2255c", "#ae3ec9", "#e8590c"];
const COOL: [&str; 8] =
    ["#1c7ed6", "#0ca678", "#5c940d", "#1098ad", "#4263eb", "#74b816", "#7048e8", "#495057"];
const UNKNOWN: &str = "#adb5bd";

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The user shown.
    pub user: String,
    /// The report (the user's findings mark suspicious events).
    pub report: Shared<Report>,
    /// The user's events, once the worker sent them.
    pub events: Option<Shared<UserEvents>>,
    /// A finding to zoom to first (its id).
    pub focus: Option<String>,
    /// The time range currently filtering the grid.
    pub range: Option<(f64, f64)>,
    /// A range was selected (or cleared).
    pub on_range: Callback<Option<(f64, f64)>>,
    /// Close the timeline.
    pub on_close: Callback<()>,
    /// The campaign indicator picked in the campaign view: events that used it are marked, the
    /// others dimmed.
    #[prop_or_default]
    pub highlight: Option<crate::state::Shared<crate::state::IndicatorFilter>>,
}

#[derive(Clone, Copy)]
enum Drag {
    Pan { x: f64, view: (f64, f64) },
    Brush { from: f64, to: f64 },
}

#[derive(Default)]
struct ViewState {
    /// The session id of the event a press started on (a click there opens the session).
    pressed_session: Option<String>,
    /// (user, focus) the view was fitted for.
    key: (String, Option<String>),
    view: (f64, f64),
    full: (f64, f64),
    drag: Option<Drag>,
}

fn lane_of(kind: EventKind) -> usize {
    match kind {
        EventKind::Interactive => 0,
        EventKind::Audit => 2,
        _ => 1,
    }
}

fn millis(text: &str) -> Option<f64> {
    sessionhunt::ingest::parse_time(text).map(|t| t as f64)
}

/// Human duration (`45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`): the core's one formatter, so the
/// page and the report's explanations say the same.
pub fn duration(ms: f64) -> String {
    sessionhunt::time::duration(ms.round() as i64)
}

fn tick_label(t: f64, step: f64) -> String {
    let text = sessionhunt::time::rfc3339(t as i64);
    if step >= 86_400_000.0 {
        text.get(..10).unwrap_or_default().to_owned()
    } else {
        text.get(5..16).unwrap_or_default().replace('T', " ")
    }
}

fn ticks(view: (f64, f64)) -> (f64, Vec<f64>) {
    const STEPS: [f64; 14] = [
        1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 10_800.0, 21_600.0, 43_200.0,
        86_400.0, 604_800.0,
    ];
    let span = view.1 - view.0;
    let step =
        STEPS.iter().map(|s| s * 1000.0).find(|s| span / s <= 8.0).unwrap_or(2_419_200_000.0);
    let mut out = Vec::new();
    let mut t = (view.0 / step).ceil() * step;
    while t <= view.1 && out.len() < 50 {
        out.push(t);
        t += step;
    }
    (step, out)
}

/// The user's timeline.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let svg_ref = use_node_ref();
    let state = use_mut_ref(ViewState::default);
    let redraw = use_force_update();
    let hovered = use_state(|| None::<usize>);
    let dispatch = crate::context::use_dispatch();

    let user_events = props.events.as_deref().filter(|u| u.user == props.user);
    let events: &[EventView] = user_events.map_or(&[], |u| &u.events);
    let refs_of = |f: &Finding| -> &[EventRef] {
        user_events.and_then(|u| u.refs.get(&f.id)).map_or(&[], Vec::as_slice)
    };
    let findings: Vec<&Finding> =
        props.report.findings.iter().filter(|f| f.user == props.user).collect();
    // The focused finding's events are marked and its gap drawn; the attacker's networks of all
    // the user's findings get warm colours.
    let focused: Vec<&Finding> = match props.focus.as_ref() {
        Some(id) => findings.iter().copied().filter(|f| &f.id == id).collect(),
        None => findings.iter().copied().take(1).collect(),
    };
    let suspicious: HashSet<(&str, u64)> =
        focused.iter().flat_map(|f| refs_of(f).iter().map(|r| (r.file.as_str(), r.line))).collect();
    // Only the networks of the finding under review are the attacker's; a network another
    // finding of the user names is "flagged" with that finding's severity, never "attacker".
    let attacker_asns: HashSet<u32> = focused.iter().flat_map(|f| f.asns.iter().copied()).collect();
    let mut flagged: BTreeMap<u32, sessionhunt::Severity> = BTreeMap::new();
    for f in findings.iter().filter(|f| !focused.iter().any(|g| g.id == f.id)) {
        for &asn in f.asns.iter().filter(|a| !attacker_asns.contains(a)) {
            let s = flagged.entry(asn).or_insert(f.severity);
            *s = (*s).max(f.severity);
        }
    }
    // Everything behind the finding under review, so its view frames all of it (both sign-ins
    // of an impossible-travel pair, the audit operations after it).
    // Their times come from the loaded events (milliseconds already), matched by file and line.
    let focus_span: Option<(f64, f64)> = focused.first().and_then(|f| {
        // The report's event references carry RFC 3339 times (the contract): a finding has a
        // handful, parsed here for the one finding under review. They include events of other
        // users' lanes (an admin's revocation), which the user's loaded events do not.
        let times = refs_of(f)
            .iter()
            .filter_map(|r| millis(&r.time))
            .chain(millis(&f.first_seen))
            .chain(millis(&f.last_seen));
        times.fold(None, |acc: Option<(f64, f64)>, t| {
            Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
        })
    });

    // Fit the view when the user or the focused finding changes.
    {
        let mut st = state.borrow_mut();
        let key = (props.user.clone(), props.focus.clone());
        let loaded = !events.is_empty();
        if loaded && (st.key != key || st.full == (0.0, 0.0)) {
            let first = events.first().map_or(0.0, |e| e.millis());
            let last = events.last().map_or(0.0, |e| e.millis());
            let pad = ((last - first) * 0.02).max(3_600_000.0);
            st.full = (first - pad, last + pad);
            st.view = st.full;
            if let Some((a, b)) = focus_span.filter(|_| props.focus.is_some()) {
                {
                    // Include the user's own interactive sign-in just before the replay.
                    let own = events
                        .iter()
                        .filter(|e| e.kind == EventKind::Interactive && e.millis() <= a)
                        .map(|e| e.millis())
                        .next_back()
                        .filter(|t| a - t < 2.0 * 86_400_000.0)
                        .unwrap_or(a);
                    let span = (b - own).max(60_000.0);
                    let margin = (span * 0.3).max(15.0 * 60_000.0);
                    st.view = (own - margin, b + margin);
                }
            }
            st.key = key;
            st.drag = None;
        }
    }
    let (view, full) = {
        let st = state.borrow();
        (st.view, st.full)
    };
    let span = (view.1 - view.0).max(1.0);
    let x_of = move |t: f64| LEFT + (t - view.0) / span * PLOT_WIDTH;

    // Wheel zoom needs a listener that may prevent the page from scrolling (Yew's are passive).
    {
        let svg_ref = svg_ref.clone();
        let state = state.clone();
        let redraw = redraw.clone();
        // Attached again once the SVG exists (it is not drawn while the events load).
        use_effect_with((props.user.clone(), !events.is_empty()), move |_| {
            let listener = svg_ref.cast::<Element>().map(|svg| {
                let target = svg.clone();
                EventListener::new_with_options(
                    &target,
                    "wheel",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<WheelEvent>() else { return };
                        event.prevent_default();
                        let x = svg_x(&svg, f64::from(event.client_x()));
                        let factor = if event.delta_y() > 0.0 { 1.25 } else { 0.8 };
                        zoom(&mut state.borrow_mut(), x, factor);
                        redraw.force_update();
                    },
                )
            });
            move || drop(listener)
        });
    }

    let button = |label: &'static str,
                  title: &'static str,
                  testid: &'static str,
                  act: Rc<dyn Fn(&mut ViewState)>| {
        let state = state.clone();
        let redraw = redraw.clone();
        html! {
            <button class="button small" {title} data-testid={testid} onclick={move |_| { act(&mut state.borrow_mut()); redraw.force_update(); }}>{label}</button>
        }
    };
    let focus_view = focus_span.filter(|_| props.focus.is_some());
    // The campaign indicator's matcher, made once per render rather than per event.
    let highlight = props.highlight.as_deref().map(crate::state::IndicatorFilter::matcher);

    let onpointerdown = {
        let state = state.clone();
        let svg_ref = svg_ref.clone();
        let redraw = redraw.clone();
        Callback::from(move |event: PointerEvent| {
            let Some(svg) = svg_ref.cast::<Element>() else { return };
            let x = svg_x(&svg, f64::from(event.client_x()));
            let y = svg_y(&svg, f64::from(event.client_y()));
            if x < LEFT {
                return;
            }
            let mut st = state.borrow_mut();
            st.pressed_session = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|el| el.closest("g.event.has-session").ok().flatten())
                .and_then(|g| g.get_attribute("data-session"));
            let t = st.view.0 + (x - LEFT) / PLOT_WIDTH * (st.view.1 - st.view.0);
            st.drag = Some(if y >= BRUSH_TOP {
                Drag::Brush { from: t, to: t }
            } else {
                Drag::Pan { x, view: st.view }
            });
            let _ = svg.set_pointer_capture(event.pointer_id());
            drop(st);
            redraw.force_update();
        })
    };
    let onpointermove = {
        let state = state.clone();
        let svg_ref = svg_ref.clone();
        let redraw = redraw.clone();
        Callback::from(move |event: PointerEvent| {
            let Some(svg) = svg_ref.cast::<Element>() else { return };
            let mut st = state.borrow_mut();
            let Some(drag) = st.drag else { return };
            let x = svg_x(&svg, f64::from(event.client_x()));
            match drag {
                Drag::Pan { x: x0, view: v } => {
                    let dt = (x0 - x) / PLOT_WIDTH * (v.1 - v.0);
                    st.view = (v.0 + dt, v.1 + dt);
                }
                Drag::Brush { from, .. } => {
                    let t = st.view.0
                        + (x.clamp(LEFT, WIDTH - RIGHT) - LEFT) / PLOT_WIDTH
                            * (st.view.1 - st.view.0);
                    st.drag = Some(Drag::Brush { from, to: t });
                }
            }
            drop(st);
            redraw.force_update();
        })
    };
    let onpointerup = {
        let state = state.clone();
        let redraw = redraw.clone();
        let on_range = props.on_range.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |_: PointerEvent| {
            let (drag, pressed) = {
                let mut st = state.borrow_mut();
                (st.drag.take(), st.pressed_session.take())
            };
            // A press on an event that did not pan the view is a click on it.
            if let (Some(Drag::Pan { view, .. }), Some(id)) = (drag, pressed)
                && view == state.borrow().view
            {
                crate::components::session::open_session(&dispatch, &id);
            }
            if let Some(Drag::Brush { from, to }) = drag {
                let span = {
                    let st = state.borrow();
                    st.view.1 - st.view.0
                };
                // A click (under 3 px of drag) clears the range.
                if (to - from).abs() / span * PLOT_WIDTH < 3.0 {
                    on_range.emit(None);
                } else {
                    on_range.emit(Some((from.min(to), from.max(to))));
                }
            }
            redraw.force_update();
        })
    };
    let onkeydown = {
        let state = state.clone();
        let redraw = redraw.clone();
        Callback::from(move |event: KeyboardEvent| {
            let mut st = state.borrow_mut();
            let span = st.view.1 - st.view.0;
            let centre = LEFT + PLOT_WIDTH / 2.0;
            match event.key().as_str() {
                "+" | "=" => zoom(&mut st, centre, 0.5),
                "-" | "_" => zoom(&mut st, centre, 2.0),
                "ArrowLeft" => st.view = (st.view.0 - span * 0.1, st.view.1 - span * 0.1),
                "ArrowRight" => st.view = (st.view.0 + span * 0.1, st.view.1 + span * 0.1),
                "0" | "Home" => st.view = st.full,
                _ => return,
            }
            event.prevent_default();
            drop(st);
            redraw.force_update();
        })
    };

    // Network colours: the attacker's networks warm, the rest cool, most frequent first. An
    // event the log gives no ASN takes the one its IP's sign-ins carry (marked in its texts).
    let nets = crate::networks::Networks::of(events);
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for e in events {
        *counts.entry(nets.asn(e)).or_default() += 1;
    }
    let mut order: Vec<(u32, usize)> = counts.iter().map(|(a, c)| (*a, *c)).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut colours: HashMap<u32, &'static str> = HashMap::new();
    let (mut hot, mut cool) = (0, 0);
    for (asn, _) in &order {
        let colour = if *asn == 0 {
            UNKNOWN
        } else if attacker_asns.contains(asn) {
            hot += 1;
            HOT[(hot - 1) % HOT.len()]
        } else {
            cool += 1;
            COOL.get(cool - 1).copied().unwrap_or(UNKNOWN)
        };
        colours.insert(*asn, colour);
    }
    let networks: HashMap<u32, &str> =
        events.iter().filter(|e| e.asn != 0).map(|e| (e.asn, e.network.as_str())).collect();

    let margin = span * 0.02;
    let in_view: Vec<(usize, &EventView)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.millis() >= view.0 - margin && e.millis() <= view.1 + margin)
        .collect();
    let y_of = |i: usize, e: &EventView| {
        AXIS + LANE * lane_of(e.kind) as f64 + LANE / 2.0 + ((i % 5) as f64 - 2.0) * 6.0
    };

    // Sessions: events sharing a session id, joined in time order.
    let mut sessions: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for (i, e) in &in_view {
        if !e.session_id.is_empty() {
            sessions
                .entry(e.session_id.as_str())
                .or_default()
                .push((x_of(e.millis()), y_of(*i, e)));
        }
    }
    let hovered_session = (*hovered).and_then(|i| events.get(i)).map(|e| e.session_id.as_str());

    // The gap: the user's own interactive sign-in just before each finding's first sign-in.
    let gaps: Vec<(f64, f64, String)> = focused
        .iter()
        .filter_map(|f| {
            let refs: HashSet<(&str, u64)> =
                refs_of(f).iter().map(|r| (r.file.as_str(), r.line)).collect();
            // The replay: the first sign-in behind the finding from one of its attacker
            // networks; the user's own sign-in: the last interactive one before it from a network
            // that is not the attacker's.
            let attacker: HashSet<u32> = f.asns.iter().copied().collect();
            let replay = events.iter().find(|e| {
                e.kind != EventKind::Audit
                    && refs.contains(&(e.file.as_str(), e.line))
                    && (attacker.is_empty() || attacker.contains(&nets.asn(e)))
            })?;
            let own = events.iter().rev().find(|e| {
                e.kind == EventKind::Interactive
                    && e.millis() <= replay.millis()
                    && !attacker.contains(&nets.asn(e))
                    && nets.asn(e) != nets.asn(replay)
            })?;
            Some((
                own.millis(),
                replay.millis(),
                format!(
                    "{} after the user's sign-in · {} → {}",
                    duration(replay.millis() - own.millis()),
                    nets.label(own),
                    nets.label(replay)
                ),
            ))
        })
        .collect();

    let drag = state.borrow().drag;
    let brush = match drag {
        Some(Drag::Brush { from, to }) => Some((from.min(to), from.max(to))),
        _ => props.range,
    };
    let (step, tick_list) = ticks(view);
    let hover_info = (*hovered).and_then(|i| events.get(i));
    let close = {
        let on_close = props.on_close.clone();
        move |_| on_close.emit(())
    };

    html! {
        <section class="timeline card" aria-label={format!("Timeline of {}", props.user)} data-testid="timeline">
            <div class="timeline-head">
                <h2>{"Timeline: "}<span data-testid="timeline-user">{props.user.clone()}</span></h2>
                <span class="muted" data-testid="timeline-count">{format!("{} events, {} in view", events.len(), in_view.len())}</span>
                <div class="timeline-tools">
                    { button("+", "Zoom in (+)", "zoom-in", Rc::new(|st: &mut ViewState| zoom(st, LEFT + PLOT_WIDTH / 2.0, 0.5))) }
                    { button("−", "Zoom out (−)", "zoom-out", Rc::new(|st: &mut ViewState| zoom(st, LEFT + PLOT_WIDTH / 2.0, 2.0))) }
                    { button("◀", "Pan left (←)", "pan-left", Rc::new(|st: &mut ViewState| { let s = st.view.1 - st.view.0; st.view = (st.view.0 - s * 0.25, st.view.1 - s * 0.25); })) }
                    { button("▶", "Pan right (→)", "pan-right", Rc::new(|st: &mut ViewState| { let s = st.view.1 - st.view.0; st.view = (st.view.0 + s * 0.25, st.view.1 + s * 0.25); })) }
                    { button("All", "Show the whole span (0)", "zoom-all", Rc::new(|st: &mut ViewState| st.view = st.full)) }
                    if let Some((a, b)) = focus_view {
                        { button("Finding", "Zoom to every event behind the finding", "zoom-finding", Rc::new(move |st: &mut ViewState| {
                            let m = ((b - a) * 0.3).max(15.0 * 60_000.0);
                            st.view = (a - m, b + m);
                        })) }
                    }
                    <button class="button small icon" onclick={close} aria-label="Close the timeline" data-testid="timeline-close">{"×"}</button>
                </div>
            </div>
            if let Some((a, b)) = props.range {
                <p class="timeline-filter">
                    <span class="chip" data-testid="timeline-range-chip">
                        {format!("Filtering the findings to {} → {}", sessionhunt::time::rfc3339(a as i64), sessionhunt::time::rfc3339(b as i64))}
                        <button class="chip-close" aria-label="Clear the time range"
                            onclick={ let cb = props.on_range.clone(); move |_| cb.emit(None) }>{"×"}</button>
                    </span>
                </p>
            }
            if props.events.as_deref().is_none_or(|u| u.user != props.user) {
                <p class="muted" data-testid="timeline-loading">{"Loading the user's events from the worker…"}</p>
            } else {
                <svg ref={svg_ref} class="timeline-svg" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" tabindex="0"
                    aria-label={format!("Timeline of {}: wheel or + and − zoom, drag or arrow keys pan, drag in the bottom strip to select a time range", props.user)}
                    {onpointerdown} {onpointermove} {onpointerup} {onkeydown} data-testid="timeline-svg"
                    data-view-start={view.0.to_string()} data-view-end={view.1.to_string()}>
                    <defs>
                        <clipPath id="plot-clip"><rect x={LEFT.to_string()} y="0" width={PLOT_WIDTH.to_string()} height={HEIGHT.to_string()} /></clipPath>
                    </defs>
                    // Lanes.
                    { for LANES.iter().enumerate().map(|(i, (_, label))| {
                        let y = AXIS + LANE * i as f64;
                        html! {
                            <g class="lane">
                                <rect class={classes!("lane-bg", if i % 2 == 0 { "even" } else { "odd" })} x={LEFT.to_string()} y={y.to_string()} width={PLOT_WIDTH.to_string()} height={LANE.to_string()} />
                                <text class="lane-label" x="8" y={(y + LANE / 2.0 + 4.0).to_string()}>{*label}</text>
                            </g>
                        }
                    }) }
                    // Axis.
                    { for tick_list.iter().map(|&t| {
                        let x = x_of(t);
                        // A label near the right edge ends at its tick, so it is not cut off.
                        let label = tick_label(t, step);
                        let half = label.chars().count() as f64 * 3.5;
                        let anchor = if x + half > WIDTH - 2.0 { "end" } else { "middle" };
                        html! {
                            <g class="tick">
                                <line x1={x.to_string()} x2={x.to_string()} y1={(TICK_TEXT + 6.0).to_string()} y2={BRUSH_TOP.to_string()} />
                                <text x={x.to_string()} y={TICK_TEXT.to_string()} text-anchor={anchor}>{label}</text>
                            </g>
                        }
                    }) }
                    <g clip-path="url(#plot-clip)">
                        // The selected range.
                        if let Some((a, b)) = brush {
                            <rect class="range" data-testid="timeline-range" x={x_of(a).max(LEFT - 1.0).to_string()} y={AXIS.to_string()}
                                width={(x_of(b).min(WIDTH) - x_of(a).max(LEFT - 1.0)).max(1.0).to_string()} height={(BRUSH_TOP + BRUSH - AXIS).to_string()} />
                        }
                        // Sessions.
                        { for sessions.iter().filter(|(_, p)| p.len() > 1).take(400).map(|(sid, points)| {
                            let d = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
                            let active = hovered_session == Some(*sid);
                            html! {
                                <polyline class={classes!("session-link", active.then_some("active"))} points={d}>
                                    <title>{format!("session {sid}")}</title>
                                </polyline>
                            }
                        }) }
                        // The gap between the user's sign-in and the replay.
                        // A gap out of view is not drawn (its label would sit over unrelated days).
                        { for gaps.iter().filter(|(a, b, _)| *b >= view.0 && *a <= view.1).map(|(a, b, label)| {
                            let (xa, xb) = (x_of(*a), x_of(*b));
                            // The span in the row above the lanes, its label just over it.
                            let y = AXIS - 5.0;
                            // Within the part of the gap in view: left-aligned after the user's
                            // sign-in, or right-aligned before the replay when it would run off the
                            // right edge (≈ 7 units a character).
                            let (va, vb) = (xa.max(LEFT), xb.min(WIDTH - RIGHT));
                            let width = label.chars().count() as f64 * 7.0;
                            let (tx, anchor) = if va + 6.0 + width <= WIDTH - RIGHT {
                                (va + 6.0, "start")
                            } else {
                                ((vb - 6.0).max(LEFT + width), "end")
                            };
                            html! {
                                <g class="gap" data-testid="timeline-gap">
                                    <line x1={xa.to_string()} x2={xa.to_string()} y1={y.to_string()} y2={(AXIS + LANE * 2.0).to_string()} />
                                    <line x1={xb.to_string()} x2={xb.to_string()} y1={y.to_string()} y2={(AXIS + LANE * 2.0).to_string()} />
                                    <line x1={xa.to_string()} x2={xb.to_string()} y1={y.to_string()} y2={y.to_string()} class="gap-span" />
                                    <text x={tx.to_string()} y={(y - 5.0).to_string()} text-anchor={anchor} class="gap-label">{label.clone()}</text>
                                </g>
                            }
                        }) }
                        // Events.
                        { for in_view.iter().map(|&(i, e)| {
                            let x = x_of(e.millis());
                            let y = y_of(i, e);
                            let asn = nets.asn(e);
                            let fill = colours.get(&asn).copied().unwrap_or(UNKNOWN);
                            let bad = suspicious.contains(&(e.file.as_str(), e.line));
                            let hovered = hovered.clone();
                            let onmouseenter = Callback::from(move |_: MouseEvent| hovered.set(Some(i)));
                            let tip = format!("{} · {} · {} · {} · {}{}{}", e.time_text(), e.kind.as_str(), e.ip, nets.label(e),
                                if e.operation.is_empty() { &e.app } else { &e.operation },
                                if e.session_id.is_empty() { String::new() } else { format!(" · session {}", e.session_id) },
                                if e.user_agent.is_empty() { String::new() } else { format!(" · UA {}", e.user_agent) });
                            let marked = highlight.as_ref().map(|m| m.event(e, asn));
                            let class = classes!("event", e.kind.as_str(), bad.then_some("suspicious"),
                                (marked == Some(true)).then_some("hit"), (marked == Some(false)).then_some("dim"),
                                (!e.session_id.is_empty()).then_some("has-session"));
                            // A click on an event with a session id opens that session beside (see
                            // `onpointerup`: the SVG captures the pointer, so the click is its).
                            html! {
                                <g {class} {onmouseenter} data-asn={asn.to_string()} data-session={e.session_id.clone()}>
                                    if bad {
                                        <circle class="ring" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="9" />
                                    }
                                    if e.kind == EventKind::Audit {
                                        <rect x={format!("{:.1}", x - 5.0)} y={format!("{:.1}", y - 5.0)} width="10" height="10" fill={fill}
                                            transform={format!("rotate(45 {x:.1} {y:.1})")} />
                                    } else {
                                        <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r={if e.kind == EventKind::Interactive { "6" } else { "4.5" }} fill={fill} />
                                    }
                                    <title>{tip}</title>
                                </g>
                            }
                        }) }
                    </g>
                    // The brush strip.
                    <rect class="brush-area" data-testid="timeline-brush" x={LEFT.to_string()} y={BRUSH_TOP.to_string()} width={PLOT_WIDTH.to_string()} height={BRUSH.to_string()} />
                    <text class="brush-label" x={(LEFT + PLOT_WIDTH / 2.0).to_string()} y={(BRUSH_TOP + BRUSH / 2.0 + 4.0).to_string()} text-anchor="middle">
                        {"drag here to select a time range (filters the findings)"}
                    </text>
                    <text class="lane-label" x="8" y={(BRUSH_TOP + BRUSH / 2.0 + 4.0).to_string()}>{"Select range"}</text>
                </svg>
                <div class="timeline-foot">
                    <ul class="legend" data-testid="timeline-legend">
                        { for order.iter().take(12).map(|(asn, count)| html! {
                            <li>
                                <svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill={colours.get(asn).copied().unwrap_or(UNKNOWN)} /></svg>
                                {format!("{} ({count})", networks.get(asn).copied().unwrap_or("unknown ASN"))}
                                if attacker_asns.contains(asn) { <strong class="attacker">{" attacker"}</strong> }
                                else if let Some(s) = flagged.get(asn) {
                                    <span class="other-finding">{format!(" flagged in another finding ({})", s.as_str())}</span>
                                }
                            </li>
                        }) }
                        <li><svg width="20" height="20" aria-hidden="true"><circle class="ring" cx="10" cy="10" r="8" /></svg>
                            {format!("behind finding {}", focused.first().map_or("", |f| f.id.as_str()))}</li>
                        <li><svg width="24" height="12" aria-hidden="true"><line class="session-link" x1="0" y1="6" x2="24" y2="6" /></svg>{"same session id"}</li>
                    </ul>
                    <p class="hover-info" data-testid="timeline-hover" aria-live="polite">
                        { match hover_info {
                            Some(e) => format!("{} · {} · {} · {} · {} · {} · {} · UA {}{}", e.time_text(), e.kind.as_str(), e.ip, nets.label(e), e.location,
                                if e.operation.is_empty() { &e.app } else { &e.operation }, e.outcome, e.user_agent,
                                if e.session_id.is_empty() { String::new() } else { format!(" · session {}", e.session_id) }),
                            None => "Point at an event for its details.".to_owned(),
                        } }
                    </p>
                    if full.1 > full.0 {
                        <p class="muted">{format!("Showing {} of {}", duration(span), duration(full.1 - full.0))}</p>
                    }
                </div>
            }
        </section>
    }
}

/// Zooms by `factor` (under 1 zooms in) keeping the time under `x` (SVG units) in place.
fn zoom(st: &mut ViewState, x: f64, factor: f64) {
    let (a, b) = st.view;
    let span = b - a;
    let anchor = a + ((x - LEFT) / PLOT_WIDTH).clamp(0.0, 1.0) * span;
    let max_span = ((st.full.1 - st.full.0) * 4.0).max(MIN_SPAN);
    let new_span = (span * factor).clamp(MIN_SPAN, max_span);
    let ratio = new_span / span;
    st.view = (anchor - (anchor - a) * ratio, anchor + (b - anchor) * ratio);
}

fn svg_x(svg: &Element, client_x: f64) -> f64 {
    view_x(svg, client_x, WIDTH)
}

/// A pointer's x in the viewBox units of an SVG `width` units wide that fills its element's width
/// (the timeline's and the overview's histogram).
pub fn view_x(svg: &Element, client_x: f64, width: f64) -> f64 {
    let rect = svg.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return 0.0;
    }
    (client_x - rect.left()) / rect.width() * width
}

fn svg_y(svg: &Element, client_y: f64) -> f64 {
    let rect = svg.get_bounding_client_rect();
    if rect.height() <= 0.0 {
        return 0.0;
    }
    (client_y - rect.top()) / rect.height() * HEIGHT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45_000.0), "45 s");
        assert_eq!(duration(4.0 * 60_000.0), "4 min");
        assert_eq!(duration(2.0 * 3_600_000.0 + 5.0 * 60_000.0), "2 h 5 min");
        assert_eq!(duration(3.0 * 86_400_000.0 + 4.0 * 3_600_000.0), "3 d 4 h");
    }

    #[test]
    fn ticks_are_round_and_few() {
        let day = 86_400_000.0;
        let (step, list) = ticks((0.5 * day, 7.5 * day));
        assert_eq!(step, day);
        assert_eq!(list.first(), Some(&day));
        assert!(list.len() <= 8);
        let (step, _) = ticks((0.0, 30.0 * 60_000.0));
        assert_eq!(step, 300_000.0);
    }

    #[test]
    fn zoom_keeps_the_anchor_in_place() {
        let mut st = ViewState {
            view: (0.0, 1_000_000.0),
            full: (0.0, 1_000_000.0),
            ..ViewState::default()
        };
        zoom(&mut st, LEFT, 0.5);
        assert_eq!(st.view, (0.0, 500_000.0));
        zoom(&mut st, LEFT + PLOT_WIDTH, 0.5);
        assert_eq!(st.view, (250_000.0, 500_000.0));
    }
}
