//! The status line: progress (bytes, rows, time left) and a cancel button while working, the
//! error when a request failed.

use yew::prelude::*;

use crate::format;
use crate::state::Phase;

/// Props of [`StatusLine`].
#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    /// What the page is doing.
    pub phase: Phase,
    /// Cancel the running request.
    pub on_cancel: Callback<()>,
}

/// The status line.
#[component]
pub fn StatusLine(props: &StatusLineProps) -> Html {
    match &props.phase {
        Phase::Idle | Phase::Ready => html! {},
        Phase::Failed(message) => html! {
            <p class="status error" role="alert" data-testid="status-error">{message.clone()}</p>
        },
        Phase::Cancelled => html! {
            <p class="status" role="status" data-testid="status-cancelled">{"Cancelled. Nothing of the cancelled files was kept; choose files again to analyse them."}</p>
        },
        Phase::Working { label, progress, cancellable } => {
            let (done, total, detail) = match progress {
                Some(p) => (
                    p.bytes_done,
                    p.bytes_total.max(1),
                    format!(
                        "{} of {} · {} rows · file {} of {} · {}{}",
                        format::bytes(p.bytes_done),
                        format::bytes(p.bytes_total),
                        format::count(p.rows_done),
                        (p.files_done + 1).min(p.files_total),
                        p.files_total,
                        p.file,
                        match p.remaining_ms() {
                            Some(ms) => format!(" · {}", format::time_left(ms)),
                            None if p.bytes_done >= p.bytes_total => " · analysing".to_owned(),
                            None => String::new(),
                        }
                    ),
                ),
                None => (0, 1, String::new()),
            };
            let on_cancel = props.on_cancel.clone();
            html! {
                <div class="status working" role="status" aria-live="polite" data-testid="status-working">
                    <span>{label.clone()}</span>
                    <progress max={total.to_string()} value={done.to_string()} aria-label="Reading progress"></progress>
                    <span class="muted" data-testid="progress-detail">{detail}</span>
                    if *cancellable {
                        <button class="button" onclick={move |_| on_cancel.emit(())} data-testid="cancel">{"Cancel"}</button>
                    }
                </div>
            }
        }
    }
}
