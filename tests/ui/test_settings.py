"""The dataset and training forms: valid values only, one undo step per change, tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QWidget

from nnviz.core.design import Design
from nnviz.ui import settings_panel
from nnviz.ui.commands import SwapDesign
from nnviz.ui.settings_panel import SettingsPanel


@pytest.fixture
def panel(qtbot):
    """A panel whose edits go through an undo stack, as in the window."""
    widget = SettingsPanel()
    qtbot.addWidget(widget)
    stack = QUndoStack(widget)
    widget.stack = stack

    def push(design, text, key):
        stack.push(SwapDesign(widget.set_design, widget.design, design, text, key))

    widget.sigEdit.connect(push)
    widget.show()
    return widget


def pick(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


def type_into(field, text: str) -> None:
    field.setEditText(text)
    field.lineEdit().editingFinished.emit()


def test_every_control_has_a_name_and_explains_itself(panel):
    kinds = (QAbstractSpinBox, QComboBox, QCheckBox, QLineEdit)
    controls = [
        w
        for w in panel.findChildren(QWidget)
        if isinstance(w, kinds) and w.objectName() and not w.objectName().startswith("qt_")
    ]
    assert len(controls) >= 25
    for widget in controls:
        if widget.objectName() in ("csvPath", "csvLabel") or isinstance(widget.parent(), QComboBox):
            continue
        assert len(widget.toolTip()) > 20, widget.objectName()
    assert "w ← w − η·∇L" in panel.learning_rate.toolTip()
    index = panel.training_tab.optimizer.findData("adam")
    assert "Adam" in panel.training_tab.optimizer.itemData(index, Qt.ItemDataRole.ToolTipRole)


def test_changes_of_one_field_merge_into_one_undo_step(panel):
    panel.training_tab.batch_size.setValue(20)
    panel.training_tab.batch_size.setValue(32)
    type_into(panel.training_tab.l2, "0.003")
    type_into(panel.training_tab.l2, "0.01")
    assert panel.stack.count() == 2
    assert panel.design.training.batch_size == 32
    assert panel.design.training.l2 == 0.01
    panel.stack.undo()
    assert panel.design.training.l2 == 0.0 and panel.training_tab.l2.currentText() == "0"
    panel.stack.undo()
    assert panel.design == Design()
    assert panel.training_tab.batch_size.value() == 10


def test_only_valid_numbers_are_accepted(panel):
    for text in ("0", "-1", "abc", "1e9", "nan"):
        type_into(panel.learning_rate, text)
        assert panel.learning_rate.currentText() == "0.03", text
    assert panel.stack.count() == 0
    type_into(panel.learning_rate, "1e-5")
    assert panel.design.training.optimizer.learning_rate == 0.00001
    assert panel.learning_rate.currentText() == "0.00001"
    assert panel.training_tab.batch_size.minimum() == 1 and panel.data_tab.noise.maximum() == 50


def test_optimizer_parameters_show_only_when_relevant(panel):
    form = panel.training_tab.form
    assert not form.isRowVisible(panel.training_tab.optimizer_params["beta1"])
    pick(panel.training_tab.optimizer, "adam")
    assert form.isRowVisible(panel.training_tab.optimizer_params["beta1"])
    assert not form.isRowVisible(panel.training_tab.optimizer_params["momentum"])
    pick(panel.training_tab.schedule, "step")
    assert form.isRowVisible(panel.training_tab.step_size) and not form.isRowVisible(
        panel.training_tab.min_lr
    )
    assert panel.design.training.optimizer.name == "adam"
    assert panel.design.training.schedule.name == "step"


def test_data_sets_come_grouped_and_show_their_own_settings(panel):
    combo = panel.dataset
    headers = [combo.itemText(i) for i in range(combo.count()) if combo.itemData(i) is None]
    assert headers[:2] == ["Playground", "Logic gates"]
    assert not combo.model().item(0).isEnabled()
    form = panel.data_tab.form
    pick(combo, "spirals")
    assert form.isRowVisible(panel.data_tab.classes) and form.isRowVisible(panel.data_tab.noise)
    pick(combo, "iris")
    assert not form.isRowVisible(panel.data_tab.noise) and form.isRowVisible(
        panel.data_tab.train_share
    )
    pick(combo, "sine")
    assert panel.design.dataset.points == 200  # the data set's own default
    assert panel.stack.count() == 3


def test_torch_is_greyed_out_with_the_reason_when_missing(qtbot, monkeypatch):
    monkeypatch.setattr(settings_panel, "torch_status", lambda: (False, "pip install torch"))
    widget = SettingsPanel()
    qtbot.addWidget(widget)
    item = widget.training_tab.engine.model().item(widget.training_tab.engine.findData("torch"))
    assert not item.isEnabled()
    assert item.toolTip() == "pip install torch"


def test_csv_file_offers_its_columns(panel, tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text(
        "length,width,colour,species\n1.0,2.0,red,a\n1.5,2.5,blue,b\n"
        "1.2,2.1,red,a\n1.7,2.9,blue,b\n"
    )
    pick(panel.dataset, "csv")
    panel.data_tab.csv_path.setText(str(path))
    panel.data_tab.csv_path.editingFinished.emit()
    spec = panel.design.dataset
    assert (spec.name, spec.path, spec.label_column) == ("csv", str(path), "species")
    assert spec.feature_columns == ("length", "width")
    assert [
        panel.data_tab.csv_label.itemText(i) for i in range(panel.data_tab.csv_label.count())
    ] == [
        "length",
        "width",
        "colour",
        "species",
    ]
    panel.data_tab.csv_features.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert panel.design.dataset.feature_columns == ("width",)

    panel.data_tab.csv_path.setText(str(tmp_path / "missing.csv"))
    panel.data_tab.csv_path.editingFinished.emit()
    assert panel.design.dataset.path == str(path)
    assert panel.data_tab.csv_problem.text()
