"""The plane wide data is drawn on: its first two principal components.

One plane per run (and its forks), so every picture of the run shares the same axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rows the principal-component plane of wide data is fitted on, at most.
PLANE_SAMPLE = 10_000


@dataclass(frozen=True, eq=False)
class Projection:
    """The plane of the first two principal components of the network's training inputs.

    Of the inputs the network sees, standardised, not of the raw columns: raw, the widest
    column (breast cancer's areas, 0 to 3000) would be the whole first component and the
    points would lie in one strip. ``axes`` has shape (2, n_inputs); an input ``x`` maps to
    ``(x - mean) @ axes.T`` and a plane point ``p`` back to ``mean + p @ axes``.
    """

    mean: np.ndarray
    axes: np.ndarray

    def project(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, np.float64) - self.mean) @ self.axes.T).astype(np.float32)

    def unproject(self, p: np.ndarray) -> np.ndarray:
        return (self.mean + np.asarray(p, np.float64) @ self.axes).astype(np.float32)


def plane_projection(x_train: np.ndarray) -> Projection:
    """Principal-component plane of ``x_train`` (the network's inputs: a Trainer's
    ``x_train``); each axis's largest entry is made positive.

    Fitted on the first ``PLANE_SAMPLE`` rows (the data is shuffled, or in no particular
    order) and, with more rows than columns, from the covariance matrix's eigenvectors: on
    60,000 × 784 images a full singular value decomposition took tens of seconds at every
    new run, this about a tenth of a second.
    """
    x = np.asarray(x_train[:PLANE_SAMPLE], np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    if len(x) > x.shape[1]:
        _, vectors = np.linalg.eigh(centred.T @ centred)  # eigenvalues ascending
        axes = vectors[:, :-3:-1].T
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        axes = vt[:2]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return Projection(mean, axes * signs[:, None])
