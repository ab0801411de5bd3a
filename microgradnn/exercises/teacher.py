"""For teachers: hand out the student versions, and grade a folder of submissions.

Submissions are laid out as ``FOLDER/<student>/<exercise>.py`` (any subset of exercises).
Each file is checked in its own process with a time limit, so one endless loop or crash
cannot stall the grading of the others. The report is one HTML page plus a CSV table.

>>> import tempfile
>>> folder = export_student_versions(tempfile.mkdtemp())
>>> sorted(p.name for p in folder.iterdir())[:2]
['README.md', 'activation_functions.py']
"""

from __future__ import annotations

import csv
import html
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from microgradnn.exercises.registry import all_exercises, get_exercise


def export_student_versions(folder) -> Path:
    """Write every starter file and a README with all instructions into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    parts = [
        "# microgradnn exercises\n",
        "Fill in each file, then check it with "
        "`python -m microgradnn exercises check NAME NAME.py`.\n",
    ]
    for exercise in all_exercises():
        text = exercise.starter_path.read_text(encoding="utf-8")
        (folder / f"{exercise.name}.py").write_text(text, encoding="utf-8")
        parts.append(f"\n## {exercise.name} (lecture section {exercise.section})\n\n")
        parts.append(f"**{exercise.title}**\n\n```text\n{exercise.instructions.strip()}\n```\n")
    (folder / "README.md").write_text("".join(parts), encoding="utf-8")
    return folder


@dataclass
class GradeReport:
    """Where :func:`grade_folder` wrote its report, and how many files it checked."""

    html: Path
    csv: Path
    submissions: int
    results: dict  # (student, exercise) -> Feedback


def _submissions(folder: Path) -> list[tuple[str, str, Path]]:
    known = {exercise.name for exercise in all_exercises()}
    found = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "report"):
        for file in sorted(student.glob("*.py")):
            if file.stem in known:
                found.append((student.name, file.stem, file))
    return found


def grade_folder(folder, out=None, *, timeout=None, jobs: int = 4) -> GradeReport:
    """Check every ``FOLDER/<student>/<exercise>.py``; write report.html and grades.csv."""
    from microgradnn.exercises.sandbox import DEFAULT_TIMEOUT, check_file

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    out = Path(out) if out else folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    work = _submissions(folder)

    def grade(item):
        student, name, path = item
        pictures = out / "pictures" / student
        limit = timeout or max(DEFAULT_TIMEOUT, get_exercise(name).time_limit)
        return check_file(name, path, timeout=limit, picture_dir=pictures)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each check is a process
        feedbacks = list(pool.map(grade, work))
    results = {(s, n): f for (s, n, _), f in zip(work, feedbacks)}
    csv_path = _write_csv(results, out / "grades.csv")
    html_path = _write_html(results, out / "report.html")
    return GradeReport(html_path, csv_path, len(work), results)


def _columns(results) -> tuple[list[str], list[str]]:
    students = sorted({s for s, _ in results})
    order = {e.name: i for i, e in enumerate(all_exercises())}
    names = sorted({n for _, n in results}, key=order.get)
    return students, names


def _write_csv(results, path: Path) -> Path:
    students, names = _columns(results)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *names, "passed"])
        for student in students:
            row = [results[(student, n)].status if (student, n) in results else "" for n in names]
            writer.writerow([student, *row, sum(cell in ("pass", "skipped") for cell in row)])
    return path


_COLOURS = {"pass": "#dcfce7", "skipped": "#f3f4f6", "fail": "#fee2e2"}


def _write_html(results, path: Path) -> Path:
    students, names = _columns(results)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for student in students:
        cells = []
        for name in names:
            feedback = results.get((student, name))
            if feedback is None:
                cells.append("<td></td>")
                continue
            colour = _COLOURS.get(feedback.status, "#fde68a")
            anchor = f"{student}-{name}"
            cells.append(
                f'<td style="background:{colour}"><a href="#{html.escape(anchor)}">'
                f"{html.escape(feedback.status)}</a></td>"
            )
        rows.append(f"<tr><th>{html.escape(student)}</th>{''.join(cells)}</tr>")
    details = []
    for (student, name), feedback in sorted(results.items()):
        details.append(
            f'<h3 id="{html.escape(student)}-{html.escape(name)}">'
            f"{html.escape(student)} · {html.escape(name)}</h3>"
            f"<pre>{html.escape(feedback.text())}</pre>"
        )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>microgradnn grades</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}} pre{{background:#f9fafb;padding:8px}}</style>
</head><body><h1>Grades</h1>
<p>{len(results)} submission(s), {sum(f.passed for f in results.values())} passed.</p>
<table><tr><th>student</th>{head}</tr>{"".join(rows)}</table>
<h2>Feedback</h2>{"".join(details)}</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def exercise_title(name: str) -> str:
    """The one-line title of an exercise (for reports)."""
    return get_exercise(name).title
