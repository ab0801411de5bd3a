"""Convolution and pooling as functions: im2col, conv2d, max/avg pooling (batch, H, W, C).

A convolution is a matrix product over windows: :func:`im2col` cuts every window out of the
image (one fused node, :class:`microgradnn.kernels.Im2Col`), then ``windows @ W`` does the
arithmetic. Pooling reduces the same windows with ``max`` or ``mean``. The layers that hold
weights (``nn.Conv2D``, ``nn.MaxPool2D``, ...) call these functions.

How a convolution is computed here (the classic *im2col* trick):

1. ``im2col`` cuts every ``kh x kw`` window out of the image:
   ``(N, H, W, C) -> (N, Ho, Wo, kh, kw, C)``.
2. Each window, flattened to ``kh*kw*C`` numbers, is multiplied by the kernel flattened to
   ``(kh*kw*C, filters)``: ONE matrix product computes every output pixel at once.

The backward pass needs no new calculus: matmul and reshape already know their
derivatives, and the derivative of ``im2col`` is ``col2im`` (copies of a pixel add their
gradients back up). Both are fused kernels (:mod:`microgradnn.kernels`), each checked
against its reference composite of slices and stacks, and measured 2-3x faster than the
composite :func:`im2col_by_slicing` (kept for teaching and as a cross-check).

>>> import numpy as np
>>> from microgradnn import Tensor
>>> x = Tensor(np.arange(16.0).reshape(1, 4, 4, 1))
>>> max_pool2d(x, 2).data[0, :, :, 0]
array([[ 5.,  7.],
       [13., 15.]])
"""

from __future__ import annotations

import numbers

import numpy as np

from microgradnn import kernels
from microgradnn.backends import ArrayMath
from microgradnn.tensor import Tensor, concatenate, stack

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]  # ((top, bottom), (left, right))


# ----------------------------------------------------------------------------------------
# argument checking
# ----------------------------------------------------------------------------------------
def as_pair(value, name: str) -> Pair:
    """3 -> (3, 3); (2, 3) stays. Every size must be a positive integer."""
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and v >= 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def as_images(x, where: str) -> Tensor:
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


def check_channels(x: Tensor, expected: int, where: str) -> None:
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


def resolve_padding(padding, size: Pair, kernel: Pair, stride: Pair, dilation: Pair) -> Padding:
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
    kernel = as_pair(kernel_size, "kernel_size")
    stride = as_pair(stride, "stride")
    dilation = as_pair(dilation, "dilation")
    pads = resolve_padding(padding, x.shape[1:3], kernel, stride, dilation)
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
    x = as_images(x, "im2col")
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
    x = as_images(x, "im2col_by_slicing")
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
        as_images(probe, "col2im"), cols.shape[3:5], stride, padding, dilation, "col2im"
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
    x = as_images(x, "conv2d")
    if not isinstance(weight, Tensor):
        weight = Tensor(weight, requires_grad=False)
    if weight.ndim != 4:
        raise ValueError(f"conv2d weight must have shape (kh, kw, C_in, C_out), got {weight.shape}")
    kh, kw, c_in, c_out = weight.shape
    check_channels(x, c_in, "conv2d")
    cols = im2col(x, (kh, kw), stride, padding, dilation)
    n, out_h, out_w = cols.shape[:3]
    # one matrix product for every output pixel of every image
    flat = cols.reshape(n * out_h * out_w, kh * kw * c_in) @ weight.reshape(kh * kw * c_in, c_out)
    out = flat.reshape(n, out_h, out_w, c_out)
    if bias is not None:
        out = out + bias
    return out


def pool_settings(pool_size, stride):
    pool = as_pair(pool_size, "pool_size")
    return pool, pool if stride is None else as_pair(stride, "stride")


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
    pads = resolve_padding(padding, (height, width), pool, stride, (1, 1))
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
    x = as_images(x, "max_pool2d")
    pool, stride = pool_settings(pool_size, stride)
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
    x = as_images(x, "avg_pool2d")
    pool, stride = pool_settings(pool_size, stride)
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
    return as_images(x, "global_avg_pool2d").mean(axis=(1, 2))


# ----------------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------------
