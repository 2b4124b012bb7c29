#!/usr/bin/env bash
# Throughput of `phiscrub scrub` on two folders, each next to its floors
# measured in the same run:
#   - cp: copying the same files (the I/O floor);
#   - bare: one CenterFace pass per image (`phiscrub` is at least 2 passes:
#     detection, then verification) from the criterion bench, reported apart.
# Folders: the bundled fixtures (5 photos, copied 4 times = 20 images) and
# N 12-megapixel JPEGs (4032×3024, a phone photo) made from a fixture.
#
# Usage: benches/throughput.sh [N_12MP=8] [JOBS=all cores] [THREADS_PER_JOB=1]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-8}
JOBS=${2:-$(nproc)}
THREADS=${3:-1}
cargo build --release --quiet --bin phiscrub
cargo build --release --quiet -p phiscrub-lab --example make_bench_images
BIN=target/release/phiscrub
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/fixtures"
for i in 1 2 3 4; do
  for f in fixtures/photos/*; do cp "$f" "$WORK/fixtures/${i}_$(basename "$f")"; done
done
target/release/examples/make_bench_images fixtures/photos/grace_hopper.jpg "$WORK/12mp" "$N" 4032 3024

now() { date +%s.%N; }
measure() { # name dir
  local name=$1 dir=$2 n t0 t1 t2
  n=$(find "$dir" -type f | wc -l)
  sync
  t0=$(now); cp -r "$dir" "$WORK/cp_$name"; sync; t1=$(now)
  "$BIN" scrub "$dir" --out "$WORK/out_$name" --jobs "$JOBS" --threads-per-job "$THREADS" --quiet >/dev/null
  t2=$(now)
  awk -v name="$name" -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
    cp = t1 - t0; ph = t2 - t1
    printf "%-9s %3d images  cp %7.3f s  phiscrub %7.3f s  = %6.2f images/s, %6.3f s/image, %7.1f x cp\n",
      name, n, cp, ph, n / ph, ph / n, ph / cp }'
}
echo "phiscrub $("$BIN" --version | cut -d' ' -f2), $JOBS job(s) × $THREADS thread(s), $(nproc) cores"
measure fixtures "$WORK/fixtures"
measure 12mp "$WORK/12mp"
