"""Painting points in the real window: click, spray, undo, train on them, see the mistakes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from nnviz.core.data import load_dataset
from nnviz.core.data.painted import rows_of
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import load_design
from nnviz.ui.main_window import MainWindow
from nnviz.ui.panels.confusion_panel import ConfusionPanel
from nnviz.ui.panels.regions_panel import RegionsPanel
from tests.ui.test_transfer import use_settings_in, wait_until

EMPTY_PLANE = Design(
    name="painted",
    dataset=DatasetSpec("points", train_fraction=0.6),
    layers=(LayerSpec(4, "tanh"),),
    training=TrainingSpec(
        optimizer=OptimizerSpec("adam", learning_rate=0.05), batch_size=2, epochs=100_000
    ),
)
CLASS_0 = [(-3.0, -3.0), (-2.0, -3.5), (-3.5, -2.0), (-2.5, -2.5), (-4.0, -3.0)]
CLASS_1 = [(3.0, 3.0), (2.0, 3.5), (3.5, 2.0), (2.5, 2.5), (4.0, 3.0)]


@pytest.fixture
def window(qapp, tmp_path):
    use_settings_in(tmp_path / "settings")
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    assert window.open_document(EMPTY_PLANE)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def pixel(regions: RegionsPanel, x: float, y: float) -> QPoint:
    """Where the plane's point (x, y) is on the regions panel's plot widget."""
    scene = regions.plot.vb.mapViewToScene(QPointF(x, y))
    return regions.plots.mapFromScene(scene)


def click(regions: RegionsPanel, x: float, y: float, button=Qt.MouseButton.LeftButton, mods=None):
    mods = mods or Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(regions.plots.viewport(), button, mods, pixel(regions, x, y))


def painted(window) -> tuple:
    return window.design.dataset.painted


def test_paint_ten_points_train_on_them_undo_a_stroke_and_see_the_mistakes(window, tmp_path):
    regions = window.findChild(RegionsPanel)
    confusion = window.findChild(ConfusionPanel)
    assert "Paint two points or more" in regions.title.text()  # an empty plane
    regions.paint_toggle.click()
    assert regions.painter.tools.isVisible()
    picker = regions.painter.class_picker
    assert [picker.itemText(i) for i in range(picker.count())] == [
        "class 0",
        "class 1",
        "class 2 (new)",
    ]

    for label, points in ((0, CLASS_0), (1, CLASS_1)):
        picker.setCurrentIndex(label)
        for x, y in points:
            click(regions, x, y)
    rows = np.array(painted(window))
    assert len(rows) == 10
    np.testing.assert_allclose(rows[:, :2], CLASS_0 + CLASS_1, atol=0.1)  # a pixel or so
    assert rows[:, 2].tolist() == [0.0] * 5 + [1.0] * 5

    # A right-click removes the nearest point, a click puts one back: one undo step each.
    click(regions, 0.1, 0.2)
    click(regions, 0.0, 0.0, Qt.MouseButton.RightButton)
    assert len(painted(window)) == 10 and window.actionUndo.text() == "&Undo Remove a point"
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    assert np.array(painted(window)).shape == (10, 3)

    # A stroke of the brush sprays many points, and one undo takes the stroke back.
    regions.painter.begin_stroke()
    for x in np.linspace(-1, 1, 5):
        regions.painter.spray(x, 4.0)
    regions.painter.end_stroke()
    assert len(painted(window)) == 10 + 5 * regions.painter.density.value()
    window.actionUndo.trigger()
    assert np.array(painted(window)).shape == (10, 3)

    session = window.training
    wait_until(lambda: session.run_info is not None and session.latest is not None)
    wait_until(lambda: len(session.run_info.train_points) + len(session.run_info.test_points) == 10)
    wait_until(lambda: regions.image.image is not None)
    before = regions.image.image.copy()
    window.actionPlay.trigger()
    wait_until(
        lambda: (
            session.latest.metrics.train_metric == 1.0
            and session.latest.metrics.test_metric == 1.0
            and session.epoch >= 20
        )
    )
    window.actionPlay.trigger()  # pause
    wait_until(lambda: session.state == "paused")
    # drawn in a turn of the panel's own after the frame came
    wait_until(
        lambda: np.abs(regions.image.image.astype(float) - before.astype(float)).max() > 0.05
    )
    dock = window.findChild(type(window.settings_dock), "confusionDock")
    dock.raise_()
    wait_until(lambda: confusion.report() is not None and confusion.report().accuracy == 1.0)

    # Click the right answers of a class that has test points: they are ringed in the regions.
    wait_until(lambda: confusion.matrix.counts.sum() > 0)
    info = session.run_info
    k = int(info.test_labels[0])
    cell = confusion.matrix.cell_rect(k, k).center().toPoint()
    QTest.mouseClick(confusion.matrix, Qt.MouseButton.LeftButton, pos=cell)
    expected = info.test_points[info.test_labels == k]
    ringed = np.column_stack(regions.highlight.getData())
    np.testing.assert_allclose(np.sort(ringed, axis=0), np.sort(expected, axis=0), rtol=1e-6)
    assert len(ringed) == confusion.report().counts[k, k] > 0

    window.grab().save(str(tmp_path / "painted-window.png"))
    assert window.save_as(tmp_path / "painted.json")
    assert load_design(tmp_path / "painted.json") == window.design


def test_painting_on_a_built_in_set_makes_its_points_your_own(window):
    window.open_document(Design(dataset=DatasetSpec("xor", points=40), layers=(LayerSpec(3),)))
    regions = window.findChild(RegionsPanel)
    regions.paint_toggle.click()
    regions.painter.class_picker.setCurrentIndex(1)
    click(regions, 1.0, -5.0)
    data = window.design.dataset
    assert data.name == "points" and len(data.painted) == 41
    assert data.painted[-1][2] == 1.0
    window.actionUndo.trigger()
    assert window.design.dataset.name == "xor"


def test_clear_leaves_an_empty_plane_and_paint_is_off_for_wide_data(window):
    regions = window.findChild(RegionsPanel)
    regions.paint_toggle.click()
    for x, y in CLASS_0[:3]:
        click(regions, x, y)
    regions.painter.clear.click()
    assert painted(window) == ()
    assert "Paint two points or more" in regions.title.text()
    window.undo_stack.setClean()  # no unsaved-changes prompt
    window.open_document(Design(dataset=DatasetSpec("iris"), features=()))
    assert not regions.paint_toggle.isEnabled() and not regions.painter.tools.isVisible()


def test_edit_these_points_turns_a_built_in_set_into_painted_points_in_one_step(window):
    spec = DatasetSpec("moons", points=60, noise=0.1, seed=3)
    window.open_document(Design(dataset=spec, layers=(LayerSpec(3),)))
    regions = window.findChild(RegionsPanel)
    regions.paint_toggle.click()
    edit = regions.painter.tools.findChild(QPushButton, "editPointsButton")
    assert edit.isVisible()
    depth = window.undo_stack.count()
    edit.click()
    data = window.design.dataset
    assert data.name == "points" and data.task is None
    assert data.painted == rows_of(load_dataset(spec)) and len(data.painted) == 60
    assert window.undo_stack.count() == depth + 1
    assert window.actionUndo.text() == "&Undo Edit the points of Two moons"
    assert not edit.isVisible()  # they are painted points now
    window.actionUndo.trigger()
    assert window.design.dataset == spec and edit.isVisible()


LINE = Design(
    name="painted curve",
    dataset=DatasetSpec("line_points", train_fraction=0.6),
    features=("x1",),
    layers=(LayerSpec(6, "tanh"),),
    training=TrainingSpec(
        optimizer=OptimizerSpec("adam", learning_rate=0.05), batch_size=4, epochs=100_000
    ),
)


def test_paint_a_curve_on_a_1d_regression_and_train_on_it(window):
    """On a 1D regression a click's height is the point's target (issue 20)."""
    window.open_document(LINE)
    regions = window.findChild(RegionsPanel)
    assert "Paint two points or more" in regions.title.text()
    regions.paint_toggle.click()
    painter = regions.painter
    assert painter.line and not painter.class_picker.isVisible() and not painter.value.isVisible()
    xs = np.linspace(-2.5, 2.5, 12)
    for x in xs:
        click(regions, x, 0.5 * x)
    rows = np.array(painted(window))
    assert rows.shape == (12, 2) and window.design.dataset.name == "line_points"
    np.testing.assert_allclose(rows, np.column_stack([xs, 0.5 * xs]), atol=0.1)
    click(regions, 0.0, 1.0)
    assert len(painted(window)) == 13
    window.actionUndo.trigger()
    assert len(painted(window)) == 12

    session = window.training
    wait_until(lambda: session.run_info is not None and session.run_info.kind == "line")
    wait_until(lambda: len(session.run_info.train_points) + len(session.run_info.test_points) == 12)
    window.actionPlay.trigger()
    wait_until(lambda: session.epoch >= 30 and session.latest.metrics.train_loss < 0.01)
    window.actionPlay.trigger()
    wait_until(lambda: session.state == "paused" and regions.views_data is not None)
    output = regions.views_data.output[:, 0]  # the last frame's, drawn in the panel's turn
    wait_until(lambda: np.array_equal(regions.prediction.getData()[1], output))
    xs_drawn, ys_drawn = regions.prediction.getData()
    # the curve follows the line where it was trained (which painted points are test points
    # depends on where the clicks land, so on the panel's size: beyond them it extrapolates)
    trained = session.run_info.train_points[:, 0]
    inside = (xs_drawn >= trained.min()) & (xs_drawn <= trained.max())
    assert inside.sum() > len(xs_drawn) / 3
    np.testing.assert_allclose(ys_drawn[inside], 0.5 * xs_drawn[inside], atol=0.25)


def test_painting_on_the_sine_makes_its_points_your_own(window):
    spec = DatasetSpec("sine", points=30, noise=0.1)
    window.open_document(Design(dataset=spec, features=("x1",), layers=(LayerSpec(4),)))
    regions = window.findChild(RegionsPanel)
    regions.paint_toggle.click()
    edit = regions.painter.tools.findChild(QPushButton, "editPointsButton")
    edit.click()
    data = window.design.dataset
    assert data.name == "line_points" and data.painted == rows_of(load_dataset(spec))
    click(regions, 1.0, -1.5)
    assert len(window.design.dataset.painted) == 31
    np.testing.assert_allclose(window.design.dataset.painted[-1], (1.0, -1.5), atol=0.1)
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    assert window.design.dataset == spec
