"""The messages students see for common mistakes (also listed in the README)."""

import numpy as np
import pytest

from microgradnn import Tensor, Value, nn, no_grad, optim
from microgradnn.errors import unknown_name
from microgradnn.nn import activations, losses


def test_unknown_name_suggests_the_closest_known_name():
    message = unknown_name("loss", "binary_crossentrpy", ["mse", "binary_crossentropy"])
    assert "Did you mean 'binary_crossentropy'?" in message
    assert "Did you mean" not in unknown_name("loss", "zzzz", ["mse"])


@pytest.mark.parametrize(
    "lookup, typo, suggestion",
    [
        (activations.get, "rleu", "relu"),
        (losses.get, "mse_", "mse"),
        (lambda name: optim.get(name, [Value(1.0)]), "adamm", "adam"),
        (lambda name: nn.Dense(2, 2, init=name), "he_normall", "he_normal"),
    ],
)
def test_every_name_lookup_suggests_a_fix(lookup, typo, suggestion):
    with pytest.raises(ValueError, match=f"Did you mean '{suggestion}'"):
        lookup(typo)


def test_layer_shape_error_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Dense\(4 -> 2\).*\(32, 3\)"):
        nn.Dense(4, 2)(np.ones((32, 3)))


def test_label_out_of_range_for_sparse_cross_entropy():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        losses.sparse_categorical_crossentropy(Tensor(np.zeros((2, 3))), [0, 3])


def test_backward_through_a_no_grad_graph_explains_why():
    with no_grad():
        y = Value(2.0) * 3
    with pytest.raises(ValueError, match="no_grad"):
        y.backward()
