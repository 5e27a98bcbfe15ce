"""Painted points: their data set, their split, and a run that takes on new points live."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.data import DatasetError, load_dataset
from nnviz.core.data.painted import painted_dataset, rows_of, split_mask, takes_on
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import (
    DesignFileError,
    design_from_dict,
    design_to_dict,
    load_design,
    save_design,
)
from nnviz.core.run.frames import Frame
from nnviz.core.run.live import needs_new_run
from nnviz.core.run.protocol import NewRun, PointsTaken, RunStarted, StepEpoch, Update
from nnviz.core.run.service import TrainingService
from nnviz.core.run.trainer import Trainer
from tests.core.test_service import FakeClock


def two_clusters(n=10, seed=0) -> tuple[tuple[float, float, float], ...]:
    """``n`` points, half of class 0 around (-3, -3), half of class 1 around (3, 3)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        label = k % 2
        x, y = rng.normal(3.0 if label else -3.0, 0.7, 2)
        rows.append((round(float(x), 3), round(float(y), 3), float(label)))
    return tuple(rows)


def painted_design(rows, batch_size=10, **dataset) -> Design:
    return Design(
        dataset=DatasetSpec("points", painted=rows, train_fraction=0.6, **dataset),
        layers=(LayerSpec(4, "tanh"),),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adam", learning_rate=0.05), epochs=500, batch_size=batch_size
        ),
    )


def test_painted_rows_become_a_2d_data_set_on_the_playground_plane():
    rows = two_clusters(40)
    data = load_dataset(painted_design(rows).dataset)
    assert data.task == "classification" and data.class_names == ("0", "1")
    assert data.raw_names == ("x1", "x2") and data.extent == (-6.0, 6.0)
    assert len(data.x_train) + len(data.x_test) == 40
    both = np.concatenate([data.x_train, data.x_test]).astype(np.float64)
    np.testing.assert_allclose(np.sort(both, axis=0), np.sort(np.array(rows)[:, :2], axis=0))
    assert 0.4 < len(data.x_train) / 40 < 0.8  # follows the training share (0.6)


def test_painting_a_point_never_moves_another_between_the_splits():
    rows = np.array(two_clusters(60))
    before = split_mask(rows, 0.5, seed=3)
    more = np.vstack([rows, [[0.5, 0.5, 1.0]]])
    fewer = np.delete(rows, 7, axis=0)
    np.testing.assert_array_equal(split_mask(more, 0.5, seed=3)[:60], before)
    np.testing.assert_array_equal(split_mask(fewer, 0.5, seed=3), np.delete(before, 7))
    assert not np.array_equal(split_mask(rows, 0.5, seed=4), before)  # the seed decides


def test_two_points_make_one_to_train_and_one_to_test():
    for seed in range(20):
        mask = split_mask(np.array([[0.0, 0.0, 0], [1.0, 1.0, 1]]), 0.9, seed)
        assert mask.sum() == 1
    with pytest.raises(DatasetError, match="paint at least two"):
        painted_dataset([(1.0, 1.0, 0.0)], "classification", 0.5, 0)


def test_regression_points_carry_their_values():
    rows = ((0.0, 0.0, 0.5), (1.0, 2.0, -1.25), (2.0, -1.0, 3.0), (4.0, 4.0, 0.0))
    data = painted_dataset(rows, "regression", 0.5, 0)
    values = dict(zip(map(tuple, data.x_train.tolist()), data.y_train.tolist(), strict=True))
    values.update(zip(map(tuple, data.x_test.tolist()), data.y_test.tolist(), strict=True))
    assert values == {(r[0], r[1]): r[2] for r in rows}
    assert data.class_names == ()


def test_a_built_in_set_becomes_points_to_edit():
    data = load_dataset(DatasetSpec("spirals", points=60, classes=3))
    rows = rows_of(data)
    assert len(rows) == 60 and {r[2] for r in rows} == {0.0, 1.0, 2.0}
    again = painted_dataset(rows, "classification", 0.5, 0)
    assert again.class_names == data.class_names


def test_only_new_points_with_the_same_classes_are_taken_on():
    old = DatasetSpec("points", painted=two_clusters(6))
    assert takes_on(old, replace(old, painted=two_clusters(8)))
    assert not takes_on(old, replace(old, painted=(*old.painted, (0.0, 0.0, 2.0))))  # a class
    assert not takes_on(old, replace(old, painted=two_clusters(8), seed=5))
    assert not takes_on(old, old)
    assert not takes_on(DatasetSpec("xor"), DatasetSpec("xor", points=100))
    assert not takes_on(replace(old, painted=old.painted[:1]), old)  # that run could not start


def test_a_run_takes_on_new_points_from_its_next_epoch_with_its_weights():
    rows = two_clusters(10)
    trainer = Trainer(painted_design(rows[:6]))
    for _ in range(5):
        trainer.step_epoch()
    weights = [w.copy() for w, _ in trainer.snapshot().params]
    trainer.set_dataset(load_dataset(painted_design(rows).dataset))
    assert len(trainer.x_train) + len(trainer.x_test) == 10
    assert len(trainer.predictions[0]) == len(trainer.x_train)
    for w, kept in zip(trainer.snapshot().params, weights, strict=True):
        np.testing.assert_array_equal(w[0], kept)  # nothing reset
    for _ in range(150):
        trainer.step_epoch()
    assert trainer.snapshot().metrics.train_metric == 1.0
    assert trainer.snapshot().metrics.test_metric == 1.0


def test_mid_epoch_new_points_wait_for_the_epoch_to_end():
    rows = two_clusters(30)
    trainer = Trainer(painted_design(rows[:20], batch_size=2))
    trainer.step_batch()
    trainer.set_dataset(load_dataset(painted_design(rows).dataset))
    assert len(trainer.x_train) + len(trainer.x_test) == 20
    trainer.step_epoch()  # the rest of this epoch, on the old points
    trainer.step_epoch()
    assert len(trainer.x_train) + len(trainer.x_test) == 30


def test_the_service_tells_the_window_of_new_points_in_the_same_run():
    sent = []
    service = TrainingService(sent.append, clock=FakeClock())
    rows = two_clusters(10)
    service.handle(NewRun(painted_design(rows[:6]), None, 1))
    service.handle(StepEpoch())
    sent.clear()
    service.handle(Update(painted_design(rows)))
    (taken,) = [m for m in sent if isinstance(m, PointsTaken)]
    assert taken.info.generation == 1
    assert len(taken.info.train_points) + len(taken.info.test_points) == 10
    assert taken.dataset.name == "points"
    (frame,) = [m for m in sent if isinstance(m, Frame)]
    assert len(frame.confusion.test_predicted) == len(taken.info.test_points)
    assert not [m for m in sent if isinstance(m, RunStarted)]  # no new run


def test_only_painted_points_continue_a_run():
    rows = two_clusters(10)
    assert not needs_new_run(painted_design(rows[:6]), painted_design(rows))
    assert needs_new_run(painted_design(rows[:6]), painted_design((*rows, (0.0, 0.0, 2.0))))


def test_points_painted_on_a_1d_regression_are_its_inputs_and_targets():
    rows = ((-2.0, 1.0), (-1.0, 0.5), (0.0, 0.0), (1.5, -0.75), (3.0, -1.5))
    data = load_dataset(DatasetSpec("line_points", painted=rows, train_fraction=0.6))
    assert data.task == "regression" and data.raw_names == ("x1",) and data.n_raw == 1
    targets = dict(zip(data.x_train[:, 0].tolist(), data.y_train.tolist(), strict=True))
    targets.update(zip(data.x_test[:, 0].tolist(), data.y_test.tolist(), strict=True))
    assert targets == dict(rows)
    sine = load_dataset(DatasetSpec("sine", points=20))
    assert rows_of(sine)[0] == (
        round(float(sine.x_train[0, 0]), 4),
        round(float(sine.y_train[0]), 4),
    )
    line = DatasetSpec("line_points", painted=rows)
    assert takes_on(line, replace(line, painted=rows[:4]))  # more or fewer: the same run
    assert not takes_on(line, DatasetSpec("points", painted=two_clusters(4)))


def test_a_painted_curve_design_saves_reloads_and_its_rows_are_checked(tmp_path):
    design = Design(
        dataset=DatasetSpec("line_points", painted=((-1.0, 2.0), (0.5, -0.25))),
        features=("x1",),
        layers=(LayerSpec(3),),
    )
    save_design(design, tmp_path / "curve.json")
    assert load_design(tmp_path / "curve.json") == design
    doc = design_to_dict(design)
    doc["dataset"]["painted"][1] = [0.5, -0.25, 1]
    with pytest.raises(DesignFileError, match=r"painted\[1\]: expected \[x1, target\]"):
        design_from_dict(doc)
    doc["dataset"]["painted"] = [[0.5, -0.25, 1], [1, 1, 0]]
    with pytest.raises(DesignFileError, match=r"painted: the rows of line_points are \[x1, "):
        design_from_dict(doc)
    doc["dataset"]["painted"] = [[-1.0, 2.0], [0.5, -0.25]]
    doc["dataset"]["task"] = "classification"
    with pytest.raises(DesignFileError, match="painted 1D points are a regression"):
        design_from_dict(doc)
