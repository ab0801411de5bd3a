"""Sliding windows for convolution and pooling: im2col and its adjoint col2im.

Each is the other's backward (both are linear), so ``create_graph=True`` works through them.
"""

from __future__ import annotations

import numpy as np

from microgradnn import ops
from microgradnn.engine import Node
from microgradnn.kernels.base import Kernel


class Im2Col(Kernel):
    """Cut every (kh, kw) window out of an (N, H, W, C) batch: -> (N, Ho, Wo, kh, kw, C).

    Windows start every ``stride`` pixels, their taps are ``dilation`` pixels apart, and the
    image is first padded with ``fill`` by ``padding = ((top, bottom), (left, right))``.
    Each input pixel is copied into every window that covers it, so the gradient of a pixel
    is the SUM of the gradients of its copies: that sum is :class:`Col2Im`.
    """

    name = "im2col"
    engines = ("tensor",)

    def __init__(
        self, kernel_size, stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0)), fill=0.0
    ):
        self.kernel_size, self.stride, self.dilation = (
            tuple(kernel_size),
            tuple(stride),
            tuple(dilation),
        )
        self.padding, self.fill = tuple(map(tuple, padding)), fill

    @property
    def display(self) -> str:
        return "im2col {}×{}".format(*self.kernel_size)

    def forward(self, m, x):
        (top, bottom), (left, right) = self.padding
        if top or bottom or left or right:
            pad_width = ((0, 0), (top, bottom), (left, right), (0, 0))
            x = np.pad(x, pad_width, constant_values=self.fill)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # what one dilated window covers
        windows = np.lib.stride_tricks.sliding_window_view(x, span, axis=(1, 2))
        windows = windows[:, ::sh, ::sw, :, ::dh, ::dw]  # (N, Ho, Wo, C, kh, kw), a view
        return np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3))

    def reference(self, x):
        """Pad with constant blocks, cut one strided slice per kernel tap, stack the taps."""
        x = _pad(x, self.padding, self.fill)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        out_h = (x.shape[1] - dh * (kh - 1) - 1) // sh + 1
        out_w = (x.shape[2] - dw * (kw - 1) - 1) // sw + 1
        rows = [
            ops.Stack(3).apply(
                *[x[(slice(None),) + _tap(i, j, self, out_h, out_w)] for j in range(kw)]
            )
            for i in range(kh)
        ]
        return ops.Stack(3).apply(*rows)

    def backward(self, m, g, out, xs, needs):
        adjoint = Col2Im(m.shape(xs[0]), self.kernel_size, self.stride, self.dilation, self.padding)
        return (_apply_linear(m, adjoint, g),)


class Col2Im(Kernel):
    """Add windows back onto an image: (N, Ho, Wo, kh, kw, C) -> (N, H, W, C), the adjoint of
    :class:`Im2Col`. Overlapping windows add up; values that fell on the padding are dropped.
    """

    name = "col2im"
    engines = ("tensor",)

    def __init__(
        self, image_shape, kernel_size, stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0))
    ):
        self.image_shape = tuple(image_shape)
        self.kernel_size, self.stride, self.dilation = (
            tuple(kernel_size),
            tuple(stride),
            tuple(dilation),
        )
        self.padding = tuple(map(tuple, padding))

    def forward(self, m, cols):
        n, height, width, channels = self.image_shape
        (top, bottom), (left, right) = self.padding
        image = np.zeros((n, height + top + bottom, width + left + right, channels), cols.dtype)
        _, out_h, out_w, kh, kw, _ = cols.shape
        # taps first, in one copy, so each tap below is a contiguous block (2x faster)
        taps = np.ascontiguousarray(np.moveaxis(cols, (3, 4), (0, 1)))
        for i in range(kh):  # one strided slice per kernel tap: kh * kw fast numpy adds
            for j in range(kw):
                rows, columns = _tap(i, j, self, out_h, out_w)
                image[:, rows, columns, :] += taps[i, j]
        return np.ascontiguousarray(image[:, top : top + height, left : left + width, :])

    def backward(self, m, g, out, xs, needs):
        forward = Im2Col(self.kernel_size, self.stride, self.dilation, self.padding)
        return (_apply_linear(m, forward, g),)

    def reference(self, cols):
        """Scatter each kernel tap's slice onto a zero image, add them up, crop the padding."""
        n, height, width, channels = self.image_shape
        (top, bottom), (left, right) = self.padding
        padded = (n, height + top + bottom, width + left + right, channels)
        _, out_h, out_w, kh, kw, _ = cols.shape
        image = None
        for i in range(kh):
            for j in range(kw):
                index = (slice(None),) + _tap(i, j, self, out_h, out_w)
                placed = ops.ScatterAdd(index, padded).apply(cols[:, :, :, i, j, :])
                image = placed if image is None else image + placed
        return image[:, top : top + height, left : left + width, :]


def _tap(i: int, j: int, windows, out_h: int, out_w: int) -> tuple:
    """The rows and columns kernel tap (i, j) reads in every window: two strided slices."""
    (sh, sw), (dh, dw) = windows.stride, windows.dilation
    rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
    columns = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
    return rows, columns


def _pad(x, padding, fill):
    """x with constant blocks of ``fill`` around its two image axes (a composite)."""
    (top, bottom), (left, right) = padding
    for axis, before, after in ((1, top, bottom), (2, left, right)):
        parts = []
        for size in (before, None, after):
            if size is None:
                parts.append(x)
            elif size:
                shape = list(x.shape)
                shape[axis] = size
                parts.append(type(x)(np.full(shape, fill, x.data.dtype), requires_grad=False))
        x = ops.Concatenate(axis).apply(*parts) if len(parts) > 1 else x
    return x


def _apply_linear(m, op, x):
    """Apply a one-input linear op inside a backward formula: on raw arrays normally, as a
    new graph node when the backward pass is being recorded (``create_graph=True``)."""
    return op.apply(x) if isinstance(x, Node) else op.forward(m, x)
