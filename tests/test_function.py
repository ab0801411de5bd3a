"""The public Function API: user-defined ops on Value and Tensor, checked by check_function."""

import numpy as np
import pytest
from hypothesis import given, settings

from microgradnn import Function, Tensor, Value, grad, viz
from microgradnn.testing import arrays, check_function, floats_in


class Cube(Function):
    """x³, d/dx = 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad_output


class ScaledSum(Function):
    """a * b + a, two inputs that may broadcast."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b + a

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * (b + 1), g * a


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x**2 * grad_output


@settings(max_examples=40, deadline=None)
@given(floats_in(-3, 3))
def test_function_on_values_matches_the_closed_form(x):
    v = Value(x)
    y = Cube.apply(v)
    y.backward()
    assert y.data == pytest.approx(x**3)
    assert v.grad == pytest.approx(3 * x**2)
    check_function(Cube, Value(x))


@settings(max_examples=30, deadline=None)
@given(arrays((3, 1), -2, 2), arrays((4,), -2, 2))
def test_function_on_tensors_broadcasts_and_passes_the_finite_difference_check(a, b):
    out = ScaledSum.apply(Tensor(a), Tensor(b))
    assert out.shape == (3, 4)
    check_function(ScaledSum, Tensor(a), Tensor(b))


@settings(max_examples=20, deadline=None)
@given(floats_in(-2, 2))
def test_function_second_derivative_from_the_same_backward(x):
    v = Value(x)
    (dx,) = grad(Cube.apply(v), [v], create_graph=True)
    (d2x,) = grad(dx, [v])
    assert dx.data == pytest.approx(3 * x**2)
    assert d2x == pytest.approx(6 * x)


def test_check_function_names_the_input_and_both_derivatives():
    with pytest.raises(AssertionError) as error:
        check_function(WrongCube, Value(2.0, label="x"))
    text = str(error.value)
    assert "WrongCube.backward" in text and "input 0 ('x')" in text
    assert "engine says 8" in text and "finite differences say 12" in text


def test_function_keeps_float32_and_shows_its_name_in_pictures():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    y = Cube.apply(x)
    assert y.dtype == np.float32 and y.op.name == "Cube"
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert "Cube" in viz.to_dot(y)


def test_function_errors_name_the_problem():
    class TwoGrads(Cube):
        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(TypeError, match="returned 2 gradient"):
        TwoGrads.apply(Value(1.0)).backward()
    with pytest.raises(TypeError, match="at least one Value or Tensor"):
        Cube.apply(2.0)

    class WrongShape(Cube):
        @staticmethod
        def backward(ctx, g):
            return np.ones(5)

    with pytest.raises(ValueError, match="shape"):
        WrongShape.apply(Tensor([1.0, 2.0])).sum().backward()


def test_none_gradient_means_zero_and_needs_input_grad_is_set():
    seen = {}

    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            seen["needs"] = ctx.needs_input_grad
            return g, None

    a, b = Value(1.0), Value(2.0)
    FirstOnly.apply(a, b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    assert seen["needs"] == (True, True)
