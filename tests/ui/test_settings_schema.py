"""The settings forms and the layer inspector are built from the design schema."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.schema import UnknownPath, field, value_at
from nnviz.ui.layer_inspector import LayerInspector
from nnviz.ui.settings_panel import SettingsPanel

SEED = 3_000_000_000  # above 2³¹: a QSpinBox cannot hold it


@pytest.fixture
def panel(qtbot):
    widget = SettingsPanel()
    qtbot.addWidget(widget)
    widget.edits = []
    widget.sigEdit.connect(lambda design, text, key: widget.edits.append((design, text, key)))
    widget.sigEdit.connect(lambda design, text, key: widget.set_design(design))
    widget.show()
    return widget


def controls(panel):
    return {**panel.data_tab.controls, **panel.training_tab.controls}


def shown(control):
    if hasattr(control, "isChecked"):
        return control.isChecked()
    if hasattr(control, "currentData") and not control.isEditable():
        return control.currentData()
    value = control.value()
    return value / getattr(control, "_scale", 1.0)


def test_every_control_shows_the_designs_value(panel):
    design = Design(
        dataset=DatasetSpec(
            name="spirals", noise=0.25, points=800, train_fraction=0.7, seed=SEED, classes=5
        ),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adamw", 0.005, 0.8, 0.85, 0.99, 0.95, 1e-7, 0.001),
            batch_size=32,
            epochs=2500,
            l1=0.0001,
            l2=0.001,
            initializer="he",
            seed=SEED + 1,
            early_stopping=True,
            patience=37,
            dtype="float64",
        ),
    )
    panel.set_design(design)
    bound = controls(panel)
    assert len(bound) >= 25
    for path, control in bound.items():
        expected = value_at(design, path)
        if path == "dataset.task":  # a CSV's task before one is chosen
            expected = "classification"
        assert shown(control) == pytest.approx(expected), path
        assert control.toolTip() == field(path).help, path
    assert panel.edits == []


def test_the_patience_box_shows_the_designs_patience(panel):
    patience = panel.training_tab.patience
    assert patience.value() == 50  # the default design's
    panel.set_design(Design(training=TrainingSpec(early_stopping=True, patience=7)))
    assert patience.value() == 7
    patience.stepUp()
    assert panel.design.training.patience == 17


def test_seeds_take_every_value_the_design_file_takes(panel):
    seed = panel.training_tab.training_seed
    assert seed.maximum() == 2**32 - 1 == panel.data_tab.data_seed.maximum()
    seed.setValue(SEED)
    assert panel.design.training.seed == SEED and isinstance(panel.design.training.seed, int)


def test_ranges_are_the_design_files(panel, qtbot):
    tab = panel.training_tab
    assert tab.optimizer_params["momentum"].maximum() == pytest.approx(0.9999)  # [0, 1)
    assert tab.gamma.minimum() == pytest.approx(0.001)  # (0, 1]
    assert tab.gamma.maximum() == 1
    assert panel.data_tab.noise.maximum() == 50 and panel.data_tab.train_share.minimum() == 10
    inspector = LayerInspector()
    qtbot.addWidget(inspector)
    assert inspector.dropout.maximum() == pytest.approx(0.99)  # [0, 1), not 0.9
    assert inspector.units.maximum() == field("layers[].units").rule.high
    assert inspector.dropout.toolTip() == field("layers[].dropout").help


def type_and_enter(qtbot, combo, text: str) -> None:
    edit = combo.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_a_learning_rate_out_of_range_is_refused_visibly(panel, qtbot):
    rate = panel.learning_rate
    type_and_enter(qtbot, rate, "1000")
    assert rate.currentText() == "0.03"
    assert panel.design.training.optimizer.learning_rate == 0.03 and panel.edits == []
    assert rate.problem() == "1000 is out of range (above 0 and at most 100); kept 0.03"
    assert "d0382b" in rate.styleSheet() and rate.problem() in rate.toolTip()
    type_and_enter(qtbot, rate, "abc")
    assert rate.problem() == "'abc' is not a number; kept 0.03"
    type_and_enter(qtbot, rate, "0.3")
    assert panel.design.training.optimizer.learning_rate == 0.3
    assert rate.problem() == "" and rate.styleSheet() == ""
    assert rate.toolTip() == field("training.optimizer.learning_rate").help


def test_typing_zero_is_not_completed_into_a_suggestion(panel, qtbot):
    rate = panel.learning_rate
    type_and_enter(qtbot, rate, "0")
    assert panel.design.training.optimizer.learning_rate == 0.03 and panel.edits == []
    assert rate.problem().startswith("0 is out of range")
    type_and_enter(qtbot, rate, "1")
    assert panel.design.training.optimizer.learning_rate == 1.0  # not completed to 10


def test_number_field_changes_merge_by_path(panel, qtbot):
    type_and_enter(qtbot, panel.learning_rate, "0.1")
    panel.data_tab.noise.setValue(20)
    keys = [key for _design, _text, key in panel.edits]
    texts = [text for _design, text, _key in panel.edits]
    assert keys == ["training.optimizer.learning_rate", "dataset.noise"]
    assert texts == ["Learning rate", "Noise"]
    assert panel.design.dataset.noise == 0.2


def test_the_inspector_edits_a_layer_through_the_schemas_controls(qtbot):
    inspector = LayerInspector()
    qtbot.addWidget(inspector)
    edits = []
    inspector.sigEdit.connect(lambda design, text, key: edits.append((design, text, key)))
    inspector.set_design(Design(layers=(LayerSpec(3), LayerSpec(5, dropout=0.5))))
    inspector.select(1)
    assert inspector.units.value() == 5 and inspector.dropout.value() == 0.5
    inspector.dropout.setValue(0.95)
    design, text, key = edits[-1]
    assert design.layers[1].dropout == 0.95 and key == "layer1.dropout"
    assert text == "Dropout of layer 2"


def test_a_lesson_can_hide_fields_by_their_path(panel):
    rate = panel.row("training.optimizer.learning_rate")
    assert rate is panel.learning_rate
    form = panel.training_tab.form
    panel.hide_fields(["training.optimizer.learning_rate", "dataset.name", "training.l2"])
    assert not form.isRowVisible(rate) and not form.isRowVisible(panel.training_tab.l2)
    assert not panel.data_tab.form.isRowVisible(panel.dataset)
    assert form.isRowVisible(panel.training_tab.batch_size)
    panel.set_design(Design(training=TrainingSpec(optimizer=OptimizerSpec("adam"))))
    assert not form.isRowVisible(rate)  # stays hidden through a new design
    assert form.isRowVisible(panel.training_tab.optimizer_params["beta1"])
    panel.hide_fields([])
    assert form.isRowVisible(rate) and form.isRowVisible(panel.training_tab.l2)
    assert not form.isRowVisible(panel.training_tab.optimizer_params["momentum"])  # adam


def test_hiding_a_wrong_path_says_what_was_meant(panel):
    with pytest.raises(UnknownPath, match=r"did you mean 'training\.batch_size'"):
        panel.hide_fields(["training.batch_sise"])
    with pytest.raises(KeyError, match="not edited in the settings panel"):
        panel.row("layers[0].units")
