"""A careful NumPy training loop, written by hand for one network: the floor ``nnviz train``
is measured against.

TensorFlow Playground's network, 2-8-8-1 with tanh everywhere and the squared loss on -1/+1
targets, trained by plain SGD. Everything a fast hand-written loop would do: the weights and
their gradients are views into one flat vector each (one optimizer call for the whole
network), ``ndarray.dot`` (half the call overhead of ``@``), bias gradients as ``ones @ dz``
through BLAS, ``tanh``'s derivative as ``g - g * a * a`` (array operands only), one shuffle
per epoch and contiguous batches. It does only the steps: no loss, no metrics, no snapshots.
"""

from __future__ import annotations

import numpy as np


class ReferenceLoop:
    """SGD on a tanh MLP with the squared loss, from the given ``[(W, b), ...]``."""

    def __init__(self, params, learning_rate: float, batch_size: int, seed: int = 0) -> None:
        dtype = params[0][0].dtype
        size = sum(w.size + b.size for w, b in params)
        self.flat = np.empty(size, dtype)
        self.grad = np.empty(size, dtype)
        self.layers, self.grads = [], []
        start = 0
        for w, b in params:
            views = []
            for array in (w, b):
                views.append(
                    (
                        self.flat[start : start + array.size].reshape(array.shape),
                        self.grad[start : start + array.size].reshape(array.shape),
                    )
                )
                views[-1][0][...] = array
                start += array.size
            (w_view, gw), (b_view, gb) = views
            self.layers.append((w_view, b_view))
            self.grads.append((gw, gb))
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.ones = np.ones(batch_size, dtype)
        self.steps = 0

    def epoch(self, x: np.ndarray, t: np.ndarray) -> None:
        """One shuffled pass over ``x``, ``t`` in batches."""
        order = self.rng.permutation(len(x))
        x, t = x[order], t[order]
        size, n = self.batch_size, len(x)
        for start in range(0, n, size):
            self.step(x[start : start + size], t[start : start + size])

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        (w1, b1), (w2, b2), (w3, b3) = self.layers
        (g1, gb1), (g2, gb2), (g3, gb3) = self.grads
        ones = self.ones if len(x) == self.batch_size else np.ones(len(x), x.dtype)
        z = x.dot(w1.T)
        z += b1
        a1 = np.tanh(z)
        z = a1.dot(w2.T)
        z += b2
        a2 = np.tanh(z)
        z = a2.dot(w3.T)
        z += b3
        a3 = np.tanh(z)
        d = a3 - t
        d *= 2.0 / d.size  # d(mean squared error)/d(output)
        dz = d - d * a3 * a3
        dz.T.dot(a2, out=g3)
        ones.dot(dz, out=gb3)
        d = dz.dot(w3)
        dz = d - d * a2 * a2
        dz.T.dot(a1, out=g2)
        ones.dot(dz, out=gb2)
        d = dz.dot(w2)
        dz = d - d * a1 * a1
        dz.T.dot(x, out=g1)
        ones.dot(dz, out=gb1)
        self.grad *= self.learning_rate
        self.flat -= self.grad
        self.steps += 1

    def params(self):
        return [(w.copy(), b.copy()) for w, b in self.layers]
