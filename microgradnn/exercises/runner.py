"""Run one exercise's checks on a student's file and turn *anything* into short feedback.

Student code is untrusted: it may not import, may raise, print a lot or return the wrong
type. :func:`run_check` never lets a traceback from inside microgradnn reach the student;
every problem becomes a :class:`~microgradnn.exercises.feedback.Feedback` that points at the
student's own line. (Endless loops are handled one level up, by
:mod:`microgradnn.exercises.sandbox`, which runs this in a separate process with a time limit.)

>>> from microgradnn.exercises import solution_path
>>> run_check("chain_rule", solution_path("chain_rule")).status
'pass'
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import traceback
import warnings
from pathlib import Path

from microgradnn.exercises.feedback import Feedback, Skip, Wrong, current_student

MAX_PRINTED = 2000  # characters of student output kept (the rest is counted, not stored)


class CappedWriter(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first characters and counts the rest."""

    def __init__(self, limit: int = MAX_PRINTED):
        self.limit, self.kept, self.count = limit, [], 0

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - sum(map(len, self.kept))
        if room > 0:
            self.kept.append(text[:room])
        self.count += len(text)
        return len(text)

    def writable(self) -> bool:
        return True

    @property
    def text(self) -> str:
        return "".join(self.kept)


class Student:
    """The student's file, loaded as a module, as seen by a check.

    ``student.function("adam_step")`` returns the function or explains that it is missing;
    ``student.line_of("m_hat")`` finds the line where a name is assigned (for feedback).
    """

    def __init__(self, module, path: Path, picture_dir: Path | None):
        self.module, self.path = module, Path(path)
        self.lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        self.picture_dir = Path(picture_dir) if picture_dir else None

    def function(self, name: str):
        thing = getattr(self.module, name, None)
        if thing is None:
            raise Wrong(
                f"your file has no `{name}`",
                [f"the checks call `{name}` from {self.path.name}"],
                hint="keep the names of the starter file (`exercises start` writes a fresh one)",
            )
        return thing

    def line_of(self, name: str) -> int | None:
        """First line (1-based) that assigns ``name`` (``name = ...``), or None."""
        name = re.escape(name)
        assignment = re.compile(rf"^\s*{name}\s*(\[.*\])?\s*[-+*/]?=(?!=)")
        key = re.compile(rf"^\s*([\"']{name}[\"']\s*:|{name}\s*=(?!=))")  # dict(...) / {...}
        for pattern in (assignment, key):
            for number, line in enumerate(self.lines, 1):
                if pattern.match(line):
                    return number
        return None

    def where(self, name: str) -> list[str]:
        """``["your line 12:  q = x - y"]`` for feedback, or [] when the name is not found."""
        number = self.line_of(name)
        return [] if number is None else [self.quote_line(number)]

    def quote_line(self, number: int) -> str:
        text = self.lines[number - 1].strip() if 0 < number <= len(self.lines) else ""
        return f"your line {number}:  {text}"


def _load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"student_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Hints for error messages students meet again and again.
_ERROR_HINTS = [
    ("truth value of an array", "use np.where(condition, a, b) instead of `if` on arrays"),
    ("NotImplementedError", "this part is still to do: replace the `raise` with your code"),
    ("unsupported operand type(s) for", "one of the operands is None or of the wrong type"),
    ("shapes", "print the .shape of each operand: the matrix product needs matching sizes"),
    ("could not be broadcast", "print the .shape of each operand to see which does not fit"),
    ("math domain error", "log/sqrt got a number outside their domain (log(0), sqrt(-1))"),
    ("math range error", "exp of a large number overflows: rewrite the formula stably"),
    ("No module named", "only numpy, math and microgradnn are available to your code"),
]


def _hint_for(error: BaseException) -> str | None:
    text = f"{type(error).__name__}: {error}"
    return next((hint for needle, hint in _ERROR_HINTS if needle in text), None)


def _student_frame(error: BaseException, path: Path):
    """The last traceback frame in the student's file, as (line number, function name)."""
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            found = (frame.lineno, frame.name)
    return found


def _crash_feedback(error: BaseException, student: Student | None, path: Path, stage: str):
    message = f"{type(error).__name__}: {error}"
    if len(message) > 300:
        message = message[:300] + " ..."
    lines = [message]
    if isinstance(error, SyntaxError) and Path(error.filename or "").name == path.name:
        lines.append(f"your line {error.lineno}:  {(error.text or '').strip()}")
        return Feedback("error", f"{path.name} has a syntax error", lines, _hint_for(error))
    frame = _student_frame(error, path)
    if frame is None:
        # The student's code returned something the check could not use.
        title = "the checker could not use what your code returned"
        return Feedback("error", title, lines, "compare the return values with the instructions")
    number, function = frame
    if student is None:
        source = path.read_text(encoding="utf-8", errors="replace").splitlines()
        text = source[number - 1].strip() if 0 < number <= len(source) else ""
        where = f"your line {number}:  {text}"
    else:
        where = student.quote_line(number)
    lines.append(f"{where}  (in {function})")
    title = f"your code raised {type(error).__name__} while {stage}"
    return Feedback("error", title, lines, _hint_for(error))


def _printed_note(out: CappedWriter) -> list[str]:
    if out.count <= 200:
        return []
    first = out.text[:160].replace("\n", " | ")
    return [f"note: your code printed {out.count:,} characters (first: {first!r}); remove prints"]


def run_check(name: str, path, picture_dir=None) -> Feedback:
    """Check the student's file ``path`` against exercise ``name`` in this process.

    Never raises for problems of the student's code; returns the :class:`Feedback`.
    """
    from microgradnn.exercises.registry import get_exercise

    exercise = get_exercise(name)
    path = Path(path)
    if not path.is_file():
        return Feedback("error", f"no file {path}", hint=f"exercises start {name} writes one")
    missing = [m for m in exercise.needs if importlib.util.find_spec(m) is None]
    if missing:
        lines = [f"{', '.join(missing)} is not installed: pip install {' '.join(missing)}"]
        return Feedback("skipped", f"{name}: not checked here", lines)
    out = CappedWriter()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    student, stage = None, f"importing {path.name}"
    caught = warnings.catch_warnings()
    caught.__enter__()
    warnings.simplefilter("ignore")  # overflow warnings etc. are judged by the checks instead
    try:
        module = _load_module(path)
        student = Student(module, path, picture_dir)
        stage = "being checked"
        token = current_student.set(student)
        try:
            exercise.check(student)
        finally:
            current_student.reset(token)
        lines = list(exercise.passed_lines)
        if getattr(student, "confirmed", None):  # labs say what the student found
            lines.append(student.confirmed)
        feedback = Feedback("pass", f"{name}: all checks passed", lines)
    except Wrong as wrong:
        feedback = wrong.feedback
    except Skip as skip:
        feedback = Feedback("skipped", f"{name}: not checked here", [str(skip)])
    except RecursionError as error:
        feedback = _crash_feedback(error, student, path, stage)
        feedback.hint = "a function calls itself without end: check the base case"
    except (Exception, SystemExit, KeyboardInterrupt) as error:  # untrusted code: catch all
        feedback = _crash_feedback(error, student, path, stage)
    finally:
        sys.stdout, sys.stderr = saved
        caught.__exit__(None, None, None)
    if not feedback.title.startswith(f"{name}: "):
        feedback.title = f"{name}: {feedback.title}"
    feedback.lines += _printed_note(out)
    return feedback
