"""Kept for older scripts: ``from _common import ...`` is ``from microgradnn.tutorial import ...``.

It also makes ``import microgradnn`` work from a checkout that is not installed. New tutorials
import ``microgradnn.tutorial`` directly, so their notebooks run in Colab too.
"""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")  # scripts never open windows

from microgradnn.tutorial import (  # noqa: E402
    FAST,
    finish,
    out_dir,
    pick,
    quote,
    quotes,
    save,
    script_name,
    show,
)

__all__ = ["FAST", "finish", "out_dir", "pick", "quote", "quotes", "save", "script_name", "show"]
