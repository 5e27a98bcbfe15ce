"""The network diagram as an editor: clicks, the right-click menu, zoom and fit.

The editor never changes a design itself: each edit (a pure function of
:mod:`nnviz.core.edits`) builds a new :class:`Design` and the editor emits it (``sigEdit``);
the window pushes it on the undo stack, which calls :meth:`set_design` back. The drawing
itself is :class:`~nnviz.ui.diagram_scene.DiagramScene`'s. Every clickable item has a stable
``name`` (see :meth:`item`) and a method doing the same thing, so tests can click the real
items or call the methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, QSizeF, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QGraphicsView, QMenu

from nnviz.core import edits
from nnviz.core.design import MAX_LAYERS, MAX_UNITS, Design, LayerSpec
from nnviz.core.run.frames import Views
from nnviz.ui.data_facts import DataFacts
from nnviz.ui.diagram_scene import MAX_SHOWN, DiagramScene, column_at

__all__ = ["MAX_SHOWN", "NetworkEditor"]


class NetworkEditor(QGraphicsView):
    """Draws a design and edits it by clicks on the diagram."""

    sigEdit = Signal(object, str)  # (new Design, what changed, for the undo stack)
    sigLayerClicked = Signal(int)  # dense layer index; len(design.layers) is the output
    sigNeuronHovered = Signal(object)  # (layer_index, unit), layer_index -1 for inputs, or None
    sigMessage = Signal(str)  # why an edit was refused

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self._scene = DiagramScene(self)
        self.setScene(self._scene)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAcceptDrops(False)  # dropped design files go to the window
        self.setMinimumSize(240, 180)
        self._design = Design()
        self._facts = DataFacts()
        self._drawn = False
        self._own_edit: Design | None = None  # the last design this editor proposed
        self._layers_before_perceptron: tuple[LayerSpec, ...] = ()
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
        own_edit, self._own_edit = design == self._own_edit, None
        self._design = design
        if same_drawing and facts is None and self._drawn:
            return  # training settings are not drawn
        # keeps the weights shown while they still fit the network; after a click on the
        # diagram, what was under the mouse stays there, so a second click hits it again
        self._rebuild(keep_in_place=own_edit)

    def set_params(self, params) -> None:
        """Colour the edges by the weights ``[(W, b), ...]``; None shows the bare structure."""
        self._scene.set_params(params)

    def set_neuron_maps(self, views: Views | None) -> None:
        """Thumbnails of each neuron's output over the input plane (None clears them)."""
        self._scene.set_neuron_maps(views)

    def item(self, name: str):
        """The diagram item called ``name``: ``"addLayer"``, ``"addUnit0"``, ``"feature:x1"``..."""
        return self._scene.item(name)

    def item_names(self) -> list[str]:
        return self._scene.item_names()

    def edges(self):
        """Every edge by (dense layer, row, column) of the weight it shows."""
        return self._scene.edges()

    # --- edits (what the diagram's buttons do) ------------------------------------------------

    def add_layer(self) -> None:
        self._edit(edits.add_layer, "Add hidden layer")

    def remove_layer(self, k: int | None = None) -> None:
        n = len(self._design.layers)
        where = n if k is None else k + 1
        self._edit(lambda d: edits.remove_layer(d, k), f"Remove hidden layer {where}")

    def add_unit(self, k: int) -> None:
        self._edit(lambda d: edits.add_unit(d, k), f"Add neuron to layer {k + 1}")

    def remove_unit(self, k: int) -> None:
        self._edit(lambda d: edits.remove_unit(d, k), f"Remove neuron from layer {k + 1}")

    def toggle_feature(self, name: str) -> None:
        on = name in edits.inputs(self._design, self._facts.features)
        self._edit(
            lambda d: edits.toggle_input(
                d, name, self._facts.features, every_column_by_default=not self._facts.defaults
            ),
            f"Switch {'off' if on else 'on'} input {name}",
        )

    def toggle_perceptron(self) -> None:
        """Switch to Rosenblatt's perceptron (no hidden layer, step output) and back."""
        if self.is_perceptron():
            layers = self._layers_before_perceptron
            self._edit(lambda d: edits.back_to_network(d, layers), "Back to a network")
        else:
            if self._design.layers:
                self._layers_before_perceptron = self._design.layers
            self._edit(edits.make_perceptron, "Make it a perceptron")

    def is_perceptron(self) -> bool:
        return edits.is_perceptron(self._design)

    def edit_layer(self, k: int) -> None:
        """Ask for layer ``k`` in the layer inspector (``len(design.layers)``: the output)."""
        self.sigLayerClicked.emit(k)

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(current * factor, 0.25), 4.0) / current
        self.scale(factor, factor)
        self._user_zoomed = True

    def fit(self) -> None:
        """Fit the whole diagram into the view (never enlarging beyond 125 %), first letting
        it show as many neurons as the view has room for, its text no smaller than the
        scene's minimum (each redraws it, so the scale is measured again)."""
        self._user_zoomed = False
        rect, scale = self._fitting_scale()
        if self._scene.set_room(self.viewport().height(), scale):
            rect, scale = self._fitting_scale()
        self.setSceneRect(rect)
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def _fitting_scale(self) -> tuple[QRectF, float]:
        rect = self._scene.itemsBoundingRect().adjusted(-24, -24, 24, 24)
        view = self.viewport().rect()
        return rect, min(view.width() / rect.width(), view.height() / rect.height(), 1.25)

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
        k = column_at(scene_pos.x())
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
            add("contextEditLayer", f"Edit Layer {k + 1}…", lambda: self.edit_layer(k))
            add("contextRemoveLayer", f"Remove Layer {k + 1}", lambda: self.remove_layer(k))
            menu.addSeparator()
        elif k == n:
            add("contextEditLayer", "Edit Output Layer…", lambda: self.edit_layer(n))
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

    def _edit(self, edit: Callable[[Design], Design], text: str) -> None:
        """Emit ``edit(design)`` as an edit called ``text``, or say why it is refused."""
        try:
            design = edit(self._design)
        except edits.EditRefused as refused:
            self.sigMessage.emit(str(refused))
            return
        if design != self._design:
            self._own_edit = design
            self.sigEdit.emit(design, text)

    def _rebuild(self, keep_in_place: bool = False) -> None:
        corner = self.mapToScene(0, 0)
        self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))
        self._scene.draw(self._design, self._facts, self.palette())
        self._drawn = True
        self.setToolTip("")
        self.setAccessibleName(f"Network with {len(self._design.layers)} hidden layers")
        if not self._user_zoomed and not (keep_in_place and self._keep_in_place(corner)):
            self.fit()

    def _keep_in_place(self, corner: QPointF) -> bool:
        """Keep the zoom and the scene point at the view's top-left ``corner`` when the new
        drawing still fits that way; False (nothing done) when it does not."""
        scale = self.transform().m11()
        view = self.viewport().rect()
        visible = QRectF(corner, QSizeF(view.width() / scale, view.height() / scale))
        if not visible.contains(self._scene.itemsBoundingRect().adjusted(-12, -12, 12, 12)):
            return False
        self.setSceneRect(visible)
        self.centerOn(visible.center())
        return True
