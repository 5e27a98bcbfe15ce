"""A NumPy random generator's state as a plain array, so a checkpoint can hold it.

A checkpoint is a set of named arrays (a run file keeps them as safetensors tensors), and a
generator's state is a small dict of (128-bit) integers; as JSON bytes in a uint8 array it
travels with the weights and puts the generator back exactly where it was.
"""

from __future__ import annotations

import json

import numpy as np


def rng_state_array(generator: np.random.Generator) -> np.ndarray:
    """The state of a ``default_rng`` generator (PCG64) as UTF-8 JSON in a uint8 array.

    A recorded run takes two every epoch (the shuffling and the dropout generators'), so
    the JSON is written by hand: the bytes of ``json.dumps(state, sort_keys=True)`` at
    half its cost.
    """
    state = generator.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise ValueError(f"cannot record a {state['bit_generator']} generator's state")
    inner = state["state"]
    text = (
        f'{{"bit_generator": "PCG64", "has_uint32": {int(state["has_uint32"])}, '
        f'"state": {{"inc": {int(inner["inc"])}, "state": {int(inner["state"])}}}, '
        f'"uinteger": {int(state["uinteger"])}}}'
    )
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
