//! The About panel: which build this is (version, commit) and how an analyst checks that the file
//! they hold is the one that was published.
//!
//! The version and commit are compiled in: `scripts/build.sh` passes the commit in
//! `SESSIONHUNT_COMMIT`, so the same commit always gives the same bytes (no clock, no host name).

use yew::prelude::*;

/// The app's version (the workspace version in `Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit this build was made from, set by `scripts/build.sh` (`git rev-parse HEAD`, with
/// `-modified` when the work tree had uncommitted changes); `unknown` for other builds.
pub const COMMIT: &str = match option_env!("SESSIONHUNT_COMMIT") {
    Some(commit) => commit,
    None => "unknown",
};

/// Where the sources and releases live.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// True when the page is the single self-contained HTML file (its bootstrap sets
/// `sessionhuntSingleFile`), false when it is served from `dist/`.
fn single_file() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"sessionhuntSingleFile".into()).ok())
        .is_some_and(|v| v.is_truthy())
}

/// The About panel, folded by default.
#[component]
pub fn About() -> Html {
    let file = format!("sessionhunt-{VERSION}.html");
    let flavour = if single_file() {
        "this single self-contained HTML file"
    } else {
        "a served copy of dist/"
    };
    html! {
        <details class="about" data-testid="about">
            <summary>{"About this build and how to verify it"}</summary>
            <dl>
                <dt>{"Version"}</dt><dd data-testid="about-version">{VERSION}</dd>
                <dt>{"Build commit"}</dt><dd><code data-testid="about-commit">{COMMIT}</code></dd>
                <dt>{"Running as"}</dt><dd data-testid="about-flavour">{flavour}</dd>
            </dl>
            <p>
                {"Each release publishes "}<code>{file.clone()}</code>{" (the whole app in one file: \
                  open it from disk, no server needed), "}<code>{format!("sessionhunt-{VERSION}-dist.zip")}</code>
                {" (the site's files) and "}<code>{"SHA256SUMS"}</code>{", at "}<code>{format!("{REPOSITORY}/releases")}</code>{"."}
            </p>
            <p>{"To verify a download, put it next to SHA256SUMS and run:"}</p>
            <pre data-testid="about-verify">{format!("sha256sum -c --ignore-missing SHA256SUMS\n# or: sha256sum {file}   (compare with its line in SHA256SUMS)")}</pre>
            <p>
                {"The build is reproducible: checking out commit "}<code>{COMMIT}</code>
                {" and running "}<code>{"scripts/build.sh"}</code>{" rebuilds these files byte for byte, \
                  so the sums can be checked against your own build, not only against ours."}
            </p>
        </details>
    }
}
