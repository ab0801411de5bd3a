"""Pictures of computation graphs: see the chain rule happen.

>>> from microgradnn import Value
>>> from microgradnn.viz import draw, to_dot
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z; f.label = "f"
>>> f.backward()
>>> picture = draw(f, show_local_grads=True)   # shown inline in Jupyter
>>> "grad -4" in to_dot(f)                     # the DOT text needs no Graphviz at all
True

Main entry points:

* :func:`to_dot` -- deterministic DOT text (no renderer needed);
* :func:`draw` -- a ``graphviz.Digraph`` you can display in Jupyter or ``.render("f.svg")``;
* :func:`backward_frames` / :func:`draw_backward_steps` -- backprop one node at a time;
* :func:`draw_network` -- architecture diagram of a model, or its neurons;
* :func:`explain` -- the chain-rule sum behind one gradient, as text and as a picture;
* :func:`to_tikz` / :func:`to_beamer` -- the graph for LaTeX slides (one overlay per step);
* :func:`to_scalars` -- a tensor ``x @ W + b`` node as the graph of Values it stands for;
* :func:`save_graph_picture` -- one call that writes a PNG (or the DOT text without renderer);
* :func:`graph_main` -- the ``python -m microgradnn graph`` command.

Pictures are laid out by Graphviz's ``dot`` when installed, else by ``graphviz-pure`` (a pip
package); see :mod:`microgradnn.viz.renderers`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from microgradnn.viz.dot import to_dot
from microgradnn.viz.expand import ScalarGraph, to_scalars
from microgradnn.viz.explain import Explanation, explain
from microgradnn.viz.frames import (
    BackwardFrame,
    BackwardSteps,
    backward_frames,
    draw_backward_steps,
)
from microgradnn.viz.graph import collect_nodes, local_derivatives
from microgradnn.viz.renderers import (
    INSTALL_HINT,
    RendererNotFoundError,
    RenderError,
    find_renderer,
    render_bytes,
)
from microgradnn.viz.text import escape, summarize_array
from microgradnn.viz.tikz import to_beamer, to_tikz


def draw(
    root,
    *,
    rankdir: str = "auto",
    show=("data", "grad"),
    show_local_grads: bool = False,
    precision: int = 4,
    max_nodes: int | None = None,
    highlight=None,
    summarize="auto",
    expand=False,
):
    """The computation graph of ``root`` as a ``graphviz.Digraph`` (same options as to_dot).

    Any graph draws in seconds: above a few hundred nodes the picture is a summary (one box
    per kind of node, with counts) unless you ask for ``summarize=False`` or ``max_nodes``.
    ``expand=True`` (or a node, or several) draws fused kernels -- a neuron's ``Σ wᵢxᵢ + b``,
    a dense layer's ``x @ W + b`` -- as the primitives they stand for, with the same numbers.
    In Jupyter it displays itself as SVG; from a script or REPL use ``.render("f.svg")`` or
    ``.render("f.png")``. It renders with ``dot`` or, without a system Graphviz, with
    ``graphviz-pure``; building it never needs either.

    >>> from microgradnn import Value
    >>> a = Value(3.0, label="a")
    >>> picture = draw(a * a + 1)
    >>> picture.source == to_dot(a * a + 1)  # the same text: node ids are deterministic
    True
    """
    from microgradnn.viz.picture import GraphPicture

    dot = to_dot(
        root,
        rankdir=rankdir,
        show=show,
        show_local_grads=show_local_grads,
        precision=precision,
        max_nodes=max_nodes,
        highlight=highlight,
        summarize=summarize,
        expand=expand,
    )
    return GraphPicture.from_dot(dot)


def save_graph_picture(root, path_stem, *, format: str = "png", **options) -> Path:
    """Write a picture of ``root`` with values, gradients and local derivatives on the edges.

    Returns the path of the picture (``path_stem`` + ``.png``). Without any renderer (or if
    it fails) it writes the DOT text instead (``path_stem`` + ``.dot``), prints one line on
    how to install a renderer, and returns that path.

    >>> import tempfile, pathlib
    >>> from microgradnn import Value
    >>> x = Value(2.0, label="x"); f = x * x; f.backward()
    >>> path = save_graph_picture(f, pathlib.Path(tempfile.mkdtemp()) / "square")
    >>> path.suffix in (".png", ".dot")
    True
    """
    from microgradnn.viz.picture import DEFAULT_DPI
    from microgradnn.viz.renderers import render_file

    options.setdefault("show_local_grads", True)
    dot = to_dot(root, **options)
    stem = Path(path_stem)
    if stem.suffix.lstrip(".").lower() in ("png", "svg", "jpg", "jpeg", "dot"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    if find_renderer() is None:
        path = stem.with_suffix(".dot")
        path.write_text(dot, encoding="utf-8")
        print(
            f"No graph renderer found, wrote the DOT text instead; to get pictures, {INSTALL_HINT}",
            file=sys.stderr,
        )
        return path
    dpi = DEFAULT_DPI if format in ("png", "jpg", "jpeg") else None
    try:
        return render_file(dot, stem.with_suffix(f".{format}"), format=format, dpi=dpi)
    except RenderError as error:  # a broken renderer must not stop a demo or a tutorial
        path = stem.with_suffix(".dot")
        path.write_text(dot, encoding="utf-8")
        print(f"{error}; wrote the DOT text to {path} instead", file=sys.stderr)
        return path


def draw_network(model, **options):
    """Architecture diagram of ``model`` (see :func:`microgradnn.viz.network.draw_network`)."""
    from microgradnn.viz.network import draw_network as _draw_network

    return _draw_network(model, **options)


def network_to_dot(model, **options) -> str:
    """DOT text of :func:`draw_network` (no renderer needed)."""
    from microgradnn.viz.network import network_to_dot as _network_to_dot

    return _network_to_dot(model, **options)


def graph_main(argv=None) -> int:
    """The ``python -m microgradnn graph`` command (see ``--help``)."""
    from microgradnn.viz.cli import graph_main as _graph_main

    return _graph_main(argv)


__all__ = [
    "BackwardFrame",
    "BackwardSteps",
    "Explanation",
    "ScalarGraph",
    "INSTALL_HINT",
    "RenderError",
    "RendererNotFoundError",
    "backward_frames",
    "collect_nodes",
    "draw",
    "draw_backward_steps",
    "draw_network",
    "escape",
    "explain",
    "find_renderer",
    "graph_main",
    "local_derivatives",
    "network_to_dot",
    "render_bytes",
    "save_graph_picture",
    "summarize_array",
    "to_beamer",
    "to_dot",
    "to_scalars",
    "to_tikz",
]
