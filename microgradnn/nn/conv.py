"""Convolution and pooling LAYERS for images stored CHANNELS-LAST: ``(batch, H, W, channels)``.

This is the Keras layout (``Dense`` and the training loop also keep features last). PyTorch
stores images channels-first, ``(N, C, H, W)``; convert with ``x.transpose(0, 2, 3, 1)``.
A layer that receives the wrong layout says so, naming the expected and the received shape.
The arithmetic (im2col, conv2d, pooling) lives in :mod:`microgradnn.functional.conv`; the
functions are re-exported here.

Converting to PyTorch (``nn.interop.to_torch``) wraps each torch convolution and pool in a
small module that permutes to channels-first and back, so the torch model takes the same
``(N, H, W, C)`` arrays. ``from_torch`` turns a plain torch ``Conv2d`` into a ``Conv2D``
that expects channels-last input; in a plain torch CNN a ``Flatten`` before a ``Linear``
then sees the pixels in another order, so only models made by ``to_torch`` round-trip to
the same numbers.

>>> import numpy as np
>>> from microgradnn import Tensor
>>> layer = Conv2D(3, 4, kernel_size=3, padding="same", seed=0)
>>> layer(Tensor(np.ones((2, 5, 5, 3)), requires_grad=False)).shape
(2, 5, 5, 4)
"""

from __future__ import annotations

import numpy as np

from microgradnn.functional.conv import (
    Pair,
    as_images,
    as_pair,
    avg_pool2d,
    check_channels,
    col2im,
    conv2d,
    conv_output_size,
    global_avg_pool2d,
    im2col,
    im2col_by_slicing,
    max_pool2d,
    pool_settings,
    resolve_padding,
)
from microgradnn.nn import activations, interop
from microgradnn.nn.layers import as_input, initialize
from microgradnn.nn.module import Module, Parameter
from microgradnn.tensor import Tensor

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
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride, self.dilation = as_pair(stride, "stride"), as_pair(dilation, "dilation")
        resolve_padding(padding, (1, 1), self.kernel_size, self.stride, self.dilation)
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
        x = as_images(as_input(x, self.dtype), "Conv2D")
        check_channels(x, self.in_channels, "Conv2D")
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
        self.pool_size, self.stride = pool_settings(pool_size, stride)
        resolve_padding(padding, (1, 1), self.pool_size, self.stride, (1, 1))
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
    pads = resolve_padding(layer_padding, (10**6, 10**6), kernel, stride, dilation)
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
        if as_pair(pool.dilation, "dilation") != (1, 1) or pool.ceil_mode:
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
