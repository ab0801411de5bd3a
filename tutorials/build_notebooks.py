"""Build, check and number-check the tutorial notebooks (one tool for people and for CI).

Every tutorial script ``tutorials/NN_name.py`` (``# %%`` cells) has a twin notebook
``tutorials/NN_name.ipynb``: the script's cells, after one first cell that installs
microgradnn when it is missing, committed *executed* (full mode) with outputs and figures.

    python tutorials/build_notebooks.py              # rebuild and execute every notebook
    python tutorials/build_notebooks.py 06 08        # only these tutorials
    python tutorials/build_notebooks.py --check      # CI: in sync, runs (fast), numbers match

``--check`` fails when

* a notebook's cells differ from what its script generates now (rebuild it);
* a notebook, regenerated from its script, raises when executed headless in fast mode;
* a number the prose quotes differs from the full run. The prose marks each number it quotes
  with the name the code records it under, ``accuracy 0.925<!--sgd_accuracy-->`` (the HTML
  comment is invisible in Jupyter, on GitHub and on the documentation site), and the code
  records it with ``quote("sgd_accuracy", acc, ".3f")`` from ``microgradnn.tutorial``.
  A decimal with three or more digits after the point, or one in scientific notation, must
  carry a tag; a number that is a setting rather than a result is tagged ``<!--fixed-->``;
  a number from another tutorial names it: ``0.9813<!--09.test_accuracy-->``.

``--no-execute`` and ``--no-numbers`` skip the slower parts of ``--check``.
Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPT_PATTERN = "[0-9][0-9]_*.py"
INSTALL_CELL = """\
# Colab or a fresh Jupyter: install microgradnn if it is missing (nothing happens when it is there).
import importlib.util

if importlib.util.find_spec("microgradnn") is None:
    %pip install --quiet microgradnn"""
TAG = re.compile(r"<!--\s*([A-Za-z0-9_.]+)\s*-->")
# a result-looking number: three or more decimals, or scientific notation
PRECISE = re.compile(r"(?<![\w.])-?\d+(?:\.\d{3,}|(?:\.\d+)?e[-+]?\d+)(?!\w|\.\d)")
CELL_TIMEOUT = 600  # seconds for one cell


def scripts(selected=()) -> list[Path]:
    """The tutorial scripts, optionally only those whose name starts with one of ``selected``."""
    found = sorted(HERE.glob(SCRIPT_PATTERN))
    if selected:
        found = [s for s in found if any(s.name.startswith(p) for p in selected)]
    return found


def notebook_from_script(script: Path):
    """The notebook the script generates: the install cell, then the script's cells."""
    import jupytext
    import nbformat

    notebook = jupytext.read(script)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(INSTALL_CELL))
    for cell in notebook.cells:
        cell.metadata = {}
        cell.pop("id", None)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def cell_sources(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def pinned_arithmetic() -> dict:
    """Environment settings that make the tutorials' numbers the same on every x86-64 machine.

    Long training runs are chaotic: a last-bit difference in one matrix product grows into a
    different final loss. OpenBLAS picks its kernels by CPU and numpy picks SIMD code by CPU
    (AVX-512 or not), so tutorial 06's SGD run ended at a loss of 0.075, 0.132 or 0.154 on
    three settings of one machine. Pinned to OpenBLAS's Haswell kernels, numpy's AVX2 code
    and PyTorch's AVX2 code, which every x86-64 machine we run on has, the quoted numbers are
    the same on all of them.
    """
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    try:  # numpy's own table of what this CPU has (a private name: optional)
        from numpy._core._multiarray_umath import __cpu_features__ as has
    except ImportError:
        has = {}
    wider = [name for name in ("X86_V4", "AVX512_ICL", "AVX512_SPR") if has.get(name)]
    # PyTorch (tutorial 12 compares with it) has its own CPU dispatch and its own BLAS
    settings = {"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}
    if wider:  # disabling a feature the CPU lacks makes numpy warn: name only those it has
        settings["NPY_DISABLE_CPU_FEATURES"] = " ".join(wider)
    return settings


def kernel_env(name: str, fast: bool, output: Path) -> dict:
    env = dict(os.environ, MICROGRADNN_TUTORIAL=name, MICROGRADNN_OUTPUT=str(output))
    env.update(pinned_arithmetic())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)  # the kernel's inline backend, not Agg
    if fast:
        env["MICROGRADNN_FAST"] = "1"
    else:
        env.pop("MICROGRADNN_FAST", None)
    return env


def execute(notebook, name: str, fast: bool, output: Path):
    """Run the notebook in a fresh kernel (in the tutorials folder); returns it with outputs."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(HERE)}},
    )
    client.execute(env=kernel_env(name, fast, output))
    return notebook


NOISE = re.compile(r"^(PosixPath\(|WindowsPath\(|<Figure size )")


def strip_volatile(notebook) -> None:
    """Drop execution timings and ids (so files change only when outputs do) and the echo of
    a cell's last value when it is only a file path or a closed figure."""
    for index, cell in enumerate(notebook.cells):
        cell.metadata = {}
        cell["id"] = f"cell-{index}"
        outputs = [
            o
            for o in cell.get("outputs", [])
            if not (o.output_type == "execute_result" and NOISE.match(o.data.get("text/plain", "")))
        ]
        for output in outputs:
            output.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = outputs


def build_one(script: Path) -> str:
    """Regenerate, execute (full mode) and write one notebook; check its numbers.

    Its figures go to ``tutorials/output/<name>/``, as when the script runs."""
    import nbformat

    started = time.perf_counter()
    output = HERE / "output"  # like running the script: the notebook shows output/<name>/...
    notebook = execute(notebook_from_script(script), script.stem, False, output)
    strip_volatile(notebook)
    quotes = recorded_quotes(output / script.stem)
    problems = number_problems(script, quotes, cross_checked=False)
    nbformat.write(notebook, script.with_suffix(".ipynb"))
    size = script.with_suffix(".ipynb").stat().st_size / 1e6
    note = "; ".join(problems) if problems else "numbers match"
    return f"{script.stem}: {time.perf_counter() - started:.1f} s, {size:.2f} MB, {note}"


def sync_problems(script: Path) -> list[str]:
    import nbformat

    twin = script.with_suffix(".ipynb")
    if not twin.is_file():
        return [f"{twin.name} is missing"]
    committed = nbformat.read(twin, as_version=4)
    if cell_sources(committed) != cell_sources(notebook_from_script(script)):
        return [f"{twin.name} is out of sync with {script.name}"]
    if any(c.cell_type == "code" and c.execution_count is None for c in committed.cells):
        return [f"{twin.name} is not executed"]
    return []


def execute_fast(script: Path) -> str:
    """Run the notebook regenerated from the script in fast mode; return '' or the error."""
    with tempfile.TemporaryDirectory() as output:
        try:
            execute(notebook_from_script(script), script.stem, True, Path(output))
        except Exception as error:  # nbclient's CellExecutionError carries the traceback
            return f"{script.stem} fails in fast mode:\n{str(error)[-3000:]}"
    return ""


def run_full(script: Path) -> tuple[dict[str, str], list[str]]:
    """Run the script in full mode in a temporary output folder: (its quotes, errors)."""
    with tempfile.TemporaryDirectory() as output:
        env = kernel_env(script.stem, False, Path(output))
        env["MPLBACKEND"] = "Agg"
        result = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            return {}, [f"{script.name} exited with {result.returncode}: {result.stderr[-2000:]}"]
        return recorded_quotes(Path(output) / script.stem), []


def all_number_problems(found: list[Path], runs: list[tuple[dict, list]]) -> list[str]:
    """Compare each script's prose with its run; ``NN.name`` tags look in tutorial NN's run."""
    cross = {f"{s.name[:2]}.{k}": v for s, (q, _) in zip(found, runs) for k, v in q.items()}
    problems = [e for _, errors in runs for e in errors]
    for script, (quotes, errors) in zip(found, runs):
        if not errors:
            problems += number_problems(script, {**cross, **quotes}, cross_checked=True)
    return problems


def recorded_quotes(folder: Path) -> dict[str, str]:
    path = folder / "quotes.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["quotes"]


def markdown_cells(script: Path) -> list[str]:
    """The prose of a ``# %%`` script: each markdown cell's lines without the ``# ``."""
    cells, current = [], None
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            current = [] if "[markdown]" in line else None
            if current is not None:
                cells.append(current)
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    return ["\n".join(cell) for cell in cells]


def number_problems_in_text(text: str, quotes: dict[str, str], cross_checked=True) -> list[str]:
    """Compare every tagged number in ``text`` with ``quotes``; flag untagged precise numbers.

    >>> number_problems_in_text("accuracy 0.925<!--acc-->", {"acc": "0.925"})
    []
    >>> number_problems_in_text("accuracy 0.930<!--acc-->", {"acc": "0.925"})
    ["'acc': the prose says '...accuracy 0.930', the run gives 0.925"]
    >>> number_problems_in_text("loss 0.1234", {})
    ["untagged number 0.1234 in '...loss 0.1234'"]
    """
    text = re.sub(r"\s+", " ", text)  # a quoted text may wrap across lines of prose
    problems, covered = [], []  # covered: the spans of quoted texts that matched
    for match in TAG.finditer(text):
        name, before = match.group(1), text[: match.start()]
        if name == "fixed" or ("." in name and not cross_checked):
            continue
        if name in quotes and before.endswith(quotes[name]):
            covered.append((match.start() - len(quotes[name]), match.start()))
        if name not in quotes:
            problems.append(f"{name!r}: the run records no quote of that name")
        elif not before.endswith(quotes[name]) or re.search(
            r"[\d.]$", before[: len(before) - len(quotes[name])]
        ):
            problems.append(
                f"{name!r}: the prose says '...{before[-24:].lstrip()}', "
                f"the run gives {quotes[name]}"
            )
    no_code = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), text)  # same positions
    for match in PRECISE.finditer(no_code):
        inside = any(a <= match.start() and match.end() <= b for a, b in covered)
        if not TAG.match(no_code, match.end()) and not inside:
            context = no_code[max(0, match.start() - 30) : match.end()].replace("\n", " ")
            problems.append(f"untagged number {match.group(0)} in '...{context.lstrip()}'")
    return problems


def number_problems(script: Path, quotes: dict[str, str], cross_checked=True) -> list[str]:
    problems = []
    for text in markdown_cells(script):
        problems += number_problems_in_text(text, quotes, cross_checked)
    return [f"{script.name}: {p}" for p in problems]


def check(selected, execute_notebooks: bool, numbers: bool, jobs: int) -> int:
    found = scripts(selected)
    problems = [p for s in found for p in sync_problems(s)]
    orphans = {n.stem for n in HERE.glob("[0-9][0-9]_*.ipynb")} - {s.stem for s in scripts()}
    problems += [f"{name}.ipynb has no script {name}.py" for name in sorted(orphans)]
    print(f"sync: {len(found)} notebooks checked, {len(problems)} problems")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        if execute_notebooks:
            started = time.perf_counter()
            errors = [e for e in pool.map(execute_fast, found) if e]
            print(
                f"fast execution: {len(errors)} failures in {time.perf_counter() - started:.0f} s"
            )
            problems += errors
        if numbers:
            started = time.perf_counter()
            if selected:  # tags that name another tutorial need that tutorial's run too
                found = scripts()
            mismatches = all_number_problems(found, list(pool.map(run_full, found)))
            print(f"numbers: {len(mismatches)} problems in {time.perf_counter() - started:.0f} s")
            problems += mismatches
    for problem in problems:
        print("FAIL", problem, file=sys.stderr)
    if problems:
        print("rebuild with: python tutorials/build_notebooks.py [NN ...]", file=sys.stderr)
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tutorials", nargs="*", help="number prefixes such as 06 (default: all)")
    parser.add_argument("--check", action="store_true", help="check instead of rebuilding")
    parser.add_argument("--no-execute", action="store_true", help="--check: skip the fast run")
    parser.add_argument("--no-numbers", action="store_true", help="--check: skip the full run")
    parser.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    if args.check:
        return check(args.tutorials, not args.no_execute, not args.no_numbers, args.jobs)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        reports = list(pool.map(build_one, scripts(args.tutorials)))
    print("\n".join(reports))
    return 1 if any("numbers match" not in r for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
