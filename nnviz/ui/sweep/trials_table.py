"""The sweep dialog's Trials tab: one row a trial, its values, metric, status, epochs and time.

Each cell carries its trial's number, so a row can be found by trial and a trial by row
whatever order the rows are in.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from nnviz.core.sweep.plan import SweepPlan, TrialResult


class TrialsTable(QTableWidget):
    """The trials of one sweep, read only, one selected at a time."""

    def __init__(self) -> None:
        super().__init__(objectName="sweepTrialsTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setSortingEnabled(False)

    def set_sweep(self, plan: SweepPlan) -> None:
        """No rows, and the columns of ``plan``: the trial, its settings, the metric, ..."""
        paths = [s.path for s in plan.settings]
        headers = ["trial", *paths, plan.metric, "status", "epochs", "seconds"]
        self.clear()
        self.setRowCount(0)
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_trials(self, plan: SweepPlan, results: list[TrialResult]) -> None:
        """One row a trial of ``results``, in their order; a failed trial's row in red, its
        message in the tooltip."""
        self.setRowCount(len(results))
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
                self.setItem(row, column, item)

    def trial_of(self, item: QTableWidgetItem | None) -> int | None:
        """The number of the trial whose row ``item`` is in."""
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_trial(self) -> int | None:
        items = self.selectedItems()
        return self.trial_of(items[0]) if items else None

    def select_trial(self, number: int) -> None:
        for row in range(self.rowCount()):
            if self.item(row, 0).data(Qt.ItemDataRole.UserRole) == number:
                self.selectRow(row)
                return


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).lower() if isinstance(value, bool) else str(value)
