"""The bundled example designs load, tell their lesson, and learn (or, for XOR, cannot)."""

import re
from dataclasses import replace
from importlib.resources import as_file

import numpy as np
import pytest

from nnviz.core.files.bundled import resource
from nnviz.core.files.design_file import dumps_design, load_design
from nnviz.core.run.snapshot import FINISHED
from nnviz.core.run.trainer import Trainer

EXAMPLES = (
    "perceptron-and",
    "perceptron-xor",
    "xor-mlp",
    "circle",
    "spiral-deep",
    "multiclass-spiral",
    "sine-regression",
    "digits",
    "breast-cancer",
)


def load_example(name):
    with as_file(resource("examples", f"{name}.json")) as path:
        return load_design(path), path.read_text(encoding="utf-8")


def train(design, epochs):
    """Train for at most ``epochs`` epochs; returns every snapshot."""
    epochs = min(epochs, design.training.epochs)
    design = replace(design, training=replace(design.training, epochs=epochs))
    snapshots = list(Trainer(design).run())
    assert snapshots[-1].status == FINISHED
    assert len(snapshots) == epochs
    return snapshots


def test_the_examples_folder_holds_exactly_the_lessons():
    found = {p.name for p in resource("examples").iterdir() if p.name.endswith(".json")}
    assert found == {f"{name}.json" for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_has_a_name_and_a_short_lesson(name):
    design, _ = load_example(name)
    assert design.name and design.name != "Untitled"
    sentences = re.findall(r"[.!?](?:\s|$)", design.description)
    assert 2 <= len(sentences) <= 4, design.description
    assert "Press" in design.description


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_file_is_written_as_nnviz_writes_it(name):
    # So that saving an unchanged example never shows a difference.
    design, text = load_example(name)
    assert text == dumps_design(design)


@pytest.mark.parametrize(
    ("name", "epochs", "train_at_least", "test_at_least"),
    [
        ("perceptron-and", 20, 1.0, 1.0),
        ("xor-mlp", 200, 1.0, 1.0),
        ("circle", 100, 0.9, 0.9),
        ("spiral-deep", 200, 0.9, 0.85),
        ("multiclass-spiral", 100, 0.9, 0.85),
        ("sine-regression", 100, 0.9, 0.9),  # R²
        ("digits", 8, 0.9, 0.9),
        ("breast-cancer", 10, 0.95, 0.93),
    ],
)
def test_an_example_learns(name, epochs, train_at_least, test_at_least):
    design, _ = load_example(name)
    first, *_, last = train(design, epochs)
    assert last.metrics.train_metric >= train_at_least
    assert last.metrics.test_metric >= test_at_least
    assert last.metrics.train_loss < first.metrics.train_loss


def test_the_perceptron_cannot_learn_xor():
    design, _ = load_example("perceptron-xor")
    snapshots = train(design, design.training.epochs)
    assert max(s.metrics.train_metric for s in snapshots) <= 0.75


def test_the_perceptron_examples_differ_only_in_the_gate():
    # The lesson is that the same perceptron fails on XOR: nothing else may differ.
    and_gate, _ = load_example("perceptron-and")
    xor_gate, _ = load_example("perceptron-xor")
    assert (and_gate.dataset.name, xor_gate.dataset.name) == ("and", "xor_gate")
    assert replace(xor_gate, name="", description="", dataset=and_gate.dataset) == replace(
        and_gate, name="", description=""
    )


def test_the_digits_example_trains_long_enough_for_its_weight_images_to_show_strokes():
    # Issue 14 item 9: after the example's own epochs the first layer no longer looks like its
    # random start, and pixels no digit uses have faded to 0 (grey tiles' corners).
    design, _ = load_example("digits")
    trainer = Trainer(design)
    start = np.array(trainer.snapshot().params[0][0])
    for _ in trainer.run():
        pass
    weights = np.array(trainer.snapshot().params[0][0])
    assert trainer.epoch == design.training.epochs
    assert abs(np.corrcoef(start.ravel(), weights.ravel())[0, 1]) < 0.3
    unused = trainer.pipeline.std == 1.0  # pixels that are 0 in every training image
    assert unused.any()
    assert np.abs(weights[:, unused]).mean() < 0.01 * np.abs(weights[:, ~unused]).mean()
    assert trainer.snapshot().metrics.test_metric >= 0.95
