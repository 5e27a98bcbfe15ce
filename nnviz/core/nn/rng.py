"""A NumPy random generator's state as a plain array, so a checkpoint can hold it.

A checkpoint is a set of named arrays (a run file keeps them as safetensors tensors), and a
generator's state is a small dict of (128-bit) integers; as JSON bytes in a uint8 array it
travels with the weights and puts the generator back exactly where it was.
"""

from __future__ import annotations

import json

import numpy as np


def rng_state_array(generator: np.random.Generator) -> np.ndarray:
    """The generator's state as UTF-8 JSON bytes in a uint8 array."""
    text = json.dumps(generator.bit_generator.state, sort_keys=True)
    return np.frombuffer(text.encode(), dtype=np.uint8).copy()


def set_rng_state(generator: np.random.Generator, state: np.ndarray) -> None:
    """Put the generator back in the state :func:`rng_state_array` recorded.

    A state that is not such an array, or of another kind of generator, is a ValueError.
    """
    array = np.asarray(state)
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("a random generator's state is a 1-d uint8 array of JSON")
    try:
        value = json.loads(array.tobytes().decode())
        generator.bit_generator.state = value
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError) as exc:
        raise ValueError(f"not a random generator's state: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"not this random generator's state: {exc}") from None
