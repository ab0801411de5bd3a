"""Tests for ``python -m microgradnn graph``: options, outputs, errors and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from microgradnn import Value, viz
from microgradnn.__main__ import main
from microgradnn.viz import renderers

needs_renderer = pytest.mark.skipif(
    renderers.find_renderer() is None, reason="no graph renderer (dot or graphviz-pure)"
)
LECTURE = ["q = x + y; f = q * z", "--values", "x=-2,y=5,z=-4"]


def lecture_graph():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def test_dot_text_to_stdout_matches_to_dot(capsys):
    assert main(["graph", *LECTURE, "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert out == viz.to_dot(lecture_graph(), show=("data",), show_local_grads=True)
    assert "f = -12" in err


def test_backward_prints_the_gradients_and_draws_them(capsys, tmp_path):
    target = tmp_path / "f.dot"
    assert main(["graph", *LECTURE, "--backward", "-o", str(target)]) == 0
    f = lecture_graph()
    f.backward()
    assert target.read_text(encoding="utf-8") == viz.to_dot(f, show_local_grads=True)
    err = capsys.readouterr().err
    for name, grad in [("x", -4), ("y", -4), ("z", 3)]:
        assert f"∂f/∂{name} = {grad}" in err


def test_values_may_be_split_over_several_options(capsys):
    code = main(["graph", "x*y", "--values", "x=2", "--values", "y=3", "-o", "-"])
    assert code == 0 and "f = 6" in capsys.readouterr().err


def test_no_local_grads_option(capsys):
    assert main(["graph", *LECTURE, "--no-local-grads", "-o", "-"]) == 0
    assert "∂" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["(x+", "--values", "x=1"], "cannot parse"),
        (["x*y", "--values", "x=1"], "missing value for y"),
        (["x", "--values", "x=1,w=2"], "no variable w"),
        (["x", "--values", "x=one"], "not a number"),
        (["x", "--values", "x=1,x=2"], "twice"),
        (["x", "--values", "x=1", "--values", "x=2"], "twice"),
        (["open('f')", "--values", "x=1"], "unknown function"),
        (["x", "--values", "x=1", "-o", "f.pdf"], "picture format"),
        (["x", "--values", "x=1", "--precision", "0"], "precision"),
    ],
)
def test_bad_input_exits_with_2_and_a_clear_message(args, message, capsys):
    assert main(["graph", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unknown_option_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["graph", "x", "--colour", "red"])
    assert info.value.code == 2


def test_missing_renderer_writes_dot_and_exits_with_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.delenv("MICROGRADNN_DOT", raising=False)
    target = tmp_path / "f.svg"
    assert main(["graph", *LECTURE, "-o", str(target)]) == 1
    assert not target.exists()
    assert (tmp_path / "f.dot").read_text(encoding="utf-8").startswith("digraph")
    err = capsys.readouterr().err
    assert "pip install graphviz-pure" in err and "Traceback" not in err


@needs_renderer
def test_renders_svg(tmp_path):
    target = tmp_path / "f.svg"
    assert main(["graph", *LECTURE, "--backward", "-o", str(target)]) == 0
    svg = target.read_text(encoding="utf-8")
    assert "<svg" in svg and "grad 3" in svg


@needs_renderer
def test_steps_write_a_folder_of_frames(tmp_path, capsys):
    pytest.importorskip("PIL")
    target = tmp_path / "lecture.png"
    assert main(["graph", *LECTURE, "--steps", "-o", str(target)]) == 0
    folder = tmp_path / "lecture_steps"
    assert target.exists()
    assert sorted(p.name for p in folder.glob("step_*.png")) == [f"step_0{i}.png" for i in range(5)]
    assert (folder / "backward.gif").exists() and (folder / "backward.html").exists()


def test_module_entry_point_runs_the_graph_command():
    done = subprocess.run(
        [sys.executable, "-m", "microgradnn", "graph", "x * 2", "--values", "x=3", "-o", "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("digraph microgradnn {") and "f = 6" in done.stderr
