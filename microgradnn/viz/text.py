"""Text for pictures: safe label text, numbers without noise, short summaries of arrays.

>>> fmt(-4.0), paren("-4"), escape("a<b")
('-4', '(-4)', 'a&lt;b')
"""

from __future__ import annotations

import html
import re

import numpy as np

from microgradnn.engine import Node

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Unicode's other line breaks (next line, line and paragraph separators) break lines too
_OTHER_NEWLINES = re.compile("[\x85\u2028\u2029]")
_NEEDS_ESCAPE = re.compile("[&<>\"'\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: object) -> str:
    """Make any text safe inside an HTML-like DOT label.

    Quotes, ``< > &`` become entities, control characters become ``?`` (XML forbids them)
    and newlines become ``<br/>`` line breaks.

    >>> escape('a"|{<x>}')
    'a&quot;|{&lt;x&gt;}'
    """
    text = str(text)
    if not _NEEDS_ESCAPE.search(text):  # the common case (numbers, names): nothing to do
        return text
    text = _OTHER_NEWLINES.sub("\n", _CONTROL_CHARS.sub("?", text))
    lines = html.escape(text, quote=True).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(lines)


def quote(text: object) -> str:
    """Quote text as a DOT string literal (for plain attributes such as tooltips).

    >>> quote('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    text = _OTHER_NEWLINES.sub("\n", _CONTROL_CHARS.sub("?", str(text)))
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{text}"'


_FORMATS = {p: f".{p}g" for p in range(1, 18)}
_SPECIAL = {"-nan": "nan"}


def fmt(number: float, precision: int = 4) -> str:
    """Format one number with ``precision`` significant digits, without noise.

    >>> fmt(-4.0), fmt(1 / 3), fmt(123456.0), fmt(float("nan"))
    ('-4', '0.3333', '1.235e+05', 'nan')
    """
    text = format(float(number), _FORMATS.get(precision) or f".{precision}g")
    if text == "-0":
        return "0"
    return _SPECIAL.get(text, text)  # Python writes nan/inf the same way already


def paren(text: str) -> str:
    """Wrap negative numbers in parentheses so products read well: ``(-4) × 3``."""
    return f"({text})" if text.startswith("-") else text


def summarize_array(array, precision: int = 4) -> str:
    """Short text for an array: the full value when it has at most 6 entries, else stats.

    >>> summarize_array(np.array([[1.0, 2.0], [3.0, 4.5]]))
    '[[1, 2], [3, 4.5]]'
    >>> summarize_array(np.arange(10.0))
    'mean 4.5  min 0  max 9'
    """
    array = np.asarray(array)
    if array.size == 0:
        return "empty"
    if array.size <= 6:
        return _nested_text(array, precision)
    with np.errstate(all="ignore"):
        mean, low, high = array.mean(), array.min(), array.max()
    return f"mean {fmt(mean, precision)}  min {fmt(low, precision)}  max {fmt(high, precision)}"


def _nested_text(array: np.ndarray, precision: int) -> str:
    if array.ndim == 0:
        return fmt(array.item(), precision)
    return "[" + ", ".join(_nested_text(item, precision) for item in array) + "]"


def is_tensor(node: Node) -> bool:
    data = node.data
    if type(data) is float:  # a Value: the common case, answered without isinstance
        return False
    # numpy scalars count too: a Tensor reduced to one number may hold an np.float64
    return isinstance(data, (np.ndarray, np.generic))


def data_text(value, precision: int) -> str:
    if isinstance(value, (np.ndarray, np.generic)):
        return summarize_array(value, precision)
    return fmt(value, precision)


def shape_text(array) -> str:
    array = np.asarray(array)
    shape = "(" + ", ".join(str(n) for n in array.shape) + ("," if array.ndim == 1 else "") + ")"
    return f"{shape} {array.dtype}"
