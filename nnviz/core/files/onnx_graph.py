"""The trained network as an ONNX graph that answers on raw inputs.

The graph repeats what nnviz does before the first layer, so onnxruntime on raw points gives
the app's predictions: derive the features (x1², x1·x2, sin x1, ...) in float64, standardise
them with ``input.mean``/``input.std``, then run the dense layers in float32.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.data.features import feature_recipe
from nnviz.core.nn.network import NetworkSpec

OPSET = 17


def build_onnx_model(spec: NetworkSpec, tensors: dict[str, np.ndarray], pipeline):
    """An ``onnx.ModelProto``: input ``input`` (n, raw columns, float32), output ``output``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = _Graph(helper)
    raw = graph.op("Cast", ["input"], to=TensorProto.DOUBLE)
    columns = {
        name: graph.op("Gather", [raw, graph.constant(np.array([i], dtype=np.int64))], axis=1)
        for i, name in enumerate(pipeline.raw_names)
    }
    features = [_feature(graph, name, columns) for name in pipeline.features]
    x = graph.op("Concat", features, axis=1) if len(features) > 1 else features[0]
    x = graph.op("Sub", [x, "input.mean"])
    x = graph.op("Div", [x, "input.std"])
    x = graph.op("Cast", [x], to=TensorProto.FLOAT)
    for k, activation in enumerate(spec.activations):
        x = graph.op("Gemm", [x, f"layers.{k}.weight", f"layers.{k}.bias"], transB=1)
        x = _activation(graph, activation, x)
    graph.nodes.append(helper.make_node("Identity", [x], ["output"]))

    initializers = [
        numpy_helper.from_array(
            np.asarray(t, dtype=np.float64 if name.startswith("input.") else np.float32), name
        )
        for name, t in tensors.items()
    ]
    onnx_graph = helper.make_graph(
        graph.nodes,
        "nnviz",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", len(pipeline.raw_names)])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["n", spec.sizes[-1]])],
        initializer=initializers + graph.constants,
    )
    model = helper.make_model(
        onnx_graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="nnviz"
    )
    onnx.checker.check_model(model)
    return model


class _Graph:
    """Collects nodes with generated output names, so building reads like arithmetic."""

    def __init__(self, helper):
        self.helper = helper
        self.nodes = []
        self.constants = []

    def op(self, op_type: str, inputs: list[str], **attributes) -> str:
        output = f"{op_type.lower()}_{len(self.nodes)}"
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], **attributes))
        return output

    def constant(self, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = f"const_{len(self.constants)}"
        self.constants.append(numpy_helper.from_array(value, name))
        return name


def _feature(graph: _Graph, name: str, columns: dict[str, str]) -> str:
    """A network input from the raw columns, by its recipe (see ``features.RECIPES``)."""
    op, sources = feature_recipe(name)
    args = [columns[c] for c in sources]
    if op == "column":
        return args[0]
    if op == "square":
        return graph.op("Mul", [args[0], args[0]])
    if op == "product":
        return graph.op("Mul", args)
    return graph.op("Sin", args)


def _activation(graph: _Graph, name: str, x: str) -> str:
    from onnx import TensorProto

    simple = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softplus": "Softplus"}
    if name in simple:
        return graph.op(simple[name], [x])
    if name == "linear":
        return x
    if name == "leaky_relu":
        return graph.op("LeakyRelu", [x], alpha=0.01)
    if name == "elu":
        return graph.op("Elu", [x], alpha=1.0)
    if name == "softmax":
        return graph.op("Softmax", [x], axis=1)
    if name == "silu":
        return graph.op("Mul", [x, graph.op("Sigmoid", [x])])
    if name == "gelu":  # exact form: x * (1 + erf(x / sqrt 2)) / 2
        scaled = graph.op("Mul", [x, graph.constant(np.array(1 / math.sqrt(2), np.float32))])
        one_plus = graph.op(
            "Add", [graph.op("Erf", [scaled]), graph.constant(np.array(1.0, np.float32))]
        )
        half_x = graph.op("Mul", [x, graph.constant(np.array(0.5, np.float32))])
        return graph.op("Mul", [half_x, one_plus])
    if name == "step":
        positive = graph.op("Greater", [x, graph.constant(np.array(0.0, np.float32))])
        return graph.op("Cast", [positive], to=TensorProto.FLOAT)
    raise ValueError(f"activation {name!r} has no ONNX form")
