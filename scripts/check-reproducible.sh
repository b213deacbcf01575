#!/usr/bin/env bash
# Checks that the build is reproducible: building the same sources a second time, somewhere else,
# gives byte-identical dist/, dist-single/sessionhunt.html and release/ files (scripts/test.sh runs
# this after scripts/build.sh). Run scripts/build.sh first.
#
# The second build is a copy of the work tree's tracked files in target/reproducible/src (another
# path, like another machine's checkout), with its own Cargo target directory, so every crate is
# compiled again from source there; that directory is kept between runs, so after the first run
# (about as long as a first release build) only the two crates of this workspace, the LTO link of
# the wasm (where all its code is generated), wasm-bindgen, wasm-opt, the single file and the zip
# are redone. It also checks that no path of this machine is left in the wasm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
start=$(date +%s)

for f in dist/index.html dist-single/sessionhunt.html release/SHA256SUMS; do
  [ -f "$f" ] || { echo "[reproducible] $f is missing: run scripts/build.sh first" >&2; exit 1; }
done

# The same commit stamp as the first build (the copy has no .git of its own).
SESSIONHUNT_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ "$SESSIONHUNT_COMMIT" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  SESSIONHUNT_COMMIT="$SESSIONHUNT_COMMIT-modified"
fi
export SESSIONHUNT_COMMIT
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}"

WORK="$ROOT/target/reproducible"
rm -rf "$WORK/src" "$WORK/out"
mkdir -p "$WORK/src" "$WORK/out"
git ls-files -z | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$WORK/src"

echo "[reproducible] second build of $SESSIONHUNT_COMMIT in $WORK/src" >&2
(cd "$WORK/src" && CARGO_TARGET_DIR="$WORK/target" SESSIONHUNT_OUT="$WORK/out" scripts/build.sh)

status=0
for d in dist dist-single release; do
  if ! diff -r -q "$ROOT/$d" "$WORK/out/$d" >&2; then status=1; fi
done
CARGO_HOME_DIR="$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)"
for wasm in dist/*.wasm; do
  for path in "$ROOT" "$CARGO_HOME_DIR" "$HOME"; do
    if grep -q -F "$path/" "$wasm"; then echo "[reproducible] $wasm contains the host path $path/" >&2; status=1; fi
  done
done
elapsed=$(( $(date +%s) - start ))
if [ "$status" = 0 ]; then
  echo "[reproducible] OK: the second build is byte-identical ($(find dist dist-single release -type f | wc -l) files, ${elapsed}s)" >&2
else
  echo "[reproducible] FAILED: the second build differs (${elapsed}s)" >&2
fi
exit "$status"
