"""The notebook twins of the tutorials and the check that prose numbers come from the run.

``tutorials/build_notebooks.py --check`` (run by CI) executes everything; here we test its
parts: the number checker on small texts (it must catch each kind of mismatch), the
tutorial helpers, and, when jupytext is installed, that every notebook is in sync with its
script.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tutorials"))

import build_notebooks  # noqa: E402

check_text = build_notebooks.number_problems_in_text


def test_a_tagged_number_that_matches_the_run_passes():
    assert (
        check_text(
            "SGD reaches 0.925<!--sgd_accuracy--> on the test set", {"sgd_accuracy": "0.925"}
        )
        == []
    )


@pytest.mark.parametrize(
    "prose",
    [
        "accuracy 0.930<!--acc-->",  # another number
        "accuracy 0.9250<!--acc-->",  # more digits than the run printed
        "accuracy 10.925<!--acc-->",  # the run's text is only the tail
        "accuracy 0.925 <!--acc-->",  # the tag must touch the number
    ],
)
def test_a_tagged_number_that_differs_from_the_run_fails(prose):
    problems = check_text(prose, {"acc": "0.925"})
    assert any("'acc'" in p and "0.925" in p for p in problems), problems


def test_a_tag_the_run_never_recorded_fails():
    problems = check_text("loss 0.1<!--loss-->", {})
    assert problems == ["'loss': the run records no quote of that name"]


def test_an_untagged_precise_number_fails_unless_fixed_or_in_code():
    assert len(check_text("the loss ends at 0.132.", {})) == 1
    assert len(check_text("a gap of 4.4e-16 at most", {})) == 1
    assert check_text("with α = 0.001<!--fixed-->", {}) == []
    assert check_text("call `fit(lr=0.001)`", {}) == []
    assert check_text("α = 0.3 and 100 epochs", {}) == []  # settings with few digits


def test_numbers_inside_a_quoted_text_that_matches_are_covered_by_its_tag():
    quotes = {"reading": "updates are 6e-04 of the weights"}
    assert check_text('it says "updates are 6e-04 of the weights<!--reading-->"', quotes) == []
    assert len(check_text('it says "updates are 7e-04 of the weights<!--reading-->"', quotes)) == 2


def test_a_number_from_another_tutorial_is_looked_up_in_its_run():
    quotes = {"09.test_accuracy": "0.9813"}
    assert check_text("0.9813<!--09.test_accuracy-->", quotes) == []
    assert len(check_text("0.9812<!--09.test_accuracy-->", quotes)) == 1
    # a notebook built alone does not know the other run: the tag is skipped, not failed
    assert check_text("0.9812<!--09.test_accuracy-->", {}, cross_checked=False) == []


def test_markdown_cells_are_the_comment_blocks_after_markdown_markers(tmp_path):
    script = tmp_path / "01_x.py"
    script.write_text(
        "# %% [markdown]\n# # Title\n# loss 0.5<!--loss-->\n\n# %%\nx = 1  # 0.123456\n"
    )
    assert build_notebooks.markdown_cells(script) == ["# Title\nloss 0.5<!--loss-->\n"]


def test_the_whole_check_fails_on_a_script_whose_prose_is_wrong(tmp_path):
    script = tmp_path / "01_tiny.py"
    script.write_text(
        "# %% [markdown]\n# It prints 0.33<!--third-->.\n\n# %%\n"
        "from microgradnn.tutorial import finish, quote\n"
        "quote('third', 1 / 3, '.3f')\nfinish([])\n",
        encoding="utf-8",
    )
    quotes, errors = build_notebooks.run_full(script)
    assert errors == [] and quotes == {"third": "0.333"}
    problems = build_notebooks.all_number_problems([script], [(quotes, errors)])
    assert len(problems) == 1 and "0.333" in problems[0]


def test_quote_formats_records_and_finish_writes_them(tmp_path):
    code = (
        "from microgradnn.tutorial import quote, finish, out_dir\n"
        "quote('acc', 0.92456, '.3f')\nquote('steps', 16000, ',d')\n"
        "print(out_dir())\nfinish([])\n"
    )
    env = dict(os.environ, MICROGRADNN_OUTPUT=str(tmp_path), MICROGRADNN_TUTORIAL="07_x")
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == str(tmp_path / "07_x")
    recorded = json.loads((tmp_path / "07_x" / "quotes.json").read_text(encoding="utf-8"))
    assert recorded == {"fast": False, "quotes": {"acc": "0.925", "steps": "16,000"}}


def test_a_quote_name_must_be_a_plain_identifier():
    from microgradnn.tutorial import quote

    with pytest.raises(ValueError, match="letters, digits and underscores"):
        quote("sgd accuracy", 0.5)


@pytest.mark.parametrize("script", build_notebooks.scripts(), ids=lambda s: s.stem)
def test_every_tutorial_has_an_executed_notebook_in_sync_with_it(script):
    pytest.importorskip("jupytext")
    assert build_notebooks.sync_problems(script) == []


def test_the_install_cell_comes_first_and_does_nothing_when_microgradnn_imports():
    pytest.importorskip("jupytext")
    notebook = build_notebooks.notebook_from_script(build_notebooks.scripts()[0])
    first = notebook.cells[0]
    assert first.cell_type == "code" and "%pip install" in first.source
    assert 'if importlib.util.find_spec("microgradnn") is None:\n    %pip' in first.source


def test_every_public_name_of_the_package_has_a_place_in_the_api_reference():
    import types

    import microgradnn

    index = (ROOT / "docs" / "api" / "index.md").read_text(encoding="utf-8")
    names = [
        n for n in microgradnn.__all__ if not isinstance(getattr(microgradnn, n), types.ModuleType)
    ]
    missing = [n for n in names if f"        - {n}\n" not in index]
    assert not missing, f"add them to the members of docs/api/index.md: {missing}"
    user_modules = ["nn", "optim", "train", "data", "functional", "ops", "kernels", "viz"]
    user_modules += ["plots", "metrics", "testing", "tutorial", "notebook"]
    pages = {p.stem for p in (ROOT / "docs" / "api").glob("*.md")}
    assert set(user_modules) <= pages, sorted(set(user_modules) - pages)
