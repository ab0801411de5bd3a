"""Small helpers shared by the tutorials: output folder, fast mode, saving figures.

Every tutorial starts with::

    from _common import FAST, pick, save, out_dir, finish

* ``FAST`` is True when the environment variable ``MICROGRADNN_FAST=1`` is set (the test
  suite does this): fewer epochs and points, so each script runs in seconds. The numbers
  printed in fast mode differ from the ones quoted in the tutorial text.
* ``pick(fast_value, full_value)`` chooses a setting: ``epochs = pick(20, 300)``.
* ``save(fig, "name.png")`` writes a matplotlib figure to ``tutorials/output/<script>/``.
* ``out_dir()`` is that folder (for Graphviz pictures written by ``microgradnn.viz``).
* ``finish(FIGURES)`` checks that every promised figure was written and lists them.

>>> pick(1, 2) in (1, 2)
True
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

# Make ``import microgradnn`` work from the repo root and from inside tutorials/ even when
# the package is not installed.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("MPLBACKEND", "Agg")  # scripts never open windows

import matplotlib  # noqa: E402

matplotlib.use("Agg")

FAST = os.environ.get("MICROGRADNN_FAST") == "1"

try:  # small matrices on a busy machine: threaded BLAS spins and runs several times slower
    from threadpoolctl import threadpool_limits

    _BLAS_LIMIT = threadpool_limits(limits=1)
except ImportError:  # optional; the tutorials run the same, only slower
    _BLAS_LIMIT = None
_START = time.perf_counter()


def pick(fast_value, full_value):
    """``fast_value`` in fast mode (``MICROGRADNN_FAST=1``), else ``full_value``.

    >>> epochs = pick(10, 200)
    """
    return fast_value if FAST else full_value


def script_name() -> str:
    """Name of the running tutorial, e.g. ``"01_chain_rule"``."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or sys.argv[0] or "tutorial"
    return Path(path).stem


def out_dir() -> Path:
    """``tutorials/output/<script name>/`` (created on first use).

    >>> out_dir().name == script_name()
    True
    """
    folder = Path(__file__).resolve().parent / "output" / script_name()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(fig, name: str) -> Path:
    """Save a matplotlib figure as ``out_dir() / name`` and close it; returns the path.

    >>> import matplotlib.pyplot as plt
    >>> path = save(plt.figure(), "empty.png")
    """
    import matplotlib.pyplot as plt

    path = out_dir() / name
    with warnings.catch_warnings():  # tight_layout may warn about suptitles; harmless
        warnings.simplefilter("ignore")
        fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"  wrote {path.relative_to(REPO_ROOT)}")
    return path


def finish(figures) -> None:
    """Check that every file in ``figures`` exists and is not empty; exit 1 otherwise.

    >>> finish([])  # doctest: +ELLIPSIS
    Done in ...
    """
    missing = [
        f for f in figures if not (out_dir() / f).is_file() or not (out_dir() / f).stat().st_size
    ]
    seconds = time.perf_counter() - _START
    mode = "fast mode" if FAST else "full mode"
    if missing:
        print(f"missing figures: {missing}", file=sys.stderr)
        sys.exit(1)
    print(f"Done in {seconds:.1f} s ({mode}); {len(figures)} figures in {out_dir()}")
