"""Names of the nodes in a picture, as the lecture writes them.

* a node with a ``label`` keeps it (``x``, ``q``, ``w[2][3,1]``, ``b[2][3]``);
* an unlabelled scalar constant is named by its number (``2``), as in a formula;
* every other unlabelled node gets an automatic name ``v1, v2, v3, ...`` numbered without
  gaps in the order the graph is drawn (inputs first), so a picture never shows ``v2, v4, v7``.

The scalar models name their parameters by place (layer, neuron, input: ``w[l][j,i]``,
``b[l][j]``) and their plain-number inputs ``x1 ... xn``, so these names appear here, in
``summary`` and in error messages alike.

>>> from microgradnn import Value
>>> x = Value(2.0, label="x")
>>> f = (x * 3 + x) * x
>>> from microgradnn.viz.graph import collect_nodes
>>> node_names(collect_nodes(f))
['x', '3', 'v1', 'v2', 'v3']
"""

from __future__ import annotations

from collections.abc import Sequence

from microgradnn.engine import Node
from microgradnn.viz.text import fmt, is_tensor


def node_names(nodes: Sequence[Node], precision: int = 4) -> list[str]:
    """One name per node (see the module docstring for the rules), in the order given.

    >>> from microgradnn import Value
    >>> node_names([Value(1.0, label="a"), Value(2.0), Value(0.5, requires_grad=False)])
    ['a', 'v1', '0.5']
    """
    names = []
    counter = 0
    for node in nodes:
        if node.label:
            names.append(str(node.label))
        elif not node.requires_grad and not is_tensor(node):
            names.append(fmt(node.data, precision))
        else:
            counter += 1
            names.append(f"v{counter}")
    return names


__all__ = ["node_names"]
