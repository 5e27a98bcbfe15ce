"""Confusion matrix and per-class figures, checked against scikit-learn on trained networks."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from nnviz.cli.train import main as train_main
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.files.history_csv import history_csv
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.metrics import ClassReport, confusion_counts
from nnviz.core.nn.network import encode_targets, predict_classes, resolve_network
from nnviz.core.nn.numpy_engine import forward_layers
from nnviz.core.run.evaluation import Evaluation
from nnviz.core.run.history import MetricsHistory
from nnviz.core.run.run_facts import make_confusion
from nnviz.core.run.trainer import Trainer


def trained(dataset: DatasetSpec, epochs: int = 15, units: int = 8) -> Trainer:
    design = Design(
        dataset=dataset,
        features={"iris": (), "digits": (), "sine": ("x1",)}.get(dataset.name, ("x1", "x2")),
        layers=(LayerSpec(units, "tanh"),),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", learning_rate=0.01), seed=3),
    )
    trainer = Trainer(design)
    for _ in range(epochs):
        trainer.step_epoch()
    return trainer


TRAINED_SETS = [
    DatasetSpec("spirals", points=300, classes=4, noise=0.2, seed=2),  # softmax, 4 classes
    DatasetSpec("circle", points=200, noise=0.3),  # one sigmoid output, 2 classes
    DatasetSpec("digits"),  # 10 classes, wide data
]


@pytest.mark.parametrize("dataset", TRAINED_SETS, ids=lambda d: d.name)
def test_confusion_and_per_class_figures_equal_scikit_learns(dataset):
    trainer = trained(dataset)
    k = trainer.dataset.n_classes
    outputs = forward_layers(trainer.spec, trainer.engine.get_params(), trainer.x_test)[-1]
    predicted = predict_classes(trainer.spec, outputs)
    y = trainer.dataset.y_test
    np.testing.assert_array_equal(trainer.predictions[1], predicted)
    assert 0 < np.mean(predicted == y) < 1  # some mistakes, or the test proves little

    report = ClassReport.of(y, predicted, k)
    labels = list(range(k))
    np.testing.assert_array_equal(report.counts, confusion_matrix(y, predicted, labels=labels))
    p, r, f, s = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.support, s)
    macro = precision_recall_fscore_support(
        y, predicted, labels=labels, average="macro", zero_division=0
    )[:3]
    np.testing.assert_allclose(report.macro(), macro)
    normalised = confusion_matrix(y, predicted, labels=labels, normalize="true")
    np.testing.assert_allclose(report.shares, np.nan_to_num(normalised))
    assert report.accuracy == pytest.approx(trainer.snapshot().metrics.test_metric)


def test_classes_never_seen_or_never_predicted_count_as_zero():
    y_true = np.array([0, 0, 1, 1, 1])
    y_pred = np.array([0, 1, 1, 1, 0])
    report = ClassReport.of(y_true, y_pred, 4)  # classes 2 and 3 absent
    labels = [0, 1, 2, 3]
    np.testing.assert_array_equal(report.counts, confusion_matrix(y_true, y_pred, labels=labels))
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.shares[2:], 0.0)
    assert confusion_counts(y_true, y_pred, 4).sum() == 5


def test_evaluation_counts_accuracy_and_recall_with_classes_missing_from_a_split():
    """One bincount gives both splits' hits: checked against scikit-learn, with two classes
    that have no test points (their recall 0, as zero_division=0 reports it)."""
    spec = resolve_network(Design(layers=(LayerSpec(3),)), 2, "classification", 4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2)).astype(np.float32)
    y_train, y_test = np.tile([0, 1, 2, 3], 10), np.tile([0, 1, 1, 0], 10)
    data = [(x, encode_targets(spec, y), y) for y in (y_train, y_test)]
    figures = Evaluation(spec, *data)(init_params(spec, "xavier", rng))
    for recall, scores, y, predicted in zip(
        figures.recall,
        (figures.train, figures.test),
        (y_train, y_test),
        figures.classes,
        strict=True,
    ):
        expected = precision_recall_fscore_support(
            y, predicted, labels=[0, 1, 2, 3], zero_division=0
        )[1]
        assert recall == tuple(expected)
        assert scores[1] == np.mean(predicted == y)
    assert figures.recall[1][2:] == (0.0, 0.0)


def test_history_rows_hold_each_classs_recall_on_both_splits():
    trainer = trained(TRAINED_SETS[0], epochs=3)
    last = trainer.history[-1]
    for split, y, predicted in (
        ("train", trainer.dataset.y_train, trainer.predictions[0]),
        ("test", trainer.dataset.y_test, trainer.predictions[1]),
    ):
        expected = precision_recall_fscore_support(
            y, predicted, labels=[0, 1, 2, 3], zero_division=0
        )[1]
        np.testing.assert_allclose(getattr(last, f"{split}_recall"), expected)
    history = MetricsHistory(trainer.history)
    assert repr(list(history)) == repr(trainer.history)  # the recall columns come back


def test_the_history_csv_has_a_recall_column_per_class_and_split():
    trainer = trained(TRAINED_SETS[0], epochs=2)
    names = trainer.dataset.class_names
    table = list(csv.DictReader(io.StringIO(history_csv(trainer.history, ("h", "out"), names))))
    assert len(table) == 2
    for k, name in enumerate(names):
        assert float(table[-1][f"test_recall[{name}]"]) == pytest.approx(
            trainer.history[-1].test_recall[k]
        )
        assert f"train_recall[{name}]" in table[0]


def test_regression_has_no_predictions_or_recall():
    trainer = trained(DatasetSpec("sine", points=100), epochs=1)
    assert trainer.predictions is None
    assert trainer.history[-1].test_recall == ()
    assert make_confusion(trainer) is None


def test_frames_confusion_counts_every_point_of_each_split():
    trainer = trained(TRAINED_SETS[0], epochs=2)
    confusion = make_confusion(trainer)
    assert confusion.train_predicted.dtype == np.uint8
    np.testing.assert_array_equal(confusion.test_predicted, trainer.predictions[1])
    assert confusion.train.counts.sum() == len(trainer.dataset.y_train)
    np.testing.assert_array_equal(
        confusion.test.counts,
        confusion_matrix(trainer.dataset.y_test, trainer.predictions[1], labels=[0, 1, 2, 3]),
    )


def test_predictions_follow_the_weights_that_early_stopping_restores():
    design = Design(
        dataset=DatasetSpec("circle", points=100, noise=0.5),
        layers=(LayerSpec(32, "relu"),),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adam", learning_rate=0.1),
            early_stopping=True,
            patience=3,
            epochs=400,
        ),
    )
    trainer = Trainer(design)
    for _ in trainer.run():
        pass
    assert trainer.status == "early_stopped"
    outputs = forward_layers(trainer.spec, trainer.snapshot().params, trainer.x_test)[-1]
    np.testing.assert_array_equal(trainer.predictions[1], predict_classes(trainer.spec, outputs))


def test_train_json_reports_the_test_splits_confusion_and_per_class_figures(tmp_path, capsys):
    design = Design(
        name="mistakes",
        dataset=DatasetSpec("iris"),
        features=(),
        layers=(LayerSpec(6, "tanh"),),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", learning_rate=0.02), epochs=5),
    )
    path = tmp_path / "iris.json"
    save_design(design, path)
    assert train_main([str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    trainer = Trainer(design)
    for _ in trainer.run():
        pass
    y, predicted = trainer.dataset.y_test, trainer.predictions[1]
    assert result["classes"] == list(trainer.dataset.class_names)
    assert result["confusion"] == confusion_matrix(y, predicted, labels=[0, 1, 2]).tolist()
    p, r, f, s = precision_recall_fscore_support(y, predicted, labels=[0, 1, 2], zero_division=0)
    assert [c["class"] for c in result["per_class"]] == result["classes"]
    assert [c["precision"] for c in result["per_class"]] == pytest.approx(p)
    assert [c["recall"] for c in result["per_class"]] == pytest.approx(r)
    assert [c["f1"] for c in result["per_class"]] == pytest.approx(f)
    assert [c["support"] for c in result["per_class"]] == s.tolist()
    assert result["macro"]["f1"] == pytest.approx(np.mean(f))


def test_train_json_has_no_confusion_for_regression(tmp_path, capsys):
    design = Design(
        dataset=DatasetSpec("sine", points=60),
        features=("x1",),
        layers=(LayerSpec(4, "tanh"),),
        training=TrainingSpec(epochs=2),
    )
    path = tmp_path / "sine.json"
    save_design(design, path)
    assert train_main([str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "confusion" not in result and "per_class" not in result
