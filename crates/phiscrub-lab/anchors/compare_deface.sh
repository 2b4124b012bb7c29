#!/usr/bin/env bash
# phiscrub against deface 1.5.0 (the anchor), in the same run on the same
# machine:
#   1. throughput on N 12-megapixel JPEGs (4032×3024, made from a fixture),
#      deface at threshold 0.2 on the onnxruntime backend with a solid fill
#      (faces only), phiscrub scrub with its defaults (faces, text, codes,
#      wristbands, verification of all) and with --no-text --no-codes
#      (faces only), all using every core;
#   2. face recall of both on the development face set (../shared/data/faces)
#      and its close-ups (../shared/data/closeups) with the independent pixel
#      score ../shared/tools/facerecall.py, when those are present.
# The first run creates a Python venv (target/bench-venv, or
# $PHISCRUB_BENCH_VENV) with deface==1.5.0, onnx (deface's onnxruntime backend imports it) and
# onnxruntime==1.31.1 from PyPI.
#
# Usage: crates/phiscrub-lab/anchors/compare_deface.sh [N_12MP=6]
set -euo pipefail
cd "$(dirname "$0")/../../.."
N=${1:-6}
VENV=${PHISCRUB_BENCH_VENV:-$PWD/target/bench-venv}
if ! "$VENV/bin/python" -c 'import deface, onnx, onnxruntime' 2>/dev/null; then
  echo "setting up $VENV (deface==1.5.0, onnxruntime==1.31.1)…" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q deface==1.5.0 onnx onnxruntime==1.31.1
fi
cargo build --release --quiet --bin phiscrub
cargo build --release --quiet -p phiscrub-lab --example make_bench_images
BIN=$PWD/target/release/phiscrub
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# deface writes NAME_anonymized.EXT next to each input; run it on a copy and
# move its outputs to OUT under the input names.
run_deface() { # in out
  rm -rf "$WORK/deface_in" && cp -r "$1" "$WORK/deface_in" && mkdir -p "$2"
  "$VENV/bin/deface" --thresh 0.2 --backend onnxrt --execution-provider CPUExecutionProvider \
    --replacewith solid "$WORK/deface_in"/* >/dev/null 2>&1
  for f in "$WORK/deface_in"/*_anonymized.*; do
    b=$(basename "$f"); mv "$f" "$2/${b/_anonymized/}"
  done
}
now() { date +%s.%N; }

echo "== throughput: $N photos of 4032×3024, $(nproc) cores"
target/release/examples/make_bench_images fixtures/photos/grace_hopper.jpg "$WORK/12mp" "$N" 4032 3024
t0=$(now); run_deface "$WORK/12mp" "$WORK/out_deface"; t1=$(now)
"$BIN" scrub "$WORK/12mp" --out "$WORK/out_phiscrub" --quiet >/dev/null || true
t2=$(now)
"$BIN" scrub "$WORK/12mp" --out "$WORK/out_faces" --no-text --no-codes --quiet >/dev/null 2>&1 || true
t3=$(now)
awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN {
  d = t1 - t0; p = t2 - t1; f = t3 - t2
  printf "deface (faces)           %7.2f s  %6.3f images/s  %6.2f s/image\n", d, n / d, d / n
  printf "phiscrub (everything)    %7.2f s  %6.3f images/s  %6.2f s/image\n", p, n / p, p / n
  printf "phiscrub (faces only)    %7.2f s  %6.3f images/s  %6.2f s/image\n", f, n / f, f / n
  printf "phiscrub everything is %.2fx, faces only %.2fx deface'"'"'s throughput\n", d / p, d / f }'

SCORE=../shared/tools/facerecall.py
# One row each for the development face set and its close-ups (one face
# filling the frame), when present.
for SET in faces closeups; do
  FACES=../shared/data/$SET
  if [ ! -f "$FACES/labels.jsonl" ] || [ ! -f "$SCORE" ]; then
    echo "($FACES or facerecall.py absent: recall comparison skipped)"
    continue
  fi
  echo "== face recall on $FACES (facerecall.py, pixels only)"
  rm -rf "$WORK/set_in" "$WORK/set_deface" "$WORK/set_phiscrub"
  mkdir -p "$WORK/set_in"
  cp "$FACES"/*.jpg "$WORK/set_in/"
  t0=$(now); run_deface "$WORK/set_in" "$WORK/set_deface"; t1=$(now)
  "$BIN" scrub "$WORK/set_in" --out "$WORK/set_phiscrub" --quiet >/dev/null 2>&1 || true
  t2=$(now)
  for who in deface phiscrub; do
    echo "-- $who"
    "$VENV/bin/python" "$SCORE" "$FACES" "$WORK/set_$who" "$FACES/labels.jsonl"
  done
  awk -v s="$SET" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
    printf "%s set time: deface %.1f s, phiscrub %.1f s\n", s, t1 - t0, t2 - t1 }'
done
