#!/usr/bin/env bash
# Metadata-only scrubbing of a folder of N camera JPEGs (default 500):
# `phiscrub scrub --metadata-only` against `exiftool -all= -o OUTDIR` on the
# same folder in the same run, next to the I/O floor (`cp -r` of the folder).
# Each command runs 3 times; the best time counts (warm page cache for all).
#
# The folder cycles through the real camera and phone JPEGs of
# ../shared/data/metadata when present, else the committed fixtures.
#
# Usage: benches/metadata_vs_exiftool.sh [N=500] [SOURCE_DIR]
# (SOURCE_DIR: cycle through its *.jpg instead, e.g. only upright photos.)
# BASE_BIN=path/to/older/phiscrub also times that binary's metadata-only run
# in the same run (e.g. a build from before the canonical JPEG rebuild, to
# compare the rebuild with the byte filter it replaced).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
command -v exiftool >/dev/null || { echo "exiftool is needed (apt-get install libimage-exiftool-perl)" >&2; exit 1; }
cargo build --release --quiet --bin phiscrub
BIN=$PWD/target/release/phiscrub
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -n "${2:-}" ]; then
  SRC=("$2"/*.jpg)
elif [ -d ../shared/data/metadata ]; then
  SRC=(../shared/data/metadata/*.jpg)
else
  SRC=(fixtures/metadata/*.jpg fixtures/photos/*.jpg)
fi
mkdir -p "$WORK/in"
for ((i = 0; i < N; i++)); do
  f=${SRC[i % ${#SRC[@]}]}
  cp "$f" "$WORK/in/$(printf %04d $i)_$(basename "$f")"
done
echo "$N JPEGs cycled from ${#SRC[@]} sources ($(du -sh "$WORK/in" | cut -f1)); $(nproc) cores; exiftool $(exiftool -ver)"

now() { date +%s.%N; }
best() { # command... ; prints the best wall time of 3 runs
  local b=999999 t0 t1
  for _ in 1 2 3; do
    rm -rf "$WORK/out"
    t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
    b=$(awk -v b="$b" -v d="$(awk -v a="$t0" -v c="$t1" 'BEGIN{print c-a}')" 'BEGIN{print (d<b)?d:b}')
  done
  echo "$b"
}
count() { find "$WORK/out" -type f 2>/dev/null | wc -l; }

T_CP=$(best cp -r "$WORK/in" "$WORK/out")
# phiscrub flushes its outputs to disk before reporting; cp and exiftool do
# not. This floor includes the same flush.
cp_sync() { cp -r "$1" "$2" && sync -f "$2"; }
T_CPS=$(best cp_sync "$WORK/in" "$WORK/out")
T_EX=$(best exiftool -q -q -m -all= -o "$WORK/out/" "$WORK/in")
N_EX=$(count)
T_P1=$(best "$BIN" scrub "$WORK/in" --out "$WORK/out" --metadata-only --quiet --jobs 1)
T_PN=$(best "$BIN" scrub "$WORK/in" --out "$WORK/out" --metadata-only --quiet)
N_PN=$(count)
# The floor of a canonical rebuild: libjpeg-turbo's own lossless transcoder
# (Debian's libjpeg-turbo-progs, with SIMD) on every file, as many at once as
# cores, markers not copied.
T_JT=0
if command -v jpegtran >/dev/null; then
  jt() { mkdir -p "$2" && find "$1" -name '*.jpg' -print0 |
    xargs -0 -P "$(nproc)" -I{} sh -c 'jpegtran -copy none -outfile "$0/$(basename "$1")" "$1" 2>/dev/null || true' "$2" {}; }
  T_JT=$(best jt "$WORK/in" "$WORK/out")
fi
T_B=0
if [ -n "${BASE_BIN:-}" ]; then
  T_B=$(best "$BASE_BIN" scrub "$WORK/in" --out "$WORK/out" --metadata-only --quiet)
fi
# phiscrub's own summary line (refusals: MPF and arithmetic-coded files).
SUMMARY=$("$BIN" scrub "$WORK/in" --out "$WORK/why" --metadata-only --quiet 2>/dev/null || true)

awk -v n="$N" -v cp="$T_CP" -v cps="$T_CPS" -v ex="$T_EX" -v p1="$T_P1" -v pn="$T_PN" \
    -v nex="$N_EX" -v npn="$N_PN" -v cores="$(nproc)" -v base="$T_B" -v jt="$T_JT" 'BEGIN {
  printf "%-34s %8.3f s  %8.2f ms/file  files out\n", "cp -r (I/O floor)", cp, 1000*cp/n
  printf "%-34s %8.3f s  %8.2f ms/file\n", "cp -r + sync -f (durable floor)", cps, 1000*cps/n
  printf "%-34s %8.3f s  %8.2f ms/file  %d\n", "exiftool -all= -o OUTDIR", ex, 1000*ex/n, nex
  printf "%-34s %8.3f s  %8.2f ms/file  %d\n", "phiscrub --metadata-only --jobs 1", p1, 1000*p1/n, npn
  printf "%-34s %8.3f s  %8.2f ms/file  %d\n", "phiscrub --metadata-only (" cores " jobs)", pn, 1000*pn/n, npn
  if (jt > 0) printf "%-34s %8.3f s  %8.2f ms/file\n", "jpegtran -copy none (" cores " at once)", jt, 1000*jt/n
  if (base > 0) printf "%-34s %8.3f s  %8.2f ms/file\n", "BASE_BIN --metadata-only (" cores " jobs)", base, 1000*base/n
  printf "ratio exiftool / phiscrub: %.1fx with 1 job, %.1fx with %d jobs; phiscrub = %.1fx cp, %.1fx cp+sync\n", ex/p1, ex/pn, cores, pn/cp, pn/cps
  if (base > 0) printf "phiscrub / BASE_BIN: %.2fx; BASE_BIN = %.1fx cp+sync\n", pn/base, base/cps
  if (jt > 0) printf "phiscrub / jpegtran: %.2fx; jpegtran = %.1fx cp+sync\n", pn/jt, jt/cps
}'
echo "phiscrub: $SUMMARY"
