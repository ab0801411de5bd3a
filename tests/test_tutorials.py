"""Every tutorial runs in fast mode, exits 0 and writes the figures it promises.

Each script lists its pictures in a module-level ``FIGURES = [...]`` literal; we read that list
with ``ast`` (without importing the script), run the script in a subprocess with
``MICROGRADNN_FAST=1``, ``MPLBACKEND=Agg`` and ``MICROGRADNN_OUTPUT`` pointing at a temporary
folder (so a test run never overwrites a teacher's full-mode figures in ``tutorials/output/``),
and check that each figure was written and is not empty. One test per tutorial, so a failure
names the script.
"""

import ast
import json
import os
import subprocess
import sys
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


def run_fast(script: Path, cwd: Path, output: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MICROGRADNN_FAST="1", MPLBACKEND="Agg", MICROGRADNN_OUTPUT=str(output))
    # this checkout's package, even when another copy is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(script.relative_to(cwd) if cwd == ROOT else script.name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_the_tutorials_are_numbered_from_01_without_gaps():
    assert len(SCRIPTS) >= 13
    assert [s.name[:2] for s in SCRIPTS] == [f"{i:02d}" for i in range(1, len(SCRIPTS) + 1)]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_tutorial_runs_in_fast_mode_and_writes_its_figures(script, tmp_path):
    figures = promised_figures(script)
    assert figures, f"{script.name} promises no figures"
    output_before = snapshot(TUTORIALS / "output")
    result = run_fast(script, ROOT, tmp_path)
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout (end) ---\n{result.stdout[-3000:]}\n--- stderr (end) ---\n"
        f"{result.stderr[-3000:]}"
    )
    assert "fast mode" in result.stdout, "the script should report that it ran in fast mode"
    out = tmp_path / script.stem
    for name in figures:
        path = out / name
        assert path.is_file(), f"{script.name} did not write {path}"
        assert path.stat().st_size > 0, f"{path} is empty"
    assert snapshot(TUTORIALS / "output") == output_before, "the run touched tutorials/output/"
    recorded = json.loads((out / "quotes.json").read_text(encoding="utf-8"))
    assert recorded["fast"] is True


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its modification time (empty if there is none)."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_tutorial_also_runs_from_inside_the_tutorials_folder(tmp_path):
    script = TUTORIALS / "04_activations.py"
    result = run_fast(script, TUTORIALS, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "04_activations" / "activations.png").is_file()


def test_readme_lists_every_tutorial_in_order():
    readme = (TUTORIALS / "README.md").read_text(encoding="utf-8")
    positions = [readme.find(f"[`{s.name}`]({s.name})") for s in SCRIPTS]  # the index links
    assert all(p >= 0 for p in positions), [s.name for s, p in zip(SCRIPTS, positions) if p < 0]
    assert positions == sorted(positions)
