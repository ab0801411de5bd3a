"""Feedback that teaches: what was expected, what came back, on which input, and a hint.

A check raises :class:`Wrong` at the first mistake it finds. The helpers here turn a
student's answer into a number or an array (with a clear message when it has the wrong type
or shape) and compare it with the expected one, naming the input, the element and, when a
known mistake matches, the likely cause.

>>> try:
...     check_number(4.0, -4.0, "df/dx", on_input={"x": -2.0}, hint="df/dx = df/dq * dq/dx")
... except Wrong as wrong:
...     print(wrong.feedback.text().splitlines()[0])
✗ df/dx is wrong
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np

RTOL, ATOL = 1e-6, 1e-8
MAX_TABLE_ROWS = 6

#: The student file being checked (set by the runner), so feedback can quote its lines.
current_student: ContextVar = ContextVar("current_student", default=None)


def student_line(what: str) -> list[str]:
    """``["your line 7:  dz = dh * (1 - h)"]`` when ``what`` is a name the student assigned."""
    student = current_student.get()
    if student is None or not what.isidentifier():
        return []
    return student.where(what)


@dataclass
class Feedback:
    """One check's verdict, printable as text and storable as JSON (plain types only)."""

    status: str  # "pass", "fail", "error", "timeout" or "skipped"
    title: str
    lines: list[str] = field(default_factory=list)
    hint: str | None = None
    picture: str | None = None

    @property
    def passed(self) -> bool:
        return self.status in ("pass", "skipped")

    def text(self) -> str:
        """The feedback as the command line prints it."""
        mark = {"pass": "✓", "skipped": "–"}.get(self.status, "✗")
        out = [f"{mark} {self.title}"]
        out += [f"  {line}" for line in self.lines]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        if self.picture:
            out.append(f"  picture: {self.picture}  (the first wrong node/edge is red)")
        return "\n".join(out)

    def to_json(self) -> dict:
        return dict(
            status=self.status,
            title=self.title,
            lines=list(self.lines),
            hint=self.hint,
            picture=self.picture,
        )

    @classmethod
    def from_json(cls, data: dict) -> Feedback:
        return cls(**{k: data.get(k) for k in ("status", "title", "lines", "hint", "picture")})


class Wrong(Exception):
    """Raised by a check at the first mistake; carries the :class:`Feedback`.

    >>> Wrong("q is wrong", lines=["expected 3, got -7"]).feedback.status
    'fail'
    """

    def __init__(self, title: str, lines=(), hint: str | None = None, picture=None):
        super().__init__(title)
        self.feedback = Feedback("fail", title, list(lines), hint, picture)


class Skip(Exception):
    """Raised when a check cannot run here (e.g. torch is not installed)."""


# ----------------------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------------------
def show(x) -> str:
    """A number or a small array as a short string (6 significant digits).

    >>> show(0.1 + 0.2), show(np.array([1.0, 2.5]))
    ('0.3', '[1, 2.5]')
    """
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if isinstance(x, (int, np.integer, bool)):
        return str(x)
    if isinstance(x, np.ndarray):
        if x.size > 12:
            return f"array of shape {x.shape}"
        text = np.array2string(
            np.asarray(x, dtype=float),
            formatter={"float_kind": lambda v: f"{v:.6g}"},
            separator=", ",
        )
        return " ".join(text.split())  # one line, even for matrices
    if isinstance(x, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in x.items())
    if isinstance(x, (list, tuple)) and len(x) <= 12:
        return show(np.asarray(x, dtype=float)) if _all_numbers(x) else repr(x)
    return repr(x)


def _all_numbers(items) -> bool:
    return all(isinstance(v, (int, float, np.number)) for v in items)


def input_line(on_input) -> list[str]:
    """``["on input: x=-2, y=5"]`` (empty when there is no input to show)."""
    if not on_input:
        return []
    return [f"on input: {show(on_input) if isinstance(on_input, dict) else on_input}"]


def type_name(x) -> str:
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape}"
    return type(x).__name__


# ----------------------------------------------------------------------------------------
# Converting answers (clear messages for None, Values, lists of the wrong length...)
# ----------------------------------------------------------------------------------------
def as_number(got, what: str, on_input=None) -> float:
    """The student's answer as a float, or :class:`Wrong` saying what it was instead.

    >>> as_number(np.float64(2.5), "q")
    2.5
    >>> try:
    ...     as_number(None, "q")
    ... except Wrong as wrong:
    ...     print(wrong.feedback.title)
    q is still None
    """
    if got is None:
        lines = [*input_line(on_input), *student_line(what)]
        raise Wrong(f"{what} is still None", lines, hint=f"fill in {what}")
    if hasattr(got, "data") and hasattr(got, "grad"):
        raise Wrong(
            f"{what} should be a plain number, got a {type(got).__name__}",
            input_line(on_input),
            hint="use .data (for a value) or .grad (for a gradient) to get the number",
        )
    array = np.asarray(got) if isinstance(got, (np.ndarray, np.generic)) else None
    if array is not None and array.size == 1:
        got = array.reshape(()).item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise Wrong(f"{what} should be a number, got {type_name(got)}", input_line(on_input))
    return float(got)


def as_array(got, shape: tuple, what: str, on_input=None) -> np.ndarray:
    """The student's answer as a float array of ``shape``, or :class:`Wrong` explaining.

    >>> try:
    ...     as_array(np.zeros((3, 2)), (2, 3), "dW")
    ... except Wrong as wrong:
    ...     print(wrong.feedback.hint)
    dW looks transposed: swap the two factors of the product (or use .T)
    """
    if got is None:
        lines = [*input_line(on_input), *student_line(what)]
        raise Wrong(f"{what} is still None", lines, hint=f"fill in {what}")
    if hasattr(got, "data") and hasattr(got, "grad"):
        raise Wrong(
            f"{what} should be a numpy array, got a {type(got).__name__}",
            input_line(on_input),
            hint="return plain numpy arrays (use .data to get a tensor's numbers)",
        )
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(
            f"{what} should be an array of numbers, got {type_name(got)}", input_line(on_input)
        ) from None
    if array.shape != tuple(shape):
        hint = None
        if array.ndim == 2 and array.shape == tuple(shape)[::-1]:
            hint = f"{what} looks transposed: swap the two factors of the product (or use .T)"
        elif array.size == int(np.prod(shape)):
            hint = f"the numbers may be right but arranged wrongly: reshape to {tuple(shape)}"
        raise Wrong(
            f"{what} has shape {array.shape}, expected {tuple(shape)}",
            input_line(on_input),
            hint=hint or f"{what} must have the same shape as the quantity it is the gradient of",
        )
    return array


# ----------------------------------------------------------------------------------------
# Comparing
# ----------------------------------------------------------------------------------------
def close(a, b, rtol: float = RTOL, atol: float = ATOL) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _mistake_hint(got, mistakes, default):
    """The hint of the first known mistake that ``got`` matches (else ``default``)."""
    for candidate, hint in mistakes or ():
        if close(got, candidate, rtol=1e-6, atol=1e-9):
            return hint
    return default


def check_number(
    got, expected, what: str, *, on_input=None, hint=None, mistakes=(), picture=None, extra=()
) -> float:
    """Raise :class:`Wrong` unless ``got`` is a number close to ``expected``; returns it.

    >>> check_number(3, 3.0, "q")
    3.0
    """
    value = as_number(got, what, on_input)
    if not close(value, expected):
        raise Wrong(
            f"{what} is wrong",
            [
                *input_line(on_input),
                f"expected {show(float(expected))}, got {show(value)}",
                *student_line(what),
                *extra,
            ],
            hint=_mistake_hint(value, mistakes, hint),
            picture=picture,
        )
    return value


def difference_table(
    got: np.ndarray, expected: np.ndarray, rtol=RTOL, atol=ATOL, columns=None
) -> list[str]:
    """A small text table of the elements that differ: index, (inputs there,) expected, got.

    >>> print("\\n".join(difference_table(np.array([1.0, 5.0]), np.array([1.0, 2.0]))))
    1 of 2 elements differ:
      index      expected           got
      (1,)              2             5
    """
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    where = np.argwhere(bad)
    lines = [f"{len(where)} of {expected.size} element{'s' * (expected.size != 1)} differ:"]
    columns = {k: np.broadcast_to(v, expected.shape) for k, v in (columns or {}).items()}
    extra = "".join(f" {name:>10}" for name in columns)
    lines.append(f"  {'index':<8}{extra} {'expected':>10} {'got':>13}")
    for index in where[:MAX_TABLE_ROWS]:
        i = tuple(int(k) for k in index)
        values = "".join(f" {show(c[i]):>10}" for c in columns.values())
        lines.append(f"  {str(i):<8}{values} {show(expected[i]):>10} {show(got[i]):>13}")
    if len(where) > MAX_TABLE_ROWS:
        lines.append(f"  ... and {len(where) - MAX_TABLE_ROWS} more")
    return lines


def check_array(
    got, expected, what: str, *, on_input=None, hint=None, mistakes=(), rtol=RTOL, columns=None
):
    """Raise :class:`Wrong` unless ``got`` is an array equal to ``expected`` (within rtol).

    The feedback lists the differing elements; a matching known mistake picks the hint.

    >>> expected = np.array([1.0, 2.0])
    >>> try:
    ...     check_array([0.5, 1.0], expected, "db", mistakes=[(expected / 2, "sum, not mean")])
    ... except Wrong as wrong:
    ...     print(wrong.feedback.hint)
    sum, not mean
    """
    expected = np.asarray(expected, dtype=float)
    array = as_array(got, expected.shape, what, on_input)
    if not np.all(np.isfinite(array)):
        raise Wrong(
            f"{what} contains nan or inf",
            [*input_line(on_input), *difference_table(array, expected, rtol, columns=columns)],
            hint="look for a division by zero, a log of 0 or an exp that overflows",
        )
    if not close(array, expected, rtol=rtol):
        raise Wrong(
            f"{what} is wrong",
            [
                *input_line(on_input),
                *difference_table(array, expected, rtol, columns=columns),
                *student_line(what),
            ],
            hint=_mistake_hint(array, mistakes, hint),
        )
    return array


def unpack(result, names: tuple[str, ...], function: str):
    """Check that a function returned a tuple of len(names) items; return it as a tuple.

    >>> unpack([1, 2], ("w", "b"), "lms_update")
    (1, 2)
    """
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise Wrong(
            f"{function} should return {len(names)} things ({', '.join(names)}), "
            f"got {type_name(result) if not isinstance(result, (tuple, list)) else len(result)}",
            hint=f"end with: return {', '.join(names)}",
        )
    return tuple(result)
