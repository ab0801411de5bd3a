"""Scalar models (Neuron, Layer, MLP on Value) and the micrograd two-moons demo."""

import math

import numpy as np
import pytest

from microgradnn import Value, optim
from microgradnn.nn import MLP, Layer, Neuron, losses


def make_moons(n: int, noise: float, seed: int):
    """Two interleaving half circles with Gaussian noise; labels -1 (upper) and +1 (lower)."""
    rng = np.random.default_rng(seed)
    upper, lower = n // 2, n - n // 2
    t_up, t_low = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    x = np.vstack(
        [
            np.c_[np.cos(t_up), np.sin(t_up)],
            np.c_[1 - np.cos(t_low), 0.5 - np.sin(t_low)],
        ]
    )
    x += rng.normal(0, noise, x.shape)
    y = np.r_[-np.ones(upper), np.ones(lower)]
    return x, y


def test_neuron_computes_activation_of_weighted_sum():
    n = Neuron(3, activation="tanh", seed=0)
    x = [0.5, -1.0, 2.0]
    expected = math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data)
    assert n(x).data == pytest.approx(expected, rel=1e-14)
    out = n([Value(v) for v in x])
    out.backward()
    assert n.w[2].grad == pytest.approx((1 - expected**2) * 2.0)
    assert [name for name, _ in n.named_parameters()] == ["w.0", "w.1", "w.2", "b"]


def test_neuron_weights_are_seeded_uniform_in_minus_one_one():
    a, b = Neuron(50, seed=3), Neuron(50, seed=3)
    weights = [w.data for w in a.w]
    assert weights == [w.data for w in b.w]
    assert all(-1 <= w <= 1 for w in weights) and a.b.data == 0.0


def test_layer_returns_one_value_or_a_list():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    outs = Layer(2, 3, activation="relu", seed=0)([1.0, 2.0])
    assert len(outs) == 3 and all(o.data >= 0 for o in outs)


def test_mlp_structure_parameter_count_and_linear_output():
    model = MLP(2, [16, 16, 1], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) == 337
    assert model.layers[0].neurons[0].activation == "tanh"
    assert model.layers[-1].neurons[0].activation is None
    assert MLP(2, [3, 2], output_activation="sigmoid", seed=0).layers[-1].neurons[0].activation == (
        "sigmoid"
    )
    assert len(MLP(2, [4, 3], seed=0)([0.1, 0.2])) == 3


def test_mlp_seed_is_deterministic():
    a, b = MLP(3, [4, 1], seed=5), MLP(3, [4, 1], seed=5)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert a([1.0, 2.0, 3.0]).data == b([1.0, 2.0, 3.0]).data


def test_input_size_errors_are_clear():
    with pytest.raises(ValueError, match="Layer expects 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least one layer size"):
        MLP(2, [])
    with pytest.raises(ValueError, match="positive number of inputs"):
        Neuron(0)


def test_single_number_input_for_one_input_neuron():
    n = Neuron(1, activation="linear", seed=0)
    assert n(2.0).data == pytest.approx(2.0 * n.w[0].data)


def train_moons(n_samples: int, max_steps: int, seed: int = 0):
    """micrograd's demo: hinge loss + L2 penalty, SGD with a decaying learning rate.

    Stops as soon as every training point is on the right side. Returns the final
    training accuracy (recomputed from scratch) and the number of steps taken."""
    x, y = make_moons(n_samples, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", seed=seed)
    params = model.parameters()
    opt = optim.SGD(params, lr=1.0)
    for step in range(max_steps):
        scores = [model(list(point)) for point in x]
        if all(np.sign(s.data) == label for s, label in zip(scores, y)):
            break
        loss = losses.hinge(scores, y) + losses.l2_penalty(params, lam=1e-4)
        opt.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * step / max_steps
        opt.step()
    final = np.array([model(list(point)).data for point in x])
    return np.mean(np.sign(final) == y), step


def test_scalar_mlp_learns_a_small_two_moons_set():
    accuracy, steps = train_moons(n_samples=24, max_steps=60)
    assert accuracy == 1.0, f"{accuracy:.0%} after {steps} steps"


@pytest.mark.slow
def test_scalar_mlp_16_16_1_reaches_100_percent_on_two_moons():
    accuracy, steps = train_moons(n_samples=100, max_steps=100)
    assert accuracy == 1.0, f"{accuracy:.0%} after {steps} steps"


def test_fused_and_unfused_neurons_agree_in_value_and_gradient():
    from microgradnn.nn import MLP as ScalarMLP

    fused = ScalarMLP(3, [4, 1], seed=5)
    plain = ScalarMLP(3, [4, 1], seed=5, fused=False)
    x = [0.3, -1.2, 2.0]
    out_fused, out_plain = fused(x), plain(x)
    assert out_fused.data == out_plain.data
    out_fused.backward()
    out_plain.backward()
    for a, b in zip(fused.parameters(), plain.parameters()):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-15)
    # the linear output neuron is ONE node: 4 weights, 4 inputs and the bias as parents
    assert out_fused.op.name == "dot" and len(out_fused.parents) == 9
