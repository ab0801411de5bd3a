"""Projector-ready layout: pick the drawing direction from the graph's shape, cap the size.

A slide is 16:9; a picture much wider than 4:1 (a long chain drawn left to right) or taller
than it is wide shrinks to unreadable text when projected. :func:`choose_rankdir` estimates
the drawn size of a graph for "left to right" and "top to bottom" and keeps the direction
whose picture, fitted onto a 16:9 slide, shows the text biggest. :data:`MAX_INCHES` caps the
longest side at 4000 px at the default 144 dpi.

>>> from microgradnn import Value
>>> from microgradnn.viz.graph import collect_nodes
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> choose_rankdir(collect_nodes((x + y) * z))
'LR'
"""

from __future__ import annotations

from collections.abc import Sequence

from microgradnn.engine import Node
from microgradnn.viz.style import FONT_SIZE

#: Longest side of a picture, in inches: 4000 px at the default 144 dpi.
MAX_INCHES = 27.7
_CHAR_WIDTH = 0.58 * FONT_SIZE  # points per character of Helvetica, on average
_BOX_HEIGHT = 2.2 * FONT_SIZE
_GAP = 22.0  # points between neighbours (nodesep) and between ranks (ranksep)
_PREFER_LR = 1.3
#: A projected 16:9 slide in points (1920 x 1080 px at 144 dpi): pictures are compared by
#: how big their text is on it.
SLIDE = (960.0, 540.0)


def levels(nodes: Sequence[Node], substitute: dict | None = None) -> dict[int, int]:
    """The layer each node is drawn in, keyed by ``id``: as late as possible, like ``dot``.

    ``dot`` places a node just before the first node that uses it, so layers are counted
    back from the output (the last node of ``nodes``, which lists parents before children):
    layer = (longest path in the graph) - (longest path from the node to the output).

    >>> from microgradnn import Value
    >>> a, t = Value(1.0), Value(2.0)
    >>> b = a * t; c = b + a
    >>> [levels([a, t, b, c])[id(n)] for n in (a, t, b, c)]
    [0, 0, 1, 2]
    """
    substitute = substitute or {}  # a fused node's id -> the composite drawn in its place
    height: dict[int, int] = {}
    for node in reversed(nodes):  # children first: a node's height is known before its inputs
        mine = height.setdefault(id(node), 0)
        for parent in node.parents:
            key = id(substitute.get(id(parent), parent))
            if height.get(key, -1) < mine + 1:
                height[key] = mine + 1
    top = max(height.values(), default=0)
    return {id(n): top - height[id(n)] for n in nodes}


def shape_of(nodes, substitute: dict | None = None) -> tuple[int, int]:
    """(depth, breadth): how many levels the graph has and the most nodes on one level.

    >>> from microgradnn import Value
    >>> a, b = Value(1.0), Value(2.0)
    >>> from microgradnn.viz.graph import collect_nodes
    >>> shape_of(collect_nodes(a * b))
    (2, 2)
    """
    level = levels(nodes, substitute)
    per_level: dict[int, int] = {}
    for node in nodes:
        per_level[level[id(node)]] = per_level.get(level[id(node)], 0) + 1
    return (max(per_level) + 1 if per_level else 1), max(per_level.values(), default=1)


def estimate_size(
    depth: int,
    breadth: int,
    box_chars: float,
    edge_label_chars: float,
    rankdir: str,
    box_lines: int = 1,
    op_circles: bool = True,
):
    """Rough drawn (width, height) in points of a graph of ``depth`` levels, ``breadth`` wide.

    ``box_lines`` is the number of text lines in a box; ``op_circles`` says whether each
    level also has an operator circle (value graphs) or not (summaries).

    >>> w, h = estimate_size(3, 3, 18, 0, "LR")
    >>> w > h
    True
    """
    box_w = box_chars * _CHAR_WIDTH + 24
    box_h = _BOX_HEIGHT * box_lines
    op = 2 * FONT_SIZE if op_circles else 0.0  # an operator circle
    label_w = edge_label_chars * _CHAR_WIDTH
    label_h = (2.4 * FONT_SIZE) if edge_label_chars else 0.0
    if rankdir in ("LR", "RL"):
        along = depth * (box_w + op + 2 * _GAP + label_w) - op - label_w
        across = breadth * (box_h + _GAP)
        return along, across
    along = depth * (box_h + op + 2 * _GAP + label_h) - op - label_h
    across = breadth * (box_w + _GAP + label_w / 2)
    return across, along


def slide_scale(width: float, height: float) -> float:
    """How much a picture of this size must be scaled to fit a 16:9 slide (bigger is better).

    >>> slide_scale(1920, 540), slide_scale(480, 270)   # in points: 2x too wide; fits
    (0.5, 1.0)
    """
    slide_w, slide_h = SLIDE
    # a picture that already fits needs no shrinking: both directions are then equally good
    return min(1.0, slide_w / max(width, 1.0), slide_h / max(height, 1.0))


def choose_rankdir(
    nodes,
    box_chars: float = 18,
    edge_label_chars: float = 0,
    substitute: dict | None = None,
    box_lines: int = 1,
) -> str:
    """``"LR"`` or ``"TB"``: the direction whose estimated picture fits a slide better.

    ``box`` passes ``box_lines`` and ``op_circles`` to :func:`estimate_size`.
    ``box_chars`` is the typical width of a node's text in characters, ``edge_label_chars``
    that of an edge label (0 without labels). Close calls go to ``"LR"`` (the lecture draws
    graphs left to right).

    >>> from microgradnn import Value
    >>> from microgradnn.viz.graph import collect_nodes
    >>> x = Value(0.5)
    >>> choose_rankdir(collect_nodes(x * x + x))
    'LR'
    """
    depth, breadth = shape_of(nodes, substitute)
    return rankdir_for_shape(depth, breadth, box_chars, edge_label_chars, box_lines=box_lines)


def rankdir_for_shape(
    depth: int, breadth: int, box_chars: float, edge_label_chars: float = 0, **box
) -> str:
    """:func:`choose_rankdir` for a graph known only by its depth and breadth.

    >>> rankdir_for_shape(12, 2, 18)   # a long chain: left to right would be a thin strip
    'TB'
    """
    scale = {}
    for rankdir in ("LR", "TB"):
        width, height = estimate_size(depth, breadth, box_chars, edge_label_chars, rankdir, **box)
        scale[rankdir] = slide_scale(width, height)
    # LR is the lecture's direction: switch only when TB's text would be clearly bigger
    return "TB" if scale["TB"] > scale["LR"] * _PREFER_LR else "LR"


def size_attributes() -> str:
    """Graph attributes that keep any picture within :data:`MAX_INCHES` on its longest side.

    >>> size_attributes()
    'size="27.7,27.7"'
    """
    return f'size="{MAX_INCHES},{MAX_INCHES}"'


__all__ = [
    "SLIDE",
    "MAX_INCHES",
    "choose_rankdir",
    "estimate_size",
    "levels",
    "rankdir_for_shape",
    "shape_of",
    "slide_scale",
]
