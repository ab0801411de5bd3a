"""Error messages written for students: one place for the shared wording.

>>> unknown_name("activation", "rleu", ["relu", "tanh", "sigmoid"])
"unknown activation 'rleu'. Did you mean 'relu'? Known: relu, sigmoid, tanh"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_name(kind: str, name, known: Iterable[str]) -> str:
    """The message for an unknown name, suggesting the closest known one (typos happen).

    >>> unknown_name("loss", "mse_", ["mse", "mae"])
    "unknown loss 'mse_'. Did you mean 'mse'? Known: mae, mse"
    """
    known = sorted(set(known))
    close = difflib.get_close_matches(str(name).lower(), known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}.{hint} Known: {', '.join(known)}"
