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
    let reproduce = match COMMIT.strip_suffix("-modified") {
        Some(base) => format!(
            "This build was made from uncommitted changes on top of commit {base}: only the \
             released builds, made from a commit, can be rebuilt byte for byte."
        ),
        None if COMMIT == "unknown" => {
            "This build was not made by scripts/build.sh, so it carries \
            no commit and cannot be checked against a release."
                .to_owned()
        }
        None => format!(
            "The build is reproducible: checking out commit {COMMIT} and running scripts/build.sh \
             rebuilds these files byte for byte, so you can check the sums against your own build, \
             not only against ours."
        ),
    };
    html! {
        <details class="about" data-testid="about">
            <summary>{"About this build and how to verify it"}</summary>
            <p>
                {"sessionhunt "}<span data-testid="about-version">{VERSION}</span>
                {", built from commit "}<code data-testid="about-commit">{COMMIT}</code>
                {"; running as "}<span data-testid="about-flavour">{flavour}</span>{"."}
            </p>
            <p>
                {"Each release publishes "}<code>{file.clone()}</code>{" (the whole app in one file: \
                  open it from disk, no server needed), "}<code>{format!("sessionhunt-{VERSION}-dist.zip")}</code>
                {" (the site's files) and "}<code>{"SHA256SUMS"}</code>{", at "}<code>{format!("{REPOSITORY}/releases")}</code>{"."}
                {" To verify a download, put it next to SHA256SUMS and run:"}
            </p>
            <pre data-testid="about-verify">{format!("sha256sum -c --ignore-missing SHA256SUMS\n# or: sha256sum {file}   (compare with its line in SHA256SUMS)")}</pre>
            <p data-testid="about-reproduce">{reproduce}</p>
        </details>
    }
}
