#!/usr/bin/env bash
# phiscrub serve under a bounded load, against the library on the same
# images in the same run: N requests of 2-megapixel JPEGs (1632×1224, a
# fixture portrait scaled up: a face and text on each) from CLIENTS
# concurrent clients, first through Scrubber::scrub in one process, then
# over HTTP on loopback to `phiscrub serve --concurrency CLIENTS`. Prints
# throughput, p50/p99 latency, the HTTP/library throughput ratio, and the
# server's peak RSS (VmHWM).
#
# Usage: benches/http_load.sh [N=60] [CLIENTS=number of cores]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60}
C=${2:-$(nproc)}
cargo build --release --quiet --bin phiscrub
cargo build --release --quiet -p phiscrub-lab --example make_bench_images --example load
BIN=$PWD/target/release/phiscrub
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
target/release/examples/make_bench_images fixtures/photos/grace_hopper.jpg "$WORK/img" 8 1632 1224
echo "== $(nproc) cores, $N requests, $C clients, 8 distinct 2 MP photos"
LIB=$(target/release/examples/load library "$WORK/img" "$N" "$C")
echo "$LIB"
"$BIN" serve --bind 127.0.0.1:0 --concurrency "$C" > "$WORK/addr" 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 100); do grep -q http "$WORK/addr" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/addr")
HTTP=$(target/release/examples/load "$URL" "$WORK/img" "$N" "$C")
echo "$HTTP"
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
rate() { echo "$1" | grep -o '[0-9.]* images/s' | cut -d' ' -f1; }
awk -v l="$(rate "$LIB")" -v h="$(rate "$HTTP")" -v rss="$RSS" 'BEGIN {
  printf "HTTP throughput is %.3f of the library'"'"'s (%.1f %%); server peak RSS %.0f MiB\n", h / l, 100 * (h / l - 1), rss / 1024 }'
