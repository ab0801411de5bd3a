"""Module hooks: the arguments PyTorch would pass, replacement results, removal, scalar models."""

import numpy as np
import pytest

from microgradnn import Tensor, Value, grad, nn


def _model(seed=0):
    """Dense, tanh, Dense: three modules, each with a torch twin."""
    return nn.Sequential(
        [nn.Dense(3, 4, seed=seed), nn.Activation("tanh"), nn.Dense(4, 2, seed=seed + 1)]
    )


def _torch_twin(torch, model):
    first, _, last = model.layers
    twin = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).double()
    with torch.no_grad():
        for ours, theirs in ((first, twin[0]), (last, twin[2])):
            theirs.weight.copy_(torch.from_numpy(ours.weight.data.T))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    return twin


def _batch(seed=1):
    return np.random.default_rng(seed).normal(size=(5, 3))


def _numbers(x):
    """Hook arguments as numpy (None stays None), for ours and torch's alike."""
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return [_numbers(item) for item in x]
    if isinstance(x, (Tensor, Value)):
        return np.asarray(x.data)
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().numpy()
    return np.asarray(x)


def _assert_same(ours, theirs):
    ours, theirs = _numbers(ours), _numbers(theirs)
    if theirs is None:
        assert ours is None
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def _record(model, kind, calls):
    register = getattr(model, f"register_{kind}")
    return [
        register(lambda m, *args, i=i: calls.append((i, args))) for i, m in enumerate(model.layers)
    ]


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")  # torch, inputs w/o grad
@pytest.mark.parametrize("input_needs_grad", [True, False])
def test_forward_and_backward_hook_arguments_match_torch(input_needs_grad):
    torch = pytest.importorskip("torch")
    model, x = _model(), _batch()
    twin = _torch_twin(torch, model)
    ours, theirs = {"fwd": [], "bwd": []}, {"fwd": [], "bwd": []}
    for layer, twin_layer in zip(model.layers, twin):
        layer.register_forward_hook(lambda m, a, o: ours["fwd"].append((a, o)))
        layer.register_full_backward_hook(lambda m, gi, go: ours["bwd"].append((gi, go)))
        twin_layer.register_forward_hook(lambda m, a, o: theirs["fwd"].append((a, o)))
        twin_layer.register_full_backward_hook(lambda m, gi, go: theirs["bwd"].append((gi, go)))
    x_ours = Tensor(x) if input_needs_grad else x  # a numpy batch needs no gradient
    x_theirs = torch.tensor(x, requires_grad=input_needs_grad)
    (model(x_ours) ** 2).sum().backward()
    (twin(x_theirs) ** 2).sum().backward()
    assert len(ours["fwd"]) == len(ours["bwd"]) == 3
    for (a, o), (ta, to) in zip(ours["fwd"], theirs["fwd"]):
        _assert_same(a, ta)
        _assert_same(o, to)
    for (gi, go), (tgi, tgo) in zip(ours["bwd"], theirs["bwd"]):  # last layer first
        assert isinstance(gi, tuple) and isinstance(go, tuple) and len(gi) == len(tgi)
        _assert_same(gi, tgi)
        _assert_same(go, tgo)
    if input_needs_grad:
        _assert_same(x_ours.grad, x_theirs.grad)
    else:
        assert ours["bwd"][-1][0] == (None,)


def test_hook_results_replace_inputs_outputs_and_input_gradients_as_in_torch():
    torch = pytest.importorskip("torch")
    model, x = _model(), _batch()
    twin = _torch_twin(torch, model)
    for m in (model, twin):
        first, _, last = list(m.layers if m is model else m)
        first.register_forward_pre_hook(lambda mod, args: args[0] * 2.0)
        first.register_forward_hook(lambda mod, args, out: out + 1.0)
        last.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 3.0,))
    x_ours, x_theirs = Tensor(x), torch.tensor(x, requires_grad=True)
    out, twin_out = model(x_ours), twin(x_theirs)
    _assert_same(out, twin_out)
    out.sum().backward()
    twin_out.sum().backward()
    _assert_same(x_ours.grad, x_theirs.grad)
    _assert_same(model.layers[0].weight.grad, twin[0].weight.grad.T)  # (in, out) vs (out, in)
    _assert_same(model.layers[2].weight.grad, twin[2].weight.grad.T)


def test_backward_pre_hook_sees_and_replaces_grad_output_as_in_torch():
    torch = pytest.importorskip("torch")
    model, x = _model(), _batch()
    twin = _torch_twin(torch, model)
    seen, twin_seen = [], []
    for m, record in ((model, seen), (twin, twin_seen)):
        layers = list(m.layers if m is model else m)
        layers[2].register_full_backward_pre_hook(lambda mod, go, r=record: r.append(go))
        layers[0].register_full_backward_pre_hook(lambda mod, go: (go[0] * -2.0,))
    x_ours, x_theirs = Tensor(x), torch.tensor(x, requires_grad=True)
    (model(x_ours) ** 2).sum().backward()
    (twin(x_theirs) ** 2).sum().backward()
    _assert_same(seen[0], twin_seen[0])
    _assert_same(x_ours.grad, x_theirs.grad)
    _assert_same(model.layers[0].weight.grad, twin[0].weight.grad.T)


def test_removed_hooks_are_not_called_and_the_rest_run_in_registration_order():
    layer, calls = nn.Dense(3, 2, seed=0), []
    first = layer.register_forward_hook(lambda m, a, o: calls.append("first"))
    layer.register_forward_hook(lambda m, a, o: calls.append("second"))
    back = layer.register_full_backward_hook(lambda m, gi, go: calls.append("backward"))
    layer(Tensor(_batch())).sum().backward()
    assert calls == ["first", "second", "backward"]
    first.remove()
    first.remove()  # twice is harmless
    back.remove()
    calls.clear()
    layer(Tensor(_batch())).sum().backward()
    assert calls == ["second"]
    with layer.register_forward_pre_hook(lambda m, a: calls.append("pre")):
        layer(_batch())
    layer(_batch())
    assert calls == ["second", "pre", "second", "second"]


def test_without_hooks_the_graph_has_no_extra_nodes():
    layer = nn.Dense(3, 2, seed=0)
    handle = layer.register_full_backward_hook(lambda m, gi, go: None)
    hooked = layer(Tensor(_batch()))
    assert hooked.op.name == "HookPassThrough"
    handle.remove()
    assert layer(Tensor(_batch())).op.name == "affine"


def test_backward_hooks_fire_once_per_call_of_a_shared_module():
    layer, seen = nn.Dense(2, 2, seed=0), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].copy()))
    x = Tensor(np.ones((1, 2)))
    hidden = layer(x)
    (layer(hidden) * 2.0).sum().backward()
    assert len(seen) == 2
    np.testing.assert_array_equal(seen[0], np.full((1, 2), 2.0))  # the outer call comes first
    np.testing.assert_allclose(seen[1], seen[0] @ layer.weight.data.T)


def test_no_grad_runs_forward_hooks_and_skips_the_backward_plumbing():
    from microgradnn import no_grad

    layer, calls = nn.Dense(3, 2, seed=0), []
    layer.register_forward_hook(lambda m, a, o: calls.append("forward"))
    layer.register_full_backward_hook(lambda m, gi, go: calls.append("backward"))
    with no_grad():
        out = layer(Tensor(_batch()))
    assert calls == ["forward"] and not out.requires_grad


def test_second_derivatives_pass_through_the_hooks_unchanged():
    def input_gradient(model, x):
        (g,) = grad((model(x) ** 3).sum(), [x], create_graph=True)
        (gg,) = grad((g**2).sum(), [x])
        return g.data, gg

    x = Tensor(_batch())
    plain = input_gradient(_model(), x)
    hooked_model, calls = _model(), []
    _record(hooked_model, "full_backward_hook", calls)
    hooked = input_gradient(hooked_model, x)
    # the recorded pass hands the hooks graph nodes; the second pass runs through them again
    assert len(calls) == 6 and all(isinstance(c[1][1][0], Tensor) for c in calls[:3])
    np.testing.assert_allclose(hooked[0], plain[0], rtol=1e-12)
    np.testing.assert_allclose(hooked[1], plain[1], rtol=1e-12)


def test_hook_that_returns_the_wrong_number_of_gradients_is_named():
    layer = nn.Dense(3, 2, seed=0)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(ValueError, match="hook of Dense returned 2 gradients for 1 inputs"):
        layer(Tensor(_batch())).sum().backward()
    other = nn.Dense(3, 2, seed=0)
    other.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(ValueError, match="pre-hook of Dense returned 2 gradients for 1 outputs"):
        other(Tensor(_batch())).sum().backward()


def test_a_hook_must_be_callable():
    with pytest.raises(TypeError, match="must be callable"):
        nn.Dense(2, 2).register_forward_hook("print")


# --- scalar models ----------------------------------------------------------------------
def test_scalar_mlp_hooks_see_what_torch_sees_on_the_same_network():
    torch = pytest.importorskip("torch")
    model = nn.MLP(3, [4, 2], seed=0)
    twin = nn.to_torch(model).double()  # Linear, Tanh, Linear with the same weights
    sample = [0.5, -1.0, 2.0]
    ours, theirs = [], []
    for layer in model.layers:
        layer.register_forward_hook(lambda m, a, o: ours.append(("fwd", a, o)))
        layer.register_full_backward_hook(lambda m, gi, go: ours.append(("bwd", gi, go)))
    x_ours = [Value(v) for v in sample]
    out = model(x_ours)
    (out[0] * out[0] + out[1]).backward()
    # torch: hooks around Linear+Tanh (the first scalar Layer) and the last Linear
    block = torch.nn.Sequential(twin[0], twin[1])
    for m in (block, twin[2]):
        m.register_forward_hook(lambda m, a, o: theirs.append(("fwd", a, o)))
        m.register_full_backward_hook(lambda m, gi, go: theirs.append(("bwd", gi, go)))
    x_theirs = torch.tensor(sample, dtype=torch.float64, requires_grad=True)
    t_out = twin[2](block(x_theirs))
    (t_out[0] * t_out[0] + t_out[1]).backward()
    assert [kind for kind, *_ in ours] == [kind for kind, *_ in theirs]
    for (_, a, b), (_, ta, tb) in zip(ours, theirs):
        _assert_same(a, ta)
        _assert_same(b, tb)
    _assert_same([v.grad for v in x_ours], x_theirs.grad)


def test_hooks_on_a_neuron_inside_a_layer_fire_and_can_change_its_output():
    layer = nn.Layer(2, 3, activation="linear", seed=0)
    calls = []
    neuron = layer.neurons[1]
    neuron.register_forward_hook(lambda m, a, o: o * 10.0)
    neuron.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go)))
    x = [Value(1.0), Value(-2.0)]
    outputs = layer(x)
    expected = 10.0 * (neuron.w[0].data * 1.0 + neuron.w[1].data * -2.0 + neuron.b.data)
    assert outputs[1].data == pytest.approx(expected)
    outputs[1].backward()
    ((grad_x,), (grad_out,)) = calls[0]
    assert grad_out == 1.0
    assert grad_x == pytest.approx([10.0 * w.data for w in neuron.w])


def test_scalar_input_numbers_get_no_gradient():
    model, calls = nn.MLP(2, [1], seed=0), []
    model.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go)))
    model([1.0, 2.0]).backward()
    assert calls == [(([None, None],), (1.0,))]


def test_a_module_with_two_inputs_and_two_outputs_matches_torch():
    torch = pytest.importorskip("torch")

    class Pair(nn.Module):  # (a, b) -> (a * b, a + b)
        def forward(self, a, b):
            return a * b, a + b

    class TorchPair(torch.nn.Module):
        def forward(self, a, b):
            return a * b, a + b

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    ours, theirs = [], []
    pair = Pair()
    pair.register_full_backward_hook(lambda m, gi, go: ours.append((gi, go)))
    twin = TorchPair()
    twin.register_full_backward_hook(lambda m, gi, go: theirs.append((gi, go)))
    a_ours, b_ours = Tensor(a), Tensor(b, requires_grad=False)
    product, _ = pair(a_ours, b_ours)  # the sum is not used: no gradient reaches it
    (product**2).sum().backward()
    a_theirs, b_theirs = torch.tensor(a, requires_grad=True), torch.tensor(b)
    t_product, _ = twin(a_theirs, b_theirs)
    (t_product**2).sum().backward()
    (gi, go), (tgi, tgo) = ours[0], theirs[0]
    # b needs no gradient; as torch does once another input needs one, it is given zeros
    np.testing.assert_array_equal(gi[1], np.zeros_like(b))
    _assert_same(gi[1], tgi[1])
    assert go[1] is None and tgo[1] is None  # the unused output received none
    _assert_same(gi[0], tgi[0])
    _assert_same(go[0], tgo[0])
    _assert_same(a_ours.grad, a_theirs.grad)
