"""A run's facts for the window, made from its Trainer: the :class:`RunInfo` sent once per
run (kind, extent, points) and the :class:`Confusion` each frame carries."""

from __future__ import annotations

import numpy as np

from nnviz.core.nn.metrics import ClassReport
from nnviz.core.run.frames import LINE, PLANE, Confusion, RunInfo
from nnviz.core.run.projection import Projection, plane_projection

#: Share of the data's span added on each side when the data set gives no extent.
MARGIN = 0.05


def _span(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = (hi - lo) * MARGIN or 1.0
    return lo - pad, hi + pad


def make_run_info(trainer, generation: int, projection: Projection | None = None) -> RunInfo:
    """The :class:`RunInfo` of ``trainer``'s run: the view's kind, extent and points.

    2D data is viewed on (x1, x2); wider data on the principal-component plane of the
    network's inputs, ``projection`` (computed here when not given: see
    :func:`plane_projection`); one raw input as a curve, points at (x, target).
    """
    data = trainer.dataset
    x_train, x_test = data.x_train, data.x_test
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    both = np.concatenate([x_train, x_test])
    if data.n_raw == 1:
        kind, labels = LINE, (data.raw_names[0], "target")
        train_points = np.column_stack([x_train[:, 0], y_train]).astype(np.float32)
        test_points = np.column_stack([x_test[:, 0], y_test]).astype(np.float32)
        x_span = data.extent or _span(both[:, 0])
        extent = (*x_span, *_span(np.concatenate([y_train, y_test]).astype(np.float64)))
    elif data.n_raw == 2:
        kind, labels = PLANE, (data.raw_names[0], data.raw_names[1])
        train_points = np.asarray(x_train, np.float32)
        test_points = np.asarray(x_test, np.float32)
        if data.extent:
            extent = (*data.extent, *data.extent)
        else:
            extent = (*_span(both[:, 0]), *_span(both[:, 1]))
    else:
        kind, labels = PLANE, ("principal component 1", "principal component 2")
        if projection is None:
            projection = plane_projection(trainer.x_train)
        train_points = projection.project(trainer.x_train)
        test_points = projection.project(trainer.x_test)
        both = np.concatenate([train_points, test_points])
        extent = (*_span(both[:, 0]), *_span(both[:, 1]))
    return RunInfo(
        generation=generation,
        dataset_name=data.name,
        spec=trainer.spec,
        kind=kind,
        extent=tuple(float(v) for v in extent),
        axis_labels=labels,
        train_points=np.ascontiguousarray(train_points),
        train_labels=y_train,
        test_points=np.ascontiguousarray(test_points),
        test_labels=y_test,
        class_names=tuple(data.class_names),
        layer_names=trainer.spec.layer_names,
        input_names=tuple(trainer.pipeline.features),
        image_shape=data.image_shape,
        engine=trainer.engine.name,
        device=trainer.engine.device,
    )


def make_confusion(trainer) -> Confusion | None:
    """The :class:`Confusion` of ``trainer``'s latest predictions; None for regression.

    Predictions travel as the smallest integers that hold a class (a byte a point for up to
    256 classes), so 60,000 training points add 60 kB to a frame.
    """
    predictions = trainer.predictions
    if predictions is None:
        return None
    k = trainer.dataset.n_classes
    dtype = np.uint8 if k <= 256 else np.uint16
    train, test = (np.asarray(p, dtype) for p in predictions)
    data = trainer.dataset
    return Confusion(
        train=ClassReport.of(data.y_train, train, k),
        test=ClassReport.of(data.y_test, test, k),
        train_predicted=train,
        test_predicted=test,
    )
