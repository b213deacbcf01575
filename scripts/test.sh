#!/usr/bin/env bash
# Runs every check sessionhunt has, in order, and stops at the first failure:
# formatting, clippy (native, and wasm32 for the web crate), unit and integration tests, a wasm32
# build of the core, the release build (scripts/build.sh: dist/, the single HTML file and the
# release files, exactly as the GitHub Pages and release workflows build them), the browser
# end-to-end tests (Playwright driving Debian Chromium against dist/ served on 127.0.0.1 at / and
# under /sessionhunt/, and against the single file opened from file://), and the reproducibility
# check (scripts/check-reproducible.sh). Installs missing tools first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh --tests
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native)"
cargo clippy --workspace --exclude sessionhunt-www --all-targets --locked -- -D warnings

step "clippy (wasm32, web crate)"
cargo clippy -p sessionhunt-www --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "unit and integration tests"
cargo test --workspace --exclude sessionhunt-www --locked
cargo test -p sessionhunt-www --lib --locked

step "core builds for wasm32"
cargo build -p sessionhunt --target wasm32-unknown-unknown --locked

step "release build: dist/, the single file, release/ (scripts/build.sh, as the GitHub workflows run it)"
scripts/build.sh

step "browser end-to-end tests (Chromium)"
cargo build -p sessionhunt-cli --locked
export SESSIONHUNT_CLI="$ROOT/target/debug/sessionhunt"
node --test --test-concurrency=1 tests/e2e/

step "reproducible build: a second build elsewhere gives the same bytes"
scripts/check-reproducible.sh
