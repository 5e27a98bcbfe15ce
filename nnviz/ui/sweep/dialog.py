"""Train → Sweep…: vary settings of the current design, train every trial in worker processes,
watch the trials arrive in a table and three views, and open any trial's design. Each trial
that ends is also a run of the window's Runs panel (source "sweep").

The dialog does not block the window: a sweep goes on while it is closed, and shows again
when it is reopened. Stop ends the workers within about a second; the trial they were
training is kept as stopped.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import Design
from nnviz.core.nn.network import CLASSIFICATION
from nnviz.core.schema import field
from nnviz.core.sweep.spec import SpecError, apply
from nnviz.core.sweep.study import (
    METRICS,
    SweepPlan,
    TrialResult,
    best_of,
    default_storage,
)
from nnviz.core.sweep.trial_run import trial_run
from nnviz.ui.sweep.importance_view import ImportanceView
from nnviz.ui.sweep.parallel_view import ParallelCoordinates
from nnviz.ui.sweep.runner import SweepRunner
from nnviz.ui.sweep.scatter_view import MetricScatter
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
FINISHED_STATES = ("COMPLETE", "FAIL", "PRUNED")
PROBLEM_STYLE = "color: #c62828;"


class SweepDialog(QDialog):
    """The sweep of one window: ``prepare`` it for the current design, then ``start``."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("sweepDialog")
        self.setWindowTitle("Sweep settings")
        self.resize(1180, 720)
        self.window_ = window
        self.design: Design | None = None
        self.plan: SweepPlan | None = None
        self.planned = 0
        self.results: dict[int, TrialResult] = {}
        self.run_ids: dict[int, int] = {}  # trial number -> its run in the Runs panel
        self.runner = SweepRunner(self)
        self.runner.sigTrials.connect(self._on_trials)
        self.runner.sigFinished.connect(self._on_finished)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._make_form())
        splitter.addWidget(self._make_views())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 660])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.check()

    # --- building ---------------------------------------------------------------------------

    def _make_form(self) -> QWidget:
        self.rows = SettingRows()
        self.rows.sigChanged.connect(self.check)
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
        self.method_box.currentIndexChanged.connect(self.check)
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

        self.start_button = QPushButton("Start Sweep", objectName="sweepStartButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop", objectName="sweepStopButton", enabled=False)
        self.stop_button.clicked.connect(self.stop)
        actions = QHBoxLayout()
        actions.addWidget(self.start_button)
        actions.addWidget(self.stop_button)
        actions.addStretch(1)
        self.progress = QProgressBar(objectName="sweepProgress", minimum=0, maximum=1)
        self.progress.setValue(0)
        self.status = QLabel(objectName="sweepStatus", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(vary, 1)
        column.addLayout(form)
        column.addLayout(actions)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addStretch(0)
        return side

    def _make_views(self) -> QWidget:
        self.table = QTableWidget(objectName="sweepTrialsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSortingEnabled(False)
        self.table.itemDoubleClicked.connect(lambda item: self.open_trial(self._row_trial(item)))
        self.table.itemSelectionChanged.connect(self._update_open_button)
        self.parallel = ParallelCoordinates()
        self.scatter = MetricScatter()
        self.importance = ImportanceView()
        for view in (self.parallel, self.scatter):
            view.sigTrialClicked.connect(self.open_trial)
        self.tabs = QTabWidget(objectName="sweepViews")
        self.tabs.addTab(self.table, "Trials")
        self.tabs.addTab(self.parallel, "Parallel coordinates")
        self.tabs.addTab(self.scatter, "Metric by setting")
        self.tabs.addTab(self.importance, "Importance")
        self.tabs.currentChanged.connect(lambda _i: self._update_importance())
        self.open_button = QPushButton("Open Trial's Design", objectName="sweepOpenTrialButton")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self.open_trial(self._selected_trial()))
        self.best_button = QPushButton("Open Best", objectName="sweepOpenBestButton")
        self.best_button.setEnabled(False)
        self.best_button.clicked.connect(self.open_best)
        hint = QLabel("Click a line or point (or double-click a row) to open that trial's design.")
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(hint, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.best_button)
        views = QWidget()
        column = QVBoxLayout(views)
        column.setContentsMargins(4, 0, 0, 0)
        column.addWidget(self.tabs, 1)
        column.addLayout(row)
        return views

    # --- the form -----------------------------------------------------------------------------

    def prepare(self, design: Design, spec) -> None:
        """Offer ``design``'s settings (its learning rate and first layer's width at first)
        and the metrics of its task (``spec``, the network it resolves to, or None); a running
        sweep is left as it is."""
        if self.runner.busy:
            return
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
        self.study.setText(f"{_slug(design.name)}-{time.strftime('%Y%m%d-%H%M%S')}")
        if design != self.design:
            self.design = design
            self.epochs.setValue(design.training.epochs)
            rows = []
            if spec is None or not spec.is_perceptron:
                rows.append(("training.optimizer.learning_rate", None))
            if design.layers:
                rows.append(("layers[0].units", None))
            self.rows.set_design(design, [])
            for path, spec in rows:
                self.rows.add_row(path, spec)
        self.check()

    def follow(self, design: Design) -> None:
        """The window's design changed: the next sweep varies the new one (a running sweep
        goes on with its own)."""
        if self.design is not None and design != self.design:
            self.design = design
            self.rows.use_design(design)

    def check(self) -> bool:
        """Show each setting's problem and the grid's size; whether a sweep can start."""
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
        if self.window_.training.spec is None:
            problems.append("the design cannot be trained as it is; fix it first")
        ready = not problems and not self.runner.busy and self.design is not None
        self.start_button.setEnabled(ready)
        if not self.runner.busy and problems and self.rows.rows:
            self._say(problems[-1] if len(problems) == 1 else f"{len(problems)} problems: "
                      + "; ".join(problems), problem=True)  # fmt: skip
        elif not self.runner.busy and self.status.property("problem"):
            self._say("")
        return ready

    # --- running ------------------------------------------------------------------------------

    def start(self) -> bool:
        """Start the sweep the form describes."""
        if not self.check():
            return False
        settings, _problems = self.rows.settings()
        training = replace(self.design.training, epochs=self.epochs.value())
        design = replace(self.design, training=training)
        base_dir = self.window_.document.base_dir()
        self.plan = SweepPlan(
            design=design,
            base_dir=None if base_dir is None else str(base_dir),
            settings=settings,
            method=self.method_box.currentData(),
            metric=self.metric_box.currentData(),
            storage=self.storage.text().strip() or default_storage(),
            study=self.study.text().strip() or _slug(design.name),
            seed=design.training.seed,
        )
        self.planned = self.trials.value()
        self.results, self.run_ids = {}, {}
        self._reset_views()
        self.runner.start(self.plan, self.planned, self.workers.value())
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setMaximum(self.planned)
        self.progress.setValue(0)
        self._say(f"Starting {self.workers.value()} worker(s) for {self.planned} trials…")
        return True

    def stop(self) -> None:
        """Stop the workers; the trials they were training are kept as stopped."""
        if self.runner.busy:
            self.runner.stop()
            self.stop_button.setEnabled(False)
            self._say("Stopping the workers…")

    def _reset_views(self) -> None:
        plan = self.plan
        paths = [s.path for s in plan.settings]
        headers = ["trial", *paths, plan.metric, "status", "epochs", "seconds"]
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.parallel.set_sweep(plan.settings, plan.metric)
        self.scatter.set_sweep(plan.settings, plan.metric)
        self.importance.clear()
        self.best_button.setEnabled(False)

    def _on_trials(self, changed: list[TrialResult]) -> None:
        for result in changed:
            self.results[result.number] = result
        results = self.trial_list()
        self._record_runs(changed)
        self._fill_table(results)
        self.parallel.set_trials(results)
        self.scatter.set_trials(results)
        self._update_importance()
        finished = [r for r in results if r.state in FINISHED_STATES]
        self.progress.setMaximum(max(self.planned, len(finished)))
        self.progress.setValue(len(finished))
        if self.runner.busy and self.stop_button.isEnabled():
            self._say(f"{len(finished)} of {self.planned} trials done. {self._best_text()}")

    def _on_finished(self, problem: str) -> None:
        self.stop_button.setEnabled(False)
        self.check()
        if problem:
            self._say(f"The sweep could not run: {problem}", problem=True)
            return
        results = self.trial_list()
        done = sum(r.state == "COMPLETE" for r in results)
        failed = sum(r.state == "FAIL" for r in results)
        self._say(
            f"Study {self.plan.study!r}: {len(results)} trials ({done} complete, {failed} "
            f"failed or stopped). {self._best_text()}"
        )
        self._update_importance()

    def _record_runs(self, changed: list[TrialResult]) -> None:
        """Each trial of this sweep that has ended becomes a run of the Runs panel."""
        panel = self.window_.runs.panel
        paths = [s.path for s in self.plan.settings]
        for result in changed:
            ended = result.state in FINISHED_STATES and all(p in result.params for p in paths)
            if ended and result.number not in self.run_ids:
                entry = panel.add_run(trial_run(self.plan, result))
                if entry.id is not None:
                    self.run_ids[result.number] = entry.id

    def trial_list(self) -> list[TrialResult]:
        """Every trial seen so far, by number."""
        return [self.results[n] for n in sorted(self.results)]

    def _best_text(self) -> str:
        best = best_of(self.trial_list(), self.plan.metric)
        self.best_button.setEnabled(best is not None)
        if best is None:
            return ""
        return f"Best: trial {best.number}, {self.plan.metric} {best.value:.4g}."

    def _fill_table(self, results: list[TrialResult]) -> None:
        plan = self.plan
        self.table.setRowCount(len(results))
        for row, result in enumerate(results):
            status = str(result.attrs.get("status") or result.state.lower()).replace("_", " ")
            if result.state == "RUNNING":
                status = "running"
            cells = [str(result.number)]
            cells += [_text(result.params.get(s.path, "")) for s in plan.settings]
            cells += [
                "" if result.value is None else f"{result.value:.4g}",
                status,
                _text(result.attrs.get("epochs", "")),
                _text(result.attrs.get("seconds", "")),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, result.number)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                message = result.attrs.get("message")
                if message:
                    item.setToolTip(str(message))
                if status in ("diverged", "error", "stopped"):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)

    def _update_importance(self) -> None:
        if self.plan is None or self.tabs.currentWidget() is not self.importance:
            return
        complete = sum(r.state == "COMPLETE" for r in self.results.values())
        self.importance.compute(self.plan.storage, self.plan.study, complete)

    # --- opening a trial ------------------------------------------------------------------------

    def open_trial(self, number: int | None) -> bool:
        """Put trial ``number``'s design in the editor as one undoable edit."""
        if number is None or self.plan is None or number not in self.results:
            return False
        result = self.results[number]
        if any(s.path not in result.params for s in self.plan.settings):
            return False
        try:
            design = apply(self.plan.design, result.params)
        except SpecError as error:
            self._say(f"Trial {number}'s design cannot be made: {error}", problem=True)
            return False
        self.window_.push_design(design, f"Design of sweep trial {number}")
        self._select_row(number)
        if number in self.run_ids:
            self.window_.runs.panel.select_runs([self.run_ids[number]])
        self._say(
            f"Trial {number}'s design is in the editor (Edit → Undo brings back the one "
            "before); press Play to train it."
        )
        return True

    def open_best(self) -> bool:
        if self.plan is None:
            return False
        best = best_of(self.trial_list(), self.plan.metric)
        return best is not None and self.open_trial(best.number)

    def _row_trial(self, item: QTableWidgetItem) -> int | None:
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _selected_trial(self) -> int | None:
        items = self.table.selectedItems()
        return self._row_trial(items[0]) if items else None

    def _select_row(self, number: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == number:
                self.table.selectRow(row)
                return

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(self._selected_trial() is not None)

    def _say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(PROBLEM_STYLE if problem else "")
        self.status.setProperty("problem", problem)

    def shutdown(self) -> None:
        """Stop the sweep and the importance computation (the window is closing)."""
        self.runner.shutdown()
        self.importance.shutdown()


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in name.strip().lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part) or "design"
