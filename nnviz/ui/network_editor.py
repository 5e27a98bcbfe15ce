"""The network diagram: inputs on the left, hidden layers as columns, the output on the right.

The editor never changes a design itself: each edit builds a new :class:`Design` and emits it
(``sigEdit``), and the window pushes it on the undo stack, which calls :meth:`set_design` back.
Every clickable item has a stable ``name`` (see :meth:`item`) and a method doing the same
thing, so tests can click the real items or call the methods.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QMenu,
)

from nnviz.core.design import MAX_LAYERS, MAX_UNITS, Design, LayerSpec, OutputSpec
from nnviz.core.run.frames import Views
from nnviz.ui.concepts import ACTIVATION_TIPS, FEATURE_TIPS, TIPS
from nnviz.ui.data_facts import DataFacts
from nnviz.ui.diagram_items import (
    NEURON_SIZE,
    ButtonItem,
    EdgeItem,
    NeuronItem,
    playground_lut,
    thumbnails,
    weight_styles,
)

COLUMN_GAP = 140.0
ROW_GAP = 58.0
NEURONS_TOP = 96.0
#: A column shows at most this many neurons; wider layers show the first ones and a count.
MAX_SHOWN = 8
#: How the 2D features are written on the diagram.
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}
INPUT = -1  # layer index of the input column in keys (layer_index, unit)


class NetworkEditor(QGraphicsView):
    """Draws a design and edits it by clicks on the diagram."""

    sigEdit = Signal(object, str)  # (new Design, what changed, for the undo stack)
    sigLayerClicked = Signal(int)  # dense layer index; len(design.layers) is the output
    sigNeuronHovered = Signal(object)  # (layer_index, unit), layer_index -1 for inputs, or None
    sigMessage = Signal(str)  # why an edit was refused

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAcceptDrops(False)  # dropped design files go to the window
        self.setMinimumSize(240, 180)
        self._design = Design()
        self._facts = DataFacts()
        self._params = None
        self._views: Views | None = None
        self._lut = playground_lut()
        self._items: dict[str, object] = {}
        self._neurons: dict[tuple[int, int], NeuronItem] = {}
        # Per dense layer: the rows and columns of its weights drawn as edges, and the edges.
        self._edge_layers: list[tuple[np.ndarray, np.ndarray, list[EdgeItem]]] = []
        self._edge_styles: list[np.ndarray] = []  # the style each edge has (weight_styles)
        self._layers_before_perceptron: tuple[LayerSpec, ...] = (LayerSpec(4), LayerSpec(2))
        self._user_zoomed = False
        self._rebuild()

    # --- what is shown ------------------------------------------------------------------------

    @property
    def design(self) -> Design:
        return self._design

    def set_design(self, design: Design, facts: DataFacts | None = None) -> None:
        """Show ``design``; ``facts`` (inputs on offer, outputs) come from its data."""
        if facts is not None:
            self._facts = facts
        same_drawing = replace(design, training=self._design.training) == self._design
        self._design = design
        if same_drawing and facts is None and self._items:
            return  # training settings are not drawn
        self._rebuild()  # keeps the weights shown while they still fit the network

    def set_params(self, params) -> None:
        """Colour the edges by the weights ``[(W, b), ...]``; None shows the bare structure."""
        params = self._fitting(params)
        self._params = params
        for layer, (rows, cols, edges) in enumerate(self._edge_layers):
            no_weights = np.full(len(edges), -1)
            styles = weight_styles(params[layer][0])[rows, cols] if params else no_weights
            for k in np.flatnonzero(styles != self._edge_styles[layer]):
                edges[k].set_style(int(styles[k]))
            self._edge_styles[layer] = styles

    def set_neuron_maps(self, views: Views | None) -> None:
        """Thumbnails of each neuron's output over the input plane (None clears them)."""
        self._views = views
        pictures = self._pictures()
        for key, neuron in self._neurons.items():
            neuron.set_picture(pictures.get(key))

    def item(self, name: str):
        """The diagram item called ``name``: ``"addLayer"``, ``"addUnit0"``, ``"feature:x1"``..."""
        return self._items[name]

    def item_names(self) -> list[str]:
        return list(self._items)

    # --- edits (what the diagram's buttons do) ------------------------------------------------

    def add_layer(self) -> None:
        layers = self._design.layers
        if len(layers) >= MAX_LAYERS:
            self.sigMessage.emit(f"A network has at most {MAX_LAYERS} hidden layers.")
            return
        template = layers[-1] if layers else LayerSpec(4, "tanh")
        output = self._design.output
        if output.activation == "step":
            output = OutputSpec()
        self._edit(
            replace(self._design, layers=(*layers, template), output=output), "Add hidden layer"
        )

    def remove_layer(self, k: int | None = None) -> None:
        layers = self._design.layers
        if not layers:
            return
        k = len(layers) - 1 if k is None else k
        self._edit(
            replace(self._design, layers=layers[:k] + layers[k + 1 :]),
            f"Remove hidden layer {k + 1}",
        )

    def add_unit(self, k: int) -> None:
        layer = self._design.layers[k]
        if layer.units >= MAX_UNITS:
            self.sigMessage.emit(f"A layer has at most {MAX_UNITS} neurons.")
            return
        self._set_layer(k, replace(layer, units=layer.units + 1), f"Add neuron to layer {k + 1}")

    def remove_unit(self, k: int) -> None:
        layer = self._design.layers[k]
        if layer.units <= 1:
            self.sigMessage.emit("A layer needs at least one neuron; remove the layer instead.")
            return
        self._set_layer(
            k, replace(layer, units=layer.units - 1), f"Remove neuron from layer {k + 1}"
        )

    def toggle_feature(self, name: str) -> None:
        features = self._inputs()
        if name in features:
            if len(features) == 1:
                self.sigMessage.emit("The network needs at least one input.")
                return
            new = tuple(f for f in features if f != name)
            text = f"Switch off input {name}"
        else:
            order = self._offered_features()
            new = tuple(f for f in order if f in features or f == name)
            new += tuple(f for f in features if f not in new)
            text = f"Switch on input {name}"
        if not self._facts.defaults and new == self._facts.features:
            new = ()  # wide data: "all columns" is written as no choice
        self._edit(replace(self._design, features=new), text)

    def toggle_perceptron(self) -> None:
        """Switch to Rosenblatt's perceptron (no hidden layer, step output) and back."""
        design = self._design
        if self.is_perceptron():
            layers = self._layers_before_perceptron or (LayerSpec(4), LayerSpec(2))
            self._edit(replace(design, layers=layers, output=OutputSpec()), "Back to a network")
        else:
            if design.layers:
                self._layers_before_perceptron = design.layers
            self._edit(
                replace(design, layers=(), output=OutputSpec("step", "auto")),
                "Make it a perceptron",
            )

    def is_perceptron(self) -> bool:
        return not self._design.layers and self._design.output.activation == "step"

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(current * factor, 0.25), 4.0) / current
        self.scale(factor, factor)
        self._user_zoomed = True

    def fit(self) -> None:
        """Fit the whole diagram into the view (never enlarging beyond 125 %)."""
        self._user_zoomed = False
        rect = self.scene().itemsBoundingRect().adjusted(-24, -24, 24, 24)
        self.setSceneRect(rect)
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.25)
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    # --- Qt events ----------------------------------------------------------------------------

    def wheelEvent(self, event) -> None:
        self.zoom_by(1.0015 ** event.angleDelta().y())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()

    def context_menu(self, scene_pos: QPointF) -> QMenu:
        """The right-click menu at ``scene_pos``: edits of the layer under it, and more."""
        menu = QMenu(self)
        menu.setObjectName("diagramMenu")
        k = round(scene_pos.x() / COLUMN_GAP) - 1  # column 0 holds the inputs
        n = len(self._design.layers)

        def add(name: str, text: str, slot, enabled: bool = True) -> None:
            action = menu.addAction(text, slot)
            action.setObjectName(name)
            action.setEnabled(enabled)

        if 0 <= k < n:
            units = self._design.layers[k].units
            add(
                "contextAddUnit",
                f"Add a Neuron to Layer {k + 1}",
                lambda: self.add_unit(k),
                units < MAX_UNITS,
            )
            add(
                "contextRemoveUnit",
                f"Remove a Neuron from Layer {k + 1}",
                lambda: self.remove_unit(k),
                units > 1,
            )
            add("contextEditLayer", f"Edit Layer {k + 1}…", lambda: self._click_layer(k))
            add("contextRemoveLayer", f"Remove Layer {k + 1}", lambda: self.remove_layer(k))
            menu.addSeparator()
        elif k == n:
            add("contextEditLayer", "Edit Output Layer…", lambda: self._click_layer(n))
            menu.addSeparator()
        add("contextAddLayer", "Add a Hidden Layer", self.add_layer, n < MAX_LAYERS)
        add(
            "contextPerceptron",
            "Back to a Network" if self.is_perceptron() else "Make It a Perceptron",
            self.toggle_perceptron,
        )
        menu.addSeparator()
        add("contextFit", "Fit Diagram", self.fit)
        return menu

    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu(self.mapToScene(event.pos()))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def mouseDoubleClickEvent(self, event) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self.fit()
        else:
            super().mouseDoubleClickEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._rebuild()

    # --- building the scene -------------------------------------------------------------------

    def _edit(self, design: Design, text: str) -> None:
        if design != self._design:
            self.sigEdit.emit(design, text)

    def _set_layer(self, k: int, layer: LayerSpec, text: str) -> None:
        layers = list(self._design.layers)
        layers[k] = layer
        self._edit(replace(self._design, layers=tuple(layers)), text)

    def _offered_features(self) -> tuple[str, ...]:
        offered = self._facts.features or self._design.features
        return tuple(offered) + tuple(f for f in self._design.features if f not in offered)

    def _inputs(self) -> tuple[str, ...]:
        """The network's inputs in order; no choice means every column of wide data."""
        return self._design.features or self._facts.features

    def _fitting(self, params):
        """``params`` if their shapes fit the network drawn, else None (weights of another
        design: a frame from before a reset reached the window, or an edit since)."""
        sizes = self._sizes()
        if params is not None and [w.shape for w, _ in params] != [
            (sizes[k + 1], sizes[k]) for k in range(len(sizes) - 1)
        ]:
            return None
        return params

    def _sizes(self) -> list[int]:
        d = self._design
        return [len(self._inputs()), *(layer.units for layer in d.layers), self._facts.n_outputs]

    def _text_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Text)

    def _rebuild(self) -> None:
        self._params = self._fitting(self._params)
        scene = self.scene()
        scene.clear()
        self._items.clear()
        self._neurons.clear()
        self._edge_layers.clear()
        self._edge_styles.clear()
        self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))
        d = self._design
        columns = self._columns()
        self._add_top_controls(len(columns))
        for c, (layer, header, units) in enumerate(columns):
            self._add_column(c, layer, header, units)
        self._add_edges(columns)
        for item in scene.items():  # all but the edges (and thumbnails, made later) stay put
            if not isinstance(item, EdgeItem):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.set_params(self._params)
        self.set_neuron_maps(self._views)
        self.setToolTip("")
        self.setAccessibleName(f"Network with {len(d.layers)} hidden layers")
        if not self._user_zoomed:
            self.fit()

    def _columns(self) -> list[tuple[int, str, list[tuple[str, bool]]]]:
        """(layer index, header, [(unit name, active), ...]) for every column, inputs first."""
        d = self._design
        active = self._inputs()
        inputs = [(f, f in active) for f in self._offered_features()]
        columns = [(INPUT, "Inputs", inputs)]
        for k, layer in enumerate(d.layers):
            columns.append((k, f"Hidden {k + 1}", [("", True)] * layer.units))
        columns.append((len(d.layers), "Output", [("", True)] * self._facts.n_outputs))
        return columns

    def _add_top_controls(self, n_columns: int) -> None:
        colour = self._text_colour()
        n = len(self._design.layers)
        y = -10.0
        add = ButtonItem(
            "addLayer",
            "+ layer",
            self.add_layer,
            colour,
            "Add a hidden layer",
            enabled=n < MAX_LAYERS,
        )
        remove = ButtonItem(
            "removeLayer",
            "− layer",
            lambda: self.remove_layer(),
            colour,
            "Remove the last hidden layer",
            enabled=n > 0,
        )
        label = QGraphicsSimpleTextItem(f"{n} hidden layer{'s' if n != 1 else ''}".upper())
        font = QFont()
        font.setBold(True)
        label.setFont(font)
        label.setBrush(colour)
        perceptron = ButtonItem(
            "perceptron",
            "Back to a network" if self.is_perceptron() else "Perceptron",
            self.toggle_perceptron,
            colour,
            TIPS["perceptron"],
        )
        x = COLUMN_GAP * 0.75
        for item in (add, remove, label, perceptron):
            item.setPos(x, y)
            x += item.boundingRect().width() + (24 if item is label else 8)
            self.scene().addItem(item)
            if isinstance(item, ButtonItem):
                self._items[item.name] = item

    def _add_column(self, c: int, layer: int, header: str, units: list[tuple[str, bool]]) -> None:
        d = self._design
        colour = self._text_colour()
        x = c * COLUMN_GAP
        is_output = layer == len(d.layers)
        if layer >= 0 and not is_output:
            spec = d.layers[layer]
            plus = ButtonItem(
                f"addUnit{layer}",
                "+",
                lambda k=layer: self.add_unit(k),
                colour,
                "Add a neuron",
                enabled=spec.units < MAX_UNITS,
            )
            minus = ButtonItem(
                f"removeUnit{layer}",
                "−",
                lambda k=layer: self.remove_unit(k),
                colour,
                "Remove a neuron",
                enabled=spec.units > 1,
            )
            plus.setPos(x, 26)
            minus.setPos(x + plus.boundingRect().width() + 4, 26)
            for button in (plus, minus):
                self.scene().addItem(button)
                self._items[button.name] = button
        if layer >= 0:
            name = "outputHeader" if is_output else f"layerHeader{layer}"
            detail = self._layer_detail(layer)
            head = ButtonItem(
                name,
                f"{header}\n{detail}",
                lambda k=layer: self._click_layer(k),
                colour,
                "Click to edit this layer",
                flat=True,
                bold=True,
            )
            head.setPos(x - 7, 50)
            self.scene().addItem(head)
            self._items[name] = head
        else:
            on = sum(active for _, active in units)
            label = QGraphicsSimpleTextItem(f"{header}\n{on} of {len(units)} on")
            label.setBrush(colour)
            label.setPos(x, 50)
            self.scene().addItem(label)
        shown = units if len(units) <= MAX_SHOWN else units[: MAX_SHOWN - 1]
        for unit, (feature, active) in enumerate(shown):
            self._add_neuron(layer, unit, feature, active, QPointF(x, NEURONS_TOP + unit * ROW_GAP))
        if len(shown) < len(units):
            more = QGraphicsSimpleTextItem(f"… {len(units) - len(shown)} more")
            more.setBrush(colour)
            more.setPos(x, NEURONS_TOP + len(shown) * ROW_GAP + 12)
            self.scene().addItem(more)

    def _add_neuron(self, layer: int, unit: int, feature: str, active: bool, pos: QPointF) -> None:
        colour = self._text_colour()
        if layer == INPUT:
            name = f"feature:{feature}"
            neuron = NeuronItem(
                name,
                (INPUT, unit),
                colour,
                self._hovered,
                lambda f=feature: self.toggle_feature(f),
                active,
            )
            label = QGraphicsSimpleTextItem(FEATURE_LABELS.get(feature, feature))
            label.setBrush(colour)
            width = label.boundingRect().width()
            label.setPos(pos.x() - width - 8, pos.y() + NEURON_SIZE / 2 - 8)
            self.scene().addItem(label)
        else:
            name = f"neuron{layer}_{unit}"
            neuron = NeuronItem(name, (layer, unit), colour, self._hovered)
        neuron.setPos(pos)
        self.scene().addItem(neuron)
        self._items[name] = neuron
        if active:
            key = (INPUT, self._inputs().index(feature)) if layer == INPUT else (layer, unit)
            neuron.key = key
            self._neurons[key] = neuron
            neuron.tip = functools.partial(self._neuron_tip, *key)
            neuron.setToolTip(neuron.tip())

    def _add_edges(self, columns) -> None:
        neutral = self._text_colour()
        neutral.setAlpha(70)
        background = self.palette().color(QPalette.ColorRole.Base)
        for c in range(len(columns) - 1):
            layer_in, layer_out = columns[c][0], columns[c + 1][0]
            sources = [(key, n) for key, n in self._neurons.items() if key[0] == layer_in]
            targets = [(key, n) for key, n in self._neurons.items() if key[0] == layer_out]
            rows, cols, edges = [], [], []
            for (_, col), source in sources:
                for (_, row), target in targets:
                    start = source.centre() + QPointF(NEURON_SIZE / 2, 0)
                    end = target.centre() - QPointF(NEURON_SIZE / 2, 0)
                    tip = functools.partial(self._edge_tip, c, row, col)
                    edge = EdgeItem(start, end, neutral, background, tip)
                    self.scene().addItem(edge)
                    rows.append(row)
                    cols.append(col)
                    edges.append(edge)
            self._edge_layers.append((np.array(rows, int), np.array(cols, int), edges))
            self._edge_styles.append(np.full(len(edges), -1))  # as made: no weight

    def _layer_detail(self, layer: int) -> str:
        d = self._design
        if layer == len(d.layers):
            return f"{self._facts.n_outputs} · {self._facts.output_activation(d.output.activation)}"
        spec = d.layers[layer]
        dropout = f" · drop {spec.dropout:g}" if spec.dropout > 0 else ""
        return f"{spec.units} · {spec.activation}{dropout}"

    def _edge_tip(self, layer: int, row: int, col: int) -> str:
        if self._params is None:
            return ""
        weight = float(self._params[layer][0][row, col])
        return f"weight {weight:+.4f}" if np.isfinite(weight) else ""

    def edges(self) -> dict[tuple[int, int, int], EdgeItem]:
        """Every edge by (dense layer, row, column) of the weight it shows."""
        return {
            (layer, int(row), int(col)): edge
            for layer, (rows, cols, edges) in enumerate(self._edge_layers)
            for row, col, edge in zip(rows, cols, edges, strict=True)
        }

    def _neuron_tip(self, layer: int, unit: int) -> str:
        d = self._design
        if layer == INPUT:
            feature = self._inputs()[unit]
            return FEATURE_TIPS.get(feature, f"Input {feature}") + "\nClick to switch it off."
        if layer == len(d.layers):
            activation = self._facts.output_activation(d.output.activation)
            title = f"Output {unit + 1}"
        else:
            activation, title = d.layers[layer].activation, f"Hidden {layer + 1}, neuron {unit + 1}"
        lines = [title, f"activation: {activation}"]
        if self._params is not None:
            lines.append(f"bias: {float(self._params[layer][1][unit]):+.4f}")
        summary = ACTIVATION_TIPS.get(activation, "")
        return "\n".join(lines) + (f"\n\n{summary}" if summary else "")

    def _pictures(self) -> dict[tuple[int, int], QImage | np.ndarray]:
        """What each shown neuron pictures: an image (plane) or its values (line), by key.

        The images of a column are made in one pass, and only for the neurons on show.
        """
        views = self._views
        if views is None:
            return {}
        pictures = {}
        for layer, maps in ((INPUT, views.inputs), *enumerate(views.neurons)):
            units = [unit for k, unit in self._neurons if k == layer and unit < len(maps)]
            if not units:
                continue
            if maps.ndim == 3:
                shown = maps[: max(units) + 1]
                pictures.update(
                    ((layer, u), image) for u, image in enumerate(thumbnails(shown, self._lut))
                )
            else:
                pictures.update(((layer, u), maps[u]) for u in units)
        return pictures

    def _hovered(self, key: tuple[int, int] | None) -> None:
        self.sigNeuronHovered.emit(key)

    def _click_layer(self, k: int) -> None:
        self.sigLayerClicked.emit(k)
