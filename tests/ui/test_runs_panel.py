"""The Runs dock in the real window with its real training process: every run kept, compared,
restored as one undo step, deleted, and there again in a new window."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QMessageBox, QPushButton
from test_transfer import use_settings_in

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.trainer import Trainer
from nnviz.core.schema import with_value
from nnviz.ui.main_window import MainWindow

WAIT = 30_000  # ms; only a guard against hanging
EPOCHS = 4
UNITS = "layers[0].units"

XOR = Design(
    name="xor net",
    dataset=DatasetSpec("xor", points=120, seed=1),
    layers=(LayerSpec(5, "tanh"), LayerSpec(2, "tanh")),
    training=TrainingSpec(seed=2, optimizer=OptimizerSpec("adam", 0.03), epochs=EPOCHS),
)


@pytest.fixture
def make_window(qtbot, tmp_path):
    use_settings_in(tmp_path)
    windows = []

    def make() -> MainWindow:
        window = MainWindow()
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.undo_stack.setClean()
        window.close()
        window.deleteLater()
    assert not [t for t in threading.enumerate() if t.name.startswith("nnviz-")]


def train_to_the_end(qtbot, window, generation) -> None:
    """Wait for the run ``generation`` to start, then train it to its epoch limit."""
    qtbot.waitUntil(
        lambda: getattr(window.training.run_info, "generation", None) == generation, timeout=WAIT
    )
    window.training.play()
    qtbot.waitUntil(
        lambda: (
            window.training.state == "finished"
            and window.training.run_info.generation == generation
        ),
        timeout=WAIT,
    )


def rows(panel) -> list[dict[str, str]]:
    """The table as the user reads it: a dict of header -> cell text a row, in view order."""
    model = panel.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [
        {h: model.index(r, c).data() for c, h in enumerate(headers)}
        for r in range(model.rowCount())
    ]


def select(qtbot, panel, ids) -> None:
    """Click the rows of ``ids``, the later ones with Ctrl, as a user selects several."""
    view = panel.table
    for n, run_id in enumerate(ids):
        row = next(r for r in range(view.model().rowCount())
                   if view.model().index(r, 0).data().split()[0] == str(run_id))  # fmt: skip
        rect = view.visualRect(view.model().index(row, 1))
        modifier = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier.NoModifier
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    qtbot.waitUntil(lambda: panel.selected_ids() == sorted(ids), timeout=WAIT)


def test_three_runs_are_kept_compared_restored_deleted_and_come_back(qtbot, make_window,
                                                                    monkeypatch):  # fmt: skip
    window = make_window()
    dock = window.findChild(QDockWidget, "runsDock")
    dock.show()
    dock.raise_()
    panel = dock.widget()
    assert panel.objectName() == "runsPanel" and rows(panel) == []

    designs = [with_value(XOR, UNITS, units) for units in (5, 3, 7)]
    window.open_document(designs[0])
    train_to_the_end(qtbot, window, window.training.generation)
    for design in designs[1:]:
        window.push_design(design, "Change the width")
        train_to_the_end(qtbot, window, window.training.generation)
    qtbot.waitUntil(lambda: [r["status"] for r in rows(panel)] == ["finished"] * 3, timeout=WAIT)

    table = rows(panel)
    assert [r[UNITS] for r in table] == ["5", "3", "7"]  # the one setting that differs
    assert "training.optimizer.learning_rate" not in table[0]
    assert [r["epochs"] for r in table] == [str(EPOCHS)] * 3
    assert [r["run"] for r in table] == ["1", "2", "3 ▶"]  # the current run highlighted
    assert panel.table.model().index(2, 0).data(Qt.ItemDataRole.FontRole).bold()

    # the current run's figures are the session's
    session = window.training.history.columns("epoch", "test_loss", "test_metric")
    third = panel.entries[3]
    np.testing.assert_array_equal(third.history["test_loss"], session[:, 1])
    assert third.final["test_loss"] == session[-1, 1]
    assert third.best["test_accuracy"] == session[:, 2].max()
    assert table[2]["test loss"] == f"{session[-1, 1]:.4g}"

    # two selected: their curves overlay, each the run's own training, in their own colours
    select(qtbot, panel, [1, 2])
    compare = panel.compare
    assert sorted(compare.curves) == [1, 2]
    for run_id, design in zip((1, 2), designs, strict=False):
        trainer = Trainer(design)
        while not trainer.done:
            trainer.step_epoch()
        reference = np.array([(row.epoch, row.test_loss, row.test_metric)
                              for row in trainer.history])  # fmt: skip
        x, y = compare.curves[run_id]["test_loss"].getData()
        np.testing.assert_array_equal(x, reference[:, 0])
        np.testing.assert_allclose(y, reference[:, 1], rtol=1e-5)
        _, accuracy = compare.curves[run_id]["test_metric"].getData()
        np.testing.assert_allclose(accuracy, 100 * reference[:, 2], rtol=1e-5)
    colors = {compare.curves[i]["test_loss"].opts["pen"].color().name() for i in (1, 2)}
    assert len(colors) == 2
    # and their decision regions side by side
    assert sorted(compare.pictures) == [1, 2]
    pictures = [compare.pictures[i].image for i in (1, 2)]
    assert pictures[0].shape[2] == 3 and not np.array_equal(pictures[0], pictures[1])
    np.testing.assert_array_equal(pictures[0], panel.entries[1].regions)
    panel.grab().save("/tmp/runs-panel.png")

    # restore run 1's design: one undo step
    steps = window.undo_stack.count()
    select(qtbot, panel, [1])
    qtbot.mouseClick(panel.findChild(QPushButton, "restoreRunButton"), Qt.MouseButton.LeftButton)
    assert window.design == designs[0]
    assert window.undo_stack.count() == steps + 1
    window.undo_stack.undo()
    assert window.design == designs[2]

    # delete run 2 (after the confirmation)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Yes)
    select(qtbot, panel, [2])
    qtbot.mouseClick(panel.findChild(QPushButton, "deleteRunsButton"), Qt.MouseButton.LeftButton)
    assert [r["run"].split()[0] for r in rows(panel)] == ["1", "3"]
    assert [e.id for e in panel.store.runs()] == [1, 3]

    # the runs come back in a new window
    kept = {i: panel.entries[i] for i in (1, 3)}
    window.undo_stack.setClean()
    window.close()
    again = make_window().findChild(QDockWidget, "runsDock").widget()
    assert [r["run"] for r in rows(again)] == ["1", "3"]
    for run_id, entry in kept.items():
        back = again.entries[run_id]
        assert back.design == entry.design and back.status == "finished"
        assert back.final == entry.final
        np.testing.assert_array_equal(back.history["test_loss"], entry.history["test_loss"])
