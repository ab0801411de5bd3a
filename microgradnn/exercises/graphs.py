"""Per-node checking of a graph answer, with a picture of the first wrong node or edge.

A graph exercise builds the expected graph with the real engine (labelled ``Value`` nodes),
runs ``backward()``, and compares the student's answers key by key in the order a person
would compute them: forward values from the inputs up, then, from the output down, each
edge's **local** derivative before the gradient it feeds. So a wrong ``df_dx`` caused by a
wrong local derivative ``dq_dx`` is reported at the edge ``x -> q``, not at ``x``.

>>> from microgradnn import Value
>>> def build(x, y):
...     x, y = Value(x, label="x"), Value(y, label="y")
...     f = x * y; f.label = "f"
...     return f
>>> keys = {"f": ("data", "f"), "df_dx": ("grad", "x")}
>>> check_graph(build, {"x": 2.0, "y": 3.0}, {"f": 6.0, "df_dx": 3.0}, keys)  # no error
"""

from __future__ import annotations

import re
from pathlib import Path

from microgradnn.exercises.feedback import Wrong, as_number, close, input_line, show
from microgradnn.viz import collect_nodes, local_derivatives, to_dot

RED = "#dc2626"


def _by_label(root) -> dict:
    return {node.label: node for node in collect_nodes(root) if node.label}


def answer_order(root, keys: dict) -> list[str]:
    """The answer keys in checking order: forward values, then backward from the output.

    ``keys`` maps an answer name to ``("data", node)``, ``("grad", node)`` or
    ``("local", child, parent)`` (node names are labels).
    """
    nodes = collect_nodes(root)  # parents before children
    rank = {node.label: i for i, node in enumerate(nodes) if node.label}
    forward = sorted((k for k, v in keys.items() if v[0] == "data"), key=lambda k: rank[keys[k][1]])

    leaves = {node.label for node in nodes if node.is_leaf}
    position = {key: i for i, key in enumerate(keys)}

    def backward_rank(key):
        kind, *names = keys[key]
        if kind == "grad" and names[0] in leaves:  # inputs last, in the order they are asked
            return (1, position[key], 0)
        if kind == "grad":  # after every edge that feeds this node's gradient
            return (0, -rank[names[0]], 1)
        return (0, -rank[names[0]], 0)  # a local derivative, in the frame of its child

    backward = sorted((k for k, v in keys.items() if v[0] != "data"), key=backward_rank)
    return forward + backward


def expected_answers(root, keys: dict) -> dict:
    """The value of every answer key on the graph ``root`` (after its backward pass)."""
    named = _by_label(root)
    out = {}
    for key, (kind, *names) in keys.items():
        node = named[names[0]]
        if kind == "data":
            out[key] = float(node.data)
        elif kind == "grad":
            out[key] = float(node.grad)
        else:
            parent = named[names[1]]
            locals_ = local_derivatives(node)
            out[key] = sum(float(d) for p, d in zip(node.parents, locals_) if p is parent)
    return out


def check_graph(
    build,
    inputs: dict,
    answers: dict,
    keys: dict,
    *,
    hints=None,
    student=None,
    picture_name: str = "feedback",
    mistakes=None,
) -> None:
    """Compare ``answers`` with the graph ``build(**inputs)`` key by key (see module doc).

    On the first wrong key raise :class:`Wrong` with expected vs got, the input, a hint and,
    when ``student.picture_dir`` is set, a picture with that node or edge in red.
    ``mistakes`` maps a key to ``f(expected_answers) -> [(wrong value, specific hint)]``.
    """
    root = build(**inputs)
    root.backward()
    expected = expected_answers(root, keys)
    if not isinstance(answers, dict):
        raise Wrong(
            f"the function should return a dict, got {type(answers).__name__}",
            hint="keep the `return {...}` of the starter file",
        )
    for key in answer_order(root, keys):
        if key not in answers:
            raise Wrong(
                f"the answer {key!r} is missing from the returned dict",
                hint="keep every key of the starter's dict",
            )
        got = as_number(answers[key], key, on_input=inputs)  # None: names the line
        if close(got, expected[key], rtol=1e-6, atol=1e-9):
            continue
        where = student.where(key) if student is not None else []
        lines = [*input_line(inputs), f"expected {show(expected[key])}, got {show(got)}", *where]
        lines.append(_what_it_is(keys[key]))
        picture = _picture(root, keys[key], got, student, picture_name)
        hint = (hints or {}).get(key)
        for value, specific in (mistakes or {}).get(key, lambda e: [])(expected):
            if close(got, value, rtol=1e-9, atol=1e-12):
                hint = specific
                break
        raise Wrong(f"{key} is wrong", lines, hint=hint, picture=picture)


def _what_it_is(spec) -> str:
    kind, *names = spec
    if kind == "data":
        return f"(the forward value of node {names[0]})"
    if kind == "grad":
        return f"(the gradient stored at node {names[0]}: the sum over all its uses)"
    return f"(the local derivative on the edge {names[1]} -> {names[0]}: ∂{names[0]}/∂{names[1]})"


def _picture(root, spec, got, student, picture_name):
    if student is None or student.picture_dir is None:
        return None
    named = _by_label(root)
    kind, *names = spec
    node = named[names[0]]
    if kind == "local":
        dot = to_dot(root, show_local_grads=True)
        dot = highlight_edge(
            dot, root, named[names[1]], node, f"✗ you: ∂{names[0]}/∂{names[1]} = {show(got)}"
        )
    else:
        dot = to_dot(root, show_local_grads=True, highlight=node)
        what = "data" if kind == "data" else "grad"
        dot = annotate_node(dot, root, node, f"✗ you: {what} {show(got)}")
    return write_picture(dot, Path(student.picture_dir) / picture_name)


def highlight_edge(dot: str, root, parent, child, note: str) -> str:
    """Colour the edge ``parent -> child`` red in DOT text from :func:`to_dot` and label it."""
    index = {id(n): i for i, n in enumerate(collect_nodes(root))}
    head = f"\tv{index[id(parent)]} -> o{index[id(child)]}"
    pattern = re.compile(rf"^{re.escape(head)}( \[.*\])?$", re.MULTILINE)
    note = note.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    extra = f'color="{RED}" fontcolor="{RED}" penwidth=2.5 xlabel=<<b>{note}</b>>'

    def paint(match):
        attrs = match.group(1)
        if attrs:
            return f"{head} {attrs.strip()[:-1]} {extra}]"
        return f"{head} [{extra}]"

    return pattern.sub(paint, dot, count=1)


def annotate_node(dot: str, root, node, note: str) -> str:
    """Add a red cell with ``note`` to the box of ``node`` in DOT text from :func:`to_dot`."""
    index = {id(n): i for i, n in enumerate(collect_nodes(root))}
    head = f"\tv{index[id(node)]} [label=<"
    start = dot.find(head)
    end = dot.find("</tr></table>>]", start)
    if start < 0 or end < 0:
        return dot
    note = note.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cell = f'<td bgcolor="#fca5a5"><font color="{RED}"><b>{note}</b></font></td>'
    return dot[:end] + cell + dot[end:]


def write_picture(dot: str, stem: Path) -> str:
    """Render DOT text to ``stem.png`` (or keep ``stem.dot`` without a renderer); the path."""
    from microgradnn.viz import find_renderer
    from microgradnn.viz.renderers import RenderError, render_file

    stem.parent.mkdir(parents=True, exist_ok=True)
    if find_renderer() is not None:
        try:
            return str(render_file(dot, stem.with_suffix(".png"), format="png", dpi=110))
        except RenderError:
            pass
    path = stem.with_suffix(".dot")
    path.write_text(dot, encoding="utf-8")
    return str(path)
