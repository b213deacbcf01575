//! The findings table: sortable, filterable, one row per finding.

use std::rc::Rc;

use sessionhunt::Report;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::SortKey;

/// Props of [`FindingsTable`].
#[derive(Properties, PartialEq)]
pub struct FindingsTableProps {
    /// The report.
    pub report: Rc<Report>,
    /// Indices of the findings to show, in order.
    pub rows: Vec<usize>,
    /// Current sort column.
    pub sort: SortKey,
    /// Current sort direction.
    pub descending: bool,
    /// Current filter text.
    pub filter: String,
    /// A column header was clicked.
    pub on_sort: Callback<SortKey>,
    /// The filter text changed.
    pub on_filter: Callback<String>,
}

/// A list cell: the first `n` items and "+k more"; the whole list in the tooltip.
fn list_cell<T: ToString>(items: &[T], n: usize) -> Html {
    let all: Vec<String> = items.iter().map(T::to_string).collect();
    let shown = all.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    let rest = all.len().saturating_sub(n);
    html! {
        <td class="list" title={all.join("\n")}>
            {shown}
            if rest > 0 { <span class="more">{format!(" +{rest} more")}</span> }
        </td>
    }
}

/// The findings table.
#[component]
pub fn FindingsTable(props: &FindingsTableProps) -> Html {
    let header = |key: SortKey, label: &str| {
        let on_sort = props.on_sort.clone();
        let active = props.sort == key;
        let sort = match (active, props.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        html! {
            <th aria-sort={sort}>
                <button class="sort" onclick={move |_| on_sort.emit(key)}>{label.to_owned()}</button>
            </th>
        }
    };
    let oninput = {
        let on_filter = props.on_filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_filter.emit(input.value());
        })
    };
    let findings = &props.report.findings;
    html! {
        <section aria-label="Findings">
            <div class="table-head">
                <h2>{"Findings"}</h2>
                <input type="search" placeholder="Filter: user, IP, rule, severity, country…" value={props.filter.clone()}
                    {oninput} aria-label="Filter findings" data-testid="findings-filter" />
                <span class="muted">{format!("{} of {}", props.rows.len(), findings.len())}</span>
            </div>
            if findings.is_empty() {
                <p class="muted" data-testid="no-findings">{"No findings: nothing in these files looks like session replay."}</p>
            } else {
                <table class="grid findings" data-testid="findings">
                    <thead><tr>
                        { header(SortKey::Severity, "Severity") }
                        { header(SortKey::Score, "Score") }
                        { header(SortKey::User, "User") }
                        <th>{"Rules"}</th>
                        { header(SortKey::FirstSeen, "First seen") }
                        { header(SortKey::LastSeen, "Last seen") }
                        <th>{"IPs"}</th>
                        <th>{"Countries"}</th>
                    </tr></thead>
                    <tbody>
                        { for props.rows.iter().map(|&i| {
                            let f = &findings[i];
                            html! {
                                <tr key={f.id.clone()}>
                                    <td class="nowrap"><span class={classes!("badge", f.severity.as_str())}>{f.severity.as_str()}</span></td>
                                    <td class="num">{f.score}</td>
                                    <td class="user">{f.user.clone()}</td>
                                    { list_cell(&f.rules, 3) }
                                    <td class="nowrap"><time>{f.first_seen.clone()}</time></td>
                                    <td class="nowrap"><time>{f.last_seen.clone()}</time></td>
                                    { list_cell(&f.ips, 2) }
                                    { list_cell(&f.countries, 4) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
