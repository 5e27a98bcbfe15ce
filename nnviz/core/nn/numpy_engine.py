"""nnviz's own engine: a multilayer perceptron and backpropagation in plain NumPy.

Read it top to bottom to see how a network learns:

1. **forward** — each dense layer computes ``z = a_in @ W.T + b`` and ``a = f(z)``; in training
   a hidden layer's output then goes through inverted dropout.
2. **loss** — how far the outputs are from the targets (:mod:`nnviz.core.nn.losses`).
3. **backward** — the chain rule from the loss down to the first layer. With ``dz`` the
   gradient of the loss with respect to a layer's ``z``:
   ``dW = dz.T @ a_in``, ``db = dz.sum(0)``, and the layer below receives ``da_in = dz @ W``,
   which its activation turns into its own ``dz`` (:mod:`nnviz.core.nn.activations`).
4. **update** — the optimizer moves the weights against the gradients
   (:mod:`nnviz.core.nn.optimizers`). Backward only *returns* gradients; updating is separate.

For speed, every ``W`` and ``b`` is a view into one flat vector (and every gradient into
another), so an optimizer step is a few NumPy calls on the whole network at once, and the
gradients are written in place instead of allocated each step. Each layer's part of it is
the block ``[W | b]`` (a row per unit, its bias last), so that one product computes
``W a + b`` for every sample. The passes themselves are in :mod:`nnviz.core.nn.batch_step`:
built once per batch size, they write every intermediate array into buffers made once (the
same numbers as the formulas above).

The perceptron (one step layer, no hidden layer) is the exception: it learns with
Rosenblatt's rule, sample by sample (:meth:`NumpyEngine.train_batch`).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from nnviz.core.design import DTYPES, OptimizerSpec
from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.batch_step import BatchStep
from nnviz.core.nn.engine import EngineState, Params
from nnviz.core.nn.losses import get_loss
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.optimizers import make_optimizer
from nnviz.core.nn.rng import rng_state_array, set_rng_state

#: Batch sizes whose passes an engine keeps (an epoch uses two; a probe may add another).
KEPT_STEPS = 4


def forward_layers(spec: NetworkSpec, params: Params, x: np.ndarray) -> list[np.ndarray]:
    """Every dense layer's output for inputs ``x``, in evaluation mode (no dropout).

    Works from any ``[(W, b), ...]`` (either engine's), which is what the views use to draw
    each neuron's picture and to find dead ReLUs.
    """
    a = np.asarray(x, dtype=params[0][0].dtype)
    outputs = []
    for (w, b), name in zip(params, spec.activations, strict=True):
        a = get_activation(name).value(a @ w.T + b)
        outputs.append(a)
    return outputs


class NumpyEngine:
    """A trainable network in NumPy, implementing :class:`nnviz.core.nn.engine.Engine`."""

    name = "numpy"
    device = "cpu"

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
    ) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
        if spec.is_perceptron and spec.n_layers != 1:
            raise ValueError(
                "the perceptron rule trains a single step layer; remove the hidden layers"
            )
        self.spec = spec
        self.dtype = np.dtype(dtype)
        self.activations = [get_activation(name) for name in spec.activations]
        self.loss_function = get_loss(spec.loss)
        # Cross-entropy after its own activation (and the perceptron criterion after a step)
        # start backprop from the logits: dLoss/dz = (outputs - targets) / n.
        self.fused = self.loss_function.fused_activation == spec.output_activation
        self.l1, self.l2 = float(l1), float(l2)
        self._rng = np.random.default_rng(seed)
        self._gradient_norms = (0.0,) * spec.n_layers

        shapes = [(n_out, n_in) for n_in, n_out in pairwise(spec.sizes)]
        self._flat_params, self._blocks = _flat_blocks(shapes, self.dtype)
        self._flat_grads, self._grad_blocks = _flat_blocks(shapes, self.dtype)
        self._params, self._grads = _layers(self._blocks), _layers(self._grad_blocks)
        self._exchange_order = _exchange_order(shapes)
        self._optimizer = make_optimizer(optimizer, self._flat_params.size, self.dtype)
        self.set_params(params)
        self._perceptron = spec.is_perceptron
        self._steps: dict[int, BatchStep] = {}  # by batch size
        self._step: BatchStep | None = None  # the latest

    # --- parameters and settings -------------------------------------------------------------

    def get_params(self) -> Params:
        return [(w.copy(), b.copy()) for w, b in self._params]

    def set_params(self, params: Params) -> None:
        _copy_layers(params, self._params, "params")

    def set_optimizer(self, optimizer: OptimizerSpec) -> None:
        if optimizer.name == self._optimizer.spec.name:
            self._optimizer.spec = optimizer  # new settings, same moments
        else:
            self._optimizer = make_optimizer(optimizer, self._flat_params.size, self.dtype)

    def set_regularization(self, l1: float, l2: float) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def get_state(self) -> EngineState:
        """The optimizer's moments flat in the order W0, b0, W1, b1, ... (as checkpoints and
        the torch engine lay them out), its step count and the dropout generator's state."""
        order = self._exchange_order
        state = {
            f"optimizer.{name}": v[order] if v.shape == order.shape else v
            for name, v in self._optimizer.state().items()
        }
        state["dropout_rng"] = rng_state_array(self._rng)
        return state

    def set_state(self, state: EngineState) -> None:
        prefix, order = "optimizer.", self._exchange_order
        moments = {}
        for key, exchanged in state.items():
            if key.startswith(prefix):
                value = exchanged = np.asarray(exchanged)
                if exchanged.shape == order.shape:  # else the optimizer says what is wrong
                    value = np.empty_like(exchanged)
                    value[order] = exchanged
                moments[key[len(prefix) :]] = value
        self._optimizer.load_state(moments)
        set_rng_state(self._rng, state["dropout_rng"])

    # --- forward and backward ------------------------------------------------------------

    def _step_for(self, n: int) -> BatchStep:
        """The passes for batches of ``n``, kept for the next batch of that size."""
        step = self._steps.get(n)
        if step is None:
            if len(self._steps) >= KEPT_STEPS:
                del self._steps[next(iter(self._steps))]  # the oldest
            step = self._steps[n] = self._new_step(n)
        self._step = step
        return step

    def _new_step(self, n: int) -> BatchStep:
        """Passes for ``n`` samples: kept by :meth:`_step_for`, or once (a large evaluation)."""
        layers = list(
            zip(self._blocks, self._grad_blocks, self.activations, self.spec.dropouts, strict=True)
        )
        return BatchStep(n, layers, self.dtype, self.loss_function, self.fused, self._dropout_mask)

    def _dropout_mask(self, shape, rate: float) -> np.ndarray:
        """Inverted dropout: drop each unit with probability ``rate`` and scale the survivors
        by ``1 / (1 - rate)``, so evaluation needs no rescaling."""
        scale = 1.0 / (1.0 - rate) if rate < 1.0 else 0.0
        keep = self._rng.random(shape, dtype=self.dtype) >= rate
        return keep * self.dtype.type(scale)

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = _as(x, self.dtype)
        return np.ascontiguousarray(self._new_step(len(x)).forward(x, training=False))

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        x = _as(x, self.dtype)
        step = self._new_step(len(x))
        outputs = step.forward(x, training=False)
        t = np.asarray(t, dtype=self.dtype)
        if self.fused:
            return self.loss_function.value_from_logits(step.z[-1].T, t)
        return self.loss_function.value(outputs, t)

    def _backward(self, x: np.ndarray, t: np.ndarray, step: BatchStep) -> float:
        """Fill the flat gradient vector (penalty included); returns the data loss."""
        loss = step.gradients(_as(x, self.dtype), _as(t, self.dtype))
        if self.l1 or self.l2:
            self._add_penalty_gradients()
        return loss

    def _add_penalty_gradients(self) -> None:
        """d/dW of ``l1 * sum|W| + l2 / 2 * sum W**2`` (weights only, biases are free)."""
        for (w, _), (dw, _) in zip(self._params, self._grads, strict=True):
            if self.l2:
                dw += self.l2 * w
            if self.l1:
                dw += self.l1 * np.sign(w)

    def gradients(self, x: np.ndarray, t: np.ndarray) -> tuple[float, Params]:
        """Data loss and gradients of loss + penalty, with dropout on; weights stay unchanged.

        For the perceptron these are the perceptron criterion's gradients (see
        :class:`nnviz.core.nn.losses.PerceptronLoss`), while ``train_batch`` applies the rule
        itself.
        """
        loss = self._backward(x, t, self._new_step(len(x)))
        return loss, [(dw.copy(), db.copy()) for dw, db in self._grads]

    # --- update ----------------------------------------------------------------------------

    def apply_gradients(self, grads: Params, learning_rate: float) -> None:
        _copy_layers(grads, self._grads, "gradients")
        self._optimizer.step(self._flat_params, self._flat_grads, learning_rate)

    def train_batch(
        self, x: np.ndarray, t: np.ndarray, learning_rate: float, measure: bool = False
    ) -> float:
        """One step on a batch; returns its data loss (before the update).

        ``measure`` keeps the weight-gradient norms (see :meth:`gradient_norms`); the
        optimizers use the gradient vector as scratch space, so they are taken before the step.
        The perceptron returns the share of samples the rule had to correct in this pass.
        """
        if self._perceptron:
            if measure:  # the perceptron criterion's gradient, as ``gradients`` gives it
                self._backward(x, t, self._new_step(len(x)))
                self._measure()
            return self._perceptron_rule(x, t, learning_rate)
        step = self._step  # the latest batch's passes: a whole epoch but its last batch
        if step is None or step.n != len(x):
            step = self._step_for(len(x))
        loss = self._backward(x, t, step)
        if measure:
            self._measure()
        self._optimizer.step(self._flat_params, self._flat_grads, learning_rate)
        return loss

    def train_batches(
        self, x: np.ndarray, t: np.ndarray, starts: range, size: int, learning_rate: float
    ) -> None:
        """One step on each batch ``x[s : s + size]``, ``s`` in ``starts``, without the losses
        (an epoch's middle, which nobody reads): the loop the epoch spends its time in, with
        everything it calls looked up once."""
        if self._perceptron:
            for s in starts:
                self._perceptron_rule(x[s : s + size], t[s : s + size], learning_rate)
            return
        backward = self._step_for(size).gradients_only
        update, flat, grads = self._optimizer.step, self._flat_params, self._flat_grads
        penalty = self._add_penalty_gradients if self.l1 or self.l2 else None
        dtype = self.dtype
        for s in starts:
            backward(_as(x[s : s + size], dtype), _as(t[s : s + size], dtype))
            if penalty is not None:
                penalty()
            update(flat, grads, learning_rate)

    def _measure(self) -> None:
        self._gradient_norms = tuple(math.sqrt(float(np.vdot(dw, dw))) for dw, _ in self._grads)

    def gradient_norms(self) -> tuple[float, ...]:
        return self._gradient_norms

    def finite(self) -> bool:
        # One call on the flat vector: a NaN or an infinity makes the sum of squares
        # non-finite (squares never cancel); only a sum that overflowed (numbers above about
        # 1e19 in float32) is looked at number by number.
        flat = self._flat_params
        return math.isfinite(flat.dot(flat)) or bool(np.isfinite(flat).all())

    def to_device(self, array: np.ndarray) -> np.ndarray:
        return array

    def _perceptron_rule(self, x: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        """Rosenblatt's rule, one sample at a time in order: ``y = step(W x + b)``, then
        ``W += lr * (t - y) x`` and ``b += lr * (t - y)``. Only mistakes move the weights, so
        it stops for good once every sample is right; that can only happen when a straight
        line separates the classes (AND, OR), never on XOR.

        It ignores the optimizer and the L1/L2 penalty: the rule is its own update.
        """
        x = np.asarray(x, dtype=self.dtype)
        t = np.asarray(t, dtype=self.dtype)
        ((w, b),) = self._params
        mistakes = 0
        for xi, ti in zip(x, t, strict=True):
            error = ti - (w @ xi + b > 0)
            if error.any():
                mistakes += 1
                w += learning_rate * np.outer(error, xi)
                b += learning_rate * error
        return mistakes / len(x)


def _as(a, dtype: np.dtype) -> np.ndarray:
    """``a`` as an array of ``dtype``: itself when it already is one (the training loop's
    batches), without asking NumPy."""
    if type(a) is np.ndarray and a.dtype == dtype:
        return a
    return np.asarray(a, dtype=dtype)


def _flat_blocks(shapes, dtype):
    """One zeroed flat vector and each layer's block ``[W | b]`` (``n_out`` rows of ``n_in +
    1``) as a view into it, layer after layer."""
    flat = np.zeros(sum(n_out * (n_in + 1) for n_out, n_in in shapes), dtype)
    blocks, start = [], 0
    for n_out, n_in in shapes:
        blocks.append(flat[start : start + n_out * (n_in + 1)].reshape(n_out, n_in + 1))
        start += n_out * (n_in + 1)
    return flat, blocks


def _layers(blocks) -> Params:
    """``[(W, b), ...]``: views of each block's weights and its last column, the biases."""
    return [(block[:, :-1], block[:, -1]) for block in blocks]


def _exchange_order(shapes) -> np.ndarray:
    """The flat vector's positions in the order W0, b0, W1, b1, ... (each ``W`` by rows)."""
    positions, blocks = _flat_blocks(shapes, np.intp)
    positions[:] = np.arange(positions.size)
    return np.concatenate([a.ravel() for pair in _layers(blocks) for a in pair])


def _copy_layers(source: Params, target: Params, what: str) -> None:
    """Copy ``[(W, b), ...]`` into the engine's views, checking every shape first."""
    if len(source) != len(target):
        raise ValueError(f"{what} have {len(source)} layers; this network has {len(target)}")
    for k, ((w, b), (tw, tb)) in enumerate(zip(source, target, strict=True)):
        if np.shape(w) != tw.shape or np.shape(b) != tb.shape:
            raise ValueError(
                f"{what} of layer {k + 1} have shapes {np.shape(w)} and {np.shape(b)}; "
                f"this network needs {tw.shape} and {tb.shape}"
            )
    for (w, b), (tw, tb) in zip(source, target, strict=True):
        tw[...] = w
        tb[...] = b
