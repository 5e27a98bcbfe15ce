"""The Runs table's model: the runs as rows, :mod:`.columns` as columns, read straight from
the entries (no item objects: items that C++ deletes leave PySide stale wrappers behind)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QIcon, QPixmap

from nnviz.core.runs import RunEntry
from nnviz.ui.runs.columns import Column
from nnviz.ui.runs.compare_view import run_color

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Role = Qt.ItemDataRole


class RunsModel(QAbstractTableModel):
    """Rows of :class:`RunEntry`; the current run (``current_id``) in bold, marked ▶."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list[RunEntry] = []
        self.columns: list[Column] = []
        self.current_id: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._swatches: dict[int, QIcon] = {}

    def reset(self, entries: list[RunEntry], columns: list[Column]) -> None:
        self.beginResetModel()
        self.entries, self.columns = list(entries), list(columns)
        self.endResetModel()

    def set_entry(self, row: int, entry: RunEntry) -> None:
        """Row ``row`` is now ``entry`` (the same run, further on)."""
        self.entries[row] = entry
        self.row_changed(row)

    def row_changed(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            last = max(0, len(self.columns) - 1)
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    # --- what Qt asks (overrides: nothing may escape them) ------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Role.DisplayRole):
        try:
            if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
                return None
            if role == Role.DisplayRole:
                return self.columns[section].header
            if role == Role.ToolTipRole:
                return self.columns[section].tooltip
        except Exception:
            return None
        return None

    def data(self, index, role=Role.DisplayRole):
        try:
            return self._data(index, role)
        except Exception:
            return None

    def _data(self, index, role):
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        column = self.columns[index.column()]
        current = entry.id == self.current_id
        if role == Role.DisplayRole:
            text = column.text(entry)
            return f"{text} ▶" if current and index.column() == 0 else text
        if role == ID_ROLE:
            return entry.id
        if role == Role.FontRole and current:
            return self._bold
        if role == Role.ToolTipRole:
            return entry.message or ("Training now" if current else None)
        if role == Role.DecorationRole and index.column() == 0:
            return self._swatch(entry.id)
        return None

    def sort_key(self, index):
        """What row ``index.row()`` sorts by in its column (Python values, compared as such)."""
        return self.columns[index.column()].key(self.entries[index.row()])

    def _swatch(self, run_id: int) -> QIcon:
        if run_id not in self._swatches:
            pixmap = QPixmap(10, 10)
            pixmap.fill(run_color(run_id))
            self._swatches[run_id] = QIcon(pixmap)
        return self._swatches[run_id]


class RunsSorter(QSortFilterProxyModel):
    """Sorts by the columns' own keys: numbers as numbers, a missing figure last."""

    def lessThan(self, left, right) -> bool:
        try:
            model = self.sourceModel()
            return model.sort_key(left) < model.sort_key(right)
        except Exception:
            return False
