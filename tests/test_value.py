"""The scalar engine: the lecture example, graph semantics, numerics and errors."""

import math
import sys
import warnings

import pytest
from hypothesis import given, settings

from microgradnn import Value, no_grad
from microgradnn.engine import topological_order
from microgradnn.testing import check_grad, floats_in


def test_lecture_example_exact():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)


def test_node_used_twice_gets_every_contribution():
    a = Value(3.0)
    b = a + a  # db/da = 2
    c = b * b  # dc/db = 2b = 12
    c.backward()
    assert b.grad == 12.0
    assert a.grad == 24.0
    assert len(b.parents) == 2 and b.parents[0] is b.parents[1]


def test_square_by_self_multiplication():
    a = Value(-1.5)
    (a * a).backward()
    assert a.grad == 2 * -1.5


def test_backward_twice_accumulates_like_pytorch():
    x = Value(2.0)
    y = x * x * 3.0  # dy/dx = 6x = 12
    y.backward()
    y.backward()
    assert x.grad == 24.0  # accumulated, not recomputed from an inflated intermediate
    x.zero_grad()
    assert x.grad == 0.0
    y.backward()
    assert x.grad == 12.0


def test_intermediate_grads_are_visible():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert q.grad == -4.0 and f.grad == 1.0


def test_million_node_chain_backward_without_recursion_error():
    assert sys.getrecursionlimit() < 10**6
    x = Value(0.5)
    y = x
    for _ in range(10**6):  # one node per step: y = -y
        y = -y
    y.backward()
    assert x.grad == 1.0  # an even number of sign flips
    assert y.data == 0.5


def test_wide_sum_backward_is_linear():
    xs = [Value(float(i)) for i in range(10**5)]
    total = xs[0]
    for v in xs[1:]:
        total = total + v
    total.backward()
    assert all(v.grad == 1.0 for v in xs[:: 10**4])


@settings(max_examples=50, deadline=None)
@given(floats_in(-5, 5), floats_in(-5, 5), floats_in(0.5, 5))
def test_reflected_operators_match_forward_ones(a, b, c):
    x = Value(a)
    assert (2.0 + x).data == 2.0 + a
    assert (2.0 - x).data == 2.0 - a
    assert (2.0 * x).data == 2.0 * a
    assert (1.0 / Value(c)).data == pytest.approx(1.0 / c)
    assert (2.0 ** Value(b)).data == pytest.approx(2.0**b)
    check_grad(lambda t: 2.0 - t * 3.0 + 1.0 / (t * t + 1.0), a)
    check_grad(lambda t: 2.0**t, b)


def test_value_pow_value_both_gradients():
    a, b = Value(2.0), Value(3.0)
    out = a**b
    out.backward()
    assert out.data == 8.0
    assert a.grad == pytest.approx(3 * 2.0**2)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))


def test_comparisons_build_no_graph():
    x, y = Value(1.0), Value(2.0)
    assert x < y and y > x and x <= 1.0 and y >= 2 and x == 1.0 and x != y
    assert isinstance(x < y, bool)


def test_values_stay_hashable_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2


def test_no_grad_builds_no_graph_and_detach_cuts():
    x = Value(2.0)
    with no_grad():
        y = x * 3
    assert y.parents == () and not y.requires_grad
    with pytest.raises(ValueError, match="no_grad"):
        y.backward()
    z = x.detach() * 3
    assert not z.requires_grad


def test_no_grad_as_decorator():
    @no_grad()
    def evaluate(v):
        return v * v

    assert evaluate(Value(3.0)).parents == ()


def test_topological_order_puts_parents_first():
    x = Value(1.0)
    y = (x * 2 + x).tanh()
    order = topological_order(y)
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if parent.requires_grad:
                assert position[id(parent)] < position[id(node)]


def test_numerically_safe_primitives_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Value(1000.0).exp().data == math.inf
        assert Value(1000.0).sigmoid().data == 1.0
        assert Value(-1000.0).sigmoid().data == 0.0
        assert Value(0.0).log().data == -math.inf
        assert Value(1e308).__mul__(10.0).data == math.inf
        assert (Value(1.0) / 0.0).data == math.inf
        assert (Value(-1.0) / 0.0).data == -math.inf
        assert math.isnan((Value(0.0) / 0.0).data)
        assert (Value(10.0) ** 400).data == math.inf
        assert Value(-1000.0).tanh().data == -1.0


def test_sigmoid_gradient_at_extremes_is_zero_not_nan():
    for x in (-1000.0, 1000.0):
        v = Value(x)
        v.sigmoid().backward()
        assert v.grad == 0.0


def test_domain_errors_are_clear():
    with pytest.raises(ValueError, match="log"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="sqrt"):
        Value(-4.0).sqrt()
    with pytest.raises(ValueError, match="fractional"):
        Value(-8.0) ** 0.5
    assert (Value(-2.0) ** 3).data == -8.0


@pytest.mark.parametrize("bad", ["3", None, [1.0], True])
def test_bad_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="Value needs a real number"):
        Value(bad)


def test_mixing_value_and_tensor_is_a_clear_type_error():
    from microgradnn import Tensor

    with pytest.raises(TypeError, match="mix"):
        Value(1.0) + Tensor([1.0])
    with pytest.raises(TypeError, match="mix"):
        Tensor([1.0]) * Value(1.0)


def test_repr_shows_data_grad_label_and_op():
    x = Value(2.0, label="x")
    y = x * 3
    y.backward()
    assert "label='x'" in repr(x) and "grad=3" in repr(x)
    assert "op='*'" in repr(y)


def test_karpathy_readme_expression_against_torch():
    torch = pytest.importorskip("torch")

    def expression(lib_a, lib_b, relu):
        a, b = lib_a, lib_b
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        return g

    a, b = Value(-4.0), Value(2.0)
    g = expression(a, b, lambda v: v.relu())
    g.backward()
    ta = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tg = expression(ta, tb, torch.relu)
    tg.backward()
    assert g.data == pytest.approx(tg.item(), rel=1e-12)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)


def test_detect_anomaly_names_the_op_that_made_the_first_nan():
    from microgradnn import detect_anomaly

    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="forward of op 'div'"):
            Value(0.0) / 0.0
        x = Value(0.0)
        y = x.sqrt()  # fine forward (0.0) but d/dx = 0.5 / 0 = inf, then inf * 0 = nan
        z = y * 0.0
        with pytest.raises(FloatingPointError, match="backward of op 'sqrt'"):
            z.backward()
    assert math.isnan((Value(0.0) / 0.0).data)  # off again outside the block


def test_grad_of_several_outputs_sums_their_gradients():
    from microgradnn import grad

    x, y = Value(2.0), Value(3.0)
    shared = x * y  # reached from both outputs: listed once, gets both shares
    first, second = shared + x, shared * y
    gx, gy = grad([first, second], [x, y])
    assert gx == pytest.approx(y.data + 1 + y.data * y.data)  # d/dx (xy + x + xy^2)
    assert gy == pytest.approx(x.data + 2 * x.data * y.data)


def test_requires_grad_is_an_explicit_flag_of_every_node():
    weight, data = Value(2.0), Value(3.0, requires_grad=False)
    assert weight.op is None and weight.requires_grad and weight.is_leaf
    assert data.op is None and not data.requires_grad and data.is_leaf
    product = weight * data
    assert product.requires_grad and not product.is_leaf
    assert not (data * data).requires_grad  # constants in, constant out


def test_requires_grad_can_be_switched_on_leaves_only():
    x = Value(2.0)
    x.requires_grad = False
    y = x * 3
    assert not y.requires_grad and y.parents == ()
    x.requires_grad = True
    y = x * 3
    y.backward()
    assert x.grad == 3.0
    with pytest.raises(ValueError, match="only be changed on a leaf"):
        y.requires_grad = False


def test_scalar_nodes_share_their_op_objects():
    from microgradnn.nn import Layer
    from microgradnn.value import dot

    w = [Value(1.0), Value(2.0)]
    assert dot(w, [1.0, 2.0]).op is dot(w, [3.0, 4.0]).op
    assert (Value(2.0) ** 2).op is (Value(3.0) ** 2).op
    layer = Layer(2, 3, seed=0)
    outputs = layer([1.0, 2.0])
    # the two input numbers become two constant nodes, shared by all three neurons
    inputs = {id(p) for out in outputs for p in out.parents[0].parents[2:4]}
    assert len(inputs) == 2
