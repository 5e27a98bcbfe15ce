"""What the settings tabs share: a scrolling form whose rows edit fields by their path."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QScrollArea, QWidget

from nnviz.core.design import Design
from nnviz.core.schema import replaced, value_at

#: ``commit(undo text, merge key or None, make)``: the panel applies ``make`` to its design.
Commit = Callable[[str, str | None, Callable[[Design], Design]], None]


class SettingsTab(QScrollArea):
    """A form of controls from :mod:`nnviz.ui.settings.form`, each bound to a design field.

    ``show_design`` sets every bound control from the design, so none can show a value the
    design does not hold; a finished change commits ``replaced(design, path, value)``. Value
    controls (spin boxes, number fields) merge consecutive changes into one undo step.
    ``rows`` finds a field's row by its path, and rows whose path is in ``hidden`` stay hidden
    (a lesson hides what it does not need yet).
    """

    def __init__(self, commit: Commit) -> None:
        super().__init__()
        self.commit = commit
        self.design = Design()
        self.controls: dict[str, QWidget] = {}
        self.rows: dict[str, QWidget] = {}
        self.hidden: set[str] = set()
        page = QWidget()
        self.form = QFormLayout(page)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)

    def add_row(self, label: str, control, undo_text: str | None = None) -> None:
        """Add ``control`` (bound to ``control.path``) as a row labelled ``label``."""
        self.form.addRow(label, control)
        self.bind(control, undo_text or label)

    def add_field_row(self, label: str, path: str, widget: QWidget) -> None:
        """Add a row for the field at ``path`` whose widget edits it in its own way."""
        self.form.addRow(label, widget)
        self.rows[path] = widget

    def bind(self, control, undo_text: str) -> None:
        path = control.path
        self.controls[path] = self.rows[path] = control
        merge = path if control.merges else None
        control.sigCommitted.connect(
            lambda value: self.commit(undo_text, merge, lambda d: replaced(d, path, value))
        )

    def show_design(self, design: Design) -> None:
        """Show ``design`` in every bound control, then the rest; hidden rows stay hidden."""
        self.design = design
        for path, control in self.controls.items():
            control.show_value(value_at(design, path))
        for widget in self.rows.values():
            self.form.setRowVisible(widget, True)
        self.show_rest(design)
        for path in self.hidden:
            self.form.setRowVisible(self.rows[path], False)

    def show_rest(self, design: Design) -> None:
        """What the bound controls do not show: which rows apply to this design."""
