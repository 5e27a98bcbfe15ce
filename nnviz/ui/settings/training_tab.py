"""The Training tab: optimizer and its parameters, schedule, batches, regularisation, engine."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from nnviz.core.design import ENGINES, Design
from nnviz.ui.concepts import INITIALIZER_TIPS, OPTIMIZER_TIPS, SCHEDULE_TIPS
from nnviz.ui.settings.form import ChoiceCombo, FlagCheck, NumberField, NumberSpin, whole_spin
from nnviz.ui.settings.tab import SettingsTab

#: TensorFlow Playground's learning rates and regularisation rates.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
#: Optimizer parameters, their labels and the optimizers that use them.
OPTIMIZER_PARAMETERS = {
    "momentum": ("Momentum", ("momentum", "nesterov")),
    "beta1": ("β₁", ("adam", "adamw")),
    "beta2": ("β₂", ("adam", "adamw")),
    "rho": ("ρ", ("rmsprop",)),
    "epsilon": ("ε", ("rmsprop", "adam", "adamw")),
    "weight_decay": ("Weight decay", ("adamw",)),
}
OPTIMIZER = "training.optimizer."
SCHEDULE = "training.schedule."


class TrainingTab(SettingsTab):
    """Every training setting of the design; rows an optimizer or schedule ignores are hidden."""

    def __init__(self, commit) -> None:
        super().__init__(commit)
        self.optimizer = ChoiceCombo("optimizerCombo", OPTIMIZER + "name", OPTIMIZER_TIPS)
        self.learning_rate = NumberField(
            "learningRateCombo", OPTIMIZER + "learning_rate", LEARNING_RATES
        )
        self.add_row("Optimizer", self.optimizer)
        self.add_row("Learning rate", self.learning_rate)
        self.optimizer_params: dict[str, QWidget] = {}
        for param in ("momentum", "beta1", "beta2", "rho"):
            self.optimizer_params[param] = NumberSpin(
                f"{param}Spin", OPTIMIZER + param, 0.01, decimals=4
            )
        self.optimizer_params["epsilon"] = NumberField(
            "epsilonField", OPTIMIZER + "epsilon", (1e-8, 1e-7, 1e-6, 1e-5)
        )
        self.optimizer_params["weight_decay"] = NumberField(
            "weightDecayField", OPTIMIZER + "weight_decay", (0.0, 0.0001, 0.001, 0.01, 0.1)
        )
        for param, widget in self.optimizer_params.items():
            label = OPTIMIZER_PARAMETERS[param][0]
            self.add_row(label, widget, undo_text=param.capitalize().replace("_", " "))
        self.schedule = ChoiceCombo("scheduleCombo", SCHEDULE + "name", SCHEDULE_TIPS)
        self.step_size = whole_spin("stepSizeSpin", SCHEDULE + "step_size", 10)
        self.gamma = NumberSpin("gammaSpin", SCHEDULE + "gamma", 0.05, decimals=3)
        self.min_lr = NumberField(
            "minLearningRateField", SCHEDULE + "min_learning_rate", (0.0, 0.00001, 0.0001, 0.001)
        )
        self.add_row("Schedule", self.schedule)
        self.add_row("Every (epochs)", self.step_size, undo_text="Step size")
        self.add_row("Multiply by", self.gamma, undo_text="Gamma")
        self.add_row("Down to", self.min_lr, undo_text="Minimum learning rate")
        self.batch_size = whole_spin("batchSizeSpin", "training.batch_size")
        self.epochs = whole_spin("epochsSpin", "training.epochs", 100)
        self.l1 = NumberField("l1Combo", "training.l1", REGULARIZATION_RATES)
        self.l2 = NumberField("l2Combo", "training.l2", REGULARIZATION_RATES)
        self.initializer = ChoiceCombo("initializerCombo", "training.initializer", INITIALIZER_TIPS)
        self.training_seed = whole_spin("trainingSeedSpin", "training.seed")
        self.early_stopping = FlagCheck(
            "earlyStoppingCheck", "training.early_stopping", "Stop when the test loss stalls"
        )
        self.patience = whole_spin("patienceSpin", "training.patience", 10)
        self.engine = ChoiceCombo("engineCombo", "training.engine")
        self.device = ChoiceCombo("deviceCombo", "training.device")
        self.dtype = ChoiceCombo("dtypeCombo", "training.dtype")
        for label, widget in (
            ("Batch size", self.batch_size),
            ("Epochs", self.epochs),
            ("L1", self.l1),
            ("L2", self.l2),
            ("Initializer", self.initializer),
            ("Seed", self.training_seed),
            ("Early stopping", self.early_stopping),
            ("Patience", self.patience),
            ("Engine", self.engine),
            ("Device", self.device),
            ("Precision", self.dtype),
        ):
            self.add_row(label, widget)

    def set_torch_status(self, available: bool, message: str) -> None:
        """Grey the torch engine out, with the reason as its tooltip, when torch cannot run."""
        item = self.engine.model().item(ENGINES.index("torch"))
        item.setEnabled(available)
        if not available:
            item.setToolTip(message)

    def show_rest(self, design: Design) -> None:
        t = design.training
        for param, widget in self.optimizer_params.items():
            self.form.setRowVisible(widget, t.optimizer.name in OPTIMIZER_PARAMETERS[param][1])
        for widget, visible in (
            (self.step_size, t.schedule.name == "step"),
            (self.gamma, t.schedule.name == "step"),
            (self.min_lr, t.schedule.name == "cosine"),
        ):
            self.form.setRowVisible(widget, visible)
        self.patience.setEnabled(t.early_stopping)
        self.device.setEnabled(t.engine == "torch")
