"""The training problem the views evaluate: a network, its training inputs and targets, and
the data loss of any weights on them, the same figure the training history reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.engine import Params
from nnviz.core.nn.losses import get_loss
from nnviz.core.nn.network import NetworkSpec, encode_targets

#: Elements (grid points × samples × widest layer) evaluated in one batched forward pass.
BATCH_ELEMENTS = 4_000_000


@dataclass(frozen=True, eq=False)
class Problem:
    """``x`` the network inputs of the training split, ``t`` its encoded targets."""

    spec: NetworkSpec
    x: np.ndarray
    t: np.ndarray

    @classmethod
    def from_trainer(cls, trainer) -> Problem:
        return cls(trainer.spec, trainer.x_train, trainer.t_train)

    @classmethod
    def from_run(
        cls, spec: NetworkSpec, pipeline, dataset, dtype="float32", limit: int | None = None
    ) -> Problem:
        """The problem of a window's run (its spec, input pipeline and data set), on its first
        ``limit`` training points if given (the split is shuffled already)."""
        x_train, y_train = dataset.x_train[:limit], dataset.y_train[:limit]
        x = np.ascontiguousarray(pipeline.transform(x_train), dtype)
        return cls(spec, x, encode_targets(spec, y_train, dtype))

    def loss(self, params: Params) -> float:
        """The data loss of ``params`` (evaluation mode, no L1/L2 penalty)."""
        stacked = [(np.asarray(w)[None], np.asarray(b)[None]) for w, b in params]
        return float(self.losses(stacked)[0])

    def losses(self, stacked: Params) -> np.ndarray:
        """The data loss of ``g`` networks at once: ``stacked`` holds ``(W, b)`` of shapes
        ``(g, out, in)`` and ``(g, out)``; a batched forward pass (a few large matrix products
        instead of many small ones)."""
        count = len(stacked[0][0])
        per_pass = max(1, BATCH_ELEMENTS // (len(self.x) * max(self.spec.sizes)))
        out = np.empty(count)
        for start in range(0, count, per_pass):
            part = [(w[start : start + per_pass], b[start : start + per_pass]) for w, b in stacked]
            out[start : start + per_pass] = self._losses(part)
        return out

    def _losses(self, stacked: Params) -> np.ndarray:
        loss = get_loss(self.spec.loss)
        fused = loss.fused_activation == self.spec.output_activation
        dtype = stacked[0][0].dtype
        a = self.x.astype(dtype, copy=False)
        t = self.t.astype(dtype, copy=False)
        with np.errstate(all="ignore"):
            for k, ((w, b), name) in enumerate(zip(stacked, self.spec.activations, strict=True)):
                z = np.matmul(a, np.swapaxes(w, 1, 2)) + b[:, None, :]
                if k == len(stacked) - 1 and fused:
                    return np.array([loss.value_from_logits(zg, t) for zg in z])
                a = get_activation(name).value(z.reshape(-1, z.shape[-1])).reshape(z.shape)
            return np.array([loss.value(ag, t) for ag in a])


def stack(params_list) -> Params:
    """``[(W, b), ...]`` of several networks as one stacked ``[(W[g], b[g]), ...]``."""
    return [
        (np.stack([p[k][0] for p in params_list]), np.stack([p[k][1] for p in params_list]))
        for k in range(len(params_list[0]))
    ]
