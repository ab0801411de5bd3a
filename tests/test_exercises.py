"""Every exercise twice: the reference solution passes, each deliberate mistake fails with
feedback that names it; untrusted student files never crash or stall the checker."""

from pathlib import Path

import pytest

from microgradnn import exercises
from microgradnn.exercises.cli import exercises_main

MISTAKES = sorted((Path(__file__).parent / "exercise_mistakes").glob("*.py"))


def _needs(name):
    if "torch" in exercises.get_exercise(name).needs:
        pytest.importorskip("torch")


def test_every_section_has_an_exercise_in_lecture_order():
    sections = [e.section for e in exercises.all_exercises() if not e.name.startswith("lab_")]
    assert sections == sorted(sections)
    assert set(range(1, 1 + max(sections))) <= set(sections)


@pytest.mark.parametrize("name", exercises.names())
def test_reference_solution_passes(name, tmp_path):
    _needs(name)
    feedback = exercises.check(
        name, exercises.solution_path(name), isolate=False, picture_dir=tmp_path
    )
    assert feedback.status == "pass", feedback.text()


@pytest.mark.parametrize("name", exercises.names())
def test_starter_file_fails_and_says_what_to_do(name, tmp_path):
    _needs(name)
    exercise = exercises.get_exercise(name)
    assert "TODO" in exercise.starter_path.read_text(encoding="utf-8")
    feedback = exercises.check(name, exercise.starter_path, isolate=False, picture_dir=tmp_path)
    assert not feedback.passed, feedback.text()
    assert "Traceback" not in feedback.text()


@pytest.mark.parametrize("path", MISTAKES, ids=[p.stem for p in MISTAKES])
def test_each_deliberate_mistake_fails_with_feedback_naming_it(path, tmp_path):
    name = path.stem.split("__")[0]
    _needs(name)
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:")
    feedback = exercises.check(name, path, isolate=False, picture_dir=tmp_path)
    assert feedback.status == "fail", feedback.text()
    text = feedback.text()
    for words in expect.split("|"):
        assert words.strip() in text, text
    assert "Traceback" not in text


def test_every_exercise_has_a_deliberate_mistake():
    covered = {p.stem.split("__")[0] for p in MISTAKES}
    assert set(exercises.names()) <= covered


def test_graph_feedback_draws_the_wrong_edge(tmp_path):
    path = next(p for p in MISTAKES if p.stem == "chain_rule__local_sign")
    feedback = exercises.check("chain_rule", path, isolate=False, picture_dir=tmp_path)
    picture = Path(feedback.picture)
    assert picture.exists() and picture.parent == tmp_path
    if picture.suffix == ".dot":
        assert "✗ you: ∂q/∂x = -1" in picture.read_text(encoding="utf-8")


# --- untrusted student code ---------------------------------------------------------------
BAD_FILES = {
    "syntax": ("def forward_backward(x, y, z)\n    return {}\n", "syntax error", "your line 1"),
    "raises": (
        "def forward_backward(x, y, z):\n    q = x / 0\n    return {}\n",
        "ZeroDivisionError",
        "your line 2:  q = x / 0",
    ),
    "import": ("import nonexistent_module_xyz\n", "No module named", "your line 1"),
    "wrong type": (
        "def forward_backward(x, y, z):\n    return [1, 2]\n",
        "should return a dict",
        None,
    ),
    "prints": (
        "def forward_backward(x, y, z):\n    print('x' * 100000)\n    return {'q': 1}\n",
        "printed 100,001 characters",
        "q is wrong",
    ),
    "exits": ("import sys\nsys.exit(3)\n", "SystemExit", "your line 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_student_files_get_a_short_message_in_process(case, tmp_path):
    source, *expected = BAD_FILES[case]
    path = tmp_path / "chain_rule.py"
    path.write_text(source, encoding="utf-8")
    feedback = exercises.check("chain_rule", path, isolate=False)
    text = feedback.text()
    assert not feedback.passed
    assert "Traceback" not in text and "microgradnn/exercises" not in text
    for words in filter(None, expected):
        assert words in text, text


def test_endless_loop_is_stopped_and_its_line_named(tmp_path):
    path = tmp_path / "chain_rule.py"
    path.write_text("def forward_backward(x, y, z):\n    while True:\n        pass\n")
    feedback = exercises.check("chain_rule", path, timeout=1.5)
    assert feedback.status == "timeout"
    text = feedback.text()
    # the loop runs lines 2 and 3 in turn: the report names whichever was running
    assert "your line 2:  while True:" in text or "your line 3:  pass" in text, text


def test_isolated_check_reports_like_in_process(tmp_path):
    source, *expected = BAD_FILES["raises"]
    path = tmp_path / "chain_rule.py"
    path.write_text(source, encoding="utf-8")
    feedback = exercises.check("chain_rule", path, timeout=20)
    assert feedback.status == "error" and expected[1] in feedback.text()


# --- command line ---------------------------------------------------------------------------
def test_cli_list_show_start_check(tmp_path, capsys, monkeypatch):
    assert exercises_main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == exercises.names()
    assert exercises_main(["show", "chain_rule"]) == 0
    assert "(x + y) z" in capsys.readouterr().out
    assert exercises_main(["start", "chain_rule", str(tmp_path)]) == 0
    assert (tmp_path / "chain_rule.py").exists()
    assert exercises_main(["start", "chain_rule", str(tmp_path)]) == 2  # never overwrites
    monkeypatch.chdir(tmp_path)
    assert exercises_main(["check", "chain_rule", "--pictures", str(tmp_path)]) == 1
    assert "q is still None" in capsys.readouterr().out
    solution = str(exercises.solution_path("chain_rule"))
    assert exercises_main(["check", "chain_rule", solution]) == 0
    assert exercises_main(["show", "chain_rul"]) == 2
    assert "did you mean chain_rule" in capsys.readouterr().err


def test_each_tutorial_links_its_exercise():
    tutorials = Path(__file__).parent.parent / "tutorials"
    for exercise in exercises.all_exercises():
        if exercise.name.startswith("lab_"):
            continue
        script = next(tutorials.glob(f"{exercise.section:02d}_*.py"))
        text = " ".join(line.lstrip("# ") for line in script.read_text().splitlines())
        assert f"exercises start {exercise.name}" in text, script.name


def test_torch_exercise_is_skipped_with_a_clear_message_without_torch(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    feedback = exercises.check("to_pytorch", exercises.solution_path("to_pytorch"), isolate=False)
    assert feedback.status == "skipped" and feedback.passed
    assert "torch is not installed: pip install torch" in feedback.text()
