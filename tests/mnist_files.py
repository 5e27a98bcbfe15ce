"""Small MNIST-format files for the tests: IDX folders and Keras-style .npz, written on the spot."""

from __future__ import annotations

import gzip
import struct

import numpy as np

from nnviz.core.data.image_files import IDX_FILES


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, as the MNIST distribution writes them."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def make_images(n: int, seed: int, shape=(6, 5)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, *shape), dtype=np.uint8), rng.integers(0, 10, n)


def write_idx_folder(folder, *, n_train=40, n_test=12, gz=False, shape=(6, 5)):
    folder.mkdir(exist_ok=True)
    arrays = {}
    for split, n, seed in (("train", n_train, 1), ("test", n_test, 2)):
        images, labels = make_images(n, seed, shape)
        arrays[split, "images"], arrays[split, "labels"] = images, labels
    for key, name in IDX_FILES.items():
        data = idx_bytes(arrays[key])
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return arrays


def write_npz(path, *, n_train=40, n_test=12, **override):
    x_train, y_train = make_images(n_train, 1)
    x_test, y_test = make_images(n_test, 2)
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    arrays.update(override)
    np.savez_compressed(path, **arrays)
    return arrays
