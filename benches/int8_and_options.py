#!/usr/bin/env python3
"""Faster networks, measured before adopting any: for CenterFace and the
PP-OCRv4 text detector, on one CPU thread as phiscrub runs them,

1. ONNX Runtime's session options: graph optimisation level (basic,
   extended, all) and the memory arena / memory pattern;
2. INT8: ONNX Runtime's static QDQ quantisation (per-channel int8 weights,
   uint8 activations, MinMax calibration on every 8th photo of
   ../shared/data/faces, closeups and text, prepared as phiscrub prepares
   them), the model first lifted to opset 13 where it is older; the
   quantised model's time and how far its outputs move from FP32's.

Writes the INT8 models to OUTDIR (they are not committed: none is adopted,
see BENCHMARKS.md). Deterministic: the same inputs give the same bytes.

usage: benches/int8_and_options.py OUTDIR
needs: onnx==1.17.0 onnxruntime==1.31.1 numpy pillow
"""
import glob
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import version_converter
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                      QuantType, quant_pre_process,
                                      quantize_static)
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED = os.path.join(ROOT, "..", "shared", "data")
SIZE = (640, 480)  # a tile of the whole-frame pass, sides multiples of 32


def centerface_input(path):
    im = Image.open(path).convert("RGB").resize(SIZE)
    return np.asarray(im, np.float32).transpose(2, 0, 1)[None].copy()


def text_input(path):
    im = Image.open(path).convert("RGB").resize(SIZE)
    bgr = np.asarray(im, np.float32)[:, :, ::-1] / 127.5 - 1.0
    return bgr.transpose(2, 0, 1)[None].copy()


MODELS = [
    ("centerface", "centerface.onnx", "input.1", centerface_input),
    ("ppocr_det", "ch_PP-OCRv4_det_infer.onnx", "x", text_input),
]


class Reader(CalibrationDataReader):
    def __init__(self, name, prepare, files):
        self.items = iter([{name: prepare(f)} for f in files])

    def get_next(self):
        return next(self.items, None)


def timed(path, name, x, **opts):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    for k, v in opts.items():
        setattr(so, k, v)
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    s.run(None, {name: x})
    times = []
    for _ in range(5):
        t = time.perf_counter()
        out = s.run(None, {name: x})
        times.append(time.perf_counter() - t)
    return sorted(times)[2] * 1000, out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    files = []
    for sub in ("faces", "closeups", "text"):
        files += sorted(glob.glob(os.path.join(SHARED, sub, "*.jpg")))[::8]
    if not files:
        sys.exit(f"{SHARED} holds no photos to calibrate on")
    probe = sorted(glob.glob(os.path.join(SHARED, "faces", "*.jpg")))[1::8][:4]
    for key, file, name, prepare in MODELS:
        src = os.path.join(ROOT, "models", file)
        xs = [prepare(p) for p in probe]
        print(f"== {key} ({SIZE[0]}x{SIZE[1]}, 1 thread, median of 5 runs, ms)")
        for label, opts in [
            ("optimisation all (phiscrub's)", {}),
            ("optimisation extended", {"graph_optimization_level": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED}),
            ("optimisation basic", {"graph_optimization_level": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC}),
            ("no memory arena / pattern", {"enable_cpu_mem_arena": False, "enable_mem_pattern": False}),
        ]:
            ms = np.median([timed(src, name, x, **opts)[0] for x in xs])
            print(f"  {label:32s} {ms:7.1f}")
        model = onnx.load(src)
        opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        lifted = os.path.join(outdir, f"{key}_op13.onnx")
        if opset < 13:
            model = version_converter.convert_version(model, 13)
        onnx.save(model, lifted)
        pre = os.path.join(outdir, f"{key}_pre.onnx")
        quant_pre_process(lifted, pre, skip_symbolic_shape=True)
        q = os.path.join(outdir, f"{key}_int8.onnx")
        quantize_static(pre, q, Reader(name, prepare, files),
                        quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, per_channel=True)
        fp, i8, diff = [], [], []
        for x in xs:
            a, out_a = timed(src, name, x)
            b, out_b = timed(q, name, x)
            fp.append(a)
            i8.append(b)
            diff.append(float(np.abs(out_a[0] - out_b[0]).max()))
        print(f"  FP32 {np.median(fp):7.1f}  INT8 QDQ {np.median(i8):7.1f}"
              f"  ({np.median(fp) / np.median(i8):.2f}x); largest change of the"
              f" first output (probabilities) {max(diff):.3f}")


if __name__ == "__main__":
    main()
