"""The step-through mode: one sample through forward, loss, backward and update, on the diagram.

Entering the mode pauses training and traces the chosen sample through the network's current
weights (:func:`nnviz.core.explain.trace.trace_sample`, in the GUI thread: one sample is a
few small matrix products). The stages advance with the panel's buttons or the arrow keys;
the overlay labels the diagram and the formula view shows the calculation under the mouse.

The weights belong to the training process. Applying the update, or typing a weight or bias,
pushes a :class:`SetParams` on the window's undo stack, whose redo and undo ask the session to
load the new or the old weights; the process then sends a frame and every panel follows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand

from nnviz.core.explain.numbers import number
from nnviz.core.explain.sample import trace_of
from nnviz.core.explain.stages import UPDATE, edge_lines, neuron_lines, stage_lines, stages
from nnviz.core.explain.trace import dropout_factors
from nnviz.ui.step_through.overlay import DiagramOverlay
from nnviz.ui.step_through.panel import StepThroughPanel

#: A click in the decision-regions panel picks the nearest point within this many pixels.
PICK_RADIUS = 12.0


class SetParams(QUndoCommand):
    """Swap the network's weights for ``new``; undo puts ``old`` back (one undo step)."""

    def __init__(self, apply: Callable[[list], None], old, new, text: str) -> None:
        super().__init__(text)
        self._apply, self.old, self.new = apply, old, new

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class StepThroughMode(QObject):
    """Drives the panel, the overlay and the session for one window."""

    def __init__(self, window, panel: StepThroughPanel, dock, regions) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.training
        self.panel = panel
        self.dock = dock
        self.regions = regions
        self.overlay = DiagramOverlay(window.editor)
        self.active = False
        self.split, self.index = "train", 0
        self.params = None  # float64 [(W, b), ...] the trace was made from
        self.trace = None
        self.stages = []
        self.position = 0
        self.hovered = None
        self.selected = None
        self.updates = 0  # how many updates were applied: a new dropout draw each time

        panel.sigBack.connect(self.back)
        panel.sigNext.connect(self.next)
        panel.sigApply.connect(self.apply_update)
        panel.sigLeave.connect(self.leave)
        panel.sigSample.connect(self.choose_sample)
        panel.sigValue.connect(self.set_selected_value)
        self.overlay.sigHovered.connect(self._on_hovered)
        self.overlay.sigClicked.connect(self.select)
        self.session.sigRunStarted.connect(lambda _: self.leave())
        self.session.sigFrame.connect(self._on_frame)
        window.document.sigChanged.connect(self._on_design_changed)
        dock.visibilityChanged.connect(self._on_dock_visibility)
        self.shortcuts = []
        for key, slot in ((Qt.Key.Key_Right, self.next), (Qt.Key.Key_Left, self.back),
                          (Qt.Key.Key_Escape, self.leave)):  # fmt: skip
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.activated.connect(slot)
            shortcut.setEnabled(False)
            self.shortcuts.append(shortcut)
        if regions is not None:
            regions.plots.scene().sigMouseClicked.connect(self._on_regions_click)

    # --- entering and leaving -------------------------------------------------------------

    def toggle(self, on: bool) -> None:
        if on:
            self.enter()
        else:
            self.leave()

    def enter(self) -> None:
        session = self.session
        if session.latest is None or session.dataset is None or session.pipeline is None:
            self.window.statusBar().showMessage(
                "Step-through needs a network: wait for the run to start, or fix the design."
            )
            self.window.actionStepThrough.setChecked(False)
            return
        session.pause()
        self.active = True
        self.window.actionStepThrough.setChecked(True)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(True)
        self.dock.show()
        self.dock.raise_()
        self.params = [(np.array(w, np.float64), np.array(b, np.float64))
                       for w, b in session.latest.params]  # fmt: skip
        self.index = min(self.index, self._count(self.split) - 1)
        self._retrace(position=0)

    def leave(self) -> None:
        """Back to the normal view; the network keeps what was applied."""
        if not self.active:
            return
        self.active = False
        self.window.actionStepThrough.setChecked(False)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(False)
        self.overlay.leave()
        self.selected = self.hovered = None
        self.panel.set_editable(None)
        self.dock.hide()

    # --- stages ---------------------------------------------------------------------------

    @property
    def stage(self):
        return self.stages[self.position] if self.stages else None

    def next(self) -> None:
        if self.active and self.position < len(self.stages) - 1:
            self.position += 1
            self._show_stage()

    def back(self) -> None:
        if self.active and self.position > 0:
            self.position -= 1
            self._show_stage()

    def go_to(self, position: int) -> None:
        self.position = max(0, min(position, len(self.stages) - 1))
        self._show_stage()

    def choose_sample(self, split: str, index: int) -> None:
        if not self.active:
            return
        self.split, self.index = split, max(0, min(index, self._count(split) - 1))
        self._retrace(position=0)

    # --- changing the network -------------------------------------------------------------

    def apply_update(self) -> None:
        """Do the update of the last stage: the network really changes (one undo step)."""
        if not self.active or self.trace is None:
            return
        new = [(w.copy(), b.copy()) for w, b in self.trace.update.params]
        self._push(new, f"Update by hand ({self.split} sample {self.index})")

    def select(self, key) -> None:
        """A neuron (its bias) or an edge (its weight) clicked: ready to type a new value."""
        if not self.active or key is None or key[1] < 0:
            return
        self.selected = key
        layer = key[1]
        if key[0] == "edge":
            _, _, unit, source = key
            value = self.params[layer][0][unit, source]
            label = f"Weight of layer {layer + 1}, neuron {unit + 1} ← input {source + 1}"
        else:
            _, _, unit = key
            value = self.params[layer][1][unit]
            label = f"Bias of layer {layer + 1}, neuron {unit + 1}"
        self.panel.set_editable(label, float(value))
        self._show_lines(key)

    def set_selected_value(self, value: float) -> None:
        if not self.active or self.selected is None or not np.isfinite(value):
            return
        new = [(w.copy(), b.copy()) for w, b in self.params]
        kind, layer, *where = self.selected
        if kind == "edge":
            new[layer][0][tuple(where)] = value
            text = f"Edit weight to {number(value)}"
        else:
            new[layer][1][where[0]] = value
            text = f"Edit bias to {number(value)}"
        self._push(new, text)

    def _push(self, new, text: str) -> None:
        old = [(w.copy(), b.copy()) for w, b in self.params]
        self.window.undo_stack.push(SetParams(self._apply_params, old, new, text))

    def _apply_params(self, params) -> None:
        """The undo command's work: never raises (it runs inside Qt's undo stack)."""
        try:
            spec = self.session.spec
            sizes = spec.sizes if spec is not None else ()
            shapes = [(sizes[k + 1], sizes[k]) for k in range(len(sizes) - 1)]
            if spec is None or [w.shape for w, _ in params] != shapes:
                self.window.statusBar().showMessage(
                    "These weights belong to another network: the design has changed since."
                )
                return
            self.session.load_params(
                [(w.astype(np.float32), b.astype(np.float32)) for w, b in params],
                "Weights changed by hand; Edit → Undo takes the change back.",
            )
            self.params = [(w.copy(), b.copy()) for w, b in params]
            if self.active:
                self._retrace(position=0)
        except Exception as error:  # PySide aborts on an exception escaping redo/undo
            self.window.statusBar().showMessage(f"Could not change the weights: {error}")

    # --- internals ------------------------------------------------------------------------

    def _count(self, split: str) -> int:
        data = self.session.dataset
        return len(data.x_train if split == "train" else data.x_test)

    def _retrace(self, position: int) -> None:
        session = self.session
        data, design = session.dataset, self.window.design
        raw = data.x_train if self.split == "train" else data.x_test
        labels = data.y_train if self.split == "train" else data.y_test
        i = self.index
        x = session.pipeline.transform(raw[i : i + 1])[0]
        spec = session.spec
        rng = np.random.default_rng((design.training.seed, i, self.updates))
        keep = dropout_factors(spec, rng)
        learning_rate = session.latest.metrics.learning_rate if session.latest else None
        self.trace = trace_of(design, spec, self.params, x, labels[i : i + 1],
                              learning_rate=learning_rate, keep=keep)  # fmt: skip
        self.stages = stages(self.trace)
        label = labels[i]
        target = data.class_names[int(label)] if data.class_names else number(float(label))
        info = (f"{self.split} sample {i} of {len(raw)}: raw input "
                f"{', '.join(number(v) for v in raw[i][:4])}{' …' if raw.shape[1] > 4 else ''}"
                f"; target {target}")  # fmt: skip
        self.panel.set_sample(self.split, i, len(raw), info)
        shape = data.image_shape
        self.panel.set_picture(None if shape is None else raw[i].reshape(shape))
        self.go_to(position)

    def _show_stage(self) -> None:
        if not self.active or self.trace is None:
            return
        stage = self.stage
        lines = stage_lines(self.trace, stage)
        last = self.position == len(self.stages) - 1
        self.panel.set_stage(
            f"Stage {self.position + 1} of {len(self.stages)} · {lines[0]}",
            lines[1:],
            self.position == 0,
            last,
        )
        self.overlay.show(self.trace, stage)
        self._show_lines(self.selected or self.hovered)

    def _show_lines(self, key) -> None:
        """The stage's own lines, then the calculation of the item under the mouse."""
        if self.trace is None:
            return
        lines = stage_lines(self.trace, self.stage)[1:]
        if key is not None:
            lines += ["", *self._item_lines(key)]
        elif self.stage.kind != UPDATE:
            lines += ["", "Hover over a neuron or an edge to see its calculation."]
        self.panel.show_lines(lines)

    def _item_lines(self, key) -> list[str]:
        names = self.session.pipeline.features
        if key[0] == "neuron":
            _, layer, unit = key
            title = "input" if layer < 0 else f"layer {layer + 1}, neuron {unit + 1}"
            return [f"{title}:", *neuron_lines(self.trace, self.stage, layer + 1, unit, names)]
        _, layer, unit, source = key
        title = f"edge into layer {layer + 1}, neuron {unit + 1}, from unit {source + 1}"
        return [f"{title}:", *edge_lines(self.trace, self.stage, layer + 1, unit, source)]

    def _on_hovered(self, key) -> None:
        self.hovered = key
        if self.active:
            self._show_lines(key or self.selected)

    def _on_frame(self, frame) -> None:
        """Training moved the weights (Play in the mode): the trace follows them."""
        if not self.active or frame.snapshot is None:
            return
        params = frame.snapshot.params
        if all(np.array_equal(w.astype(np.float32), p.astype(np.float32))
               for (w, _), (p, _) in zip(params, self.params, strict=True)):  # fmt: skip
            return
        self.params = [(np.array(w, np.float64), np.array(b, np.float64)) for w, b in params]
        self._retrace(self.position)

    def _on_design_changed(self, old, new, new_document) -> None:
        if self.active and (new_document or old.layers != new.layers):
            self.leave()
        elif self.active:
            self._retrace(self.position)  # the optimizer, rate or penalty may have changed

    def _on_dock_visibility(self, visible: bool) -> None:
        if not visible and self.active and not self.window.isHidden():
            self.leave()

    def _on_regions_click(self, event) -> None:
        """A click near a point of the decision-regions panel picks that sample."""
        regions = self.regions
        view = regions.plot.vb
        if not self.active or not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        width, height = view.viewPixelSize()
        best = None
        for split in ("train", "test"):
            if split == "test" and not regions.show_test.isChecked():
                continue
            points = self._points(split)
            if points is None or not len(points):
                continue
            distance = np.hypot((points[:, 0] - point.x()) / width,
                                (points[:, 1] - point.y()) / height)  # fmt: skip
            i = int(np.argmin(distance))
            if distance[i] <= PICK_RADIUS and (best is None or distance[i] < best[0]):
                best = (float(distance[i]), split, i)
        if best is not None:
            event.accept()
            self.choose_sample(best[1], best[2])

    def _points(self, split: str):
        info = self.session.run_info
        if info is None:
            return None
        return info.train_points if split == "train" else info.test_points

    def point_of(self, split: str, index: int) -> QPointF:
        """Where sample ``index`` of ``split`` is drawn in the decision-regions panel (scene
        coordinates of its plot): what a click there picks (for tests)."""
        x, y = self._points(split)[index]
        return self.regions.plot.vb.mapViewToScene(QPointF(float(x), float(y)))
