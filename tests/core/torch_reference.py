"""Each activation written directly in torch: the independent reference the NumPy engine's
values and gradients are checked against (not the torch engine's own table)."""

import pytest


def torch_function(name):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    return {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": functional.leaky_relu,
        "elu": functional.elu,
        "gelu": functional.gelu,
        "silu": functional.silu,
        "softplus": functional.softplus,
        "softmax": lambda z: torch.softmax(z, dim=1),
        "step": lambda z: (z > 0).to(z.dtype),
    }[name]
