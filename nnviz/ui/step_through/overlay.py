"""What the step-through mode draws over the network diagram, and where the mouse is on it.

The overlay never changes the diagram's own items beyond their opacity: it adds small labels
(each neuron's ``z`` and ``a``, or its ``δ``, or its bias's update; the values of the edges into
the neuron under the mouse) and dims the layers the current stage is not about. It watches
the diagram's viewport for the mouse (an event filter), so the editor needs no hooks; in the
mode, a click on a neuron or an edge selects it instead of editing the design.

Items are named by the diagram's keys: a neuron ``("neuron", layer, unit)`` with layer -1 for
the inputs, an edge ``("edge", layer, unit, source)`` for weight ``W[unit, source]`` of dense
layer ``layer``.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem

from nnviz.core.explain.numbers import number
from nnviz.core.explain.stages import BACKWARD, FORWARD, LOSS, UPDATE, Stage
from nnviz.core.explain.trace import Trace
from nnviz.ui.diagram_items import NEURON_SIZE, EdgeItem, NeuronItem

DIMMED = 0.25
#: Where along an edge its value is written: near its source, where the edges into one
#: neuron are furthest apart.
EDGE_LABEL_AT = 0.28
EDGE_TEXT = QColor(30, 90, 200)


class DiagramOverlay(QObject):
    """Labels and dimming for one trace and stage over the editor's diagram."""

    sigHovered = Signal(object)  # an item key (see the module docstring) or None
    sigClicked = Signal(object)

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.active = False
        self.labels: dict[tuple, QGraphicsRectItem] = {}  # plates, each holding its text
        self._dimmed: list[tuple[object, float]] = []
        self._hovered = None
        self._pressed = None
        self._trace: Trace | None = None
        self._stage: Stage | None = None
        editor.viewport().installEventFilter(self)

    # --- showing --------------------------------------------------------------------------

    def show(self, trace: Trace, stage: Stage) -> None:
        """Label every neuron with what ``stage`` knows of it and dim the rest."""
        self.clear()
        self.active = True
        self._trace, self._stage = trace, stage
        for key, neuron in self._neurons().items():
            text = self._neuron_text(trace, stage, *key[1:])
            if text:
                self._label(key, text, neuron.centre() + QPointF(-NEURON_SIZE / 2, NEURON_SIZE / 2))
        focus = self._focus_layer(stage, len(trace.layers))
        if focus is not None:
            for key, neuron in self._neurons().items():
                if key[1] not in (focus, focus - 1):
                    self._dim(neuron)
            for (layer, _, _), edge in self.editor.edges().items():
                if layer != focus:
                    self._dim(edge)
        self._label_edges(self._hovered)

    def texts(self) -> dict[tuple, str]:
        """What every label says, by item key."""
        return {key: plate.childItems()[0].text() for key, plate in self.labels.items()}

    def clear(self) -> None:
        """Take every label away and give dimmed items their opacity back."""
        for item in self.labels.values():
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self.labels.clear()
        for item, opacity in self._dimmed:
            if shiboken6.isValid(item):
                item.setOpacity(opacity)
        self._dimmed.clear()

    def leave(self) -> None:
        self.clear()
        self.active = False
        self._trace = self._stage = None

    def _focus_layer(self, stage: Stage, n_layers: int) -> int | None:
        """The dense layer a stage is about (the output for the loss), None for the update."""
        if stage.kind in (FORWARD, BACKWARD):
            return stage.column - 1
        return n_layers - 1 if stage.kind == LOSS else None

    def _neuron_text(self, trace: Trace, stage: Stage, layer: int, unit: int) -> str:
        if layer < 0:
            return f"x {number(trace.x[unit])}"
        step = trace.layers[layer]
        if not stage.has_forward(layer + 1):
            return ""
        if stage.kind == UPDATE:
            new_bias = trace.update.params[layer][1][unit]
            return f"b {number(step.bias[unit])}→{number(new_bias)}"
        if stage.kind == BACKWARD and stage.has_backward(layer + 1):
            return f"δ {number(step.delta[unit])}"
        if step.keep is not None and step.keep[unit] == 0:
            return "dropped"
        name = "y" if step.activation == "step" else "a"
        return f"z {number(step.z[unit])}  {name} {number(step.a[unit])}"

    def _label_edges(self, key) -> None:
        """Write the values of the edges into the neuron ``key`` (its incoming weights)."""
        for edge_key in [k for k in self.labels if k[0] == "edge"]:
            item = self.labels.pop(edge_key)
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        if key is None or key[0] != "neuron" or key[1] < 0 or self._trace is None:
            return
        trace, stage, layer, unit = self._trace, self._stage, key[1], key[2]
        if not stage.has_forward(layer + 1):
            return
        step = trace.layers[layer]
        for (k, row, source), edge in self.editor.edges().items():
            if k != layer or row != unit:
                continue
            if stage.kind == UPDATE:
                text = f"{number(step.weight[row, source])}→"
                text += number(trace.update.params[layer][0][row, source])
            elif stage.kind == BACKWARD and stage.has_backward(layer + 1):
                text = f"∂L/∂w {number(step.grad_weight[row, source])}"
            else:
                text = f"w·a {number(step.weight[row, source] * step.inputs[source])}"
            at = edge.path().pointAtPercent(EDGE_LABEL_AT)
            self._label(("edge", layer, row, source), text, at + QPointF(2, -15), edge=True)

    def _label(self, key, text: str, pos: QPointF, edge: bool = False) -> None:
        """A small text on a plate of the diagram's background, so lines never cross it."""
        palette = self.editor.palette()
        label = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setPointSizeF(7.5 if edge else 8)
        label.setFont(font)
        label.setBrush(EDGE_TEXT if edge else palette.color(QPalette.ColorRole.Text))
        background = QColor(palette.color(QPalette.ColorRole.Base))
        background.setAlpha(225)
        plate = QGraphicsRectItem(label.boundingRect().adjusted(-2, -1, 2, 1))
        plate.setBrush(background)
        plate.setPen(Qt.PenStyle.NoPen)
        plate.setPos(pos)
        plate.setZValue(5)
        plate.setAcceptHoverEvents(False)
        label.setParentItem(plate)
        self.editor.scene().addItem(plate)
        self.labels[key] = plate

    def _dim(self, item) -> None:
        self._dimmed.append((item, item.opacity()))
        item.setOpacity(item.opacity() * DIMMED)

    # --- the diagram's items --------------------------------------------------------------

    def _neurons(self) -> dict[tuple, NeuronItem]:
        return {
            ("neuron", *item.key): item
            for item in self.editor.scene().items()
            if isinstance(item, NeuronItem) and item.active
        }

    def neuron_item(self, layer: int, unit: int) -> NeuronItem | None:
        return self._neurons().get(("neuron", layer, unit))

    def key_at(self, view_pos) -> tuple | None:
        """The neuron or edge under a viewport position (neurons win over edges)."""
        scene_pos = self.editor.mapToScene(view_pos)
        edges = {id(edge): key for key, edge in self.editor.edges().items()}
        found = None
        for item in self.editor.scene().items(scene_pos):
            if isinstance(item, NeuronItem) and item.active:
                return ("neuron", *item.key)
            if isinstance(item, EdgeItem) and found is None and id(item) in edges:
                found = ("edge", *edges[id(item)])
        return found

    def eventFilter(self, watched, event) -> bool:
        if not self.active:
            return False
        kind = event.type()
        try:
            if kind == QEvent.Type.MouseMove:
                key = self.key_at(event.position().toPoint())
                if key != self._hovered:
                    self._hovered = key
                    self._label_edges(key)
                    self.sigHovered.emit(key)
            elif kind == QEvent.Type.MouseButtonPress:
                self._pressed = self.key_at(event.position().toPoint())
                return self._pressed is not None  # a click on an item selects, not edits
            elif kind == QEvent.Type.MouseButtonRelease and self._pressed is not None:
                key, self._pressed = self._pressed, None
                if key == self.key_at(event.position().toPoint()):
                    self.sigClicked.emit(key)
                return True
            elif kind == QEvent.Type.MouseButtonDblClick:
                return self.key_at(event.position().toPoint()) is not None
        except RuntimeError:  # the diagram was being rebuilt under the mouse
            return False
        return False
