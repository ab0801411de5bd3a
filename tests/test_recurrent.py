"""SimpleRNN, LSTM, GRU: gradients vs finite differences, unrolled graph, parity with torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor
from microgradnn.engine import topological_order
from microgradnn.nn.recurrent import GRU, LSTM, SimpleRNN, gru_cell, lstm_cell, rnn_cell
from microgradnn.testing import arrays, check_grad

LAYERS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


@st.composite
def sizes(draw):
    return draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))


# --------------------------------------------------------------------- cells, closed forms
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_lstm_cell_follows_the_gate_equations():
    rng = np.random.default_rng(0)
    n, f, h = 2, 3, 4
    x, h0, c0 = rng.normal(size=(n, f)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    w_ih, w_hh, b = rng.normal(size=(f, 4 * h)), rng.normal(size=(h, 4 * h)), rng.normal(size=4 * h)
    z = x @ w_ih + h0 @ w_hh + b
    i, fg, g, o = (z[:, k * h : (k + 1) * h] for k in range(4))
    c1 = sigmoid(fg) * c0 + sigmoid(i) * np.tanh(g)
    h1 = sigmoid(o) * np.tanh(c1)
    h_ours, c_ours = lstm_cell(x, h0, c0, w_ih, w_hh, b)
    np.testing.assert_allclose(c_ours.data, c1, rtol=1e-12)
    np.testing.assert_allclose(h_ours.data, h1, rtol=1e-12)


def test_gru_cell_puts_the_reset_gate_around_the_recurrent_bias():
    rng = np.random.default_rng(1)
    n, f, h = 2, 3, 4
    x, h0 = rng.normal(size=(n, f)), rng.normal(size=(n, h))
    w_ih, w_hh = rng.normal(size=(f, 3 * h)), rng.normal(size=(h, 3 * h))
    b_ih, b_hh = rng.normal(size=3 * h), rng.normal(size=3 * h)
    a, b = x @ w_ih + b_ih, h0 @ w_hh + b_hh
    r = sigmoid(a[:, :h] + b[:, :h])
    z = sigmoid(a[:, h : 2 * h] + b[:, h : 2 * h])
    cand = np.tanh(a[:, 2 * h :] + r * b[:, 2 * h :])
    expected = (1 - z) * cand + z * h0
    np.testing.assert_allclose(gru_cell(x, h0, w_ih, w_hh, b_ih, b_hh).data, expected, rtol=1e-12)


# ------------------------------------------------------------- gradients (Hypothesis)
@settings(max_examples=20, deadline=None)
@given(size=sizes(), data=st.data())
def test_cell_gradients_match_finite_differences(size, data):
    n, f, h = size
    x, h0, c0 = (data.draw(arrays(s, -2, 2)) for s in [(n, f), (n, h), (n, h)])
    w1, w4, w3 = (data.draw(arrays((f, k * h), -1, 1)) for k in (1, 4, 3))
    u1, u4, u3 = (data.draw(arrays((h, k * h), -1, 1)) for k in (1, 4, 3))
    b1, b4, b3, b3h = (data.draw(arrays((k * h,), -1, 1)) for k in (1, 4, 3, 3))
    check_grad(lambda *a: rnn_cell(*a), x, h0, w1, u1, b1)

    def lstm_both(*a):
        h1, c1 = lstm_cell(*a)
        return h1 * 1.5 + c1

    check_grad(lstm_both, x, h0, c0, w4, u4, b4)
    check_grad(lambda *a: gru_cell(*a), x, h0, w3, u3, b3, b3h)


def _lstm_cell_results(fused, values, upstream, with_bias):
    """h', c' and the gradients of all six inputs of one LSTM step (float64)."""
    inputs = [Tensor(v) for v in values]
    x, h0, c0, w_ih, w_hh, b = inputs
    h1, c1 = lstm_cell(x, h0, c0, w_ih, w_hh, b if with_bias else None, fused=fused)
    ((h1 * Tensor(upstream[0], False)).sum() + (c1 * Tensor(upstream[1], False)).sum()).backward()
    return [h1.data, c1.data] + [t.grad for t in inputs[: 6 if with_bias else 5]]


@pytest.mark.parametrize("with_bias", [True, False])
def test_fused_lstm_cell_matches_the_unfused_graph(with_bias):
    rng = np.random.default_rng(3)
    n, f, h = 4, 3, 5
    shapes = [(n, f), (n, h), (n, h), (f, 4 * h), (h, 4 * h), (4 * h,)]
    values = [rng.normal(size=s) for s in shapes]
    upstream = [rng.normal(size=(n, h)), rng.normal(size=(n, h))]
    unfused = _lstm_cell_results(False, values, upstream, with_bias)
    fused = _lstm_cell_results(True, values, upstream, with_bias)
    for name, want, got in zip(["h", "c", "x", "h0", "c0", "W_ih", "W_hh", "b"], unfused, fused):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("biases", [(True, True), (False, False), (True, False)])
def test_fused_gru_cell_matches_the_unfused_graph(biases):
    rng = np.random.default_rng(5)
    n, f, h = 4, 3, 5
    shapes = [(n, f), (n, h), (f, 3 * h), (h, 3 * h), (3 * h,), (3 * h,)]
    values = [rng.normal(size=s) for s in shapes]
    upstream = rng.normal(size=(n, h))
    results = {}
    for fused in (False, True):
        inputs = [Tensor(v) for v in values]
        x, h0, w_ih, w_hh, b_ih, b_hh = inputs
        chosen = [b if use else None for b, use in zip((b_ih, b_hh), biases)]
        h1 = gru_cell(x, h0, w_ih, w_hh, *chosen, fused=fused)
        (h1 * Tensor(upstream, False)).sum().backward()
        used = inputs[:4] + [b for b, use in zip((b_ih, b_hh), biases) if use]
        results[fused] = [h1.data] + [t.grad for t in used]
        assert (h1.op.name == "gru_output") == fused  # fused: two nodes, gates and output
        assert not fused or h1.parents[0].op.name == "gru_gates"
    for want, got in zip(results[False], results[True]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_fused_gru_layer_matches_the_unfused_layer_to_second_order():
    from microgradnn import grad

    rng = np.random.default_rng(6)
    x, h0 = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 4))
    results = {}
    for fused in (False, True):
        layer = GRU(2, 4, return_sequences=True, return_state=True, seed=0, fused=fused)
        inputs = [Tensor(x), Tensor(h0)]
        out, h_last = layer(inputs[0], inputs[1])
        loss = (out**2).sum() + (h_last * h_last).sum()
        first = grad(loss, inputs + layer.parameters(), create_graph=True)
        penalty = sum((g * g).sum() for g in first)
        second = grad(penalty, inputs + layer.parameters())
        results[fused] = [out.data] + [g.data for g in first] + second
    for want, got in zip(results[False], results[True]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    assert "fused" not in repr(GRU(2, 3)) and "fused=False" in repr(GRU(2, 3, fused=False))


def test_fused_lstm_layer_matches_the_unfused_layer_to_second_order():
    """Same outputs, gradients and gradients of a gradient norm (create_graph=True)."""
    from microgradnn import grad

    rng = np.random.default_rng(4)
    x, h0, c0 = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    results = {}
    for fused in (False, True):
        layer = LSTM(2, 4, return_sequences=True, return_state=True, seed=0, fused=fused)
        inputs = [Tensor(x), Tensor(h0), Tensor(c0)]
        out, h_last, c_last = layer(inputs[0], (inputs[1], inputs[2]))
        loss = (out**2).sum() + (h_last * c_last).sum()
        params = layer.parameters()
        first = grad(loss, inputs + params, create_graph=True)
        penalty = sum((g * g).sum() for g in first)
        second = grad(penalty, inputs + params)
        results[fused] = [out.data, c_last.data] + [g.data for g in first] + second
    for want, got in zip(results[False], results[True]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_fused_lstm_stays_float32_and_labels_its_nodes():
    lstm = LSTM(2, 3, seed=0, dtype="float32", return_sequences=True)
    out = lstm(np.ones((2, 4, 2)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(p.grad.dtype == np.float32 for p in lstm.parameters())
    assert "fused" not in repr(lstm) and "fused=False" in repr(LSTM(2, 3, fused=False))
    one_dimensional = [np.ones(2), np.zeros(3), np.zeros(3), np.ones((2, 12)), np.ones((3, 12))]
    with pytest.raises(ValueError, match=r"needs x_t \(N, F\)"):
        lstm_cell(*one_dimensional, fused=True)


def _with_parameters(layer, *params):
    """Run the layer with the given tensors in place of its parameters (for check_grad)."""
    names = [name for name, _ in layer.named_parameters()]
    for name, p in zip(names, params):
        setattr(layer, name, p)
    return layer


@settings(max_examples=10, deadline=None)
@given(kind=st.sampled_from(sorted(LAYERS)), size=sizes(), steps=st.integers(1, 4), data=st.data())
def test_backprop_through_time_matches_finite_differences(kind, size, steps, data):
    n, f, h = size
    layer = LAYERS[kind](f, h, return_sequences=True, seed=0)
    params = [data.draw(arrays(p.shape, -1, 1)) for p in layer.parameters()]
    x = data.draw(arrays((n, steps, f), -2, 2))
    h0 = data.draw(arrays((n, h), -1, 1))
    if kind == "lstm":
        c0 = data.draw(arrays((n, h), -1, 1))
        check_grad(
            lambda x_, a, b_, *p: _with_parameters(layer, *p)(x_, (a, b_)), x, h0, c0, *params
        )
    else:
        check_grad(lambda x_, a, *p: _with_parameters(layer, *p)(x_, a), x, h0, *params)


# ------------------------------------------------------------------------- the layers
@pytest.mark.parametrize("fused", [False, True])
def test_unrolled_graph_has_one_group_of_nodes_per_step(fused):
    lstm = LSTM(2, 3, seed=0, fused=fused)
    out = lstm(np.ones((1, 5, 2)))
    labels = {node.label for node in topological_order(out.sum())}
    assert {f"h[{t}]" for t in range(5)} <= labels and "c[4]" in labels
    gate = "gates" if fused else "f"  # fused: one node holds all four gates
    assert {f"{gate}[{t}]" for t in range(5)} <= labels


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_stacked_layers_split_the_sequence_instead_of_slicing_it(kind):
    rng = np.random.default_rng(0)
    lower = LAYERS[kind](2, 3, seed=0, return_sequences=True)
    upper = LAYERS[kind](3, 2, seed=1)
    x = rng.normal(size=(4, 6, 2))

    def loss_and_grads(between):
        for p in lower.parameters() + upper.parameters():
            p.zero_grad()
        loss = (upper(between(lower(x))) ** 2).sum()
        loss.backward()
        return loss, [p.grad.copy() for p in lower.parameters()]

    split_loss, split_grads = loss_and_grads(lambda seq: seq)
    # "* 1.0" hides the stack node, so the upper layer slices (one getitem per step)
    sliced_loss, sliced_grads = loss_and_grads(lambda seq: seq * 1.0)
    assert split_loss.item() == pytest.approx(sliced_loss.item(), rel=1e-12)
    for split, sliced in zip(split_grads, sliced_grads):
        np.testing.assert_allclose(split, sliced, rtol=1e-10, atol=1e-12)
    split_ops = [n.op.name for n in topological_order(split_loss) if not n.is_leaf]
    sliced_ops = [n.op.name for n in topological_order(sliced_loss) if not n.is_leaf]
    assert sliced_ops.count("getitem") - split_ops.count("getitem") == 6  # one per step
    assert "stack" not in split_ops  # the upper layer used the lower layer's h[t] directly


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_shapes_states_and_parameters(kind):
    layer = LAYERS[kind](3, 4, return_sequences=True, return_state=True, seed=0)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    out, *state = layer(x)
    assert out.shape == (2, 5, 4)
    assert len(state) == (2 if kind == "lstm" else 1)
    np.testing.assert_allclose(out.data[:, -1], state[0].data)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    biases = 2 * gates * 4 if kind == "gru" else gates * 4
    assert layer.num_parameters() == 3 * gates * 4 + 4 * gates * 4 + biases
    last = LAYERS[kind](3, 4, seed=0)(x)
    np.testing.assert_allclose(last.data, out.data[:, -1])


def test_initial_state_changes_the_output_and_receives_gradient():
    lstm = LSTM(1, 2, seed=0)
    x = np.ones((1, 3, 1))
    h0, c0 = Tensor(np.full((1, 2), 0.5)), Tensor(np.full((1, 2), -0.5))
    out = lstm(x, initial_state=(h0, c0))
    assert not np.allclose(out.data, lstm(x).data)
    out.sum().backward()
    assert h0.grad is not None and np.all(c0.grad != 0)


def test_lstm_forget_bias_starts_at_one():
    lstm = LSTM(2, 3, seed=0)
    np.testing.assert_array_equal(lstm.bias.data[3:6], 1.0)
    np.testing.assert_array_equal(LSTM(2, 3, unit_forget_bias=False).bias.data, 0.0)


def test_recurrent_weights_start_orthogonal():
    w = GRU(2, 5, seed=0).weight_hh.data
    for k in range(3):
        block = w[:, 5 * k : 5 * (k + 1)]
        np.testing.assert_allclose(block.T @ block, np.eye(5), atol=1e-12)


def test_wrong_layouts_get_clear_errors():
    lstm = LSTM(3, 4)
    with pytest.raises(ValueError, match=r"\(N, T, 3\), got shape \(7, 3\)"):
        lstm(np.zeros((7, 3)))
    with pytest.raises(ValueError, match=r"features-first.*transpose\(0, 2, 1\)"):
        lstm(np.zeros((2, 3, 10)))
    with pytest.raises(ValueError, match=r"initial state c must have shape \(2, 4\)"):
        lstm(np.zeros((2, 5, 3)), initial_state=(np.zeros((2, 4)), np.zeros((1, 4))))
    with pytest.raises(ValueError, match="needs 2 arrays"):
        lstm(np.zeros((2, 5, 3)), initial_state=[np.zeros((2, 4))])
    with pytest.raises(ValueError, match="no time steps"):
        lstm(np.zeros((2, 0, 3)))
    with pytest.raises(ValueError, match="positive int units"):
        GRU(3, 0)


def test_float32_stays_float32():
    gru = GRU(2, 3, seed=0, dtype="float32", return_sequences=True)
    out = gru(np.ones((2, 4, 2)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert gru.weight_hh.grad.dtype == np.float32


# ------------------------------------------------------------------------ torch parity
def _load_from_torch(ours, theirs, kind):
    """Copy torch weights (gate rows stacked, x W^T convention) into our (x W) layout."""
    state = {
        "weight_ih": theirs.weight_ih_l0.detach().numpy().T,
        "weight_hh": theirs.weight_hh_l0.detach().numpy().T,
    }
    b_ih, b_hh = theirs.bias_ih_l0.detach().numpy(), theirs.bias_hh_l0.detach().numpy()
    if kind == "gru":
        state.update(bias_ih=b_ih, bias_hh=b_hh)
    else:
        state["bias"] = b_ih + b_hh
    ours.load_state_dict(state)


@pytest.mark.parity
@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_outputs_and_gradients_match_torch(kind):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    n, t, f, h = 3, 6, 4, 5
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    theirs = cls(f, h, batch_first=True, dtype=torch.float64)
    ours = LAYERS[kind](f, h, return_sequences=True, return_state=True)
    _load_from_torch(ours, theirs, kind)

    rng = np.random.default_rng(2)
    x, h0, c0 = rng.normal(size=(n, t, f)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    up = rng.normal(size=(n, t, h))
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    state_t = (h0t[None], c0t[None]) if kind == "lstm" else h0t[None]
    out_t, final_t = theirs(xt, state_t)
    h_final_t = final_t[0][0] if kind == "lstm" else final_t[0]
    ((out_t * torch.tensor(up)).sum() + h_final_t.sum() * 0.3).backward()

    xs, h0s, c0s = Tensor(x), Tensor(h0), Tensor(c0)
    out, h_final, *_ = ours(xs, (h0s, c0s) if kind == "lstm" else h0s)
    ((out * Tensor(up, False)).sum() + h_final.sum() * 0.3).backward()

    close = dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **close)
    np.testing.assert_allclose(h_final.data, h_final_t.detach().numpy(), **close)
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), **close)
    np.testing.assert_allclose(h0s.grad, h0t.grad.numpy(), **close)
    if kind == "lstm":
        np.testing.assert_allclose(c0s.grad, c0t.grad.numpy(), **close)
    np.testing.assert_allclose(ours.weight_ih.grad, theirs.weight_ih_l0.grad.numpy().T, **close)
    np.testing.assert_allclose(ours.weight_hh.grad, theirs.weight_hh_l0.grad.numpy().T, **close)
    if kind == "gru":
        np.testing.assert_allclose(ours.bias_ih.grad, theirs.bias_ih_l0.grad.numpy(), **close)
        np.testing.assert_allclose(ours.bias_hh.grad, theirs.bias_hh_l0.grad.numpy(), **close)
    else:  # our single bias is the sum of torch's two, so it gets the same gradient as each
        np.testing.assert_allclose(ours.bias.grad, theirs.bias_ih_l0.grad.numpy(), **close)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias_hh_l0.grad.numpy(), **close)


@pytest.mark.parity
def test_to_torch_and_back_compute_the_same_recurrent_stack():
    torch = pytest.importorskip("torch")
    from microgradnn.nn import Dense, Sequential
    from microgradnn.nn.interop import from_torch, to_torch

    model = Sequential(
        [
            LSTM(3, 5, return_sequences=True, seed=0),
            GRU(5, 4, return_sequences=True, seed=1),
            SimpleRNN(4, 3, activation="relu", seed=2),
            Dense(3, 1, seed=3),
        ]
    )
    x = np.random.default_rng(0).normal(size=(2, 6, 3))
    theirs = to_torch(model)
    expected = model(x).data
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(from_torch(theirs)(x).data, expected, atol=1e-12)

    lstm = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    ours = from_torch(lstm)
    assert ours.return_sequences
    h0, c0 = np.ones((2, 4)) * 0.1, np.ones((2, 4)) * -0.2
    out_t, _ = lstm(torch.tensor(x), (torch.tensor(h0[None]), torch.tensor(c0[None])))
    out = ours(x, initial_state=(h0, c0))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=1e-12)
    with pytest.raises(TypeError, match="batch_first"):
        from_torch(torch.nn.GRU(3, 4))
