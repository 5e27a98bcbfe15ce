"""Data sets: generated, bundled and the user's CSV files, and the input features made from them.

``load_dataset(spec)`` turns a design's DatasetSpec into a Dataset; ``CATALOG`` describes every
data set a design may name; :mod:`nnviz.core.data.features` builds the network's inputs.
"""

from nnviz.core.data.catalog import (
    CATALOG,
    CLASSES_RANGE,
    NOISE_RANGE,
    POINTS_RANGE,
    TRAIN_FRACTION_RANGE,
    DatasetInfo,
)
from nnviz.core.data.csv_files import CsvSummary, inspect_csv, read_csv_dataset, save_dataset_csv
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.loader import load_dataset

__all__ = [
    "CATALOG",
    "CLASSES_RANGE",
    "NOISE_RANGE",
    "POINTS_RANGE",
    "TRAIN_FRACTION_RANGE",
    "CsvSummary",
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "inspect_csv",
    "load_dataset",
    "read_csv_dataset",
    "save_dataset_csv",
]
