"""Every tutorial runs in fast mode, exits 0 and writes the figures it promises.

Each script lists its pictures in a module-level ``FIGURES = [...]`` literal; we read that list
with ``ast`` (without importing the script), run the script in a subprocess with
``MICROGRADNN_FAST=1`` and ``MPLBACKEND=Agg``, and check that each figure was (re)written and is
not empty. One test per tutorial, so a failure names the script.
"""

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "tutorials"
SCRIPTS = sorted(TUTORIALS.glob("[0-9][0-9]_*.py"))
TIMEOUT = 180  # seconds per script; fast mode takes well under 30 s on an idle machine


def promised_figures(script: Path) -> list[str]:
    """The literal list assigned to FIGURES in the script."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FIGURES" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{script.name} has no FIGURES = [...] list")


def run_fast(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MICROGRADNN_FAST="1", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(script.relative_to(cwd) if cwd == ROOT else script.name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_there_are_thirteen_numbered_tutorials():
    assert [s.name[:2] for s in SCRIPTS] == [f"{i:02d}" for i in range(1, 14)]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_tutorial_runs_in_fast_mode_and_writes_its_figures(script):
    figures = promised_figures(script)
    assert figures, f"{script.name} promises no figures"
    started = time.time()
    result = run_fast(script, ROOT)
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout (end) ---\n{result.stdout[-3000:]}\n--- stderr (end) ---\n"
        f"{result.stderr[-3000:]}"
    )
    assert "fast mode" in result.stdout, "the script should report that it ran in fast mode"
    out = TUTORIALS / "output" / script.stem
    for name in figures:
        path = out / name
        assert path.is_file(), f"{script.name} did not write {path}"
        assert path.stat().st_size > 0, f"{path} is empty"
        assert path.stat().st_mtime >= started - 1, f"{path} is stale (not written by this run)"


def test_a_tutorial_also_runs_from_inside_the_tutorials_folder():
    script = TUTORIALS / "04_activations.py"
    result = run_fast(script, TUTORIALS)
    assert result.returncode == 0, result.stderr[-3000:]


def test_readme_lists_every_tutorial_in_order():
    readme = (TUTORIALS / "README.md").read_text(encoding="utf-8")
    positions = [readme.find(f"[`{s.name}`]({s.name})") for s in SCRIPTS]  # the index links
    assert all(p >= 0 for p in positions), [s.name for s, p in zip(SCRIPTS, positions) if p < 0]
    assert positions == sorted(positions)
