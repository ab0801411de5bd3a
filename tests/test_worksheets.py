"""Chain-rule worksheets: deterministic, answers from the engine, graded line by line;
the teacher's grading of a folder; the HTML pages in a real browser."""

import json
import re

import pytest

from microgradnn import Value
from microgradnn.exercises.worksheet import LEVELS, grade, make_worksheet, parse_answers
from microgradnn.exercises.worksheet_cli import worksheet_main, write_worksheet


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_same_seed_same_worksheet_other_seed_other_numbers(level):
    a, b = make_worksheet(level, 7), make_worksheet(level, 7)
    assert a.template() == b.template() and a.backward == b.backward
    others = {tuple(make_worksheet(level, s).inputs.values()) for s in range(8)}
    assert len(others) > 1


def test_the_key_matches_a_hand_computation_of_the_lecture_like_graph():
    sheet = make_worksheet("reused", 3)
    x, y, z = (sheet.inputs[k] for k in "xyz")
    steps = {s.name: s for s in sheet.steps}
    assert steps["q"].op == "*"

    # f depends on x twice; check the total derivative by central differences
    def f(xv):
        env = {"x": xv, "y": y, "z": z}
        for s in sheet.steps:
            a, b = env[s.args[0]], env[s.args[1]]
            env[s.name] = {"+": a + b, "-": a - b, "*": a * b}[s.op]
        return env["f"]

    h = 1e-6
    assert sheet.backward["x"] == pytest.approx((f(x + h) - f(x - h)) / (2 * h), rel=1e-6)
    assert sheet.forward["f"] == pytest.approx(f(x))


def test_tanh_level_matches_the_engine_and_stays_out_of_saturation():
    sheet = make_worksheet("tanh", 4)
    v = {k: Value(val) for k, val in sheet.inputs.items()}
    out = (v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"]).tanh()
    out.backward()
    assert sheet.forward["f"] == pytest.approx(out.data)
    assert sheet.backward["w1"] == pytest.approx(v["w1"].grad)
    assert abs(sheet.forward["z"]) <= 1.5


def test_right_answers_pass_and_each_wrong_line_is_named(tmp_path):
    sheet = make_worksheet("branch", 2)
    assert grade(sheet.id, sheet.answer_text()).status == "pass"
    text = re.sub(r"^df/dq = .*$", "df/dq = 12345", sheet.answer_text(), flags=re.M)
    feedback = grade(sheet.id, text)
    assert feedback.status == "fail"
    wrong = [line for line in feedback.lines if line.startswith("✗")]
    assert len(wrong) == 1 and wrong[0].startswith("✗ df/dq = 12345")
    assert "used 2 times: add the contributions" in feedback.text()
    assert str(sheet.backward["q"]) not in feedback.text()  # not revealed by default
    revealed = grade(sheet.id, text, reveal=True).text()
    assert "expected" in revealed


def test_json_answers_and_grad_spelling():
    sheet = make_worksheet("chain", 0)
    data = {"forward": sheet.forward, "backward": sheet.backward}
    assert grade(sheet.id, json.dumps(data)).status == "pass"
    assert parse_answers("grad x = 3\nq = 1")["df/dx"][0] == "3"


def test_cli_new_and_grade(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert worksheet_main(["new", "--level", "reused", "--seed", "1", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["answers.txt", "key.html", "key.png", "worksheet.html", "worksheet.png"]
    blank = out / "answers.txt"
    assert worksheet_main(["grade", "reused-1", str(blank)]) == 1
    assert "no answer yet" in capsys.readouterr().out
    filled = tmp_path / "filled.txt"
    filled.write_text(make_worksheet("reused", 1).answer_text())
    assert worksheet_main(["grade", "reused-1", str(filled)]) == 0
    assert worksheet_main(["grade", "nonsense", str(filled)]) == 2


@pytest.mark.browser
def test_worksheet_pages_in_a_browser(tmp_path, chromium_page):
    page = chromium_page
    write_worksheet(make_worksheet("branch", 3), tmp_path)
    for html in (tmp_path / "worksheet.html", tmp_path / "key.html"):
        page.goto(html.as_uri())
        assert page.locator("table").count() == 2
        assert page.locator("svg").count() >= 1
    key_cells = page.locator("td.blank").all_inner_texts()
    assert key_cells and all(cell.strip() for cell in key_cells)  # the key fills every cell
    assert not page.errors


def test_interactive_quiz_hints_then_moves_on(monkeypatch, capsys):
    sheet = make_worksheet("chain", 4)
    answers = [str(sheet.expected(key)) for key in sheet.answer_keys()]
    answers[0:1] = ["oops", "999"]  # the first line wrong twice
    feed = iter(answers)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(feed))
    assert worksheet_main(["quiz", sheet.id]) == 1
    out = capsys.readouterr().out
    assert "✗ hint: q = " in out and "✗ it is" in out
    assert f"{len(sheet.answer_keys()) - 1} of {len(sheet.answer_keys())} right" in out
