"""Where a classifier goes wrong: the live confusion matrix, per-class figures, the mistakes.

Rows are the true classes, columns the predicted ones: the diagonal (blue) holds the right
answers, everything else (red) a mistake, shaded by its share of the row. Beside it each
class's precision, recall, F1 and support, and their macro averages. A click on a cell picks
the points it counts: the decision-regions panel rings them (``sigHighlight``), and for image
data a strip shows those images with their predicted and true labels (without a picked cell,
the strip shows the split's mistakes).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.nn.metrics import ClassReport
from nnviz.core.nn.network import CLASSIFICATION
from nnviz.core.run.frames import Confusion, Frame, RunInfo
from nnviz.ui.panels.base import LivePanel
from nnviz.ui.panels.colors import class_color
from nnviz.ui.panels.matrix_view import MatrixView

#: Most images the strip shows (a cell of the digits can count hundreds).
STRIP_LIMIT = 60
THUMBNAIL = 40  # pixels a side
FIGURES = ("precision", "recall", "F1", "support")
MACRO = "macro avg"


def thumbnail(pixels: np.ndarray, shape: tuple[int, int]) -> QPixmap:
    """A raw image (ink high) as dark ink on white, enlarged without blurring."""
    values = np.asarray(pixels, np.float64).reshape(shape)
    low, high = float(values.min()), float(values.max())
    grey = 255 - np.round(255 * (values - low) / (high - low or 1.0))
    data = np.ascontiguousarray(grey, dtype=np.uint8)
    image = QImage(data.data, shape[1], shape[0], shape[1], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy()).scaled(
        THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio
    )


def swatch(index: int) -> QIcon:
    pixmap = QPixmap(10, 10)
    pixmap.fill(class_color(index))
    return QIcon(pixmap)


class ConfusionPanel(LivePanel):
    """The confusion matrix of the test (or training) split and each class's figures."""

    sigHighlight = Signal(object)  # (n, 2) view points of the picked cell, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionPanel")
        self.setMinimumSize(320, 200)
        self.confusion: Confusion | None = None
        self.picked: tuple[int, int] | None = None  # (true, predicted) of the picked cell
        self.images: tuple[np.ndarray, np.ndarray] | None = None  # raw train, test images
        self._shown: tuple | None = None  # what the tables show, to skip unchanged frames
        self._strip_shown: tuple | None = None

        self.title = QLabel("<b>Where it goes wrong</b>")
        self.title.setToolTip(
            "Rows: the true class; columns: what the network predicts. The diagonal holds the "
            "right answers. Each cell shows how many points, and their share of the row."
        )
        self.train_toggle = QCheckBox("Training data")
        self.train_toggle.setObjectName("confusionTrainToggle")
        self.train_toggle.setToolTip("Count the training points instead of the test points")
        self.train_toggle.toggled.connect(self._on_split_toggled)

        self.matrix = MatrixView()
        self.matrix.sigCellClicked.connect(self.pick)

        self.per_class = QTableWidget(0, len(FIGURES))
        self.per_class.setObjectName("perClassTable")
        self.per_class.setHorizontalHeaderLabels(FIGURES)
        self.per_class.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.per_class.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.per_class.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.per_class.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.per_class.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        rows = self.per_class.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.per_class.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Expanding)
        self.per_class.setToolTip(
            "Precision: of the points predicted as the class, the share that are.\n"
            "Recall: of the class's points, the share found.\n"
            "F1: the harmonic mean of the two. Support: the class's points.\n"
            "Macro average: the mean over the classes, each counting the same."
        )

        self.caption = QLabel()
        self.caption.setObjectName("confusionCaption")
        self.caption.setWordWrap(True)
        self.strip = QListWidget()
        self.strip.setObjectName("mistakesStrip")
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.strip.setSpacing(4)
        self.strip.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll_bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        self.strip.setFixedHeight(THUMBNAIL + 3 * self.fontMetrics().height() + scroll_bar + 8)
        self.strip.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.strip.setVisible(False)
        self.placeholder = QLabel("The confusion matrix shows once a classification run starts.")
        self.placeholder.setObjectName("confusionPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.train_toggle)
        # Side by side (the docks below the diagram are wide and short): the matrix, and the
        # per-class figures above the strip of images.
        beside = QWidget()
        beside.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Expanding)
        column = QVBoxLayout(beside)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.per_class, 1)
        column.addWidget(self.strip)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.setChildrenCollapsible(False)
        tables.addWidget(self.matrix)
        tables.addWidget(beside)
        tables.setStretchFactor(0, 3)
        tables.setStretchFactor(1, 1)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(tables, 1)
        body.addWidget(self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.placeholder, 1)
        self.body.setVisible(False)

    # --- what the window feeds it --------------------------------------------------------

    def set_images(self, dataset) -> None:
        """Raw inputs of a run's data set, for the strip of images (None: no images)."""
        if dataset is None or getattr(dataset, "image_shape", None) is None:
            self.images = None
        else:
            self.images = (dataset.x_train, dataset.x_test)
        self._strip_shown = None

    def _start(self, info: RunInfo) -> None:
        self.confusion = None
        self.picked = None
        self._shown = self._strip_shown = None
        classification = info.spec.task == CLASSIFICATION
        self.body.setVisible(classification)
        self.train_toggle.setEnabled(classification)
        self.placeholder.setVisible(not classification)
        if not classification:
            self.placeholder.setText(
                "The confusion matrix is for classification; this run learns a number."
            )
            self.images = None
        names = list(info.class_names)
        k = len(names)
        self.matrix.set_classes(names)
        self.per_class.setRowCount(k + 1 if k else 0)
        self.per_class.setVerticalHeaderLabels([*names, MACRO])
        for i in range(k):
            self.per_class.verticalHeaderItem(i).setIcon(swatch(i))
        for row in range(self.per_class.rowCount()):
            for col in range(len(FIGURES)):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.per_class.setItem(row, col, item)
        widest = max(self.fontMetrics().horizontalAdvance(n) for n in [MACRO, *names])
        columns = sum(self.fontMetrics().horizontalAdvance(f) + 16 for f in FIGURES)
        self.per_class.setMinimumWidth(widest + 30 + columns + 2 * self.per_class.frameWidth())
        self.strip.clear()
        self.strip.setVisible(classification and info.image_shape is not None)
        self.caption.setText("")
        self.sigHighlight.emit(None)

    def set_points(self, info: RunInfo) -> None:
        """The same run with other points (painted ones taken on): counted from the next
        frame, which brings their predictions."""
        self.run_info = info
        self.confusion = None
        self._shown = self._strip_shown = None

    def _take(self, frame: Frame) -> bool:
        if frame.confusion is None:
            return False
        self.confusion = frame.confusion
        self._emit_highlight()
        return True

    # --- picking a cell ------------------------------------------------------------------

    @property
    def split(self) -> str:
        return "train" if self.train_toggle.isChecked() else "test"

    def report(self) -> ClassReport | None:
        """The report of the split shown, or None before the first frame."""
        if self.confusion is None:
            return None
        return self.confusion.train if self.split == "train" else self.confusion.test

    def pick(self, true_class: int, predicted: int) -> None:
        """Pick the cell (true, predicted); picking it again lets it go."""
        cell = (true_class, predicted)
        self.picked = None if self.picked == cell else cell
        self._emit_highlight()
        self._shown = self._strip_shown = None
        self.refresh()

    def picked_indices(self) -> np.ndarray:
        """Indices (in the split's order) of the points the picked cell counts; without a
        picked cell, of the split's mistakes."""
        info, confusion = self.run_info, self.confusion
        if info is None or confusion is None:
            return np.empty(0, np.int64)
        train = self.split == "train"
        labels = np.asarray(info.train_labels if train else info.test_labels)
        predicted = confusion.train_predicted if train else confusion.test_predicted
        if self.picked is None:
            return np.flatnonzero(labels != predicted)
        true_class, predicted_class = self.picked
        return np.flatnonzero((labels == true_class) & (predicted == predicted_class))

    def _emit_highlight(self) -> None:
        if self.picked is None or self.run_info is None or self.confusion is None:
            self.sigHighlight.emit(None)
            return
        info = self.run_info
        points = info.train_points if self.split == "train" else info.test_points
        self.sigHighlight.emit(points[self.picked_indices()])

    def _on_split_toggled(self, _on: bool) -> None:
        self._shown = self._strip_shown = None
        self._emit_highlight()
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def refresh(self) -> None:
        report, info = self.report(), self.run_info
        if report is None or info is None:
            return
        key = (self.split, self.picked, report.counts.tobytes())
        if key != self._shown:
            self._shown = key
            self._fill_matrix(report)
            self._fill_per_class(report)
            self._set_caption(report)
        if not self.strip.isHidden():
            self._fill_strip()

    def _fill_matrix(self, report: ClassReport) -> None:
        self.matrix.set_values(report.counts, report.shares, self.picked)

    def _fill_per_class(self, report: ClassReport) -> None:
        columns = (report.precision, report.recall, report.f1)
        for i in range(report.n_classes):
            for col, values in enumerate(columns):
                self.per_class.item(i, col).setText(f"{values[i]:.2f}")
            self.per_class.item(i, 3).setText(str(int(report.support[i])))
        macro_row = report.n_classes
        for col, value in enumerate(report.macro()):
            item = self.per_class.item(macro_row, col)
            item.setText(f"{value:.2f}")
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        self.per_class.item(macro_row, 3).setText(str(int(report.support.sum())))

    def _set_caption(self, report: ClassReport) -> None:
        split = "training" if self.split == "train" else "test"
        names = self.run_info.class_names
        if self.picked is None:
            mistakes = int(report.counts.sum() - np.trace(report.counts))
            self.caption.setText(
                f"{split.capitalize()} data: {report.accuracy:.1%} right, {mistakes} "
                f"mistake{'' if mistakes == 1 else 's'}. Click a cell to ring its points in "
                "Decision regions."
            )
            return
        i, j = self.picked
        n = int(report.counts[i, j])
        what = "right" if i == j else "wrong"
        self.caption.setText(
            f"<b>{n} {split} point{'' if n == 1 else 's'} of {names[i]} predicted as "
            f"{names[j]}</b> ({what}), ringed in Decision regions; click again to let go."
        )

    def _fill_strip(self) -> None:
        if self.images is None or self.run_info is None or self.confusion is None:
            return
        train = self.split == "train"
        raw = self.images[0 if train else 1]
        labels = np.asarray(self.run_info.train_labels if train else self.run_info.test_labels)
        predicted = self.confusion.train_predicted if train else self.confusion.test_predicted
        chosen = self.picked_indices()[:STRIP_LIMIT]
        key = (self.split, chosen.tobytes(), predicted[chosen].tobytes())
        if key == self._strip_shown:
            return
        self._strip_shown = key
        names = self.run_info.class_names
        shape = self.run_info.image_shape
        self.strip.clear()
        for index in chosen:
            item = QListWidgetItem(
                QIcon(thumbnail(raw[index], shape)),
                f"pred {names[predicted[index]]}\ntrue {names[labels[index]]}",
            )
            item.setToolTip(
                f"point {index + 1}: predicted {names[predicted[index]]}, "
                f"truly {names[labels[index]]}"
            )
            self.strip.addItem(item)
