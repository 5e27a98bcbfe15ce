"""``nnviz lessons``: list the bundled lessons; ``--check [FILE ...]`` proves they can be done.

The check trains each lesson's reference solution headlessly (it must meet the goal) and its
unchanged starting design (it must not, where the lesson asks for a change). A lesson file
that does not load exits 2 with one line naming the file and the problem; a lesson whose check
fails exits 1.
"""

from __future__ import annotations

from pathlib import Path

from nnviz.cli.common import Parser, fail, one_line, parse
from nnviz.core.data.dataset import DatasetError
from nnviz.core.lessons import LessonFileError, bundled_lessons, load_lesson
from nnviz.core.lessons.check import check_lesson
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.network import DesignMismatch

CHECK_FAILED = 1


def _parser() -> Parser:
    parser = Parser(prog="nnviz lessons", description="List the lessons, or check them.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="train each lesson's reference solution and its starting design, and check the "
        "goal is met by the one and not the other",
    )
    parser.add_argument(
        "files", nargs="*", type=Path, help="lesson files to check (default: the bundled ones)"
    )
    return parser


def main(argv: list[str]) -> int:
    """Run ``nnviz lessons`` with ``argv``; return the exit status."""
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    if args.files and not args.check:
        return fail("lessons", "files are only read with --check (see nnviz lessons --help)")
    files = args.files or bundled_lessons()
    lessons = []
    for path in files:
        try:
            lessons.append(load_lesson(path))
        except LessonFileError as error:
            return fail("lessons", one_line(error))
    if not args.check:
        for lesson in lessons:
            print(f"{lesson.id}\t{lesson.title}")
        return 0
    failed = 0
    for path, lesson in zip(files, lessons, strict=True):
        try:
            problems = check_lesson(lesson)
        except (DatasetError, DesignMismatch, EngineUnavailable) as error:
            return fail("lessons", f"{path}: {one_line(error)}")
        verdict = "FAIL" if problems else "ok  "
        print(f"{verdict} {lesson.id}: {'; '.join(problems) or lesson.goal.text}")
        failed += bool(problems)
    if failed:
        print(f"{failed} of {len(lessons)} lessons failed their check")
        return CHECK_FAILED
    return 0
