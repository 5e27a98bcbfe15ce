"""Lesson files: one lesson as versioned JSON, checked whole before anything of it is shown.

A lesson names its starting design (a bundled example, a design file beside it, or one written
inline), the fields a learner may change (by schema path), a prediction to make before Play,
a goal (:mod:`nnviz.core.lessons.goals`), hints, what to notice once the goal is met, and the
reference solution ``nnviz lessons --check`` trains. Like design files, a lesson is read only
when it has no problem; every problem is named with its path (``docs/lesson-format.md``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnviz.core.design import Design
from nnviz.core.files.bundled import resource
from nnviz.core.files.design_file import DesignFileError, design_from_dict, load_design
from nnviz.core.lessons.goals import Goal, read_conditions, read_goal
from nnviz.core.lessons.locks import check_allowed
from nnviz.core.lessons.settings import SettingsError, apply_settings
from nnviz.core.schema.problems import DuplicateKeys, Problems, close_match, is_int, join, kind_of

FORMAT = "nnviz-lesson"
CURRENT_VERSION = 1
#: A lesson is a few kilobytes; anything far larger is not one.
MAX_FILE_SIZE = 1_000_000
KEYS = (
    "$schema",
    "format",
    "version",
    "title",
    "text",
    "design",
    "set",
    "allowed",
    "step_through",
    "prediction",
    "goal",
    "hints",
    "notice",
    "solution",
)
REQUIRED = ("title", "text", "design", "allowed", "prediction", "goal", "hints", "notice")


class LessonFileError(ValueError):
    """A lesson cannot be read; ``problems`` lists each one as ``"path: message"``."""

    def __init__(self, problems: list[str], file: str | os.PathLike[str] | None = None):
        self.problems = list(problems)
        self.file = None if file is None else str(file)
        where = self.file or "lesson"
        super().__init__(f"{where}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Choice:
    """One answer of a prediction; ``holds``, when given, decides from the run whether it did."""

    text: str
    holds: tuple = ()


@dataclass(frozen=True)
class Prediction:
    """A multiple-choice question asked before Play, revealed after ``reveal_after`` epochs
    (or when the run stops): the ``answer`` given, or the first choice whose conditions hold."""

    question: str
    choices: tuple[Choice, ...]
    answer: int | None
    why: str
    reveal_after: int

    def held(self, row, design: Design) -> int | None:
        """The choice that holds at ``row`` (the run's latest figures), or None if none does."""
        if self.answer is not None:
            return self.answer
        for i, choice in enumerate(self.choices):
            if all(c.holds(row, design) for c in choice.holds):
                return i
        return None


@dataclass(frozen=True)
class Lesson:
    """A read, checked lesson; ``start`` is its starting design, ``solved`` that design with
    the reference solution applied (None when the learner need not change anything)."""

    id: str
    title: str
    text: str
    start: Design
    allowed: tuple[str, ...]
    step_through: bool
    prediction: Prediction
    goal: Goal
    hints: tuple[str, ...]
    notice: str
    solved: Design | None
    source: str


def lesson_id(path: str | os.PathLike[str]) -> str:
    """A lesson's id: its file's stem without a leading order number (``03-xor`` is ``xor``),
    so reordering the path keeps the learner's progress."""
    return re.sub(r"^\d+[-_ ]*", "", Path(path).stem) or Path(path).stem


def load_lesson(path: str | os.PathLike[str]) -> Lesson:
    """Read and check the lesson file at ``path``; every failure is a :class:`LessonFileError`."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_SIZE:
            raise LessonFileError(["the file is too large to be a lesson (over 1 MB)"], path)
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise LessonFileError(["file not found"], path) from None
    except IsADirectoryError:
        raise LessonFileError(["is a folder, not a lesson file"], path) from None
    except OSError as exc:
        raise LessonFileError([f"cannot read the file: {exc.strerror or exc}"], path) from None
    except UnicodeDecodeError as exc:
        raise LessonFileError([f"byte {exc.start}: not UTF-8 text"], path) from None
    try:
        doc = json.loads(text, object_pairs_hook=DuplicateKeys.from_pairs)
    except json.JSONDecodeError as exc:
        problem = f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
        raise LessonFileError([problem], path) from None
    except (ValueError, RecursionError) as exc:
        raise LessonFileError([f"not valid JSON: {exc}"], path) from None
    try:
        return read_lesson(doc, lesson_id(path), path.parent)
    except LessonFileError as error:
        raise LessonFileError(error.problems, path) from None


def is_lesson_file(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` says it is a lesson (so File → Open knows what to do)."""
    try:
        if Path(path).stat().st_size > MAX_FILE_SIZE:
            return False
        doc = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def read_lesson(doc: Any, id: str, folder: Path | None = None) -> Lesson:
    """Check a parsed lesson document; ``folder`` is where a design file it names lies."""
    problems = Problems()
    if not isinstance(doc, dict):
        raise LessonFileError([f"document: expected a JSON object {{...}}, got {kind_of(doc)}"])
    if doc.get("format") != FORMAT:
        raise LessonFileError([f'format: not an nnviz lesson (a lesson says "format": "{FORMAT}")'])
    version = doc.get("version")
    if not is_int(version) or not 1 <= version <= CURRENT_VERSION:
        raise LessonFileError(
            [f"version: expected {CURRENT_VERSION} (this nnviz reads lesson version 1)"]
        )
    for key in getattr(doc, "duplicates", ()):
        problems.add(key, "given more than once")
    for key in doc:
        if key not in KEYS:
            close = close_match(key, KEYS)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.add(key, f"unknown key{hint}")
    for key in REQUIRED:
        if key not in doc:
            problems.add(key, "missing")
    title = _text(doc, "title", problems)
    text = _text(doc, "text", problems)
    notice = _text(doc, "notice", problems)
    hints = _texts(doc, "hints", problems)
    step_through = doc.get("step_through", False)
    if not isinstance(step_through, bool):
        problems.add("step_through", f"expected true or false, got {kind_of(step_through)}")
    allowed = _texts(doc, "allowed", problems, empty_ok=True)
    for i, path in enumerate(allowed):
        problem = check_allowed(path)
        if problem:
            problems.add(f"allowed[{i}]", problem)
    prediction = _prediction(doc.get("prediction"), problems) if "prediction" in doc else None
    goal = read_goal(doc["goal"], "goal", problems) if "goal" in doc else None
    start = _start(doc, folder, problems) if "design" in doc else None
    solved = None
    if "solution" in doc and start is not None:
        solved = _applied(start, doc["solution"], "solution", problems)
        if solved is not None and solved == start:
            problems.add("solution", "changes nothing in the starting design")
    if problems.found:
        raise LessonFileError(problems.listed())
    return Lesson(
        id=id,
        title=title,
        text=text,
        start=start,
        allowed=tuple(allowed),
        step_through=step_through,
        prediction=prediction,
        goal=goal,
        hints=tuple(hints),
        notice=notice,
        solved=solved,
        source="" if folder is None else str(folder),
    )


def _text(doc: dict, key: str, problems: Problems) -> str:
    value = doc.get(key, "")
    if key in doc and (not isinstance(value, str) or not value.strip()):
        problems.add(key, f"expected a non-empty string, got {kind_of(value)}")
        return ""
    return value if isinstance(value, str) else ""


def _texts(doc: dict, key: str, problems: Problems, empty_ok: bool = False) -> list[str]:
    value = doc.get(key, [])
    if not isinstance(value, list) or (not value and not empty_ok and key in doc):
        problems.add(key, f"expected a non-empty list of strings, got {kind_of(value)}")
        return []
    bad = [i for i, item in enumerate(value) if not isinstance(item, str) or not item.strip()]
    for i in bad:
        problems.add(f"{key}[{i}]", f"expected a non-empty string, got {kind_of(value[i])}")
    return [] if bad else list(value)


def _prediction(doc: Any, problems: Problems) -> Prediction | None:
    path = "prediction"
    if not isinstance(doc, dict):
        problems.add(path, f"expected an object {{...}}, got {kind_of(doc)}")
        return None
    before = problems.found
    known = ("question", "choices", "answer", "why", "reveal_after")
    for key in doc:
        if key not in known:
            problems.add(join(path, key), f"unknown key; a prediction has {', '.join(known)}")
    question = _text(doc, "question", problems) if "question" in doc else ""
    why = _text(doc, "why", problems) if "why" in doc else ""
    if not question:
        problems.add(join(path, "question"), "missing")
    if not why:
        problems.add(join(path, "why"), "missing (say why the answer holds)")
    raw = doc.get("choices")
    choices: list[Choice] = []
    if not isinstance(raw, list) or len(raw) < 2:
        problems.add(join(path, "choices"), "expected a list of at least two choices")
        raw = []
    for i, item in enumerate(raw):
        where = f"{path}.choices[{i}]"
        if isinstance(item, str) and item.strip():
            choices.append(Choice(item))
        elif isinstance(item, dict) and isinstance(item.get("text"), str) and "holds" in item:
            choices.append(Choice(item["text"], read_conditions(item["holds"], where, problems)))
        else:
            problems.add(where, 'expected a string, or {"text": ..., "holds": [conditions]}')
    answer = doc.get("answer")
    judged = bool(choices) and all(c.holds for c in choices)
    if "answer" in doc:
        if choices and (not is_int(answer) or not 0 <= answer < len(choices)):
            problems.add(
                join(path, "answer"), f"expected a choice's index, 0 to {len(choices) - 1}"
            )
        if any(c.holds for c in choices):
            problems.add(join(path, "answer"), "give an answer or conditions per choice, not both")
    elif not judged:
        problems.add(join(path, "answer"), "missing (or give every choice 'holds' conditions)")
    reveal = doc.get("reveal_after", 1)
    if not is_int(reveal) or reveal < 1:
        problems.add(join(path, "reveal_after"), "expected a whole number of epochs from 1")
    if problems.found > before:
        return None
    return Prediction(question, tuple(choices), answer, why, reveal)


def _start(doc: dict, folder: Path | None, problems: Problems) -> Design | None:
    """The starting design: the named example or design file, or the inline document, with
    ``set`` applied."""
    named = doc["design"]
    try:
        if isinstance(named, str):
            design = load_design(_design_path(named, folder))
        elif isinstance(named, dict):
            design = design_from_dict(named)
        else:
            problems.add("design", f"expected an example's name or a design, got {kind_of(named)}")
            return None
    except DesignFileError as error:
        for problem in error.problems:
            problems.add("design", problem)
        return None
    if "set" in doc:
        return _applied(design, doc["set"], "set", problems)
    return design


def _design_path(name: str, folder: Path | None):
    if name.endswith(".json"):
        return Path(name) if folder is None else folder / name
    example = resource("examples", f"{name}.json")
    if not example.is_file():
        raise DesignFileError([f"no bundled example called {name!r}"])
    return example


def _applied(design: Design, settings: Any, key: str, problems: Problems) -> Design | None:
    try:
        return apply_settings(design, settings)
    except SettingsError as error:
        for problem in error.problems:
            problems.add(key, problem)
        return None


def bundled_lessons() -> list[Path]:
    """The bundled lesson files, in the order of the path (their names start with it)."""
    folder = resource("lessons")
    if not folder.is_dir():
        return []
    return sorted(Path(str(node)) for node in folder.iterdir() if node.name.endswith(".json"))
