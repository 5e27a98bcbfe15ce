"""The training history as CSV: one row per epoch, every figure the panels plot."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from nnviz.core.files.atomic import atomic_write_text
from nnviz.core.run.snapshot import EpochMetrics

_SCALARS = (
    "epoch",
    "step",
    "train_loss",
    "test_loss",
    "train_metric",
    "test_metric",
    "train_rmse",
    "test_rmse",
    "learning_rate",
)


def history_csv(
    rows: Sequence[EpochMetrics], layer_names: Sequence[str], class_names: Sequence[str] = ()
) -> str:
    """CSV text: the scalar metrics, then a gradient-norm column per dense layer and a
    dead-unit share column per hidden layer (named after the layers), then for
    classification each class's recall on the training and on the test split (named after
    the classes; numbered from 0 when no names are given)."""
    hidden = layer_names[:-1]
    if not class_names and rows:
        class_names = [str(k) for k in range(len(rows[0].test_recall))]
    header = [
        *_SCALARS,
        *(f"grad_norm[{name}]" for name in layer_names),
        *(f"dead_fraction[{name}]" for name in hidden),
        *(f"train_recall[{name}]" for name in class_names),
        *(f"test_recall[{name}]" for name in class_names),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                *(getattr(row, name) for name in _SCALARS),
                *row.grad_norms,
                *row.dead_fraction,
                *row.train_recall,
                *row.test_recall,
            ]
        )
    return out.getvalue()


def save_history_csv(
    path, rows: Sequence[EpochMetrics], layer_names: Sequence[str], class_names=()
) -> None:
    """Write :func:`history_csv` to ``path`` atomically."""
    atomic_write_text(path, history_csv(rows, layer_names, class_names))
