"""Computation graphs as DOT text: the pure-text core of :mod:`microgradnn.viz`.

Nothing here needs Graphviz: :func:`to_dot` returns a string that any Graphviz-compatible
program can lay out. The output is deterministic (node ids follow a fixed traversal order),
so two runs on the same graph give the same text and tests can compare it.

Every label is an HTML-like label whose text goes through :func:`html.escape`, so names such
as ``a"|{<x>}`` are shown literally and can never end a label or inject DOT statements.

>>> from microgradnn import Value
>>> x = Value(2.0, label="x")
>>> "digraph" in to_dot(x * x)
True
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from microgradnn.engine import Node

# --- colours (Tailwind-like palette: soft fills, dark text) -------------------------------
LEAF_FILL = "#dbeafe"  # inputs and parameters
INNER_FILL = "#f3f4f6"  # intermediate results
ROOT_FILL = "#dcfce7"  # the output the picture is about
CONST_FILL = "#ffffff"
GRAD_FILL = "#fee2e2"
PENDING_FILL = "#f9fafb"  # a gradient not computed yet (backward frames)
HIGHLIGHT_FILL = "#fca5a5"
HIGHLIGHT_COLOR = "#dc2626"
BORDER_COLOR = "#6b7280"
OP_FILL = "#fef3c7"
OP_BORDER = "#b45309"
EDGE_COLOR = "#6b7280"
EDGE_TEXT = "#374151"
MUTED_TEXT = "#6b7280"

VALID_SHOW = ("data", "grad")
#: Op symbols as a maths book prints them (the engine's ASCII forms read like code).
_PRETTY_SYMBOLS = {"*": "×", "/": "÷"}
VALID_RANKDIR = ("LR", "RL", "TB", "BT")
GRAPH_NAME = "microgradnn"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_ESCAPE = re.compile(r"[&<>\"'\x00-\x1f\x7f]")


# =========================================================================================
# Text helpers
# =========================================================================================
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
    text = _CONTROL_CHARS.sub("?", text)
    lines = html.escape(text, quote=True).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(lines)


def quote(text: object) -> str:
    """Quote text as a DOT string literal (for plain attributes such as tooltips).

    >>> quote('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    text = _CONTROL_CHARS.sub("?", str(text))
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


def _is_tensor(node: Node) -> bool:
    data = node.data
    if type(data) is float:  # a Value: the common case, answered without isinstance
        return False
    # numpy scalars count too: a Tensor reduced to one number may hold an np.float64
    return isinstance(data, (np.ndarray, np.generic))


def _data_text(value, precision: int) -> str:
    if isinstance(value, (np.ndarray, np.generic)):
        return summarize_array(value, precision)
    return fmt(value, precision)


def _shape_text(array) -> str:
    array = np.asarray(array)
    shape = "(" + ", ".join(str(n) for n in array.shape) + ("," if array.ndim == 1 else "") + ")"
    return f"{shape} {array.dtype}"


# =========================================================================================
# Graph traversal
# =========================================================================================
def collect_nodes(root: Node) -> list[Node]:
    """Every node ``root`` depends on, constants included, parents before children.

    Iterative (no recursion limit) and deterministic: parents are visited in their order,
    so ``(x + y) * z`` lists x, y, x+y, z, the product.

    >>> from microgradnn import Value
    >>> x, y = Value(1.0, label="x"), Value(2.0, label="y")
    >>> [n.label for n in collect_nodes(x * y)]
    ['x', 'y', None]
    """
    if not isinstance(root, Node):
        raise TypeError(
            f"expected a Value or Tensor (the result of a computation), got {type(root).__name__}"
        )
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in reversed(node.parents):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


def _nearest_to_root(root: Node, limit: int) -> set[int]:
    """Ids of the ``limit`` nodes closest to ``root`` (breadth first through parents)."""
    kept = {id(root)}
    queue = deque([root])
    while queue and len(kept) < limit:
        node = queue.popleft()
        for parent in node.parents:
            if id(parent) not in kept:
                kept.add(id(parent))
                queue.append(parent)
                if len(kept) >= limit:
                    break
    return kept


def consumers_count(nodes: Iterable[Node]) -> dict[int, int]:
    """How many edges leave each node (``a * a`` counts twice).

    >>> from microgradnn import Value
    >>> a = Value(2.0)
    >>> consumers_count(collect_nodes(a * a))[id(a)]
    2
    """
    count: dict[int, int] = {}
    for node in nodes:
        for parent in node.parents:
            count[id(parent)] = count.get(id(parent), 0) + 1
    return count


# =========================================================================================
# Local derivatives (numbers from the op table, formula text for teaching)
# =========================================================================================
def local_derivatives(node: Node) -> list:
    """d(node)/d(parent) for every parent of a scalar ``node``, at the current values.

    The numbers come from the op's own backward formula with an upstream gradient of 1, the
    same single definition the engine uses. Returns ``None`` entries where it fails.

    >>> from microgradnn import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> local_derivatives(a * b)
    [4.0, 3.0]
    """
    if node.is_leaf:
        return []
    xs = [p.data for p in node.parents]
    needs = (True,) * len(xs)
    math_backend = type(node).math
    tensor = _is_tensor(node)
    try:
        if not tensor:  # scalar maths is IEEE-safe on its own (and numpy's errstate is slow)
            return [_as_float(s) for s in node.op.backward(math_backend, 1.0, node.data, xs, needs)]
        with np.errstate(all="ignore"):
            return list(
                node.op.backward(math_backend, np.ones_like(node.data), node.data, xs, needs)
            )
    except (ArithmeticError, ValueError):
        return [None] * len(xs)


def gradient_shares(node: Node, upstream) -> list:
    """What the chain rule sends to each parent of ``node`` given its gradient ``upstream``.

    ``upstream * local derivative``, summed back to the parent's shape (tensors).

    >>> from microgradnn import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> gradient_shares(a * b, 2.0)
    [8.0, 6.0]
    """
    if node.is_leaf:
        return []
    xs = [p.data for p in node.parents]
    needs = tuple(True for _ in xs)
    math_backend = type(node).math
    unbroadcast = getattr(math_backend, "unbroadcast", None)  # None: scalars never broadcast
    try:
        with np.errstate(all="ignore"):
            shares = node.op.backward(math_backend, upstream, node.data, xs, needs)
    except (ArithmeticError, ValueError):
        return [None] * len(xs)
    if unbroadcast is None:
        return list(shares)
    return [None if s is None else unbroadcast(s, p.data) for s, p in zip(shares, node.parents)]


def _as_float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _formula(node: Node, position: int, names: list[str], out: str) -> str | None:
    """The textbook derivative of ``node`` with respect to parent ``position``, or None."""
    op = node.op
    builder = _FORMULAS.get(op.name)
    if builder is None:
        return None
    try:
        return builder(op, names, out)[position]
    except (IndexError, TypeError, AttributeError):
        return None


def _power_rule(op, n, out):
    c = op.exponent
    if c == 2:
        return [f"2·{n[0]}"]
    return [f"{fmt(c)}·{n[0]}^{fmt(c - 1)}"]


_FORMULAS: dict[str, Callable] = {
    "add": lambda op, n, out: ["1", "1"],
    "sub": lambda op, n, out: ["1", "-1"],
    "mul": lambda op, n, out: [n[1], n[0]],
    "div": lambda op, n, out: [f"1/{n[1]}", f"-{n[0]}/{n[1]}²"],
    "neg": lambda op, n, out: ["-1"],
    "pow_const": _power_rule,
    "pow": lambda op, n, out: [f"{n[1]}·{n[0]}^({n[1]}-1)", f"{n[0]}^{n[1]}·ln {n[0]}"],
    "exp": lambda op, n, out: [f"exp({n[0]})"],
    "log": lambda op, n, out: [f"1/{n[0]}"],
    "sqrt": lambda op, n, out: [f"1/(2√{n[0]})"],
    "tanh": lambda op, n, out: [f"1 - {out}²"],
    "sigmoid": lambda op, n, out: [f"{out}·(1 - {out})"],
    "relu": lambda op, n, out: [f"[{n[0]} > 0]"],
    "abs": lambda op, n, out: [f"sign({n[0]})"],
    "sin": lambda op, n, out: [f"cos({n[0]})"],
    "cos": lambda op, n, out: [f"-sin({n[0]})"],
    # a neuron's fused weighted sum w·x + b: d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    "dot": lambda op, n, out: [*n[op.n : 2 * op.n], *n[: op.n], *(["1"] if op.has_bias else [])],
}


# =========================================================================================
# The DOT builder
# =========================================================================================
@dataclass
class GradView:
    """Which gradients a picture shows (used by backward frames).

    ``known`` maps node ids to the gradient to display; nodes that need a gradient but are
    missing from it are drawn as "not computed yet" (their final text in an invisible colour,
    so every frame has exactly the same layout). ``final`` holds the final gradients.
    """

    known: dict[int, object]
    final: dict[int, object]
    focus_edges: set[tuple[int, int]] = field(default_factory=set)  # (parent id, child id)


@dataclass
class _Options:
    rankdir: str
    show: tuple[str, ...]
    show_local_grads: bool
    precision: int
    max_nodes: int | None
    highlight: set[int]
    title: str | None = None
    title_spacer: str | None = None  # invisible line as wide as the widest title of a series
    grads: GradView | None = None


def _check_options(rankdir, show, precision, max_nodes) -> tuple[str, tuple[str, ...]]:
    if rankdir not in VALID_RANKDIR:
        raise ValueError(f"rankdir must be one of {', '.join(VALID_RANKDIR)}, got {rankdir!r}")
    if isinstance(show, str):
        show = (show,)
    show = tuple(show or ())
    unknown = [s for s in show if s not in VALID_SHOW]
    if unknown:
        raise ValueError(
            f"show accepts {VALID_SHOW} (or a subset), got unknown entries {unknown}; "
            'e.g. show=("data",) for the forward pass only'
        )
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 1:
        raise ValueError(
            f"precision must be a positive int (significant digits), got {precision!r}"
        )
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    return rankdir, show


def _highlight_ids(highlight) -> set[int]:
    if highlight is None:
        return set()
    if isinstance(highlight, Node):
        return {id(highlight)}
    return {id(n) for n in highlight}


def to_dot(
    root: Node,
    *,
    rankdir: str = "LR",
    show: Iterable[str] = ("data", "grad"),
    show_local_grads: bool = False,
    precision: int = 4,
    max_nodes: int | None = None,
    highlight=None,
) -> str:
    """The computation graph that produced ``root``, as deterministic DOT text.

    Value nodes are boxes ``label | data | grad``; each operation is a small circle with its
    symbol. Tensors show their shape, dtype and a summary instead of all their numbers.

    Args:
        root: the result of a computation (a ``Value`` or ``Tensor``).
        rankdir: layout direction, ``"LR"`` (left to right, default), ``"TB"``, ...
        show: which numbers to show in each box: ``("data", "grad")`` (default), ``("data",)``
            for a forward-pass picture, or ``()`` for structure only.
        show_local_grads: label every edge with the local derivative d(child)/d(parent) at
            the current values and, when gradients are shown, the product the chain rule sends
            to the parent (``∂f/∂x = (-4) × 1 = -4``).
        precision: significant digits for numbers.
        max_nodes: draw only the ``max_nodes`` value nodes nearest to ``root``; the rest is
            replaced by one marker node that says how many were left out.
        highlight: a node (or several) to emphasise in red.

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> dot = to_dot(f, show=("data",))
    >>> dot.startswith("digraph microgradnn {") and "data -12" in dot
    True
    """
    rankdir, show = _check_options(rankdir, show, precision, max_nodes)
    options = _Options(rankdir, show, bool(show_local_grads), precision, max_nodes, set())
    options.highlight = _highlight_ids(highlight)
    return "".join(_DotBuilder(root, options).lines())


class _DotBuilder:
    """Turns one graph into DOT statements (one instance per call, no shared state)."""

    def __init__(self, root: Node, options: _Options):
        self.root = root
        self.options = options
        all_nodes = collect_nodes(root)
        if options.max_nodes is not None and len(all_nodes) > options.max_nodes:
            kept = _nearest_to_root(root, options.max_nodes)
            self.nodes = [n for n in all_nodes if id(n) in kept]
        else:
            self.nodes = all_nodes
        self.hidden = len(all_nodes) - len(self.nodes)
        self.index = {id(n): i for i, n in enumerate(self.nodes)}
        self.fanout = consumers_count(all_nodes)
        self.names = [self._name(i, n) for i, n in enumerate(self.nodes)]
        self.root_name = self.names[self.index[id(root)]]

    # --- names ------------------------------------------------------------------------------
    def _name(self, i: int, node: Node) -> str:
        if node.label:
            return str(node.label)
        if not node.requires_grad and not _is_tensor(node):
            return fmt(node.data, self.options.precision)  # a constant such as 2
        return f"v{i}"

    def name_of(self, node: Node) -> str:
        i = self.index.get(id(node))
        return self.names[i] if i is not None else "?"

    # --- output -------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out = [f"digraph {GRAPH_NAME} {{\n"]
        out.extend(self._header())
        for i, node in enumerate(self.nodes):
            out.append(f"\tv{i} [label=<{self._value_label(node)}>]\n")
            if not node.is_leaf:
                out.append(f"\to{i} {self._op_attributes(node)}\n")
                out.extend(self._edges(i, node))
                out.append(f"\to{i} -> v{i}\n")
        if self.hidden:
            out.append(self._hidden_marker())
        out.append("}\n")
        return out

    def _header(self) -> list[str]:
        o = self.options
        graph = f'rankdir={o.rankdir} bgcolor="white" nodesep=0.3 ranksep=0.45 pad=0.2'
        if o.title:
            title = escape(o.title)
            if o.title_spacer:
                title += f'<br/><font color="white">{escape(o.title_spacer)}</font>'
            graph += f' label=<{title}> labelloc=t labeljust=l fontsize=15 fontname="Helvetica"'
        return [
            f"\tgraph [{graph}]\n",
            '\tnode [fontname="Helvetica" fontsize=12 shape=plaintext margin=0]\n',
            f'\tedge [fontname="Helvetica" fontsize=10 color="{EDGE_COLOR}" '
            f'fontcolor="{EDGE_TEXT}" arrowsize=0.7]\n',
        ]

    # --- value boxes --------------------------------------------------------------------------
    def _label_fill(self, node: Node) -> str:
        if id(node) in self.options.highlight:
            return HIGHLIGHT_FILL
        if node is self.root:
            return ROOT_FILL
        if node.is_leaf:
            return LEAF_FILL if node.requires_grad else CONST_FILL
        return INNER_FILL

    def _name_cell_text(self, node: Node) -> str:
        name = escape(self.name_of(node))
        if node.label:
            return f"<b>{name}</b>"
        if not node.requires_grad:
            return f'<font color="{MUTED_TEXT}"><i>const</i></font>'
        return f'<font color="{MUTED_TEXT}"><i>{name}</i></font>'

    def _grad_cell(self, node: Node) -> tuple[str, str] | None:
        """(cell text, fill colour) for the gradient, or None when it is not shown."""
        if "grad" not in self.options.show or not node.requires_grad:
            return None
        precision = self.options.precision
        view = self.options.grads
        if view is None:
            if node.grad is None:
                return f'<font color="{MUTED_TEXT}">none yet</font>', PENDING_FILL
            return escape(_data_text(node.grad, precision)), GRAD_FILL
        if id(node) in view.known:
            fill = HIGHLIGHT_FILL if id(node) in self.options.highlight else GRAD_FILL
            return escape(_data_text(view.known[id(node)], precision)), fill
        final = view.final.get(id(node))
        ghost = "?" if final is None else _data_text(final, precision)
        # Invisible text of the final width keeps the layout of every frame identical.
        return f'<font color="{PENDING_FILL}">{escape(ghost)}</font>', PENDING_FILL

    def _value_label(self, node: Node) -> str:
        if _is_tensor(node):
            return self._tensor_label(node)
        border = HIGHLIGHT_COLOR if id(node) in self.options.highlight else BORDER_COLOR
        cells = [f'<td bgcolor="{self._label_fill(node)}">{self._name_cell_text(node)}</td>']
        if "data" in self.options.show:
            cells.append(f"<td>data {escape(fmt(node.data, self.options.precision))}</td>")
        grad = self._grad_cell(node)
        if grad is not None:
            cells.append(f'<td bgcolor="{grad[1]}">grad {grad[0]}</td>')
        return (
            f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="{border}">'
            f"<tr>{''.join(cells)}</tr></table>"
        )

    def _tensor_label(self, node: Node) -> str:
        border = HIGHLIGHT_COLOR if id(node) in self.options.highlight else BORDER_COLOR
        shape = escape(_shape_text(node.data))
        rows = [
            f'<tr><td colspan="2" bgcolor="{self._label_fill(node)}">'
            f'{self._name_cell_text(node)}  <font point-size="10" color="{MUTED_TEXT}">'
            f"{shape}</font></td></tr>"
        ]
        if "data" in self.options.show:
            data = escape(summarize_array(node.data, self.options.precision))
            rows.append(f'<tr><td align="left">data</td><td align="left">{data}</td></tr>')
        grad = self._grad_cell(node)
        if grad is not None:
            rows.append(
                f'<tr><td align="left">grad</td>'
                f'<td align="left" bgcolor="{grad[1]}">{grad[0]}</td></tr>'
            )
        return (
            f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="{border}">'
            f"{''.join(rows)}</table>"
        )

    # --- op circles and edges -----------------------------------------------------------------
    def _op_attributes(self, node: Node) -> str:
        display = str(node.op.display)
        display = _PRETTY_SYMBOLS.get(display, display)
        shape = "circle" if len(display) <= 4 else "ellipse"  # long names: no huge circle
        size = 12 if len(display) <= 2 else 10
        return (
            f'[label=<{escape(display)}> shape={shape} style=filled fillcolor="{OP_FILL}" '
            f'color="{OP_BORDER}" fontsize={size} width=0.3 height=0.3 margin=0.03]'
        )

    def _edges(self, i: int, node: Node) -> list[str]:
        labels = self._edge_labels(node) if self.options.show_local_grads else None
        focus = self.options.grads.focus_edges if self.options.grads else set()
        lines = []
        for position, parent in enumerate(node.parents):
            source = self.index.get(id(parent))
            attributes = []
            if labels and labels[position]:
                attributes.append(f"label=<{labels[position]}>")
            if (id(parent), id(node)) in focus:
                attributes.append(f'color="{HIGHLIGHT_COLOR}" fontcolor="{HIGHLIGHT_COLOR}"')
                attributes.append("penwidth=2")
            if not parent.requires_grad:
                attributes.append("style=dashed")
            attrs = f" [{' '.join(attributes)}]" if attributes else ""
            tail = f"v{source}" if source is not None else "more"
            if source is None:
                attrs = ' [style=dashed color="#9ca3af"]'
            lines.append(f"\t{tail} -> o{i}{attrs}\n")
        return lines

    def _child_grad(self, node: Node):
        view = self.options.grads
        if view is not None:
            return view.known.get(id(node))
        if "grad" not in self.options.show or not self._backward_has_run():
            return None
        return node.grad

    def _backward_has_run(self) -> bool:
        """A scalar output whose grad is still 0 has not been backpropagated: no products."""
        grad = self.root.grad
        if grad is None:
            return False
        return not (not _is_tensor(self.root) and grad == 0.0)

    def _edge_labels(self, node: Node) -> list[str | None]:
        if _is_tensor(node):
            return self._tensor_edge_labels(node)
        locals_ = local_derivatives(node)
        names = [self.name_of(p) for p in node.parents]
        child = self.name_of(node)
        child_grad, ghost = self._child_grad(node), False
        view = self.options.grads
        if child_grad is None and view is not None and id(node) in view.final:
            child_grad, ghost = view.final[id(node)], True  # reserve the space, invisibly
        precision = self.options.precision
        labels: list[str | None] = []
        for position, (parent, local) in enumerate(zip(node.parents, locals_)):
            if local is None or not parent.requires_grad:  # no gradient flows to constants
                labels.append(None)
                continue
            value = fmt(local, precision)
            formula = _formula(node, position, names, child)
            line = f"∂{child}/∂{names[position]} = "
            line += f"{formula} = {value}" if formula and formula != value else value
            lines = [escape(line)]
            if child_grad is not None and parent.requires_grad and "grad" in self.options.show:
                product = escape(self._product_line(parent, names[position], child_grad, local))
                # in a backward frame, a product appears in the frame of the parent it feeds
                hidden = ghost or (view is not None and id(parent) not in view.known)
                lines.append(f'<font color="white">{product}</font>' if hidden else product)
            labels.append("<br/>".join(lines))
        return labels

    def _product_line(self, parent: Node, parent_name: str, child_grad, local) -> str:
        precision = self.options.precision
        sign = "+=" if self.fanout.get(id(parent), 0) > 1 else "="
        upstream, local_text = fmt(child_grad, precision), fmt(local, precision)
        product = fmt(float(child_grad) * float(local), precision)
        return (
            f"∂{self.root_name}/∂{parent_name} {sign} {paren(upstream)} × {paren(local_text)}"
            f" = {product}"
        )

    def _tensor_edge_labels(self, node: Node) -> list[str | None]:
        """Tensor edges carry a Jacobian, too big to print: show what reaches the parent."""
        child_grad = self._child_grad(node)
        if child_grad is None:
            return [None] * len(node.parents)
        shares = gradient_shares(node, child_grad)
        labels: list[str | None] = []
        for parent, share in zip(node.parents, shares):
            if share is None or not parent.requires_grad:
                labels.append(None)
                continue
            text = summarize_array(share, self.options.precision)
            labels.append(escape(f"→ ∂{self.root_name}/∂{self.name_of(parent)}: {text}"))
        return labels

    def _hidden_marker(self) -> str:
        return (
            f"\tmore [label=<<i>… {self.hidden:,} more node{'s' if self.hidden != 1 else ''} "
            f"not drawn</i><br/>"
            f'<font point-size="9">(raise max_nodes to see them)</font>> '
            f'shape=note style="filled,dashed" fillcolor="#f9fafb" color="#9ca3af" margin=0.1]\n'
        )
