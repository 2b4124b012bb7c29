#!/usr/bin/env bash
# Where the time of one photo goes, per stage and per network, at 0.3, 1, 2
# and 12 megapixels: the bundled portrait (one face) resized to each size,
# scrubbed by one worker with one ONNX Runtime thread, the median of three
# runs after a warm-up (crates/phiscrub-lab/examples/stage_table.rs). Prints the Markdown table
# BENCHMARKS.md shows.
#
# Usage: benches/stage_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p phiscrub-lab --example stage_table --example make_bench_images
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for size in 640x480 1152x864 1632x1224 4032x3024; do
  target/release/examples/make_bench_images fixtures/photos/grace_hopper.jpg \
    "$WORK/$size" 1 "${size%x*}" "${size#*x}"
  mv "$WORK/$size"/* "$WORK/portrait_$size.jpg"
done
target/release/examples/stage_table "$WORK"/portrait_640x480.jpg "$WORK"/portrait_1152x864.jpg \
  "$WORK"/portrait_1632x1224.jpg "$WORK"/portrait_4032x3024.jpg
