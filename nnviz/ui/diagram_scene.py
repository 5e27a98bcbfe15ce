"""The network diagram's drawing: where every column, neuron, edge and button goes.

:class:`DiagramScene` lays a design out (inputs on the left, hidden layers as columns, the
output on the right) and keeps the items it made by name, so the weights and the neurons'
pictures of each frame restyle the items in place. What a click does is the editor's: the
buttons call back into the :class:`~nnviz.ui.network_editor.NetworkEditor` they belong to.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPalette
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSimpleTextItem

from nnviz.core import edits
from nnviz.core.design import MAX_LAYERS, MAX_UNITS, Design
from nnviz.core.run.frames import Views
from nnviz.ui.concepts import TIPS, feature_label
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
from nnviz.ui.diagram_words import INPUT, edge_tip, layer_detail, neuron_tip

if TYPE_CHECKING:
    from nnviz.ui.network_editor import NetworkEditor

COLUMN_GAP = 140.0
ROW_GAP = 58.0
NEURONS_TOP = 96.0
#: A column shows at least this many neurons (more where the view has room, see
#: :meth:`DiagramScene.set_room`); wider layers show the first ones and a count.
MAX_SHOWN = 8
#: Most neurons a column shows, however tall the view (each pair of columns draws rows²
#: edges).
MOST_SHOWN = 40
#: Neurons a column shows while the fit keeps at least this zoom.
ROWS_SCALE = 0.55
#: A line of the diagram's text is never shorter than this on screen (pixels) when fitted;
#: the text grows in the scene instead, at most by MAX_TEXT_SCALE.
MIN_TEXT_PX = 12.0
MAX_TEXT_SCALE = 1.8


def column_at(x: float) -> int:
    """The layer index of the column at scene position ``x`` (INPUT for the inputs)."""
    return round(x / COLUMN_GAP) - 1


class DiagramScene(QGraphicsScene):
    """The items of one design's diagram, rebuilt by :meth:`draw`, restyled by frames."""

    def __init__(self, editor: NetworkEditor) -> None:
        super().__init__(editor)
        self._editor = editor
        self._design = Design()
        self._facts = DataFacts()
        self._palette = QPalette()
        self._params = None
        self._views: Views | None = None
        self._lut = playground_lut()
        self._items: dict[str, QGraphicsItem] = {}
        self._neurons: dict[tuple[int, int], NeuronItem] = {}
        # Per dense layer: the rows and columns of its weights drawn as edges, and the edges.
        self._edge_layers: list[tuple[np.ndarray, np.ndarray, list[EdgeItem]]] = []
        self._edge_styles: list[np.ndarray] = []  # the style each edge has (weight_styles)
        self.max_shown = MAX_SHOWN  # neurons a column shows
        self.text_scale = 1.0  # the text's size in the scene, against the default font

    def set_room(self, height: float, scale: float) -> bool:
        """Fit the drawing to a view ``height`` pixels tall that shows it at ``scale``: as
        many neurons as fit at ROWS_SCALE, text at least MIN_TEXT_PX high on screen.
        Redraws and returns True when that changes the drawing."""
        rows = int((height / ROWS_SCALE - NEURONS_TOP - 2 * ROW_GAP) / ROW_GAP)
        max_shown = min(max(MAX_SHOWN, rows), MOST_SHOWN)
        line = QFontMetricsF(QFont()).height()
        wanted = MIN_TEXT_PX / (line * max(scale, 1e-3))
        text_scale = min(max(1.0, math.ceil(wanted * 10) / 10), MAX_TEXT_SCALE)
        if (max_shown, text_scale) == (self.max_shown, self.text_scale):
            return False
        self.max_shown, self.text_scale = max_shown, text_scale
        self.draw(self._design, self._facts, self._palette)
        return True

    def font(self, bold: bool = False) -> QFont:
        """The diagram's text font, grown by ``text_scale``."""
        font = QFont()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * self.text_scale)
        else:  # a font sized in pixels
            font.setPixelSize(round(font.pixelSize() * self.text_scale))
        font.setBold(bold)
        return font

    def _bands(self) -> tuple[float, float, float, float]:
        """The heights (y) of the top controls, the + and − buttons, the layer titles and the
        first neuron: bands as tall as the text (NEURONS_TOP at the default size)."""
        line = QFontMetricsF(self.font(bold=True)).height()
        controls = -10.0
        buttons = controls + line + 6 + 14
        titles = buttons + line + 6 + 2
        return controls, buttons, titles, max(NEURONS_TOP, titles + 2 * line + 6 + 8)

    def _text(self, text: str, bold: bool = False) -> QGraphicsSimpleTextItem:
        label = QGraphicsSimpleTextItem(text)
        label.setFont(self.font(bold))
        label.setBrush(self._text_colour())
        return label

    # --- what is drawn ------------------------------------------------------------------------

    def item(self, name: str):
        """The item called ``name``: ``"addLayer"``, ``"addUnit0"``, ``"feature:x1"``..."""
        return self._items[name]

    def item_names(self) -> list[str]:
        return list(self._items)

    def edges(self) -> dict[tuple[int, int, int], EdgeItem]:
        """Every edge by (dense layer, row, column) of the weight it shows."""
        return {
            (layer, int(row), int(col)): edge
            for layer, (rows, cols, edges) in enumerate(self._edge_layers)
            for row, col, edge in zip(rows, cols, edges, strict=True)
        }

    def draw(self, design: Design, facts: DataFacts, palette: QPalette) -> None:
        """Lay ``design`` out anew, keeping the weights and pictures while they still fit."""
        self._design, self._facts, self._palette = design, facts, palette
        self._params = self._fitting(self._params)
        self.clear()
        self._items.clear()
        self._neurons.clear()
        self._edge_layers.clear()
        self._edge_styles.clear()
        columns = self._columns()
        bands = self._bands()
        self._add_top_controls(bands[0])
        for c, (layer, header, units) in enumerate(columns):
            self._add_column(c, layer, header, units, bands)
        self._add_edges(columns)
        for item in self.items():  # all but the edges (and thumbnails, made later) stay put
            if not isinstance(item, EdgeItem):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.set_params(self._params)
        self.set_neuron_maps(self._views)

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

    # --- layout -------------------------------------------------------------------------------

    def _inputs(self) -> tuple[str, ...]:
        return edits.inputs(self._design, self._facts.features)

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
        return self._palette.color(QPalette.ColorRole.Text)

    def _columns(self) -> list[tuple[int, str, list[tuple[str, bool]]]]:
        """(layer index, header, [(unit name, active), ...]) for every column, inputs first."""
        d = self._design
        active = self._inputs()
        offered = edits.offered_inputs(d, self._facts.features)
        columns = [(INPUT, "Inputs", [(f, f in active) for f in offered])]
        for k, layer in enumerate(d.layers):
            columns.append((k, f"Hidden {k + 1}", [("", True)] * layer.units))
        columns.append((len(d.layers), "Output", [("", True)] * self._facts.n_outputs))
        return columns

    def _add(self, item: QGraphicsItem, pos: QPointF | tuple[float, float]) -> None:
        item.setPos(pos if isinstance(pos, QPointF) else QPointF(*pos))
        self.addItem(item)
        name = getattr(item, "name", None)
        if name is not None:
            self._items[name] = item

    def _add_top_controls(self, y: float) -> None:
        editor, colour, font = self._editor, self._text_colour(), self.font()
        n = len(self._design.layers)
        add = ButtonItem(
            "addLayer",
            "+ layer",
            editor.add_layer,
            colour,
            "Add a hidden layer",
            enabled=n < MAX_LAYERS,
            font=font,
        )
        remove = ButtonItem(
            "removeLayer",
            "− layer",
            lambda: editor.remove_layer(),
            colour,
            "Remove the last hidden layer",
            enabled=n > 0,
            font=font,
        )
        label = self._text(f"{n} hidden layer{'s' if n != 1 else ''}".upper(), bold=True)
        perceptron = ButtonItem(
            "perceptron",
            "Back to a network" if edits.is_perceptron(self._design) else "Perceptron",
            editor.toggle_perceptron,
            colour,
            TIPS["perceptron"],
            font=font,
        )
        x = COLUMN_GAP * 0.75
        for item in (add, remove, label, perceptron):
            self._add(item, (x, y))
            x += item.boundingRect().width() + (24 if item is label else 8)

    def _add_column(
        self, c: int, layer: int, header: str, units: list[tuple[str, bool]], bands
    ) -> None:
        editor, colour, font = self._editor, self._text_colour(), self.font()
        _, buttons_y, title_y, top = bands
        x = c * COLUMN_GAP
        is_output = layer == len(self._design.layers)
        if layer >= 0 and not is_output:
            spec = self._design.layers[layer]
            plus = ButtonItem(
                f"addUnit{layer}",
                "+",
                lambda k=layer: editor.add_unit(k),
                colour,
                "Add a neuron",
                enabled=spec.units < MAX_UNITS,
                font=font,
            )
            minus = ButtonItem(
                f"removeUnit{layer}",
                "−",
                lambda k=layer: editor.remove_unit(k),
                colour,
                "Remove a neuron",
                enabled=spec.units > 1,
                font=font,
            )
            self._add(plus, (x, buttons_y))
            self._add(minus, (x + plus.boundingRect().width() + 4, buttons_y))
        if layer >= 0:
            head = ButtonItem(
                "outputHeader" if is_output else f"layerHeader{layer}",
                f"{header}\n{layer_detail(self._design, self._facts, layer)}",
                lambda k=layer: editor.edit_layer(k),
                colour,
                "Click to edit this layer",
                flat=True,
                bold=True,
                font=font,
            )
            self._add(head, (x - 7, title_y))
        else:
            on = sum(active for _, active in units)
            self._add(self._text(f"{header}\n{on} of {len(units)} on"), (x, title_y))
        most = self.max_shown
        shown = units if len(units) <= most else units[: most - 1]
        for unit, (feature, active) in enumerate(shown):
            self._add_neuron(layer, unit, feature, active, QPointF(x, top + unit * ROW_GAP))
        if len(shown) < len(units):
            more = self._text(f"… {len(units) - len(shown)} more")
            self._add(more, (x, top + len(shown) * ROW_GAP + 12))

    def _add_neuron(self, layer: int, unit: int, feature: str, active: bool, pos: QPointF) -> None:
        editor, colour = self._editor, self._text_colour()
        hovered = editor.sigNeuronHovered.emit
        if layer == INPUT:
            neuron = NeuronItem(
                f"feature:{feature}",
                (INPUT, unit),
                colour,
                hovered,
                lambda f=feature: editor.toggle_feature(f),
                active,
            )
            label = self._text(feature_label(feature))
            size = label.boundingRect()
            middle = pos.y() + (NEURON_SIZE - size.height()) / 2
            self._add(label, (pos.x() - size.width() - 8, middle))
        else:
            neuron = NeuronItem(f"neuron{layer}_{unit}", (layer, unit), colour, hovered)
        self._add(neuron, pos)
        if active:
            key = (INPUT, self._inputs().index(feature)) if layer == INPUT else (layer, unit)
            neuron.key = key
            self._neurons[key] = neuron
            neuron.tip = functools.partial(self._neuron_tip, *key)
            neuron.setToolTip(neuron.tip())

    def _add_edges(self, columns) -> None:
        neutral = self._text_colour()
        neutral.setAlpha(70)
        background = self._palette.color(QPalette.ColorRole.Base)
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
                    self.addItem(edge)
                    rows.append(row)
                    cols.append(col)
                    edges.append(edge)
            self._edge_layers.append((np.array(rows, int), np.array(cols, int), edges))
            self._edge_styles.append(np.full(len(edges), -1))  # as made: no weight

    # --- words and pictures -------------------------------------------------------------------

    def _edge_tip(self, layer: int, row: int, col: int) -> str:
        return edge_tip(self._params, layer, row, col)

    def _neuron_tip(self, layer: int, unit: int) -> str:
        inputs = self._inputs() if layer == INPUT else ()  # worked out only where it is read
        return neuron_tip(self._design, self._facts, inputs, self._params, layer, unit)

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
