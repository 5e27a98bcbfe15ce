"""A random generator's state as an array: the same bytes as JSON gives, and back exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.core.nn.rng import rng_state_array, set_rng_state


@pytest.mark.parametrize("draws", [0, 1, 7])
def test_the_state_is_the_json_of_the_generator_and_puts_it_back(draws):
    generator = np.random.default_rng(12345)
    generator.random(draws)
    generator.integers(0, 2**31, draws, dtype=np.uint32)  # may leave a cached half-word
    state = rng_state_array(generator)
    expected = json.dumps(generator.bit_generator.state, sort_keys=True).encode()
    assert state.dtype == np.uint8 and state.tobytes() == expected
    ahead = generator.random(5)
    other = np.random.default_rng(0)
    set_rng_state(other, state)
    np.testing.assert_array_equal(other.random(5), ahead)


def test_another_kind_of_generator_is_refused():
    with pytest.raises(ValueError, match="MT19937"):
        rng_state_array(np.random.Generator(np.random.MT19937(3)))
