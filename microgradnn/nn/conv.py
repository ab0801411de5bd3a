"""Convolution and pooling for images stored CHANNELS-LAST: ``(batch, height, width, channels)``.

This is the Keras layout (``Dense`` and the training loop also keep features last). PyTorch
stores images channels-first, ``(N, C, H, W)``; convert with ``x.transpose(0, 2, 3, 1)``.
A layer that receives the wrong layout says so, naming the expected and the received shape.

How a convolution is computed here (the classic *im2col* trick):

1. ``im2col`` cuts every ``kh x kw`` window out of the image:
   ``(N, H, W, C) -> (N, Ho, Wo, kh, kw, C)``.
2. Each window, flattened to ``kh*kw*C`` numbers, is multiplied by the kernel flattened to
   ``(kh*kw*C, filters)``: ONE matrix product computes every output pixel at once.

The backward pass needs no new calculus: matmul and reshape already know their
derivatives, and the derivative of ``im2col`` is ``col2im`` (copies of a pixel add their
gradients back up). Both are primitives in :mod:`microgradnn.ops`, measured 2-3x faster
than building the windows from slices with engine composites (:func:`im2col_by_slicing`,
kept for teaching and as a cross-check; ``benchmarks/bench_conv_rnn.py`` compares them).

Converting to PyTorch (``nn.interop.to_torch``) wraps each torch convolution and pool in a
small module that permutes to channels-first and back, so the torch model takes the same
``(N, H, W, C)`` arrays. ``from_torch`` turns a plain torch ``Conv2d`` into a ``Conv2D``
that expects channels-last input; in a plain torch CNN a ``Flatten`` before a ``Linear``
then sees the pixels in another order, so only models made by ``to_torch`` round-trip to
the same numbers.

>>> import numpy as np
>>> from microgradnn import Tensor
>>> images = Tensor(np.ones((2, 5, 5, 3)), requires_grad=False)     # 2 RGB images 5x5
>>> kernel = Tensor(np.ones((3, 3, 3, 4)))                          # 3x3 kernel, 3 -> 4
>>> conv2d(images, kernel, padding="same").shape
(2, 5, 5, 4)
>>> max_pool2d(images, 2).shape
(2, 2, 2, 3)
"""

from __future__ import annotations

import numbers

import numpy as np

from microgradnn import kernels
from microgradnn.backends import ArrayMath
from microgradnn.nn import activations, interop
from microgradnn.nn.layers import as_input, initialize
from microgradnn.nn.module import Module, Parameter
from microgradnn.tensor import Tensor, concatenate, stack

__all__ = [
    "im2col",
    "im2col_by_slicing",
    "col2im",
    "conv_output_size",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "global_avg_pool2d",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
]

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]  # ((top, bottom), (left, right))


# ----------------------------------------------------------------------------------------
# argument checking
# ----------------------------------------------------------------------------------------
def _pair(value, name: str) -> Pair:
    """3 -> (3, 3); (2, 3) stays. Every size must be a positive integer."""
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and v >= 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _as_images(x, where: str) -> Tensor:
    """Accept a Tensor or an array of shape (N, H, W, C)."""
    if not isinstance(x, Tensor):
        x = Tensor(x, requires_grad=False)
    if x.ndim != 4:
        hint = ""
        if x.ndim == 3:
            hint = f"; for one image use x.reshape(1, *{x.shape}), for one channel add it last"
        raise ValueError(
            f"{where} expects a batch of channels-last images (N, H, W, C), "
            f"got shape {x.shape}{hint}"
        )
    return x


def _check_channels(x: Tensor, expected: int, where: str) -> None:
    channels = x.shape[-1]
    if channels == expected:
        return
    hint = ""
    if x.shape[1] == expected:
        hint = (
            "; this looks channels-first (N, C, H, W) like PyTorch: "
            "use x.transpose(0, 2, 3, 1) to get (N, H, W, C)"
        )
    raise ValueError(
        f"{where} expects {expected} input channels on the LAST axis (N, H, W, C), "
        f"got shape {x.shape} with {channels}{hint}"
    )


def _resolve_padding(padding, size: Pair, kernel: Pair, stride: Pair, dilation: Pair) -> Padding:
    """Turn 'valid', 'same', an int or a pair into ((top, bottom), (left, right)).

    'same' follows Keras/TensorFlow: the output has ceil(size / stride) pixels and any odd
    extra padding goes at the bottom/right.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0), (0, 0)
        if mode == "same":
            result = []
            for n, k, s, d in zip(size, kernel, stride, dilation):
                out = -(-n // s)  # ceil division
                total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
                result.append((total // 2, total - total // 2))
            return tuple(result)
        raise ValueError(f"padding must be 'valid', 'same' or an int, got {padding!r}")
    if isinstance(padding, numbers.Integral) and padding >= 0:
        return (int(padding), int(padding)), (int(padding), int(padding))
    pair = tuple(padding) if isinstance(padding, (tuple, list)) else ()
    if len(pair) == 2 and all(isinstance(p, numbers.Integral) and p >= 0 for p in pair):
        return (int(pair[0]), int(pair[0])), (int(pair[1]), int(pair[1]))
    raise ValueError(f"padding must be 'valid', 'same', an int >= 0 or a pair, got {padding!r}")


def conv_output_size(size: int, kernel: int, stride: int = 1, pad: int = 0, dilation: int = 1):
    """Output length of a sliding window: ``(size + pad - dilation*(kernel-1) - 1) // stride + 1``.

    ``pad`` is the TOTAL padding on both sides.

    >>> conv_output_size(28, 3), conv_output_size(28, 3, stride=2, pad=2)
    (26, 14)
    """
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _window_settings(x: Tensor, kernel_size, stride, padding, dilation, where: str):
    kernel = _pair(kernel_size, "kernel_size")
    stride = _pair(stride, "stride")
    dilation = _pair(dilation, "dilation")
    pads = _resolve_padding(padding, x.shape[1:3], kernel, stride, dilation)
    for axis, n, k, s, d, (a, b) in zip(
        ("height", "width"), x.shape[1:3], kernel, stride, dilation, pads
    ):
        if conv_output_size(n, k, s, a + b, d) < 1:
            raise ValueError(
                f"{where}: a {kernel[0]}x{kernel[1]} window (dilation {d}) does not fit the "
                f"image {axis} {n} with padding {padding!r}; use padding='same', a smaller "
                f"kernel, or a bigger image (input shape {x.shape})"
            )
    return kernel, stride, dilation, pads


# ----------------------------------------------------------------------------------------
# functions
# ----------------------------------------------------------------------------------------
def im2col(x, kernel_size, stride=1, padding="valid", dilation=1, fill: float = 0.0) -> Tensor:
    """All sliding windows of a batch of images: ``(N, H, W, C) -> (N, Ho, Wo, kh, kw, C)``.

    ``out[n, i, j]`` is the window whose top-left corner sits at pixel ``(i*stride, j*stride)``
    of the padded image. ``fill`` is the value of padded pixels (0; max pooling uses -inf).

    >>> import numpy as np
    >>> x = Tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    >>> windows = im2col(x, 2, stride=2)
    >>> windows.shape
    (1, 2, 2, 2, 2, 1)
    >>> windows.data[0, 0, 1, :, :, 0]          # the top-right 2x2 block
    array([[2., 3.],
           [6., 7.]])
    """
    x = _as_images(x, "im2col")
    kernel, stride, dilation, pads = _window_settings(
        x, kernel_size, stride, padding, dilation, "im2col"
    )
    return kernels.Im2Col(kernel, stride, dilation, pads, fill).apply(x)


def im2col_by_slicing(x, kernel_size, stride=1, padding="valid", dilation=1) -> Tensor:
    """The same windows as :func:`im2col`, built only from engine composites.

    Zero padding is a ``concatenate``, each kernel tap ``(a, b)`` is one strided slice
    ``x[:, a::stride, b::stride, :]`` (an (N, Ho, Wo, C) image of the pixels that tap sees),
    and ``stack`` puts the taps side by side. Its gradient therefore comes from getitem,
    stack and concatenate, with no col2im formula to trust: the tests check that both
    versions agree. It is 2-3x slower (every slice scatters its gradient into a full-size
    array), which is why :func:`conv2d` uses the primitive.

    >>> import numpy as np
    >>> x = Tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    >>> bool(np.all(im2col_by_slicing(x, 3, padding=1).data == im2col(x, 3, padding=1).data))
    True
    """
    x = _as_images(x, "im2col_by_slicing")
    kernel, stride, dilation, pads = _window_settings(
        x, kernel_size, stride, padding, dilation, "im2col_by_slicing"
    )
    (top, bottom), (left, right) = pads
    n, height, width, channels = x.shape

    def zeros(*shape):
        return Tensor(np.zeros(shape, x.dtype), requires_grad=False)

    x = concatenate([zeros(n, top, width, channels), x, zeros(n, bottom, width, channels)], 1)
    height += top + bottom
    x = concatenate([zeros(n, height, left, channels), x, zeros(n, height, right, channels)], 2)
    out_h = conv_output_size(x.shape[1], kernel[0], stride[0], 0, dilation[0])
    out_w = conv_output_size(x.shape[2], kernel[1], stride[1], 0, dilation[1])
    taps = []
    for a in range(kernel[0]):
        rows = slice(a * dilation[0], a * dilation[0] + stride[0] * (out_h - 1) + 1, stride[0])
        for b in range(kernel[1]):
            cols = slice(b * dilation[1], b * dilation[1] + stride[1] * (out_w - 1) + 1, stride[1])
            taps.append(x[:, rows, cols, :])
    return stack(taps, axis=3).reshape(n, out_h, out_w, kernel[0], kernel[1], channels)


def col2im(cols, image_shape, stride=1, padding="valid", dilation=1) -> Tensor:
    """Add windows ``(N, Ho, Wo, kh, kw, C)`` back into images of ``image_shape`` (N, H, W, C).

    The adjoint of :func:`im2col`: a pixel that appeared in several windows receives the sum.

    >>> import numpy as np
    >>> ones = Tensor(np.ones((1, 3, 3, 2, 2, 1)))
    >>> col2im(ones, (1, 4, 4, 1)).data[0, :, :, 0]   # how many windows cover each pixel
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    if not isinstance(cols, Tensor):
        cols = Tensor(cols, requires_grad=False)
    if cols.ndim != 6:
        raise ValueError(f"col2im expects windows (N, Ho, Wo, kh, kw, C), got shape {cols.shape}")
    probe = Tensor(np.empty(image_shape), requires_grad=False)
    kernel, stride, dilation, pads = _window_settings(
        _as_images(probe, "col2im"), cols.shape[3:5], stride, padding, dilation, "col2im"
    )
    return kernels.Col2Im(image_shape, kernel, stride, dilation, pads).apply(cols)


def conv2d(x, weight, bias=None, stride=1, padding="valid", dilation=1) -> Tensor:
    """2-D convolution (really cross-correlation, like every deep-learning library).

    Args:
        x: images ``(N, H, W, C_in)``, channels last.
        weight: kernel ``(kh, kw, C_in, C_out)`` (the Keras layout).
        bias: ``(C_out,)`` or None.
        stride: step between windows, an int or (sh, sw).
        padding: ``"valid"`` (none), ``"same"`` (output size = ceil(input / stride)), an int
            or a pair (pixels added on each side, zeros).
        dilation: spacing between kernel taps (1 = a dense kernel).

    Returns:
        ``(N, Ho, Wo, C_out)`` with ``out[n, i, j, f] = bias[f] + sum over (a, b, c) of
        x_padded[n, i*sh + a*dh, j*sw + b*dw, c] * weight[a, b, c, f]``.

    >>> import numpy as np
    >>> x = Tensor(np.arange(9.0).reshape(1, 3, 3, 1), requires_grad=False)
    >>> w = Tensor(np.ones((2, 2, 1, 1)))                    # sums each 2x2 window
    >>> conv2d(x, w).data[0, :, :, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x = _as_images(x, "conv2d")
    if not isinstance(weight, Tensor):
        weight = Tensor(weight, requires_grad=False)
    if weight.ndim != 4:
        raise ValueError(f"conv2d weight must have shape (kh, kw, C_in, C_out), got {weight.shape}")
    kh, kw, c_in, c_out = weight.shape
    _check_channels(x, c_in, "conv2d")
    cols = im2col(x, (kh, kw), stride, padding, dilation)
    n, out_h, out_w = cols.shape[:3]
    # one matrix product for every output pixel of every image
    flat = cols.reshape(n * out_h * out_w, kh * kw * c_in) @ weight.reshape(kh * kw * c_in, c_out)
    out = flat.reshape(n, out_h, out_w, c_out)
    if bias is not None:
        out = out + bias
    return out


def _pool_settings(pool_size, stride):
    pool = _pair(pool_size, "pool_size")
    return pool, pool if stride is None else _pair(stride, "stride")


def _pool_windows(x: Tensor, pool: Pair, stride: Pair, padding, fill: float) -> Tensor:
    """Every pooling window, window position FIRST: ``(ph*pw, N, Ho, Wo, C)``.

    Why this layout: reducing over a leading axis is an elementwise max/sum of big
    contiguous blocks, several times faster in numpy than reducing two short axes in the
    middle (measured 4x for 2x2 pooling), for the forward pass and for max's backward.
    When the windows tile the image (the usual 2x2, stride 2, 'valid' case) they come from
    a reshape instead of im2col: no col2im backward. 'valid' pooling drops the last rows
    or columns that fill no whole window (11 pixels -> 5 windows of 2), so those are cut
    off first.
    """
    n, height, width, channels = x.shape
    (ph, pw) = pool
    pads = _resolve_padding(padding, (height, width), pool, stride, (1, 1))
    _check_pool_padding(pads, pool)
    if stride == pool and pads == ((0, 0), (0, 0)) and height >= ph and width >= pw:
        if height % ph or width % pw:  # pixels that fill no whole window
            x = x[:, : height - height % ph, : width - width % pw, :]
        tiles = x.reshape(n, height // ph, ph, width // pw, pw, channels)
        windows = tiles.transpose(2, 4, 0, 1, 3, 5)
    else:
        windows = im2col(x, pool, stride, padding, fill=fill).transpose(3, 4, 0, 1, 2, 5)
    return windows.reshape(ph * pw, *windows.shape[2:])


def _check_pool_padding(pads, pool: Pair) -> None:
    """Refuse padding wider than half a window, as PyTorch does: a window lying all in the
    padding would pool no real pixel at all (-inf for max, 0/0 for the mean)."""
    for (before, after), size, side in zip(pads, pool, ("height", "width")):
        if max(before, after) > size // 2:
            raise ValueError(
                f"pooling padding {max(before, after)} on the {side} is more than half the "
                f"pool size {size}: some windows would hold only padding; use padding <= "
                f"{size // 2} (or padding='same')"
            )


def max_pool2d(x, pool_size=2, stride=None, padding="valid") -> Tensor:
    """Largest value of each ``pool_size`` window, per channel: ``(N, H, W, C) -> (N, Ho, Wo, C)``.

    ``stride`` defaults to ``pool_size`` (non-overlapping windows, as in Keras). Padded
    pixels count as -inf, so they are never the maximum. The gradient flows to the maximum
    of each window (shared equally if several entries tie).

    >>> import numpy as np
    >>> x = Tensor(np.array([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 2, 2, 1))
    >>> max_pool2d(x, 2).data.ravel()
    array([5.])
    """
    x = _as_images(x, "max_pool2d")
    pool, stride = _pool_settings(pool_size, stride)
    return _pool_windows(x, pool, stride, padding, fill=-np.inf).max(axis=0)


def avg_pool2d(x, pool_size=2, stride=None, padding="valid") -> Tensor:
    """Mean of each ``pool_size`` window, per channel: ``(N, H, W, C) -> (N, Ho, Wo, C)``.

    With padding, the mean is over the real pixels only (padding is not counted, as in
    Keras; PyTorch's ``avg_pool2d(..., count_include_pad=False)``).

    >>> import numpy as np
    >>> x = Tensor(np.array([[1.0, 5.0], [3.0, 3.0]]).reshape(1, 2, 2, 1))
    >>> avg_pool2d(x, 2).data.ravel()
    array([3.])
    """
    x = _as_images(x, "avg_pool2d")
    pool, stride = _pool_settings(pool_size, stride)
    total = _pool_windows(x, pool, stride, padding, fill=0.0).sum(axis=0)
    # how many real (unpadded) pixels each window covers: a constant, computed without a graph
    ones = np.ones((1, *x.shape[1:3], 1), dtype=x.dtype)
    kernel, stride_, dilation, pads = _window_settings(
        Tensor(ones, requires_grad=False), pool, stride, padding, 1, "avg_pool2d"
    )
    counts = kernels.Im2Col(kernel, stride_, dilation, pads).forward(ArrayMath, ones)
    return total * (1.0 / counts.sum(axis=(3, 4)))


def global_avg_pool2d(x) -> Tensor:
    """Mean over all pixels of each channel: ``(N, H, W, C) -> (N, C)``.

    >>> import numpy as np
    >>> global_avg_pool2d(np.ones((2, 4, 4, 3))).shape
    (2, 3)
    """
    return _as_images(x, "global_avg_pool2d").mean(axis=(1, 2))


# ----------------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------------
class Conv2D(Module):
    """A 2-D convolution layer on channels-last images ``(N, H, W, in_channels)``.

    Holds ``weight`` of shape ``(kh, kw, in_channels, filters)`` and ``bias`` ``(filters,)``;
    computes ``activation(conv2d(x, weight, bias, stride, padding, dilation))``.

    Args:
        in_channels: channels of the input (last axis), e.g. 1 for grey, 3 for RGB.
        filters: number of output channels (feature maps).
        kernel_size: int or (kh, kw).
        stride, padding, dilation: see :func:`conv2d` (padding "valid", "same" or ints).
        activation: a name from ``nn.activations`` ("relu", ...) or None for linear.
        bias: learn a bias per filter.
        init: weight initializer name, see ``nn.initialize`` ("glorot_uniform" default, like
            Keras; "he_normal" suits relu).
        seed: seed for the initial weights.
        dtype: "float64" or "float32".

    >>> import numpy as np
    >>> layer = Conv2D(1, 8, 3, padding="same", activation="relu", seed=0)
    >>> layer(np.zeros((4, 8, 8, 1))).shape
    (4, 8, 8, 8)
    >>> layer.weight.shape, layer.bias.shape
    ((3, 3, 1, 8), (8,))
    """

    def __init__(
        self,
        in_channels: int,
        filters: int,
        kernel_size=3,
        stride=1,
        padding="valid",
        activation=None,
        dilation=1,
        bias: bool = True,
        init: str = "glorot_uniform",
        seed: int | None = None,
        dtype="float64",
    ):
        super().__init__()
        self.in_channels, self.filters = int(in_channels), int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride, self.dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
        _resolve_padding(padding, (1, 1), self.kernel_size, self.stride, self.dilation)
        self.padding = padding
        self.activation = activations.name_of(activation)
        self._activation = activations.get(activation)
        self.dtype = np.dtype(dtype)
        kh, kw = self.kernel_size
        shape = (kh, kw, self.in_channels, self.filters)
        # every output pixel sees kh*kw*in_channels inputs (fan-in), as in Keras
        fan_in, fan_out = kh * kw * self.in_channels, kh * kw * self.filters
        weights = initialize(init, shape, fan_in, fan_out, seed, self.dtype)
        self.weight = Parameter(weights, self.dtype, "kernel")
        self.bias = Parameter(np.zeros(self.filters), self.dtype, "bias") if bias else None

    def forward(self, x) -> Tensor:
        x = _as_images(as_input(x, self.dtype), "Conv2D")
        _check_channels(x, self.in_channels, "Conv2D")
        out = conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)
        return self._activation(out)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.filters}, kernel_size={self.kernel_size}"
        if self.stride != (1, 1):
            text += f", stride={self.stride}"
        if self.padding != "valid":
            text += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.activation:
            text += f", activation={self.activation!r}"
        return text


class _Pool2D(Module):
    _function = None

    def __init__(self, pool_size=2, stride=None, padding="valid"):
        super().__init__()
        self.pool_size, self.stride = _pool_settings(pool_size, stride)
        _resolve_padding(padding, (1, 1), self.pool_size, self.stride, (1, 1))
        self.padding = padding

    def forward(self, x) -> Tensor:
        return type(self)._function(x, self.pool_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = f"pool_size={self.pool_size}"
        if self.stride != self.pool_size:
            text += f", stride={self.stride}"
        if self.padding != "valid":
            text += f", padding={self.padding!r}"
        return text


class MaxPool2D(_Pool2D):
    """Max pooling layer on ``(N, H, W, C)``; see :func:`max_pool2d`. No parameters.

    >>> import numpy as np
    >>> MaxPool2D(2)(np.zeros((1, 8, 8, 3))).shape
    (1, 4, 4, 3)
    """

    _function = staticmethod(max_pool2d)


class AvgPool2D(_Pool2D):
    """Average pooling layer on ``(N, H, W, C)``; see :func:`avg_pool2d`. No parameters.

    >>> import numpy as np
    >>> AvgPool2D(2, stride=1)(np.zeros((1, 8, 8, 3))).shape
    (1, 7, 7, 3)
    """

    _function = staticmethod(avg_pool2d)


class GlobalAveragePooling2D(Module):
    """Average every channel over the whole image: ``(N, H, W, C) -> (N, C)``.

    A parameter-free replacement for ``Flatten`` before the classifier head.

    >>> import numpy as np
    >>> GlobalAveragePooling2D()(np.zeros((2, 5, 5, 16))).shape
    (2, 16)
    """

    def forward(self, x) -> Tensor:
        return global_avg_pool2d(x)


# ----------------------------------------------------------------------------------------
# PyTorch converters (used by nn.interop.to_torch / from_torch; torch is imported lazily)
# ----------------------------------------------------------------------------------------
_TORCH_CLASSES: dict = {}


def _torch_channels_last():
    """A torch module that runs a channels-first layer on channels-last input, so a converted
    model takes the same (N, H, W, C) arrays as ours and Flatten sees the same order."""
    if "ChannelsLast" not in _TORCH_CLASSES:
        torch = interop.import_torch()

        class ChannelsLast(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                return self.inner(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)

        class GlobalAvgPoolChannelsLast(torch.nn.Module):
            def forward(self, x):
                return x.mean(dim=(1, 2))

        _TORCH_CLASSES.update(
            ChannelsLast=ChannelsLast, GlobalAvgPoolChannelsLast=GlobalAvgPoolChannelsLast
        )
    return _TORCH_CLASSES["ChannelsLast"]


def _torch_padding(layer_padding, kernel: Pair, stride: Pair, dilation: Pair, who: str):
    """torch padding for ours: symmetric pixels per side, or raise for asymmetric 'same'."""
    pads = _resolve_padding(layer_padding, (10**6, 10**6), kernel, stride, dilation)
    if any(before != after for before, after in pads):
        raise TypeError(
            f"to_torch: {who} with padding={layer_padding!r} pads unevenly here "
            f"({pads}); torch needs the same padding on both sides"
        )
    return pads[0][0], pads[1][0]


def _conv_to_torch(layer: Conv2D):
    torch = interop.import_torch()
    padding = _torch_padding(
        layer.padding, layer.kernel_size, layer.stride, layer.dilation, "Conv2D"
    )
    conv = torch.nn.Conv2d(
        layer.in_channels,
        layer.filters,
        layer.kernel_size,
        stride=layer.stride,
        padding=padding,
        dilation=layer.dilation,
        bias=layer.bias is not None,
        dtype=getattr(torch, layer.dtype.name),
    )
    with torch.no_grad():  # (kh, kw, C_in, C_out) -> (C_out, C_in, kh, kw)
        conv.weight.copy_(torch.from_numpy(layer.weight.data.transpose(3, 2, 0, 1).copy()))
        if layer.bias is not None:
            conv.bias.copy_(torch.from_numpy(layer.bias.data))
    wrapped = _torch_channels_last()(conv)
    activation = interop._activation_to_torch(layer.activation, {})
    return wrapped if activation is None else [wrapped, activation]


def _pool_to_torch(layer: _Pool2D):
    torch = interop.import_torch()
    who = type(layer).__name__
    padding = _torch_padding(layer.padding, layer.pool_size, layer.stride, (1, 1), who)
    if isinstance(layer, MaxPool2D):
        pool = torch.nn.MaxPool2d(layer.pool_size, layer.stride, padding)
    else:  # ours averages over real pixels only
        pool = torch.nn.AvgPool2d(layer.pool_size, layer.stride, padding, count_include_pad=False)
    return _torch_channels_last()(pool)


def _global_pool_to_torch(layer: GlobalAveragePooling2D):
    _torch_channels_last()
    return _TORCH_CLASSES["GlobalAvgPoolChannelsLast"]()


def _conv_from_torch(conv) -> Conv2D:
    """torch Conv2d -> Conv2D (which takes channels-last input, see the module docstring)."""
    if conv.groups != 1 or isinstance(conv.padding, str) or conv.padding_mode != "zeros":
        raise TypeError("from_torch: only Conv2d with groups=1 and numeric zero padding converts")
    weight = conv.weight.detach().cpu().numpy()
    layer = Conv2D(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        stride=conv.stride,
        padding=_pair_or_int(conv.padding),
        dilation=conv.dilation,
        bias=conv.bias is not None,
        dtype=weight.dtype.name,
    )
    layer.weight.data = weight.transpose(2, 3, 1, 0).copy()
    if conv.bias is not None:
        layer.bias.data = conv.bias.detach().cpu().numpy().copy()
    return layer


def _pool_from_torch(pool):
    if type(pool).__name__ == "MaxPool2d":
        if _pair(pool.dilation, "dilation") != (1, 1) or pool.ceil_mode:
            raise TypeError("from_torch: MaxPool2d with dilation or ceil_mode has no equivalent")
        return MaxPool2D(pool.kernel_size, pool.stride, _pair_or_int(pool.padding))
    if pool.ceil_mode or (pool.count_include_pad and _pair_or_int(pool.padding) != "valid"):
        raise TypeError("from_torch: AvgPool2d needs count_include_pad=False when it pads")
    return AvgPool2D(pool.kernel_size, pool.stride, _pair_or_int(pool.padding))


def _pair_or_int(padding):
    """torch's padding as ours: 0 or (0, 0) reads better as 'valid'."""
    padding = tuple(padding) if isinstance(padding, (tuple, list)) else int(padding)
    return "valid" if padding in (0, (0, 0)) else padding


def _from_torch_any(module):
    name = type(module).__name__
    if name == "ChannelsLast":
        return _from_torch_any(module.inner)
    if name == "Conv2d":
        return _conv_from_torch(module)
    if name in ("MaxPool2d", "AvgPool2d"):
        return _pool_from_torch(module)
    if name == "GlobalAvgPoolChannelsLast":
        return GlobalAveragePooling2D()
    return None


def _register_converters() -> None:
    interop.register_converter(Conv2D, _conv_to_torch, _from_torch_any, None)
    interop.register_converter(MaxPool2D, _pool_to_torch, _from_torch_any, None)
    interop.register_converter(AvgPool2D, _pool_to_torch, _from_torch_any, None)
    interop.register_converter(GlobalAveragePooling2D, _global_pool_to_torch, _from_torch_any, None)


_register_converters()
