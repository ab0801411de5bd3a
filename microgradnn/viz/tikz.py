"""TikZ and Beamer export: put the exact graph of a computation on a teacher's slides.

* :func:`to_tikz` -- a ``tikzpicture`` with one box per value (name, data, grad) and one
  circle per operation, laid out in layers from the inputs (left) to the output (right);
* :func:`to_beamer` -- a Beamer frame that replays backpropagation with one overlay per
  backward step: step k shows the gradients known after k steps, outlines the node just
  finished in red and prints its chain-rule sum under the picture.

Both return text (no LaTeX or renderer needed to produce it); ``standalone=True`` wraps it
in a complete document that ``pdflatex`` compiles as is. Big graphs are refused with advice:
a slide holds a few dozen nodes.

>>> from microgradnn import Value
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> f = x * y; f.label = "f"; f.backward()
>>> tex = to_tikz(f)
>>> tex.startswith("\\\\begin{tikzpicture}") and "grad $3$" in tex
True
"""

from __future__ import annotations

from microgradnn.engine import Node
from microgradnn.viz import frames
from microgradnn.viz.graph import collect_nodes
from microgradnn.viz.layout import levels
from microgradnn.viz.names import node_names
from microgradnn.viz.style import pretty_symbol
from microgradnn.viz.text import data_text, fmt, is_tensor

#: More nodes than this do not fit on a slide.
MAX_SLIDE_NODES = 60
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "∂": r"$\partial$",
    "×": r"$\times$",
    "÷": r"$\div$",
    "·": r"$\cdot$",
    "Σ": r"$\Sigma$",
    "σ": r"$\sigma$",
    "…": r"\ldots{}",
    "→": r"$\to$",
    "ᵢ": r"$_i$",
}
#: Document heads for ``standalone=True`` (only packages of a basic TeX Live: tikz, beamer).
_PICTURE_DOCUMENT = r"""\documentclass{article}
\usepackage[landscape, margin=1cm]{geometry}
\usepackage{tikz}
\usetikzlibrary{arrows.meta}
\pagestyle{empty}
\begin{document}
"""
_BEAMER_DOCUMENT = r"""\documentclass{beamer}
\usepackage{tikz}
\usetikzlibrary{arrows.meta}
\begin{document}
"""


def tex_escape(text: object) -> str:
    """Text made safe for LaTeX (special characters escaped, maths symbols as macros).

    >>> tex_escape("w[2][3,1] = 50% of x_1")
    'w[2][3,1] = 50\\\\% of x\\\\_1'
    """
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def _math_number(value, precision: int) -> str:
    return f"${data_text(value, precision)}$"


def _layout(nodes: list[Node]) -> dict[int, tuple[float, float]]:
    """(x, y) of each value node: x = its level from the inputs, y = its place in the level."""
    level = levels(nodes)
    count: dict[int, int] = {}
    for node in nodes:
        count[level[id(node)]] = count.get(level[id(node)], 0) + 1
    seen: dict[int, int] = {}
    position = {}
    for node in nodes:
        k = level[id(node)]
        row = seen.get(k, 0)
        seen[k] = row + 1
        position[id(node)] = (2.0 * k, (count[k] - 1) / 2 - row)  # each level centred
    return position


def _check_size(nodes: list[Node]) -> None:
    if len(nodes) > MAX_SLIDE_NODES:
        raise ValueError(
            f"this graph has {len(nodes)} nodes, more than a slide holds ({MAX_SLIDE_NODES}); "
            "export a smaller expression (one neuron, one layer step), or use "
            "viz.draw(root).render('graph.svg') for an SVG of the summary"
        )


def _picture_lines(root, nodes, names, show, precision, grad_text) -> list[str]:
    position = _layout(nodes)
    index = {id(n): i for i, n in enumerate(nodes)}
    lines = [
        r"\begin{tikzpicture}[x=1.5cm, y=1.5cm, >={Stealth[length=2mm]}, font=\footnotesize,",
        r"  value/.style={draw=gray, rounded corners=1pt, fill=blue!6, inner sep=2pt,"
        r" align=center},",
        r"  output/.style={value, fill=green!12},",
        r"  op/.style={draw=orange!70!black, circle, fill=yellow!25, inner sep=1pt,"
        r" minimum size=6mm}]",
    ]
    for i, node in enumerate(nodes):
        x, y = position[id(node)]
        parts = [rf"\textbf{{{tex_escape(names[i])}}}"]
        if "data" in show:
            parts.append(f"data {_math_number(node.data, precision)}")
        if "grad" in show and node.requires_grad:
            parts.append(grad_text(node))
        style = "output" if node is root else "value"
        content = r" \\ ".join(parts)  # name, data, grad stacked: narrow boxes
        lines.append(rf"\node[{style}] (v{i}) at ({x:g}, {y:g}) {{{content}}};")
        if not node.is_leaf:
            symbol = tex_escape(pretty_symbol(node.op))
            lines.append(rf"\node[op] (o{i}) at ({x - 1:g}, {y:g}) {{{symbol}}};")
            lines.append(rf"\draw[->] (o{i}) -- (v{i});")
            for parent in node.parents:
                dashed = "" if parent.requires_grad else ", dashed"
                lines.append(rf"\draw[->{dashed}] (v{index[id(parent)]}) -- (o{i});")
    return lines


def to_tikz(
    root: Node,
    *,
    show=("data", "grad"),
    precision: int = 4,
    standalone: bool = False,
) -> str:
    """The graph of ``root`` as a TikZ picture (``\\usetikzlibrary{arrows.meta}`` needed).

    ``show`` picks the numbers in each box (``("data",)`` for the forward pass).
    ``standalone=True`` returns a complete LaTeX document (one landscape page).

    >>> from microgradnn import Value
    >>> x = Value(2.0, label="x_1")
    >>> "x\\\\_1" in to_tikz(x * x, show=("data",))
    True
    """
    show = (show,) if isinstance(show, str) else tuple(show)
    nodes = collect_nodes(root)
    _check_size(nodes)
    names = node_names(nodes, precision)

    def grad_text(node):
        return "grad ?" if node.grad is None else f"grad {_math_number(node.grad, precision)}"

    lines = _picture_lines(root, nodes, names, show, precision, grad_text)
    lines.append(r"\end{tikzpicture}")
    body = "\n".join(lines) + "\n"
    if standalone:
        return _PICTURE_DOCUMENT + body + "\\end{document}\n"
    return body


def to_beamer(
    root: Node,
    *,
    grad=None,
    precision: int = 4,
    title: str = "Backpropagation, one step at a time",
    standalone: bool = False,
) -> str:
    """A Beamer frame with one overlay per backward step of ``root`` (output first).

    Overlay k shows every gradient known after step k, outlines the node finished in that
    step in red, and prints its chain-rule sum (``∂f/∂x = ∂f/∂q · ∂q/∂x = (-4) · 1 = -4``).
    ``standalone=True`` returns a complete ``beamer`` document.

    >>> from microgradnn import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> f = x * y; f.label = "f"
    >>> frame = to_beamer(f)
    >>> frame.count(r"\\only<"), "alt<3->{grad $2$}" in frame   # 3 steps: outline + sum
    (6, True)
    """
    nodes = collect_nodes(root)
    _check_size(nodes)
    names = node_names(nodes, precision)
    steps = frames.replay_backward(root, frames.seed_of(root, grad))
    step_of = {id(s.node): k for k, s in enumerate(steps, 1)}
    grads = {id(s.node): s.grad for s in steps}
    index = {id(n): i for i, n in enumerate(nodes)}
    name_of = dict(zip(map(id, nodes), names))

    def grad_text(node):
        k = step_of.get(id(node))
        if k is None:
            return "grad $0$"
        text = f"grad {_math_number(grads[id(node)], precision)}"
        # \alt, not \uncover: beamer's \uncover fails inside a TikZ node; the phantom keeps
        # the box as wide on every slide, so nothing moves while the gradients appear
        return rf"\alt<{k}->{{{text}}}{{\phantom{{{text}}}}}"

    lines = [rf"\begin{{frame}}{{{tex_escape(title)}}}", r"\centering"]
    lines += _picture_lines(root, nodes, names, ("data", "grad"), precision, grad_text)
    for k, step in enumerate(steps, 1):
        box = f"v{index[id(step.node)]}"
        lines.append(
            rf"\only<{k}>{{\draw[red, very thick, rounded corners=1pt] "
            rf"({box}.south west) rectangle ({box}.north east);}}"
        )
    lines.append(r"\end{tikzpicture}")
    lines.append("")
    lines.append(r"\medskip\small")
    for k, step in enumerate(steps, 1):
        caption = tex_escape(_sum_text(step, name_of, precision, names[-1]))
        lines.append(rf"\only<{k}>{{Step {k - 1}: {caption}}}")
    lines.append(r"\end{frame}")
    body = "\n".join(lines) + "\n"
    if standalone:
        return _BEAMER_DOCUMENT + body + "\\end{document}\n"
    return body


def _sum_text(step, name_of, precision: int, root_name: str) -> str:
    name = name_of[id(step.node)]
    if not step.terms:
        return f"∂{root_name}/∂{root_name} = 1 (the start)"
    total = data_text(step.grad, precision)
    if is_tensor(step.node):
        return f"∂{root_name}/∂{name} = {total}"
    terms = " + ".join(
        f"∂{root_name}/∂{name_of[id(child)]} · ∂{name_of[id(child)]}/∂{name}"
        for child, *_ in step.terms
    )
    numbers = " + ".join(
        f"({fmt(child_grad, precision)}) · ({fmt(local, precision)})"
        for _child, local, child_grad, _share in step.terms
    )
    return f"∂{root_name}/∂{name} = {terms} = {numbers} = {total}"


__all__ = ["MAX_SLIDE_NODES", "tex_escape", "to_beamer", "to_tikz"]
