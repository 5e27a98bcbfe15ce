"""The confusion panel fed with synthetic runs: what it counts, and a click ringing points."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from nnviz.core.nn.metrics import ClassReport
from nnviz.core.nn.network import REGRESSION
from nnviz.core.run.frames import Confusion, Frame
from nnviz.core.run.snapshot import Snapshot
from nnviz.ui.panels import install_panels
from nnviz.ui.panels.confusion_panel import ConfusionPanel
from tests.ui.test_panels import FakeSession, FakeWindow, make_info, make_rows


def confusion_frame(info, seed=0, wrong=0.3) -> Frame:
    """A frame whose predictions are the true labels with a share ``wrong`` changed."""
    rng = np.random.default_rng(seed)
    k = len(info.class_names)

    def predict(labels):
        flip = rng.random(len(labels)) < wrong
        return np.where(flip, rng.integers(0, k, len(labels)), labels).astype(np.uint8)

    train, test = predict(info.train_labels), predict(info.test_labels)
    confusion = Confusion(
        ClassReport.of(info.train_labels, train, k),
        ClassReport.of(info.test_labels, test, k),
        train,
        test,
    )
    rows = make_rows(info, 0, 1)
    return Frame(info.generation, rows, Snapshot(rows[-1], ()), None, confusion)


def click_cell(panel: ConfusionPanel, row: int, col: int) -> None:
    centre = panel.matrix.cell_rect(row, col).center().toPoint()
    QTest.mouseClick(panel.matrix, Qt.MouseButton.LeftButton, pos=centre)


def shown_panels(qtbot):
    window = FakeWindow()
    qtbot.addWidget(window)
    session = FakeSession()
    panels = install_panels(window, session)
    window.resize(1300, 900)
    window.show()
    return window, session, panels


def test_the_tables_show_the_test_splits_counts_and_per_class_figures(qtbot):
    _, _, panels = shown_panels(qtbot)
    info = make_info(sizes=(2, 6, 3), activations=("tanh", "softmax"))
    panels._on_run_started(info)
    frame = confusion_frame(info)
    panels._on_frame(frame)
    panel = panels.confusion
    qtbot.waitUntil(lambda: panel.matrix.counts.sum() == len(info.test_labels))

    y, predicted = info.test_labels, frame.confusion.test_predicted
    np.testing.assert_array_equal(
        panel.matrix.counts, confusion_matrix(y, predicted, labels=[0, 1, 2])
    )
    p, r, f, s = precision_recall_fscore_support(y, predicted, labels=[0, 1, 2], zero_division=0)
    table = panel.per_class
    assert [table.verticalHeaderItem(i).text() for i in range(4)] == ["0", "1", "2", "macro avg"]
    for i in range(3):
        assert float(table.item(i, 0).text()) == round(p[i], 2)
        assert float(table.item(i, 1).text()) == round(r[i], 2)
        assert float(table.item(i, 2).text()) == round(f[i], 2)
        assert int(table.item(i, 3).text()) == s[i]
    assert float(table.item(3, 2).text()) == round(np.mean(f), 2)
    assert "right" in panel.caption.text()

    panel.train_toggle.setChecked(True)  # the training split instead
    np.testing.assert_array_equal(
        panel.matrix.counts,
        confusion_matrix(info.train_labels, frame.confusion.train_predicted, labels=[0, 1, 2]),
    )


def test_clicking_a_cell_rings_its_points_in_the_regions_panel(qtbot):
    _, _, panels = shown_panels(qtbot)
    info = make_info(sizes=(2, 6, 3), activations=("tanh", "softmax"))
    panels._on_run_started(info)
    frame = confusion_frame(info, wrong=0.6)
    panels._on_frame(frame)
    panel, regions = panels.confusion, panels.regions
    qtbot.waitUntil(lambda: panel.matrix.counts.sum() > 0)
    counts = panel.matrix.counts
    i, j = np.argwhere((counts > 0) & ~np.eye(3, dtype=bool))[0]

    click_cell(panel, i, j)
    assert panel.picked == (i, j)
    chosen = (info.test_labels == i) & (frame.confusion.test_predicted == j)
    ringed = np.column_stack(regions.highlight.getData())
    np.testing.assert_allclose(
        np.sort(ringed, axis=0), np.sort(info.test_points[chosen], axis=0), rtol=1e-6
    )
    assert len(ringed) == counts[i, j]
    assert f"{counts[i, j]} test point" in panel.caption.text()

    panel.train_toggle.setChecked(True)  # the same cell of the training split
    chosen = (info.train_labels == i) & (frame.confusion.train_predicted == j)
    assert len(regions.highlight.getData()[0]) == chosen.sum()

    click_cell(panel, i, j)  # again: let go
    assert panel.picked is None
    assert len(regions.highlight.getData()[0]) == 0


def test_image_data_shows_the_picked_cells_images_with_their_labels(qtbot):
    _, session, panels = shown_panels(qtbot)
    info = make_info(sizes=(4, 3), activations=("softmax",), image_shape=(2, 2))

    class Images:  # what the panel reads of a run's data set
        image_shape = (2, 2)
        x_train = np.arange(50 * 4, dtype=float).reshape(50, 4)
        x_test = np.arange(30 * 4, dtype=float).reshape(30, 4)

    session.dataset = Images()
    panels._on_run_started(info)
    frame = confusion_frame(info, wrong=0.5)
    panels._on_frame(frame)
    panel = panels.confusion
    qtbot.waitUntil(lambda: panel.matrix.counts.sum() > 0)
    predicted = frame.confusion.test_predicted
    mistakes = np.flatnonzero(info.test_labels != predicted)
    assert panel.strip.count() == len(mistakes)  # no cell picked: every mistake
    first = mistakes[0]
    assert panel.strip.item(0).text() == (
        f"pred {predicted[first]}\ntrue {info.test_labels[first]}"
    )

    click_cell(panel, 0, 0)  # the right answers of class 0
    right = np.flatnonzero((info.test_labels == 0) & (predicted == 0))
    assert panel.strip.count() == len(right)


def test_a_regression_run_says_the_matrix_is_for_classification(qtbot):
    _, _, panels = shown_panels(qtbot)
    panels._on_run_started(make_info(task=REGRESSION))
    panel = panels.confusion
    assert panel.placeholder.isVisible() and not panel.body.isVisible()
    assert "classification" in panel.placeholder.text()
    assert not panel.train_toggle.isEnabled()
