"""One entry point from a design's DatasetSpec to a Dataset, whatever kind of data it names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnviz.core.data import lines, playground, synthetic
from nnviz.core.data.catalog import (
    CATALOG,
    CLASSES_RANGE,
    NOISE_RANGE,
    POINTS_RANGE,
    TRAIN_FRACTION_RANGE,
)
from nnviz.core.data.csv_files import table_dataset
from nnviz.core.data.csv_table import Table, csv_path, read_table
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.gates import TRUTH_TABLES, gate
from nnviz.core.data.image_files import Progress, read_idx_folder, read_npz
from nnviz.core.data.painted import painted_dataset, painted_line_dataset
from nnviz.core.data.real import REAL_SETS, real
from nnviz.core.data.split import class_names, shuffle_split
from nnviz.core.design import DatasetSpec


def load_dataset(
    spec: DatasetSpec,
    *,
    base_dir: Path | None = None,
    progress: Progress | None = None,
    read_csv: Callable[[Path], Table] = read_table,
) -> Dataset:
    """Generate or read the data ``spec`` names.

    Generation and the shuffle before the split both draw from
    ``np.random.default_rng(spec.seed)``, so a spec always gives the same data.
    A relative CSV, IDX or npz path is taken relative to ``base_dir`` (the design file's
    folder). ``progress`` hears the fraction read of an IDX folder or npz file (they are large);
    ``read_csv`` parses a CSV file (one that keeps what it parsed spares a second parse).
    """
    info = CATALOG.get(spec.name)
    if info is None:
        raise DatasetError(f"unknown data set {spec.name!r}; choose one of {', '.join(CATALOG)}")
    _check_range("noise", spec.noise, NOISE_RANGE, info.uses)
    _check_range("points", spec.points, POINTS_RANGE, info.uses)
    _check_range("train_fraction", spec.train_fraction, TRAIN_FRACTION_RANGE, info.uses)
    _check_range("classes", spec.classes, CLASSES_RANGE, info.uses)

    if spec.name == "csv":
        return _read_csv(spec, base_dir, read_csv)
    if spec.name == "points":
        task = spec.task or "classification"
        return painted_dataset(spec.painted, task, spec.train_fraction, spec.seed)
    if spec.name == "line_points":
        return painted_line_dataset(spec.painted, spec.train_fraction, spec.seed)
    if spec.name in ("idx", "npz"):
        if not spec.path:
            what = "folder of IDX files" if spec.name == "idx" else ".npz file"
            raise DatasetError(f"the {info.title} data set needs a {what}: set its path")
        read = read_idx_folder if spec.name == "idx" else read_npz
        return read(csv_path(spec.path, base_dir), progress)
    if spec.name in REAL_SETS:
        return real(spec.name, train_fraction=spec.train_fraction, seed=spec.seed)
    if spec.name in TRUTH_TABLES:
        return gate(spec.name)

    rng = np.random.default_rng(spec.seed)
    if spec.name in lines.CURVES:
        x, y = lines.line(spec.name, spec.points, spec.noise, rng)
        raw_names: tuple[str, ...] = ("x1",)
    elif spec.name in synthetic.MULTI_CLASS_GENERATORS:
        generate = synthetic.MULTI_CLASS_GENERATORS[spec.name]
        x, y = generate(spec.points, spec.noise, rng, spec.classes)
        raw_names = ("x1", "x2")
    else:
        generate = playground.GENERATORS.get(spec.name) or synthetic.GENERATORS[spec.name]
        x, y = generate(spec.points, spec.noise, rng)
        raw_names = ("x1", "x2")
    x_train, y_train, x_test, y_test = shuffle_split(
        x, y, train_fraction=spec.train_fraction, rng=rng
    )
    k = spec.classes if "classes" in info.uses else 2
    return Dataset(
        name=spec.name,
        task=info.task,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        raw_names=raw_names,
        class_names=class_names(k) if info.task == "classification" else (),
        extent=info.extent,
    )


def _check_range(field: str, value, bounds, uses: frozenset[str]) -> None:
    low, high = bounds
    if field in uses and not low <= value <= high:
        raise DatasetError(f"{field} is {value}; it must lie between {low} and {high}")


def _read_csv(spec: DatasetSpec, base_dir: Path | None, read_csv) -> Dataset:
    if not spec.path:
        raise DatasetError("the CSV data set needs a file: set its path")
    if not spec.label_column:
        raise DatasetError("the CSV data set needs a label column")
    return table_dataset(
        read_csv(csv_path(spec.path, base_dir)),
        label_column=spec.label_column,
        feature_columns=spec.feature_columns,
        task=spec.task,
        train_fraction=spec.train_fraction,
        seed=spec.seed,
        drop_bad_rows=spec.drop_bad_rows,
    )
