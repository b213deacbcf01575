//! The findings grid: sort by any column, filter per column, free-text search, column chooser,
//! keyboard navigation, and virtualized rendering (only the rows in view are in the DOM, so
//! 100 000 findings scroll as smoothly as ten).
//!
//! How the virtualization works without inline styles (the CSP forbids them): the scroll viewport
//! holds one CSS grid cell with two children, an empty SVG whose `height` attribute is the height
//! of every row (it gives the viewport its scroll range) and the table, `position: sticky` at the
//! top, which renders the rows from `scrollTop / ROW_HEIGHT` on. Row heights are fixed in
//! `style.css` and must match the constants here.

use sessionhunt::Report;
use sessionhunt::report::Finding;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::format;
use crate::state::{Action, Column, GRID, GradeFilter, GridView, PageColumn, Pane, Shared};

/// Height of a body row in CSS pixels (`.findings tbody tr` in style.css).
pub const ROW_HEIGHT: f64 = 34.0;
/// Height of the two header rows (labels, filters) in CSS pixels (`.findings thead tr`).
pub const HEAD_HEIGHT: f64 = 2.0 * 36.0;

/// Props of [`FindingsTable`]: what it shows. What it does goes to the page state through the
/// context's dispatcher (`context::use_dispatch`).
#[derive(Properties, PartialEq)]
pub struct FindingsTableProps {
    /// The report.
    pub report: Shared<Report>,
    /// The rows, columns, order and filters.
    pub view: GridView,
}

/// A list cell: the first `n` items and "+k more"; the whole list in the tooltip.
fn list_cell(items: &[String], n: usize) -> Html {
    let shown = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    let rest = items.len().saturating_sub(n);
    html! {
        <td class="list" title={items.join("\n")}>
            {shown}
            if rest > 0 { <span class="more">{format!(" +{rest} more")}</span> }
        </td>
    }
}

/// The sessions cell: its first session id is a link to the session view (a click there opens the
/// session, not the finding), the rest counted, every id in the tooltip.
fn session_cell(f: &Finding, act: &Callback<Action>) -> Html {
    let Some(first) = f.session_ids.first() else { return html! { <td class="list"></td> } };
    let rest = f.session_ids.len() - 1;
    let onclick = {
        let act = act.clone();
        let id = first.clone();
        Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            act.emit(Action::Pane(Some(Pane::Session(id.clone()))));
        })
    };
    html! {
        <td class="list" title={f.session_ids.join("\n")}>
            <button class="link" {onclick} data-testid="grid-session"
                aria-label={format!("Open session {first}")}>{crate::components::details::short_id(first)}</button>
            if rest > 0 { <span class="more">{format!(" +{rest} more")}</span> }
        </td>
    }
}

fn cell(column: Column, f: &Finding) -> Html {
    match column {
        // The rung's reason (why it is not higher) is the cell's tooltip.
        Column::Severity => html! {
            <td class="nowrap" title={f.severity_reason.clone()}><span class={classes!("badge", f.severity.as_str())}>{f.severity.as_str()}</span></td>
        },
        Column::Score => html! { <td class="num">{f.score}</td> },
        Column::User => html! { <td class="user" title={f.user.clone()}>{f.user.clone()}</td> },
        Column::Rules => list_cell(&f.rules, 3),
        Column::FirstSeen => html! { <td class="nowrap"><time>{f.first_seen.clone()}</time></td> },
        Column::LastSeen => html! { <td class="nowrap"><time>{f.last_seen.clone()}</time></td> },
        Column::Ips => list_cell(&f.ips, 2),
        Column::Asns => list_cell(&f.asns.iter().map(|a| format!("AS{a}")).collect::<Vec<_>>(), 2),
        Column::Countries => list_cell(&f.countries, 4),
        Column::Sessions => list_cell(&f.session_ids, 1),
        Column::UserAgents => list_cell(&f.user_agents, 1),
        Column::Remediation => {
            let class = match crate::answer::containment(f) {
                crate::answer::Containment::Contained => "contained",
                crate::answer::Containment::NotContained => "not-contained",
                crate::answer::Containment::Unknown => "unknown",
            };
            let title = crate::answer::remediation_sentence(f);
            html! { <td class={classes!("nowrap", "remediation", class)} {title}>{crate::answer::remediation_label(f)}</td> }
        }
        Column::Id => html! { <td class="nowrap">{f.id.clone()}</td> },
        other => html! { <td>{other.page_text(f)}</td> },
    }
}

/// The grade cell: a short badge, the note in its tooltip.
fn grade_cell(grade: Option<&sessionhunt::export::GradeEntry>) -> Html {
    match grade {
        None => html! { <td class="grade" data-grade="" title="Not graded">{"—"}</td> },
        Some(g) => {
            let short = match g.grade {
                sessionhunt::export::Grade::TruePositive => "TP",
                sessionhunt::export::Grade::FalsePositive => "FP",
                sessionhunt::export::Grade::BenignTruePositive => "BTP",
            };
            let title = if g.note.is_empty() {
                g.grade.label().to_owned()
            } else {
                format!("{}: {}", g.grade.label(), g.note)
            };
            html! {
                <td class="grade" data-grade={g.grade.as_str()} {title}>
                    <span class={classes!("grade-badge", g.grade.as_str())}>{short}</span>
                </td>
            }
        }
    }
}

/// The findings grid.
#[component]
pub fn FindingsTable(props: &FindingsTableProps) -> Html {
    let dispatch = use_dispatch();
    // Sends an action to the page state (nothing outside the page).
    let act = Callback::from(move |action: Action| {
        if let Some(dispatch) = &dispatch {
            dispatch.dispatch(action);
        }
    });
    let view = &props.view;
    let viewport = use_node_ref();
    let scroll_top = use_state(|| 0.0f64);
    let height = use_state(|| 600.0f64);
    let active = use_state(|| 0usize);

    let n = view.rows.len();
    // Measure the viewport after each render (it depends on the window and on the row count).
    {
        let viewport = viewport.clone();
        let height = height.clone();
        let scroll_top = scroll_top.clone();
        use_effect(move || {
            if let Some(el) = viewport.cast::<Element>() {
                let h = f64::from(el.client_height());
                if h > 0.0 && (h - *height).abs() > 0.5 {
                    height.set(h);
                }
                let top = f64::from(el.scroll_top());
                if (top - *scroll_top).abs() > 0.5 {
                    scroll_top.set(top);
                }
            }
        });
    }
    // The viewport changes size with the window and with the workspace's panes (a timeline or a
    // side pane opening), which re-render the page but not this grid: watch it.
    {
        let viewport = viewport.clone();
        let height = height.clone();
        use_effect_with(viewport.clone(), move |_| {
            let observer = viewport.cast::<Element>().and_then(|el| {
                let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new({
                    let el = el.clone();
                    move || {
                        let h = f64::from(el.client_height());
                        if h > 0.0 {
                            height.set(h);
                        }
                    }
                });
                let observer =
                    web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    let onscroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |event: Event| {
            let el: Element = event.target_unchecked_into();
            scroll_top.set(f64::from(el.scroll_top()));
        })
    };

    let page = (((*height - HEAD_HEIGHT) / ROW_HEIGHT).floor().max(1.0)) as usize;
    let visible = page + 1;
    let start = ((*scroll_top / ROW_HEIGHT).floor().max(0.0) as usize).min(n.saturating_sub(page));
    let end = (start + visible).min(n);
    let active_index = (*active).min(n.saturating_sub(1));

    let onkeydown = {
        let rows = view.rows.clone();
        let report = props.report.clone();
        let active = active.clone();
        let viewport = viewport.clone();
        let on_select = act.reform(|id: String| Action::Select(Some(id)));
        let on_close = act.reform(|()| Action::Select(None));
        let on_session = act.reform(|id: String| Action::Pane(Some(Pane::Session(id))));
        let open = view.selected.is_some();
        Callback::from(move |event: KeyboardEvent| {
            // Keys typed into the header's filter inputs are theirs.
            let on_viewport =
                event.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| {
                    t.get_attribute("data-testid").as_deref() == Some("grid-viewport")
                });
            if !on_viewport || rows.is_empty() {
                return;
            }
            let last = rows.len() - 1;
            let current = (*active).min(last);
            let next = match event.key().as_str() {
                "ArrowDown" => current.saturating_add(1).min(last),
                "ArrowUp" => current.saturating_sub(1),
                "PageDown" => current.saturating_add(page).min(last),
                "PageUp" => current.saturating_sub(page),
                "Home" => 0,
                "End" => last,
                // The panel follows the grid's arrows while the focus stays here; Escape here
                // closes it as it does in the panel.
                "Escape" if open => {
                    event.prevent_default();
                    on_close.emit(());
                    return;
                }
                "Enter" | " " => {
                    event.prevent_default();
                    on_select.emit(report.findings[rows[current]].id.clone());
                    return;
                }
                // S: the active finding's (first) session.
                "s" | "S" => {
                    if let Some(id) = report.findings[rows[current]].session_ids.first() {
                        event.prevent_default();
                        on_session.emit(id.clone());
                    }
                    return;
                }
                _ => return,
            };
            event.prevent_default();
            active.set(next);
            // An open details panel follows the selection.
            if open && next != current {
                on_select.emit(report.findings[rows[next]].id.clone());
            }
            // Keep the active row in view.
            if let Some(el) = viewport.cast::<Element>() {
                let top = f64::from(el.scroll_top());
                let first = (top / ROW_HEIGHT).floor() as usize;
                let target = if next < first {
                    Some(next as f64 * ROW_HEIGHT)
                } else if next >= first + page {
                    Some((next + 1 - page) as f64 * ROW_HEIGHT)
                } else {
                    None
                };
                if let Some(target) = target {
                    el.set_scroll_top(target as i32);
                }
            }
        })
    };

    let header = |column: Column| {
        let on_sort = act.reform(Action::SortBy);
        let sort = match (view.sort == column, view.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        html! {
            <th aria-sort={sort} class={classes!("col", column.key())}>
                <button class="sort" onclick={move |_| on_sort.emit(column)}>{column.label()}</button>
            </th>
        }
    };
    let filter_cell = |column: Column| {
        let on_column_filter = act.reform(|(c, t)| Action::ColumnFilter(c, t));
        let oninput = Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_column_filter.emit((column, input.value()));
        });
        let value = view.column_filters.get(&column).cloned().unwrap_or_default();
        html! {
            <th class="filter">
                <input type="text" {value} {oninput} placeholder="filter"
                    aria-label={format!("Filter the {} column", column.label())}
                    data-testid={format!("filter-{}", column.key())} />
            </th>
        }
    };
    let oninput = {
        let on_filter = act.reform(Action::Filter);
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_filter.emit(input.value());
        })
    };
    // The analyst's grades: a column of their own (the last, after the chosen ones) once anything
    // is graded, so the default columns keep their room; the grade filter sits by the search.
    let graded = !view.grades.is_empty();
    let grade_filter = {
        let act = act.clone();
        let onchange = Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            act.emit(Action::GradeFilter(GradeFilter::from_key(&select.value())));
        });
        html! {
            <select {onchange} aria-label="Filter by grade" data-testid="filter-grade">
                { for GradeFilter::ALL.into_iter().map(|g| html! {
                    <option value={g.key()} selected={view.grade_filter == g}>{g.label()}</option>
                }) }
            </select>
        }
    };
    let findings = &props.report.findings;
    let total_height = HEAD_HEIGHT + n as f64 * ROW_HEIGHT;
    let columns = view.columns.clone();
    html! {
        <section aria-label="Findings" class="findings-section">
            <div class="table-head">
                <h2>{"Findings"}</h2>
                <input type="search" placeholder="Search every column: user, IP, rule, severity, country, user agent…" value={view.filter.clone()}
                    {oninput} aria-label="Search findings" data-testid="findings-filter" />
                <span class="muted" data-testid="findings-count">{format!("{} of {}", format::count(n as u64), format::count(findings.len() as u64))}</span>
                <span class="view-buttons">
                    <button class="button small" data-testid="open-overview" onclick={ let cb = act.clone(); move |_| cb.emit(Action::Pane(Some(Pane::Overview))) }>{"Tenant overview"}</button>
                    <button class="button small" data-testid="open-campaign" onclick={ let cb = act.clone(); move |_| cb.emit(Action::Pane(Some(Pane::Campaign))) }>{"Campaign"}</button>
                </span>
                if let Some(label) = &view.range_label {
                    <span class="chip" data-testid="range-chip">
                        {format!("Time range: {label}")}
                        <button class="chip-close" aria-label="Clear the time range"
                            onclick={ let cb = act.clone(); move |_| cb.emit(Action::Range(None)) }>{"×"}</button>
                    </span>
                }
                if let Some(label) = &view.indicator {
                    <span class="chip" data-testid="indicator-chip">
                        {format!("Campaign: {label}")}
                        <button class="chip-close" aria-label="Stop filtering by the campaign indicator"
                            onclick={ let cb = act.clone(); move |_| cb.emit(Action::Indicator(None)) }>{"×"}</button>
                    </span>
                }
                if view.folded > 0 {
                    <button class="chip fold-chip" data-testid="show-low"
                        title="Low and info findings are folded so the first screen shows what needs attention; a search or filter looks through them all."
                        onclick={ let cb = act.clone(); move |_| cb.emit(Action::ShowLow(true)) }>
                        {format!("{} low finding{} folded · show", format::count(view.folded as u64), if view.folded == 1 { "" } else { "s" })}
                    </button>
                } else if view.show_low {
                    <button class="chip fold-chip" data-testid="hide-low"
                        onclick={ let cb = act.clone(); move |_| cb.emit(Action::ShowLow(false)) }>{"Fold low findings"}</button>
                }
                {grade_filter}
                <details class="columns-menu" data-testid="column-chooser">
                    <summary class="button">{"Columns"}</summary>
                    <div class="menu">
                        { for GRID.iter().map(|&column| {
                            let on_toggle = act.reform(Action::ToggleColumn);
                            let checked = view.columns.contains(&column);
                            html! {
                                <label>
                                    <input type="checkbox" {checked} onchange={move |_| on_toggle.emit(column)}
                                        data-testid={format!("column-{}", column.key())} />
                                    {column.label()}
                                </label>
                            }
                        }) }
                    </div>
                </details>
            </div>
            if findings.is_empty() {
                <p class="muted" data-testid="no-findings">{crate::answer::answer(&props.report).headline}</p>
            } else {
                if n == 0 && view.folded > 0 && !view.filtered {
                <p class="empty-result" role="status" data-testid="only-low">
                    {format!("Every finding is low or info ({} folded): none reached medium. ", format::count(view.folded as u64))}
                    <button class="button small" onclick={ let cb = act.clone(); move |_| cb.emit(Action::ShowLow(true)) }>{"Show them"}</button>
                </p>
                } else if n == 0 {
                <p class="empty-result" role="status" data-testid="no-match">
                    {format!("No findings match the search and filters ({} hidden). ", format::count(findings.len() as u64))}
                    <button class="button small" data-testid="clear-filters"
                        onclick={ let cb = act.clone(); move |_| cb.emit(Action::ClearFilters) }>{"Clear filters"}</button>
                </p>
                }
                <p class="hint muted">{"Click a row, or focus the grid and use ↑ ↓ PgUp PgDn Home End, Enter to open a finding, S its session. Column filters take text, >100, <=50, =low or !low. Hover a severity for why it is not higher."}</p>
                <div class="grid-viewport" ref={viewport} tabindex="0" {onscroll} {onkeydown}
                    role="region" aria-label="Findings grid (scrolls)" data-testid="grid-viewport">
                    <div class="grid-stack">
                        <svg class="grid-sizer" aria-hidden="true" width="1" height={total_height.to_string()}></svg>
                        <table class="grid findings" data-testid="findings" data-rows={n.to_string()}>
                            <thead>
                                <tr class="labels">{ for columns.iter().map(|&c| header(c)) }
                                    if graded { <th class="col grade">{"Grade"}</th> }</tr>
                                <tr class="filters">{ for columns.iter().map(|&c| filter_cell(c)) }
                                    if graded { <th class="filter"></th> }</tr>
                            </thead>
                            <tbody>
                                { for (start..end).map(|pos| {
                                    let i = view.rows[pos];
                                    let f = &findings[i];
                                    let id = f.id.clone();
                                    let on_select = act.reform(|id: String| Action::Select(Some(id)));
                                    let active = active.clone();
                                    let onclick = Callback::from(move |_: MouseEvent| {
                                        active.set(pos);
                                        on_select.emit(id.clone());
                                    });
                                    let class = classes!(
                                        (pos == active_index).then_some("active"),
                                        (view.selected.as_ref() == Some(&f.id)).then_some("selected"),
                                    );
                                    html! {
                                        <tr key={f.id.clone()} {class} {onclick} data-id={f.id.clone()}
                                            aria-selected={(view.selected.as_ref() == Some(&f.id)).to_string()}>
                                            { for columns.iter().map(|&c| if c == Column::Sessions { session_cell(f, &act) } else { cell(c, f) }) }
                                            if graded { {grade_cell(view.grades.get(&f.id))} }
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                </div>
            }
        </section>
    }
}
