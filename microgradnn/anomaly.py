"""Anomaly detection: stop at the first operation that makes a NaN or an infinity.

Checking every result costs time, so it is off unless you ask for it with
:class:`detect_anomaly`. The engine calls :func:`check_forward` and :func:`check_backward`
only while ``enabled`` is True.
"""

from __future__ import annotations

import numpy as np

enabled = False  #: switched on by :class:`detect_anomaly`


class detect_anomaly:
    """Inside this block, name the op whose forward or backward made a NaN or an inf.

    >>> from microgradnn import Value
    >>> with detect_anomaly():
    ...     Value(0.0) / 0.0
    Traceback (most recent call last):
    ...
    FloatingPointError: forward of op 'div' produced NaN (inputs: 0.0, 0.0)
    """

    def __enter__(self):
        global enabled
        self._previous, enabled = enabled, True
        return self

    def __exit__(self, *exc_info):
        global enabled
        enabled = self._previous
        return False


def _data(x):
    return getattr(x, "data", x)


def _problem(x) -> str | None:
    """'NaN' or 'inf' when ``x`` holds one, else None."""
    data = np.asarray(_data(x))
    if np.isnan(data).any():
        return "NaN"
    if np.isinf(data).any():
        return "inf"
    return None


def _describe(values) -> str:
    parts = []
    for v in values:
        v = _data(v)
        parts.append(repr(float(v)) if np.ndim(v) == 0 else f"array{np.shape(v)}")
    return ", ".join(parts)


def check_forward(op, data, parents) -> None:
    """Raise when ``op`` made a NaN or inf that none of its inputs had."""
    problem = _problem(data)
    if problem and not any(_problem(p) == problem for p in parents):
        raise FloatingPointError(
            f"forward of op {op.name!r} produced {problem} (inputs: {_describe(parents)})"
        )


def check_backward(node, shares) -> None:
    """Raise when the backward formula of ``node``'s op made a NaN or inf gradient."""
    for share in shares:
        problem = share is not None and _problem(share)
        if problem:
            raise FloatingPointError(
                f"backward of op {node.op.name!r} produced a {problem} gradient for one of "
                f"its inputs (inputs: {_describe(node.parents)}, "
                f"output: {_describe([node.data])})"
            )
