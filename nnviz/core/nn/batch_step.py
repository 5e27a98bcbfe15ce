"""Forward and backward passes for batches of one size, built once.

On TensorFlow Playground's network a training step is about thirty NumPy calls on arrays of a
few dozen numbers: NumPy's per-call cost decides, not the arithmetic. So the NumPy engine
builds one :class:`BatchStep` per batch size it trains on (an epoch has at most two: the
batch size and a smaller last batch) and every step reuses it: each layer's ``z``, ``f(z)``
and gradients go into buffers made here once, and every weight view, buffer and function a
layer needs is bound into one tuple, so the loops below do little but call NumPy.
The numbers are exactly those of the plain formulas (``z = a @ W.T + b``, ...): only where
they are written changes.
"""

from __future__ import annotations

import numpy as np


class BatchStep:
    """The passes of one network over batches of ``n`` samples.

    ``layers`` holds per dense layer ``(W, b, dW, db, activation, dropout rate)``, views the
    engine updates in place; ``dropout_mask(shape, rate)`` draws a mask from the engine's
    generator. :meth:`forward` leaves what backward needs here: each layer's input, ``z``,
    output ``f(z)`` and dropout mask.
    """

    def __init__(self, n: int, layers, dtype, loss, fused: bool, dropout_mask) -> None:
        def buffer(units):
            return np.empty((n, units), dtype)

        self.n = n
        self._ones = np.ones(n, dtype)  # dz.sum(axis=0) as ones @ dz, through BLAS: 3x faster
        self._loss, self._fused, self._dropout_mask = loss, fused, dropout_mask
        depth = len(layers)
        self.inputs, self.outputs, self.masks = ([None] * depth for _ in range(3))
        self.z = [buffer(len(b)) for _, b, *_ in layers]
        # (W.T, b, z, f(z)'s buffer, f into a buffer, dropout rate, dropout's output buffer)
        self._forward = [
            (w.T, b, z, buffer(len(b)), a.value_into, rate, buffer(len(b)) if rate else None)
            for (w, b, _, _, a, rate), z in zip(layers, self.z, strict=True)
        ]
        # From the output down: (k, dW, db, W, then for the layer below, None for the first:
        # its z, buffers for its dLoss/da and dLoss/dz, its backward into a buffer).
        self._backward = []
        for k in range(depth - 1, -1, -1):
            w, _, dw, db, _, _ = layers[k]
            below = (None,) * 4
            if k > 0:
                units = len(layers[k - 1][1])
                backward_into = layers[k - 1][4].backward_into
                below = (self.z[k - 1], buffer(units), buffer(units), backward_into)
            self._backward.append((k, dw, db, w, *below))
        outputs = len(layers[-1][1])
        self._loss_into = loss.value_and_gradient_into(buffer(outputs))
        self._dz_out = buffer(outputs)
        self._out_backward = layers[-1][4].backward_into

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """The outputs for ``x`` (dropout on when ``training``)."""
        a = x
        inputs, outputs, masks = self.inputs, self.outputs, self.masks
        for k, (w_t, b, z, h, value_into, rate, dropped) in enumerate(self._forward):
            inputs[k] = a
            a.dot(w_t, z)  # ndarray.dot: the same as @, half the call overhead
            z += b
            a = outputs[k] = value_into(z, h)
            if rate and training:
                mask = masks[k] = self._dropout_mask(a.shape, rate)
                a = np.multiply(a, mask, out=dropped)
            else:
                masks[k] = None
        return a

    def gradients(self, x: np.ndarray, t: np.ndarray) -> float:
        """Forward in training mode, then backprop into every ``dW`` and ``db``; returns the
        data loss."""
        outputs = self.forward(x, True)
        loss_function, z_out = self._loss, self.z[-1]
        if self._fused:  # start from the logits: dLoss/dz = (outputs - targets) / n
            loss = loss_function.value_from_logits(z_out, t)
            dz = loss_function.gradient_wrt_logits(outputs, t)
        else:
            loss, da = self._loss_into(outputs, t)
            dz = self._out_backward(z_out, outputs, da, self._dz_out)
        ones, inputs, outputs, masks = self._ones, self.inputs, self.outputs, self.masks
        for k, dw, db, w, z_below, da_below, dz_below, backward_into in self._backward:
            dz.T.dot(inputs[k], out=dw)  # dW = dz.T @ a_in
            ones.dot(dz, out=db)  # db = dz summed over the batch
            if z_below is not None:  # da_in = dz @ W, then the layer below's own dz
                da = dz.dot(w, da_below)
                mask = masks[k - 1]
                if mask is not None:
                    da *= mask
                dz = backward_into(z_below, outputs[k - 1], da, dz_below)
        return loss
