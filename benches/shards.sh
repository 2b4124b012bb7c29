#!/usr/bin/env bash
# A run split into 4 shards (run one after the other, as 4 array tasks on
# one machine would be) against one run of the same files, in the same
# process of measurement: total time and byte-identical outputs.
#
#   benches/shards.sh [N_FILES] [EXTRA SCRUB ARGS...]
#
# N_FILES photos are copied from ../shared/data (faces, text, closeups,
# backgrounds, metadata; cycled with distinct names until there are N).
# Default: 1000 files, --metadata-only (the split's own cost, without the
# detectors' hours); pass e.g. `60 --no-codes` for a detecting run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
shift || true
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--metadata-only)
BIN=target/release/phiscrub
cargo build --release -q -p phiscrub-cli
SHARED=../shared/data
WORK=$(mktemp -d)
echo "work: $WORK" >&2
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
mapfile -t SRC < <(find "$SHARED"/{faces,text,closeups,backgrounds,metadata} -type f \
  \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)
mkdir -p "$WORK/in"
for ((i = 0; i < N; i++)); do
  s=${SRC[$((i % ${#SRC[@]}))]}
  d="$WORK/in/$((i / 100))"
  mkdir -p "$d"
  cp "$s" "$d/$i-$(basename "$s")"
done
find "$WORK/in" -type f | sort > "$WORK/list.txt"

now() { date +%s.%N; }
t0=$(now)
"$BIN" scrub -q "${ARGS[@]}" --files-from "$WORK/list.txt" --out "$WORK/one" \
  --report "$WORK/one.json" > /dev/null 2>&1 || true
t1=$(now)
for k in 1 2 3 4; do
  "$BIN" scrub -q "${ARGS[@]}" --files-from "$WORK/list.txt" --shard "$k/4" \
    --out "$WORK/split" --report "$WORK/shard-$k.json" > /dev/null 2>&1 || true
done
t2=$(now)
"$BIN" report merge "$WORK"/shard-{1,2,3,4}.json --out "$WORK/merged.json" > /dev/null || true

one=$(echo "$t1 - $t0" | bc -l)
split=$(echo "$t2 - $t1" | bc -l)
same=$(cd "$WORK/one" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
other=$(cd "$WORK/split" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
files_one=$(find "$WORK/one" -type f | wc -l)
files_split=$(find "$WORK/split" -type f | wc -l)
merged=$(python3 -c "import json,sys; t=json.load(open('$WORK/merged.json'))['totals']; print(t['files'], t['exported'], t['refused'], t['failed'])")
printf 'files=%d args="%s"\n' "$N" "${ARGS[*]}"
printf 'one run: %.1f s, %d outputs\n' "$one" "$files_one"
printf '4 shards in turn: %.1f s, %d outputs (%.3fx the one run)\n' "$split" "$files_split" "$(echo "$split / $one" | bc -l)"
printf 'outputs byte-identical: %s\n' "$([ "$same" = "$other" ] && echo yes || echo NO)"
printf 'merged report (files exported refused failed): %s\n' "$merged"
