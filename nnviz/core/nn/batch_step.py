"""Forward and backward passes for batches of one size, built once.

On TensorFlow Playground's network a training step is about thirty NumPy calls on arrays of a
few dozen numbers: NumPy's per-call cost decides, not the arithmetic. So the NumPy engine
builds one :class:`BatchStep` per batch size it trains on (an epoch has at most two: the
batch size and a smaller last batch) and every step reuses it: each layer's ``z``, ``f(z)``
and gradients go into buffers made here once, and everything a layer's pass reads and
writes (weight views, buffers, functions) is bound into one tuple per layer, so the loops
below do little but call NumPy.

The buffers hold one column per sample (``z.T`` where the formulas have ``z``), and each
layer's input has a last row of ones, against which the last column of the layer's block
``[W | b]`` is the bias: then ``z.T = [W | b] @ [a_in.T; 1]`` is one product of two
contiguous matrices (adding ``b`` to every row was a NumPy call as dear as the product), and
``[dW | db] = dz.T @ [a_in, 1]`` gives the bias gradient with the weight gradient. The
numbers are those of the plain formulas (``z = a @ W.T + b``, ...); activations and losses
see the usual ``(samples, units)`` arrays, as transposed views.
"""

from __future__ import annotations

import numpy as np


class BatchStep:
    """The passes of one network over batches of ``n`` samples.

    ``layers`` holds per dense layer ``(block, grad_block, activation, dropout rate)``:
    ``block`` is the layer's ``[W | b]`` (``n_out`` rows of ``n_in + 1``) and ``grad_block``
    its gradient, views the engine updates in place; ``dropout_mask(shape, rate)`` draws a
    mask from the engine's generator. Per layer ``k`` the buffers, one column per sample, are
    ``z[k]``, ``h[k] = f(z[k])`` and ``dz[k]``; ``masks[k]`` is the latest training pass's
    dropout mask (None without).
    """

    def __init__(self, n: int, layers, dtype, loss, fused: bool, dropout_mask) -> None:
        last = len(layers) - 1
        # inputs[k]: layer k's input with a row of ones; a hidden layer's output without
        # dropout is written straight into the rows above the next layer's ones.
        self.inputs = []
        for block, _, _, _ in layers:
            rows = np.empty((block.shape[1], n), dtype)
            rows[-1] = 1.0
            self.inputs.append(rows)
        self.n = n
        self.z = [np.empty((len(block), n), dtype) for block, _, _, _ in layers]
        self.dz = [np.empty_like(z) for z in self.z]
        self.h = [
            self.inputs[k + 1][:-1] if k < last and not rate else np.empty_like(self.z[k])
            for k, (_, _, _, rate) in enumerate(layers)
        ]
        self.masks = [None] * len(layers)
        self._dropout_mask = dropout_mask
        self._x = self.inputs[0][:-1]
        # (block, input, z, z.T, h.T, f into a buffer, dropout rate, where dropout writes, k)
        self._forward = [
            (
                block,
                self.inputs[k],
                self.z[k],
                self.z[k].T,
                self.h[k].T,
                activation.value_into,
                rate,
                self.inputs[k + 1][:-1] if rate and k < last else None,
                k,
            )
            for k, (block, _, activation, rate) in enumerate(layers)
        ]
        # From the output down to the second layer: (dz, input.T, grad block, W.T, then for
        # the layer below: a dLoss/da buffer, its dropout mask's index (None without), and the
        # transposed views its activation's backward reads and writes).
        self._backward = []
        for k in range(last, 0, -1):
            block, grad_block, _, _ = layers[k]
            j = k - 1
            activation, rate = layers[j][2:]
            da = np.empty_like(self.z[j])
            this = (self.dz[k], self.inputs[k].T, grad_block, block[:, :-1].T)
            below = (da, j if rate else None, self.z[j].T, self.h[j].T, da.T, self.dz[j].T)
            self._backward.append(this + below + (activation.backward_into,))
        self._first = (self.dz[0], self.inputs[0].T, layers[0][1])
        # Where backprop starts: dLoss/dz of the output layer, from its outputs and targets.
        z_out, dz_out = self.z[-1].T, self.dz[-1].T
        if fused:  # from the logits: dLoss/dz = (outputs - targets) / n, the loss from z
            self._output_gradient = loss.gradient_wrt_logits_into(dz_out)
            self._loss_value = loss.value_from_logits
        else:
            da_out = np.empty_like(z_out, order="C")  # (samples, outputs), as losses expect
            self._loss_gradient = loss.value_and_gradient_into(da_out)
            self._gradient = loss.gradient_into(da_out)
            self._output_backward = layers[-1][2].backward_into
        self._fused = fused
        self._z_out, self._dz_out = z_out, dz_out

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """The outputs for ``x`` (a ``(samples, outputs)`` view of ``h[-1]``; dropout on when
        ``training``)."""
        np.copyto(self._x, x.T)
        for block, rows, z, z_t, h_t, value_into, rate, dropped, k in self._forward:
            block.dot(rows, z)  # ndarray.dot: the same as @, half the call overhead
            out = value_into(z_t, h_t)
            if rate:
                if training:
                    # Drawn per (sample, unit), as the formulas lay them out.
                    mask = self.masks[k] = self._dropout_mask(out.shape, rate).T
                    np.multiply(h_t.T, mask, dropped)
                else:
                    np.copyto(dropped, h_t.T)
        return out

    def gradients(self, x: np.ndarray, t: np.ndarray) -> float:
        """Forward in training mode, then backprop into every ``[dW | db]``; returns the data
        loss."""
        outputs = self.forward(x, True)
        if self._fused:
            loss = self._loss_value(self._z_out, t)
            self._output_gradient(outputs, t)
        else:
            loss, da = self._loss_gradient(outputs, t)
            self._output_backward(self._z_out, outputs, da, self._dz_out)
        self._backprop()
        return loss

    def gradients_only(self, x: np.ndarray, t: np.ndarray) -> None:
        """:meth:`gradients` without the loss, for steps whose loss nobody reads: the same
        gradients, without the NumPy calls of the loss's value (a cross-entropy's are more
        than its gradient's)."""
        outputs = self.forward(x, True)
        if self._fused:
            self._output_gradient(outputs, t)
        else:
            da = self._gradient(outputs, t)
            self._output_backward(self._z_out, outputs, da, self._dz_out)
        self._backprop()

    def _backprop(self) -> None:
        """From the output layer's ``dz`` down to the first layer's ``[dW | db]``."""
        masks = self.masks
        for dz, rows_t, grads, w_t, da, mask, z_t, h_t, da_t, dz_t, backward in self._backward:
            dz.dot(rows_t, grads)  # [dW | db] = dz.T @ [a_in, 1]
            w_t.dot(dz, da)  # da_in = dz @ W, then the layer below's own dz
            if mask is not None:
                da *= masks[mask]
            backward(z_t, h_t, da_t, dz_t)
        dz, rows_t, grads = self._first
        dz.dot(rows_t, grads)
