"""The Data tab: which data set, its generator's settings, the columns of a CSV file, or where
MNIST-format images lie."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from nnviz.core.data import CATALOG, CsvSummary
from nnviz.core.data.csv_table import csv_path
from nnviz.core.data.dataset import DatasetError
from nnviz.core.data.kept import KEPT
from nnviz.core.design import Design
from nnviz.core.schema import field, replaced
from nnviz.ui.settings.form import ChoiceCombo, FlagCheck, NumberSpin, whole_spin
from nnviz.ui.settings.tab import SettingsTab

IMAGE_DATASETS = ("idx", "npz")
IMAGES_TIP = (
    "The folder that holds the four MNIST-format IDX files (train-images-idx3-ubyte and the "
    "others, each may be .gz), or a Keras-style .npz of x_train, y_train, x_test, y_test."
)


class DataTab(SettingsTab):
    """The data set and its settings; a CSV file's label and feature columns."""

    def __init__(self, commit) -> None:
        super().__init__(commit)
        self.base_dir: str | None = None  # the design file's folder: relative paths start there
        self.loader = None  # the window's DataLoader: a big file is read in the background
        self._csv: CsvSummary | None = None
        self._csv_source = ""  # the file _csv was read from
        self.dataset = QComboBox(objectName="datasetCombo")
        self.dataset.setToolTip(field("dataset.name").help)
        self.dataset.setModel(_grouped_catalog_model())
        self.dataset.setMaxVisibleItems(30)
        self.dataset.activated.connect(self._on_dataset)
        self.description = QLabel(objectName="datasetDescription", wordWrap=True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.noise = NumberSpin("noiseSpin", "dataset.noise", 5, scale=100, suffix=" %")
        self.points = whole_spin("pointsSpin", "dataset.points", 50)
        self.train_share = NumberSpin(
            "trainShareSpin", "dataset.train_fraction", 10, scale=100, suffix=" %"
        )
        self.classes = whole_spin("classesSpin", "dataset.classes")
        self.data_seed = whole_spin("dataSeedSpin", "dataset.seed")
        self.csv_path = QLineEdit(objectName="csvPath", placeholderText="Choose a CSV file…")
        self.csv_path.setToolTip(field("dataset.path").help)
        self.csv_path.editingFinished.connect(lambda: self._on_csv_path(self.csv_path.text()))
        browse = QPushButton("Browse…", objectName="csvBrowse")
        browse.clicked.connect(self._browse_csv)
        self.csv_row = QWidget()
        row = QHBoxLayout(self.csv_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.csv_path, 1)
        row.addWidget(browse)
        self.images_path = QLineEdit(objectName="imagesPath")
        self.images_path.setToolTip(IMAGES_TIP)
        self.images_path.editingFinished.connect(
            lambda: self._on_images_path(self.images_path.text())
        )
        images_browse = QPushButton("Browse…", objectName="imagesBrowse")
        images_browse.clicked.connect(self._browse_images)
        self.images_row = QWidget()
        row = QHBoxLayout(self.images_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.images_path, 1)
        row.addWidget(images_browse)
        self.csv_problem = QLabel(objectName="csvProblem", wordWrap=True)
        self.csv_problem.setStyleSheet("color: #d0382b")
        self.csv_label = QComboBox(objectName="csvLabel")
        self.csv_label.setToolTip(field("dataset.label_column").help)
        self.csv_label.activated.connect(self._on_csv_label)
        self.csv_task = ChoiceCombo("csvTask", "dataset.task")
        self.csv_task_guess = QLabel(objectName="csvTaskGuess", wordWrap=True)
        self.csv_task_guess.setStyleSheet("color: palette(placeholder-text)")
        self.csv_bad_cells = QLabel(objectName="csvBadCells", wordWrap=True)
        self.csv_bad_cells.setStyleSheet("color: #b35900")
        self.csv_drop_columns = QPushButton("Leave those columns out", objectName="csvDropColumns")
        self.csv_drop_columns.setToolTip("Train without the columns that hold bad cells.")
        self.csv_drop_columns.clicked.connect(self._drop_bad_columns)
        self.csv_drop_rows = FlagCheck(
            "csvDropBadRows", "dataset.drop_bad_rows", "Leave out the rows with bad cells"
        )
        self.csv_features = QListWidget(objectName="csvFeatures")
        self.csv_features.setToolTip(field("dataset.feature_columns").help)
        self.csv_features.setMaximumHeight(140)
        self.csv_features.itemChanged.connect(self._on_csv_features)

        form = self.form
        self.add_field_row("Data set", "dataset.name", self.dataset)
        form.addRow(self.description)
        self.add_row("Noise", self.noise)
        self.add_row("Points", self.points)
        self.add_row("Training share", self.train_share)
        self.add_row("Classes", self.classes)
        self.add_row("Seed", self.data_seed, undo_text="Data seed")
        self.add_field_row("File", "dataset.path", self.csv_row)
        form.addRow("Images", self.images_row)
        form.addRow(self.csv_problem)
        self.add_field_row("Label column", "dataset.label_column", self.csv_label)
        self.add_row("Task", self.csv_task)
        form.addRow(self.csv_task_guess)
        self.add_field_row("Feature columns", "dataset.feature_columns", self.csv_features)
        form.addRow(self.csv_bad_cells)
        form.addRow(self.csv_drop_columns)
        form.addRow(self.csv_drop_rows)
        self.bind(self.csv_drop_rows, "Leave out rows with bad cells")

    def show_rest(self, design: Design) -> None:
        spec = design.dataset
        info = CATALOG.get(spec.name)
        self.dataset.setCurrentIndex(self.dataset.findData(spec.name))
        self.description.setText(info.description if info else "")
        if spec.task is None:
            self.csv_task.show_value("classification")
        uses = info.uses if info else frozenset()
        form = self.form
        for widget, key in (
            (self.noise, "noise"),
            (self.points, "points"),
            (self.train_share, "train_fraction"),
            (self.classes, "classes"),
        ):
            form.setRowVisible(widget, key in uses)
        is_csv = spec.name == "csv"
        for widget in (self.csv_row, self.csv_label, self.csv_task, self.csv_features):
            form.setRowVisible(widget, is_csv)
        bad_cells = ""
        if is_csv:
            self._show_csv(spec)
            bad_cells = self._bad_cells_text(spec)
        self.csv_bad_cells.setText(bad_cells)
        guess = self._guess(spec.label_column) if is_csv else None
        self.csv_task_guess.setText(f"Guessed {guess.task}: {guess.reason}" if guess else "")
        images = spec.name in IMAGE_DATASETS
        form.setRowVisible(self.images_row, images)
        self.images_path.setText((spec.path or "") if images else "")
        self.images_path.setPlaceholderText(
            "Choose the folder of IDX files…" if spec.name == "idx" else "Choose an .npz file…"
        )
        form.setRowVisible(self.csv_problem, is_csv and bool(self.csv_problem.text()))
        form.setRowVisible(self.csv_task_guess, bool(guess))
        form.setRowVisible(self.csv_bad_cells, bool(bad_cells))
        form.setRowVisible(self.csv_drop_columns, bool(bad_cells))
        form.setRowVisible(self.csv_drop_rows, is_csv and (bool(bad_cells) or spec.drop_bad_rows))

    @property
    def _csv_columns(self) -> tuple[str, ...]:
        return self._csv.columns if self._csv else ()

    def _show_csv(self, spec) -> None:
        if spec.path and spec.path != self._csv_source:
            self._read_csv_columns(spec.path)
        self.csv_path.setText(spec.path or "")
        self.csv_label.clear()
        self.csv_label.addItems(self._csv_columns)
        self.csv_label.setCurrentIndex(
            self._csv_columns.index(spec.label_column)
            if spec.label_column in self._csv_columns
            else -1
        )
        self.csv_features.clear()
        chosen = spec.feature_columns
        for column in self._csv_columns:
            if column == spec.label_column:
                continue
            item = QListWidgetItem(column)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = chosen is None or column in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.csv_features.addItem(item)

    # --- edits ----------------------------------------------------------------------------

    def choose_dataset(self, name: str) -> None:
        """Switch to data set ``name`` (with its default number of points)."""
        info = CATALOG[name]
        self.commit(f"Data set {info.title}", None, lambda d: _switch_dataset(d, name))

    def _on_dataset(self, index: int) -> None:
        name = self.dataset.itemData(index)
        if name:
            self.choose_dataset(name)
        else:  # a group header: keep the current choice shown
            self.dataset.setCurrentIndex(self.dataset.findData(self.design.dataset.name))

    def _browse_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a CSV file",
            self.csv_path.text(),
            "CSV files (*.csv *.csv.gz);;All files (*)",
        )
        if path:
            self._on_csv_path(path)

    def open_csv(self, path: str) -> str:
        """Learn from the CSV file at ``path`` (a file dropped on the window), as if chosen
        with Browse…; returns why it cannot be read ("" when it can)."""
        self._on_csv_path(path)
        return self.csv_problem.text()

    def _browse_images(self) -> None:
        """A folder for IDX files, a file for .npz."""
        start = self.images_path.text()
        if self.design.dataset.name == "idx":
            path = QFileDialog.getExistingDirectory(self, "Choose the folder of IDX files", start)
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open an .npz file", start, "NumPy archives (*.npz);;All files (*)"
            )
        if path:
            self._on_images_path(path)

    def _on_images_path(self, path: str) -> None:
        """Use the images at ``path``; the window says if they cannot be read."""
        path = path.strip()
        if not path or path == (self.design.dataset.path or ""):
            return
        self.commit(f"Images {Path(path).name}", None, lambda d: _with_dataset(d, path=path))

    def _on_csv_path(self, path: str) -> None:
        """Read the file's columns; label the last column, use the other columns that hold
        numbers (those with a few bad cells too: they are reported) and guess the task."""
        path = path.strip()
        if not path or path == (self.design.dataset.path or ""):
            return
        try:
            path = str(csv_path(path, self.base_dir))
        except DatasetError as error:
            self._say_csv_problem(str(error))
            return
        if self.loader is None:
            self._use_csv(path)
        else:
            self.loader.when_inspected(path, lambda: self._use_csv(path))

    def _say_csv_problem(self, text: str) -> None:
        self.csv_problem.setText(text)
        self.form.setRowVisible(self.csv_problem, True)

    def _use_csv(self, path: str) -> None:
        """The CSV file at ``path`` (absolute) is parsed: offer its columns (see above)."""
        try:
            summary = KEPT.summary(path)
        except (DatasetError, OSError) as error:
            self._say_csv_problem(str(error))
            return
        self.csv_problem.setText("")
        self._csv_source, self._csv = path, summary
        label = summary.columns[-1]
        features = tuple(
            c
            for c, bad in zip(summary.columns, summary.bad_cells, strict=True)
            if bad < summary.rows and c != label
        )
        self.commit(
            f"CSV file {Path(path).name}",
            None,
            lambda d: _with_dataset(
                d,
                name="csv",
                path=path,
                label_column=label,
                feature_columns=features,
                task=summary.guesses[-1].task,
            ),
        )

    def _on_csv_label(self, index: int) -> None:
        label = self.csv_label.itemText(index)
        features = tuple(c for c in (self.design.dataset.feature_columns or ()) if c != label)
        guess = self._guess(label)
        task = guess.task if guess else self.design.dataset.task
        self.commit(
            "Label column",
            None,
            lambda d: _with_dataset(d, label_column=label, feature_columns=features, task=task),
        )

    def _guess(self, label: str | None):
        """The task the label column suggests (see ``TaskGuess``), or None if unknown."""
        if self._csv is None or label not in self._csv.columns:
            return None
        return self._csv.guesses[self._csv.columns.index(label)]

    def _bad_columns(self, spec) -> list[str]:
        """The chosen columns holding cells that are not numbers (a regression label too)."""
        if self._csv is None:
            return []
        chosen = spec.feature_columns
        if chosen is None:
            chosen = tuple(c for c in self._csv.columns if c != spec.label_column)
        if spec.task == "regression" and spec.label_column:
            chosen = (*chosen, spec.label_column)
        return [c for c in chosen if c in self._csv.columns and self._csv.problem(c)]

    def _bad_cells_text(self, spec) -> str:
        bad = self._bad_columns(spec)
        if not bad:
            return ""
        lines = [self._csv.problem(c) for c in bad[:5]]
        if len(bad) > 5:
            lines.append(f"… and {len(bad) - 5} more columns")
        what = "leaves those rows out" if spec.drop_bad_rows else "cannot train on them"
        return "Bad cells (nnviz " + what + "):\n" + "\n".join(lines)

    def _drop_bad_columns(self) -> None:
        spec = self.design.dataset
        bad = set(self._bad_columns(spec)) - {spec.label_column}
        features = tuple(c for c in self._csv_columns if c != spec.label_column and c not in bad)
        if spec.feature_columns is not None:
            features = tuple(c for c in spec.feature_columns if c not in bad)
        self.commit(
            "Leave out columns with bad cells",
            None,
            lambda d: replaced(d, "dataset.feature_columns", features),
        )

    def _on_csv_features(self, _item) -> None:
        chosen = tuple(
            self.csv_features.item(i).text()
            for i in range(self.csv_features.count())
            if self.csv_features.item(i).checkState() == Qt.CheckState.Checked
        )
        self.commit(
            "Feature columns", None, lambda d: replaced(d, "dataset.feature_columns", chosen)
        )

    def _read_csv_columns(self, path: str) -> None:
        """Remember what the CSV file at ``path`` holds (or why it cannot be read); a relative
        path starts at the design file's folder, as for training. The window has read it
        before the design became current, so this parses nothing."""
        self._csv_source = path
        self._csv = None
        self.csv_problem.setText("")
        try:
            self._csv = KEPT.summary(path, self.base_dir)
        except (DatasetError, OSError) as error:
            self.csv_problem.setText(str(error))


def _with_dataset(design: Design, **changes) -> Design:
    for key, value in changes.items():
        design = replaced(design, f"dataset.{key}", value)
    return design


def _switch_dataset(design: Design, name: str) -> Design:
    info = CATALOG[name]
    changes = {"name": name}
    if info.default_points is not None and "points" in info.uses:
        changes["points"] = info.default_points
    return _with_dataset(design, **changes)


def _grouped_catalog_model() -> QStandardItemModel:
    """The catalogue as a combo model: a bold, unselectable header per group."""
    model = QStandardItemModel()
    group = None
    for info in CATALOG.values():
        if info.group != group:
            group = info.group
            header = QStandardItem(group)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            model.appendRow(header)
        item = QStandardItem("    " + info.title)
        item.setData(info.name, Qt.ItemDataRole.UserRole)
        item.setToolTip(info.description)
        model.appendRow(item)
    return model
