"""Numbers rounded for reading, and sums that stay short however wide the layer is."""

from __future__ import annotations

import math

import numpy as np

MINUS = "\u2212"
#: A sum shows at most this many terms, the largest first; the rest are added up as one.
MAX_TERMS = 6


def number(value: float) -> str:
    """``value`` to three significant figures, with a real minus sign: ``−1.3``, ``0.214``."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return f"{MINUS if value < 0 else ''}∞"
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        text = f"{float(mantissa):.3g}e{int(exponent)}"
    else:
        text = f"{value:.3g}"
        if "e" in text:  # 999.7 rounds up to 1e+03
            text = f"{value:.0f}"
    return text.replace("-", MINUS)


def factor(value: float) -> str:
    """A number as the operand of a product: negatives in parentheses, ``(−1.30)``."""
    text = number(value)
    return f"({text})" if text.startswith(MINUS) else text


def products(left: np.ndarray, right: np.ndarray, limit: int = MAX_TERMS) -> str:
    """``l₁·r₁ + l₂·r₂ + …``, the largest products first when there are more than ``limit``;
    the rest become one term, ``[778 more: 0.0312]``, so the sum still adds up."""
    left, right = np.asarray(left, float), np.asarray(right, float)
    terms = left * right
    order = range(len(terms))
    if len(terms) > limit:
        order = sorted(np.argsort(-np.abs(terms), kind="stable")[:limit])
    shown = [f"{factor(left[i])}·{factor(right[i])}" for i in order]
    rest = len(terms) - len(shown)
    if rest:
        left_out = float(terms.sum() - terms[list(order)].sum())
        shown.append(f"[{rest} more: {number(left_out)}]")
    return " + ".join(shown) if shown else "0"


def values(array: np.ndarray, limit: int = MAX_TERMS) -> str:
    """A short list of numbers, ``0.1, −0.3, … (10 in all)`` when there are many."""
    array = np.asarray(array, float).ravel()
    shown = ", ".join(number(v) for v in array[:limit])
    return shown if array.size <= limit else f"{shown}, … ({array.size} in all)"


def largest(array: np.ndarray, limit: int = MAX_TERMS) -> list[int]:
    """Indices of the ``limit`` entries of largest magnitude, in their original order."""
    array = np.asarray(array, float)
    if array.size <= limit:
        return list(range(array.size))
    return sorted(np.argsort(-np.abs(array), kind="stable")[:limit].tolist())


def units(count: int) -> str:
    """``1 unit``, ``4 units``."""
    return f"{count} unit{'' if count == 1 else 's'}"
