//! The analyst's verdict on a finding: true positive, false positive or benign true positive,
//! with a note; kept in this browser by finding id (so it survives a re-analysis with other
//! settings), shown in the grid, read by every hand-off export, and shared as a grades file
//! (docs/exports.md). A false positive offers to allowlist the origin that caused it, in one
//! click: the allowlist is a setting, so the finding is re-scored and shows the suppression.

use sessionhunt::Settings;
use sessionhunt::export::{Grade, GradeEntry};
use sessionhunt::report::Finding;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::context::{use_dispatch, use_worker};
use crate::state::{Action, Shared};

/// Props of [`GradePanel`].
#[derive(Properties, PartialEq)]
pub struct GradeProps {
    /// The finding graded.
    pub finding: Finding,
    /// Its grade, if any.
    pub grade: Option<GradeEntry>,
    /// The settings in force (the allowlist a false positive adds to).
    pub settings: Shared<Settings>,
}

/// The network an address belongs to for an allowlist: its /24 (IPv4) or /64 (IPv6), the usual
/// size of an office's, a VPN exit pool's or a household's block; `None` for text that is no IP.
fn network_of(ip: &str) -> Option<ipnet::IpNet> {
    let ip: std::net::IpAddr = ip.trim().parse().ok()?;
    let prefix = if ip.is_ipv4() { 24 } else { 64 };
    ipnet::IpNet::new(ip, prefix).ok().map(|n| n.trunc())
}

/// An origin a false positive can allowlist: an IP, its network (CIDR), or an ASN with its name.
fn origins(f: &Finding) -> Vec<(String, Settings)> {
    let mut out = Vec::new();
    for ip in f.ips.iter().take(3) {
        let mut s = Settings::default();
        s.allow.ips.push(ip.clone());
        out.push((format!("IP {ip}"), s));
    }
    let mut cidrs: Vec<String> = Vec::new();
    for net in f.ips.iter().take(3).filter_map(|ip| network_of(ip)) {
        let net = net.to_string();
        if !cidrs.contains(&net) {
            let mut s = Settings::default();
            s.allow.cidrs.push(net.clone());
            out.push((format!("network {net}"), s));
            cidrs.push(net);
        }
    }
    for &asn in f.asns.iter().take(2) {
        let mut s = Settings::default();
        s.allow.asns.push(asn);
        out.push((sessionhunt::enrich::asn_label(asn), s));
    }
    out
}

/// The grade control of the details panel.
#[component]
pub fn GradePanel(props: &GradeProps) -> Html {
    let dispatch = use_dispatch();
    let worker = use_worker();
    let note = use_state(|| props.grade.as_ref().map(|g| g.note.clone()).unwrap_or_default());
    {
        // Another finding opened in the same panel: its own note.
        let note = note.clone();
        let initial = props.grade.as_ref().map(|g| g.note.clone()).unwrap_or_default();
        use_effect_with(props.finding.id.clone(), move |_| note.set(initial));
    }
    let id = props.finding.id.clone();
    let set = {
        let dispatch = dispatch.clone();
        let note = note.clone();
        let id = id.clone();
        Callback::from(move |grade: Option<Grade>| {
            if let Some(dispatch) = &dispatch {
                dispatch.dispatch(Action::Grade(id.clone(), grade.map(|g| (g, (*note).clone()))));
            }
        })
    };
    let on_note = {
        let note = note.clone();
        let dispatch = dispatch.clone();
        let current = props.grade.as_ref().map(|g| g.grade);
        let id = id.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlTextAreaElement = e.target_unchecked_into();
            note.set(input.value());
            // The note follows a grade already given; without a grade it waits for one.
            if let (Some(dispatch), Some(grade)) = (&dispatch, current) {
                dispatch.dispatch(Action::Grade(id.clone(), Some((grade, input.value()))));
            }
        })
    };
    let current = props.grade.as_ref().map(|g| g.grade);
    let allow = |extra: Settings| {
        let dispatch = dispatch.clone();
        let worker = worker.clone();
        let settings = (*props.settings).clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = settings.clone();
            for ip in &extra.allow.ips {
                if !next.allow.ips.contains(ip) {
                    next.allow.ips.push(ip.clone());
                }
            }
            for cidr in &extra.allow.cidrs {
                if !next.allow.cidrs.contains(cidr) {
                    next.allow.cidrs.push(cidr.clone());
                }
            }
            for asn in &extra.allow.asns {
                if !next.allow.asns.contains(asn) {
                    next.allow.asns.push(*asn);
                }
            }
            if let (Some(dispatch), Some(worker)) = (&dispatch, &worker) {
                crate::context::apply_settings(dispatch, worker, next, true);
            }
        })
    };
    html! {
        <fieldset class="grading" data-testid="grading">
            <legend>{"Your verdict"}</legend>
            <div class="grade-choices" role="radiogroup" aria-label="Grade">
                { for Grade::ALL.into_iter().map(|g| {
                    let set = set.clone();
                    let checked = current == Some(g);
                    html! {
                        <label class={classes!("grade-choice", g.as_str())}>
                            <input type="radio" name="grade" {checked} data-testid={format!("grade-{}", g.as_str())}
                                onchange={move |e: Event| {
                                    let input: HtmlInputElement = e.target_unchecked_into();
                                    if input.checked() { set.emit(Some(g)); }
                                }} />
                            {g.label()}
                        </label>
                    }
                }) }
                if current.is_some() {
                    <button class="button small" data-testid="grade-clear" onclick={let set = set.clone(); move |_| set.emit(None)}>{"Clear"}</button>
                }
            </div>
            <label class="grade-note">{"Note"}
                <textarea rows="2" value={(*note).clone()} oninput={on_note} data-testid="grade-note"
                    placeholder="Why: confirmed with the user, the user's own VPN, a red-team exercise…" />
            </label>
            if current == Some(Grade::FalsePositive) {
                <p class="muted" data-testid="allowlist-offer">
                    {"Allowlist the origin that caused it (a setting: the finding is re-scored and shows the suppression): "}
                    { for origins(&props.finding).into_iter().map(|(label, extra)| html! {
                        <button class="button small" data-testid="allowlist-origin" onclick={allow(extra)}>{format!("Allowlist {label}")}</button>
                    }) }
                </p>
            }
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_false_positive_offers_its_ips_their_networks_and_its_asns() {
        let f = Finding {
            ips: vec!["24.76.26.138".into(), "24.76.26.9".into(), "2001:db8:1:2:3::4".into()],
            asns: vec![9009],
            ..Finding::default()
        };
        let labels: Vec<String> = origins(&f).into_iter().map(|(l, _)| l).collect();
        assert_eq!(
            labels,
            [
                "IP 24.76.26.138",
                "IP 24.76.26.9",
                "IP 2001:db8:1:2:3::4",
                "network 24.76.26.0/24",
                "network 2001:db8:1:2::/64",
                &sessionhunt::enrich::asn_label(9009),
            ]
        );
        let (_, s) = &origins(&f)[3];
        assert_eq!(s.allow.cidrs, ["24.76.26.0/24"]);
        assert!(s.problems().is_empty(), "the core accepts it: {:?}", s.problems());
        assert_eq!(network_of("not an ip"), None);
    }
}
