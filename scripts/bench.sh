#!/usr/bin/env bash
# Benchmarks sessionhunt against what an analyst would use instead, on the same files in the same
# run (issue 6; not part of scripts/test.sh). Figures go in the issue note, never in timed tests.
#
#   scripts/bench.sh [--users N] [--days D] [--skip-browser] [--skip-growth]
#
# 1. Writes a simulated portal-CSV tenant with `sessionhunt demo --layout portal` (default 2250
#    users over 30 days: about 540 MB and 540k sign-in rows) into target/bench/tenant-<users>x<days>/.
# 2. Native: times `sessionhunt analyze` (release build) on the two sign-in CSVs and on the whole
#    tenant (audit log included): MB/s, events/s, peak RSS (/usr/bin/time -v).
# 3. DuckDB native (pip `duckdb` in a venv under target/bench/venv) running H1's core query
#    (scripts/bench/h1.sql) on the same two CSVs.
# 4. Browser (Chromium, playwright-core of tests/e2e): the built page (dist/) on the same two CSVs,
#    and DuckDB-WASM (npm @duckdb/duckdb-wasm in target/bench/npm, served locally) running the same
#    SQL; time to result, peak renderer RSS, sessionhunt's wasm memory (scripts/bench/browser.mjs).
# 5. Growth: the CLI and the page on 100k, 1M and 3M generated portal rows (benches/shapes via the
#    criterion bench's generator is in-process only, so this uses `demo` tenants scaled by users).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
USERS=2250
DAYS=30
BROWSER=1
GROWTH=1
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --days) DAYS="$2"; shift 2 ;;
    --skip-browser) BROWSER=0; shift ;;
    --skip-growth) GROWTH=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
BENCH="$ROOT/target/bench"
mkdir -p "$BENCH"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other builds: figures are noisy)"

cargo build --release --locked -p sessionhunt-cli
CLI="$ROOT/target/release/sessionhunt"

tenant() { # users days -> folder
  local dir="$BENCH/tenant-$1x$2"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    "$CLI" demo --layout portal --users "$1" --days "$2" --out "$dir" >&2
    touch "$dir/.done"
  fi
  echo "$dir"
}

# Runs the CLI under /usr/bin/time -v and prints MB/s, events/s and peak RSS.
native() { # label path...
  local label="$1"; shift
  local out="$BENCH/report.json" tv="$BENCH/time.txt"
  /usr/bin/time -v "$CLI" analyze -q -o "$out" "$@" 2> "$tv"
  python3 - "$label" "$out" "$tv" <<'PY'
import json, re, sys
label, out, tv = sys.argv[1:]
r = json.load(open(out)); t = open(tv).read()
wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) * 1024
mb = sum(i["bytes"] for i in r["inputs"]) / 1e6
ev = sum(i["events"] for i in r["inputs"])
print(f"sessionhunt native {label}: {mb:.1f} MB, {ev} events, {len(r['findings'])} findings in {secs:.2f} s "
      f"= {mb / secs:.0f} MB/s, {ev / secs / 1e3:.0f} k events/s; peak RSS {rss / 1e6:.0f} MB ({rss / max(ev, 1):.0f} B/event)")
PY
}

DIR="$(tenant "$USERS" "$DAYS")"
INTER="$(ls "$DIR"/InteractiveSignIns_*.csv)"
NONINTER="$(ls "$DIR"/NonInteractiveSignIns_*.csv)"
echo
echo "== tenant $DIR: $(du -sh "$DIR" | cut -f1), $(cat "$INTER" "$NONINTER" | wc -l) sign-in lines"
native "sign-in CSVs" "$INTER" "$NONINTER"
native "whole tenant (with UAL)" "$DIR"

echo
echo "== DuckDB native, H1"
if [ ! -x "$BENCH/venv/bin/python" ]; then python3 -m venv "$BENCH/venv"; fi
"$BENCH/venv/bin/python" -c 'import duckdb' 2>/dev/null || "$BENCH/venv/bin/pip" install -q duckdb
"$BENCH/venv/bin/python" scripts/bench/duckdb_h1.py "$INTER" "$NONINTER"

if [ "$BROWSER" = 1 ]; then
  echo
  echo "== browser (Chromium)"
  [ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci)
  [ -f dist/worker_bg.wasm ] || trunk build --release
  mkdir -p "$BENCH/npm"
  [ -f "$BENCH/npm/package.json" ] || echo '{"private":true}' > "$BENCH/npm/package.json"
  [ -d "$BENCH/npm/node_modules/@duckdb/duckdb-wasm" ] ||
    (cd "$BENCH/npm" && npm install --no-audit --no-fund @duckdb/duckdb-wasm@1.32.0)
  cp scripts/bench/duckdb.html "$BENCH/npm/duckdb.html"
  node scripts/bench/browser.mjs sessionhunt "$INTER" "$NONINTER"
  node scripts/bench/browser.mjs duckdb-wasm "$INTER" "$NONINTER"
fi

if [ "$GROWTH" = 1 ]; then
  echo
  echo "== growth: 100k, 1M, 3M sign-in rows (portal CSV, 30 days), natively and in the browser"
  for users in 415 4150 12450; do
    G="$(tenant "$users" 30)"
    native "$users users" "$(ls "$G"/InteractiveSignIns_*.csv)" "$(ls "$G"/NonInteractiveSignIns_*.csv)"
    # In the page too: its wasm memory at 1M rows (issue 6: within 1 GB) and at 3M rows, about
    # 3 GB of CSV (within wasm32's 4 GB).
    if [ "$BROWSER" = 1 ]; then
      node scripts/bench/browser.mjs sessionhunt "$(ls "$G"/InteractiveSignIns_*.csv)" "$(ls "$G"/NonInteractiveSignIns_*.csv)"
    fi
  done
fi
