"""How a network's numbers are spread: histograms of each layer's z, weights and gradients.

The activation explorer draws a layer's pre-activations ``z`` behind the activation curves
and says how many of them sit where the curve is flat; the histograms-over-time panel stacks a
layer's weight and gradient histograms epoch by epoch into a heatmap. Both are measured here,
in the training process (at the pace of the views) or over a recorded run's checkpoints, by
one :class:`DistributionMeter`, so a live run and its replay give the same figures.

Bins. Every histogram has :data:`BINS` equal bins over a symmetric range ``[-limit, limit]``
that starts at the smallest power of two holding every value and, within a run, only ever
doubles: a column measured earlier maps exactly onto the wider range (two bins into one,
:func:`rebin`), and the heatmap's axis changes rarely. Non-finite values are not counted.

Sample. ``z`` and the gradients are measured on the first training points (the split is
shuffled already), as many as :data:`PROBE_MULTIPLY_ADDS` allows within
:data:`PROBE_POINTS`: 512 of a playground's or the digits', 64 of 784-256-128-10's. While
training runs, measuring takes at most :data:`MEASURE_BUDGET` of the time
(:meth:`DistributionMeter.measure_paced`): every epoch for a playground network, a few
times a second for a large one. The gradient is
that of the data loss plus the L1/L2 penalty on those points at once (one full batch,
without dropout, so it is the same every time for the same weights), by the NumPy engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from nnviz.core.design import ACTIVATIONS, OptimizerSpec
from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.engine import Params
from nnviz.core.nn.network import NetworkSpec

#: Bins of every histogram.
BINS = 64
#: Where an activation counts as flat: ``|f'(z)| < FLAT_SLOPE`` (saturated sigmoid or tanh,
#: ReLU below zero).
FLAT_SLOPE = 0.01
#: The elementwise activations, each with its curve in the explorer (softmax couples a
#: layer's units, so it has no curve of one ``z``).
CURVES = tuple(name for name in ACTIVATIONS if name != "softmax")
#: Multiply-adds of the forward pass over the sample (the backward pass costs about twice).
PROBE_MULTIPLY_ADDS = 5_000_000
PROBE_POINTS = (64, 512)
#: Most of the training process's time measuring may take while training runs (beside the
#: views' own budget); paused or stepping, every frame is measured.
MEASURE_BUDGET = 0.05
#: The narrowest range a histogram starts with (all-zero biases or gradients).
SMALLEST_LIMIT = 2.0**-20


@dataclass(frozen=True, eq=False)
class Histograms:
    """One histogram per dense layer: ``counts[k]`` in :data:`BINS` equal bins over
    ``[-limits[k], limits[k]]``."""

    limits: np.ndarray  # (n_layers,) float64
    counts: np.ndarray  # (n_layers, BINS) int64

    def edges(self, k: int) -> np.ndarray:
        return np.linspace(-self.limits[k], self.limits[k], self.counts.shape[1] + 1)


@dataclass(frozen=True, eq=False)
class Distributions:
    """What a frame carries for the explorer and the histograms, for one set of weights.

    ``flat_values[k, i]`` is the share of layer ``k``'s ``z`` on the sample where activation
    :data:`CURVES` ``[i]`` would be flat, ``flat_units[k, i]`` the share of its units flat on
    every sample point (dead ReLUs, saturated sigmoids): ``z`` does not depend on the layer's
    own activation, so these say what each choice would do with the weights as they are.
    """

    epoch: int
    points: int  # size of the sample z and the gradients were measured on
    z: Histograms
    weights: Histograms
    gradients: Histograms
    flat_values: np.ndarray  # (n_layers, len(CURVES))
    flat_units: np.ndarray

    def flatness(self, k: int, activation: str) -> tuple[float, float]:
        """(share of z values, share of units) of layer ``k`` flat under ``activation``."""
        i = CURVES.index(activation)
        return float(self.flat_values[k, i]), float(self.flat_units[k, i])


def probe_points(spec: NetworkSpec) -> int:
    """How many training points the sample has for ``spec`` (see the module's docstring)."""
    per_point = sum(a * b for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
    low, high = PROBE_POINTS
    return int(np.clip(PROBE_MULTIPLY_ADDS // max(per_point, 1), low, high))


def power_of_two_limit(values: np.ndarray) -> float:
    """The smallest power of two (at least :data:`SMALLEST_LIMIT`) at or above every finite
    ``|value|``."""
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 0.0
    if largest <= SMALLEST_LIMIT:
        return SMALLEST_LIMIT
    return 2.0 ** math.ceil(math.log2(largest))


def histogram(values: np.ndarray, limit: float, bins: int = BINS) -> np.ndarray:
    """Counts of the finite ``values`` in ``bins`` equal bins over ``[-limit, limit]``
    (``numpy.histogram``'s: the last bin includes its right edge)."""
    values = np.asarray(values).ravel()
    values = values[np.isfinite(values)]
    return np.histogram(values, bins=bins, range=(-limit, limit))[0]


def rebin(counts: np.ndarray, limit: float, new_limit: float) -> np.ndarray:
    """``counts`` (the last axis: bins over ``[-limit, limit]``) spread over as many bins on
    ``[-new_limit, new_limit]``, each bin's count shared in proportion to its overlap (exact
    when the ratio of the limits is a power of two of at most the number of bins, as
    :class:`DistributionMeter`'s ranges are). Counts outside the new range are dropped."""
    counts = np.asarray(counts, np.float64)
    bins = counts.shape[-1]
    new_edges = np.linspace(-new_limit, new_limit, bins + 1)
    position = np.clip((new_edges + limit) / (2 * limit) * bins, 0, bins)  # in old bins
    below = np.minimum(np.floor(position).astype(int), bins - 1)
    share = position - below
    zero = np.zeros((*counts.shape[:-1], 1))
    cumulative = np.concatenate((zero, np.cumsum(counts, axis=-1)), axis=-1)
    at = cumulative[..., below] * (1 - share) + cumulative[..., below + 1] * share
    return np.diff(at, axis=-1)


class DistributionMeter:
    """Measures :class:`Distributions` of one run's weights, its ranges growing as it goes.

    ``x``/``t`` are the run's network inputs and encoded targets (the first
    :func:`probe_points` are used); ``l1``/``l2`` its penalties, so the gradients are those
    training follows.
    """

    def __init__(
        self,
        spec: NetworkSpec,
        x: np.ndarray,
        t: np.ndarray,
        *,
        l1: float = 0.0,
        l2: float = 0.0,
        dtype: str = "float32",
    ) -> None:
        from nnviz.core.nn.initializers import init_params
        from nnviz.core.nn.numpy_engine import NumpyEngine
        from nnviz.core.run.pacing import ViewsPace  # it imports frames, which import this

        n = probe_points(spec)
        self.spec = spec
        self.x = np.ascontiguousarray(x[:n], dtype)
        self.t = np.ascontiguousarray(t[:n], dtype)
        no_dropout = replace(spec, dropouts=(0.0,) * spec.n_layers)
        params = init_params(spec, "small_random", np.random.default_rng(0), np.dtype(dtype))
        self._engine = NumpyEngine(no_dropout, params, OptimizerSpec(), l1=l1, l2=l2, dtype=dtype)
        self._limits = {kind: np.zeros(spec.n_layers) for kind in ("z", "weights", "gradients")}
        self._pace = ViewsPace(MEASURE_BUDGET)  # when measure_paced measures next

    @classmethod
    def of(cls, trainer) -> DistributionMeter:
        """The meter of a :class:`~nnviz.core.run.trainer.Trainer`'s run."""
        training = trainer.training
        return cls(
            trainer.spec,
            trainer.x_train,
            trainer.t_train,
            l1=training.l1,
            l2=training.l2,
            dtype=training.dtype,
        )

    def set_penalty(self, l1: float, l2: float) -> None:
        """The run's L1/L2 penalties changed (a live edit)."""
        self._engine.set_regularization(l1, l2)

    def measure_paced(
        self, params: Params, epoch: int, clock: Callable[[], float], now: bool = False
    ) -> Distributions | None:
        """:meth:`measure` if it is due by :data:`MEASURE_BUDGET` (or ``now``), else None."""
        start = clock()
        if not now and not self._pace.due(start):
            return None
        measured = self.measure(params, epoch)
        self._pace.took(start, clock())
        return measured

    def measure(self, params: Params, epoch: int) -> Distributions:
        """The histograms and flat shares of ``params`` (any engine's ``[(W, b), ...]``)."""
        engine = self._engine
        engine.set_params([(np.array(w), np.array(b)) for w, b in params])
        with np.errstate(all="ignore"):
            zs = self._pre_activations(params)
            _, grads = engine.gradients(self.x, self.t)
            flat_values, flat_units = flat_shares(zs)
        return Distributions(
            epoch=epoch,
            points=len(self.x),
            z=self._histograms("z", zs),
            weights=self._histograms("weights", [w for w, _ in params]),
            gradients=self._histograms("gradients", [g for g, _ in grads]),
            flat_values=flat_values,
            flat_units=flat_units,
        )

    def _pre_activations(self, params: Params) -> list[np.ndarray]:
        """Each dense layer's ``z`` on the sample, in evaluation mode."""
        a = self.x
        zs = []
        for (w, b), name in zip(params, self.spec.activations, strict=True):
            z = a @ np.asarray(w, a.dtype).T + np.asarray(b, a.dtype)
            zs.append(z)
            a = get_activation(name).value(z)
        return zs

    def _histograms(self, kind: str, arrays: list[np.ndarray]) -> Histograms:
        limits = self._limits[kind]
        for k, values in enumerate(arrays):
            limits[k] = max(limits[k], power_of_two_limit(np.asarray(values)))
        counts = np.stack(
            [histogram(values, limit) for values, limit in zip(arrays, limits, strict=True)]
        )
        return Histograms(limits.copy(), counts)


def flat_shares(zs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For each layer's ``z`` (points × units) and each of :data:`CURVES`: the share of values
    with ``|f'(z)| <`` :data:`FLAT_SLOPE`, and the share of units flat on every point.

    All layers side by side, one evaluation per activation: on small networks the cost is
    the number of NumPy calls, not their size."""
    z = np.concatenate([np.asarray(layer, np.float64) for layer in zs], axis=1)
    units = np.array([layer.shape[1] for layer in zs])
    starts = np.concatenate(([0], np.cumsum(units)[:-1]))
    values = np.zeros((len(zs), len(CURVES)))
    stuck = np.zeros((len(zs), len(CURVES)))
    if not len(z):
        return values, stuck
    for i, name in enumerate(CURVES):
        activation = get_activation(name)
        flat = np.abs(activation.derivative(z, activation.value(z))) < FLAT_SLOPE
        values[:, i] = np.add.reduceat(flat.mean(axis=0), starts) / units
        stuck[:, i] = np.add.reduceat(flat.all(axis=0).astype(float), starts) / units
    return values, stuck
