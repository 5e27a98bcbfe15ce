"""The sweep dialog's form: which settings vary (by schema path) and how the sweep runs (the
method, trials, epochs, metric, workers, storage and study), and the plan it makes of them."""

from __future__ import annotations

import os
import time
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import Design
from nnviz.core.nn.network import CLASSIFICATION
from nnviz.core.schema import field
from nnviz.core.sweep.plan import METRICS, SweepPlan
from nnviz.core.sweep.storage import default_storage
from nnviz.ui.sweep.settings_rows import SettingRows

METHODS = (
    ("Grid: every combination", "grid"),
    ("Random", "random"),
    ("TPE: Optuna's Bayesian sampler", "tpe"),
)
#: The most trials one grid may have.
MAX_GRID = 10_000
#: The schema's limit of a design's epochs.
MAX_EPOCHS = field("training.epochs").rule.high or 10_000_000


class SweepForm(QWidget):
    """The settings to vary and the sweep's options; ``sigChanged`` when any changes."""

    sigChanged = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.rows = SettingRows()
        self.rows.sigChanged.connect(self.sigChanged)
        vary = QGroupBox("Settings to vary (by schema path)")
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.rows)
        column.addStretch(1)
        scroll.setWidget(holder)
        QVBoxLayout(vary).addWidget(scroll)

        self.method_box = QComboBox(objectName="sweepMethod")
        for text, method in METHODS:
            self.method_box.addItem(text, method)
        self.method_box.setCurrentIndex(2)
        self.method_box.currentIndexChanged.connect(self.sigChanged)
        self.trials = QSpinBox(objectName="sweepTrials", minimum=1, maximum=MAX_GRID, value=20)
        self.epochs = QSpinBox(objectName="sweepEpochs", minimum=1, maximum=MAX_EPOCHS)
        self.epochs.setToolTip("Each trial trains this many epochs (or stops early as the "
                               "design says); its metric is taken at the end")  # fmt: skip
        self.grid_note = QLabel(objectName="sweepGridNote")
        self.metric_box = QComboBox(objectName="sweepMetric")
        cores = os.cpu_count() or 1
        self.workers = QSpinBox(objectName="sweepWorkers", minimum=1, maximum=256, value=cores)
        self.workers.setToolTip(f"Worker processes, each training one trial at a time "
                                f"(this computer has {cores} cores)")  # fmt: skip
        self.storage = QLineEdit(objectName="sweepStorage")
        self.storage.setToolTip(
            "An Optuna storage URL: a SQLite file (the default, in your data folder), or a "
            "postgresql://… database that nnviz sweep workers on other machines share"
        )
        self.study = QLineEdit(objectName="sweepStudy")
        self.study.setToolTip("The study's name; an existing study of the storage gets more trials")
        form = QFormLayout()
        form.addRow("Method", self.method_box)
        trials_row = QHBoxLayout()
        trials_row.addWidget(self.trials)
        trials_row.addWidget(self.grid_note, 1)
        form.addRow("Trials", trials_row)
        form.addRow("Epochs per trial", self.epochs)
        form.addRow("Metric", self.metric_box)
        form.addRow("Workers", self.workers)
        form.addRow("Storage", self.storage)
        form.addRow("Study", self.study)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(vary, 1)
        column.addLayout(form)

    def offer(self, design: Design, spec, vary: bool) -> None:
        """The metrics of ``design``'s task (``spec``, the network it resolves to, or None),
        a new study name; when ``vary``, its epochs and its learning rate and first layer's
        width to vary at first."""
        task = None if spec is None else spec.task
        self.metric_box.clear()
        for metric in METRICS:
            fits = (
                task is None
                or metric.endswith("loss")
                or (metric.endswith("accuracy") == (task == CLASSIFICATION))
            )
            if fits:
                self.metric_box.addItem(metric, metric)
        self.storage.setText(self.storage.text() or default_storage())
        self.study.setText(f"{slug(design.name)}-{time.strftime('%Y%m%d-%H%M%S')}")
        if vary:
            self.epochs.setValue(design.training.epochs)
            rows = []
            if spec is None or not spec.is_perceptron:
                rows.append("training.optimizer.learning_rate")
            if design.layers:
                rows.append("layers[0].units")
            self.rows.set_design(design, [])
            for path in rows:
                self.rows.add_row(path, None)

    def problems(self) -> list[str]:
        """What keeps the form from making a plan; shows the grid's size (a grid's trials)."""
        settings, problems = self.rows.settings()
        method = self.method_box.currentData()
        grid = 0
        if not problems and settings:
            grid = 1
            for setting in settings:
                grid *= len(setting.grid_values())
        if method == "grid":
            if grid > MAX_GRID:
                problems.append(f"the grid has {grid:,} combinations; at most {MAX_GRID:,}")
            elif grid:
                self.trials.setValue(grid)
            self.grid_note.setText(f"every combination: {grid:,}" if grid else "")
        else:
            self.grid_note.setText("")
        self.trials.setEnabled(method != "grid")
        return problems

    def plan(self, design: Design, base_dir) -> SweepPlan:
        """The sweep of ``design`` (its data read from ``base_dir``) the form describes."""
        settings, _problems = self.rows.settings()
        design = replace(design, training=replace(design.training, epochs=self.epochs.value()))
        return SweepPlan(
            design=design,
            base_dir=None if base_dir is None else str(base_dir),
            settings=settings,
            method=self.method_box.currentData(),
            metric=self.metric_box.currentData(),
            storage=self.storage.text().strip() or default_storage(),
            study=self.study.text().strip() or slug(design.name),
            seed=design.training.seed,
        )


def slug(name: str) -> str:
    """``name`` as a study name: lower case, words joined by hyphens."""
    cleaned = "".join(c if c.isalnum() else "-" for c in name.strip().lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part) or "design"
