"""The Sweep dialog's list of settings to vary: a schema path and its values or range a row.

Each row is checked as it is typed by :func:`nnviz.core.sweep.spec.make_setting` (the same
rules and messages as ``nnviz sweep --set``), and its problem is shown under it in red; the
dialog starts a sweep only when every row is good.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import Design
from nnviz.core.schema import UnknownPath, field
from nnviz.core.sweep.spec import LAYER_COUNT, Setting, SpecError, make_setting
from nnviz.core.sweep.suggest import suggested_spec, sweepable_paths

SPEC_HELP = (
    "A list (0.01,0.1,1 or adam,sgd), log:LOW:HIGH[:POINTS], lin:LOW:HIGH[:POINTS] or int:LOW:HIGH"
)


class SettingRow(QWidget):
    """One setting: an editable list of paths, the SPEC, a remove button, its problem."""

    sigChanged = Signal()

    def __init__(self, design: Design, path: str, spec: str, parent=None) -> None:
        super().__init__(parent)
        self.design = design
        self.path = QComboBox(objectName="sweepPath", editable=True)
        self.path.addItems(sweepable_paths(design))
        self.path.setMinimumContentsLength(20)
        self.path.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.path.setToolTip("The setting's schema path, e.g. training.optimizer.learning_rate")
        self.spec = QLineEdit(objectName="sweepSpec", placeholderText=SPEC_HELP)
        self.spec.setToolTip(SPEC_HELP)
        self.remove = QPushButton("Remove", objectName="sweepRemoveSetting")
        self.problem = QLabel(objectName="sweepSettingProblem", wordWrap=True)
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setVisible(False)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.path, 0, 0)
        grid.addWidget(self.spec, 0, 1)
        grid.addWidget(self.remove, 0, 2)
        grid.addWidget(self.problem, 1, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.path.setCurrentText(path)
        self.spec.setText(spec)
        self.path.currentTextChanged.connect(self._path_changed)
        self.spec.textChanged.connect(lambda _text: self.sigChanged.emit())

    def _path_changed(self, path: str) -> None:
        """A path picked from the list gets its suggested range; a path being typed does not."""
        if self.path.findText(path) >= 0:
            self.spec.setText(suggested_spec(path, self.design))
        self._update_tip(path)
        self.sigChanged.emit()

    def _update_tip(self, path: str) -> None:
        try:
            tip = "the number of hidden layers" if path == LAYER_COUNT else field(path).help
        except UnknownPath:
            tip = ""
        self.path.setToolTip(tip or "The setting's schema path")

    def setting(self) -> Setting:
        """The row as a setting (:class:`SpecError` names what is wrong)."""
        path, spec = self.path.currentText().strip(), self.spec.text().strip()
        if not path:
            raise SpecError("choose a setting to vary")
        if not spec:
            raise SpecError(f"{path}: give its values or a range")
        return make_setting(path, spec, self.design)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


class SettingRows(QWidget):
    """Every setting of the sweep, with Add; ``settings()`` checks them all."""

    sigChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepSettings")
        self.design = Design()
        self.rows: list[SettingRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add Setting", objectName="sweepAddSetting")
        self.add_button.clicked.connect(lambda: self.add_row())
        self._layout.addWidget(self.add_button)

    def set_design(self, design: Design, rows: list[tuple[str, str]]) -> None:
        """Start again from ``design`` with ``rows`` of (path, SPEC)."""
        self.design = design
        for row in list(self.rows):
            self._remove(row)
        for path, spec in rows:
            self.add_row(path, spec)

    def use_design(self, design: Design) -> None:
        """Check the rows against ``design`` from now on, keeping what they say."""
        self.design = design
        for row in self.rows:
            row.design = design
        self.sigChanged.emit()

    def add_row(self, path: str | None = None, spec: str | None = None) -> SettingRow:
        """A new row: ``path`` (by default the first setting not yet varied) and its SPEC
        (by default the suggestion)."""
        if path is None:
            taken = {row.path.currentText() for row in self.rows}
            path = next((p for p in sweepable_paths(self.design) if p not in taken), "")
        if spec is None:
            spec = suggested_spec(path, self.design) if path else ""
        row = SettingRow(self.design, path, spec, self)
        row.sigChanged.connect(self.sigChanged)
        row.remove.clicked.connect(lambda: self._remove(row))
        self.rows.append(row)
        self._layout.insertWidget(self._layout.count() - 1, row)
        self.sigChanged.emit()
        return row

    def _remove(self, row: SettingRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self.sigChanged.emit()

    def settings(self) -> tuple[tuple[Setting, ...], list[str]]:
        """The rows' settings and the problems found (each row shows its own)."""
        settings, problems, paths = [], [], set()
        for row in self.rows:
            try:
                setting = row.setting()
                if setting.path in paths:
                    raise SpecError(f"{setting.path} is varied twice")
            except SpecError as error:
                row.show_problem(str(error))
                problems.append(str(error))
                continue
            row.show_problem("")
            paths.add(setting.path)
            settings.append(setting)
        if not self.rows:
            problems.append("add a setting to vary")
        return tuple(settings), problems
