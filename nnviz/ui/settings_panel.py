"""The dataset and training forms: every control edits the design through the undo stack.

Controls accept only valid values (ranges as the design file checks them) and commit once per
change: spin boxes without keyboard tracking, editable fields on ``editingFinished``. Each
commit emits ``sigEdit(design, text, merge_key)``; the window merges consecutive commits with
the same key into one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QDoubleValidator, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from nnviz.core.data import CATALOG, inspect_csv
from nnviz.core.data.catalog import CLASSES_RANGE, NOISE_RANGE, POINTS_RANGE, TRAIN_FRACTION_RANGE
from nnviz.core.data.dataset import DatasetError
from nnviz.core.design import (
    DEVICES,
    DTYPES,
    ENGINES,
    INITIALIZERS,
    MAX_SEED,
    OPTIMIZERS,
    SCHEDULES,
    Design,
)
from nnviz.core.nn.torch_engine import torch_status
from nnviz.ui.concepts import INITIALIZER_TIPS, OPTIMIZER_TIPS, SCHEDULE_TIPS, TIPS

#: TensorFlow Playground's learning rates and regularisation rates.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
#: Optimizer parameters and the optimizers that use them.
OPTIMIZER_PARAMETERS = {
    "momentum": ("momentum", "nesterov"),
    "beta1": ("adam", "adamw"),
    "beta2": ("adam", "adamw"),
    "rho": ("rmsprop",),
    "epsilon": ("rmsprop", "adam", "adamw"),
    "weight_decay": ("adamw",),
}


def number_text(value: float) -> str:
    """A number as people write it: 0.00001 rather than 1e-05."""
    return np.format_float_positional(float(value), trim="-")


def with_dataset(design: Design, **changes) -> Design:
    return replace(design, dataset=replace(design.dataset, **changes))


def with_training(design: Design, **changes) -> Design:
    return replace(design, training=replace(design.training, **changes))


def with_optimizer(design: Design, **changes) -> Design:
    optimizer = replace(design.training.optimizer, **changes)
    return with_training(design, optimizer=optimizer)


def with_schedule(design: Design, **changes) -> Design:
    return with_training(design, schedule=replace(design.training.schedule, **changes))


class NumberField(QComboBox):
    """An editable combo of suggested numbers that accepts any number in its range.

    Emits ``sigCommitted(value)`` when the user picks a value or finishes typing a valid one;
    an invalid entry reverts to the last value.
    """

    sigCommitted = Signal(float)

    def __init__(self, name: str, values, low: float, high: float, open_low: bool) -> None:
        super().__init__(objectName=name)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._low, self._high, self._open_low = low, high, open_low
        self._value = float(values[0])
        for value in values:
            self.addItem(number_text(value), float(value))
        validator = QDoubleValidator(0.0, high, 10, self)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        validator.setLocale(QLocale.c())
        self.lineEdit().setValidator(validator)
        self.lineEdit().editingFinished.connect(self._commit_text)
        self.activated.connect(lambda _index: self._commit_text())

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        self._value = float(value)
        index = self.findData(self._value)
        if index >= 0:
            self.setCurrentIndex(index)
        self.setEditText(number_text(value))

    def _commit_text(self) -> None:
        try:
            value = float(self.currentText())
        except ValueError:
            value = None
        valid = (
            value is not None
            and np.isfinite(value)
            and value <= self._high
            and (value > self._low if self._open_low else value >= self._low)
        )
        if not valid:
            self.set_value(self._value)
            return
        if value != self._value:
            self._value = value
            self.sigCommitted.emit(value)
        self.setEditText(number_text(value))


class SettingsPanel(QTabWidget):
    """Two tabs, Data and Training, bound to a design."""

    sigEdit = Signal(object, str, object)  # (new Design, what changed, merge key or None)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPanel")
        self._design = Design()
        self._updating = False
        self._csv_columns: tuple[str, ...] = ()
        self._csv_source = ""  # the file _csv_columns were read from
        self._build_data_tab()
        self._build_training_tab()
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
        self.set_design(self._design)

    @property
    def design(self) -> Design:
        return self._design

    # --- building -----------------------------------------------------------------------------

    def _tab(self, title: str) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.addTab(scroll, title)
        return form

    def _commit(self, text: str, key: str | None, make: Callable[[Design], Design]) -> None:
        if self._updating:
            return
        new = make(self._design)
        if new != self._design:
            self.sigEdit.emit(new, text, key)

    def _spin(
        self,
        name: str,
        tip_key: str,
        low,
        high,
        step,
        text: str,
        key: str,
        make,
        decimals: int | None = None,
        scale: float = 1.0,
        suffix: str = "",
    ):
        """A spin box committing ``make(design, value / scale)`` after each finished change."""
        if decimals is None:
            spin = QSpinBox(objectName=name, minimum=int(low), maximum=int(high))
        else:
            spin = QDoubleSpinBox(objectName=name, minimum=low, maximum=high, decimals=decimals)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        spin.setToolTip(TIPS[tip_key])
        spin.valueChanged.connect(
            lambda v: self._commit(text, key, lambda d: make(d, _rounded(v / scale)))
        )
        return spin

    def _combo(
        self, name: str, tip_key: str, values, tips: dict[str, str], text: str, make
    ) -> QComboBox:
        combo = QComboBox(objectName=name)
        combo.setToolTip(TIPS[tip_key])
        for i, value in enumerate(values):
            combo.addItem(value.replace("_", " "), value)
            combo.setItemData(i, tips.get(value, ""), Qt.ItemDataRole.ToolTipRole)
        combo.activated.connect(
            lambda i: self._commit(text, None, lambda d: make(d, combo.itemData(i)))
        )
        return combo

    def _number(self, name: str, tip_key: str, values, low, high, open_low, text, key, make):
        field = NumberField(name, values, low, high, open_low)
        field.setToolTip(TIPS[tip_key])
        field.sigCommitted.connect(lambda v: self._commit(text, key, lambda d: make(d, v)))
        return field

    def _build_data_tab(self) -> None:
        form = self._data_form = self._tab("Data")
        self.dataset = QComboBox(objectName="datasetCombo")
        self.dataset.setToolTip(TIPS["dataset"])
        self.dataset.setModel(_grouped_catalog_model())
        self.dataset.setMaxVisibleItems(30)
        self.dataset.activated.connect(self._on_dataset)
        self.description = QLabel(objectName="datasetDescription", wordWrap=True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.noise = self._spin(
            "noiseSpin",
            "noise",
            NOISE_RANGE[0] * 100,
            NOISE_RANGE[1] * 100,
            5,
            "Noise",
            "dataset.noise",
            lambda d, v: with_dataset(d, noise=v),
            0,
            100.0,
            " %",
        )
        self.points = self._spin(
            "pointsSpin",
            "points",
            *POINTS_RANGE,
            50,
            "Points",
            "dataset.points",
            lambda d, v: with_dataset(d, points=int(v)),
        )
        self.train_share = self._spin(
            "trainShareSpin",
            "train_fraction",
            TRAIN_FRACTION_RANGE[0] * 100,
            TRAIN_FRACTION_RANGE[1] * 100,
            10,
            "Training share",
            "dataset.train_fraction",
            lambda d, v: with_dataset(d, train_fraction=v),
            0,
            100.0,
            " %",
        )
        self.classes = self._spin(
            "classesSpin",
            "classes",
            *CLASSES_RANGE,
            1,
            "Classes",
            "dataset.classes",
            lambda d, v: with_dataset(d, classes=int(v)),
        )
        self.data_seed = self._spin(
            "dataSeedSpin",
            "data_seed",
            0,
            min(MAX_SEED, 2**31 - 1),
            1,
            "Data seed",
            "dataset.seed",
            lambda d, v: with_dataset(d, seed=int(v)),
        )
        self.csv_path = QLineEdit(objectName="csvPath", placeholderText="Choose a CSV file…")
        self.csv_path.setToolTip(TIPS["csv_path"])
        self.csv_path.editingFinished.connect(lambda: self._on_csv_path(self.csv_path.text()))
        browse = QPushButton("Browse…", objectName="csvBrowse")
        browse.clicked.connect(self._browse_csv)
        self.csv_row = QWidget()
        row = QHBoxLayout(self.csv_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.csv_path, 1)
        row.addWidget(browse)
        self.csv_problem = QLabel(objectName="csvProblem", wordWrap=True)
        self.csv_problem.setStyleSheet("color: #d0382b")
        self.csv_label = QComboBox(objectName="csvLabel")
        self.csv_label.setToolTip(TIPS["label_column"])
        self.csv_label.activated.connect(self._on_csv_label)
        self.csv_task = self._combo(
            "csvTask",
            "task",
            ("classification", "regression"),
            {},
            "Task",
            lambda d, v: with_dataset(d, task=v),
        )
        self.csv_features = QListWidget(objectName="csvFeatures")
        self.csv_features.setToolTip(TIPS["feature_columns"])
        self.csv_features.setMaximumHeight(140)
        self.csv_features.itemChanged.connect(self._on_csv_features)

        form.addRow("Data set", self.dataset)
        form.addRow(self.description)
        form.addRow("Noise", self.noise)
        form.addRow("Points", self.points)
        form.addRow("Training share", self.train_share)
        form.addRow("Classes", self.classes)
        form.addRow("Seed", self.data_seed)
        form.addRow("File", self.csv_row)
        form.addRow(self.csv_problem)
        form.addRow("Label column", self.csv_label)
        form.addRow("Task", self.csv_task)
        form.addRow("Feature columns", self.csv_features)

    def _build_training_tab(self) -> None:
        form = self._training_form = self._tab("Training")
        self.optimizer = self._combo(
            "optimizerCombo",
            "optimizer",
            OPTIMIZERS,
            OPTIMIZER_TIPS,
            "Optimizer",
            lambda d, v: with_optimizer(d, name=v),
        )
        self.learning_rate = self._number(
            "learningRateCombo",
            "learning_rate",
            LEARNING_RATES,
            0.0,
            100.0,
            True,
            "Learning rate",
            "optimizer.learning_rate",
            lambda d, v: with_optimizer(d, learning_rate=v),
        )
        self.optimizer_params: dict[str, QWidget] = {}
        for param, low, high in (
            ("momentum", 0.0, 0.999),
            ("beta1", 0.0, 0.9999),
            ("beta2", 0.0, 0.9999),
            ("rho", 0.0, 0.9999),
        ):
            self.optimizer_params[param] = self._spin(
                f"{param}Spin",
                param,
                low,
                high,
                0.01,
                param.capitalize(),
                f"optimizer.{param}",
                lambda d, v, p=param: with_optimizer(d, **{p: v}),
                4,
            )
        self.optimizer_params["epsilon"] = self._number(
            "epsilonField",
            "epsilon",
            (1e-8, 1e-7, 1e-6, 1e-5),
            0.0,
            1.0,
            True,
            "Epsilon",
            "optimizer.epsilon",
            lambda d, v: with_optimizer(d, epsilon=v),
        )
        self.optimizer_params["weight_decay"] = self._number(
            "weightDecayField",
            "weight_decay",
            (0.0, 0.0001, 0.001, 0.01, 0.1),
            0.0,
            100.0,
            False,
            "Weight decay",
            "optimizer.weight_decay",
            lambda d, v: with_optimizer(d, weight_decay=v),
        )
        self.schedule = self._combo(
            "scheduleCombo",
            "schedule",
            SCHEDULES,
            SCHEDULE_TIPS,
            "Schedule",
            lambda d, v: with_schedule(d, name=v),
        )
        self.step_size = self._spin(
            "stepSizeSpin",
            "step_size",
            1,
            10_000_000,
            10,
            "Step size",
            "schedule.step_size",
            lambda d, v: with_schedule(d, step_size=int(v)),
        )
        self.gamma = self._spin(
            "gammaSpin",
            "gamma",
            0.01,
            1.0,
            0.05,
            "Gamma",
            "schedule.gamma",
            lambda d, v: with_schedule(d, gamma=v),
            3,
        )
        self.min_lr = self._number(
            "minLearningRateField",
            "min_learning_rate",
            (0.0, 0.00001, 0.0001, 0.001),
            0.0,
            100.0,
            False,
            "Minimum learning rate",
            "schedule.min_learning_rate",
            lambda d, v: with_schedule(d, min_learning_rate=v),
        )
        self.batch_size = self._spin(
            "batchSizeSpin",
            "batch_size",
            1,
            100_000,
            1,
            "Batch size",
            "training.batch_size",
            lambda d, v: with_training(d, batch_size=int(v)),
        )
        self.epochs = self._spin(
            "epochsSpin",
            "epochs",
            1,
            10_000_000,
            100,
            "Epochs",
            "training.epochs",
            lambda d, v: with_training(d, epochs=int(v)),
        )
        self.l1 = self._number(
            "l1Combo",
            "l1",
            REGULARIZATION_RATES,
            0.0,
            1e6,
            False,
            "L1",
            "training.l1",
            lambda d, v: with_training(d, l1=v),
        )
        self.l2 = self._number(
            "l2Combo",
            "l2",
            REGULARIZATION_RATES,
            0.0,
            1e6,
            False,
            "L2",
            "training.l2",
            lambda d, v: with_training(d, l2=v),
        )
        self.initializer = self._combo(
            "initializerCombo",
            "initializer",
            INITIALIZERS,
            INITIALIZER_TIPS,
            "Initializer",
            lambda d, v: with_training(d, initializer=v),
        )
        self.training_seed = self._spin(
            "trainingSeedSpin",
            "training_seed",
            0,
            min(MAX_SEED, 2**31 - 1),
            1,
            "Seed",
            "training.seed",
            lambda d, v: with_training(d, seed=int(v)),
        )
        self.early_stopping = QCheckBox(
            "Stop when the test loss stalls", objectName="earlyStoppingCheck"
        )
        self.early_stopping.setToolTip(TIPS["early_stopping"])
        self.early_stopping.toggled.connect(
            lambda on: self._commit(
                "Early stopping", None, lambda d: with_training(d, early_stopping=on)
            )
        )
        self.patience = self._spin(
            "patienceSpin",
            "patience",
            1,
            1_000_000,
            10,
            "Patience",
            "training.patience",
            lambda d, v: with_training(d, patience=int(v)),
        )
        self.engine = self._combo(
            "engineCombo", "engine", ENGINES, {}, "Engine", lambda d, v: with_training(d, engine=v)
        )
        available, message = torch_status()
        if not available:
            item = self.engine.model().item(ENGINES.index("torch"))
            item.setEnabled(False)
            item.setToolTip(message)
        self.device = self._combo(
            "deviceCombo", "device", DEVICES, {}, "Device", lambda d, v: with_training(d, device=v)
        )
        self.dtype = self._combo(
            "dtypeCombo", "dtype", DTYPES, {}, "Precision", lambda d, v: with_training(d, dtype=v)
        )

        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.learning_rate)
        labels = {
            "momentum": "Momentum",
            "beta1": "β₁",
            "beta2": "β₂",
            "rho": "ρ",
            "epsilon": "ε",
            "weight_decay": "Weight decay",
        }
        for param, widget in self.optimizer_params.items():
            form.addRow(labels[param], widget)
        form.addRow("Schedule", self.schedule)
        form.addRow("Every (epochs)", self.step_size)
        form.addRow("Multiply by", self.gamma)
        form.addRow("Down to", self.min_lr)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs", self.epochs)
        form.addRow("L1", self.l1)
        form.addRow("L2", self.l2)
        form.addRow("Initializer", self.initializer)
        form.addRow("Seed", self.training_seed)
        form.addRow("Early stopping", self.early_stopping)
        form.addRow("Patience", self.patience)
        form.addRow("Engine", self.engine)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.dtype)

    # --- showing a design ---------------------------------------------------------------------

    def set_design(self, design: Design) -> None:
        """Show ``design`` in every control (without emitting edits)."""
        self._design = design
        self._updating = True
        try:
            self._show_data(design)
            self._show_training(design)
        finally:
            self._updating = False

    def _show_data(self, design: Design) -> None:
        spec = design.dataset
        info = CATALOG.get(spec.name)
        self.dataset.setCurrentIndex(self.dataset.findData(spec.name))
        self.description.setText(info.description if info else "")
        self.noise.setValue(round(spec.noise * 100))
        self.points.setValue(spec.points)
        self.train_share.setValue(round(spec.train_fraction * 100))
        self.classes.setValue(spec.classes)
        self.data_seed.setValue(spec.seed)
        uses = info.uses if info else frozenset()
        form = self._data_form
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
        if is_csv:
            self._show_csv(spec)
        form.setRowVisible(self.csv_problem, is_csv and bool(self.csv_problem.text()))

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
        self.csv_task.setCurrentIndex(self.csv_task.findData(spec.task or "classification"))
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

    def _show_training(self, design: Design) -> None:
        t = design.training
        opt = t.optimizer
        self.optimizer.setCurrentIndex(self.optimizer.findData(opt.name))
        self.learning_rate.set_value(opt.learning_rate)
        for param, widget in self.optimizer_params.items():
            value = getattr(opt, param)
            if isinstance(widget, NumberField):
                widget.set_value(value)
            else:
                widget.setValue(value)
            self._training_form.setRowVisible(widget, opt.name in OPTIMIZER_PARAMETERS[param])
        self.schedule.setCurrentIndex(self.schedule.findData(t.schedule.name))
        self.step_size.setValue(t.schedule.step_size)
        self.gamma.setValue(t.schedule.gamma)
        self.min_lr.set_value(t.schedule.min_learning_rate)
        for widget, visible in (
            (self.step_size, t.schedule.name == "step"),
            (self.gamma, t.schedule.name == "step"),
            (self.min_lr, t.schedule.name == "cosine"),
        ):
            self._training_form.setRowVisible(widget, visible)
        self.batch_size.setValue(t.batch_size)
        self.epochs.setValue(t.epochs)
        self.l1.set_value(t.l1)
        self.l2.set_value(t.l2)
        self.initializer.setCurrentIndex(self.initializer.findData(t.initializer))
        self.training_seed.setValue(t.seed)
        self.early_stopping.setChecked(t.early_stopping)
        self.patience.setEnabled(t.early_stopping)
        self.engine.setCurrentIndex(self.engine.findData(t.engine))
        self.device.setCurrentIndex(self.device.findData(t.device))
        self.device.setEnabled(t.engine == "torch")
        self.dtype.setCurrentIndex(self.dtype.findData(t.dtype))

    # --- data edits ---------------------------------------------------------------------------

    def choose_dataset(self, name: str) -> None:
        """Switch to data set ``name`` (with its default number of points)."""
        info = CATALOG[name]
        self._commit(f"Data set {info.title}", None, lambda d: _switch_dataset(d, name))

    def _on_dataset(self, index: int) -> None:
        name = self.dataset.itemData(index)
        if name:
            self.choose_dataset(name)
        else:
            self.set_design(self._design)  # a group header: keep the current choice shown

    def _browse_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a CSV file",
            self.csv_path.text(),
            "CSV files (*.csv *.csv.gz);;All files (*)",
        )
        if path:
            self._on_csv_path(path)

    def _on_csv_path(self, path: str) -> None:
        """Read the file's columns; label the last column and use the other numeric ones."""
        path = path.strip()
        if not path or path == (self._design.dataset.path or ""):
            return
        try:
            summary = inspect_csv(path)
        except (DatasetError, OSError) as error:
            self.csv_problem.setText(str(error))
            self._data_form.setRowVisible(self.csv_problem, True)
            return
        self.csv_problem.setText("")
        self._csv_source = path
        self._csv_columns = tuple(summary.columns)
        label = summary.columns[-1]
        features = tuple(
            c
            for c, numeric in zip(summary.columns, summary.numeric, strict=True)
            if numeric and c != label
        )
        self._commit(
            f"CSV file {Path(path).name}",
            None,
            lambda d: with_dataset(
                d,
                path=path,
                label_column=label,
                feature_columns=features,
                task=d.dataset.task or "classification",
            ),
        )

    def _on_csv_label(self, index: int) -> None:
        label = self.csv_label.itemText(index)
        features = tuple(c for c in (self._design.dataset.feature_columns or ()) if c != label)
        self._commit(
            "Label column",
            None,
            lambda d: with_dataset(d, label_column=label, feature_columns=features),
        )

    def _on_csv_features(self, _item) -> None:
        if self._updating:
            return
        chosen = tuple(
            self.csv_features.item(i).text()
            for i in range(self.csv_features.count())
            if self.csv_features.item(i).checkState() == Qt.CheckState.Checked
        )
        self._commit("Feature columns", None, lambda d: with_dataset(d, feature_columns=chosen))

    def _read_csv_columns(self, path: str) -> None:
        """Remember the columns of the CSV file at ``path`` (or why it cannot be read)."""
        self._csv_source = path
        self._csv_columns = ()
        self.csv_problem.setText("")
        try:
            self._csv_columns = tuple(inspect_csv(path).columns)
        except (DatasetError, OSError) as error:
            self.csv_problem.setText(str(error))


def _switch_dataset(design: Design, name: str) -> Design:
    info = CATALOG[name]
    changes = {"name": name}
    if info.default_points is not None and "points" in info.uses:
        changes["points"] = info.default_points
    return with_dataset(design, **changes)


def _rounded(value: float) -> float:
    return round(value, 6)


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
