"""Shuffle, then split into train and test the way TensorFlow Playground does."""

from __future__ import annotations

import numpy as np

from nnviz.core.data.dataset import DatasetError


def shuffle_split(
    x: np.ndarray, y: np.ndarray, *, train_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle rows with ``rng``; the first ``floor(n * train_fraction)`` are the training set.

    Returns ``x_train, y_train, x_test, y_test``. Both parts must hold at least one row.
    """
    n = len(x)
    n_train = int(n * train_fraction)
    if n_train < 1 or n_train >= n:
        raise DatasetError(
            f"a train share of {train_fraction:.0%} of {n} rows leaves the training or the "
            "test set empty"
        )
    order = rng.permutation(n)
    x, y = x[order], y[order]
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def class_names(k: int) -> tuple[str, ...]:
    """Names of generated classes: "0", "1", ... (TensorFlow Playground's -1 is class 0)."""
    return tuple(str(i) for i in range(k))
