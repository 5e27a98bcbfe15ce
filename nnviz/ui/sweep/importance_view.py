"""Each swept setting's importance (Optuna's fANOVA evaluator) as horizontal bars, computed
in a background task from the study's storage whenever the trials it has seen change."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnviz.core.sweep.importance import importance_steps
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.panels.colors import apply_theme, series_color


class ImportanceView(QWidget):
    """``compute(storage, study, complete)`` starts a computation unless the same number of
    complete trials was already computed; ``shares`` holds the latest result."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepImportanceView")
        self.shares: dict[str, float] = {}
        self._computed: tuple | None = None
        self.task = BackgroundTask(self)
        self.task.setObjectName("sweepImportanceTask")
        self.task.sigDone.connect(self._on_done)
        self.task.sigFailed.connect(self._on_failed)
        self.note = QLabel(objectName="sweepImportanceNote", wordWrap=True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("sweepImportancePlot")
        self.plot = self.plots.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "share of the metric's variance (fANOVA)")
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.6, width=[], brush=series_color(0))
        self.plot.addItem(self.bars)
        self.labels: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plots, 1)
        apply_theme(self.plots)
        self.clear()

    def clear(self) -> None:
        self.task.cancel()
        self.shares, self._computed = {}, None
        self.bars.setOpts(x0=[], y=[], width=[])
        self._label([])
        self.note.setText("Each setting's importance shows once two trials are complete.")

    def compute(self, storage: str, study: str, complete: int) -> None:
        """Compute again if ``complete`` trials is news (the storage is read in the task)."""
        key = (storage, study, complete)
        if complete < 2 or key == self._computed:
            return
        self._computed = key
        self.note.setText(f"Computing the importance over {complete} complete trials…")
        self.task.start(lambda: importance_steps(storage, study))

    def _on_done(self, shares: dict[str, float]) -> None:
        self.shares = shares
        names = list(reversed(shares))  # the most important on top
        widths = [shares[name] for name in names]
        self.bars.setOpts(x0=[0.0] * len(names), y=list(range(len(names))), width=widths)
        self.plot.getAxis("left").setTicks([list(enumerate(names))])
        self._label(widths)
        self.plot.setYRange(-0.6, len(names) - 0.4, padding=0)
        self.plot.setXRange(0, 1, padding=0.02)
        complete = self._computed[2] if self._computed else 0
        self.note.setText(
            f"How much of the metric's variation each setting explains, over {complete} "
            "complete trials (Optuna's fANOVA evaluator; the shares add up to 1)."
        )

    def _label(self, widths: list[float]) -> None:
        """Each bar's share as a percentage at its end."""
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        color = self.palette().text().color()
        for y, width in enumerate(widths):
            label = pg.TextItem(f"{width:.0%}", color=color, anchor=(0, 0.5))
            label.setPos(width, y)
            self.plot.addItem(label)
            self.labels.append(label)

    def _on_failed(self, text: str) -> None:
        self.note.setText(f"No importance yet: {text}")

    def shutdown(self) -> None:
        self.task.shutdown()
