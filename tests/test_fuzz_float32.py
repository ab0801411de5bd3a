"""Fuzzing float32 end to end (issue 15): every tensor op of the op table, every layer and
every loss keeps float32 in its output, in every node of its graph and in every gradient
(first and second order). An op, layer or loss added without a case here fails the
coverage tests below.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, concatenate, grad, stack
from microgradnn.testing import arrays


def _graph_nodes(root):
    """Every node reachable from root through .parents (each once)."""
    seen, stack, nodes = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        stack.extend(node.parents)
    return nodes


# --- float32 end to end: every tensor op, every layer, every loss ------------------------
def _f32_grad_of_gather(x):
    # the gradient of indexing, kept as a graph: it is a scatter_add node
    return grad((x[np.array([0, 0, 1])] ** 2).sum(), [x], create_graph=True)[0]


def _with_ops():
    from microgradnn import affine, maximum, minimum, where
    from microgradnn import functional as F
    from microgradnn.nn import col2im, im2col

    # op name -> (function of float32 Tensors, [(shape, low, high) per input])
    R, P = (-2.0, 2.0), (0.3, 2.0)  # any real; positive (log, sqrt, powers, divisors)
    return {
        "add": (lambda a, b: a + b, [((2, 3), *R), ((3,), *R)]),
        "sub": (lambda a, b: a - b, [((2, 3), *R), ((3,), *R)]),
        "mul": (lambda a, b: a * b, [((2, 3), *R), ((3,), *R)]),
        "div": (lambda a, b: a / b, [((2, 3), *R), ((3,), *P)]),
        "neg": (lambda a: -a, [((2, 3), *R)]),
        "pow_const": (lambda a: a**1.5 + a**2 + a**-1, [((2, 3), *P)]),
        "pow": (lambda a, b: a**b, [((2, 3), *P), ((3,), *R)]),
        "exp": (lambda a: a.exp(), [((2, 3), *R)]),
        "log": (lambda a: a.log(), [((2, 3), *P)]),
        "sqrt": (lambda a: a.sqrt(), [((2, 3), *P)]),
        "tanh": (lambda a: a.tanh(), [((2, 3), *R)]),
        "sigmoid": (lambda a: a.sigmoid(), [((2, 3), *R)]),
        "relu": (lambda a: a.relu(), [((2, 3), *R)]),
        "leaky_relu": (lambda a: F.leaky_relu(a, 0.1), [((2, 3), *R)]),
        "elu": (lambda a: F.elu(a), [((2, 3), *R)]),
        "abs": (lambda a: a.abs(), [((2, 3), *R)]),
        "sin": (lambda a: a.sin(), [((2, 3), *R)]),
        "cos": (lambda a: a.cos(), [((2, 3), *R)]),
        "maximum": (lambda a, b: maximum(a, b), [((2, 3), *R), ((3,), *R)]),
        "minimum": (lambda a, b: minimum(a, b), [((2, 3), *R), ((3,), *R)]),
        "where": (lambda a, b: where(a.data > 0, a, b), [((2, 3), *R), ((2, 3), *R)]),
        "matmul": (lambda a, b: a @ b, [((2, 3), *R), ((3, 4), *R)]),
        "affine": (lambda x, w, b: affine(x, w, b), [((2, 3), *R), ((3, 4), *R), ((4,), *R)]),
        "sum": (lambda a: a.sum(axis=0), [((2, 3), *R)]),
        "mean": (lambda a: a.mean(axis=-1), [((2, 3), *R)]),
        "max": (lambda a: a.max(axis=1), [((2, 3), *R)]),
        "reshape": (lambda a: a.reshape(3, 2), [((2, 3), *R)]),
        "transpose": (lambda a: a.transpose(1, 0), [((2, 3), *R)]),
        "getitem": (lambda a: a[np.array([0, 0, 1])], [((2, 3), *R)]),
        "scatter_add": (_f32_grad_of_gather, [((2, 3), *R)]),
        "broadcast_to": (lambda a: a.broadcast_to((4, 2, 3)), [((2, 3), *R)]),
        "sum_to": (lambda a: a.sum_to((1, 3)), [((2, 3), *R)]),
        # float64 inside on purpose; only what goes in and comes out is checked (see below)
        "cast": (lambda a: a.astype(np.float64).exp().astype(np.float32), [((2, 3), *R)]),
        "concatenate": (lambda a, b: concatenate([a, b], axis=1), [((2, 3), *R), ((2, 1), *R)]),
        "stack": (lambda a, b: stack([a, b], axis=-1), [((2, 3), *R), ((2, 3), *R)]),
        "im2col": (lambda x: im2col(x, 2, padding=1), [((1, 3, 3, 2), *R)]),
        "col2im": (lambda c: col2im(c, (1, 3, 3, 1)), [((1, 2, 2, 2, 2, 1), *R)]),
        "softmax_cross_entropy": (
            lambda z: losses_module().categorical_crossentropy(
                z, np.eye(3, dtype=np.float32)[[0, 2]], from_logits=True
            ),
            [((2, 3), *R)],
        ),
        "lstm_gates": (lambda x: _layer("LSTM")(x), [((2, 3, 2), *R)]),
        "lstm_memory": (lambda x: _layer("LSTM")(x), [((2, 3, 2), *R)]),
        "lstm_output": (lambda x: _layer("LSTM")(x), [((2, 3, 2), *R)]),
        "gru_gates": (lambda x: _layer("GRU")(x), [((2, 3, 2), *R)]),
        "gru_output": (lambda x: _layer("GRU")(x), [((2, 3, 2), *R)]),
    }


def losses_module():
    from microgradnn.nn import losses

    return losses


def _layer(name: str, **options):
    from microgradnn import nn

    return getattr(nn, name)(2, 3, seed=0, dtype="float32", **options)


F32_OP_CASES = _with_ops()


def _assert_float32_graph(out, leaves, every_node=True):
    """out, every node of its graph and every gradient (leaves and intermediates) float32."""
    assert out.dtype == np.float32, f"output is {out.dtype}"
    upstream = np.linspace(-1, 1, out.size, dtype=np.float32).reshape(out.shape)
    (out * Tensor(upstream, requires_grad=False)).sum().backward()
    for node in _graph_nodes(out) if every_node else []:
        name = node.op.name if node.op is not None else "leaf"
        assert node.data.dtype == np.float32, f"{name} node holds {node.data.dtype}"
        if node.grad is not None:
            assert np.asarray(node.grad).dtype == np.float32, f"grad of {name}: {node.grad.dtype}"
    for leaf in leaves:
        assert leaf.grad is not None and leaf.grad.dtype == np.float32


def test_every_tensor_op_has_a_float32_case():
    from microgradnn.ops import OP_TABLE

    tensor_ops = {name for name, op in OP_TABLE.items() if "tensor" in op.engines}
    assert tensor_ops <= set(F32_OP_CASES), sorted(tensor_ops - set(F32_OP_CASES))


@pytest.mark.parametrize("name", sorted(F32_OP_CASES))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_float32_is_kept_by_every_op(name, data):
    f, specs = F32_OP_CASES[name]
    leaves = [
        Tensor(data.draw(arrays(shape, low, high, dtype=np.float32)), label=f"x{i}")
        for i, (shape, low, high) in enumerate(specs)
    ]
    out = f(*leaves)
    assert name in {n.op.name for n in _graph_nodes(out) if n.op is not None}, "op not used"
    _assert_float32_graph(out, leaves, every_node=name != "cast")


@pytest.mark.parametrize("name", sorted(F32_OP_CASES))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_float32_is_kept_by_every_op_second_order(name, data):
    """The backward pass recorded as a graph (create_graph=True) stays float32 too."""
    f, specs = F32_OP_CASES[name]
    leaves = [
        Tensor(data.draw(arrays(shape, low, high, dtype=np.float32)), label=f"x{i}")
        for i, (shape, low, high) in enumerate(specs)
    ]
    out = f(*leaves)
    grads = grad((out * out).sum(), leaves, create_graph=True)
    total = grads[0].sum()
    for g in grads[1:]:
        total = total + g.sum()
    _assert_float32_graph(total, leaves, every_node=name != "cast")


def _f32_layers():
    from microgradnn import nn
    from microgradnn.nn import activations

    image, sequence, rows = (2, 4, 4, 2), (2, 3, 2), (3, 2)
    cases = {
        "Dense": (lambda: nn.Dense(2, 3, activation="tanh", seed=0, dtype="float32"), rows),
        "Linear": (lambda: nn.Linear(2, 3, seed=0, dtype="float32"), rows),
        "Dropout": (lambda: nn.Dropout(0.5, seed=0), rows),  # training mode: a random mask
        "Flatten": (lambda: nn.Flatten(), image),
        "Sequential": (
            lambda: nn.Sequential(
                nn.Dense(2, 4, "relu", seed=1, dtype="float32"),
                nn.Dense(4, 1, seed=2, dtype="float32"),
            ),
            rows,
        ),
        "Conv2D": (lambda: nn.Conv2D(2, 3, 3, padding="same", seed=0, dtype="float32"), image),
        "MaxPool2D": (lambda: nn.MaxPool2D(2, stride=1, padding=1), image),
        "AvgPool2D": (lambda: nn.AvgPool2D(2, stride=1, padding=1), image),
        "GlobalAveragePooling2D": (lambda: nn.GlobalAveragePooling2D(), image),
        "SimpleRNN": (lambda: _layer("SimpleRNN", return_sequences=True), sequence),
        "LSTM": (lambda: _layer("LSTM"), sequence),
        "LSTM unfused": (lambda: _layer("LSTM", fused=False), sequence),
        "GRU": (lambda: _layer("GRU"), sequence),
        "GRU unfused": (lambda: _layer("GRU", fused=False), sequence),
        "BatchNormalization": (lambda: nn.BatchNormalization(2, dtype="float32"), rows),
        "BatchNormalization images": (lambda: nn.BatchNormalization(2, dtype="float32"), image),
        "LayerNormalization": (lambda: nn.LayerNormalization(2, dtype="float32"), rows),
    }
    for name in activations.NAMES:
        cases[f"Activation {name}"] = (lambda name=name: nn.Activation(name), rows)
    return cases


F32_LAYER_CASES = _f32_layers()
SCALAR_MODULES = {"Module", "Neuron", "Layer", "MLP"}  # Value models: no dtype to keep


def test_every_tensor_layer_has_a_float32_case():
    import inspect

    from microgradnn import nn

    layers = {
        name
        for name in nn.__all__
        if inspect.isclass(getattr(nn, name)) and issubclass(getattr(nn, name), nn.Module)
    }
    covered = {name.split()[0] for name in F32_LAYER_CASES}
    assert layers - SCALAR_MODULES <= covered, sorted(layers - SCALAR_MODULES - covered)


@pytest.mark.parametrize("name", sorted(F32_LAYER_CASES))
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_float32_is_kept_by_every_layer(name, data):
    make, shape = F32_LAYER_CASES[name]
    model = make()
    x = Tensor(data.draw(arrays(shape, -2, 2, dtype=np.float32)), label="x")
    _assert_float32_graph(model(x), [x, *model.parameters()])


def _f32_losses():
    from microgradnn import functional as F
    from microgradnn.nn import losses

    labels = np.array([0, 2, 1, 2])
    one_hot = np.eye(3, dtype=np.float32)[labels]
    bits = np.array([[1.0], [0.0], [1.0], [0.0]], np.float32)

    def gradient_penalty(z):
        w = Tensor(np.full((3, 1), 0.5, np.float32), label="w")
        return losses.gradient_penalty(0.1, (z @ w).tanh(), [w])

    return {
        "mse": lambda z: losses.mse(z, one_hot),
        "mae": lambda z: losses.mae(z, one_hot),
        "binary_crossentropy": lambda z: losses.binary_crossentropy(z[:, :1].sigmoid(), bits),
        "binary_crossentropy logits": lambda z: losses.binary_crossentropy(
            z[:, :1], bits, from_logits=True
        ),
        "categorical_crossentropy": lambda z: losses.categorical_crossentropy(
            F.softmax(z), one_hot
        ),
        "categorical_crossentropy logits": lambda z: losses.categorical_crossentropy(
            z, one_hot, from_logits=True
        ),
        "sparse_categorical_crossentropy": lambda z: losses.sparse_categorical_crossentropy(
            F.softmax(z), labels
        ),
        "sparse_categorical_crossentropy logits": (
            lambda z: losses.sparse_categorical_crossentropy(z, labels, from_logits=True)
        ),
        "hinge": lambda z: losses.hinge(z[:, :1], 2 * bits - 1),
        "l1_penalty": lambda z: losses.l1_penalty([z], lam=0.1),
        "l2_penalty": lambda z: losses.l2_penalty([z], lam=0.1),
        "gradient_penalty": gradient_penalty,
    }


F32_LOSS_CASES = _f32_losses()


def test_every_loss_has_a_float32_case():
    from microgradnn.nn import losses

    names = set(losses.__all__) - {"get", "EPSILON"}
    covered = {name.split()[0] for name in F32_LOSS_CASES}
    assert names <= covered, sorted(names - covered)


@pytest.mark.parametrize("name", sorted(F32_LOSS_CASES))
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_float32_is_kept_by_every_loss(name, data):
    z = Tensor(data.draw(arrays((4, 3), -2, 2, dtype=np.float32)), label="z")
    _assert_float32_graph(F32_LOSS_CASES[name](z), [z])
