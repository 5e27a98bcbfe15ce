"""Train → Find Learning Rate…: the range test on the current weights, its plot, one-click apply.

The test runs in a background task on a copy of the network in this process (the training
process keeps training undisturbed), from the latest weights the window received, or the
initial weights of the design's seed before the first step. Applying the suggestion is one
undoable edit of the design's learning rate.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from nnviz.core.insight.lr_finder import find_steps
from nnviz.core.insight.problem import Problem
from nnviz.core.nn.engine import create_engine
from nnviz.core.nn.initializers import init_params
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.panels.colors import apply_theme, series_color
from nnviz.ui.panels.curves import SparseLogAxis


class LRFinderDialog(QDialog):
    """Runs the learning-rate range test when opened; ``apply`` sets the suggested rate."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("lrFinderDialog")
        self.setWindowTitle("Find a learning rate")
        self.resize(620, 440)
        self.window_ = window
        self.finding = None
        self.task = BackgroundTask(self)
        self.task.setObjectName("lrFinderTask")
        self.task.sigProgress.connect(self._on_progress)
        self.task.sigDone.connect(self._on_done)
        self.task.sigFailed.connect(self._on_failed)

        self.intro = QLabel(wordWrap=True, objectName="lrFinderIntro")
        self.intro.setText(
            "Trains a copy of the network for a short while as the learning rate grows from "
            "10⁻⁶ to 10, and plots the (smoothed) training loss against the rate. The loss "
            "falls fastest at the suggested rate; the weights stay as they were."
        )
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("lrFinderPlot")
        self.plot = self.plots.addPlot(
            axisItems={"bottom": SparseLogAxis("bottom"), "left": SparseLogAxis("left")}
        )
        self.plot.setMenuEnabled(False)
        self.plot.setLogMode(x=True, y=True)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "training loss (smoothed)")
        self.curve = self.plot.plot(pen=pg.mkPen(series_color(0), width=2))
        self.suggestion_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(series_color(3), width=2, style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.suggestion_line)
        self.current_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(series_color(2), width=1.5, style=Qt.PenStyle.DotLine)
        )
        self.plot.addItem(self.current_line)
        self.progress = QProgressBar(objectName="lrFinderProgress", maximum=1000)
        self.result = QLabel(wordWrap=True, objectName="lrFinderResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.apply_button = QPushButton("Apply", objectName="lrFinderApplyButton")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.again = QPushButton("Run Again", objectName="lrFinderRunButton")
        self.again.clicked.connect(self.run)
        self.buttons.addButton(self.again, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        apply_theme(self.plots)

    def run(self) -> None:
        """Start the range test on the latest weights of the window's run."""
        session = self.window_.training
        design = self.window_.design
        if session.spec is None or session.pipeline is None:
            self._say("There is no run yet: build a network the data fits first.")
            return
        spec = session.spec
        if spec.is_perceptron:
            self._say("The perceptron rule has no learning rate to find.")
            return
        training = design.training
        dtype = np.dtype(training.dtype)
        if session.latest is not None:
            params = [(np.array(w), np.array(b)) for w, b in session.latest.params]
            start = f"the weights of epoch {session.latest.metrics.epoch}"
        else:
            rng = np.random.default_rng(training.seed)
            params = init_params(spec, training.initializer, rng, dtype)
            start = "the initial weights"
        problem = Problem.from_run(spec, session.pipeline, session.dataset, dtype)
        self._start_note = start
        self._design_rate = training.optimizer.learning_rate

        def steps():
            engine = create_engine(
                training.engine, spec, params, training.optimizer, l1=training.l1,
                l2=training.l2, dtype=training.dtype, seed=training.seed, device=training.device,
            )  # fmt: skip
            size, seed = training.batch_size, training.seed
            return (yield from find_steps(engine, problem.x, problem.t, batch_size=size, seed=seed))

        self.finding = None
        self.apply_button.setEnabled(False)
        self.apply_button.setText("Apply")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._say(f"Training a copy of the network from {start}…")
        self.task.start(steps)

    def _on_progress(self, share: float) -> None:
        self.progress.setValue(round(share * self.progress.maximum()))

    def _on_done(self, finding) -> None:
        self.progress.setVisible(False)
        self.finding = finding
        self.curve.setData(finding.learning_rates, finding.losses)
        self.current_line.setValue(math.log10(self._design_rate))
        self.current_line.setVisible(self._design_rate > 0)
        rates = "; ".join(
            [f"started from {self._start_note}", f"{len(finding.learning_rates)} steps",
             f"stopped: {finding.stopped}"]
        )  # fmt: skip
        if finding.suggested is None:
            self.suggestion_line.setVisible(False)
            self._say(f"No suggestion: {finding.note}. ({rates})")
            return
        self.suggestion_line.setValue(math.log10(finding.suggested))
        self.suggestion_line.setVisible(True)
        value = _rounded(finding.suggested)
        self.apply_button.setText(f"Apply {value:g}")
        self.apply_button.setEnabled(True)
        self._say(
            f"Suggested learning rate: {value:g} (red dashes: where the loss falls fastest); "
            f"the design's is {self._design_rate:g} (green dots). ({rates})"
        )

    def _on_failed(self, text: str) -> None:
        self.progress.setVisible(False)
        self._say(f"The learning-rate finder failed: {text}")

    def apply(self) -> None:
        """Set the suggested rate as one undoable edit."""
        if self.finding is None or self.finding.suggested is None:
            return
        value = _rounded(self.finding.suggested)
        design = self.window_.design
        optimizer = replace(design.training.optimizer, learning_rate=value)
        new = replace(design, training=replace(design.training, optimizer=optimizer))
        self.window_.push_design(new, f"Learning rate {value:g} (from the finder)")
        self._say(f"The learning rate is now {value:g} (Edit → Undo puts it back).")
        self.apply_button.setEnabled(False)

    def _say(self, text: str) -> None:
        self.result.setText(text)

    def done(self, result: int) -> None:
        self.task.cancel()
        super().done(result)

    def shutdown(self) -> None:
        self.task.shutdown()


def _rounded(rate: float) -> float:
    """Two significant digits: a rate a person would type."""
    return float(f"{rate:.2g}")
