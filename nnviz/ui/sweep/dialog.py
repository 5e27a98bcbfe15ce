"""Train → Sweep…: vary settings of the current design, train every trial in worker processes,
watch the trials arrive in a table and three views, and open any trial's design. Each trial
that ends is also a run of the window's Runs panel (source "sweep").

The dialog does not block the window: a sweep goes on while it is closed, and shows again
when it is reopened. Stop ends the workers within about a second; the trial they were
training is kept as stopped.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import Design
from nnviz.core.sweep.plan import SweepPlan, TrialResult, best_of
from nnviz.core.sweep.spec import SpecError, apply
from nnviz.core.sweep.trial_run import trial_run
from nnviz.ui.sweep.importance_view import ImportanceView
from nnviz.ui.sweep.parallel_view import ParallelCoordinates
from nnviz.ui.sweep.runner import SweepRunner
from nnviz.ui.sweep.scatter_view import MetricScatter
from nnviz.ui.sweep.sweep_form import SweepForm
from nnviz.ui.sweep.trials_table import TrialsTable

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
        self.form = SweepForm()
        self.form.sigChanged.connect(self.check)
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
        column.addWidget(self.form, 1)
        column.addLayout(actions)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addStretch(0)
        return side

    def _make_views(self) -> QWidget:
        self.table = TrialsTable()
        self.table.itemDoubleClicked.connect(
            lambda item: self.open_trial(self.table.trial_of(item))
        )
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
        self.open_button.clicked.connect(lambda: self.open_trial(self.table.selected_trial()))
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
        self.form.offer(design, spec, vary=design != self.design)
        self.design = design
        self.check()

    def follow(self, design: Design) -> None:
        """The window's design changed: the next sweep varies the new one (a running sweep
        goes on with its own)."""
        if self.design is not None and design != self.design:
            self.design = design
            self.form.rows.use_design(design)

    def check(self) -> bool:
        """Show each setting's problem and the grid's size; whether a sweep can start."""
        problems = self.form.problems()
        if self.window_.training.spec is None:
            problems.append("the design cannot be trained as it is; fix it first")
        ready = not problems and not self.runner.busy and self.design is not None
        self.start_button.setEnabled(ready)
        if not self.runner.busy and problems and self.form.rows.rows:
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
        self.plan = self.form.plan(self.design, self.window_.document.base_dir())
        self.planned = self.form.trials.value()
        self.results, self.run_ids = {}, {}
        self._reset_views()
        self.runner.start(self.plan, self.planned, self.form.workers.value())
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setMaximum(self.planned)
        self.progress.setValue(0)
        self._say(f"Starting {self.form.workers.value()} worker(s) for {self.planned} trials…")
        return True

    def stop(self) -> None:
        """Stop the workers; the trials they were training are kept as stopped."""
        if self.runner.busy:
            self.runner.stop()
            self.stop_button.setEnabled(False)
            self._say("Stopping the workers…")

    def _reset_views(self) -> None:
        plan = self.plan
        self.table.set_sweep(plan)
        self.parallel.set_sweep(plan.settings, plan.metric)
        self.scatter.set_sweep(plan.settings, plan.metric)
        self.importance.clear()
        self.best_button.setEnabled(False)

    def _on_trials(self, changed: list[TrialResult]) -> None:
        for result in changed:
            self.results[result.number] = result
        results = self.trial_list()
        self._record_runs(changed)
        self.table.show_trials(self.plan, results)
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
        self.table.select_trial(number)
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

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(self.table.selected_trial() is not None)

    def _say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(PROBLEM_STYLE if problem else "")
        self.status.setProperty("problem", problem)

    def shutdown(self) -> None:
        """Stop the sweep and the importance computation (the window is closing)."""
        self.runner.shutdown()
        self.importance.shutdown()
