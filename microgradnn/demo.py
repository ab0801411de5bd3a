"""``python -m microgradnn demo``: the lecture's backpropagation example, step by step.

It builds f = (x + y) * z with x = -2, y = 5, z = -4, prints the forward values, then walks
the backward pass node by node and spells out each chain-rule product, and finally writes
the computation graph (values and gradients) as a picture.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from microgradnn import Value
from microgradnn.engine import topological_order
from microgradnn.viz.graph import local_derivatives


def _name(node: Value) -> str:
    return node.label or f"({node.op.display})"


def explain_backward(root: Value) -> list[str]:
    """Run backward on ``root`` and return one line of chain rule per edge, in order."""
    lines = []
    order = topological_order(root)
    root.backward()
    for node in reversed(order):
        if node.is_leaf:
            continue
        for parent, local in zip(node.parents, local_derivatives(node)):
            child, name = _name(node), _name(parent)
            lines.append(
                f"  df/d{name:<4} += df/d{child:<4} * d{child}/d{name}"
                f" = {node.grad:g} * {local:g} = {node.grad * local:g}"
            )
    return lines


def lecture_example() -> tuple[Value, Value, Value, Value, Value]:
    """The lecture's f = (x + y) * z at x = -2, y = 5, z = -4 (forward only)."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


def main(argv: list[str] | None = None) -> int:
    """Run the demo (``python -m microgradnn demo --help`` lists the options); returns 0."""
    parser = argparse.ArgumentParser(prog="python -m microgradnn demo", description=__doc__)
    parser.add_argument("-o", "--output", default="microgradnn_output", help="folder for pictures")
    parser.add_argument("--no-train", action="store_true", help="skip the small network part")
    args = parser.parse_args(argv)
    out_dir = Path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)

    x, y, z, q, f = lecture_example()
    print("Forward pass: f(x, y, z) = (x + y) * z")
    print(f"  x = {x.data:g}, y = {y.data:g}, z = {z.data:g}")
    print(f"  q = x + y = {q.data:g}")
    print(f"  f = q * z = {f.data:g}")
    print("Backward pass (chain rule, from f back to the inputs):")
    print("  df/df = 1")
    for line in explain_backward(f):
        print(line)
    print(f"Result: df/dx = {x.grad:g}, df/dy = {y.grad:g}, df/dz = {z.grad:g}")
    _write_graph(f, out_dir)
    if not args.no_train:
        _train_part(out_dir)
    return 0


def _write_graph(f: Value, out_dir: Path) -> None:
    try:
        from microgradnn import viz
    except ImportError:  # the viz module is optional while the package grows
        return
    path = viz.save_graph_picture(f, out_dir / "lecture_example")
    print(f"Graph picture written to {path}")


def _train_part(out_dir: Path) -> None:
    try:
        from microgradnn.demo_training import run
    except ImportError:
        return
    run(out_dir)
