"""Step-through mode in the real window, with its training process: pick a point, walk every
stage on the diagram and in the formula view, apply the update, edit a weight, undo."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget
from test_transfer import trained_window, wait_until

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.explain.formulas import forward_lines
from nnviz.core.explain.numbers import number
from nnviz.core.nn.network import encode_targets
from nnviz.core.nn.numpy_engine import NumpyEngine

TWO_HIDDEN = Design(
    name="two hidden layers",
    dataset=DatasetSpec("xor", points=100, seed=1),
    features=("x1", "x2"),
    layers=(LayerSpec(3, "tanh"), LayerSpec(2, "relu")),
    training=TrainingSpec(optimizer=OptimizerSpec("momentum", learning_rate=0.1), seed=3),
)


@pytest.fixture
def window(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr("test_transfer.XOR", TWO_HIDDEN)
    with trained_window(tmp_path) as window:
        yield window


def mode_of(window):
    return window.step_through


def labels(mode) -> dict:
    return mode.overlay.texts()


def viewport_point(editor, scene_point: QPointF) -> QPoint:
    return editor.mapFromScene(scene_point)


def hover(editor, scene_point: QPointF) -> None:
    pos = QPointF(viewport_point(editor, scene_point))
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove, pos, pos, Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(editor.viewport(), event)


def click(editor, scene_point: QPointF) -> None:
    QTest.mouseClick(
        editor.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(editor, scene_point)
    )


def engine_step(window, mode):
    """The NumPy engine's own loss and gradients for the chosen sample (float64)."""
    session = window.training
    x = session.pipeline.transform(session.dataset.x_train[mode.index : mode.index + 1])
    t = encode_targets(session.spec, session.dataset.y_train[mode.index : mode.index + 1])
    engine = NumpyEngine(session.spec, mode.params, TWO_HIDDEN.training.optimizer, dtype="float64")
    return engine.gradients(x, t)


def test_click_a_point_and_step_through_every_stage(window):
    mode = mode_of(window)
    editor = window.editor
    window.actionStepThrough.trigger()
    assert mode.active and window.findChild(QDockWidget, "stepThroughPanel").isVisible()
    assert window.actionStepThrough.isChecked()

    regions = mode.regions
    target = mode.point_of("train", 7)
    QTest.mouseClick(
        regions.plots.viewport(), Qt.MouseButton.LeftButton,
        pos=regions.plots.mapFromScene(target),
    )  # fmt: skip
    assert (mode.split, mode.index) == ("train", 7)
    assert window.findChild(object, "stepSampleSpin").value() == 7

    trace = mode.trace
    loss, grads = engine_step(window, mode)
    assert trace.loss == pytest.approx(loss, rel=1e-9)
    for layer, (dw, _) in zip(trace.layers, grads, strict=True):
        np.testing.assert_allclose(layer.grad_weight, dw, rtol=1e-9, atol=1e-15)

    stage_label = window.findChild(object, "stepStageLabel")
    formulas = window.findChild(object, "stepFormulaView")
    kinds = []
    for position in range(len(mode.stages)):
        stage = mode.stage
        kinds.append((stage.kind, stage.column))
        assert stage_label.text().startswith(f"Stage {position + 1} of 8")
        shown = labels(mode)
        for layer, step in enumerate(trace.layers):
            for unit in range(len(step.z)):
                text = shown.get(("neuron", layer, unit))
                if stage.kind == "forward" and layer + 1 > stage.column:
                    assert text is None  # not computed yet
                elif stage.kind == "backward" and layer + 1 >= stage.column:
                    assert text == f"δ {number(step.delta[unit])}"
                elif stage.kind == "update":
                    new_bias = trace.update.params[layer][1][unit]
                    assert text == f"b {number(step.bias[unit])}→{number(new_bias)}"
                else:
                    assert text == f"z {number(step.z[unit])}  a {number(step.a[unit])}"
        if stage.kind == "forward":
            focus = stage.column - 1
            dimmed = mode.overlay.neuron_item(focus + 1, 0) if focus + 1 < 3 else None
            assert mode.overlay.neuron_item(focus, 0).opacity() == 1.0
            assert dimmed is None or dimmed.opacity() < 0.5
        if stage.kind == "loss":
            assert "Loss: binary cross-entropy" in stage_label.text()
            assert f"= {number(trace.loss)}" in formulas.toPlainText()
        if position < len(mode.stages) - 1:
            QTest.keyClick(window, Qt.Key.Key_Right)
    assert kinds == [
        ("forward", 1), ("forward", 2), ("forward", 3), ("loss", None),
        ("backward", 3), ("backward", 2), ("backward", 1), ("update", None),
    ]  # fmt: skip
    QTest.keyClick(window, Qt.Key.Key_Left)
    assert mode.stage.kind == "backward" and mode.stage.column == 1
    mode.go_to(0)

    neuron = mode.overlay.neuron_item(0, 1)
    hover(editor, neuron.centre())
    text = formulas.toPlainText()
    for line in forward_lines(trace, 0, 1):
        assert line in text
    edge_labels = [k for k in mode.overlay.labels if k[0] == "edge"]
    assert sorted(edge_labels) == [("edge", 0, 1, 0), ("edge", 0, 1, 1)]
    w, x = trace.layers[0].weight[1, 0], trace.x[0]
    assert labels(mode)[("edge", 0, 1, 0)] == f"w·a {number(w * x)}"

    # The update really changes the network, and undo takes it back.
    old = [w.copy() for w, _ in mode.params]
    expected = trace.update.params
    mode.go_to(len(mode.stages) - 1)
    window.findChild(object, "stepApplyButton").click()
    session = window.training

    def shows(params) -> bool:
        latest = session.latest.params
        return all(
            np.allclose(a, p, atol=1e-6) for (a, _), (p, *_) in zip(latest, params, strict=True)
        )

    wait_until(lambda: shows(expected))
    assert window.undo_stack.undoText().startswith("Update by hand (train sample 7)")
    assert mode.stage.kind == "forward"  # a fresh walk with the new weights
    window.undo_stack.undo()
    wait_until(lambda: shows([(w,) for w in old]))

    window.findChild(object, "stepLeaveButton").click()
    assert not mode.active and not mode.overlay.labels
    assert all(item.opacity() in (1.0, 0.45) for item in editor.scene().items()
               if hasattr(item, "key"))  # fmt: skip
    assert not window.actionStepThrough.isChecked()


def test_edit_a_weight_by_hand_and_undo(window):
    mode = mode_of(window)
    editor = window.editor
    window.actionStepThrough.trigger()
    edge = editor.edges()[(1, 0, 2)]  # layer 2, neuron 1, from hidden-1 neuron 3
    click(editor, edge.path().pointAtPercent(0.5))
    value = window.findChild(object, "stepValueEdit")
    assert value.isEnabled()
    old = float(mode.params[1][0][0, 2])
    assert float(value.text()) == pytest.approx(old, rel=1e-5)
    value.setText("0.75")
    QTest.keyClick(value, Qt.Key.Key_Return)
    session = window.training
    wait_until(lambda: session.latest.params[1][0][0, 2] == np.float32(0.75))
    assert mode.trace.layers[1].weight[0, 2] == 0.75
    wait_until(lambda: edge.tip() == "weight +0.7500")  # the diagram follows
    assert window.undo_stack.undoText() == "Edit weight to 0.75"
    wait_until(lambda: "changed by hand" in window.statusBar().currentMessage())

    click(editor, mode.overlay.neuron_item(0, 1).centre())  # a neuron: its bias
    value.setText("-1.5")
    QTest.keyClick(value, Qt.Key.Key_Return)
    wait_until(lambda: session.latest.params[0][1][1] == np.float32(-1.5))
    assert window.undo_stack.undoText() == "Edit bias to −1.5"

    window.undo_stack.undo()
    wait_until(lambda: session.latest.params[0][1][1] != np.float32(-1.5))
    window.undo_stack.undo()
    wait_until(lambda: session.latest.params[1][0][0, 2] == np.float32(old))
    assert mode.params[1][0][0, 2] == pytest.approx(old)


def test_an_image_sample_is_shown_as_a_picture(qtbot):
    from nnviz.ui.step_through.panel import StepThroughPanel

    panel = StepThroughPanel()
    qtbot.addWidget(panel)
    panel.show()
    digit = np.zeros((8, 8))
    digit[2:6, 3] = 16.0  # a "1": dark ink on white
    panel.set_picture(digit)
    image = panel.sample_image.pixmap().toImage()
    assert panel.sample_image.isVisible() and (image.width(), image.height()) == (64, 64)
    assert image.pixelColor(3 * 8 + 4, 3 * 8 + 4).value() == 0  # ink
    assert image.pixelColor(4, 4).value() == 255  # paper
    panel.set_picture(None)
    assert not panel.sample_image.isVisible()
