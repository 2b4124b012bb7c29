#!/usr/bin/env bash
# Runs every container fuzz target for SECONDS each (default 600), JOBS at a
# time (default 2), seeding each corpus from the committed fixtures. A crash
# leaves its input under fuzz/artifacts/TARGET/; copy it to
# tests/fuzz_regressions/ so that tests/fuzz_regressions.rs replays it.
#
# Needs a nightly-capable compiler (RUSTC_BOOTSTRAP=1 is set here) and
# `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
JOBS=${2:-2}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O

seed() { # target extensions...
  local t=$1; shift
  mkdir -p "fuzz/corpus/$t"
  for ext in "$@"; do
    find fixtures -type f -name "*.$ext" -exec cp {} "fuzz/corpus/$t/" \;
  done
}
seed jpeg jpg jpeg
seed png png
seed webp webp
seed gif gif
seed tiff tif tiff
seed scrub_metadata_only jpg png webp gif tif tiff

run() {
  cargo fuzz run -O "$1" "fuzz/corpus/$1" -- -max_total_time="$SECONDS_EACH" \
    -rss_limit_mb=2048 -print_final_stats=1 >"fuzz/$1.log" 2>&1
  echo "$1: exit $? — $(grep -E 'stat::number_of_executed_units' "fuzz/$1.log" | tail -1)"
}
export -f run
export SECONDS_EACH
printf '%s\n' jpeg png webp gif tiff scrub_metadata_only | xargs -P "$JOBS" -I{} bash -c 'run {}'
