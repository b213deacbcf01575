//! The status line: progress while working, the error when a request failed.

use yew::prelude::*;

use crate::format;
use crate::state::Phase;

/// Props of [`StatusLine`].
#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    /// What the page is doing.
    pub phase: Phase,
}

/// The status line.
#[component]
pub fn StatusLine(props: &StatusLineProps) -> Html {
    match &props.phase {
        Phase::Idle | Phase::Ready => html! {},
        Phase::Failed(message) => html! {
            <p class="status error" role="alert">{message.clone()}</p>
        },
        Phase::Working { label, progress } => {
            let (done, total, detail) = match progress {
                Some(p) => (
                    p.bytes_done,
                    p.bytes_total.max(1),
                    format!(
                        "{} of {} · file {} of {} · {}",
                        format::bytes(p.bytes_done),
                        format::bytes(p.bytes_total),
                        (p.files_done + 1).min(p.files_total),
                        p.files_total,
                        p.file
                    ),
                ),
                None => (0, 1, String::new()),
            };
            html! {
                <div class="status working" role="status" aria-live="polite">
                    <span>{label.clone()}</span>
                    <progress max={total.to_string()} value={done.to_string()}></progress>
                    <span class="muted">{detail}</span>
                </div>
            }
        }
    }
}
