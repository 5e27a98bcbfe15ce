"""MNIST-format image sets on the user's disk: a folder of IDX files, or a Keras ``mnist.npz``.

MNIST, Fashion-MNIST and KMNIST ship as four IDX files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each
possibly gzipped); Keras ships MNIST as one ``.npz`` of ``x_train``, ``y_train``, ``x_test``,
``y_test``. Both keep the official train/test split. Images become rows of pixels scaled to
[0, 1] (float32: 60,000 × 784 is 188 MB, float64 would be twice that); the input pipeline then
standardises every pixel on the training split, as for any real data set.

An IDX file is a header (two zero bytes, a type code, the number of dimensions, then each
dimension as a big-endian 32-bit count) followed by the values. Every way a file can be wrong
(bad magic number, counts that disagree, labels out of range, a truncated file) is a
:class:`~nnviz.core.data.dataset.DatasetError` that names the file and the problem.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.split import class_names

#: The four files of an IDX folder: (split, what) -> the file name without ``.gz``.
IDX_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
#: Labels are digits (or Fashion-MNIST's ten garments, KMNIST's ten characters).
MAX_CLASSES = 10
_UBYTE = 0x08
#: Reported between the files, as a fraction of the whole load (see ``progress``).
Progress = Callable[[float], None]


def read_idx_folder(folder: str | os.PathLike, progress: Progress | None = None) -> Dataset:
    """The data set in ``folder``'s four IDX files (each may be ``.gz``)."""
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise DatasetError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise DatasetError(
            f"{folder}: not a folder; choose the folder that holds {IDX_FILES['train', 'images']}"
        )
    arrays = {}
    for k, (key, name) in enumerate(IDX_FILES.items()):
        path = _find(folder, name)
        arrays[key] = read_idx(path, ndim=3 if key[1] == "images" else 1)
        if progress is not None:
            progress((k + 1) / (len(IDX_FILES) + 1))
    parts = []
    for split in ("train", "test"):
        images, labels = arrays[split, "images"], arrays[split, "labels"]
        images_name = _find(folder, IDX_FILES[split, "images"]).name
        labels_name = _find(folder, IDX_FILES[split, "labels"]).name
        _check_pair(images_name, images, labels_name, labels)
        parts.append((images, labels, labels_name))
    return _image_dataset(folder.name, parts, progress)


def read_idx(path: str | os.PathLike, ndim: int) -> np.ndarray:
    """One IDX file of unsigned bytes with ``ndim`` dimensions, as a uint8 array."""
    path = Path(path)
    data = _read_bytes(path)
    shape, header = _idx_header(path.name, data, ndim)
    expected = int(np.prod(shape, dtype=np.int64))
    if len(data) - header < expected:
        raise DatasetError(
            f"{path.name}: truncated: the header promises {_count(shape)}, "
            f"{expected:,} bytes, but only {len(data) - header:,} follow"
        )
    if len(data) - header > expected:
        raise DatasetError(
            f"{path.name}: {len(data) - header - expected:,} bytes more than the header's "
            f"{_count(shape)}"
        )
    return np.frombuffer(data, np.uint8, count=expected, offset=header).reshape(shape)


def _idx_header(name: str, data: bytes, ndim: int) -> tuple[tuple[int, ...], int]:
    """The shape an IDX file's header declares, and the header's length in bytes."""
    if len(data) < 4:
        raise DatasetError(f"{name}: truncated: {len(data)} bytes, not even an IDX header")
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(
            f"{name}: bad magic number 0x{data[:4].hex()}: not an IDX file "
            f"(it should start 0x0000080{ndim})"
        )
    if data[2] != _UBYTE:
        raise DatasetError(
            f"{name}: values of type 0x{data[2]:02x}; MNIST-format files hold unsigned bytes (0x08)"
        )
    if data[3] != ndim:
        what = "images (3 dimensions)" if ndim == 3 else "labels (1 dimension)"
        raise DatasetError(f"{name}: {data[3]} dimensions; expected {what}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{name}: truncated inside its header ({len(data)} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    if ndim == 3 and (shape[1] == 0 or shape[2] == 0):
        raise DatasetError(f"{name}: images of {shape[1]} × {shape[2]} pixels")
    return shape, header


def pixel_names(n: int) -> tuple[str, ...]:
    """The network inputs of image data: "pixel 1" to "pixel n", row by row."""
    return tuple(f"pixel {i + 1}" for i in range(n))


def read_npz(path: str | os.PathLike, progress: Progress | None = None) -> Dataset:
    """The data set in a Keras-style ``.npz`` (``x_train``, ``y_train``, ``x_test``, ``y_test``)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"{path}: no such file")
    if path.is_dir():
        raise DatasetError(f"{path}: is a folder; choose the .npz file itself")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in NPZ_ARRAYS if name not in archive.files]
            if missing:
                raise DatasetError(
                    f"{path.name}: no {', '.join(missing)} array; a Keras-style .npz holds "
                    f"{', '.join(NPZ_ARRAYS)} (it has {', '.join(archive.files) or 'none'})"
                )
            for k, name in enumerate(NPZ_ARRAYS):
                arrays[name] = archive[name]
                if progress is not None:
                    progress((k + 1) / (len(NPZ_ARRAYS) + 1))
    except DatasetError:
        raise
    except ValueError as error:  # object arrays (pickles), malformed .npy headers
        raise DatasetError(f"{path.name}: not a usable .npz file ({error})") from None
    except (OSError, EOFError, NotImplementedError, zipfile.BadZipFile, zlib.error) as error:
        raise DatasetError(f"{path.name}: not a readable .npz file ({error})") from None
    parts = []
    for split in ("train", "test"):
        x_name, y_name = f"x_{split}", f"y_{split}"
        images, labels = arrays[x_name], arrays[y_name]
        if images.ndim != 3 or 0 in images.shape[1:]:
            raise DatasetError(
                f"{path.name}: {x_name} has shape {images.shape}; expected (images, height, width)"
            )
        if labels.ndim != 1:
            raise DatasetError(
                f"{path.name}: {y_name} has shape {labels.shape}; expected (images,)"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise DatasetError(f"{path.name}: {y_name} holds {labels.dtype}, not whole numbers")
        images = _as_bytes(images, f"{path.name}: {x_name}")
        _check_pair(f"{path.name}: {x_name}", images, f"{path.name}: {y_name}", labels)
        parts.append((images, labels, f"{path.name}: {y_name}"))
    return _image_dataset(path.stem, parts, progress)


# --- shared ---------------------------------------------------------------------------------


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetError(f"{folder}: no {name} (or {name}.gz) in this folder")


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            return gzip.decompress(raw)
        return raw
    except (gzip.BadGzipFile, zlib.error) as error:
        raise DatasetError(f"{path.name}: not a readable gzip file ({error})") from None
    except EOFError:
        raise DatasetError(f"{path.name}: truncated: the gzip stream ends early") from None
    except OSError as error:
        raise DatasetError(f"{path.name}: cannot read it ({error.strerror or error})") from None


def _count(shape: tuple[int, ...]) -> str:
    if len(shape) == 3:
        return f"{shape[0]:,} images of {shape[1]} × {shape[2]}"
    return f"{shape[0]:,} labels"


def _as_bytes(images: np.ndarray, what: str) -> np.ndarray:
    """Grey levels as uint8: uint8 as they are, other integers if they lie in 0..255."""
    if images.dtype == np.uint8:
        return images
    if not np.issubdtype(images.dtype, np.integer):
        raise DatasetError(f"{what} holds {images.dtype}; expected grey levels 0 to 255 (uint8)")
    if images.size and (images.min() < 0 or images.max() > 255):
        raise DatasetError(
            f"{what}: grey levels from {images.min()} to {images.max()}; expected 0 to 255"
        )
    return images.astype(np.uint8)


def _check_pair(images_name: str, images: np.ndarray, labels_name: str, labels) -> None:
    """As many labels as images, every label a class 0..9, at least one image."""
    if len(images) != len(labels):
        raise DatasetError(
            f"{labels_name}: {len(labels):,} labels for the {len(images):,} images of "
            f"{images_name}; the counts must agree"
        )
    if len(images) == 0:
        raise DatasetError(f"{images_name}: holds no images")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= MAX_CLASSES:
        bad = int(np.flatnonzero((labels < 0) | (labels >= MAX_CLASSES))[0])
        raise DatasetError(
            f"{labels_name}: label {int(labels[bad])} of image {bad + 1:,} is out of range; "
            f"labels are classes 0 to {MAX_CLASSES - 1}"
        )


def _image_dataset(name: str, parts, progress: Progress | None) -> Dataset:
    """Rows of pixels in [0, 1] (float32), class names 0..k-1, the image shape for the views."""
    (train_images, train_labels, _), (test_images, test_labels, test_name) = parts
    if train_images.shape[1:] != test_images.shape[1:]:
        h, w = train_images.shape[1:]
        raise DatasetError(
            f"{test_name}: test images of {test_images.shape[1]} × {test_images.shape[2]} "
            f"pixels, training images of {h} × {w}; they must be the same size"
        )
    k = max(2, int(train_labels.max()) + 1, int(test_labels.max()) + 1)
    shape = train_images.shape[1:]
    x_train = _scaled(train_images)
    x_test = _scaled(test_images)
    if progress is not None:
        progress(1.0)
    return Dataset(
        name=name,
        task="classification",
        x_train=x_train,
        y_train=train_labels.astype(np.int64),
        x_test=x_test,
        y_test=test_labels.astype(np.int64),
        raw_names=pixel_names(int(shape[0] * shape[1])),
        class_names=class_names(k),
        standardize=True,
        image_shape=(int(shape[0]), int(shape[1])),
    )


def _scaled(images: np.ndarray) -> np.ndarray:
    """(n, h, w) grey levels 0..255 as (n, h*w) float32 in [0, 1]."""
    x = images.reshape(len(images), -1).astype(np.float32)
    x *= np.float32(1 / 255)
    return x
