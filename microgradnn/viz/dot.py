"""Computation graphs as DOT text: the pure-text core of :mod:`microgradnn.viz`.

Nothing here needs Graphviz: :func:`to_dot` returns a string that any Graphviz-compatible
program can lay out. The output is deterministic (node ids follow a fixed traversal order),
so two runs on the same graph give the same text and tests can compare it.

Every label is an HTML-like label whose text goes through :func:`escape`, so names such
as ``a"|{<x>}`` are shown literally and can never end a label or inject DOT statements.

Big graphs are summarized (see :mod:`microgradnn.viz.summary`) or cut (``max_nodes``), so a
picture is always laid out in seconds; the direction is chosen from the graph's shape
(:mod:`microgradnn.viz.layout`) so it fits a projected slide.

>>> from microgradnn import Value
>>> x = Value(2.0, label="x")
>>> "digraph" in to_dot(x * x)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from microgradnn.engine import Node
from microgradnn.viz import layout, style
from microgradnn.viz.graph import (
    collect_nodes,
    consumers_count,
    formula,
    gradient_shares,
    local_derivatives,
    nearest_to_root,
)
from microgradnn.viz.names import node_names
from microgradnn.viz.style import (
    BORDER_COLOR,
    CONST_FILL,
    EDGE_COLOR,
    EDGE_TEXT,
    FONT,
    FONT_SIZE,
    GRAD_FILL,
    GRAPH_NAME,
    HIGHLIGHT_COLOR,
    HIGHLIGHT_FILL,
    INNER_FILL,
    LEAF_FILL,
    MUTED_TEXT,
    OP_BORDER,
    OP_FILL,
    PENDING_FILL,
    ROOT_FILL,
    SMALL_FONT_SIZE,
    pretty_symbol,
)
from microgradnn.viz.text import (
    data_text,
    escape,
    fmt,
    is_tensor,
    paren,
    quote,
    shape_text,
    summarize_array,
)

VALID_SHOW = ("data", "grad")
VALID_RANKDIR = ("auto", "LR", "RL", "TB", "BT")
#: Above this many nodes a full picture takes Graphviz many seconds (and is unreadable on a
#: slide anyway): ``summarize="auto"`` then draws a summary instead. Edge labels make layout
#: about four times slower, hence the lower limit with ``show_local_grads``.
SUMMARIZE_ABOVE = 150
SUMMARIZE_ABOVE_WITH_EDGE_LABELS = 80
#: A leaf used by more nodes than this (a weight shared by every time step) is drawn once
#: and then as a small named copy at each further use: edges spanning the whole picture
#: make Graphviz's layout slow (minutes for an unrolled LSTM) and cross everything.
SHARED_FANOUT = 3


@dataclass
class GradView:
    """Gradients to show instead of ``node.grad`` (used by the backward-step frames).

    ``known`` maps node ids to gradients computed so far; other nodes show an empty cell that
    still reserves the width of their final gradient (``final``), so every frame has exactly
    the same layout. ``focus_edges`` are drawn in red: (parent id, child id) pairs.
    """

    known: dict[int, object]
    final: dict[int, object]
    focus_edges: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Options:
    """Everything that decides how one picture looks (built by :func:`to_dot`)."""

    rankdir: str
    show: tuple[str, ...]
    show_local_grads: bool
    precision: int
    max_nodes: int | None
    highlight: set[int]
    title: str | None = None
    title_spacer: str | None = None  # invisible line as wide as the widest title of a series
    grads: GradView | None = None


def check_options(rankdir, show, precision, max_nodes) -> tuple[str, tuple[str, ...]]:
    """Validate the common options; return ``(rankdir, show)`` normalised.

    >>> check_options("LR", "data", 4, None)
    ('LR', ('data',))
    """
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


def _wants_summary(summarize, count: int, options: Options) -> bool:
    if summarize not in ("auto", True, False):
        raise ValueError(f'summarize must be "auto", True or False, got {summarize!r}')
    if summarize != "auto":
        return bool(summarize)
    if options.max_nodes is not None:  # the user chose a cut instead
        return False
    limit = SUMMARIZE_ABOVE_WITH_EDGE_LABELS if options.show_local_grads else SUMMARIZE_ABOVE
    return count > limit


def to_dot(
    root: Node,
    *,
    rankdir: str = "auto",
    show: Iterable[str] = ("data", "grad"),
    show_local_grads: bool = False,
    precision: int = 4,
    max_nodes: int | None = None,
    highlight=None,
    summarize="auto",
    expand=False,
) -> str:
    """The computation graph that produced ``root``, as deterministic DOT text.

    Value nodes are boxes ``label | data | grad``; each operation is a small circle with its
    symbol. Tensors show their shape, dtype and a summary instead of all their numbers.

    Args:
        root: the result of a computation (a ``Value`` or ``Tensor``).
        rankdir: layout direction: ``"auto"`` (default: left to right unless top to bottom
            fits a 16:9 slide better), ``"LR"``, ``"TB"``, ``"RL"``, ``"BT"``.
        show: which numbers to show in each box: ``("data", "grad")`` (default), ``("data",)``
            for a forward-pass picture, or ``()`` for structure only.
        show_local_grads: label every edge with the local derivative d(child)/d(parent) at
            the current values and, when gradients are shown, the product the chain rule sends
            to the parent (``∂f/∂x = (-4) × 1 = -4``).
        precision: significant digits for numbers.
        max_nodes: draw only the ``max_nodes`` value nodes nearest to ``root``; the rest is
            replaced by one marker node (one edge into each node that lost inputs).
        highlight: a node (or several) to emphasise in red.
        summarize: ``"auto"`` (default) draws graphs of more than :data:`SUMMARIZE_ABOVE`
            nodes as a summary (nodes of one operation at one depth drawn as one box with a
            count); ``True`` always, ``False`` never (big graphs may then take minutes).
        expand: draw fused kernel nodes (a neuron's ``Σ wᵢxᵢ + b``, a dense layer's
            ``x @ W + b``, ...) as the composite of primitives they stand for, with the same
            numbers: ``True`` for all of them, or a node / a list of nodes.

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> dot = to_dot(f, show=("data",))
    >>> dot.startswith("digraph microgradnn {") and "data -12" in dot
    True
    """
    rankdir, show = check_options(rankdir, show, precision, max_nodes)
    options = Options(rankdir, show, bool(show_local_grads), precision, max_nodes, set())
    options.highlight = _highlight_ids(highlight)
    if not isinstance(root, Node):
        collect_nodes(root)  # raises the TypeError that explains what is expected
    nodes = collect_nodes(root)
    if _wants_summary(summarize, len(nodes), options):
        from microgradnn.viz.summary import summary_dot

        return summary_dot(root, nodes, options)
    if expand is not False and expand is not None:
        from microgradnn.viz.fused import expand_fused

        expansion = expand_fused(root, expand)
        return "".join(DotBuilder(expansion.root, options, expansion.nodes, expansion).lines())
    return "".join(DotBuilder(root, options, nodes).lines())


class DotBuilder:
    """Turns one graph into DOT statements (one instance per call, no shared state).

    >>> from microgradnn import Value
    >>> x = Value(2.0, label="x")
    >>> builder = DotBuilder(x * x, Options("LR", ("data",), False, 4, None, set()))
    >>> builder.name_of(x), builder.root_name
    ('x', 'v1')
    """

    def __init__(
        self, root: Node, options: Options, nodes: list[Node] | None = None, expansion=None
    ):
        self.root = root
        self.options = options
        all_nodes = collect_nodes(root) if nodes is None else nodes
        # fused nodes drawn as their composites (viz.fused): edges from a fused node start
        # at its composite's output, whose gradients come from the expansion
        self.substitute = expansion.substitute if expansion is not None else {}
        self.clusters = expansion.clusters if expansion is not None else []
        self.extra_grads = expansion.grads if expansion is not None else {}
        if options.max_nodes is not None and len(all_nodes) > options.max_nodes:
            kept = nearest_to_root(root, options.max_nodes)
            self.nodes = [n for n in all_nodes if id(n) in kept]
        else:
            self.nodes = all_nodes
        self.hidden = len(all_nodes) - len(self.nodes)
        self.index = {id(n): i for i, n in enumerate(self.nodes)}
        self.fanout = consumers_count(all_nodes, self.substitute)
        self.proxies_seen: dict[int, int] = {}
        self.names = node_names(self.nodes, options.precision)
        self.root_name = self.names[self.index[id(root)]]
        self.rankdir = options.rankdir
        if self.rankdir == "auto":
            self.rankdir = self._choose_rankdir()

    def _choose_rankdir(self) -> str:
        """LR or TB, from the graph's shape and the real lengths of its texts."""
        step = max(1, len(self.nodes) // 200)  # a sample is enough to know the typical width
        sample = list(zip(self.nodes, self.names))[::step]
        widths = sorted(self._box_chars(node, name) for node, name in sample)
        box_chars = widths[(len(widths) * 9) // 10]  # the wide boxes decide a layer's width
        tensors = any(is_tensor(n) for n in self.nodes)
        edge_chars = 0.0
        if self.options.show_local_grads:
            lengths = [
                max(len(line) for line in label.split("<br/>"))
                for node, _name in sample
                if not node.is_leaf
                for label in self._edge_labels(node)
                if label
            ]
            edge_chars = sorted(lengths)[len(lengths) // 2] if lengths else 0.0
        return layout.choose_rankdir(
            self.nodes, box_chars, edge_chars, self.substitute, box_lines=3 if tensors else 1
        )

    def _box_chars(self, node: Node, name: str) -> int:
        """Characters across a node's box (its widest line)."""
        precision = self.options.precision
        if is_tensor(node):
            return 12 + max(len(name) + 14, len(summarize_array(node.data, precision)))
        chars = len(name) + 2
        if "data" in self.options.show:
            chars += 7 + len(fmt(node.data, precision))
        if "grad" in self.options.show and node.requires_grad:
            chars += 7 + precision + 2
        return chars

    # --- names ------------------------------------------------------------------------------
    def name_of(self, node: Node) -> str:
        """The name ``node`` has in this picture (``?`` when it is not drawn)."""
        i = self.index.get(id(node))
        return self.names[i] if i is not None else "?"

    # --- output -------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """The DOT text, one statement per list entry."""
        out = [f"digraph {GRAPH_NAME} {{\n"]
        out.extend(self._header())
        cluster_of = {
            id(n): k for k, (_title, members) in enumerate(self.clusters) for n in members
        }
        current = None
        later: list[str] = []  # edges into a cluster, written after it
        for i, node in enumerate(self.nodes):
            cluster = cluster_of.get(id(node))
            if cluster != current:  # a composite's nodes are listed together: frame them
                if current is not None:
                    out.append("\t}\n")
                if cluster is not None:
                    out.append(self._cluster_header(cluster))
                current = cluster
            out.append(f"\tv{i} [label=<{self._value_label(node)}>]\n")
            if not node.is_leaf:
                out.append(f"\to{i} {self._op_attributes(node)}\n")
                # an edge written inside a cluster would pull its tail (an input) in too
                (later if current is not None else out).extend(self._edges(i, node))
                out.append(f"\to{i} -> v{i}\n")
        if current is not None:
            out.append("\t}\n")
        out.extend(later)
        if self.hidden:
            out.append(self._hidden_marker())
        out.append("}\n")
        return out

    def _cluster_header(self, k: int) -> str:
        """Opens a dashed frame around an expanded kernel's composite, titled with its symbol."""
        title = escape(self.clusters[k][0])
        return (
            f'\tsubgraph cluster_expanded{k} {{\n\tlabel=<{title}> style="dashed,rounded" '
            f'color="{OP_BORDER}" fontcolor="{OP_BORDER}" fontsize={SMALL_FONT_SIZE}\n'
        )

    def _header(self) -> list[str]:
        o = self.options
        graph = (
            f'rankdir={self.rankdir} bgcolor="white" nodesep=0.3 ranksep=0.45 pad=0.2 '
            f"{layout.size_attributes()}"
        )
        if o.title:
            title = escape(o.title)
            if o.title_spacer:
                title += f'<br/><font color="white">{escape(o.title_spacer)}</font>'
            graph += (
                f" label=<{title}> labelloc=t labeljust=l fontsize={style.TITLE_FONT_SIZE} "
                f'fontname="{FONT}"'
            )
        return [
            f"\tgraph [{graph}]\n",
            f'\tnode [fontname="{FONT}" fontsize={FONT_SIZE} shape=plaintext margin=0]\n',
            f'\tedge [fontname="{FONT}" fontsize={FONT_SIZE} color="{EDGE_COLOR}" '
            f'fontcolor="{EDGE_TEXT}" arrowsize=0.8]\n',
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
            grad = self.extra_grads.get(id(node), node.grad)
            if grad is None:
                return f'<font color="{MUTED_TEXT}">none yet</font>', PENDING_FILL
            return escape(data_text(grad, precision)), GRAD_FILL
        if id(node) in view.known:
            fill = HIGHLIGHT_FILL if id(node) in self.options.highlight else GRAD_FILL
            return escape(data_text(view.known[id(node)], precision)), fill
        final = view.final.get(id(node))
        ghost = "?" if final is None else data_text(final, precision)
        # Invisible text of the final width keeps the layout of every frame identical.
        return f'<font color="{PENDING_FILL}">{escape(ghost)}</font>', PENDING_FILL

    def _value_label(self, node: Node) -> str:
        if is_tensor(node):
            return self._tensor_label(node)
        border = HIGHLIGHT_COLOR if id(node) in self.options.highlight else BORDER_COLOR
        cells = [f'<td bgcolor="{self._label_fill(node)}">{self._name_cell_text(node)}</td>']
        if "data" in self.options.show:
            cells.append(f"<td>data {escape(fmt(node.data, self.options.precision))}</td>")
        grad = self._grad_cell(node)
        if grad is not None:
            cells.append(f'<td bgcolor="{grad[1]}">grad {grad[0]}</td>')
        return (
            f'<table border="0" cellborder="1" cellspacing="0" cellpadding="5" color="{border}">'
            f"<tr>{''.join(cells)}</tr></table>"
        )

    def _tensor_label(self, node: Node) -> str:
        border = HIGHLIGHT_COLOR if id(node) in self.options.highlight else BORDER_COLOR
        shape = escape(shape_text(node.data))
        rows = [
            f'<tr><td colspan="2" bgcolor="{self._label_fill(node)}">'
            f'{self._name_cell_text(node)}  <font point-size="{SMALL_FONT_SIZE}" '
            f'color="{MUTED_TEXT}">{shape}</font></td></tr>'
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
            f'<table border="0" cellborder="1" cellspacing="0" cellpadding="5" color="{border}">'
            f"{''.join(rows)}</table>"
        )

    # --- op circles and edges -----------------------------------------------------------------
    def _op_attributes(self, node: Node) -> str:
        display = pretty_symbol(node.op)
        shape = "circle" if len(display) <= 4 else "ellipse"  # long names: no huge circle
        # the symbol is as big as the text around it: "+" and "×" must read from the back row
        return (
            f'[label=<{escape(display)}> shape={shape} style=filled fillcolor="{OP_FILL}" '
            f'color="{OP_BORDER}" fontsize={FONT_SIZE} width=0.4 height=0.4 margin=0.04]'
        )

    def _edges(self, i: int, node: Node) -> list[str]:
        labels = self._edge_labels(node) if self.options.show_local_grads else None
        focus = self.options.grads.focus_edges if self.options.grads else set()
        lines = []
        hidden_inputs = 0
        for position, parent in enumerate(node.parents):
            parent = self.substitute.get(id(parent), parent)
            source = self.index.get(id(parent))
            if source is None:
                hidden_inputs += 1
                continue
            attributes = []
            if labels and labels[position]:
                attributes.append(f"label=<{_padded(labels[position])}>")
            if (id(parent), id(node)) in focus:
                attributes.append(f'color="{HIGHLIGHT_COLOR}" fontcolor="{HIGHLIGHT_COLOR}"')
                attributes.append("penwidth=2")
            if not parent.requires_grad:
                attributes.append("style=dashed")
            attrs = f" [{' '.join(attributes)}]" if attributes else ""
            tail = f"v{source}"
            if parent.is_leaf and self.fanout.get(id(parent), 0) > SHARED_FANOUT:
                tail = self._proxy(parent, source, i, position, lines)
            lines.append(f"\t{tail} -> o{i}{attrs}\n")
        if hidden_inputs:  # one edge per boundary, however many inputs are behind it
            count = f" label=<×{hidden_inputs}>" if hidden_inputs > 1 else ""
            lines.append(f'\tmore -> o{i} [style=dashed color="#9ca3af"{count}]\n')
        return lines

    def _proxy(self, leaf: Node, source: int, i: int, position: int, lines: list) -> str:
        """A small copy of a leaf used by many nodes (a weight shared by every time step).

        The leaf's box is drawn once, at its first use; later uses get a copy that names it.
        Long edges from one box to every step would make the layout take minutes.
        """
        count = self.proxies_seen.get(id(leaf), 0)
        self.proxies_seen[id(leaf)] = count + 1
        if count == 0:
            return f"v{source}"
        fill = LEAF_FILL if leaf.requires_grad else CONST_FILL
        name = escape(self.name_of(leaf))
        uses = self.fanout[id(leaf)]
        lines.append(
            f'\tp{i}_{position} [label=<<table border="0" cellborder="1" cellspacing="0" '
            f'cellpadding="4" color="{BORDER_COLOR}"><tr><td bgcolor="{fill}"><b>{name}</b> '
            f'<font color="{MUTED_TEXT}" point-size="{SMALL_FONT_SIZE}">(used {uses}×)</font>'
            "</td></tr></table>>]\n"
        )
        return f"p{i}_{position}"

    def _child_grad(self, node: Node):
        view = self.options.grads
        if view is not None:
            return view.known.get(id(node))
        if "grad" not in self.options.show or not self._backward_has_run():
            return None
        return self.extra_grads.get(id(node), node.grad)

    def _backward_has_run(self) -> bool:
        """A scalar output whose grad is still 0 has not been backpropagated: no products."""
        grad = self.root.grad
        if grad is None:
            return False
        return not (not is_tensor(self.root) and grad == 0.0)

    def _edge_labels(self, node: Node) -> list[str | None]:
        if is_tensor(node):
            return self._tensor_edge_labels(node)
        locals_ = local_derivatives(node)
        parents = [self.substitute.get(id(p), p) for p in node.parents]
        names = [self.name_of(p) for p in parents]
        child = self.name_of(node)
        child_grad, ghost = self._child_grad(node), False
        view = self.options.grads
        if child_grad is None and view is not None and id(node) in view.final:
            child_grad, ghost = view.final[id(node)], True  # reserve the space, invisibly
        precision = self.options.precision
        labels: list[str | None] = []
        for position, (parent, local) in enumerate(zip(parents, locals_)):
            if local is None or not parent.requires_grad:  # no gradient flows to constants
                labels.append(None)
                continue
            value = fmt(local, precision)
            text = formula(node, position, names, child)
            line = f"∂{child}/∂{names[position]} = "
            line += f"{text} = {value}" if text and text != value else value
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
            f'<font point-size="{SMALL_FONT_SIZE}">(raise max_nodes to see them)</font>> '
            f'shape=note style="filled,dashed" fillcolor="#f9fafb" color="#9ca3af" margin=0.1]\n'
        )


def _padded(label: str) -> str:
    """An edge label in an invisible padded cell: its text keeps clear of the edge line."""
    return f'<table border="0" cellpadding="5" cellspacing="0"><tr><td>{label}</td></tr></table>'


__all__ = [
    "BORDER_COLOR",
    "CONST_FILL",
    "DotBuilder",
    "GradView",
    "Options",
    "VALID_RANKDIR",
    "VALID_SHOW",
    "check_options",
    "collect_nodes",
    "consumers_count",
    "escape",
    "fmt",
    "gradient_shares",
    "local_derivatives",
    "paren",
    "pretty_symbol",
    "quote",
    "summarize_array",
    "to_dot",
]
