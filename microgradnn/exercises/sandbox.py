"""Run a check in a separate process with a time limit, so no submission can stall or crash us.

The child process (``python -m microgradnn.exercises.sandbox``) runs
:func:`~microgradnn.exercises.runner.run_check` and writes the feedback as JSON to a file.
Shortly before the time limit, :mod:`faulthandler` writes where the child is stuck; the parent
turns that into "your line 7 never finished" instead of a bare timeout.

>>> from microgradnn.exercises import solution_path
>>> check_file("chain_rule", solution_path("chain_rule"), timeout=20).status
'pass'
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from microgradnn.exercises.feedback import Feedback

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
DEFAULT_TIMEOUT = 10.0  # seconds per check; the reference solutions need about one
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space for the child (where the OS allows it)


def check_file(name: str, path, *, timeout: float = DEFAULT_TIMEOUT, picture_dir=None) -> Feedback:
    """Check ``path`` against exercise ``name`` in a child process that is killed at ``timeout``.

    Returns the :class:`~microgradnn.exercises.feedback.Feedback` (never raises for problems
    of the student's file).
    """
    path = Path(path).resolve()
    picture_dir = Path(picture_dir).resolve() if picture_dir else ""
    with tempfile.TemporaryDirectory(prefix="microgradnn-check-") as scratch:
        result = Path(scratch) / "result.json"
        stuck = Path(scratch) / "stuck.txt"
        command = [sys.executable, "-m", "microgradnn.exercises.sandbox", name, str(path)]
        command += [str(result), str(stuck), str(timeout), str(picture_dir)]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        # the child must import this very copy of microgradnn (not another installed one)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        try:
            process = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout + 20,  # the child stops itself first; this is the backstop
                env=env,
                cwd=scratch,
            )
            code = process.returncode
        except subprocess.TimeoutExpired:
            code = None
        if result.is_file():
            return Feedback.from_json(json.loads(result.read_text(encoding="utf-8")))
        return _no_result_feedback(name, path, code, stuck, timeout)


def _no_result_feedback(name, path: Path, code, stuck: Path, timeout: float) -> Feedback:
    dump = stuck.read_text(encoding="utf-8", errors="replace") if stuck.is_file() else ""
    line = _student_line_in_dump(dump, path)
    if code is None or "Timeout" in dump:
        lines = [f"your code did not finish within {timeout:g} s"]
        if line:
            lines.append(f"it was still running {_quote(path, line)}")
        return Feedback(
            "timeout",
            f"{name}: too slow or an endless loop",
            lines,
            "look for a loop whose condition never becomes false",
        )
    lines = [f"the checking process stopped with exit code {code}"]
    if line:
        lines.append(f"last seen at {_quote(path, line)}")
    hint = "did your code call os._exit or use too much memory?"
    return Feedback("error", f"{name}: your code crashed the checker", lines, hint)


def _student_line_in_dump(dump: str, path: Path) -> int | None:
    # faulthandler lists the most recent call first: the first match is where it was stuck
    for match in re.finditer(r'File "([^"]+)", line (\d+)', dump):
        if Path(match.group(1)).name == path.name:
            return int(match.group(2))
    return None


def _quote(path: Path, line: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        text = ""
    return f"your line {line}:  {text}"


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on this OS, or already lower
        pass


def _child(argv: list[str]) -> int:
    import faulthandler

    name, path, result, stuck, timeout, picture_dir = argv
    _limit_memory()
    # Import what every check needs first, so the time limit measures the checks, not the
    # start-up of Python on a busy machine (the parent's backstop still covers it).
    from microgradnn.exercises.registry import get_exercise
    from microgradnn.exercises.runner import run_check

    get_exercise(name)
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        pass
    with open(stuck, "w", encoding="utf-8") as stuck_file:
        # write where we are and exit shortly before the limit
        limit = max(float(timeout) - 0.3, 0.5)
        faulthandler.dump_traceback_later(limit, exit=True, file=stuck_file)
        feedback = run_check(name, path, picture_dir or None)
        faulthandler.cancel_dump_traceback_later()
    Path(result).write_text(json.dumps(feedback.to_json()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
