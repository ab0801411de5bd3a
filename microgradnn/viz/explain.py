"""``explain(node, root)``: the whole chain-rule sum behind one gradient, with numbers.

A node used in several places receives one gradient share from each consumer; its gradient
is their sum. :func:`explain` writes that sum three times -- in symbols, in numbers and as
the total -- and draws the graph with the node and the edges that carry its shares in red.

>>> from microgradnn import Value
>>> x = Value(3.0, label="x")
>>> q = x * x; q.label = "q"
>>> f = q + x; f.label = "f"
>>> print(explain(x, f))
∂f/∂x = ∂f/∂q · ∂q/∂x + ∂f/∂q · ∂q/∂x + ∂f/∂f · ∂f/∂x
      = 1 · 3 + 1 · 3 + 1 · 1
      = 7
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microgradnn.engine import Node
from microgradnn.viz import dot as dotlib
from microgradnn.viz import frames
from microgradnn.viz.graph import collect_nodes
from microgradnn.viz.text import data_text, fmt, is_tensor, paren

#: Graphs with more nodes are drawn as the node's neighbourhood only.
NEIGHBOURHOOD_ABOVE = 60


@dataclass
class Explanation:
    """What :func:`explain` found: print it for the text; in Jupyter it shows the picture.

    Attributes: ``name`` (of the node), ``grad`` (its gradient), ``terms`` (one per edge
    into a consumer: consumer name, consumer gradient, local derivative or None for
    tensors, the share sent), ``text`` (three lines), ``dot`` (DOT text of the picture).
    """

    name: str
    grad: object
    terms: list = field(repr=False)
    text: str
    dot: str = field(repr=False)

    def __str__(self) -> str:
        return self.text

    def draw(self):
        """The picture (a :class:`~microgradnn.viz.picture.GraphPicture`; ``.render(path)``)."""
        from microgradnn.viz.picture import GraphPicture

        return GraphPicture.from_dot(self.dot)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = self.draw()._repr_mimebundle_(include, exclude, **kwargs)
        bundle["text/plain"] = self.text
        return bundle


def explain(node: Node, root: Node, *, grad=None, precision: int = 4) -> Explanation:
    """Explain ``d(root)/d(node)``: the sum over every consumer of ``node`` of its share.

    Nothing is modified (no ``.grad`` changes): gradients come from :func:`microgradnn.grad`.
    ``grad`` is the upstream gradient for a non-scalar tensor ``root`` (as in ``backward``).

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y; q.label = "q"
    >>> f = q * z; f.label = "f"
    >>> explain(q, f).text.splitlines()[-1].strip()
    '= -4'
    """
    if not isinstance(node, Node) or not isinstance(root, Node):
        raise TypeError("explain(node, root) needs two graph nodes: the node and the output")
    nodes = collect_nodes(root)
    if not any(n is node for n in nodes):
        raise ValueError(
            f"{node!r} is not part of the graph of {root!r}: pass the output it was used in"
        )
    if not node.requires_grad:
        raise ValueError(f"{node!r} is a constant: no gradient flows to it")
    steps = frames.replay_backward(root, frames.seed_of(root, grad))
    step = next(s for s in steps if s.node is node)
    shown = _neighbourhood(node, root, nodes, step)
    options = dotlib.Options("auto", ("data", "grad"), True, precision, None, {id(node)})
    final = {id(s.node): s.grad for s in steps}
    focus = {(id(node), id(child)) for child, *_ in step.terms}
    options.grads = dotlib.GradView(dict(final), final, focus)
    builder = dotlib.DotBuilder(root, options, shown)
    builder.hidden = len(nodes) - len(shown)
    text = _text(step, builder.name_of, builder.root_name, precision)
    options.title = text  # escape() turns its line breaks into <br/>
    dot = "".join(builder.lines())
    terms = [
        (builder.name_of(child), child_grad, local, share)
        for child, local, child_grad, share in step.terms
    ]
    return Explanation(builder.name_of(node), step.grad, terms, text, dot)


def _neighbourhood(node: Node, root: Node, nodes: list[Node], step) -> list[Node]:
    """All nodes of a small graph; else the node, its consumers, their inputs, and the root."""
    if len(nodes) <= NEIGHBOURHOOD_ABOVE:
        return nodes
    keep = {id(node), id(root)}
    for child, *_ in step.terms:
        keep.add(id(child))
        keep.update(id(p) for p in child.parents)
    return [n for n in nodes if id(n) in keep]


def _text(step, name_of, root_name: str, precision: int) -> str:
    name = name_of(step.node)
    head = f"∂{root_name}/∂{name} = "
    pad = " " * (len(head) - 2)
    total = data_text(step.grad, precision)
    if not step.terms:
        return f"{head}1  (the output itself: the backward pass starts here)"
    symbols = " + ".join(
        f"∂{root_name}/∂{name_of(child)} · ∂{name_of(child)}/∂{name}" for child, *_ in step.terms
    )
    if is_tensor(step.node):
        numbers = " + ".join(
            data_text(share, precision) for _child, _local, _grad, share in step.terms
        )
    else:
        numbers = " + ".join(
            f"{paren(fmt(child_grad, precision))} · "
            f"{paren(fmt(local, precision)) if local is not None else '?'}"
            for _child, local, child_grad, _share in step.terms
        )
    return f"{head}{symbols}\n{pad}= {numbers}\n{pad}= {total}"


__all__ = ["Explanation", "explain"]
