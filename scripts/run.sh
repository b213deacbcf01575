#!/usr/bin/env bash
# Builds sessionhunt and serves it at http://127.0.0.1:8080 (installs missing tools first).
# The page needs no file of yours: press "Try with sample data" for the built-in demo tenant.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
echo "sessionhunt: building, then serving at http://127.0.0.1:8080 (Ctrl-C to stop)"
# --no-autoreload: the live-reload snippet is an inline script, which the page's CSP forbids.
exec trunk serve --release --no-autoreload --address 127.0.0.1 --port 8080
