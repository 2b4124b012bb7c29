#!/usr/bin/env python3
"""BlazeFace alone on a labelled face set, at several score thresholds.

For each threshold: the share of labelled faces whose central half a
detection box (padded 1.4x, as phiscrub fills) covers, overall and for faces
of 64 px and more, and the detections that touch no labelled or ignored face.
The decoding mirrors src/detect/blazeface.rs (whole frame letterboxed, both
models, greedy NMS at 0.3); this is the measurement behind its THRESHOLD.

Usage: python3 benches/blazeface_thresholds.py SET_DIR [SET_DIR ...]
  e.g. ../shared/data/closeups ../shared/data/faces
Needs: numpy, pillow, onnxruntime (target/bench-venv from compare_deface.sh).
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
THRESHOLDS = [0.5, 0.6, 0.7, 0.75, 0.8]


def anchors(maps, side):
    out = []
    for stride, per_cell in maps:
        cells = side // stride
        for y in range(cells):
            for x in range(cells):
                out += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
    return np.array(out, np.float32)


class Blaze:
    def __init__(self, file, side, maps):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(os.path.join(MODELS, file), opts)
        self.side = side
        self.anchors = anchors(maps, side)

    def detect(self, img, threshold):
        w, h = img.size
        scale = self.side / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        ox, oy = (self.side - nw) // 2, (self.side - nh) // 2
        canvas = Image.new("RGB", (self.side, self.side))
        canvas.paste(img.resize((nw, nh), Image.BILINEAR), (ox, oy))
        x = (np.asarray(canvas, np.float32) / 127.5 - 1).transpose(2, 0, 1)[None]
        outs = self.session.run(None, {"input": x})
        reg = next(o for o in outs if o.shape[-1] == 16)[0]
        logit = next(o for o in outs if o.shape[-1] == 1)[0, :, 0]
        score = 1 / (1 + np.exp(-np.clip(logit, -100, 100)))
        found = []
        for r, s, a in zip(reg[score > threshold], score[score > threshold],
                           self.anchors[score > threshold]):
            cx, cy = a[0] * self.side + r[0], a[1] * self.side + r[1]
            bw, bh = abs(r[2]), abs(r[3])
            found.append([(cx - bw / 2 - ox) / scale, (cy - bh / 2 - oy) / scale,
                          bw / scale, bh / scale, float(s)])
        return found


def iou(a, b):
    iw = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0


def nms(found, limit=0.3):
    kept = []
    for d in sorted(found, key=lambda d: -d[4]):
        if all(iou(d, k) < limit for k in kept):
            kept.append(d)
    return kept


def covers(d, t, pad=1.4):
    cx, cy, w, h = d[0] + d[2] / 2, d[1] + d[3] / 2, d[2] * pad, d[3] * pad
    x0, y0 = t[0] + t[2] / 4, t[1] + t[3] / 4
    x1, y1 = t[0] + 3 * t[2] / 4, t[1] + 3 * t[3] / 4
    return cx - w / 2 <= x0 and cy - h / 2 <= y0 and cx + w / 2 >= x1 and cy + h / 2 >= y1


def main():
    short = Blaze("blazeface_short.onnx", 128, [(8, 2), (16, 6)])
    full = Blaze("blazeface_full.onnx", 192, [(4, 1)])
    for folder in sys.argv[1:]:
        best, stray = [], []
        with open(os.path.join(folder, "labels.jsonl")) as lines:
            for line in lines:
                r = json.loads(line)
                img = Image.open(os.path.join(folder, r["file"])).convert("RGB")
                found = nms(short.detect(img, 0.3) + full.detect(img, 0.3))
                every = r["boxes"] + r.get("ignore", [])
                for t in r["boxes"]:
                    s = [d[4] for d in found if covers(d, t)]
                    best.append((max(s) if s else 0.0, max(t[2], t[3])))
                stray += [d[4] for d in found
                          if not any(iou(d, t) > 0.1 or covers(d, t) for t in every)]
        best, stray = np.array(best), np.array(stray)
        large = best[:, 1] >= 64
        for t in THRESHOLDS:
            print(f"{folder} threshold {t}: covered {np.mean(best[:, 0] > t):.3f}, "
                  f">= 64 px {np.mean(best[large, 0] > t):.3f} ({large.sum()} faces), "
                  f"detections on no face {int(np.sum(stray > t))}")


if __name__ == "__main__":
    main()
