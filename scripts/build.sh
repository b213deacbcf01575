#!/usr/bin/env bash
# Builds everything sessionhunt ships, reproducibly (the same commit gives the same bytes):
#
#   dist/                              the site (GitHub Pages publishes this folder; any static server works)
#   dist-single/sessionhunt.html       the whole app in one self-contained HTML file (opens from file://)
#   release/sessionhunt-<v>.html       that file, named for the release
#   release/sessionhunt-<v>-dist.zip   dist/ zipped (stored entries, fixed times, sorted names)
#   release/SHA256SUMS                 their SHA-256 sums, for `sha256sum -c`
#
# Used by scripts/test.sh, the GitHub Pages workflow and the release workflow, so what CI publishes
# is what the tests checked. SESSIONHUNT_OUT=DIR writes the three folders under DIR instead of the
# repository root (scripts/check-reproducible.sh builds a second copy that way).
#
# What makes the bytes repeatable: the inputs are the sources, Cargo.lock and the pinned tools
# (rustc 1.95.0, wasm-bindgen 0.2.130, trunk 0.21.14, binaryen's wasm-opt); the commit id goes in as
# SESSIONHUNT_COMMIT (shown by the About panel) and the commit time as SOURCE_DATE_EPOCH (zip entry
# times); paths on the build machine are remapped out of the wasm (panic messages name source
# files), so the build folder and CARGO_HOME do not matter; nothing reads the clock.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
OUT="${SESSIONHUNT_OUT:-$ROOT}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

VERSION="$(awk '/^\[workspace.package\]/ { ws = 1 } ws && /^version = / { gsub(/version = |"/, ""); print; exit }' Cargo.toml)"
# The commit, with -modified when tracked files have uncommitted changes (a build of something
# that no commit holds). A SESSIONHUNT_COMMIT already set is kept (scripts/check-reproducible.sh
# builds a copy of the tree that has no .git).
if [ -z "${SESSIONHUNT_COMMIT:-}" ]; then
  SESSIONHUNT_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  if [ "$SESSIONHUNT_COMMIT" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    SESSIONHUNT_COMMIT="$SESSIONHUNT_COMMIT-modified"
  fi
fi
export SESSIONHUNT_COMMIT
COMMIT="$SESSIONHUNT_COMMIT"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}"

# Host paths out of the wasm: registry sources sit under CARGO_HOME, and the workspace under $ROOT.
# Set for the wasm32 target only, so host tools and native builds keep their cache. A RUSTFLAGS
# from the environment would override these (Cargo's precedence), so it is dropped here.
# WebAssembly SIMD as in .cargo/config.toml, which this variable overrides.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
CARGO_HOME_DIR="$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 --remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$ROOT=/sessionhunt"

echo "[build] sessionhunt $VERSION, commit $COMMIT" >&2
trunk build --release --locked=true --dist "$OUT/dist"

mkdir -p "$OUT/dist-single"
node scripts/single-file.mjs "$OUT/dist" "$OUT/dist-single/sessionhunt.html"

rm -rf "$OUT/release"
mkdir -p "$OUT/release"
cp "$OUT/dist-single/sessionhunt.html" "$OUT/release/sessionhunt-$VERSION.html"
python3 scripts/zip.py "$OUT/dist" "$OUT/release/sessionhunt-$VERSION-dist.zip" "sessionhunt-$VERSION/"
(cd "$OUT/release" && sha256sum "sessionhunt-$VERSION.html" "sessionhunt-$VERSION-dist.zip" > SHA256SUMS)

gz() { gzip -9 -n -c "$1" | wc -c; }
for f in "$OUT/dist/app_bg.wasm" "$OUT/dist/worker_bg.wasm" "$OUT/dist-single/sessionhunt.html"; do
  printf '[build] %-32s %9d bytes, %9d gzipped\n' "${f#"$OUT"/}" "$(wc -c < "$f")" "$(gz "$f")" >&2
done
sed 's/^/[build] /' "$OUT/release/SHA256SUMS" >&2
