"""The inspector of the layer clicked in the diagram: its width, activation and dropout."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import (
    HIDDEN_ACTIVATIONS,
    LOSSES,
    MAX_UNITS,
    OUTPUT_ACTIVATIONS,
    Design,
)
from nnviz.ui.concepts import ACTIVATION_TIPS, LOSS_TIPS, TIPS


def _fill(combo: QComboBox, values, tips: dict[str, str]) -> None:
    combo.clear()
    for i, value in enumerate(values):
        combo.addItem(value.replace("_", " "), value)
        combo.setItemData(i, tips.get(value, ""), Qt.ItemDataRole.ToolTipRole)


class LayerInspector(QWidget):
    """Edits one layer of the design; ``layer == len(design.layers)`` means the output."""

    sigEdit = Signal(object, str, object)  # (new Design, what changed, merge key or None)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("layerInspector")
        self._design = Design()
        self.layer = 0
        self._updating = False

        self.title = QLabel(objectName="inspectorTitle")
        self.title.setStyleSheet("font-weight: bold")
        self.hint = QLabel(
            "Click a layer's title in the diagram to edit it here.", objectName="inspectorHint"
        )
        self.hint.setWordWrap(True)
        self.units = QSpinBox(objectName="inspectorUnits", minimum=1, maximum=MAX_UNITS)
        self.units.setKeyboardTracking(False)
        self.units.setToolTip(TIPS["units"])
        self.activation = QComboBox(objectName="inspectorActivation")
        self.activation.setToolTip(TIPS["activation"])
        self.dropout = QDoubleSpinBox(
            objectName="inspectorDropout", minimum=0.0, maximum=0.9, singleStep=0.05, decimals=2
        )
        self.dropout.setKeyboardTracking(False)
        self.dropout.setToolTip(TIPS["dropout"])
        self.loss = QComboBox(objectName="inspectorLoss")
        self.loss.setToolTip(TIPS["loss"])
        _fill(self.loss, LOSSES, LOSS_TIPS)

        self.form = QFormLayout()
        self.form.addRow("Neurons", self.units)
        self.form.addRow("Activation", self.activation)
        self.form.addRow("Dropout", self.dropout)
        self.form.addRow("Loss", self.loss)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addStretch(1)

        self.units.valueChanged.connect(self._on_units)
        self.activation.activated.connect(self._on_activation)
        self.dropout.valueChanged.connect(self._on_dropout)
        self.loss.activated.connect(self._on_loss)
        self._refresh()

    def set_design(self, design: Design) -> None:
        self._design = design
        self.layer = min(self.layer, len(design.layers))
        self._refresh()

    def select(self, layer: int) -> None:
        """Inspect hidden layer ``layer`` (or the output when it equals the number of layers)."""
        self.layer = max(0, min(layer, len(self._design.layers)))
        self._refresh()

    def is_output(self) -> bool:
        return self.layer == len(self._design.layers)

    def _refresh(self) -> None:
        self._updating = True
        d = self._design
        output = self.is_output()
        self.title.setText("Output layer" if output else f"Hidden layer {self.layer + 1}")
        for widget, visible in (
            (self.units, not output),
            (self.dropout, not output),
            (self.loss, output),
        ):
            self.form.setRowVisible(widget, visible)
        if output:
            _fill(self.activation, OUTPUT_ACTIVATIONS, ACTIVATION_TIPS)
            self.activation.setCurrentIndex(self.activation.findData(d.output.activation))
            self.loss.setCurrentIndex(self.loss.findData(d.output.loss))
        else:
            spec = d.layers[self.layer]
            _fill(self.activation, HIDDEN_ACTIVATIONS, ACTIVATION_TIPS)
            self.activation.setCurrentIndex(self.activation.findData(spec.activation))
            self.units.setValue(spec.units)
            self.dropout.setValue(spec.dropout)
        self._updating = False

    def _edit_layer(self, text: str, key: str | None, **changes) -> None:
        if self._updating:
            return
        d = self._design
        if self.is_output():
            new = replace(d, output=replace(d.output, **changes))
        else:
            layers = list(d.layers)
            layers[self.layer] = replace(layers[self.layer], **changes)
            new = replace(d, layers=tuple(layers))
        if new != d:
            self.sigEdit.emit(new, text, key and f"layer{self.layer}.{key}")

    def _where(self) -> str:
        return "output" if self.is_output() else f"layer {self.layer + 1}"

    def _on_units(self, value: int) -> None:
        self._edit_layer(f"Neurons of {self._where()}", "units", units=value)

    def _on_activation(self, index: int) -> None:
        self._edit_layer(
            f"Activation of {self._where()}", None, activation=self.activation.itemData(index)
        )

    def _on_dropout(self, value: float) -> None:
        self._edit_layer(f"Dropout of {self._where()}", "dropout", dropout=round(value, 4))

    def _on_loss(self, index: int) -> None:
        self._edit_layer("Loss", None, loss=self.loss.itemData(index))
