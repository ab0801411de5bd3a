"""Fused kernels drawn as what they stand for: ``viz.draw(root, expand=True)``.

A fused kernel (a neuron's ``Σ wᵢxᵢ + b``, a dense layer's ``x @ W + b``, a softmax
cross-entropy, an LSTM gate block) is one graph node for speed. Each kernel op declares
``reference(*parents)``: the same result built from primitive ops. :func:`expand_fused`
applies it to the node's own parents, so the picture shows the composite in place of the
fused node, with the same numbers; the composite's gradients come from
:func:`microgradnn.grad` seeded with the fused node's gradient (no ``.grad`` is touched).

>>> from microgradnn import Value
>>> x = Value(2.0, label="x")
>>> expansion = expand_fused(x * x, False)
>>> expansion.nodes[-1] is expansion.root, expansion.clusters
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microgradnn import engine
from microgradnn.engine import Node
from microgradnn.viz.graph import collect_nodes


@dataclass
class Expansion:
    """The graph to draw: ``nodes`` (parents first), fused nodes replaced by composites.

    ``substitute`` maps a fused node's id to the composite's output node; ``clusters`` lists,
    per expanded node, (title, composite nodes); ``grads`` holds the composites' gradients.
    """

    root: Node
    nodes: list[Node]
    substitute: dict[int, Node] = field(default_factory=dict)
    clusters: list[tuple[str, list[Node]]] = field(default_factory=list)
    grads: dict[int, object] = field(default_factory=dict)


def has_reference(node: Node) -> bool:
    """True when ``node`` was made by a fused kernel that declares a ``reference``.

    >>> from microgradnn import Value
    >>> has_reference(Value(1.0) + 1)
    False
    """
    return not node.is_leaf and callable(getattr(node.op, "reference", None))


def _wanted(root: Node, nodes: list[Node], expand) -> list[Node]:
    if expand is True:
        return [n for n in nodes if has_reference(n)]
    chosen = [expand] if isinstance(expand, Node) else list(expand)
    present = {id(n) for n in nodes}
    for node in chosen:
        if id(node) not in present:
            raise ValueError(f"{node!r} is not part of the graph being drawn, so cannot expand")
        if not has_reference(node):
            name = "a leaf" if node.is_leaf else f"op {getattr(node.op, 'name', node.op)!r}"
            raise ValueError(
                f"{node!r} is {name}, not a fused kernel with a reference composite; "
                "expand=True expands every fused node there is"
            )
    return chosen


def expand_fused(root: Node, expand) -> Expansion:
    """Replace fused nodes (``expand=True``: all; or a node / several) by their composites."""
    nodes = collect_nodes(root)
    if expand is False or expand is None:
        return Expansion(root, nodes)
    wanted = {id(n): n for n in _wanted(root, nodes, expand)}
    result = Expansion(root, [])
    seen = {id(n) for n in nodes}
    for node in nodes:
        composite = _reference(node, explicit=expand is not True) if id(node) in wanted else None
        if composite is None:
            result.nodes.append(node)
            continue
        composite.label = node.label
        inside = [n for n in collect_nodes(composite) if id(n) not in seen]
        seen.update(id(n) for n in inside)
        result.nodes.extend(inside)
        result.substitute[id(node)] = composite
        if node is root:
            result.root = composite
        result.clusters.append((f"{_symbol(node)} expanded", inside))
        result.grads.update(_composite_grads(node, composite, inside))
    return result


def _reference(node: Node, explicit: bool):
    """The composite for ``node`` built on its own parents (None: the kernel has none)."""
    try:
        with engine.enable_grad():
            return node.op.reference(*node.parents)
    except NotImplementedError as error:
        if explicit:
            raise ValueError(f"{node!r} cannot be expanded: {error}") from None
        return None


def _symbol(node: Node) -> str:
    from microgradnn.viz.style import pretty_symbol

    return pretty_symbol(node.op)


def _composite_grads(node: Node, composite: Node, inside: list[Node]) -> dict[int, object]:
    """Gradients inside the composite, seeded with the fused node's gradient (if any)."""
    upstream = node.grad
    targets = [n for n in inside if n.requires_grad]
    if upstream is None or not targets or not composite.requires_grad:
        return {}
    grads = engine.grad(composite, targets, grad_outputs=upstream)
    return dict(zip(map(id, targets), grads))


__all__ = ["Expansion", "expand_fused", "has_reference"]
