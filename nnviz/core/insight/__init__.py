"""Views that explain why training does what it does: how each layer bends the input plane
(:mod:`hidden_space`), the loss around the weights (:mod:`landscape`) and which learning rates
learn (:mod:`lr_finder`). NumPy only; each long computation is a generator that yields its
progress, so whoever runs it (a worker thread, a command) can show it and cancel between yields.
"""

from __future__ import annotations


def run_to_end(steps):
    """Drive a generator of progress fractions to its end and return its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
