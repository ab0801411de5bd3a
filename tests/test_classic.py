"""Perceptron (Rosenblatt) and ADALINE (Widrow-Hoff), and the XOR story: one linear unit
cannot learn XOR, a 2-2-1 network can."""

import numpy as np
import pytest

from microgradnn import optim
from microgradnn.nn import Adaline, Dense, Perceptron, Sequential, losses

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND, OR, XOR = np.array([0, 0, 0, 1]), np.array([0, 1, 1, 1]), np.array([0, 1, 1, 0])


@pytest.mark.parametrize("labels", [AND, OR], ids=["AND", "OR"])
@pytest.mark.parametrize("seed", range(3))
def test_perceptron_learns_linearly_separable_gates_and_stops(labels, seed):
    p = Perceptron(seed=seed).fit(GATE_INPUTS, labels)
    np.testing.assert_array_equal(p.predict(GATE_INPUTS), labels)
    assert p.errors_[-1] == 0 and len(p.errors_) < p.epochs


def test_perceptron_single_update_is_w_plus_lr_y_x():
    x = np.array([[2.0, -1.0], [-3.0, 0.5]])
    p = Perceptron(lr=0.5, epochs=1, shuffle=False, seed=0)
    p.fit(x, [1, -1])
    # replay by hand from the same starting weights
    w = 0.01 * np.random.default_rng(0).standard_normal(2)
    b = 0.0
    for xi, yi in zip(x, [1.0, -1.0]):
        if (1.0 if xi @ w + b >= 0 else -1.0) != yi:
            w, b = w + 0.5 * yi * xi, b + 0.5 * yi
    np.testing.assert_allclose(p.w, w)
    assert p.b == pytest.approx(b)


@pytest.mark.parametrize("seed", range(5))
def test_a_single_perceptron_cannot_learn_xor(seed):
    p = Perceptron(epochs=100, seed=seed).fit(GATE_INPUTS, XOR)
    assert len(p.errors_) == 100 and min(p.errors_) > 0  # never an error-free epoch
    assert p.score(GATE_INPUTS, XOR) <= 0.75  # a line gets at most 3 of the 4 points right


def test_adaline_cannot_learn_xor_either():
    a = Adaline(lr=0.05, epochs=100, seed=0).fit(GATE_INPUTS, XOR)
    assert a.score(GATE_INPUTS, XOR) <= 0.75


def train_xor_network(seed: int) -> float:
    """A 2-2-1 network (tanh hidden layer, linear output, squared error), full-batch
    gradient descent on the four XOR points (centred to -1/+1)."""
    rng = np.random.default_rng(seed)
    model = Sequential(
        [
            Dense(2, 2, activation="tanh", init="he_normal", seed=rng),
            Dense(2, 1, init="he_normal", seed=rng),
        ]
    )
    opt = optim.GD(model.parameters(), lr=0.5)
    inputs, targets = 2 * GATE_INPUTS - 1, XOR.reshape(-1, 1).astype(float)
    for _ in range(1000):
        opt.zero_grad()
        losses.mse(model(inputs), targets).backward()
        opt.step()
    predictions = (model(inputs).data > 0.5).astype(int).ravel()
    return np.mean(predictions == XOR)


def test_a_2_2_1_network_learns_xor():
    # A 2-2-1 net can stall on a plateau for unlucky starts (we measured 18 of 20 seeds
    # succeed with these settings), so we ask that most of five seeded starts succeed
    # rather than trusting one hand-picked seed.
    accuracies = [train_xor_network(seed) for seed in range(5)]
    assert sum(a == 1.0 for a in accuracies) >= 4, accuracies


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_adaline_learns_and_with_decreasing_cost(mode):
    x = 2 * GATE_INPUTS - 1  # centred inputs, as the LMS rule likes them
    a = Adaline(lr=0.1, epochs=60, mode=mode, seed=0).fit(x, AND)
    np.testing.assert_array_equal(a.predict(x), AND)
    assert a.cost_[-1] < a.cost_[0]


def test_adaline_batch_mode_converges_to_least_squares():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    labels = (x @ np.array([1.0, -2.0, 0.5]) + 0.3 > 0).astype(int)
    a = Adaline(lr=0.2, epochs=500, mode="batch", seed=0).fit(x, labels)
    design = np.c_[x, np.ones(len(x))]
    solution, *_ = np.linalg.lstsq(design, 2.0 * labels - 1, rcond=None)
    np.testing.assert_allclose(np.r_[a.w, a.b], solution, atol=1e-6)


def test_labels_keep_their_own_values():
    p = Perceptron(seed=0).fit(GATE_INPUTS, np.array([-1, -1, -1, 1]))
    assert set(p.predict(GATE_INPUTS).tolist()) == {-1, 1}


def test_classic_errors_are_clear():
    with pytest.raises(ValueError, match="exactly two classes"):
        Perceptron().fit(GATE_INPUTS, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="4 samples but y has 3"):
        Adaline().fit(GATE_INPUTS, [0, 1, 1])
    with pytest.raises(RuntimeError, match="call fit"):
        Perceptron().predict(GATE_INPUTS)
    with pytest.raises(ValueError, match="trained on 2 features"):
        Perceptron(seed=0).fit(GATE_INPUTS, AND).predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="mode must be"):
        Adaline(mode="minibatch")
