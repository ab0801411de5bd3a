"""Teaching tools of the viz package: lecture names, explain, TikZ/Beamer, tensor -> scalars."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, affine, engine, nn, viz
from microgradnn.viz import dot as dotlib
from microgradnn.viz.names import node_names


def lecture():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


# --- names ---------------------------------------------------------------------------------
def test_mlp_parameters_are_named_by_layer_neuron_and_input():
    model = nn.MLP(2, [3, 1], seed=0)
    for number, layer in enumerate(model.layers, 1):
        for j, neuron in enumerate(layer.neurons, 1):
            assert [w.label for w in neuron.w] == [
                f"w[{number}][{j},{i}]" for i in range(1, len(neuron.w) + 1)
            ]
            assert neuron.b.label == f"b[{number}][{j}]"
    labels = [p.label for p in model.parameters()]
    assert len(labels) == len(set(labels))  # no two parameters share a name


def test_a_lone_neuron_and_layer_use_short_names():
    neuron = nn.Neuron(3, seed=0)
    assert [w.label for w in neuron.w] == ["w1", "w2", "w3"] and neuron.b.label == "b"
    layer = nn.Layer(2, 2, seed=0)
    assert layer.neurons[1].w[0].label == "w[2,1]" and layer.neurons[1].b.label == "b[2]"


def test_plain_number_inputs_are_named_x1_to_xn():
    model = nn.MLP(3, [2, 1], seed=0)
    out = model([0.5, -1.0, 2.0])
    inputs = [n for n in viz.collect_nodes(out) if n.is_leaf and not n.requires_grad]
    assert sorted(n.label for n in inputs) == ["x1", "x2", "x3"]
    assert "const" not in viz.to_dot(out)


def test_automatic_names_are_numbered_without_gaps():
    x = Value(1.0, label="x")
    f = ((x * 2 + 3) * x - 1).tanh()
    nodes = viz.collect_nodes(f)
    automatic = [n for n in node_names(nodes) if re.fullmatch(r"v\d+", n)]
    unnamed = [n for n in nodes if not n.label and n.requires_grad]
    assert automatic == [f"v{i}" for i in range(1, len(unnamed) + 1)]


# --- explain ---------------------------------------------------------------------------------
def test_explain_writes_the_lecture_sum():
    x, y, z, q, f = lecture()
    text = viz.explain(x, f).text
    assert text.splitlines()[0] == "∂f/∂x = ∂f/∂q · ∂q/∂x"
    assert text.splitlines()[1].strip() == "= (-4) · 1"
    assert text.splitlines()[2].strip() == "= -4"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_explained_terms_add_up_to_the_engines_gradient(numbers):
    a, b, c = (Value(v, label=name) for v, name in zip(numbers, "abc"))
    u = a * b
    u.label = "u"
    f = (u + a).tanh() * c + a * a
    f.label = "f"
    explanation = viz.explain(a, f)
    (expected,) = engine.grad(f, [a])
    assert len(explanation.terms) == 4  # a is used by u, u + a and twice by a * a
    total = sum(child_grad * local for _name, child_grad, local, _share in explanation.terms)
    assert total == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert explanation.grad == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert a.grad == 0.0  # nothing was modified


def test_explain_highlights_the_node_and_its_edges():
    x, y, z, q, f = lecture()
    dot = viz.explain(q, f).dot
    highlighted = [line for line in dot.splitlines() if dotlib.HIGHLIGHT_COLOR in line]
    assert any("<b>q</b>" in line for line in highlighted)
    assert any("penwidth=2" in line for line in highlighted)  # the edge into f's circle


def test_explain_refuses_foreign_nodes_and_constants():
    x, y, z, q, f = lecture()
    with pytest.raises(ValueError, match="not part of the graph"):
        viz.explain(Value(1.0), f)
    c = Value(2.0, requires_grad=False)
    with pytest.raises(ValueError, match="constant"):
        viz.explain(c, f * c)


# --- TikZ and Beamer ---------------------------------------------------------------------------
def balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and i and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_tikz_has_one_box_per_value_and_one_circle_per_operation():
    x, y, z, q, f = lecture()
    f.backward()
    tex = viz.to_tikz(f)
    nodes = viz.collect_nodes(f)
    assert tex.count(r"\node[value]") + tex.count(r"\node[output]") == len(nodes)
    assert tex.count(r"\node[op]") == sum(not n.is_leaf for n in nodes)
    for node in nodes:
        assert f"grad ${dotlib.fmt(node.grad)}$" in tex
    assert balanced(tex)
    document = viz.to_tikz(f, standalone=True)
    assert document.startswith(r"\documentclass{article}") and balanced(document)


def test_tikz_escapes_latex_specials_and_refuses_huge_graphs():
    x = Value(1.0, label="w_1 & 50%")
    tex = viz.to_tikz(x * x)
    assert r"w\_1 \& 50\%" in tex and balanced(tex)
    node = x
    for _ in range(100):
        node = node * 1.01
    with pytest.raises(ValueError, match="slide"):
        viz.to_tikz(node)


def test_beamer_reveals_each_gradient_at_its_backward_step():
    x, y, z, q, f = lecture()
    frame = viz.to_beamer(f)
    steps = viz.backward_frames(f)
    for k, step in enumerate(steps, 1):
        assert f"\\alt<{k}->{{grad ${dotlib.fmt(step.grad)}$}}" in frame
    assert frame.count(r"\only<") == 2 * len(steps)
    assert "= -4" in frame and balanced(frame)
    assert viz.to_beamer(f, standalone=True).startswith(r"\documentclass{beamer}")


# --- tensor to scalar and back -------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.booleans(),
    st.booleans(),
    st.integers(0, 2**16),
)
def test_to_scalars_has_the_tensor_numbers_and_gradients(rows, inner, cols, with_bias, fused, seed):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(rows, inner)), label="x")
    w = Tensor(rng.normal(size=(inner, cols)), label="W")
    b = Tensor(rng.normal(size=cols), label="b")
    if with_bias:  # one affine node, or a matmul node and an add node
        y = affine(x, w, b) if fused else x @ w + b
    else:
        y = x @ w
    (y * y).sum().backward()
    scalars = viz.to_scalars(y)
    values = np.vectorize(lambda v: v.data, otypes=[float])(scalars.outputs)
    expected = x.data @ w.data + (b.data if with_bias else 0.0)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)
    for name, tensor in (("x", x), ("W", w), *((("b", b),) if with_bias else ())):
        grads = np.vectorize(lambda v: v.grad, otypes=[float])(scalars.inputs[name])
        np.testing.assert_allclose(grads, tensor.grad, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scalars.fold().data, y.data, rtol=1e-12, atol=1e-12)
    assert scalars.outputs[rows - 1, cols - 1].label == f"y[{rows},{cols}]"


def test_to_scalars_explains_what_it_cannot_expand():
    t = Tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match="matmul and affine"):
        viz.to_scalars(t.tanh())
    big = Tensor(np.ones((8, 8))) @ Tensor(np.ones((8, 8)))
    with pytest.raises(ValueError, match="max_entries"):
        viz.to_scalars(big)


def test_scalar_picture_names_every_entry():
    x = Tensor([[1.0, 2.0]], requires_grad=False, label="x")
    w = Tensor([[3.0], [4.0]], label="W")
    y = x @ w
    y.label = "y"
    dot = viz.to_scalars(y).draw().source
    for name in ("x[1,1]", "x[1,2]", "W[1,1]", "W[2,1]", "y[1,1]"):
        assert f"<b>{name}</b>" in dot


# --- fused kernels drawn as their reference composites ----------------------------------------
def _neuron_reference(op, *inputs):
    """A neuron's Σ wᵢxᵢ + b from primitives (what a kernel's reference returns)."""
    n = op.n
    total = inputs[2 * n] if op.has_bias else None
    for w, x in zip(inputs[:n], inputs[n : 2 * n]):
        total = w * x if total is None else total + w * x
    return total


@pytest.fixture
def neuron_with_reference(monkeypatch):
    neuron = nn.Neuron(3, activation="tanh", seed=0)
    out = neuron([0.5, -1.0, 2.0])
    out.label = "out"
    out.backward()
    fused = out.parents[0]
    if not callable(getattr(fused.op, "reference", None)):  # until the kernels declare it
        monkeypatch.setattr(type(fused.op), "reference", _neuron_reference, raising=False)
    return neuron, out, fused


def test_expand_draws_the_composite_with_the_same_numbers(neuron_with_reference):
    neuron, out, fused = neuron_with_reference
    dot = viz.to_dot(out, expand=True)
    assert "cluster_expanded0" in dot and "expanded" in dot
    assert dot.count("<b>w1</b>") == 1  # the parameters are drawn once, feeding the products
    # the weighted sum is no longer one circle but three products and three sums
    circles = re.findall(r"^\to\d+ \[label=<([^>]*)>", dot, flags=re.M)
    assert circles.count("×") == 3 and circles.count("+") == 3 and "tanh" in circles
    # the composite's output carries the fused node's value and gradient
    assert f"data {dotlib.fmt(fused.data)}" in dot and f"grad {dotlib.fmt(fused.grad)}" in dot
    # inside the composite, each product gets the upstream gradient (d(sum)/d(product) = 1)
    assert dot.count(f"grad {dotlib.fmt(fused.grad)}") >= 4
    assert neuron.w[0].grad == pytest.approx(fused.grad * 0.5)  # nothing was overwritten


def test_expand_one_node_and_refuse_others(neuron_with_reference):
    _, out, fused = neuron_with_reference
    assert "cluster_expanded0" in viz.to_dot(out, expand=fused)
    assert "cluster_expanded" not in viz.to_dot(out, expand=False)
    with pytest.raises(ValueError, match="not a fused kernel"):
        viz.to_dot(out, expand=out)  # tanh is a primitive


def test_real_kernels_expand_to_their_references():
    kernels = pytest.importorskip("microgradnn.kernels")
    assert kernels is not None
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    fused = [n for n in viz.collect_nodes(out) if callable(getattr(n.op, "reference", None))]
    assert fused, "the scalar MLP's neurons should be fused kernels"
    dot = viz.to_dot(out, expand=True)
    assert dot.count("subgraph cluster_expanded") == len(fused)
    for node in fused:
        assert f"data {dotlib.fmt(node.data)}" in dot


def test_summary_and_network_picture_use_the_same_names():
    model = nn.MLP(2, [3, 1], seed=0)
    text = model.summary(print_fn=None)
    assert "layer_1 (Layer)" in text and "layer_2 (Layer)" in text
    assert "Parameter names: w[1][1,1] … b[2][1]" in text
    dot = viz.network_to_dot(model, style="neurons")
    weight = model.layers[1].neurons[0].w[2]  # layer 2, neuron 1, input 3
    assert f'tooltip="w[2][1,3] = {dotlib.fmt(weight.data)}"' in dot
    assert weight.label == "w[2][1,3]"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex (TeX Live)")
@pytest.mark.parametrize("kind", ["tikz", "beamer"])
def test_exported_documents_compile_with_pdflatex(kind, tmp_path):
    x, y, z, q, f = lecture()
    f.backward()
    document = (viz.to_tikz if kind == "tikz" else viz.to_beamer)(f, standalone=True)
    (tmp_path / "graph.tex").write_text(document, encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "graph.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "graph.pdf").stat().st_size > 0
    if kind == "beamer":  # beamer writes the number of slides it made into graph.nav
        nav = (tmp_path / "graph.nav").read_text()
        slides = int(re.search(r"\\beamer@documentpages \{(\d+)\}", nav).group(1))
        assert slides == len(viz.backward_frames(f))  # one slide per backward step


def test_explain_sums_tensor_shares():
    w = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="W")
    x = Tensor(np.array([[1.0, -1.0]]), requires_grad=False, label="x")
    h = x @ w
    h.label = "h"
    loss = (h * h).sum() + (w * w).sum()
    loss.label = "loss"
    explanation = viz.explain(w, loss)
    (expected,) = engine.grad(loss, [w])
    total = sum(share for _name, _grad, _local, share in explanation.terms)
    np.testing.assert_allclose(total, expected)
    np.testing.assert_allclose(explanation.grad, expected)
    # the share through h is x^T (2 h); the two through W * W are W each
    np.testing.assert_allclose(explanation.terms[0][3], x.data.T @ (2 * (x.data @ w.data)))
    assert explanation.text.splitlines()[0].startswith("∂loss/∂W = ∂loss/∂h · ∂h/∂W + ")


def test_tensor_kernels_expand_with_the_same_loss_and_gradients():
    pytest.importorskip("microgradnn.kernels")
    from microgradnn.nn import losses

    model = nn.Sequential([nn.Dense(3, 3, seed=0)])
    x = Tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=False, label="x")
    loss = losses.sparse_categorical_crossentropy(
        model(x), np.array([0, 1, 2, 1]), from_logits=True
    )
    loss.label = "loss"
    loss.backward()
    fused = [n for n in viz.collect_nodes(loss) if callable(getattr(n.op, "reference", None))]
    assert len(fused) == 2  # the dense layer's affine and the softmax cross-entropy
    dot = viz.to_dot(loss, expand=True)
    assert dot.count("subgraph cluster_expanded") == 2
    assert "<b>loss</b>" in dot and f">{dotlib.summarize_array(loss.data)}</td>" in dot
    # the affine's composite ends in x @ W + b, whose gradient is the affine node's gradient
    affine_node = next(n for n in fused if n.op.name == "affine")
    assert dotlib.summarize_array(affine_node.grad) in dot
