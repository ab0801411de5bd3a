"""Convolution and pooling: gradients vs finite differences, vs a slicing-only im2col, vs torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, grad
from microgradnn.engine import topological_order
from microgradnn.functional.conv import resolve_padding
from microgradnn.nn.conv import (
    AvgPool2D,
    Conv2D,
    GlobalAveragePooling2D,
    MaxPool2D,
    avg_pool2d,
    col2im,
    conv2d,
    conv_output_size,
    global_avg_pool2d,
    im2col,
    im2col_by_slicing,
    max_pool2d,
)
from microgradnn.testing import arrays, check_grad


# ------------------------------------------------------------------------------ strategies
@st.composite
def conv_cases(draw, max_side=5):
    """Small images, kernels, strides, dilations and paddings where the window fits."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = draw(st.sampled_from([1, 2]))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2, (1, 0)]))
    pads = resolve_padding(padding, (max_side, max_side), kernel, stride, (dilation, dilation))
    sizes = []
    for k, (before, after) in zip(kernel, pads):
        smallest = max(1, dilation * (k - 1) + 1 - before - after)
        sizes.append(draw(st.integers(smallest, max(smallest, max_side))))
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return dict(
        x_shape=(n, *sizes, c_in),
        w_shape=(*kernel, c_in, c_out),
        stride=stride,
        dilation=dilation,
        padding=padding,
    )


def distinct_values(shape, rng, spacing=0.05):
    """Entries far apart compared to the finite-difference step, so max pooling has no ties."""
    return rng.permutation(np.prod(shape)).reshape(shape) * spacing - 1.0


# ------------------------------------------------------------------------ forward checks
def naive_conv2d(x, w, b, stride, pads, dilation):
    """The definition, with loops: a reference that shares no code with the im2col path."""
    (top, bottom), (left, right) = pads
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, c_out = w.shape
    out_h = conv_output_size(x.shape[1], kh, stride[0], 0, dilation)
    out_w = conv_output_size(x.shape[2], kw, stride[1], 0, dilation)
    out = np.zeros((x.shape[0], out_h, out_w, c_out))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for c in range(kw):
                    pixel = x[:, i * stride[0] + a * dilation, j * stride[1] + c * dilation, :]
                    out[:, i, j, :] += pixel @ w[a, c]
    return out + b


def test_conv2d_matches_the_loop_definition():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 2, 3, 4)), rng.normal(size=4)
    for stride, padding, pads, dilation in [
        ((1, 1), "valid", ((0, 0), (0, 0)), 1),
        ((2, 1), 1, ((1, 1), (1, 1)), 1),
        ((1, 1), "same", ((1, 1), (0, 1)), 1),  # 3x2 kernel: odd extra pad goes right
        ((2, 2), (2, 0), ((2, 2), (0, 0)), 2),
    ]:
        ours = conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding, dilation).data
        np.testing.assert_allclose(ours, naive_conv2d(x, w, b, stride, pads, dilation))


def test_same_padding_keeps_size_and_divides_by_stride():
    x = Tensor(np.zeros((1, 7, 8, 1)), requires_grad=False)
    w = Tensor(np.zeros((3, 3, 1, 2)))
    assert conv2d(x, w, padding="same").shape == (1, 7, 8, 2)
    assert conv2d(x, w, stride=2, padding="same").shape == (1, 4, 4, 2)
    assert max_pool2d(x, 2, padding="same").shape == (1, 4, 4, 1)


def test_im2col_windows_and_col2im_counts():
    x = np.arange(2 * 4 * 5 * 3.0).reshape(2, 4, 5, 3)
    windows = im2col(Tensor(x), (2, 3), stride=(2, 1)).data
    assert windows.shape == (2, 2, 3, 2, 3, 3)
    np.testing.assert_array_equal(windows[1, 1, 2], x[1, 2:4, 2:5])
    counts = col2im(np.ones(windows.shape), x.shape, stride=(2, 1)).data[0, :, :, 0]
    np.testing.assert_array_equal(counts[0], [1, 2, 3, 2, 1])


@settings(max_examples=25, deadline=None)
@given(case=conv_cases(), data=st.data())
def test_im2col_primitive_equals_slicing_composite_with_gradients(case, data):
    x = data.draw(arrays(case["x_shape"]))
    kernel, stride, dilation = case["w_shape"][:2], case["stride"], case["dilation"]
    upstream_shape = im2col(x, kernel, stride, case["padding"], dilation).shape
    upstream = data.draw(arrays(upstream_shape))
    results = []
    for build in (
        lambda t: im2col(t, kernel, stride, case["padding"], dilation),
        lambda t: im2col_by_slicing(t, kernel, stride, case["padding"], dilation),
    ):
        t = Tensor(x)
        out = build(t)
        (gx,) = grad((out * Tensor(upstream, False)).sum(), [t])
        results.append((out.data, gx))
    np.testing.assert_allclose(results[0][0], results[1][0], atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-12)


# ------------------------------------------------------------------ gradients (Hypothesis)
@settings(max_examples=30, deadline=None)
@given(case=conv_cases(), data=st.data())
def test_conv2d_gradient_matches_finite_differences(case, data):
    x = data.draw(arrays(case["x_shape"], -2, 2))
    w = data.draw(arrays(case["w_shape"], -2, 2))
    b = data.draw(arrays(case["w_shape"][-1:], -1, 1))
    options = {k: case[k] for k in ("stride", "padding", "dilation")}
    check_grad(lambda x_, w_, b_: conv2d(x_, w_, b_, **options), x, w, b)


@st.composite
def pool_cases(draw):
    pool = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    padding = draw(st.sampled_from(["valid", "same"]))
    low = 1 if padding == "same" else max(pool)
    shape = (draw(st.integers(1, 2)), draw(st.integers(low, 5)), draw(st.integers(low, 5)), 2)
    return shape, pool, stride, padding


@settings(max_examples=30, deadline=None)
@given(case=pool_cases(), seed=st.integers(0, 1000))
def test_pool_gradients_match_finite_differences(case, seed):
    shape, pool, stride, padding = case
    x = distinct_values(shape, np.random.default_rng(seed))
    check_grad(lambda t: max_pool2d(t, pool, stride, padding), x)
    check_grad(lambda t: avg_pool2d(t, pool, stride, padding), x)
    check_grad(lambda t: global_avg_pool2d(t * t), x)


def test_conv2d_second_derivative():
    """create_graph through im2col/col2im: d/dw of |dL/dx|^2."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(2, 2, 2, 3))

    def grad_norm(w_):
        x_ = Tensor(x)
        loss = conv2d(x_, w_, stride=2, padding=1).tanh().sum()
        (gx,) = grad(loss, [x_], create_graph=True)
        return (gx * gx).sum()

    check_grad(grad_norm, w, rtol=1e-4, atol=1e-6)


def test_max_pool_shares_gradient_on_ties_and_ignores_padding():
    x = Tensor(np.array([[2.0, 2.0], [-5.0, -3.0]]).reshape(1, 2, 2, 1))
    max_pool2d(x, 2).sum().backward()
    np.testing.assert_allclose(x.grad.ravel(), [0.5, 0.5, 0.0, 0.0])
    negative = Tensor(-np.ones((1, 3, 3, 1)))
    assert np.all(max_pool2d(negative, 2, padding="same").data == -1.0)  # never the -inf pad


def test_tiling_shortcut_equals_the_general_window_path():
    x = distinct_values((2, 6, 4, 3), np.random.default_rng(2))
    upstream = np.random.default_rng(3).normal(size=(2, 3, 2, 3))
    for pool, reduce in [(max_pool2d, "max"), (avg_pool2d, "mean")]:
        fast, general = Tensor(x), Tensor(x)
        out_fast = pool(fast, 2)  # windows tile the 6x4 image exactly: a reshape
        out_general = getattr(im2col(general, 2, stride=2), reduce)(axis=(3, 4))
        fast_ops = {node.op.name for node in topological_order(out_fast) if node.op}
        assert "im2col" not in fast_ops and "reshape" in fast_ops
        (out_fast * Tensor(upstream, False)).sum().backward()
        (out_general * Tensor(upstream, False)).sum().backward()
        np.testing.assert_allclose(out_fast.data, out_general.data, rtol=1e-14)
        np.testing.assert_allclose(fast.grad, general.grad, rtol=1e-14)


def test_avg_pool_same_padding_counts_only_real_pixels():
    x = Tensor(np.ones((1, 3, 3, 1)))
    np.testing.assert_allclose(avg_pool2d(x, 2, padding="same").data, 1.0)


def test_float32_stays_float32():
    x = Tensor(np.ones((2, 5, 5, 3)), requires_grad=False, dtype="float32")
    layer = Conv2D(3, 4, 3, padding="same", seed=0, dtype="float32")
    out = AvgPool2D(2)(MaxPool2D(2, stride=1)(layer(x)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert layer.weight.grad.dtype == np.float32


# ---------------------------------------------------------------------- errors and layers
def test_channels_first_input_gets_a_clear_error():
    layer = Conv2D(3, 8, 3, seed=0)
    with pytest.raises(ValueError, match=r"3 input channels.*\(2, 3, 32, 32\).*transpose"):
        layer(np.zeros((2, 3, 32, 32)))
    with pytest.raises(ValueError, match=r"\(N, H, W, C\), got shape \(32, 32, 3\)"):
        layer(np.zeros((32, 32, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        conv2d(np.zeros((1, 2, 2, 1)), Tensor(np.zeros((3, 3, 1, 1))))
    with pytest.raises(ValueError, match="padding must be"):
        Conv2D(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(1, 1, 0)


def test_conv_layer_parameters_and_repr():
    layer = Conv2D(3, 8, (3, 5), stride=2, padding="same", activation="relu", seed=0)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.num_parameters() == 3 * 5 * 3 * 8 + 8
    assert "activation='relu'" in repr(layer) and "stride=(2, 2)" in repr(layer)
    out = layer(np.random.default_rng(0).normal(size=(2, 9, 9, 3)))
    assert out.shape == (2, 5, 5, 8) and out.data.min() >= 0
    assert Conv2D(3, 8, 3, bias=False).parameters()[0].shape == (3, 3, 3, 8)
    assert GlobalAveragePooling2D()(out).shape == (2, 8)
    assert (
        Conv2D(3, 8, 3, seed=5).weight.data.tolist() == Conv2D(3, 8, 3, seed=5).weight.data.tolist()
    )


# -------------------------------------------------------------------------- torch parity
def _torch():
    return pytest.importorskip("torch")


def _nchw(torch, x):
    return torch.tensor(np.transpose(x, (0, 3, 1, 2)), dtype=torch.float64, requires_grad=True)


def _nhwc(t):
    return np.transpose(t.detach().numpy(), (0, 2, 3, 1))


@pytest.mark.parity
@pytest.mark.parametrize(
    "stride, padding, torch_padding, dilation",
    [(1, "valid", 0, 1), (1, "same", "same", 1), (2, 1, 1, 1), ((2, 1), 2, 2, 2), (1, 0, 0, 2)],
)
def test_conv2d_matches_torch_values_and_gradients(stride, padding, torch_padding, dilation):
    torch = _torch()
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(3, 9, 8, 4)), rng.normal(size=(3, 3, 4, 5)), rng.normal(size=5)
    upstream_seed = 7
    xt = _nchw(torch, x)
    wt = torch.tensor(np.transpose(w, (3, 2, 0, 1)), dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    out_t = torch.nn.functional.conv2d(
        xt, wt, bt, stride=stride, padding=torch_padding, dilation=dilation
    )
    up = np.random.default_rng(upstream_seed).normal(size=_nhwc(out_t).shape)
    (out_t * torch.tensor(np.transpose(up, (0, 3, 1, 2)))).sum().backward()

    xs, ws, bs = Tensor(x), Tensor(w), Tensor(b)
    out = conv2d(xs, ws, bs, stride=stride, padding=padding, dilation=dilation)
    (out * Tensor(up, False)).sum().backward()
    np.testing.assert_allclose(out.data, _nhwc(out_t), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(xs.grad, _nhwc(xt.grad), rtol=1e-10, atol=1e-10)
    w_grad = np.transpose(wt.grad.numpy(), (2, 3, 1, 0))
    np.testing.assert_allclose(ws.grad, w_grad, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(bs.grad, bt.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parity
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
def test_same_padding_with_an_even_kernel_matches_torch():
    """An even kernel needs uneven padding; both libraries put the extra pixel last."""
    torch = _torch()
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(2, 5, 6, 3)), rng.normal(size=(2, 4, 3, 2))
    theirs = torch.nn.functional.conv2d(
        torch.tensor(x.transpose(0, 3, 1, 2)),
        torch.tensor(w.transpose(3, 2, 0, 1)),
        padding="same",
    )
    ours = conv2d(x, Tensor(w), padding="same")
    np.testing.assert_allclose(ours.data, _nhwc(theirs), rtol=1e-10, atol=1e-10)


@pytest.mark.parity
@pytest.mark.parametrize(
    "pool, stride, padding, torch_padding",
    [(2, None, "valid", 0), (3, 1, "valid", 0), (3, 2, 1, 1), ((2, 3), (1, 2), "valid", 0)],
)
@pytest.mark.parametrize("height", [7, 8])
def test_pools_match_torch_values_and_gradients(pool, stride, padding, torch_padding, height):
    torch = _torch()
    F = torch.nn.functional
    x = distinct_values((2, height, 8, 3), np.random.default_rng(4), spacing=0.01)
    torch_stride = stride if stride is not None else pool
    for ours, theirs in [
        (max_pool2d, lambda t: F.max_pool2d(t, pool, torch_stride, torch_padding)),
        (
            avg_pool2d,
            lambda t: F.avg_pool2d(t, pool, torch_stride, torch_padding, count_include_pad=False),
        ),
    ]:
        xt = _nchw(torch, x)
        out_t = theirs(xt)
        up = np.random.default_rng(5).normal(size=_nhwc(out_t).shape)
        (out_t * torch.tensor(np.transpose(up, (0, 3, 1, 2)))).sum().backward()
        xs = Tensor(x)
        out = ours(xs, pool, stride, padding)
        (out * Tensor(up, False)).sum().backward()
        np.testing.assert_allclose(out.data, _nhwc(out_t), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(xs.grad, _nhwc(xt.grad), rtol=1e-10, atol=1e-10)


@pytest.mark.parity
def test_conv_layer_loads_torch_weights():
    torch = _torch()
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(2, 4, 3, stride=2, padding=1, dtype=torch.float64)
    ours = Conv2D(2, 4, 3, stride=2, padding=1)
    ours.load_state_dict(
        {
            "weight": theirs.weight.detach().numpy().transpose(2, 3, 1, 0),
            "bias": theirs.bias.detach().numpy(),
        }
    )
    x = np.random.default_rng(6).normal(size=(2, 6, 6, 2))
    expected = _nhwc(theirs(torch.tensor(x.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parity
def test_to_torch_and_back_compute_the_same_cnn():
    torch = _torch()
    from microgradnn.nn import Dense, Flatten, Sequential
    from microgradnn.nn.interop import from_torch, to_torch

    model = Sequential(
        [
            Conv2D(2, 4, 3, padding="same", activation="relu", seed=0),
            MaxPool2D(2),
            Conv2D(4, 6, 3, stride=2, padding=1, seed=1),
            AvgPool2D(2, stride=1),
            Flatten(),
            Dense(6, 3, seed=2),
        ]
    )
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 2))
    theirs = to_torch(model)
    expected = model(x).data
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), expected, atol=1e-12)
    back = from_torch(theirs)
    np.testing.assert_allclose(back(x).data, expected, atol=1e-12)
    assert [type(layer).__name__ for layer in back.layers][:3] == [
        "Conv2D",
        "Activation",
        "MaxPool2D",
    ]
    head = Sequential([GlobalAveragePooling2D(), Dense(2, 1, seed=0)])
    np.testing.assert_allclose(
        to_torch(head)(torch.tensor(x)).detach().numpy(), head(x).data, atol=1e-12
    )
    with pytest.raises(TypeError, match="pads unevenly"):
        to_torch(Conv2D(1, 1, 2, padding="same"))
