"""Normalization layers: ``BatchNormalization`` and ``LayerNormalization`` (Keras names).

Both rescale activations to mean 0 and variance 1, then let the network choose a scale γ
(``weight``) and a shift β (``bias``):

    y = (x - mean) / sqrt(var + epsilon) * γ + β

* **Batch** normalization takes mean and variance over the *batch* (and, for images, over
  the pixels), separately for each channel. While training it uses the current batch and
  keeps running averages; in evaluation mode (``model.eval()``, ``evaluate``, ``predict``)
  it uses the running averages, so one sample's output does not depend on its neighbours.
* **Layer** normalization takes mean and variance over the *features* of each sample, so it
  behaves the same in training and evaluation and needs no running statistics.

Everything is built from Tensor operations already in the op table (mean, subtraction,
power, square root, division), so the gradients, and second derivatives, come from there.

Variance is the biased one, ``mean((x - mean)**2)``, as in PyTorch and Keras.

**Momentum convention (Keras's).** After each training batch,

    running = momentum * running + (1 - momentum) * batch_statistic

so ``momentum=0.99`` (the default) means "mostly keep the old value". PyTorch writes the same
update with ``momentum_torch = 1 - momentum``: torch's ``BatchNorm1d(n, momentum=0.1,
eps=1e-5)`` is ``BatchNormalization(n, momentum=0.9, epsilon=1e-5)``. The running variance is
updated with the *unbiased* batch variance (times n / (n - 1)), as PyTorch does (Keras uses
the biased one; the two differ by less than 1% for batches of 100 or more). ``to_torch`` and
``from_torch`` translate momentum and epsilon.

>>> import numpy as np
>>> layer = BatchNormalization(2)
>>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> layer(x).data
array([[-0.99950037, -0.999995  ],
       [ 0.99950037,  0.999995  ]])
>>> layer.running_mean          # 0.99 * 0 + 0.01 * batch mean
array([0.02, 0.2 ])
"""

from __future__ import annotations

import numpy as np

from microgradnn.engine import no_grad
from microgradnn.nn import interop
from microgradnn.nn.layers import as_input
from microgradnn.nn.module import Module, Parameter
from microgradnn.tensor import Tensor

__all__ = ["BatchNormalization", "LayerNormalization", "normalize"]


def normalize(x: Tensor, axes: tuple[int, ...], epsilon: float) -> tuple[Tensor, Tensor, Tensor]:
    """``(x - mean) / sqrt(var + epsilon)`` over ``axes``, with the mean and the (biased)
    variance it used (both kept, ``keepdims=True``).

    >>> x = Tensor([[1.0, 3.0], [2.0, 6.0]])
    >>> x_hat, mean, var = normalize(x, (1,), epsilon=0.0)
    >>> x_hat.data, mean.data.ravel(), var.data.ravel()
    (array([[-1.,  1.],
           [-1.,  1.]]), array([2., 4.]), array([1., 4.]))
    """
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered**2).mean(axis=axes, keepdims=True)
    return centered / (var + epsilon).sqrt(), mean, var


def _check_epsilon_and_momentum(epsilon: float, momentum: float | None, who: str) -> None:
    if not epsilon >= 0:
        raise ValueError(f"{who} needs epsilon >= 0 (it keeps 1/sqrt(var) finite), got {epsilon}")
    if momentum is not None and not 0.0 <= momentum <= 1.0:
        raise ValueError(
            f"{who} needs momentum in [0, 1] (Keras's convention: the share of the old running "
            f"value kept; PyTorch's momentum m is 1 - m here), got {momentum}"
        )


class _Normalization(Module):
    """What both layers share: γ and β, epsilon, and Keras's names for them."""

    def _make_affine(self, shape: tuple[int, ...], center: bool, scale: bool, dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.weight = Parameter(np.ones(shape), self.dtype, "gamma") if scale else None
        self.bias = Parameter(np.zeros(shape), self.dtype, "beta") if center else None

    @property
    def gamma(self) -> Parameter | None:
        """Keras's name for ``weight`` (the learned scale γ)."""
        return self.weight

    @property
    def beta(self) -> Parameter | None:
        """Keras's name for ``bias`` (the learned shift β)."""
        return self.bias

    def _scale_and_shift(self, x_hat: Tensor, shape: tuple[int, ...]) -> Tensor:
        if self.weight is not None:
            x_hat = x_hat * self.weight.reshape(shape)
        if self.bias is not None:
            x_hat = x_hat + self.bias.reshape(shape)
        return x_hat

    def _affine_repr(self) -> str:
        text = f", epsilon={self.epsilon:g}"
        if self.weight is None:
            text += ", scale=False"
        if self.bias is None:
            text += ", center=False"
        return text


class BatchNormalization(_Normalization):
    """Normalize each channel over the batch: PyTorch's ``BatchNorm1d``/``BatchNorm2d``.

    Args:
        num_features: channels, the size of ``axis`` (features of a Dense output, or the last
            axis of channels-last images).
        axis: the channel axis (default -1, channels last as everywhere in this package;
            ``axis=1`` normalizes channels-first arrays as PyTorch's layers do).
        momentum: share of the running statistics kept at each training step (Keras's
            convention, default 0.99; PyTorch's ``momentum=m`` is ``1 - m`` here).
        epsilon: added to the variance before the square root (default 1e-3 as in Keras;
            PyTorch uses 1e-5).
        center: learn a shift β (``bias``); scale: learn a scale γ (``weight``). PyTorch's
            ``affine=False`` is ``center=False, scale=False``.
        dtype: "float64" (default) or "float32".

    Attributes: ``weight`` (γ, alias ``gamma``), ``bias`` (β, alias ``beta``), and the
    running statistics ``running_mean``, ``running_var`` (numpy arrays, aliases
    ``moving_mean``, ``moving_variance``), saved in ``state_dict`` but not trained.

    In training mode a batch needs at least two values per channel (otherwise its variance
    is 0/0 and the running variance undefined), as in PyTorch.

    >>> layer = BatchNormalization(3)
    >>> out = layer(np.random.default_rng(0).normal(5.0, 2.0, size=(100, 3)))
    >>> np.round(out.data.mean(axis=0), 12) + 0.0, np.round(out.data.std(axis=0), 3)
    (array([0., 0., 0.]), array([1., 1., 1.]))
    >>> layer.eval()(np.full((1, 3), 5.0)).shape   # evaluation: running statistics
    (1, 3)
    """

    def __init__(
        self,
        num_features: int,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        dtype="float64",
    ):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)):
            raise ValueError(f"BatchNormalization needs a number of channels, got {num_features!r}")
        _check_epsilon_and_momentum(epsilon, momentum, "BatchNormalization")
        self.num_features, self.axis = int(num_features), int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self._make_affine((self.num_features,), center, scale, dtype)
        self.register_buffer("running_mean", np.zeros(self.num_features, self.dtype))
        self.register_buffer("running_var", np.ones(self.num_features, self.dtype))
        self.input_ndim: int | None = None  # seen in forward; to_torch picks BatchNorm1d/2d

    @property
    def moving_mean(self) -> np.ndarray:
        """Keras's name for ``running_mean``."""
        return self.running_mean

    @property
    def moving_variance(self) -> np.ndarray:
        """Keras's name for ``running_var``."""
        return self.running_var

    def forward(self, x) -> Tensor:
        x = as_input(x, self.dtype)
        axis = self._channel_axis(x)
        self.input_ndim = x.ndim
        reduce = tuple(a for a in range(x.ndim) if a != axis)
        shape = tuple(self.num_features if a == axis else 1 for a in range(x.ndim))
        if self.training:
            x_hat, mean, var = normalize(x, reduce, self.epsilon)
            self._update_running_statistics(mean.data, var.data, x.size // self.num_features)
        else:
            mean = self.running_mean.reshape(shape)
            scale = 1.0 / np.sqrt(self.running_var.reshape(shape) + self.epsilon)
            x_hat = (x - Tensor(mean, False, self.dtype)) * Tensor(scale, False, self.dtype)
        return self._scale_and_shift(x_hat, shape)

    def _channel_axis(self, x: Tensor) -> int:
        if x.ndim < 2 or not -x.ndim <= self.axis < x.ndim:
            raise ValueError(
                f"BatchNormalization(axis={self.axis}) needs a batch axis and a channel axis, "
                f"got shape {x.shape}"
            )
        axis = self.axis % x.ndim
        if axis == 0 or x.shape[axis] != self.num_features:
            raise ValueError(
                f"BatchNormalization({self.num_features}) expects {self.num_features} channels "
                f"on axis {self.axis} (not the batch axis), got shape {x.shape}"
            )
        if self.training and x.size // self.num_features < 2:
            raise ValueError(
                f"BatchNormalization in training mode needs more than one value per channel, "
                f"got shape {x.shape}: use a batch of 2 or more, or call .eval() first"
            )
        return axis

    def _update_running_statistics(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        with no_grad():
            keep = self.momentum
            unbiased = var.ravel() * (n / (n - 1))
            self.running_mean = keep * self.running_mean + (1 - keep) * mean.ravel()
            self.running_var = keep * self.running_var + (1 - keep) * unbiased

    def extra_repr(self) -> str:
        text = f"{self.num_features}"
        if self.axis != -1:
            text += f", axis={self.axis}"
        return text + f", momentum={self.momentum:g}" + self._affine_repr()


class LayerNormalization(_Normalization):
    """Normalize each sample over its last axes: PyTorch's ``LayerNorm``.

    Args:
        normalized_shape: the shape of the last axes to normalize over, e.g. ``64`` for
            features (N, 64), or ``(8, 8, 3)`` for whole channels-last images.
        epsilon: added to the variance (default 1e-3 as in Keras; PyTorch uses 1e-5).
        center, scale: learn β (``bias``) and γ (``weight``), each of ``normalized_shape``.
            PyTorch's ``elementwise_affine=False`` is ``center=False, scale=False``.
        dtype: "float64" (default) or "float32".

    The same in training and evaluation mode (no running statistics).

    >>> layer = LayerNormalization(4)
    >>> out = layer(np.array([[1.0, 2.0, 3.0, 4.0]]))
    >>> np.round(out.data, 3)
    array([[-1.341, -0.447,  0.447,  1.341]])
    """

    def __init__(
        self,
        normalized_shape,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        dtype="float64",
    ):
        super().__init__()
        shape = (normalized_shape,) if np.ndim(normalized_shape) == 0 else normalized_shape
        self.normalized_shape = tuple(int(n) for n in shape)
        if not self.normalized_shape or min(self.normalized_shape) < 1:
            raise ValueError(f"LayerNormalization needs a shape of sizes >= 1, got {shape!r}")
        _check_epsilon_and_momentum(epsilon, None, "LayerNormalization")
        self.epsilon = float(epsilon)
        self._make_affine(self.normalized_shape, center, scale, dtype)

    def forward(self, x) -> Tensor:
        x = as_input(x, self.dtype)
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k :] != self.normalized_shape:
            raise ValueError(
                f"LayerNormalization{self.normalized_shape} expects input ending in "
                f"{self.normalized_shape}, got shape {x.shape}"
            )
        x_hat, _, _ = normalize(x, tuple(range(x.ndim - k, x.ndim)), self.epsilon)
        return self._scale_and_shift(x_hat, self.normalized_shape)

    def extra_repr(self) -> str:
        shape = self.normalized_shape
        return f"{shape[0] if len(shape) == 1 else shape}" + self._affine_repr()


# ----------------------------------------------------------------------------------------
# PyTorch converters (used by nn.interop.to_torch / from_torch; torch is imported lazily)
# ----------------------------------------------------------------------------------------
_TORCH_CLASSES: dict = {}


def _torch_move_axis(inner, axis: int):
    """A torch module that runs a channels-at-axis-1 layer with the channels at ``axis``."""
    if "ChannelAxis" not in _TORCH_CLASSES:
        torch = interop.import_torch()

        class ChannelAxis(torch.nn.Module):
            def __init__(self, inner, axis):
                super().__init__()
                self.inner, self.axis = inner, axis

            def forward(self, x):
                return self.inner(x.movedim(self.axis, 1)).movedim(1, self.axis)

        _TORCH_CLASSES["ChannelAxis"] = ChannelAxis
    return _TORCH_CLASSES["ChannelAxis"](inner, axis)


def _copy_affine(layer: _Normalization, module) -> None:
    """γ and β into torch's weight and bias; a missing one becomes a frozen 1 or 0."""
    torch = interop.import_torch()
    with torch.no_grad():
        for ours, theirs, fill in (
            (layer.weight, module.weight, 1.0),
            (layer.bias, module.bias, 0.0),
        ):
            if theirs is None:
                continue
            theirs.copy_(
                torch.from_numpy(ours.data) if ours is not None else torch.full_like(theirs, fill)
            )
            theirs.requires_grad_(ours is not None)


def _batch_norm_to_torch(layer: BatchNormalization):
    torch = interop.import_torch()
    ndim = layer.input_ndim or 2  # never run: assume (N, C)
    kind = {2: "BatchNorm1d", 3: "BatchNorm1d", 4: "BatchNorm2d", 5: "BatchNorm3d"}.get(ndim)
    if kind is None:
        raise TypeError(f"to_torch: torch has no batch normalization for {ndim}-d input")
    module = getattr(torch.nn, kind)(
        layer.num_features,
        eps=layer.epsilon,
        momentum=1.0 - layer.momentum,  # torch's convention, see the module docstring
        affine=layer.weight is not None or layer.bias is not None,
        dtype=getattr(torch, layer.dtype.name),
    )
    with torch.no_grad():
        module.running_mean.copy_(torch.from_numpy(layer.running_mean))
        module.running_var.copy_(torch.from_numpy(layer.running_var))
    if module.affine:
        _copy_affine(layer, module)
    axis = layer.axis % ndim
    return module if axis == 1 else _torch_move_axis(module, axis)


def _layer_norm_to_torch(layer: LayerNormalization):
    torch = interop.import_torch()
    affine = layer.weight is not None or layer.bias is not None
    module = torch.nn.LayerNorm(
        layer.normalized_shape,
        eps=layer.epsilon,
        elementwise_affine=affine,
        dtype=getattr(torch, layer.dtype.name),
    )
    if affine:
        _copy_affine(layer, module)
    return module


def _affine_options(module) -> dict:
    """center/scale/dtype of a torch normalization module (a frozen γ = 1 or β = 0, as
    to_torch writes for a missing one, counts as missing)."""
    weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)

    def learned(p, fill: float) -> bool:
        return p is not None and (p.requires_grad or bool((p != fill).any()))

    some = next((t for t in (weight, getattr(module, "running_mean", None)) if t is not None), None)
    dtype = "float64" if some is None else str(some.dtype).removeprefix("torch.")
    return {"scale": learned(weight, 1.0), "center": learned(bias, 0.0), "dtype": dtype}


def _load_affine(layer: _Normalization, module) -> None:
    if layer.weight is not None:
        layer.weight.data = module.weight.detach().cpu().numpy().copy()
    if layer.bias is not None:
        layer.bias.data = module.bias.detach().cpu().numpy().copy()


def _batch_norm_from_torch(module, axis: int = -1) -> BatchNormalization:
    if module.momentum is None or not module.track_running_stats:
        raise TypeError(
            "from_torch: batch normalization needs track_running_stats=True and a number for "
            "momentum (the cumulative average momentum=None has no equivalent)"
        )
    layer = BatchNormalization(
        module.num_features,
        axis=axis,
        momentum=1.0 - module.momentum,
        epsilon=module.eps,
        **_affine_options(module),
    )
    layer.running_mean = module.running_mean.detach().cpu().numpy().copy()
    layer.running_var = module.running_var.detach().cpu().numpy().copy()
    _load_affine(layer, module)
    return layer


def _from_torch_any(module):
    name = type(module).__name__
    if name == "ChannelAxis" and type(module.inner).__name__.startswith("BatchNorm"):
        return _batch_norm_from_torch(module.inner, axis=module.axis)
    if name in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"):
        return _batch_norm_from_torch(module)  # channels last, as from_torch does for Conv2d
    if name == "LayerNorm":
        layer = LayerNormalization(module.normalized_shape, module.eps, **_affine_options(module))
        _load_affine(layer, module)
        return layer
    return None


interop.register_converter(BatchNormalization, _batch_norm_to_torch, _from_torch_any, None)
interop.register_converter(LayerNormalization, _layer_norm_to_torch, _from_torch_any, None)
