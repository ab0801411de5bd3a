"""``compile``: the choices of how a model learns (optimizer, loss, metrics), kept on the model.

>>> from microgradnn import nn
>>> model = compile(nn.Dense(3, 2, seed=0), "sgd", "mse", lr=0.1)
>>> type(model.training_config.optimizer).__name__, model.training_config.loss_name
('SGD', 'mse')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from microgradnn import metrics as metrics_module
from microgradnn import optim
from microgradnn.errors import unknown_name
from microgradnn.nn import losses

__all__ = ["compile", "TrainingConfig", "config_of"]


@dataclass
class TrainingConfig:
    """The choices made by :func:`compile`, stored on the model as ``model.training_config``."""

    optimizer: object
    loss: Callable
    loss_name: str
    metrics: dict[str, Callable] = field(default_factory=dict)


def _resolve_loss(loss, loss_options: dict) -> tuple[Callable, str]:
    if isinstance(loss, str):
        try:
            function = losses.get(loss, **loss_options)
        except ValueError:
            raise ValueError(unknown_name("loss", loss, getattr(losses, "_REGISTRY", ()))) from None
        return function, loss.lower().replace("-", "_")
    if callable(loss):
        return losses.get(loss, **loss_options), getattr(loss, "__name__", "loss")
    raise TypeError(f"loss must be a name like 'mse' or a function (y_pred, y_true), got {loss!r}")


def _resolve_optimizer(model, optimizer, lr: float | None):
    if isinstance(optimizer, optim.Optimizer):
        held = {id(p) for p in optimizer.params}
        if not all(id(p) in held for p in model.parameters()):
            raise ValueError(
                "the optimizer does not hold this model's parameters (was it built for another "
                "model?); create it with e.g. optim.Adam(model.parameters(), lr=0.01)"
            )
        if lr is not None:
            optimizer.lr = float(lr)
        return optimizer
    params = model.parameters()
    if not params:
        raise ValueError(f"{type(model).__name__} has no trainable parameters to optimize")
    options = {} if lr is None else {"lr": lr}
    if isinstance(optimizer, str):
        try:
            return optim.get(optimizer, params, **options)
        except ValueError as error:
            if "unknown optimizer" not in str(error):
                raise
            known = getattr(optim, "_REGISTRY", ())
            raise ValueError(unknown_name("optimizer", optimizer, known)) from None
    return optim.get(optimizer, params, **options)


def _accuracy_for(loss_name: str, from_logits: bool) -> Callable:
    """Keras picks the right accuracy from the loss; so do we (raw scores cut at 0)."""
    threshold = 0.0 if from_logits or loss_name == "hinge" else None

    def accuracy(y_true, y_pred):
        return metrics_module.accuracy(y_true, y_pred, threshold=threshold)

    return accuracy


def _resolve_metrics(metrics, loss_name: str, from_logits: bool) -> dict[str, Callable]:
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    resolved = {}
    for metric in metrics:
        if isinstance(metric, str) and metric.lower() in ("accuracy", "acc"):
            resolved[metric] = _accuracy_for(loss_name, from_logits)
            continue
        try:
            function = metrics_module.get(metric)
        except ValueError:
            raise ValueError(unknown_name("metric", metric, metrics_module._BY_NAME)) from None
        resolved[metric if isinstance(metric, str) else function.__name__] = function
    return resolved


def compile(
    model,
    optimizer="adam",
    loss="mse",
    metrics: Sequence[str | Callable] | None = None,
    lr: float | None = None,
    loss_options: dict | None = None,
):
    """Choose how ``model`` learns: optimizer, loss and the metrics to report.

    Args:
        model: an ``nn.Module`` (tensor layers or a scalar ``nn.MLP``).
        optimizer: a name (``"sgd"``, ``"gd"``, ``"adam"``, ``"rmsprop"``, ``"adagrad"``,
            ``"adamax"``) or an optimizer built on ``model.parameters()``.
        loss: ``"mse"``, ``"mae"``, ``"binary_crossentropy"``, ``"categorical_crossentropy"``,
            ``"sparse_categorical_crossentropy"``, ``"hinge"``, or a function
            ``loss(y_pred, y_true)``.
        metrics: names (``"accuracy"``, ``"precision"``, ``"f1"``, ``"r2"``, ...) or functions
            ``metric(y_true, y_pred)``, reported every epoch.
        lr: learning rate for an optimizer given by name (its default otherwise).
        loss_options: extra settings for the loss, e.g. ``{"from_logits": True}``.

    Returns the model (so ``model.compile(...).fit(...)`` chains).

    >>> from microgradnn import nn
    >>> model = nn.Sequential([nn.Dense(3, 2, seed=0)])
    >>> compile(model, "sgd", "mse", lr=0.1).training_config.optimizer.lr
    0.1
    """
    loss_options = dict(loss_options or {})
    loss_fn, loss_name = _resolve_loss(loss, loss_options)
    config = TrainingConfig(
        optimizer=_resolve_optimizer(model, optimizer, lr),
        loss=loss_fn,
        loss_name=loss_name,
        metrics=_resolve_metrics(metrics, loss_name, bool(loss_options.get("from_logits"))),
    )
    model.training_config = config
    return model


def config_of(model) -> TrainingConfig:
    config = getattr(model, "training_config", None)
    if config is None:
        raise RuntimeError(
            f"{type(model).__name__} is not compiled: call "
            "model.compile(optimizer='adam', loss='mse') (or train.compile(model, ...)) first"
        )
    return config
