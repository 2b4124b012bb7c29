#!/usr/bin/env bash
# Cost of one phiscrub build against another, in the same run on the same
# machine: `scrub` with its defaults (every detector, verification) on
# 2-megapixel (1632×1224) and 12-megapixel (4032×3024) JPEGs, each bundled
# photo resized once (five different pictures, so that no detector answers
# from its memory of the previous image), every core used. The builds run
# alternately, ROUNDS times each, and the best round of each counts (noise
# on a shared machine only ever adds time).
#
# Usage: benches/ab_cost.sh OLD_BIN NEW_BIN [ROUNDS=2]
#   e.g. git worktree add /tmp/old <rev> && (cd /tmp/old && cargo build --release)
#        benches/ab_cost.sh /tmp/old/target/release/phiscrub target/release/phiscrub
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
ROUNDS=${3:-2}
cargo build --release --quiet -p phiscrub-lab --example make_bench_images
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for size in 1632x1224 4032x3024; do
  for f in fixtures/photos/*; do
    b=$(basename "${f%.*}")
    target/release/examples/make_bench_images "$f" "$WORK/in_$size/$b" 1 "${size%x*}" "${size#*x}"
  done
done

now() { date +%s.%N; }
best() { # bin dir -> best seconds over ROUNDS
  local t b=""
  for _ in $(seq "$ROUNDS"); do
    rm -rf "$WORK/out"
    local t0; t0=$(now)
    "$1" scrub "$2" --out "$WORK/out" --quiet >/dev/null 2>&1 || true
    t=$(echo "$(now) - $t0" | bc)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}

echo "old: $OLD ($("$OLD" --version)), new: $NEW ($("$NEW" --version)), $(nproc) cores, best of $ROUNDS"
for size in 1632x1224 4032x3024; do
  n=$(find "$WORK/in_$size" -type f | wc -l)
  o=$(best "$OLD" "$WORK/in_$size")
  w=$(best "$NEW" "$WORK/in_$size")
  awk -v s="$size" -v n="$n" -v o="$o" -v w="$w" 'BEGIN {
    printf "%-10s %d images  old %6.2f s/image  new %6.2f s/image  new/old %.2fx\n",
      s, n, o / n, w / n, w / o }'
done
