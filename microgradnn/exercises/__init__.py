"""Exercises that check themselves: practise every lecture section and see where you went wrong.

From the command line::

    python -m microgradnn exercises list
    python -m microgradnn exercises start chain_rule        # writes chain_rule.py here
    python -m microgradnn exercises check chain_rule        # feedback; exit 0 when right

From Python:

>>> from microgradnn import exercises
>>> "chain_rule" in exercises.names()
True
>>> exercises.check("chain_rule", exercises.solution_path("chain_rule"), isolate=False).passed
True
"""

from __future__ import annotations

import shutil
from pathlib import Path

from microgradnn.exercises.feedback import Feedback, Skip, Wrong
from microgradnn.exercises.registry import Exercise, all_exercises, get_exercise


def names() -> list[str]:
    """Exercise names in lecture order."""
    return [exercise.name for exercise in all_exercises()]


def solution_path(name: str) -> Path:
    """Where the reference solution of ``name`` is (teachers and CI use it)."""
    return get_exercise(name).solution_path


def start(name: str, folder=".", *, overwrite: bool = False) -> Path:
    """Copy the starter file of ``name`` into ``folder``; returns its path.

    Refuses to overwrite your work unless ``overwrite=True``.
    """
    exercise = get_exercise(name)
    target = Path(folder) / f"{exercise.name}.py"
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; check it, or delete it to start again")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(exercise.starter_path, target)
    return target


def check(
    name: str, path=None, *, isolate: bool = True, timeout: float | None = None, picture_dir=None
) -> Feedback:
    """Check a student's file (default ``./<name>.py``) and return the feedback.

    ``isolate=True`` (the default, and what the command line does) runs the checks in a
    separate process with a time limit; ``False`` runs them here (faster, for trusted code).
    """
    exercise = get_exercise(name)
    path = Path(path) if path is not None else Path(f"{exercise.name}.py")
    if not isolate:
        from microgradnn.exercises.runner import run_check

        return run_check(exercise.name, path, picture_dir)
    from microgradnn.exercises.sandbox import DEFAULT_TIMEOUT, check_file

    return check_file(
        exercise.name,
        path,
        timeout=timeout or max(DEFAULT_TIMEOUT, exercise.time_limit),
        picture_dir=picture_dir,
    )


__all__ = [
    "Exercise",
    "Feedback",
    "Skip",
    "Wrong",
    "all_exercises",
    "check",
    "get_exercise",
    "names",
    "solution_path",
    "start",
]
