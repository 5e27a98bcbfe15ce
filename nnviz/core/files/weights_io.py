"""Trained weights in and out: ``.npz``, ``.safetensors``, ``.pt`` and ``.onnx``.

Every format uses the same tensor names, as torch's ``nn.Linear`` would: ``layers.<k>.weight``
(shape (out, in)) and ``layers.<k>.bias`` for the k-th dense layer, plus ``input.mean`` and
``input.std``, the standardisation the network's inputs went through. Each file also carries
the design (JSON) and the input features, so a file alone says what network it holds.
None of the readers unpickles anything.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.design import Design
from nnviz.core.files.atomic import atomic_write_bytes
from nnviz.core.files.design_file import DesignFileError, design_from_dict, design_to_dict
from nnviz.core.nn.engine import Params
from nnviz.core.nn.network import NetworkSpec

WEIGHT_FORMATS = {
    ".npz": "NumPy archive (*.npz)",
    ".safetensors": "safetensors (*.safetensors)",
    ".pt": "PyTorch state_dict (*.pt)",
    ".onnx": "ONNX model (*.onnx)",
}
#: What nnviz can write: every readable format, plus a standalone PyTorch script (``.py``)
#: written next to its ``.pt`` weights (:mod:`nnviz.core.files.torch_export`).
EXPORT_FORMATS = {**WEIGHT_FORMATS, ".py": "PyTorch script and its .pt weights (*.py)"}
METADATA_KEY = "nnviz"  # npz entry / safetensors and ONNX metadata key / torch extra state


class WeightsFileError(ValueError):
    """A weights file cannot be written, read, or used with this design; says which and why."""


@dataclass(frozen=True, eq=False)
class NetworkFile:
    """What a weights file holds: the design, the weights and the input standardisation."""

    design: Design
    params: Params
    input_names: tuple[str, ...]
    raw_names: tuple[str, ...]
    input_mean: np.ndarray
    input_std: np.ndarray


def tensor_names(n_layers: int) -> list[str]:
    """The names of every tensor a weights file must hold, in order."""
    names = [f"layers.{k}.{part}" for k in range(n_layers) for part in ("weight", "bias")]
    return [*names, "input.mean", "input.std"]


def save_weights(
    path,
    design: Design,
    spec: NetworkSpec,
    params: Params,
    pipeline,
    class_names: tuple[str, ...] = (),
) -> None:
    """Write the trained network to ``path`` in the format its extension names (atomically).

    ``.py`` writes a PyTorch script there and its weights beside it as ``<name>.pt``;
    ``class_names`` label the script's outputs.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise WeightsFileError(
            f"{path.name}: unknown weights format {suffix or '(none)'}; "
            f"use one of {', '.join(EXPORT_FORMATS)}"
        )
    check_compatible(spec, params)
    if suffix == ".py":
        from nnviz.core.files.torch_export import write_script

        weights = path.with_suffix(".pt")
        save_weights(weights, design, spec, params, pipeline)
        write_script(path, spec, pipeline, weights.name, class_names)
        return
    tensors = _tensors(params, pipeline)
    metadata = json.dumps(
        {
            "design": design_to_dict(design),
            "input_names": list(pipeline.features),
            "raw_names": list(pipeline.raw_names),
        }
    )
    writer = {
        ".npz": _npz_bytes,
        ".safetensors": _safetensors_bytes,
        ".pt": _torch_bytes,
        ".onnx": _onnx_bytes,
    }[suffix]
    if suffix == ".onnx":
        data = writer(tensors, metadata, spec, pipeline)
    else:
        data = writer(tensors, metadata)
    atomic_write_bytes(path, data)


def load_weights(path) -> NetworkFile:
    """Read a weights file written by :func:`save_weights` (or by hand with the same names)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WEIGHT_FORMATS:
        raise WeightsFileError(
            f"{path.name}: not a weights file (expected {', '.join(WEIGHT_FORMATS)})"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WeightsFileError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    reader = {
        ".npz": _read_npz,
        ".safetensors": _read_safetensors,
        ".pt": _read_torch,
        ".onnx": _read_onnx,
    }[suffix]
    try:
        tensors, metadata = reader(data)
    except WeightsFileError as error:
        raise WeightsFileError(f"{path.name}: {error}") from None
    except Exception as error:  # every library has its own corrupt-file exception
        raise WeightsFileError(
            f"{path.name}: damaged or not a {WEIGHT_FORMATS[suffix]} file ({type(error).__name__})"
        ) from None
    return _network_file(path.name, tensors, metadata)


def check_compatible(spec: NetworkSpec, params: Params) -> None:
    """Raise a message naming the first layer whose shapes differ from the design's."""
    if len(params) != spec.n_layers:
        raise WeightsFileError(
            f"the file holds {len(params)} dense layers, the design has {spec.n_layers}"
        )
    for k, (w, b) in enumerate(params):
        want_w, want_b = (spec.sizes[k + 1], spec.sizes[k]), (spec.sizes[k + 1],)
        if w.shape != want_w:
            raise WeightsFileError(
                f"layers.{k}.weight has shape {tuple(w.shape)}, the design needs {want_w}"
            )
        if b.shape != want_b:
            raise WeightsFileError(
                f"layers.{k}.bias has shape {tuple(b.shape)}, the design needs {want_b}"
            )


# --- writing --------------------------------------------------------------------------------


def _tensors(params: Params, pipeline) -> dict[str, np.ndarray]:
    tensors = {}
    for k, (w, b) in enumerate(params):
        tensors[f"layers.{k}.weight"] = np.ascontiguousarray(w)
        tensors[f"layers.{k}.bias"] = np.ascontiguousarray(b)
    tensors["input.mean"] = np.asarray(pipeline.mean, dtype=np.float64)
    tensors["input.std"] = np.asarray(pipeline.std, dtype=np.float64)
    return tensors


def _npz_bytes(tensors, metadata: str) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **tensors, **{METADATA_KEY: np.array(metadata)})
    return buffer.getvalue()


def _safetensors_bytes(tensors, metadata: str) -> bytes:
    from safetensors.numpy import save

    return save(tensors, metadata={METADATA_KEY: metadata})


def _torch_bytes(tensors, metadata: str) -> bytes:
    """A state_dict; the design rides along under ``_extra_state``, the key nn.Module keeps for
    non-tensor state (pop it before ``load_state_dict`` into a module of your own)."""
    torch = _import_torch()
    state = {name: torch.from_numpy(np.array(t)) for name, t in tensors.items()}
    state["_extra_state"] = metadata
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _onnx_bytes(tensors, metadata: str, spec: NetworkSpec, pipeline) -> bytes:
    from nnviz.core.files.onnx_graph import build_onnx_model

    model = build_onnx_model(spec, tensors, pipeline)
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, metadata
    return model.SerializeToString()


# --- reading --------------------------------------------------------------------------------


def _read_npz(data: bytes):
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError) as error:
        raise WeightsFileError(f"damaged NumPy archive ({error})") from None
    metadata = arrays.pop(METADATA_KEY, None)
    return arrays, None if metadata is None else str(metadata)


def _read_safetensors(data: bytes):
    from safetensors.numpy import load

    tensors = load(data)
    # The format is 8 bytes of header length, then a JSON header whose __metadata__ holds ours.
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_length])
    return tensors, (header.get("__metadata__") or {}).get(METADATA_KEY)


def _read_torch(data: bytes):
    torch = _import_torch()
    state = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    if not isinstance(state, dict):
        raise WeightsFileError("not a state_dict")
    metadata = state.pop("_extra_state", None)
    tensors = {}
    for name, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise WeightsFileError(f"entry {name!r} is not a tensor")
        tensors[name] = value.detach().cpu().numpy()
    return tensors, metadata if isinstance(metadata, str) else None


def _read_onnx(data: bytes):
    import onnx
    from onnx import numpy_helper

    model = onnx.load_from_string(data)
    tensors = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    metadata = {p.key: p.value for p in model.metadata_props}.get(METADATA_KEY)
    return tensors, metadata


def _network_file(filename: str, tensors: dict, metadata: str | None) -> NetworkFile:
    if metadata is None:
        raise WeightsFileError(
            f"{filename}: carries no nnviz design, so nnviz cannot tell what network it holds"
        )
    design, input_names, raw_names = _read_metadata(filename, metadata)
    n_layers = len(design.layers) + 1
    missing = [name for name in tensor_names(n_layers) if name not in tensors]
    if missing:
        raise WeightsFileError(f"{filename}: missing tensor {missing[0]}")
    numbers = {
        name: _real_numbers(filename, name, tensors[name]) for name in tensor_names(n_layers)
    }
    params = [(numbers[f"layers.{k}.weight"], numbers[f"layers.{k}.bias"]) for k in range(n_layers)]
    mean, std = numbers["input.mean"], numbers["input.std"]
    for k, (w, b) in enumerate(params):
        if (
            w.ndim != 2
            or b.shape != (w.shape[0],)
            or (k and w.shape[1] != params[k - 1][0].shape[0])
        ):
            raise WeightsFileError(
                f"{filename}: layers.{k} has inconsistent shapes "
                f"{tuple(w.shape)} and {tuple(b.shape)}"
            )
    n_inputs = params[0][0].shape[1]
    if mean.shape != (n_inputs,) or std.shape != (n_inputs,) or len(input_names) != n_inputs:
        raise WeightsFileError(
            f"{filename}: input.mean/input.std do not match the {n_inputs} network inputs"
        )
    if (std <= 0).any():
        position = int(np.argmax(std <= 0))
        raise WeightsFileError(
            f"{filename}: input.std must be above 0 (it divides the inputs), "
            f"but entry {position} is {std[position]:g}"
        )
    return NetworkFile(design, params, input_names, raw_names, mean, std)


def _read_metadata(filename: str, metadata: str) -> tuple[Design, tuple[str, ...], tuple[str, ...]]:
    """The design and input names the file carries as JSON."""
    try:
        info = json.loads(metadata)
    except RecursionError:  # how the json module refuses nesting deeper than Python's stack
        raise WeightsFileError(f"{filename}: its nnviz metadata is nested too deeply") from None
    except ValueError:
        raise WeightsFileError(f"{filename}: its nnviz metadata is not valid JSON") from None
    if not isinstance(info, dict) or not {"design", "input_names", "raw_names"} <= info.keys():
        raise WeightsFileError(f"{filename}: its nnviz metadata is damaged")
    try:
        design = design_from_dict(info["design"])
    except DesignFileError as error:
        raise WeightsFileError(f"{filename}: its design is invalid: {error}") from None
    names = info["input_names"], info["raw_names"]
    if not all(isinstance(n, list) and all(isinstance(s, str) for s in n) for n in names):
        raise WeightsFileError(f"{filename}: its nnviz metadata is damaged (input names)")
    return design, tuple(names[0]), tuple(names[1])


#: What a tensor of another kind holds, for the message that refuses it.
_NOT_NUMBERS = {
    "b": "true/false values",
    "c": "complex numbers",
    "m": "time spans",
    "M": "dates",
    "O": "text or other objects",
    "S": "bytes",
    "U": "text",
    "V": "records",
}


def _real_numbers(filename: str, name: str, tensor) -> np.ndarray:
    """The tensor, if it holds finite real numbers (integers become float64).

    Anything else is refused by name: text or records would crash the checks, and complex
    numbers or dates would be cast silently into weights nobody wrote.
    """
    array = np.asarray(tensor)
    kind = array.dtype.kind
    if kind not in "fiu":
        what = _NOT_NUMBERS.get(kind, f"values of type {array.dtype}")
        raise WeightsFileError(f"{filename}: {name} holds {what}, not real numbers")
    if kind != "f":
        array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise WeightsFileError(f"{filename}: {name} holds non-finite values (NaN or infinity)")
    return array


def _import_torch():
    try:
        import torch
    except ImportError:
        raise WeightsFileError('.pt files need PyTorch: pip install "nnviz[torch]"') from None
    return torch
