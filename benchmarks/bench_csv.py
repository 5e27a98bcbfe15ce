"""How long nnviz takes to read a big and a wide CSV file, beside two references, in one run.

    .venv/bin/python benchmarks/bench_csv.py            # about a minute
    .venv/bin/python benchmarks/bench_csv.py --rows 2000

The files are made in a temporary folder: MNIST's shape (20,000 rows of 784 pixels written with
four decimals and a digit label, about 110 MB) and a wide one (50,000 columns, 3 rows). The
references are Python's ``csv.reader`` alone (splitting the cells, converting nothing: a floor
for any reader built on it) and ``numpy.loadtxt`` (NumPy's C parser, numbers only). Wall and
CPU seconds are both printed: on a shared machine the wall time is the noisy one.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

import numpy as np

from nnviz.core.data import inspect_csv, read_csv_dataset


def _timed(label: str, work, reference: float | None = None) -> float:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ratio = f"  ({cpu / reference:.2f}× csv.reader)" if reference else ""
    print(f"  {label:<34} {wall:6.2f} s wall {cpu:6.2f} s CPU{ratio}")
    return cpu


def _split_cells(path: Path) -> None:
    with open(path, newline="") as file:
        list(csv.reader(io.StringIO(file.read())))


def _mnist_shaped(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    body = np.column_stack([rng.random((rows, 784)), rng.integers(0, 10, rows)])
    with open(path, "w") as file:
        file.write(",".join([f"pixel{i}" for i in range(784)] + ["label"]) + "\n")
        np.savetxt(file, body, delimiter=",", fmt=["%.4f"] * 784 + ["%d"])


def _wide(path: Path, columns: int) -> None:
    header = ",".join(f"c{i}" for i in range(columns)) + ",label\n"
    path.write_text(header + "".join(",".join(["1.5"] * columns) + f",{r}\n" for r in range(3)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the MNIST-shaped file")
    parser.add_argument("--columns", type=int, default=50_000, help="columns of the wide file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        big, wide = Path(folder) / "mnist.csv", Path(folder) / "wide.csv"
        _mnist_shaped(big, args.rows)
        _wide(wide, args.columns)
        print(f"{big.name}: {args.rows} × 785, {big.stat().st_size / 1e6:.0f} MB")
        floor = _timed("csv.reader (cells only)", lambda: _split_cells(big))
        _timed(
            "numpy.loadtxt (numbers only)",
            lambda: np.loadtxt(big, delimiter=",", skiprows=1),
            floor,
        )
        _timed("nnviz inspect_csv", lambda: inspect_csv(big), floor)
        _timed("nnviz read_csv_dataset", lambda: read_csv_dataset(big, label_column="label"), floor)
        print(f"{wide.name}: 3 × {args.columns + 1}, {wide.stat().st_size / 1e6:.1f} MB")
        _timed("nnviz inspect_csv", lambda: inspect_csv(wide))
        _timed(
            "nnviz read_csv_dataset",
            lambda: read_csv_dataset(wide, label_column="label", train_fraction=0.67),
        )


if __name__ == "__main__":
    main()
