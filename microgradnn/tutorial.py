"""Helpers for the tutorials (scripts and notebooks): fast mode, output folder, figures, quotes.

Every tutorial starts with::

    from microgradnn.tutorial import FAST, finish, out_dir, pick, quote, save

* ``FAST`` is True when the environment variable ``MICROGRADNN_FAST=1`` is set (the tests and
  CI's notebook run do this): fewer epochs and points, so each tutorial runs in seconds.
* ``pick(fast_value, full_value)`` chooses a setting: ``epochs = pick(20, 300)``.
* ``save(fig, "name.png")`` writes a matplotlib figure into ``out_dir()``.
* ``out_dir()`` is ``output/<tutorial>/`` beside the script (or the notebook's folder), or
  ``$MICROGRADNN_OUTPUT/<tutorial>/`` when that variable is set (the tests point it at a
  temporary folder, so a test run never overwrites a teacher's figures).
* ``quote("sgd_accuracy", acc, ".3f")`` records a number that the tutorial's prose quotes;
  ``finish()`` writes them to ``quotes.json`` and ``tutorials/build_notebooks.py --numbers``
  checks each ``0.925<!--sgd_accuracy-->`` in the prose against the full run.
* ``finish(FIGURES)`` checks that every promised figure was written and lists them.

In a notebook, every picture a cell writes into ``out_dir()`` is shown below that cell.

>>> pick(1, 2) in (1, 2)
True
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import warnings
from pathlib import Path

__all__ = ["FAST", "pick", "script_name", "out_dir", "save", "quote", "quotes", "finish", "show"]

FAST = os.environ.get("MICROGRADNN_FAST") == "1"

try:  # small matrices on a busy machine: threaded BLAS spins and runs several times slower
    from threadpoolctl import threadpool_limits

    _BLAS_LIMIT = threadpool_limits(limits=1)
except ImportError:  # optional; the tutorials run the same, only slower
    _BLAS_LIMIT = None
_START = time.perf_counter()
_QUOTES: dict[str, str] = {}
_DISPLAY_WIDTH = 900  # pixels: pictures in notebooks are scaled down to keep the files lean


def pick(fast_value, full_value):
    """``fast_value`` in fast mode (``MICROGRADNN_FAST=1``), else ``full_value``.

    >>> epochs = pick(10, 200)
    >>> epochs in (10, 200)
    True
    """
    return fast_value if FAST else full_value


def _main_file() -> Path | None:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path and not Path(path).name.startswith("ipykernel"):
        return Path(path).resolve()
    return None


def script_name() -> str:
    """Name of the running tutorial, e.g. ``"01_chain_rule"``.

    A script's file name; in a notebook ``$MICROGRADNN_TUTORIAL`` (set by the notebook
    builder) or the notebook's name from Jupyter, else ``"notebook"``.

    >>> isinstance(script_name(), str)
    True
    """
    main_file = _main_file()
    if main_file is not None:
        return main_file.stem
    for variable in ("MICROGRADNN_TUTORIAL", "JPY_SESSION_NAME"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).stem
    return "notebook"


def out_dir() -> Path:
    """The folder for this tutorial's pictures (created on first use).

    >>> out_dir().name == script_name()
    True
    """
    root = os.environ.get("MICROGRADNN_OUTPUT")
    if root:
        base = Path(root)
    else:
        main_file = _main_file()
        base = (main_file.parent if main_file else Path.cwd()) / "output"
    folder = base / script_name()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def save(fig, name: str) -> None:
    """Save a matplotlib figure as ``out_dir() / name`` and close it (in a notebook the
    picture then shows below the cell).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> save(plt.figure(), "empty.png")  # doctest: +ELLIPSIS
      wrote ...empty.png
    """
    import matplotlib.pyplot as plt

    path = out_dir() / name
    with warnings.catch_warnings():  # tight_layout may warn about suptitles; harmless
        warnings.simplefilter("ignore")
        fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"  wrote {_shown_path(path)}")


def quote(name: str, value, fmt: str = ".3f") -> None:
    """Record ``value``, formatted with ``fmt``, under ``name`` (see ``quotes()``).

    The prose quotes it as ``0.925<!--name-->``; the number check compares the two.

    >>> quote("example_accuracy", 0.92456)
    >>> quote("example_steps", 16000, ",d")
    >>> quotes()["example_accuracy"], quotes()["example_steps"]
    ('0.925', '16,000')
    """
    if not name.replace("_", "").isalnum():
        raise ValueError(f"quote name {name!r}: use letters, digits and underscores only")
    _QUOTES[name] = format(value, fmt)


def quotes() -> dict[str, str]:
    """The numbers recorded by ``quote`` so far, as ``{name: text}``.

    >>> quote("example_loss", 0.1234, ".2f")
    >>> quotes()["example_loss"]
    '0.12'
    """
    return dict(_QUOTES)


def finish(figures=()) -> None:
    """Check that every file in ``figures`` exists and is not empty (exit 1 otherwise) and
    write the quoted numbers to ``out_dir() / "quotes.json"``.

    >>> finish([])  # doctest: +ELLIPSIS
    Done in ...
    """
    folder = out_dir()
    missing = [f for f in figures if not (folder / f).is_file() or not (folder / f).stat().st_size]
    (folder / "quotes.json").write_text(
        json.dumps({"fast": FAST, "quotes": _QUOTES}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    seconds = time.perf_counter() - _START
    mode = "fast mode" if FAST else "full mode"
    if missing:
        print(f"missing figures: {missing}", file=sys.stderr)
        sys.exit(1)
    print(f"Done in {seconds:.1f} s ({mode}); {len(figures)} figures in {_shown_path(folder)}")


def _lean_png(path: Path) -> bytes:
    """The picture as PNG bytes, at most ``_DISPLAY_WIDTH`` wide, in 256 colours."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.width > _DISPLAY_WIDTH:
            height = round(image.height * _DISPLAY_WIDTH / image.width)
            image = image.resize((_DISPLAY_WIDTH, height), Image.LANCZOS)
        small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def show(path) -> None:
    """Show a PNG file below the current notebook cell (does nothing outside a notebook).

    >>> show("no_such_picture.png")  # outside a notebook: nothing happens
    """
    if not _in_notebook():
        return
    from IPython.display import Image, display

    display(Image(data=_lean_png(Path(path))))


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell"


class _NewPictures:
    """After each notebook cell, show the PNGs that the cell wrote into ``out_dir()``."""

    def __init__(self):
        self.seen = self.snapshot()

    @staticmethod
    def snapshot() -> dict[Path, float]:
        return {p: p.stat().st_mtime_ns for p in sorted(out_dir().glob("*.png"))}

    def __call__(self, *args) -> None:
        now = self.snapshot()
        fresh = sorted((p for p in now if self.seen.get(p) != now[p]), key=now.get)
        self.seen = now
        for path in fresh:
            show(path)


def _watch_pictures_in_notebooks() -> None:
    if _in_notebook():
        ipython = sys.modules["IPython"].get_ipython()
        ipython.events.register("post_run_cell", _NewPictures())


_watch_pictures_in_notebooks()
