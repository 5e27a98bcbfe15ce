"""The torch engine: the NumPy engine's network, trained by torch autograd and torch.optim.

It exists to show that our hand-written backpropagation computes what torch computes (the
parity tests start both engines from the same NumPy weights and compare losses and gradients)
and to train on a GPU when there is one. torch is optional: it is imported only when this
engine is built, never when nnviz starts, and :func:`torch_status` tells the UI cheaply
whether the choice can be offered.

The network is written functionally (``F.linear`` on a list of weight tensors) rather than as
an ``nn.Module``: for the tiny networks of a playground every Python call counts, and the
exported script (:mod:`nnviz.core.files.torch_export`) is where a reusable ``nn.Module`` lives.
"""

from __future__ import annotations

import functools
import importlib.util

import numpy as np

from nnviz.core.design import DTYPES, OptimizerSpec
from nnviz.core.nn.engine import EngineState, EngineUnavailable, Params
from nnviz.core.nn.network import NetworkSpec

INSTALL_HINT = (
    'the torch engine needs PyTorch: pip install "nnviz[torch]" '
    "(on this project's machines: pip install torch==2.13.0, a CPU build without CUDA packages)"
)
PERCEPTRON_UNSUPPORTED = "the perceptron rule has no gradient; it runs on the NumPy engine only"
#: Below this many multiply-adds per sample, torch's second thread only adds overhead.
SINGLE_THREAD_BELOW = 50_000


def torch_status() -> tuple[bool, str]:
    """Whether the torch engine can be used, without importing torch (which takes seconds).

    Returns ``(True, "")`` or ``(False, a sentence saying how to install torch)``.
    """
    if importlib.util.find_spec("torch") is None:
        return False, INSTALL_HINT
    return True, ""


def import_torch():
    """``import torch``, or :class:`EngineUnavailable` saying how to install or repair it."""
    usable, hint = torch_status()
    if not usable:
        raise EngineUnavailable(hint)
    try:
        import torch
    except (ImportError, OSError) as exc:  # a broken install: missing libraries, wrong build
        raise EngineUnavailable(
            f"torch is installed but cannot be imported ({exc}); reinstall it: {INSTALL_HINT}"
        ) from exc
    return torch


def _choose_device(torch, device: str):
    if device == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        if not torch.cuda.is_available():
            raise EngineUnavailable(
                "CUDA was chosen but torch sees no CUDA GPU here; choose the device auto or cpu"
            )
        return torch.device("cuda", torch.cuda.current_device())
    if device == "cpu":
        return torch.device("cpu")
    raise EngineUnavailable(f"unknown device {device!r}; choose auto, cpu or cuda")


def _activation(torch, name: str):
    """The torch function of an activation, as the NumPy engine defines it."""
    functional = torch.nn.functional
    functions = {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": functional.relu,
        "leaky_relu": lambda z: functional.leaky_relu(z, 0.01),
        "elu": lambda z: functional.elu(z, 1.0),
        "gelu": functional.gelu,  # the exact erf form (torch's default)
        "silu": functional.silu,
        "softplus": functional.softplus,
        "softmax": lambda z: torch.softmax(z, dim=1),
    }
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}")
    return functions[name]


def _make_optimizer(torch, tensors, spec: OptimizerSpec):
    """The torch.optim optimizer matching an :class:`OptimizerSpec`."""
    optim = torch.optim
    lr = spec.learning_rate
    if spec.name == "sgd":
        return optim.SGD(tensors, lr=lr)
    if spec.name == "momentum":
        return optim.SGD(tensors, lr=lr, momentum=spec.momentum)
    if spec.name == "nesterov":
        return optim.SGD(tensors, lr=lr, momentum=spec.momentum, nesterov=True)
    if spec.name == "rmsprop":
        return optim.RMSprop(tensors, lr=lr, alpha=spec.rho, eps=spec.epsilon)
    if spec.name == "adam":
        return optim.Adam(tensors, lr=lr, betas=(spec.beta1, spec.beta2), eps=spec.epsilon)
    if spec.name == "adamw":
        return optim.AdamW(
            tensors,
            lr=lr,
            betas=(spec.beta1, spec.beta2),
            eps=spec.epsilon,
            weight_decay=spec.weight_decay,
        )
    raise ValueError(
        f"unknown optimizer {spec.name!r}; choose sgd, momentum, nesterov, rmsprop, adam or adamw"
    )


def _hyperparameters(spec: OptimizerSpec) -> dict:
    """The param-group entries of an optimizer kind, to change them without losing its state."""
    if spec.name in ("momentum", "nesterov"):
        return {"momentum": spec.momentum}
    if spec.name == "rmsprop":
        return {"alpha": spec.rho, "eps": spec.epsilon}
    if spec.name == "adam":
        return {"betas": (spec.beta1, spec.beta2), "eps": spec.epsilon}
    if spec.name == "adamw":
        return {
            "betas": (spec.beta1, spec.beta2),
            "eps": spec.epsilon,
            "weight_decay": spec.weight_decay,
        }
    return {}


class TorchEngine:
    """A :class:`~nnviz.core.nn.engine.Engine` computed by torch.

    Raises :class:`~nnviz.core.nn.engine.EngineUnavailable` when torch is missing, when CUDA is
    chosen but absent, and for the perceptron (a step output has no gradient).
    """

    name = "torch"

    def __init__(
        self,
        spec: NetworkSpec,
        params: Params,
        optimizer: OptimizerSpec,
        *,
        l1: float = 0.0,
        l2: float = 0.0,
        dtype: str = "float32",
        seed: int = 0,
        device: str = "auto",
    ) -> None:
        if spec.is_perceptron:
            raise EngineUnavailable(PERCEPTRON_UNSUPPORTED)
        torch = import_torch()
        self._torch = torch
        self._functional = torch.nn.functional
        self.spec = spec
        self._torch_device = _choose_device(torch, device)
        self.device = str(self._torch_device)
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
        self._np_dtype = np.dtype(dtype)
        self._dtype = getattr(torch, dtype)
        if self._torch_device.type == "cpu":
            _choose_threads(torch, spec)
        self._activations = [_activation(torch, a) for a in spec.activations]
        # sigmoid + BCE and softmax + CE are computed from the logits, fused and stable.
        self._fused_output = (spec.output_activation, spec.loss) in (
            ("sigmoid", "binary_cross_entropy"),
            ("softmax", "categorical_cross_entropy"),
        )
        if spec.loss != "mse" and not self._fused_output:
            raise ValueError(
                f"the loss {spec.loss!r} after a {spec.output_activation} output is not "
                "supported; cross-entropy needs its sigmoid or softmax output"
            )
        self._dropout = torch.Generator(device=self._torch_device)
        self._dropout.manual_seed(seed)
        if len(params) != spec.n_layers:
            raise ValueError(f"expected {spec.n_layers} layers of parameters, got {len(params)}")
        self._weights = []
        self._biases = []
        for k, (w, b) in enumerate(params):
            self._weights.append(self._parameter(w, (spec.sizes[k + 1], spec.sizes[k]), k))
            self._biases.append(self._parameter(b, (spec.sizes[k + 1],), k))
        self._tensors = [t for pair in zip(self._weights, self._biases, strict=True) for t in pair]
        self._optimizer_spec = optimizer
        self._optimizer = _make_optimizer(torch, self._tensors, optimizer)
        self._norms = None  # device tensors of the last measured batch
        self.set_regularization(l1, l2)

    # --- parameters -------------------------------------------------------------------------

    def _parameter(self, array: np.ndarray, shape: tuple[int, ...], layer: int):
        array = np.asarray(array)
        if array.shape != shape:
            raise ValueError(f"layer {layer + 1}: expected shape {shape}, got {array.shape}")
        tensor = self._tensor(array).clone()
        return tensor.requires_grad_(True)

    def _tensor(self, array):
        if isinstance(array, self._torch.Tensor):  # already on the device (to_device)
            return array
        array = np.ascontiguousarray(array, dtype=self._np_dtype)
        return self._torch.from_numpy(array).to(self._torch_device)

    def get_params(self) -> Params:
        return [
            (w.detach().cpu().numpy().copy(), b.detach().cpu().numpy().copy())
            for w, b in zip(self._weights, self._biases, strict=True)
        ]

    def set_params(self, params: Params) -> None:
        if len(params) != self.spec.n_layers:
            raise ValueError(
                f"expected {self.spec.n_layers} layers of parameters, got {len(params)}"
            )
        with self._torch.no_grad():
            for k, (w, b) in enumerate(params):
                for tensor, array in ((self._weights[k], w), (self._biases[k], b)):
                    array = np.asarray(array)
                    if array.shape != tuple(tensor.shape):
                        raise ValueError(
                            f"layer {k + 1}: expected shape {tuple(tensor.shape)}, "
                            f"got {array.shape}"
                        )
                    tensor.copy_(self._tensor(array))

    # --- forward and losses -----------------------------------------------------------------

    def _logits_and_output(self, x, training: bool):
        """Pre-activation and activation of the output layer."""
        h = x
        last = self.spec.n_layers - 1
        for k in range(last):
            h = self._activations[k](self._functional.linear(h, self._weights[k], self._biases[k]))
            rate = self.spec.dropouts[k]
            if training and rate > 0.0:
                keep = self._torch.empty_like(h).bernoulli_(1.0 - rate, generator=self._dropout)
                h = h * keep / (1.0 - rate)
        z = self._functional.linear(h, self._weights[last], self._biases[last])
        return z, self._activations[last]

    def _data_loss(self, x, t, training: bool):
        z, output_activation = self._logits_and_output(x, training)
        functional = self._functional
        if self.spec.loss == "mse":
            return functional.mse_loss(output_activation(z), t)
        if self.spec.loss == "binary_cross_entropy":
            return functional.binary_cross_entropy_with_logits(z, t)
        return functional.cross_entropy(z, t)  # t one-hot: the mean over samples

    def _objective(self, loss):
        """The data loss plus the L1/L2 penalty on weights (biases are not penalised)."""
        for w in self._weights:
            if self._l1:
                loss = loss + self._l1 * w.abs().sum()
            if self._l2:
                loss = loss + self._l2 / 2 * (w * w).sum()
        return loss

    def predict(self, x: np.ndarray) -> np.ndarray:
        with self._torch.no_grad():
            z, output_activation = self._logits_and_output(self._tensor(x), training=False)
            return output_activation(z).cpu().numpy()

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        with self._torch.no_grad():
            return float(self._data_loss(self._tensor(x), self._tensor(t), training=False))

    # --- training ---------------------------------------------------------------------------

    def gradients(self, x: np.ndarray, t: np.ndarray) -> tuple[float, Params]:
        loss = self._data_loss(self._tensor(x), self._tensor(t), training=True)
        grads = self._torch.autograd.grad(self._objective(loss), self._tensors)
        arrays = [g.cpu().numpy().copy() for g in grads]
        return loss.item(), list(zip(arrays[0::2], arrays[1::2], strict=True))

    def apply_gradients(self, grads: Params, learning_rate: float) -> None:
        arrays = [a for pair in grads for a in pair]
        for tensor, array in zip(self._tensors, arrays, strict=True):
            tensor.grad = self._tensor(array)
        self._step(learning_rate)

    def train_batch(self, x, t, learning_rate: float, measure: bool = False) -> float:
        """One step; ``x`` and ``t`` are NumPy arrays or tensors already on the device (see
        :meth:`to_device`). With ``measure``, the gradient norms stay on the device until
        :meth:`gradient_norms` asks for them."""
        return self._train_step(x, t, learning_rate, measure).item()

    def train_batches(self, x, t, starts: range, size: int, learning_rate: float) -> None:
        for s in starts:
            self._train_step(x[s : s + size], t[s : s + size], learning_rate, False)

    def _train_step(self, x, t, learning_rate: float, measure: bool):
        """One step; returns the batch loss as a tensor (on the device)."""
        self._optimizer.zero_grad(set_to_none=True)
        loss = self._data_loss(self._tensor(x), self._tensor(t), training=True)
        self._objective(loss).backward()
        if measure:
            self._norms = [w.grad.norm() for w in self._weights]
        self._step(learning_rate)
        return loss

    def to_device(self, array: np.ndarray):
        """On CUDA a tensor in GPU memory, for the whole run; on the CPU the array itself
        (torch reads NumPy memory without a copy there)."""
        if self._torch_device.type == "cpu":
            return array
        return self._tensor(array)

    def gradient_norms(self) -> tuple[float, ...]:
        if self._norms is None:
            return (0.0,) * self.spec.n_layers
        return tuple(float(n) for n in self._torch.stack(self._norms).cpu())

    def finite(self) -> bool:
        torch = self._torch
        return bool(torch.stack([torch.isfinite(p).all() for p in self._tensors]).all())

    def _step(self, learning_rate: float) -> None:
        for group in self._optimizer.param_groups:
            group["lr"] = learning_rate
        self._optimizer.step()

    def set_optimizer(self, optimizer: OptimizerSpec) -> None:
        if optimizer.name != self._optimizer_spec.name:
            self._optimizer = _make_optimizer(self._torch, self._tensors, optimizer)
        else:
            for group in self._optimizer.param_groups:
                group.update(_hyperparameters(optimizer))
        self._optimizer_spec = optimizer

    def set_regularization(self, l1: float, l2: float) -> None:
        self._l1 = float(l1)
        self._l2 = float(l2)

    # --- state, for checkpoints ---------------------------------------------------------------

    def get_state(self) -> EngineState:
        """The optimizer's buffers as the NumPy engine names and lays them out (flat, in the
        order W0, b0, W1, b1, ...), its step count, and the dropout generator's state."""
        names = _STATE_NAMES.get(self._optimizer_spec.name, {})
        state: EngineState = {}
        for torch_name, name in names.items():
            if torch_name == "step":
                steps = [self._optimizer.state[t].get("step", 0) for t in self._tensors]
                state[f"optimizer.{name}"] = np.array(int(steps[0]), dtype=np.int64)
                continue
            parts = []
            for tensor in self._tensors:
                buffer = self._optimizer.state[tensor].get(torch_name)
                if buffer is None:
                    parts.append(np.zeros(tensor.numel(), self._np_dtype))
                else:
                    parts.append(buffer.detach().cpu().numpy().reshape(-1).copy())
            state[f"optimizer.{name}"] = np.concatenate(parts)
        state["dropout_rng"] = self._dropout.get_state().numpy().copy()
        return state

    def set_state(self, state: EngineState) -> None:
        torch = self._torch
        names = _STATE_NAMES.get(self._optimizer_spec.name, {})
        for name in names.values():
            if f"optimizer.{name}" not in state:
                raise ValueError(f"the optimizer state has no {name!r}")
        size = sum(t.numel() for t in self._tensors)
        self._optimizer.state.clear()
        for torch_name, name in names.items():
            value = np.asarray(state[f"optimizer.{name}"])
            if torch_name == "step":
                if value.size != 1:
                    raise ValueError(f"the optimizer's {name!r} must be one whole number")
                for tensor in self._tensors:
                    step = float(value.reshape(-1)[0])
                    self._optimizer.state[tensor]["step"] = torch.tensor(step)
                continue
            if value.shape != (size,):
                raise ValueError(
                    f"the optimizer's {name!r} has shape {value.shape}; expected ({size},)"
                )
            start = 0
            for tensor in self._tensors:
                part = value[start : start + tensor.numel()].reshape(tuple(tensor.shape))
                start += tensor.numel()
                self._optimizer.state[tensor][torch_name] = self._tensor(part).clone()
                if self._optimizer_spec.name == "rmsprop":  # torch counts its steps; unused
                    self._optimizer.state[tensor]["step"] = torch.tensor(0.0)
        rng = np.asarray(state["dropout_rng"])
        try:
            self._dropout.set_state(torch.from_numpy(np.ascontiguousarray(rng, np.uint8)))
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"not a torch random generator's state: {exc}") from None


#: torch.optim's names for each optimizer's buffers, and the NumPy engine's for the same.
_STATE_NAMES = {
    "momentum": {"momentum_buffer": "velocity"},
    "nesterov": {"momentum_buffer": "velocity"},
    "rmsprop": {"square_avg": "square_avg"},
    "adam": {"exp_avg": "m", "exp_avg_sq": "v", "step": "t"},
    "adamw": {"exp_avg": "m", "exp_avg_sq": "v", "step": "t"},
}


@functools.cache
def _default_threads(torch) -> int:
    """The number of threads torch had when the first engine was built, before we changed it."""
    return torch.get_num_threads()


def _choose_threads(torch, spec: NetworkSpec) -> None:
    """One thread for a tiny network, torch's default for a wide one.

    A tiny network spends its time in per-call overhead, which a second thread only adds to
    (2-8-8-1: about 400 µs/step on one thread, 500 on two); a 784-256-128-10 network gains
    10-20 % from two. The setting is process-wide, which suits the training process: it runs
    one network at a time.
    """
    default = _default_threads(torch)
    multiply_adds = sum(a * b for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
    torch.set_num_threads(1 if multiply_adds < SINGLE_THREAD_BELOW else default)
