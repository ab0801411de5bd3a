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


_METHOD_FOR_UFUNC = {"absolute": "abs", "fabs": "abs", "negative": "__neg__"}


def numpy_function_hint(ufunc, method: str, cls) -> str:
    """The message for a numpy function applied to a graph node, naming the method to use.

    >>> import numpy as np
    >>> class Node:
    ...     def tanh(self): ...
    >>> numpy_function_hint(np.tanh, "__call__", Node).split(". ")[1]
    'Use t.tanh() instead (or give numpy t.data for plain numbers, no gradient)'
    """
    name = ufunc.__name__
    call = f"np.{name}" if method == "__call__" else f"np.{name}.{method}"
    ours = _METHOD_FOR_UFUNC.get(name, name)
    if ours == "__neg__":
        use = "-t"
    elif hasattr(cls, ours) and not ours.startswith("_"):
        use = f"t.{ours}()"
    else:
        use = f"{cls.__name__} operators and methods or microgradnn.functional"
    return (
        f"{call}() does not work on a {cls.__name__}: numpy cannot record the graph, so no "
        f"gradient would flow. Use {use} instead (or give numpy t.data for plain numbers, "
        "no gradient)"
    )


NOTHING_TO_DIFFERENTIATE = (
    "this result does not depend on anything that needs a gradient: it was computed "
    "under no_grad(), from detached values, or from constants only "
    "(create inputs with requires_grad=True)"
)


def graph_freed(name: str, op_name: str) -> str:
    """The message for a backward pass through a graph an earlier pass freed.

    >>> graph_freed("loss", "add")[:35]
    "cannot backpropagate through 'loss'"
    """
    return (
        f"cannot backpropagate through {name!r} ({op_name}): its graph was freed by an "
        "earlier backward(retain_graph=False). Call the first backward with "
        "retain_graph=True (the default) to use the graph twice"
    )
