"""The open document: the current design, the file it lives in, its undo stack, its saving.

:class:`Document` owns the one current :class:`Design`. The editor, the settings and the
layer inspector only propose new designs; :meth:`Document.push` puts each on the undo stack,
and the stack's commands make it current and emit ``sigChanged``, which the window turns into
"show it everywhere and hand it to the training session". Opening, saving, the unsaved-changes
prompt and the recent-files list are here too, so the window only assembles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from nnviz.core import edits
from nnviz.core.data.csv_table import csv_path, portable_csv_path
from nnviz.core.data.dataset import DatasetError
from nnviz.core.design import Design
from nnviz.core.files.design_file import DesignFileError, load_design, save_design
from nnviz.ui.commands import SwapDesign
from nnviz.ui.data_facts import data_facts
from nnviz.ui.data_loading import DataLoader

MAX_RECENT = 8
DESIGN_FILTER = "nnviz designs and lessons (*.json);;All files (*)"
OPEN_FILTER = "nnviz designs, lessons and runs (*.json *.nnvizrun);;All files (*)"


def show_problems(parent: QWidget, name: str, title: str, text: str, problems: list[str]) -> None:
    """A non-blocking dialog called ``name`` listing every problem."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    box.setInformativeText("\n".join(f"• {p}" for p in problems))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class Document(QObject):
    """The design being edited in ``window``, its file and its history of edits."""

    #: (old design, new design, whether it is a new document): the design shown changed.
    sigChanged = Signal(object, object, bool)
    sigTitleChanged = Signal()  # the file's name or the unsaved-changes mark changed
    sigRecentChanged = Signal()
    sigMessage = Signal(str, int)  # (status-bar text, milliseconds to show it)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("document")
        self._window = window
        self._design = Design()
        self._path: Path | None = None
        #: ``guard(old, new)`` says why an edit is refused ("" lets it through): a lesson's
        #: locks, which every edit (diagram, settings, inspector) passes first.
        self.guard: Callable[[Design, Design], str] | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undoStack")
        self.undo_stack.cleanChanged.connect(lambda _clean: self.sigTitleChanged.emit())
        self.loader = DataLoader(window)
        self.loader.sigCancelled.connect(lambda text: self.sigMessage.emit(text, 8000))

    # --- the design ---------------------------------------------------------------------------

    @property
    def design(self) -> Design:
        return self._design

    @property
    def path(self) -> Path | None:
        """The file the design was opened from or saved to (None for a new design)."""
        return self._path

    def base_dir(self) -> str | None:
        """The folder relative data paths are read from: the design file's."""
        return str(self._path.parent) if self._path else None

    def title(self) -> str:
        """The document's name, as the window title shows it."""
        return self._path.name if self._path else self._design.name

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def push(self, design: Design, text: str, merge_key: str | None = None) -> None:
        """Make ``design`` current as one undoable step (merged with the previous one when
        both change the same field, ``merge_key``). New data that must first be read from a big
        file is read in the background first (see :mod:`nnviz.ui.data_loading`)."""
        if design.dataset != self._design.dataset:
            before = self._design
            self.loader.when_ready(
                design.dataset,
                self.base_dir(),
                lambda: self._design is before and self._push_now(design, text, merge_key),
            )
        else:
            self._push_now(design, text, merge_key)

    def _push_now(self, design: Design, text: str, merge_key: str | None) -> None:
        design = self._fit_inputs_to_data(design)
        if design == self._design:
            return
        refused = self.guard(self._design, design) if self.guard is not None else ""
        if refused:
            self.sigMessage.emit(refused, 5000)
            return
        self.undo_stack.push(SwapDesign(self._swap, self._design, design, text, merge_key))

    def set_document(self, design: Design, path: Path | None, then=None) -> None:
        """Start afresh with ``design`` from ``path``: no undo history, nothing unsaved; then
        call ``then()``. Its data is read first (in the background when big: cancelling that
        leaves the current document as it is, and ``then`` is not called)."""
        if path is not None:
            design = csv_path_from(design, path.parent)
        base_dir = str(path.parent) if path is not None else None

        def now() -> None:
            self.undo_stack.clear()
            self._path = path
            self._set(design, new_document=True)
            self.undo_stack.setClean()
            self.sigTitleChanged.emit()
            if then is not None:
                then()

        self.loader.when_ready(design.dataset, base_dir, now)

    def _fit_inputs_to_data(self, design: Design) -> Design:
        """After a change of data set, inputs the new data does not offer give way to its
        default inputs."""
        if design.dataset == self._design.dataset:
            return design
        facts = data_facts(design.dataset, self.base_dir())
        return edits.fit_inputs_to_data(design, facts.features, facts.defaults)

    def _swap(self, design: Design) -> None:
        """The undo stack's way in (redo and undo): never raises into Qt."""
        self._set(design, new_document=False)

    def _set(self, design: Design, *, new_document: bool) -> None:
        old, self._design = self._design, design
        self.sigChanged.emit(old, design, new_document)
        self.sigTitleChanged.emit()

    # --- files --------------------------------------------------------------------------------

    def new(self) -> bool:
        if not self.confirm_discard():
            return False
        self.set_document(Design(), None)
        return True

    def open(self, path) -> bool:
        """Open the design file at ``path``; a broken file leaves the current design as it is."""
        path = Path(path).absolute()
        design = self._read(path, "Cannot open the design")
        if design is None or not self.confirm_discard():
            return False

        def opened() -> None:
            self.add_recent(path)
            self.sigMessage.emit(f"Opened {path}", 5000)

        self.set_document(design, path, opened)
        return True

    def open_example(self, path) -> bool:
        """Open a bundled example as a new, untitled design (saving asks where to)."""
        design = self._read(Path(path), "Cannot open the example")
        return design is not None and self.open_untitled(design)

    def open_untitled(self, design: Design, then=None) -> bool:
        """Show ``design`` as a new, untitled document, after the unsaved-changes prompt
        (then call ``then()``, once its data is read)."""
        if not self.confirm_discard():
            return False
        self.set_document(design, None, then)
        return True

    def open_dialog(self) -> None:
        start = str(self._path.parent) if self._path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self._window, "Open", start, OPEN_FILTER)
        if path:  # a lesson or a run (with its timeline) opens through the window
            opener = getattr(self._window, "open_file", self.open)
            opener(path)

    def _read(self, path: Path, title: str) -> Design | None:
        """The design in ``path``, or None after showing every problem of the file."""
        try:
            return load_design(path)
        except DesignFileError as error:
            show_problems(
                self._window,
                "loadErrorDialog",
                title,
                f"{path.name} cannot be opened:",
                error.problems,
            )
            return None

    def save(self) -> bool:
        if self._path is None:
            return self.save_as()
        return self._write(self._path)

    def save_as(self, path=None) -> bool:
        if path is None:
            stem = re.sub(r"[^\w.-]+", "-", self._design.name).strip("-") or "design"
            start = str(self._path or Path.home() / f"{stem}.json")
            path, _ = QFileDialog.getSaveFileName(self._window, "Save design", start, DESIGN_FILTER)
            if not path:
                return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        return self._write(path.absolute())

    def _write(self, path: Path) -> bool:
        try:
            save_design(_csv_path_below(self._design, path.parent), path)
        except DesignFileError as error:
            self._cannot_save("The design is not complete yet:", error.problems)
            return False
        except OSError as error:
            self._cannot_save(f"{path} cannot be written:", [error.strerror or str(error)])
            return False
        self._path = path
        self.undo_stack.setClean()
        self.add_recent(path)
        self.sigTitleChanged.emit()
        self.sigMessage.emit(f"Saved {path}", 5000)
        return True

    def _cannot_save(self, text: str, problems: list[str]) -> None:
        show_problems(self._window, "saveErrorDialog", "Cannot save the design", text, problems)

    def confirm_discard(self) -> bool:
        """Ask before unsaved changes are lost; True when it is fine to go on."""
        if self.undo_stack.isClean():
            return True
        Button = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to {self._path.name if self._path else 'the design'}?",
            Button.Save | Button.Discard | Button.Cancel,
            self._window,
        )
        box.setObjectName("unsavedChangesDialog")
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setDefaultButton(Button.Save)
        answer = box.exec()
        box.deleteLater()
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    # --- recent files -------------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        return [str(p) for p in QSettings().value("recentFiles", [], type=list)]

    def add_recent(self, path: Path) -> None:
        files = [str(path), *(p for p in self.recent_files() if p != str(path))]
        QSettings().setValue("recentFiles", files[:MAX_RECENT])
        self.sigRecentChanged.emit()

    def clear_recent(self) -> None:
        QSettings().setValue("recentFiles", [])
        self.sigRecentChanged.emit()


def csv_path_from(design: Design, folder: Path) -> Design:
    """The design with its CSV path made absolute (a file names it relative to its folder), so
    the path in memory means the same file wherever the design is saved next."""
    path = design.dataset.path
    if not path:
        return design
    try:
        absolute = str(csv_path(path, folder))
    except DatasetError:  # an impossible path: left as written, to be reported as it is
        return design
    return replace(design, dataset=replace(design.dataset, path=absolute))


def _csv_path_below(design: Design, folder: Path) -> Design:
    """The design as saved in ``folder``: a CSV file below it is named relative to it, so the
    design and its data move between machines together."""
    path = design.dataset.path
    if not path or not Path(path).is_absolute():
        return design
    portable = portable_csv_path(path, folder)
    return replace(design, dataset=replace(design.dataset, path=portable))
