"""Guided lessons: lesson files, the goal language, what a lesson locks, and its check.

Qt-free: the window's Lessons panel (:mod:`nnviz.ui.lessons`) and ``nnviz lessons`` both
read lessons here.
"""

from nnviz.core.lessons.goals import MEASURES, Condition, Goal
from nnviz.core.lessons.lesson import (
    Lesson,
    LessonFileError,
    Prediction,
    bundled_lessons,
    is_lesson_file,
    lesson_id,
    load_lesson,
    read_lesson,
)
from nnviz.core.lessons.locks import is_allowed, refusal

__all__ = [
    "MEASURES",
    "Condition",
    "Goal",
    "Lesson",
    "LessonFileError",
    "Prediction",
    "bundled_lessons",
    "is_allowed",
    "is_lesson_file",
    "lesson_id",
    "load_lesson",
    "read_lesson",
    "refusal",
]
