"""Summaries of big graphs: one box per kind of node, repeated structure drawn once.

A scalar network on a few samples easily has thousands of nodes: too many for a slide and
minutes of layout. :func:`summary_dot` draws instead

* every running sum or product (``a + b + c + ...`` built link by link) as one node;
* every group of nodes made by the same operation at the same distance from the output as
  ONE box that says what it holds: ``48 × relu``, the names of its members, the range of
  their values and gradients (in a scalar MLP on 3 samples such a box is "layer 2's
  activations of all 3 samples");
* one edge per pair of boxes, labelled with how many edges it stands for.

When even that leaves too many boxes (long chains), neighbouring distances are merged
into bands. The picture's title says that it is a summary and how to see every node.

>>> from microgradnn import nn
>>> model = nn.MLP(2, [16, 16, 1], seed=0)
>>> dot = summary_dot(model([1.0, 2.0]))
>>> "16 × relu" in dot or "16 × tanh" in dot
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from microgradnn.engine import Node
from microgradnn.viz import layout, style
from microgradnn.viz.graph import collect_nodes
from microgradnn.viz.names import node_names
from microgradnn.viz.style import GRAPH_NAME, pretty_symbol
from microgradnn.viz.text import escape, fmt, is_tensor

#: At most this many boxes in a summary (a slide's worth); beyond, depths are banded.
MAX_BOXES = 40
_CHAIN_OPS = ("add", "mul")


@dataclass
class _Box:
    key: tuple
    members: list[Node] = field(default_factory=list)
    chain_links: int = 0  # nodes folded into running sums/products
    inner: list[Node] = field(default_factory=list)  # one per member: what it was applied to


def _chain_heads(nodes: list[Node]) -> dict[int, Node]:
    """Map each link of a running sum/product to its last node (the chain's head)."""
    consumers: dict[int, list[Node]] = {}
    for node in nodes:
        for parent in node.parents:
            consumers.setdefault(id(parent), []).append(node)
    head: dict[int, Node] = {}
    for node in reversed(nodes):  # children before parents: a link's consumer is known
        users = consumers.get(id(node), [])
        op_name = getattr(node.op, "name", None) if not node.is_leaf else None
        if (
            op_name in _CHAIN_OPS
            and len(users) == 1
            and not users[0].is_leaf
            and getattr(users[0].op, "name", None) == op_name
        ):
            head[id(node)] = head.get(id(users[0]), users[0])
    return head


def _heights(nodes: list[Node], head: dict[int, Node]) -> dict[int, int]:
    """Distance of every node from the output (links of a chain share their head's)."""
    height: dict[int, int] = {}
    for node in reversed(nodes):
        if id(node) in head:
            height[id(node)] = height[id(head[id(node)])]
        elif id(node) not in height:
            height[id(node)] = 0
        for parent in node.parents:
            if head.get(id(parent)) is head.get(id(node), node) and id(parent) in head:
                continue  # the previous link of the same chain
            candidate = height[id(node)] + 1
            if height.get(id(parent), -1) < candidate:
                height[id(parent)] = candidate
    return height


def _kind(node: Node, chained: bool) -> tuple:
    if node.is_leaf:
        return ("parameter" if node.requires_grad else "constant", is_tensor(node))
    return ("chain" if chained else "op", str(getattr(node.op, "name", node.op)))


def group_nodes(root: Node, nodes: list[Node] | None = None) -> list[_Box]:
    """The boxes of a summary, outputs last; each holds nodes of one kind at one depth.

    Here: 5 inputs, 5 squares, and one running sum of 4 + nodes (its head and 3 links).

    >>> from microgradnn import Value
    >>> xs = [Value(float(i)) for i in range(5)]
    >>> total = xs[0] * xs[0]
    >>> for x in xs[1:]:
    ...     total = total + x * x
    >>> [(len(box.members), box.chain_links) for box in group_nodes(total)]
    [(5, 0), (5, 0), (1, 3)]
    """
    nodes = collect_nodes(root) if nodes is None else nodes
    head = _chain_heads(nodes)
    height = _heights(nodes, head)
    kinds = [_kind(n, id(n) in head or any(id(p) in head for p in n.parents)) for n in nodes]
    deepest = max(height.values())
    # start near the band that leaves MAX_BOXES depths: fewer passes over a huge graph
    band = max(1, 2 ** int(math.log2(max(1, (deepest + 1) // MAX_BOXES))))
    while True:
        boxes = _boxes(nodes, head, height, kinds, band)
        if len(boxes) <= MAX_BOXES or band > deepest:
            break
        band *= 2
    if len(boxes) > MAX_BOXES:  # too many kinds per band: fold kinds together
        boxes = _boxes(nodes, head, height, kinds, band, by_kind=False)
    ordered = sorted(boxes.values(), key=lambda b: (-b.key[0], b.key[1:]))
    return _fold_activations(ordered, nodes)


def _fold_activations(boxes: list[_Box], nodes: list[Node]) -> list[_Box]:
    """Draw ``relu(Σ wᵢxᵢ + b)`` as one box of neurons, not two boxes of 48 nodes each.

    A box of one-input operations whose inputs are exactly the members of one other box
    (one each, used nowhere else) absorbs that box.
    """
    uses: dict[int, int] = {}
    for node in nodes:
        for parent in node.parents:
            uses[id(parent)] = uses.get(id(parent), 0) + 1
    where = {id(n): i for i, box in enumerate(boxes) for n in box.members}
    absorbed: set[int] = set()
    for box in boxes:
        if box.key[1] != "op" or box.inner or not all(len(n.parents) == 1 for n in box.members):
            continue
        inputs = [n.parents[0] for n in box.members]
        source = {where.get(id(p)) for p in inputs}
        if len(source) != 1 or None in source:
            continue
        (i,) = source
        other = boxes[i]
        if (
            other is box
            or other.key[1] != "op"
            or other.inner
            or len(other.members) != len(box.members)
            or len({id(p) for p in inputs}) != len(inputs)
            or any(uses.get(id(p), 0) != 1 for p in inputs)
        ):
            continue
        box.inner = inputs
        absorbed.add(i)
    return [box for i, box in enumerate(boxes) if i not in absorbed]


def _boxes(nodes, head, height, kinds, band: int, by_kind: bool = True) -> dict[tuple, _Box]:
    boxes: dict[tuple, _Box] = {}
    for node, kind in zip(nodes, kinds):
        if not by_kind:
            kind = ("leaf",) if node.is_leaf else ("mixed",)
        # the output always gets a box of its own (height 0 is the output alone)
        key = (-1, *kind) if height[id(node)] == 0 else (height[id(node)] // band, *kind)
        box = boxes.get(key)
        if box is None:
            box = boxes[key] = _Box(key)
        if id(node) in head:
            box.chain_links += 1
        else:
            box.members.append(node)
    return boxes


# --- drawing ------------------------------------------------------------------------------
def _range_text(values, precision: int) -> str:
    import numpy as np

    arrays = [np.asarray(v, dtype=float).ravel() for v in values if v is not None]
    if not arrays:
        return "?"
    flat = np.concatenate(arrays)
    if flat.size == 0:
        return "empty"
    with np.errstate(all="ignore"):
        low, high = float(np.nanmin(flat)), float(np.nanmax(flat))
    if low == high:
        return fmt(low, precision)
    return f"{fmt(low, precision)} … {fmt(high, precision)}"


def _title(box: _Box, symbol_of) -> str:
    kind = box.key[1]
    count = len(box.members)
    if kind in ("parameter", "constant"):
        return f"{count:,} {kind}{'s' if count != 1 else ''}"
    if kind == "leaf":
        return f"{count:,} inputs and parameters"
    if kind == "mixed":
        ops: dict[str, int] = {}
        for node in box.members:
            ops[symbol_of(node)] = ops.get(symbol_of(node), 0) + 1
        common = sorted(ops.items(), key=lambda kv: -kv[1])[:3]
        return f"{count:,} nodes: " + ", ".join(f"{n} × {s}" for s, n in common)
    symbol = symbol_of(box.members[0])
    if box.inner:
        symbol = f"{symbol}({symbol_of(box.inner[0])})"
    if kind == "chain":
        terms = count + box.chain_links + count  # n nodes of a binary op join n + 1 terms
        if count == 1:
            return f"running {symbol} of {terms:,} terms"
        return f"{count:,} running {symbol} ({terms:,} terms)"
    return f"{count:,} × {symbol}"


def _names_text(box: _Box, names: dict[int, str]) -> str | None:
    labelled = [names[id(n)] for n in box.members if n.label]
    if not labelled:
        return None
    if len(labelled) <= 2:
        return ", ".join(labelled)
    return f"{labelled[0]} … {labelled[-1]}"


def _box_label(box: _Box, names, symbol_of, show, precision, is_root: bool) -> str:
    fill = style.ROOT_FILL if is_root else style.INNER_FILL
    if box.key[1] in ("parameter", "constant", "leaf"):
        fill = style.LEAF_FILL if box.key[1] != "constant" else style.CONST_FILL
    if len(box.members) == 1 and not box.chain_links and not box.inner:
        node = box.members[0]
        title = f"<b>{escape(names[id(node)] if node.label or not is_root else 'output')}</b>"
        if not node.is_leaf:
            title += f"  = {escape(symbol_of(node))}(…)"
    else:
        title = f"<b>{escape(_title(box, symbol_of))}</b>"
    rows = [f'<tr><td bgcolor="{fill}">{title}</td></tr>']
    members_names = _names_text(box, names) if len(box.members) > 1 else None
    if members_names:
        rows.append(f"<tr><td>{escape(members_names)}</td></tr>")
    if "data" in show:
        data = _range_text([n.data for n in box.members], precision)
        rows.append(f"<tr><td>data {escape(data)}</td></tr>")
    if "grad" in show and any(n.requires_grad for n in box.members):
        grad = _range_text([n.grad for n in box.members if n.requires_grad], precision)
        rows.append(f'<tr><td bgcolor="{style.GRAD_FILL}">grad {escape(grad)}</td></tr>')
    return (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="5" '
        f'color="{style.BORDER_COLOR}">{"".join(rows)}</table>'
    )


def summary_dot(root: Node, nodes: list[Node] | None = None, options=None) -> str:
    """DOT text of the summary of the graph behind ``root`` (see the module docstring).

    ``options`` is a :class:`microgradnn.viz.dot.Options` (from :func:`to_dot`); without it,
    data and gradients are shown with 4 significant digits.
    """
    nodes = collect_nodes(root) if nodes is None else nodes
    show = options.show if options is not None else ("data", "grad")
    precision = options.precision if options is not None else 4
    boxes = group_nodes(root, nodes)
    names = dict(zip((id(n) for n in nodes), node_names(nodes, precision)))
    where = {}
    for i, box in enumerate(boxes):
        for node in (*box.members, *box.inner):
            where[id(node)] = i
    head = _chain_heads(nodes)
    for node in nodes:  # links of running sums live in their head's box
        if id(node) in head:
            where[id(node)] = where[id(_final_head(head, node))]

    def symbol_of(node: Node) -> str:
        return "leaf" if node.is_leaf else pretty_symbol(node.op)

    edge_count: dict[tuple[int, int], int] = {}
    for node in nodes:
        for parent in node.parents:
            pair = (where[id(parent)], where[id(node)])
            if pair[0] != pair[1]:
                edge_count[pair] = edge_count.get(pair, 0) + 1
    rankdir = options.rankdir if options is not None else "auto"
    if rankdir == "auto":
        depth = len({box.key[0] for box in boxes})
        per_depth: dict[int, int] = {}
        for box in boxes:
            per_depth[box.key[0]] = per_depth.get(box.key[0], 0) + 1
        breadth = max(per_depth.values())
        rankdir = layout.rankdir_for_shape(depth, breadth, 20, box_lines=4, op_circles=False)
    title = (
        f"Summary of {len(nodes):,} nodes in {len(boxes)} boxes: a box holds the nodes one "
        "operation made at the same distance from the output.<br/>"
        f'<font point-size="{style.SMALL_FONT_SIZE}">draw(..., summarize=False) draws every '
        "node (slow: minutes for thousands); max_nodes=50 draws the 50 nearest the output"
        "</font>"
    )
    out = [
        f"digraph {GRAPH_NAME} {{\n",
        f'\tgraph [rankdir={rankdir} bgcolor="white" nodesep=0.3 ranksep=0.5 pad=0.2 '
        f"{layout.size_attributes()} label=<{title}> labelloc=t labeljust=l "
        f'fontsize={style.TITLE_FONT_SIZE} fontname="{style.FONT}"]\n',
        f'\tnode [fontname="{style.FONT}" fontsize={style.FONT_SIZE} shape=plaintext margin=0]\n',
        f'\tedge [fontname="{style.FONT}" fontsize={style.FONT_SIZE} color="{style.EDGE_COLOR}" '
        f'fontcolor="{style.EDGE_TEXT}" arrowsize=0.8]\n',
    ]
    for i, box in enumerate(boxes):
        is_root = any(n is root for n in box.members)
        label = _box_label(box, names, symbol_of, show, precision, is_root)
        out.append(f"\tg{i} [label=<{label}>]\n")
    for (source, target), count in sorted(edge_count.items()):
        text = f" [label=<×{count:,}>]" if count > 1 else ""
        out.append(f"\tg{source} -> g{target}{text}\n")
    out.append("}\n")
    return "".join(out)


def _final_head(head: dict[int, Node], node: Node) -> Node:
    while id(node) in head:
        node = head[id(node)]
    return node


__all__ = ["MAX_BOXES", "group_nodes", "summary_dot"]
