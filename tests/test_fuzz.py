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
from microgradnn.engine import topological_order
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
# versioning (float32 end to end: test_fuzz_float32.py). Case counts are in @settings.
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.booleans())
def test_gradients_are_owned_writable_arrays(program, explicit_seed):
    """After backward every leaf's .grad is a writable array that shares memory with no
    other gradient, no node's data and not the seed; an intermediate node's .grad is either
    such an array too or read-only: changing one in place never changes another."""
    inputs, steps = program
    try:
        leaves = [Tensor(x) for x in inputs]
        out = run_program(steps, *leaves)
    except DOCUMENTED_ERRORS:
        return
    seed = np.ones(out.shape)
    out.backward(seed if explicit_seed or out.size != 1 else None)
    order = topological_order(out)  # every node that needs (so got) a gradient
    nodes = [n for n in order if n.grad is not None]
    data = [seed] + [n.data for n in order]
    for node in nodes:
        assert isinstance(node.grad, np.ndarray) and node.grad.shape == node.data.shape
        if node.is_leaf or node.grad.flags.writeable:
            assert node.grad.flags.writeable
            others = data + [n.grad for n in nodes if n is not node]
            assert not any(np.shares_memory(node.grad, other) for other in others)


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
