"""The inspector of the layer clicked in the diagram: its width, activation and dropout.

Its controls come from the design schema (:mod:`nnviz.ui.settings.form`), so their ranges and
tooltips are the design file's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from nnviz.core.design import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Design
from nnviz.core.schema import field
from nnviz.ui.concepts import ACTIVATION_TIPS, LOSS_TIPS
from nnviz.ui.settings.form import ChoiceCombo, NumberSpin, WholeSpin


class LayerInspector(QWidget):
    """Edits one layer of the design; ``layer == len(design.layers)`` means the output."""

    sigEdit = Signal(object, str, object)  # (new Design, what changed, merge key or None)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("layerInspector")
        self._design = Design()
        self.layer = 0
        self._updating = False
        self._allows: Callable[[str], bool] | None = None  # a lesson's locks, by field path

        self.title = QLabel(objectName="inspectorTitle")
        self.title.setStyleSheet("font-weight: bold")
        self.hint = QLabel(
            "Click a layer's title in the diagram to edit it here.", objectName="inspectorHint"
        )
        self.hint.setWordWrap(True)
        self.units = WholeSpin("inspectorUnits", "layers[].units")
        self.activation = ChoiceCombo("inspectorActivation", "layers[].activation", ACTIVATION_TIPS)
        self.dropout = NumberSpin("inspectorDropout", "layers[].dropout", 0.05, decimals=2)
        self.loss = ChoiceCombo("inspectorLoss", "output.loss", LOSS_TIPS)
        self._tips = {
            name: control.toolTip()
            for name, control in (
                ("units", self.units),
                ("dropout", self.dropout),
                ("loss", self.loss),
            )
        }

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

        self.units.sigCommitted.connect(self._on_units)
        self.activation.sigCommitted.connect(self._on_activation)
        self.dropout.sigCommitted.connect(self._on_dropout)
        self.loss.sigCommitted.connect(self._on_loss)
        self._refresh()

    def set_design(self, design: Design) -> None:
        self._design = design
        self.layer = min(self.layer, len(design.layers))
        self._refresh()

    def set_allowed(self, allows: Callable[[str], bool] | None) -> None:
        """Grey out the controls of fields ``allows(path)`` refuses (None: every field)."""
        self._allows = allows
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
        path = "output.activation" if output else "layers[].activation"
        self.activation.setToolTip(field(path).help)
        if output:
            self.activation.fill(OUTPUT_ACTIVATIONS, ACTIVATION_TIPS)
            self.activation.show_value(d.output.activation)
            self.loss.show_value(d.output.loss)
        else:
            spec = d.layers[self.layer]
            self.activation.fill(HIDDEN_ACTIVATIONS, ACTIVATION_TIPS)
            self.activation.show_value(spec.activation)
            self.units.show_value(spec.units)
            self.dropout.show_value(spec.dropout)
        self._show_locks(output)
        self._updating = False

    def _show_locks(self, output: bool) -> None:
        where = "output" if output else f"layers[{self.layer}]"
        for control, name in (
            (self.units, "units"),
            (self.activation, "activation"),
            (self.dropout, "dropout"),
            (self.loss, "loss"),
        ):
            path = f"{where}.{name}"
            locked = self._allows is not None and not self._allows(path)
            control.setEnabled(not locked)
            if locked:
                control.setToolTip(f"Locked in this lesson ({path}).")
            elif control is not self.activation:  # (its tip is the one _refresh just set)
                control.setToolTip(self._tips[name])

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

    def _on_activation(self, activation: str) -> None:
        self._edit_layer(f"Activation of {self._where()}", None, activation=activation)

    def _on_dropout(self, value: float) -> None:
        self._edit_layer(f"Dropout of {self._where()}", "dropout", dropout=value)

    def _on_loss(self, loss: str) -> None:
        self._edit_layer("Loss", None, loss=loss)
