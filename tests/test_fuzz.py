"""Fuzzing the public API with Hypothesis: random programs of tensor operations.

Each generated program either raises one of the documented exceptions (TypeError,
ValueError, IndexError) with a message, or produces finite outputs whose gradients agree
with finite differences. Nothing else is allowed: no numpy internals leaking out, no NaN.
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, concatenate, grad, optim, stack
from microgradnn.testing import arrays, check_grad, shapes

DOCUMENTED_ERRORS = (TypeError, ValueError, IndexError)

# smooth operations only, so finite differences are reliable everywhere
UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "sin": lambda a: a.sin(),
    "square": lambda a: a * a,
    "soft_log": lambda a: (a * a + 0.5).log(),
    "soft_sqrt": lambda a: (a * a + 0.5).sqrt(),
    "soft_exp": lambda a: (a.tanh()).exp(),
    "sum0": lambda a: a.sum(axis=0),
    "mean_all": lambda a: a.mean(),
    "sum_keep": lambda a: a.sum(axis=-1, keepdims=True),
    "transpose": lambda a: a.T,
    "flatten": lambda a: a.reshape(-1),
    "first_rows": lambda a: a[np.array([0, 0])],
    "slice": lambda a: a[..., :2],
    "reshape_2": lambda a: a.reshape(2, -1),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "soft_div": lambda a, b: a / (b * b + 1.0),
    "matmul": lambda a, b: a @ b,
    "concat": lambda a, b: concatenate([a, b], axis=0),
    "stack": lambda a, b: stack([a, b]),
}


@st.composite
def programs(draw):
    n_inputs = draw(st.integers(1, 3))
    inputs = [
        draw(arrays(draw(shapes(min_dims=0, max_dims=3, max_side=3)), -1.5, 1.5))
        for _ in range(n_inputs)
    ]
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, 9))))
        else:
            steps.append(
                (
                    "binary",
                    draw(st.sampled_from(sorted(BINARY))),
                    draw(st.integers(0, 9)),
                    draw(st.integers(0, 9)),
                )
            )
    return inputs, steps


def run_program(steps, *tensors):
    values = list(tensors)
    for step in steps:
        if step[0] == "unary":
            _, name, i = step
            values.append(UNARY[name](values[i % len(values)]))
        else:
            _, name, i, j = step
            values.append(BINARY[name](values[i % len(values)], values[j % len(values)]))
    return values[-1]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs())
def test_random_programs_raise_clearly_or_have_correct_gradients(program):
    inputs, steps = program
    try:
        out = run_program(steps, *[Tensor(x) for x in inputs])
    except DOCUMENTED_ERRORS as error:
        assert str(error), "errors must explain themselves"
        return
    assert isinstance(out, Tensor)
    assert np.all(np.isfinite(out.data))
    if out.size > 60:
        return  # keep the finite-difference cost bounded
    check_grad(lambda *ts: run_program(steps, *ts), *inputs, rtol=1e-4, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["add", "mul", "tanh", "sigmoid", "exp_tanh", "pow", "sin", "div"]),
        min_size=1,
        max_size=8,
    ),
    st.floats(-2, 2),
    st.floats(-2, 2),
)
def test_random_scalar_programs_have_correct_gradients(ops, a, b):
    def program(x, y):
        for name in ops:
            if name == "add":
                x = x + y
            elif name == "mul":
                x = x * y
            elif name == "tanh":
                x = x.tanh()
            elif name == "sigmoid":
                x = x.sigmoid()
            elif name == "exp_tanh":
                x = x.tanh().exp()
            elif name == "pow":  # bounded base: repeated powers must not explode
                t = x.tanh()
                x = (t * t + 1.0) ** 1.5
            elif name == "sin":
                x = x.sin() * y
            else:
                x = x / (y * y + 1.0)
        return x

    check_grad(program, a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "bad_call",
    [
        lambda: Tensor("x"),
        lambda: Tensor([1.0]) + "a",
        lambda: Tensor([1.0]) + Value(2.0),
        lambda: Value(1.0) * Tensor([1.0]),
        lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))),
        lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones((4,))),
        lambda: Tensor(np.ones(3))[7],
        lambda: Tensor(np.ones(3)).reshape(2, 2),
        lambda: Tensor(np.ones(3)).sum(axis=3),
        lambda: Value(None),
    ],
)
def test_common_mistakes_raise_documented_errors(bad_call):
    with pytest.raises(DOCUMENTED_ERRORS) as info:
        bad_call()
    message = str(info.value)
    assert message and "Traceback" not in message


ACTIVATIONS = [None, "tanh", "sigmoid", "softplus", "elu", "leaky_relu", "linear"]


@st.composite
def layer_stacks(draw):
    """A random Sequential of Dense/Activation/Dropout layers whose sizes may NOT chain."""
    from microgradnn import nn

    width = draw(st.integers(1, 4))
    features = width
    layers = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["dense", "dense", "activation", "dropout"]))
        if kind == "dense":
            # usually the right input size, sometimes a wrong one (must give a clear error)
            n_in = features if draw(st.integers(0, 4)) else draw(st.integers(1, 5))
            n_out = draw(st.integers(1, 4))
            act = draw(st.sampled_from(ACTIVATIONS))
            layers.append(nn.Dense(n_in, n_out, activation=act, seed=i))
            features = n_out
        elif kind == "activation":
            layers.append(nn.Activation(draw(st.sampled_from(ACTIVATIONS[1:]))))
        else:
            layers.append(nn.Dropout(0.5, seed=i))
    batch = draw(st.integers(1, 3))
    # Biases start at 0, so an input of exactly 0 would sit on leaky_relu's kink, where
    # finite differences average the two slopes: keep the inputs off it.
    x = draw(arrays((batch, width), -1.5, 1.5).filter(lambda a: np.all(np.abs(a) > 1e-3)))
    return nn.Sequential(layers), x


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer_stacks())
def test_random_layer_stacks_raise_clearly_or_have_correct_gradients(stack_and_input):
    model, x = stack_and_input
    model.eval()  # dropout off: the function is deterministic, as finite differences need
    try:
        out = model(x)
    except DOCUMENTED_ERRORS as error:
        assert "expects" in str(error) or str(error)
        return
    assert np.all(np.isfinite(out.data))
    named = list(model.named_parameters())
    if not named:
        return
    originals = [p.data.copy() for _, p in named]

    def loss_of(*weights):
        # put check_grad's own copies in place of the parameters, so it differentiates them
        for (name, _), w in zip(named, weights):
            *path, attribute = name.split(".")
            owner = model
            for part in path:
                owner = owner[int(part)] if part.isdigit() else getattr(owner, part)
            setattr(owner, attribute, w)
        return (model(x) ** 2).sum()

    check_grad(loss_of, *originals, rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------------------------------
# Issue 15's bar: transpose over every signed axis order, gradient ownership, in-place
# versioning, float32 end to end. Random case counts are in each test's @settings.
# ----------------------------------------------------------------------------------------
def signed_axis_orders(ndim: int) -> list[tuple[int, ...]]:
    """Every permutation of range(ndim), with every axis written as k or k - ndim."""
    orders = []
    for order in itertools.permutations(range(ndim)):
        for negative in itertools.product((False, True), repeat=ndim):
            orders.append(tuple(a - ndim if n else a for a, n in zip(order, negative)))
    return orders


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 4).flatmap(lambda nd: shapes(min_dims=nd, max_dims=nd, max_side=3)))
def test_transpose_every_signed_axis_order_matches_numpy(shape):
    """48 orders of a 3-D tensor, 384 of a 4-D one: value and gradient vs numpy's own rule."""
    rng = np.random.default_rng(sum(shape))
    x_data = rng.normal(size=shape)
    for axes in signed_axis_orders(len(shape)):
        x = Tensor(x_data)
        out = x.transpose(*axes)
        np.testing.assert_array_equal(out.data, np.transpose(x_data, axes))
        w = rng.normal(size=out.shape)
        (out * Tensor(w, requires_grad=False)).sum().backward()
        # sum(w * x.transpose(p)) is linear in x with coefficient w transposed back by p^-1
        inverse = np.argsort([a % len(shape) for a in axes])
        np.testing.assert_array_equal(x.grad, np.transpose(w, inverse), err_msg=str(axes))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(3, 4).flatmap(
        lambda nd: st.tuples(
            shapes(min_dims=nd, max_dims=nd, max_side=3),
            st.sampled_from(signed_axis_orders(nd)),
        )
    ),
    st.booleans(),
)
def test_transpose_signed_axes_second_order_and_torch(shape_axes, use_torch):
    """Finite differences of a nonlinear function through the transpose (first and second
    order), and torch's permute where it is installed."""
    shape, axes = shape_axes
    x_data = np.random.default_rng(len(axes)).uniform(-1, 1, size=shape)

    def f(x):
        return (x.transpose(*axes) * x.transpose(*axes).tanh()).sum(axis=0)

    check_grad(f, x_data, rtol=1e-4, atol=1e-6)
    check_grad(lambda x: grad(f(x).sum(), [x], create_graph=True)[0], x_data, rtol=1e-4)
    torch = _torch_or_none()
    if use_torch and torch is not None:  # (no skip: the finite differences still ran)
        t = torch.tensor(x_data, requires_grad=True)
        f_torch = (t.permute(*axes) * t.permute(*axes).tanh()).sum(dim=0)
        f_torch.sum().backward()
        x = Tensor(x_data)
        f(x).sum().backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.booleans())
def test_gradients_are_owned_writable_arrays(program, explicit_seed):
    """After backward every .grad is a writable array that shares memory with no other
    gradient, no node's data and not the seed: changing one in place changes nothing else."""
    inputs, steps = program
    try:
        leaves = [Tensor(x) for x in inputs]
        out = run_program(steps, *leaves)
    except DOCUMENTED_ERRORS:
        return
    seed = np.ones(out.shape)
    out.backward(seed if explicit_seed or out.size != 1 else None)
    nodes = [n for n in _graph_nodes(out) if n.grad is not None]
    arrays_seen = [seed] + [n.data for n in _graph_nodes(out)]
    for node in nodes:
        assert isinstance(node.grad, np.ndarray) and node.grad.flags.writeable
        assert node.grad.shape == node.data.shape
        for other in arrays_seen:
            assert not np.shares_memory(node.grad, other)
        arrays_seen.append(node.grad)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["mul", "tanh", "exp", "matmul", "sigmoid", "pow", "div"]),
    st.sampled_from(["sgd", "adam", "momentum"]),
    arrays((2, 2), -1, 1),
)
def test_backward_after_an_in_place_update_raises(op_name, optimizer, w_data):
    """A parameter changed by an optimizer step after the forward pass saved it: backward
    must refuse (its gradient would be computed at the new weights), naming the tensor."""
    w = Tensor(w_data, label="W")
    saved = {
        "mul": lambda t: t * t,
        "tanh": lambda t: t.tanh(),
        "exp": lambda t: t.exp(),
        "matmul": lambda t: t @ t,
        "sigmoid": lambda t: t.sigmoid(),
        "pow": lambda t: (t * t + 1.0) ** 1.5,
        "div": lambda t: 1.0 / (t * t + 1.0),
    }[op_name](w)
    loss = saved.sum()
    make = {
        "sgd": lambda p: optim.SGD(p, lr=0.1),
        "adam": lambda p: optim.Adam(p, lr=0.1),
        "momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    }[optimizer]
    w.grad = np.ones_like(w_data)
    make([w]).step()
    with pytest.raises(RuntimeError, match="W|modified"):
        loss.backward()


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
