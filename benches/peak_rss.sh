#!/usr/bin/env bash
# Peak memory of a whole `phiscrub scrub` run against the number of files:
# N 12-megapixel JPEGs (4032×3024, a fixture portrait scaled up: a face and
# some text on every one), scrubbed with the defaults on every core, and a
# quarter of them for comparison. Peak RSS must not grow with the number of
# files: each worker holds one decoded image at a time. `cp` of the same
# files is the I/O floor.
#
# Usage: benches/peak_rss.sh [N=200]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
Q=$(( N / 4 ))
cargo build --release --quiet --bin phiscrub
cargo build --release --quiet -p phiscrub-lab --example make_bench_images
BIN=$PWD/target/release/phiscrub
WORK=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$WORK"' EXIT
target/release/examples/make_bench_images fixtures/photos/grace_hopper.jpg "$WORK/all" "$N" 4032 3024
mkdir "$WORK/quarter"
ls "$WORK/all" | head -n "$Q" | while read -r f; do ln "$WORK/all/$f" "$WORK/quarter/$f"; done
echo "== $(nproc) cores; $(du -sh "$WORK/all" | cut -f1) of input"
measure() { # label dir
  /usr/bin/time -f "%M %e" -o "$WORK/time" "${@:3}" >/dev/null 2>&1 || true
  read -r kb secs < "$WORK/time"
  n=$(ls "$2" | wc -l)
  awk -v l="$1" -v kb="$kb" -v s="$secs" -v n="$n" 'BEGIN {
    printf "%-32s %5d files  peak RSS %7.1f MiB  %7.1f s  %6.2f s/image\n", l, n, kb / 1024, s, s / n }'
}
measure "cp (floor)" "$WORK/all" cp -r "$WORK/all" "$WORK/cp_out"
measure "phiscrub scrub, N/4 files" "$WORK/quarter" "$BIN" scrub "$WORK/quarter" --out "$WORK/out_q" --quiet
measure "phiscrub scrub, N files" "$WORK/all" "$BIN" scrub "$WORK/all" --out "$WORK/out_all" --quiet
echo "exported: $(ls "$WORK/out_q" | wc -l)/$Q and $(ls "$WORK/out_all" | wc -l)/$N"
