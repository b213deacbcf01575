#!/usr/bin/env bash
# Installs what sessionhunt needs on a fresh Debian machine with only the stock Rust toolchain,
# skipping (fast) whatever is already present. Safe to run any number of times.
#
#   scripts/setup.sh            everything the app build needs (wasm target, trunk, wasm-bindgen, wasm-opt)
#   scripts/setup.sh --tests    the above plus what the test suite needs (Chromium, playwright-core,
#                               the duckdb Python package, the export validators in tests/tools)
#
# Versions are pinned here and nowhere else except Cargo.toml / Trunk.toml (wasm-bindgen, checked below).
set -euo pipefail

TRUNK_VERSION=0.21.14
# The DuckDB oracle of the reference hunts (scripts/oracle/, tests/hunts_oracle.rs).
DUCKDB_VERSION=2.0.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WANT_TESTS=0
[ "${1:-}" = "--tests" ] && WANT_TESTS=1

say() { printf '[setup] %s\n' "$*" >&2; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly: read the version from Cargo.lock,
# and check that Trunk.toml agrees, so the three pins can never drift apart silently.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [ -z "$WB_VERSION" ]; then say "cannot find wasm-bindgen in Cargo.lock"; exit 1; fi
if ! grep -q "wasm_bindgen = \"$WB_VERSION\"" "$ROOT/Trunk.toml"; then
  say "Trunk.toml [tools] wasm_bindgen does not match Cargo.lock's wasm-bindgen $WB_VERSION"; exit 1
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
APT_UPDATED=0
apt_install() { # apt_install PACKAGE...: installs the Debian packages given, updating the lists once
  if [ "$APT_UPDATED" = 0 ]; then $SUDO apt-get update -qq >&2; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown >&2
fi
for comp in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$comp"; then rustup component add "$comp" >&2; fi
done

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION" >&2
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  # Not --locked: one of its locked dependencies is missing from the registry mirror.
  say "installing wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" >&2
fi

if ! command -v wasm-opt >/dev/null; then say "installing binaryen (wasm-opt)"; apt_install binaryen; fi
# Reproducible bytes need the same wasm-opt as the published build (Debian 12 binaryen: 108).
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != 108 ]; then
  say "note: wasm-opt is not version 108 ($(wasm-opt --version 2>/dev/null)): the build works, but its bytes will differ from the releases'"
fi
# scripts/build.sh makes the single-file build with Node (no npm package needed) and the release zip
# with Python's standard zipfile.
if ! command -v node >/dev/null; then say "installing Node.js"; apt_install nodejs; fi
if ! command -v python3 >/dev/null; then say "installing Python 3"; apt_install python3; fi

if [ "$WANT_TESTS" = 1 ]; then
  if [ ! -x /usr/bin/chromium ]; then say "installing Debian chromium"; apt_install chromium; fi
  if ! command -v npm >/dev/null; then say "installing npm"; apt_install npm; fi
  if ! command -v unzip >/dev/null; then say "installing unzip"; apt_install unzip; fi
  E2E="$ROOT/tests/e2e"
  stamp="$E2E/node_modules/.sessionhunt-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$E2E/package-lock.json" "$stamp"; then
    say "installing the browser-test node packages"
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$E2E/package-lock.json" "$stamp"
  fi
  if ! python3 -c "import sys, duckdb; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    say "installing the duckdb $DUCKDB_VERSION Python package (the hunts' oracle)"
    if ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
    # Debian's Python refuses user-wide installs into the system (PEP 668) unless told.
    python3 -m pip install --quiet --user "duckdb==$DUCKDB_VERSION" >&2 2>/dev/null \
      || python3 -m pip install --quiet --user --break-system-packages "duckdb==$DUCKDB_VERSION" >&2 \
      || python3 -m pip install --quiet "duckdb==$DUCKDB_VERSION" >&2
  fi
  # The export validators (cli/tests/kql.rs, cli/tests/contain.rs): the Kusto language service and
  # the tree-sitter PowerShell grammar (prebuilt binding, no compiler needed).
  TOOLS="$ROOT/tests/tools"
  stamp="$TOOLS/node_modules/.sessionhunt-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$TOOLS/package-lock.json" "$stamp"; then
    say "installing the export-validator node packages"
    (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$TOOLS/package-lock.json" "$stamp"
  fi
fi
say "tools ready"
