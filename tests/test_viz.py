"""Tests for microgradnn.viz: DOT structure, escaping, local derivatives, frames, rendering.

DOT-text tests need no renderer. Tests that draw real pictures are skipped when neither
Graphviz's ``dot`` nor ``graphviz-pure`` is installed.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, viz
from microgradnn.viz import dot as dotlib
from microgradnn.viz import renderers

needs_renderer = pytest.mark.skipif(
    renderers.find_renderer() is None, reason="no graph renderer (dot or graphviz-pure)"
)

NODE_LINE = re.compile(r"^\t(v\d+|o\d+|more) \[label=<(.*)>(?: [^\n]*)?\]$")
EDGE_LINE = re.compile(r"^\t(v\d+|o\d+|more) -> (v\d+|o\d+)(?: \[(.*)\])?$")


def lecture():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


def statements(dot: str) -> list[str]:
    lines = dot.splitlines()
    assert lines[0] == "digraph microgradnn {" and lines[-1] == "}"
    return lines[1:-1]


def node_labels(dot: str) -> dict[str, str]:
    labels = {}
    for line in statements(dot):
        match = NODE_LINE.match(line)
        if match:
            labels[match.group(1)] = match.group(2)
    return labels


def edges(dot: str) -> list[tuple[str, str, str]]:
    found = []
    for line in statements(dot):
        match = EDGE_LINE.match(line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3) or ""))
    return found


def label_text(html_label: str) -> str:
    """Parse an HTML-like label as XML (it must be well formed) and return its text."""
    root = ET.fromstring(f"<root>{html_label.replace('<br/>', '<br></br>')}</root>")
    return "".join(root.itertext())


# =========================================================================================
# Structure of the DOT text
# =========================================================================================
def test_every_node_and_edge_of_the_lecture_example_is_present():
    x, y, z, q, f = lecture()
    f.backward()
    dot = viz.to_dot(f)
    labels = node_labels(dot)
    values = {k: label_text(v) for k, v in labels.items() if k.startswith("v")}
    ops = {k: label_text(v) for k, v in labels.items() if k.startswith("o")}
    assert len(values) == 5 and sorted(ops.values()) == sorted(["+", "×"])
    for node in (x, y, z, q, f):
        expected = f"{node.label}data {dotlib.fmt(node.data)}grad {dotlib.fmt(node.grad)}"
        assert expected in values.values()
    # 2 parents into each op, 1 edge from each op to its result
    assert len(edges(dot)) == 2 + 2 + 2
    heads = [head for _, head, _ in edges(dot)]
    assert heads.count("o2") == 2 and heads.count("o4") == 2


def test_each_line_is_a_node_an_edge_or_a_default():
    x, y, z, q, f = lecture()
    for line in statements(viz.to_dot(f, show_local_grads=True)):
        assert (
            NODE_LINE.match(line)
            or EDGE_LINE.match(line)
            or line.startswith(("\tgraph [", "\tnode [", "\tedge ["))
        ), line


def test_output_is_deterministic_for_equal_graphs():
    first = viz.to_dot(lecture()[-1], show_local_grads=True)
    second = viz.to_dot(lecture()[-1], show_local_grads=True)
    assert first == second


def test_forward_picture_hides_gradients():
    *_, f = lecture()
    texts = " ".join(label_text(v) for v in node_labels(viz.to_dot(f, show=("data",))).values())
    assert "grad" not in texts and "data -12" in texts
    structure = " ".join(label_text(v) for v in node_labels(viz.to_dot(f, show=())).values())
    assert "data" not in structure and "grad" not in structure


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rankdir": "XY"}, "rankdir"),
        ({"show": ("data", "grads")}, "show"),
        ({"precision": 0}, "precision"),
        ({"max_nodes": 0}, "max_nodes"),
    ],
)
def test_bad_options_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.to_dot(lecture()[-1], **kwargs)


def test_not_a_node_is_a_type_error():
    with pytest.raises(TypeError, match="Value or Tensor"):
        viz.to_dot(3.0)


def test_constants_are_drawn_as_constants_with_dashed_edges():
    x = Value(3.0, label="x")
    f = x * 2
    dot = viz.to_dot(f)
    texts = [label_text(v) for v in node_labels(dot).values()]
    assert "constdata 2" in texts  # a constant has no gradient cell
    dashed = [e for e in edges(dot) if "style=dashed" in e[2]]
    assert len(dashed) == 1


def test_rankdir_and_highlight():
    x, y, z, q, f = lecture()
    dot = viz.to_dot(f, rankdir="TB", highlight=q)
    assert "rankdir=TB" in dot
    highlighted = [k for k, v in node_labels(dot).items() if dotlib.HIGHLIGHT_COLOR in v]
    assert len(highlighted) == 1 and "<b>q</b>" in node_labels(dot)[highlighted[0]]


def test_unlabelled_intermediates_get_their_dot_id_as_name():
    a = Value(1.5, label="a")
    f = (a * a).tanh()
    labels = node_labels(viz.to_dot(f))
    for key, label in labels.items():
        if key.startswith("v") and "<b>" not in label:
            assert f"<i>{key}</i>" in label


# =========================================================================================
# Escaping
# =========================================================================================
NASTY = ['a"|{<x>}', "back\\slash", "two\nlines", "<b>bold?</b>", "]; evil -> x [", "ctl\x07"]


@pytest.mark.parametrize("name", NASTY)
def test_labels_cannot_break_or_inject_into_the_dot(name):
    x = Value(1.0, label=name)
    y = Value(2.0, label="y")
    f = x * y
    f.label = name
    dot = viz.to_dot(f, show_local_grads=True)
    assert len(node_labels(dot)) == 4  # x, y, the op, f: nothing injected
    assert all(NODE_LINE.match(s) or EDGE_LINE.match(s) or "[" in s for s in statements(dot))
    shown = [label_text(v) for v in node_labels(dot).values()]
    printable = name.replace("\x07", "?").replace("\n", "")
    assert any(text.startswith(printable) for text in shown)


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029", "\x1c", "\x0b", "\x9f"])
def test_unicode_line_breaks_and_controls_in_a_label_keep_the_dot_text_whole(separator):
    """str.splitlines() breaks at these too; a label holding one must not split a statement
    (Hypothesis found ']\\x85')."""
    dot = viz.to_dot(Value(1.0, label=f"]{separator}x"), show_local_grads=True)
    assert dot.splitlines() == dot.rstrip("\n").split("\n")
    for label in node_labels(dot).values():
        label_text(label)  # raises if not well-formed


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_label_text_gives_well_formed_labels(name):
    x = Value(1.0, label=name or None)
    dot = viz.to_dot(x * x, show_local_grads=True)
    for label in node_labels(dot).values():
        label_text(label)  # raises if not well-formed
    for *_, attributes in edges(dot):
        match = re.search(r"label=<(.*)>", attributes)
        if match:
            label_text(match.group(1))


def test_quote_escapes_backslashes_quotes_and_newlines():
    assert dotlib.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


# =========================================================================================
# Numbers, tensors, local derivatives
# =========================================================================================
def test_number_formatting():
    assert dotlib.fmt(-4.0) == "-4"
    assert dotlib.fmt(-0.0) == "0"
    assert dotlib.fmt(2 / 3, 3) == "0.667"
    assert dotlib.fmt(math.inf) == "inf" and dotlib.fmt(-math.inf) == "-inf"


def test_small_tensor_shows_every_entry_and_big_tensor_shows_statistics():
    small = np.array([[1.0, 2.5], [3.0, -4.0]])
    assert dotlib.summarize_array(small) == "[[1, 2.5], [3, -4]]"
    rng = np.random.default_rng(0)
    big = rng.normal(size=(5, 7))
    text = dotlib.summarize_array(big, precision=3)
    assert text == (
        f"mean {dotlib.fmt(big.mean(), 3)}  min {dotlib.fmt(big.min(), 3)}  "
        f"max {dotlib.fmt(big.max(), 3)}"
    )
    assert dotlib.summarize_array(np.zeros((0, 3))) == "empty"
    assert dotlib.summarize_array(np.array(2.0)) == "2"


def test_tensor_nodes_show_shape_dtype_and_summaries():
    rng = np.random.default_rng(1)
    w = Tensor(rng.normal(size=(3, 4)), label="W", dtype="float32")
    x = Tensor(rng.normal(size=(2, 3)), requires_grad=False, label="x", dtype="float32")
    loss = (x @ w).tanh().mean()
    loss.label = "loss"
    before = viz.to_dot(loss)
    assert "none yet" in before  # no backward yet: Tensor grads are None
    loss.backward()
    dot = viz.to_dot(loss, show_local_grads=True)
    texts = [label_text(v) for v in node_labels(dot).values()]
    w_text = next(t for t in texts if t.startswith("W"))
    assert "(3, 4) float32" in w_text
    assert dotlib.summarize_array(w.grad) in w_text
    assert "shape" not in w_text and "[[" not in w_text  # 12 entries: summarized
    assert any("∂loss/∂W" in e[2] for e in edges(dot))


def test_tensor_data_is_not_dumped_even_when_large():
    t = Tensor(np.arange(10_000.0), label="big")
    dot = viz.to_dot(t.sum())
    assert len(dot) < 3000


OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "pow_const": lambda a, b: a**3,
    "exp": lambda a, b: a.exp() if isinstance(a, Value) else math.exp(a),
    "tanh": lambda a, b: a.tanh() if isinstance(a, Value) else math.tanh(a),
    "log": lambda a, b: a.log() if isinstance(a, Value) else math.log(a),
    "sin": lambda a, b: a.sin() if isinstance(a, Value) else math.sin(a),
}


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(OPS)),
    st.floats(0.3, 3.0),
    st.floats(0.3, 3.0),
)
def test_local_derivatives_match_central_differences(name, a0, b0):
    op = OPS[name]
    a, b = Value(a0), Value(b0)
    out = op(a, b)
    locals_ = dotlib.local_derivatives(out)
    eps = 1e-6
    numeric = [
        (op(a0 + eps, b0) - op(a0 - eps, b0)) / (2 * eps),
        (op(a0, b0 + eps) - op(a0, b0 - eps)) / (2 * eps),
    ]
    for parent, local in zip(out.parents, locals_):
        which = 0 if parent is a else 1
        assert local == pytest.approx(numeric[which], rel=1e-5, abs=1e-6)


def test_edges_show_local_derivative_formula_and_chain_rule_product():
    x, y, z, q, f = lecture()
    f.backward()
    dot = viz.to_dot(f, show_local_grads=True)
    texts = [label_text(m) for *_, a in edges(dot) for m in re.findall(r"label=<(.*)>", a)]
    # d f / d q = z at z = -4; what reaches q is 1 * z
    assert f"∂f/∂q = z = {dotlib.fmt(z.data)}" in " ".join(texts)
    product = f"∂f/∂x = ({dotlib.fmt(q.grad)}) × 1 = {dotlib.fmt(x.grad)}"
    assert product in " ".join(texts)


def test_products_say_plus_equals_when_a_node_feeds_several_edges():
    a = Value(3.0, label="a")
    f = a * a
    f.label = "f"
    f.backward()
    dot = viz.to_dot(f, show_local_grads=True)
    assert dot.count(f"∂f/∂a += 1 × {dotlib.fmt(a.data)} = {dotlib.fmt(a.data)}") == 2


def test_no_products_before_backward():
    *_, f = lecture()
    dot = viz.to_dot(f, show_local_grads=True)
    assert "∂q/∂x = 1" in dot and "×" not in dot.replace("<×>", "")


# =========================================================================================
# max_nodes
# =========================================================================================
def test_max_nodes_keeps_the_nodes_nearest_the_output_and_says_how_many_are_hidden():
    x = Value(0.5, label="x")
    node = x
    for _ in range(99):
        node = node * 1.01
    total = len(dotlib.collect_nodes(node))
    dot = viz.to_dot(node, max_nodes=10)
    values = [k for k in node_labels(dot) if k.startswith("v")]
    assert len(values) == 10
    assert f"{total - 10:,} more nodes" in dot
    assert any(tail == "more" for tail, _, _ in edges(dot))
    # the output is always drawn
    assert f"data {dotlib.fmt(node.data)}" in dot


def test_deep_chains_do_not_hit_the_recursion_limit():
    node = Value(1.0, label="x")
    for _ in range(sys.getrecursionlimit() + 500):
        node = node + 1.0
    assert viz.to_dot(node, show=(), summarize=False).count(" -> ") > 2 * sys.getrecursionlimit()


# =========================================================================================
# Backward frames
# =========================================================================================
def test_lecture_frames_have_the_lecture_numbers():
    x, y, z, q, f = lecture()
    frames = viz.backward_frames(f)
    # expected from calculus: df/df = 1, df/dq = z, df/dz = q, df/dx = df/dy = z
    expected = [("f", 1.0), ("q", z.data), ("z", q.data), ("x", z.data), ("y", z.data)]
    assert [(fr.name, fr.grad) for fr in frames] == expected
    assert frames[0].caption.startswith("∂f/∂f = 1")
    assert frames[3].caption == "∂f/∂x = ∂f/∂q · ∂q/∂x = (-4) · 1 = -4"
    assert all(fr.step == i for i, fr in enumerate(frames))


def test_frames_do_not_touch_grads_and_agree_with_backward():
    x, y, z, q, f = lecture()
    frames = viz.backward_frames(f)
    assert x.grad == 0.0 and f.grad == 0.0
    f.backward()
    assert {fr.name: fr.grad for fr in frames} == {n.label: n.grad for n in (x, y, z, q, f)}


def test_each_frame_highlights_its_node_and_shows_only_known_grads():
    *_, f = lecture()
    frames = viz.backward_frames(f)
    for i, frame in enumerate(frames):
        labels = node_labels(frame.dot)
        highlighted = [v for v in labels.values() if dotlib.HIGHLIGHT_COLOR in v]
        assert len(highlighted) == 1 and f"<b>{frame.name}</b>" in highlighted[0]
        visible_grads = [v for v in labels.values() if f'bgcolor="{dotlib.PENDING_FILL}"' not in v]
        assert len([v for v in visible_grads if "grad" in v]) == i + 1


def test_frames_have_identical_layout_inputs():
    """Only colours change between frames, so the pictures do not jump around."""
    *_, f = lecture()
    frames = viz.backward_frames(f)

    def without_colours(dot):
        dot = re.sub(r'<font color="[^"]*">|</font>|penwidth=2', "", dot)
        dot = re.sub(r'(color|fontcolor|bgcolor|fillcolor)="#[0-9a-f]{6}"', "", dot)
        dot = re.sub(r"label=<Backward step.*?> labelloc", "", dot)
        return re.sub(r"\s+", " ", dot).replace(" ]", "]")

    first = without_colours(frames[0].dot)
    assert all(without_colours(fr.dot) == first for fr in frames[1:])


def _random_graph(draw_ops, leaves):
    nodes = list(leaves)
    for op, i, j in draw_ops:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append({"add": a + b, "mul": a * b, "tanh": (a * b).tanh(), "sub": a - b}[op])
    return nodes[-1]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-2, 2), min_size=1, max_size=4),
    st.lists(
        st.tuples(
            st.sampled_from(["add", "mul", "tanh", "sub"]),
            st.integers(0, 20),
            st.integers(0, 20),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_frames_agree_with_the_engine_on_random_graphs(data, ops):
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(data)]
    out = _random_graph(ops, leaves)
    if not out.requires_grad or out.op is None:
        return
    frames = viz.backward_frames(out)
    out.backward()
    by_node = {id(fr.node): fr.grad for fr in frames}
    assert len(by_node) == len(frames)  # each node exactly once
    for leaf in leaves:
        if id(leaf) in by_node:
            assert by_node[id(leaf)] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-12)
    # a node comes after every node that uses it
    position = {id(fr.node): fr.step for fr in frames}
    for fr in frames:
        for parent in fr.node.parents:
            if id(parent) in position:
                assert position[id(parent)] > fr.step


def test_tensor_frames_agree_with_the_engine():
    rng = np.random.default_rng(3)
    w = Tensor(rng.normal(size=(3, 2)), label="W")
    b = Tensor(np.zeros(2), label="b")
    x = Tensor(rng.normal(size=(4, 3)), requires_grad=False, label="x")
    loss = ((x @ w + b).tanh() ** 2).mean()
    frames = viz.backward_frames(loss)
    loss.backward()
    got = {id(fr.node): fr.grad for fr in frames}
    np.testing.assert_allclose(got[id(w)], w.grad, rtol=1e-12)
    np.testing.assert_allclose(got[id(b)], b.grad, rtol=1e-12)
    assert all("∂" in fr.caption for fr in frames)


def test_frames_refuse_huge_graphs_with_advice():
    node = Value(1.0, label="x")
    for _ in range(20):
        node = node * 1.1
    with pytest.raises(ValueError, match="max_steps"):
        viz.backward_frames(node, max_steps=10)
    assert len(viz.backward_frames(node, max_steps=21)) == 21


def test_frames_need_something_to_differentiate():
    with pytest.raises(RuntimeError, match="requires_grad"):
        viz.backward_frames(Value(1.0, requires_grad=False) * 2)
    with pytest.raises((RuntimeError, ValueError), match="upstream"):  # the engine's message
        viz.backward_frames(Tensor(np.ones(3)) * 2)
    frames = viz.backward_frames(Tensor(np.ones(3)) * 2, grad=np.ones(3))
    assert len(frames) == 2


# =========================================================================================
# Renderers: found, missing, real pictures
# =========================================================================================
@pytest.fixture
def no_renderer(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.delenv("MICROGRADNN_DOT", raising=False)
    assert renderers.find_renderer() is None


def test_missing_renderer_gives_one_clear_error(no_renderer):
    *_, f = lecture()
    picture = viz.draw(f)  # building the graph needs no renderer
    assert "digraph" in picture.source
    with pytest.raises(renderers.RendererNotFoundError) as info:
        picture.pipe(format="svg")
    assert isinstance(info.value, RuntimeError)
    message = str(info.value)
    assert "pip install graphviz-pure" in message and "apt" in message and "brew" in message
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_missing_renderer_in_jupyter_shows_text_not_a_traceback(no_renderer):
    bundle = viz.draw(lecture()[-1])._repr_mimebundle_()
    assert "graphviz-pure" in bundle["text/plain"] and "digraph" in bundle["text/plain"]


def test_save_graph_picture_falls_back_to_dot_text(no_renderer, tmp_path, capsys):
    *_, f = lecture()
    f.backward()
    path = viz.save_graph_picture(f, tmp_path / "lecture")
    assert path == tmp_path / "lecture.dot"
    assert path.read_text(encoding="utf-8") == viz.to_dot(f, show_local_grads=True)
    assert "pip install graphviz-pure" in capsys.readouterr().err


def test_empty_path_means_no_renderer(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.delenv("MICROGRADNN_DOT", raising=False)
    assert renderers.find_renderer() is None
    with pytest.raises(renderers.RendererNotFoundError, match="graphviz-pure"):
        renderers.render_bytes("digraph { a }", "svg")


def test_save_graph_picture_survives_a_failing_renderer(monkeypatch, tmp_path, capsys):
    def broken(self, dot_source, format="svg", *, dpi=None):
        raise renderers.RenderError("dot could not render the graph (exit code 1): boom")

    fake = renderers.Renderer("dot", "/nowhere/dot")
    monkeypatch.setattr(renderers.Renderer, "run", broken)
    monkeypatch.setattr(renderers, "find_renderer", lambda: fake)
    monkeypatch.setattr(viz, "find_renderer", lambda: fake)
    path = viz.save_graph_picture(lecture()[-1], tmp_path / "f")
    assert path.suffix == ".dot" and "boom" in capsys.readouterr().err


def test_renderer_order_prefers_dot_then_graphviz_pure(monkeypatch):
    available = {"graphviz-pure": "/opt/bin/graphviz-pure"}
    monkeypatch.setattr(shutil, "which", lambda name, path=None: available.get(name))
    monkeypatch.delenv("MICROGRADNN_DOT", raising=False)
    assert renderers.find_renderer() == renderers.Renderer(
        "graphviz-pure", available["graphviz-pure"]
    )
    available["dot"] = "/usr/bin/dot"
    assert renderers.find_renderer().name == "dot"
    monkeypatch.setenv("MICROGRADNN_DOT", "graphviz-pure")
    assert renderers.find_renderer().command == available["graphviz-pure"]


def test_unsupported_format_is_explained():
    with pytest.raises(ValueError, match="pdf"):
        renderers.check_format("pdf")


@needs_renderer
def test_real_render_to_svg_and_png_contains_the_numbers(tmp_path):
    x, y, z, q, f = lecture()
    f.backward()
    svg = viz.draw(f, show_local_grads=True).pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in ("data -12", "grad -4", "grad 3", "∂f/∂q = z = -4"):
        assert text in svg.replace("&#45;", "-")
    out = viz.draw(f).render(tmp_path / "f.png")
    assert out == str(tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.draw(f)._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")


@needs_renderer
def test_real_render_shows_nasty_labels_literally():
    x = Value(1.0, label='a"|{<x>}')
    svg = viz.draw(x * 2).pipe(format="svg", encoding="utf-8")
    assert "a&quot;|{&lt;x&gt;}" in svg or 'a"|{&lt;x&gt;}' in svg


@needs_renderer
def test_draw_backward_steps_writes_frames_gif_and_html(tmp_path):
    pytest.importorskip("PIL")
    *_, f = lecture()
    result = viz.draw_backward_steps(f, tmp_path / "steps")
    assert [p.name for p in result.frames] == [f"step_0{i}.png" for i in range(5)]
    from PIL import Image

    with Image.open(result.gif) as gif:
        assert gif.n_frames == 5
    sizes = set()
    for path in result.frames:
        with Image.open(path) as image:
            sizes.add(image.size)
    assert len(sizes) == 1  # same layout in every step
    page = result.html.read_text(encoding="utf-8")
    assert 'type="range"' in page and "∂f/∂x = ∂f/∂q · ∂q/∂x" in page
    assert page.count("data:image/png;base64,") == 5


@needs_renderer
def test_render_errors_are_reported_without_a_traceback_from_subprocess():
    with pytest.raises(renderers.RenderError, match="could not render"):
        renderers.render_bytes("digraph { this is not dot", "svg")
