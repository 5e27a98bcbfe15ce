"""One or two sentences per concept, shown as tooltips so the window teaches while it is used.

These explain the choices (each activation, loss, optimizer, ...) and a few ideas that are no
design field; what each field of a design means is its help text in :mod:`nnviz.core.schema`.
"""

from __future__ import annotations

ACTIVATION_TIPS = {
    "linear": "Linear: passes its input through unchanged, f(z) = z. A network of only linear "
    "layers is itself linear, however deep.",
    "sigmoid": "Sigmoid: squashes any input into (0, 1), σ(z) = 1 / (1 + e^(−z)). Saturates for "
    "large |z|, where its gradient vanishes.",
    "tanh": "Tanh: squashes into (−1, 1), tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)). Centred on "
    "zero, so it usually trains faster than the sigmoid.",
    "relu": "ReLU: keeps positive inputs and zeroes the rest, f(z) = max(0, z). Cheap and fast to "
    "train, but a unit whose input stays negative stops learning (a dead ReLU).",
    "leaky_relu": "Leaky ReLU: like ReLU with a small slope for negative inputs, "
    "f(z) = max(0.01·z, z), so no unit dies completely.",
    "elu": "ELU: z for z > 0 and e^z − 1 below, a smooth ReLU whose mean output stays near zero.",
    "gelu": "GELU: z·Φ(z), weighs the input by the chance a standard normal is below it; "
    "a smooth ReLU used in transformers.",
    "silu": "SiLU (swish): z·σ(z), a smooth ReLU that dips slightly below zero.",
    "softplus": "Softplus: ln(1 + e^z), a smooth, always positive version of ReLU.",
    "softmax": "Softmax: turns the output vector into class probabilities that sum to 1, "
    "p_i = e^(z_i) / Σ_j e^(z_j). For several classes, at the output only.",
    "step": "Step: outputs 1 if z > 0 and 0 otherwise. Rosenblatt's perceptron uses it and learns "
    "with the perceptron rule, w ← w + η·(y − ŷ)·x, since its gradient is zero.",
    "auto": "Auto: sigmoid for two classes, softmax for more, linear for regression.",
}

LOSS_TIPS = {
    "auto": "Auto: binary cross-entropy for two classes, categorical cross-entropy for more, "
    "mean squared error for regression.",
    "mse": "Mean squared error: mean of (y − ŷ)², the usual loss for regression.",
    "binary_cross_entropy": "Binary cross-entropy: −[y·ln ŷ + (1 − y)·ln(1 − ŷ)], for one "
    "sigmoid output that estimates the probability of class 1.",
    "categorical_cross_entropy": "Categorical cross-entropy: −Σ y_i·ln ŷ_i over the classes, "
    "for a softmax output.",
    "perceptron": "Perceptron rule: no gradient; each misclassified point moves the weights "
    "towards it. Converges when the classes can be separated by a line.",
}

OPTIMIZER_TIPS = {
    "sgd": "Stochastic gradient descent: w ← w − η·∇L, one step per mini-batch.",
    "momentum": "Momentum: v ← μ·v − η·∇L, w ← w + v. Gathers speed along consistent "
    "directions and damps oscillations.",
    "nesterov": "Nesterov momentum: like momentum, but the gradient is taken where the momentum "
    "is about to carry the weights, which corrects overshoots earlier.",
    "rmsprop": "RMSprop: divides each step by a running root mean square of recent gradients, "
    "s ← ρ·s + (1 − ρ)·g², w ← w − η·g / (√s + ε), so every weight gets its own step size.",
    "adam": "Adam: momentum plus RMSprop with bias correction, "
    "w ← w − η·m̂ / (√v̂ + ε). A robust default.",
    "adamw": "AdamW: Adam with decoupled weight decay, w ← w − η·λ·w applied apart from the "
    "gradient step, which regularises better than L2 inside Adam.",
}

SCHEDULE_TIPS = {
    "constant": "Constant: the learning rate never changes.",
    "step": "Step decay: multiply the learning rate by γ every N epochs, η_t = η·γ^⌊t/N⌋.",
    "cosine": "Cosine: the learning rate glides from η to the minimum along half a cosine over "
    "the epochs, η_t = η_min + (η − η_min)·(1 + cos(π·t/T)) / 2.",
}

INITIALIZER_TIPS = {
    "small_random": "Small random: weights from N(0, 0.01²). Fine for small networks; deep ones "
    "start with vanishing signals.",
    "uniform": "Uniform: weights from U(−0.5, 0.5), bias 0.1, as TensorFlow Playground does.",
    "xavier": "Xavier (Glorot): variance 2 / (fan_in + fan_out), keeps the signal's scale through "
    "tanh and sigmoid layers.",
    "he": "He (Kaiming): variance 2 / fan_in, keeps the signal's scale through ReLU layers.",
}

FEATURE_TIPS = {
    "x1": "x₁: the horizontal coordinate of a point.",
    "x2": "x₂: the vertical coordinate of a point.",
    "x1^2": "x₁²: lets a single layer draw curved boundaries (circles, parabolas).",
    "x2^2": "x₂²: lets a single layer draw curved boundaries (circles, parabolas).",
    "x1*x2": "x₁·x₂: positive in two opposite quadrants; solves XOR on its own.",
    "sin(x1)": "sin(x₁): a periodic feature, useful for wavy boundaries and spirals.",
    "sin(x2)": "sin(x₂): a periodic feature, useful for wavy boundaries and spirals.",
}

#: Concepts that are not design fields; a field's own help text is in nnviz.core.schema.
TIPS = {
    "perceptron": "Rosenblatt's perceptron (1958): no hidden layer and a step output, trained "
    "with the perceptron rule. It can only separate classes with a straight line.",
    "speed": "Epochs trained per drawn frame; faster speeds update the panels less often.",
    "weight": "Weight: how strongly this input pushes the neuron; blue is positive, orange "
    "negative, thicker is larger.",
}


def tip(key: str) -> str:
    """The tooltip of a concept (a setting, an activation, an optimizer, ...)."""
    for table in (
        TIPS,
        ACTIVATION_TIPS,
        OPTIMIZER_TIPS,
        LOSS_TIPS,
        SCHEDULE_TIPS,
        INITIALIZER_TIPS,
        FEATURE_TIPS,
    ):
        if key in table:
            return table[key]
    return ""


#: How the 2D features are written for a reader: on the diagram and the panels' axes alike.
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}


def feature_label(name: str) -> str:
    """``name`` as a reader sees it (``x1^2`` is ``x₁²``); other columns keep their name."""
    return FEATURE_LABELS.get(name, name)
