"""The dataset and training forms: every control edits the design through the undo stack.

Each tab (:mod:`nnviz.ui.settings`) is a form of controls made from the design schema, so
they accept only valid values (ranges as the design file checks them) and commit once per
change. Each commit emits ``sigEdit(design, text, merge_key)``; the window merges consecutive
commits with the same key into one undo step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QTabWidget, QWidget

from nnviz.core.design import Design
from nnviz.core.nn.torch_engine import torch_status
from nnviz.core.schema import field
from nnviz.ui.settings.data_tab import DataTab
from nnviz.ui.settings.training_tab import TrainingTab


class SettingsPanel(QTabWidget):
    """Two tabs, Data and Training, bound to a design."""

    sigEdit = Signal(object, str, object)  # (new Design, what changed, merge key or None)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPanel")
        self._design = Design()
        self._updating = False
        self.data_tab = DataTab(self._commit)
        self.training_tab = TrainingTab(self._commit)
        self.training_tab.set_torch_status(*torch_status())
        self.addTab(self.data_tab, "Data")
        self.addTab(self.training_tab, "Training")
        # The controls the window and the tests reach most.
        self.dataset = self.data_tab.dataset
        self.learning_rate = self.training_tab.learning_rate
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
        self.set_design(self._design)

    @property
    def design(self) -> Design:
        return self._design

    def set_design(self, design: Design) -> None:
        """Show ``design`` in every control (without emitting edits)."""
        self._design = design
        self._updating = True
        try:
            self.data_tab.show_design(design)
            self.training_tab.show_design(design)
        finally:
            self._updating = False

    def row(self, path: str) -> QWidget:
        """The widget that edits the field at ``path`` (``UnknownPath`` says what was meant)."""
        field(path)
        for tab in (self.data_tab, self.training_tab):
            if path in tab.rows:
                return tab.rows[path]
        raise KeyError(f"{path!r} is not edited in the settings panel")

    def hide_fields(self, paths: Iterable[str]) -> None:
        """Hide the rows of the fields at ``paths`` (and show every other that applies)."""
        paths = set(paths)
        for path in paths:
            self.row(path)
        for tab in (self.data_tab, self.training_tab):
            tab.hidden = paths & set(tab.rows)
        self.set_design(self._design)

    def open_csv(self, path: str) -> str:
        """Learn from the CSV file at ``path`` (see :meth:`DataTab.open_csv`)."""
        self.setCurrentWidget(self.data_tab)
        return self.data_tab.open_csv(path)

    def _commit(self, text: str, key: str | None, make: Callable[[Design], Design]) -> None:
        if self._updating:
            return
        new = make(self._design)
        if new != self._design:
            self.sigEdit.emit(new, text, key)
