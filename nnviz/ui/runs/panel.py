"""The Runs dock: every kept run in a table, the selected ones compared beside it.

Whatever trains a run hands it to :meth:`RunsPanel.add_run` and later :meth:`update_run` (the
window's recorder, a sweep's trials, a fork); the panel keeps it in the store and lists it.
A database that cannot be written is said once, and the runs are then kept in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.runs import RunEntry, RunStore, RunStoreError
from nnviz.ui.runs.columns import columns
from nnviz.ui.runs.compare_view import CompareView
from nnviz.ui.runs.table_model import ID_ROLE, RunsModel, RunsSorter


class RunsPanel(QWidget):
    """The table of runs (``runsTable``), Restore Design and Delete, and the comparison."""

    sigRestore = Signal(object)  # the RunEntry whose design the user asked back
    sigDeleted = Signal(object)  # the ids of the runs just deleted
    sigMessage = Signal(str)  # a sentence for the status bar

    def __init__(self, store: RunStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.store = store
        self.current_id: int | None = None
        self.entries: dict[int, RunEntry] = {}
        self._rows: dict[int, int] = {}  # run id -> row of the model
        self._rebuilding = False  # the selection changes then are not the user's

        self.model = RunsModel(self)
        self.proxy = RunsSorter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(objectName="runsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())

        self.restore_button = QPushButton("Restore Design", objectName="restoreRunButton")
        self.restore_button.setToolTip(
            "Make the selected run's design the editor's (one undo step)"
        )
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_button = QPushButton("Delete", objectName="deleteRunsButton")
        self.delete_button.setToolTip("Delete the selected runs for good (Del)")
        self.delete_button.clicked.connect(self.delete_selected)
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)
        self.count_label = QLabel(objectName="runsCount")

        self.compare = CompareView()
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal, objectName="runsSplitter")
        split.addWidget(left)
        split.addWidget(self.compare)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([3000, 2000])  # scaled to the width it gets: 3 to 2
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)

        self.problems = self._load()
        self._rebuild()

    # --- what runs do -------------------------------------------------------------------------

    def add_run(self, entry: RunEntry) -> RunEntry:
        """Keep a new run and list it; the entry back with its id."""
        entry = self._write(lambda store: store.add(entry))
        self.entries[entry.id] = entry
        self._rebuild()
        return entry

    def update_run(self, entry: RunEntry, save: bool = True) -> None:
        """The run ``entry.id`` went on (or ended): list it as it is now; ``save`` writes it to
        the database too (the window's recorder saves a running run now and then, not each time)."""
        if entry.id not in self.entries:
            return  # deleted meanwhile
        if save:
            self._write(lambda store: store.update(entry))
        old = self.entries[entry.id]
        self.entries[entry.id] = entry
        if old.design != entry.design:
            self._rebuild()  # which settings differ may have changed
        else:
            self.model.set_entry(self._rows[entry.id], entry)
            if entry.id in self.selected_ids():
                self._on_selection()

    def delete_runs(self, ids: Iterable[int]) -> None:
        ids = [i for i in ids if i in self.entries]
        if not ids:
            return
        self._write(lambda store: store.delete(ids))
        for run_id in ids:
            del self.entries[run_id]
        if self.current_id in ids:
            self.set_current(None)
        self._rebuild()
        self.sigDeleted.emit(ids)
        self.sigMessage.emit(f"Deleted {_runs(len(ids))}.")

    def set_current(self, run_id: int | None) -> None:
        """Highlight the run the window trains now (None: none)."""
        previous, self.current_id = self.current_id, run_id
        self.model.current_id = run_id
        for other in (previous, run_id):
            if other in self._rows:
                self.model.row_changed(self._rows[other])

    # --- selection ----------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return sorted(self.proxy.data(index, ID_ROLE) for index in rows)

    def select_runs(self, ids: Iterable[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for run_id in ids:
            if run_id in self._rows:
                index = self.proxy.mapFromSource(self.model.index(self._rows[run_id], 0))
                selection.select(index, flags)

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            self.sigMessage.emit("Select one run to restore its design.")
            return
        self.sigRestore.emit(self.entries[ids[0]])

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or not self._confirm_delete(ids):
            return
        self.delete_runs(ids)

    def _confirm_delete(self, ids: list[int]) -> bool:
        Button = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete runs",
            f"Delete {_runs(len(ids))}?",
            Button.Yes | Button.Cancel,
            self,
        )
        box.setObjectName("deleteRunsDialog")
        box.setInformativeText("Their figures, curves and designs are deleted for good.")
        box.setDefaultButton(Button.Cancel)
        answer = box.exec()
        box.deleteLater()
        return answer == Button.Yes

    def _on_selection(self, *_args) -> None:
        if self._rebuilding:
            return
        ids = [i for i in self.selected_ids() if i in self.entries]
        self.restore_button.setEnabled(len(ids) == 1)
        self.delete_button.setEnabled(bool(ids))
        self.compare.show_runs([self.entries[i] for i in ids])

    # --- the table ----------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Every row again (runs came or went, or the settings that differ changed)."""
        selected = self.selected_ids()
        entries = list(self.entries.values())
        self._rebuilding = True
        headers = [column.header for column in self.model.columns]
        self.model.reset(entries, columns(entries))
        self._rows = {entry.id: row for row, entry in enumerate(entries)}
        if headers != [column.header for column in self.model.columns]:
            # Sized to the contents when the columns change, not at every new run: it asks
            # every row for every cell (about 1 ms a run, in the GUI thread).
            self.table.resizeColumnsToContents()
        self.select_runs(selected)
        self._rebuilding = False
        self.count_label.setText(_runs(len(entries)) if entries else "No runs yet")
        self._on_selection()

    # --- the store ----------------------------------------------------------------------------

    def _load(self) -> list[str]:
        """The stored runs into the table; what could not be read, each a sentence."""
        try:
            entries = self.store.runs()
        except RunStoreError as error:
            return [str(error)]
        for entry in entries:
            if entry.status in ("running", "paused"):  # the window closed or crashed mid-run
                entry = replace(entry, status="stopped")
            self.entries[entry.id] = entry
        return list(self.store.problems)

    def _write(self, action):
        """``action(store)``; if the database refuses, the runs go on in memory, said once."""
        try:
            return action(self.store)
        except RunStoreError as error:
            if self.store.path is None:
                raise
            self.sigMessage.emit(f"{error}. The runs of this session are kept in memory only.")
            self.store = RunStore(None)
            for entry in self.entries.values():
                self.store.add(entry)
            return action(self.store)


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"
