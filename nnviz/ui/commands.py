"""Undoable edits: every change of the design swaps one immutable Design for another."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from nnviz.core.design import Design

#: Command id of design swaps (Qt only merges commands with the same id).
DESIGN_SWAP_ID = 1001


class SwapDesign(QUndoCommand):
    """Replace the design by ``new``; undo puts ``old`` back.

    Consecutive edits of the same field (``merge_key``, e.g. ``"training.l2"``) merge into one
    step, so spinning a value up ten clicks is undone at once.
    """

    def __init__(
        self,
        apply: Callable[[Design], None],
        old: Design,
        new: Design,
        text: str,
        merge_key: str | None = None,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.old = old
        self.new = new
        self.merge_key = merge_key

    def id(self) -> int:
        return DESIGN_SWAP_ID

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SwapDesign) or self.merge_key is None:
            return False
        if other.merge_key != self.merge_key:
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True
