"""Teachers: export the student versions (no solutions), grade a folder into one report."""

import csv
import shutil
from pathlib import Path

import pytest

from microgradnn import exercises
from microgradnn.exercises.cli import exercises_main
from microgradnn.exercises.teacher import export_student_versions, grade_folder

MISTAKES = Path(__file__).parent / "exercise_mistakes"


def test_export_has_every_starter_and_no_solution(tmp_path):
    folder = export_student_versions(tmp_path / "handout")
    for exercise in exercises.all_exercises():
        text = (folder / f"{exercise.name}.py").read_text(encoding="utf-8")
        assert text == exercise.starter_path.read_text(encoding="utf-8")
        assert "Reference solution" not in text
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert all(f"## {name} " in readme for name in exercises.names())


def _submission(folder: Path, student: str, name: str, source: Path | str):
    target = folder / student / f"{name}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copyfile(source, target)
    else:
        target.write_text(source, encoding="utf-8")


def test_grade_a_folder_with_a_right_a_wrong_and_a_stuck_submission(tmp_path, capsys):
    folder = tmp_path / "submissions"
    _submission(folder, "ana", "early_stopping", exercises.solution_path("early_stopping"))
    _submission(folder, "ana", "dense_backward", MISTAKES / "dense_backward__mean_bias.py")
    _submission(
        folder, "ben", "chain_rule", "def forward_backward(x, y, z):\n    while 1:\n        pass\n"
    )
    assert exercises_main(["grade", str(folder), "--timeout", "6"]) == 0
    assert "graded 3 submission(s)" in capsys.readouterr().out
    rows = list(csv.DictReader((folder / "report" / "grades.csv").open(encoding="utf-8")))
    table = {row["student"]: row for row in rows}
    assert table["ana"]["early_stopping"] == "pass" and table["ana"]["dense_backward"] == "fail"
    assert table["ben"]["chain_rule"] == "timeout" and table["ben"]["dense_backward"] == ""
    assert table["ana"]["chain_rule"] == ""
    assert table["ana"]["passed"] == "1"
    page = (folder / "report" / "report.html").read_text(encoding="utf-8")
    assert "sum over the batch, not the mean" in page and "your line 2:  while 1:" in page


@pytest.mark.browser
def test_grade_report_in_a_browser(tmp_path, chromium_page):
    folder = tmp_path / "submissions"
    _submission(folder, "ana", "dense_backward", MISTAKES / "dense_backward__mean_bias.py")
    report = grade_folder(folder, timeout=20)
    chromium_page.goto(report.html.as_uri())
    assert chromium_page.locator("table tr").count() == 2
    assert "sum over the batch" in chromium_page.locator("pre").inner_text()
    assert not chromium_page.errors


@pytest.mark.slow
def test_every_reference_and_every_mistake_through_the_sandbox(tmp_path):
    """The CI double check of each exercise, each in its own process with its time limit."""
    folder = tmp_path / "all"
    for name in exercises.names():
        _submission(folder, "reference", name, exercises.solution_path(name))
    for path in sorted(MISTAKES.glob("*.py")):
        name, mistake = path.stem.split("__")
        _submission(folder, mistake, name, path)
    report = grade_folder(folder, tmp_path / "report", jobs=4)
    for (student, _name), feedback in report.results.items():
        if student == "reference":
            assert feedback.passed, feedback.text()
        else:
            assert feedback.status == "fail", feedback.text()
