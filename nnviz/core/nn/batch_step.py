"""Forward and backward passes for batches of one size, built once.

On TensorFlow Playground's network a training step is about thirty NumPy calls on arrays of a
few dozen numbers: NumPy's per-call cost decides, not the arithmetic. So the NumPy engine
builds one :class:`BatchStep` per batch size it trains on (an epoch has at most two: the
batch size and a smaller last batch) and every step reuses it: each layer's ``z``, ``f(z)``
and gradients go into buffers made here once, and everything a layer's pass reads and
writes (weight views, buffers, functions) is bound into one tuple per layer, so the loops
below do little but call NumPy. The numbers are exactly those of the plain formulas
(``z = a @ W.T + b``, ...): only where they are written changes.
"""

from __future__ import annotations

import numpy as np


class BatchStep:
    """The passes of one network over batches of ``n`` samples.

    ``layers`` holds per dense layer ``(W, b, dW, db, activation, dropout rate)``, views the
    engine updates in place; ``dropout_mask(shape, rate)`` draws a mask from the engine's
    generator. Per layer ``k`` the buffers are ``z[k]``, ``h[k] = f(z[k])`` and, in training,
    ``dropped[k]`` (its output after dropout, None without) and ``dz[k]``; ``masks[k]`` is
    the latest forward pass's dropout mask.
    """

    def __init__(self, n: int, layers, dtype, loss, fused: bool, dropout_mask) -> None:
        def buffers(dropout_only=False):
            """One (n, units) array per layer (None for a layer without dropout if asked)."""
            return [
                np.empty((n, len(b)), dtype) if rate or not dropout_only else None
                for _, b, _, _, _, rate in layers
            ]

        self.n = n
        self.z, self.h, self.dz = buffers(), buffers(), buffers()
        self.dropped = buffers(dropout_only=True)
        self.masks = [None] * len(layers)
        self._dropout_mask = dropout_mask
        self._ones = np.ones(n, dtype)  # dz.sum(axis=0) as ones @ dz, through BLAS: 3x faster
        # What each layer's training pass reads: the layer below's output after dropout.
        below = zip(self.dropped[:-1], self.h[:-1], strict=True)
        inputs = [None, *(h if dropped is None else dropped for dropped, h in below)]
        # (W.T, b, z, f(z), f into a buffer, dropout rate, dropout's buffer, k)
        self._forward = [
            (w.T, b, self.z[k], self.h[k], activation.value_into, rate, self.dropped[k], k)
            for k, (w, b, _, _, activation, rate) in enumerate(layers)
        ]
        # From the output down to the second layer: (dz, dz.T, input, dW, db, W, then for the
        # layer below: a dLoss/da buffer, its dropout mask's index (None without), z, f(z),
        # dz and backward into a buffer).
        self._backward = []
        for k in range(len(layers) - 1, 0, -1):
            w, _, dw, db, _, _ = layers[k]
            j = k - 1
            activation, rate = layers[j][4:]
            da = np.empty_like(self.h[j])
            mask = j if rate else None
            this = (self.dz[k], self.dz[k].T, inputs[k], dw, db, w)
            below = (da, mask, self.z[j], self.h[j], self.dz[j], activation.backward_into)
            self._backward.append(this + below)
        first = layers[0]
        self._first = (self.dz[0], self.dz[0].T, first[2], first[3])
        # Where backprop starts: dLoss/dz of the output layer, from its outputs and targets.
        if fused:  # from the logits: dLoss/dz = (outputs - targets) / n, the loss from z
            self._output_gradient = loss.gradient_wrt_logits_into(self.dz[-1])
            self._loss_value = loss.value_from_logits
        else:
            self._loss_gradient = loss.value_and_gradient_into(np.empty_like(self.h[-1]))
            self._output_backward = layers[-1][4].backward_into
        self._fused = fused

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """The outputs for ``x`` (in ``h[-1]``; dropout on when ``training``)."""
        a = x
        for w_t, b, z, h, value_into, rate, dropped, k in self._forward:
            a.dot(w_t, z)  # ndarray.dot: the same as @, half the call overhead
            z += b
            a = value_into(z, h)
            if rate and training:
                mask = self.masks[k] = self._dropout_mask(h.shape, rate)
                a = np.multiply(h, mask, dropped)
        return h

    def gradients(self, x: np.ndarray, t: np.ndarray) -> float:
        """Forward in training mode, then backprop into every ``dW`` and ``db``; returns the
        data loss."""
        outputs = self.forward(x, True)
        z_out = self.z[-1]
        if self._fused:
            loss = self._loss_value(z_out, t)
            self._output_gradient(outputs, t)
        else:
            loss, da = self._loss_gradient(outputs, t)
            self._output_backward(z_out, outputs, da, self.dz[-1])
        ones, masks = self._ones, self.masks
        for dz, dz_t, a_in, dw, db, w, da, mask, z, h, dz_below, backward in self._backward:
            dz_t.dot(a_in, dw)  # dW = dz.T @ a_in
            ones.dot(dz, db)  # db = dz summed over the batch
            dz.dot(w, da)  # da_in = dz @ W, then the layer below's own dz
            if mask is not None:
                da *= masks[mask]
            backward(z, h, da, dz_below)
        dz, dz_t, dw, db = self._first
        dz_t.dot(x, dw)
        ones.dot(dz, db)
        return loss
