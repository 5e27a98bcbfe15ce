"""What every headless command shares: one-line errors, exit status 2 for bad input."""

from __future__ import annotations

import argparse
import math
import sys

BAD_INPUT = 2


class BadInput(Exception):
    """Input the command cannot use; the message is the one line shown to the user."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are :class:`BadInput`, not a usage dump and exit."""

    def error(self, message: str):
        raise BadInput(f"{message} (see {self.prog} --help)")


def parse(parser: Parser, argv: list[str]):
    """The parsed arguments, or the exit status to return at once: 0 after ``--help``, 2 after
    a mistake in the arguments (said on stderr in one line)."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except BadInput as error:
        return fail(parser.prog.removeprefix("nnviz "), str(error))


def whole_number(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number from ``minimum`` (to ``maximum``, if given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            limits = f"from {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"expected a number {limits}, got {value}")
        return value

    return parse


def plain(value):
    """A float as JSON can hold it: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def one_line(error: Exception) -> str:
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())


def fail(command: str, message: str) -> int:
    """Print ``nnviz COMMAND: message`` on stderr and return the bad-input exit status."""
    print(f"nnviz {command}: {message}", file=sys.stderr)
    return BAD_INPUT
