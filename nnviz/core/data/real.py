"""Real data bundled with nnviz (copied from scikit-learn, see resources/datasets/README.md).

Each file is a gzip-compressed CSV with a header row and the class name in its last column,
so it is read like a user's own CSV file.
"""

from __future__ import annotations

import dataclasses
from importlib.resources import as_file

from nnviz.core.data.csv_files import read_csv_dataset
from nnviz.core.data.dataset import Dataset
from nnviz.core.files.bundled import resource

#: name -> (file in resources/datasets, label column, image shape of one row)
REAL_SETS: dict[str, tuple[str, str, tuple[int, int] | None]] = {
    "iris": ("iris.csv.gz", "species", None),
    "breast_cancer": ("breast_cancer.csv.gz", "diagnosis", None),
    "digits": ("digits.csv.gz", "digit", (8, 8)),
}


def real(name: str, *, train_fraction: float, seed: int) -> Dataset:
    """The bundled data set ``name``, shuffled with ``seed`` and split; ``standardize=True``."""
    file_name, label_column, image_shape = REAL_SETS[name]
    with as_file(resource("datasets", file_name)) as path:
        dataset = read_csv_dataset(
            path,
            label_column=label_column,
            task="classification",
            train_fraction=train_fraction,
            seed=seed,
        )
    return dataclasses.replace(dataset, name=name, image_shape=image_shape)
