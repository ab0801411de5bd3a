"""Learning curves: loss and metrics per epoch, training against validation, with a reading.

>>> history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5]}
>>> fig = learning_curves(history, show=False)
>>> len(fig.axes)
1
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from microgradnn.plots.figures import TRAIN_COLOR, VAL_COLOR, finish, new_figure, wrap

__all__ = ["learning_curves", "read_learning_curves"]


def _as_history_dict(history) -> dict[str, list[float]]:
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping) or not values:
        raise TypeError(
            "learning_curves needs the History returned by fit() or a dict like "
            "{'loss': [...], 'val_loss': [...]}"
        )
    return {key: [float(v) for v in series] for key, series in values.items()}


def _higher_is_better(name: str) -> bool:
    return any(word in name for word in ("acc", "precision", "recall", "f1", "r2"))


def read_learning_curves(history, tolerance: float = 0.1) -> str:
    """The lecture's reading of learning curves, as one sentence (a rule of thumb).

    * validation loss rising again while training loss keeps falling: **over-fitting**;
    * training loss still falling at the end: **not converged** (train longer);
    * training loss barely moved: **under-fitting** (model too small or learning rate off);
    * validation loss well below training loss: the validation set is unrepresentative
      (too small, or easier than the training data), or dropout is active during training;
    * both fell and levelled off close together: a **good fit**, *if* that loss level is
      acceptable; a too-simple model also gives close, flat curves at a high loss
      (under-fitting shows only when you compare with a bigger model).

    ``tolerance`` is the relative change treated as meaningful (10% by default).

    >>> curves = {"loss": [1, .5, .3, .2, .1, .05], "val_loss": [1, .5, .4, .5, .7, .9]}
    >>> read_learning_curves(curves)[:12]
    'over-fitting'
    """
    curves = _as_history_dict(history)
    train = np.asarray(curves.get("loss", []), dtype=float)
    val = np.asarray(curves.get("val_loss", []), dtype=float)
    if len(train) == 0:
        return "no training loss recorded"
    if not np.all(np.isfinite(train)) or (len(val) and not np.all(np.isfinite(val))):
        return "diverged: the loss became NaN or infinite; lower the learning rate"
    if len(train) < 3:
        return "too few epochs to read the curves; train for more epochs"
    # Changes are judged against how much the loss improved overall, so that tiny wiggles
    # of an almost-zero loss do not count as "rising" or "still falling".
    scale = max(train.max() - train.min(), 1e-12)
    tail = max(1, len(train) // 5)  # the last fifth of training, compared with the one before
    recent, before = train[-tail:].mean(), train[-2 * tail : -tail].mean()
    still_falling = before - recent > tolerance * scale
    barely_moved = train[0] - train.min() < tolerance * max(abs(train[0]), 1e-12)
    if len(val):
        best = int(np.argmin(val))
        # The whole last fifth must stay above the best value (noise-proof); near-perfect
        # fits (best far below the starting loss) need a rise that matters at that start scale.
        level = max(val[best], 0.05 * abs(val[0]))
        rise = val[-tail:].min() - val[best]
        if best < len(val) - tail and rise > tolerance * level and recent < train[best]:
            return (
                f"over-fitting: validation loss was lowest at epoch {best + 1} and has risen "
                "since, while training loss kept falling. Stop earlier (EarlyStopping), "
                "get more data, or regularize (dropout, L2)."
            )
    if barely_moved:
        return (
            "under-fitting: the training loss barely decreased. Try a bigger model, "
            "another learning rate, or more epochs."
        )
    if still_falling:
        return (
            "not converged yet: the training loss is still falling at the end, so more "
            "epochs (or a larger learning rate) should help; if it is still high, the model "
            "is under-fitting."
        )
    val_recent = val[-tail:].mean() if len(val) else None
    if len(val) and recent - val_recent > max(2 * tolerance * recent, tolerance * scale):
        return (
            "validation loss is well below training loss: the validation set may be too small "
            "or easier than the training set (or dropout is active while training)."
        )
    if len(val):
        return (
            "good fit: training and validation losses fell and levelled off together "
            f"(final gap {val[-1] - train[-1]:+.3g}), if a final loss of {train[-1]:.3g} is "
            "good enough; if not, the model under-fits: try a bigger one."
        )
    return "training loss fell and levelled off; add validation data to check for over-fitting"


def _panel_names(curves: dict, metrics) -> list[str]:
    names = [key for key in curves if not key.startswith("val_") and key not in ("lr",)]
    names += [key[4:] for key in curves if key.startswith("val_") and key[4:] not in curves]
    if metrics is not None:
        names = [name for name in names if name == "loss" or name in metrics]
    return names


def _draw_curve_panel(ax, curves: dict, name: str) -> None:
    for key, color, style, label in (
        (name, TRAIN_COLOR, "-", "training"),
        (f"val_{name}", VAL_COLOR, "--", "validation"),
    ):
        if key not in curves:
            continue
        values = np.asarray(curves[key], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, style, color=color, lw=2, label=label)
    val_key = f"val_{name}"
    if val_key in curves and len(curves[val_key]):
        values = np.asarray(curves[val_key], dtype=float)
        best = int(np.nanargmax(values) if _higher_is_better(name) else np.nanargmin(values))
        ax.axvline(best + 1, color="grey", ls=":", lw=1)
        ax.plot(
            best + 1, values[best], "o", color=VAL_COLOR, ms=7, label=f"best (epoch {best + 1})"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.set_title(name)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)


def learning_curves(
    history,
    path: str | os.PathLike | None = None,
    metrics: Sequence[str] | None = None,
    reading: bool = True,
    show: bool | None = None,
    title: str | None = None,
):
    """Training vs validation curves, one panel for the loss and one per metric.

    Args:
        history: the :class:`~microgradnn.train.History` returned by ``fit`` (or its dict).
        path: save the picture there (``.png``, ``.svg``, ``.pdf``); else show it.
        metrics: which metrics to draw (default: all recorded).
        reading: write the rule-of-thumb reading (:func:`read_learning_curves`) under the plot.
        show: force showing on screen (True) or not (False).

    The best validation epoch is marked with a dotted line.

    >>> fig = learning_curves({"loss": [1, .5], "accuracy": [.5, .9]}, show=False)
    >>> [ax.get_title() for ax in fig.axes]
    ['loss', 'accuracy']
    """
    curves = _as_history_dict(history)
    names = _panel_names(curves, metrics)
    figure, axes = new_figure(path, show, (5.2 * len(names), 4.0), 1, len(names))
    for ax, name in zip(axes[0], names):
        _draw_curve_panel(ax, curves, name)
    if title:
        figure.suptitle(title)
    if reading:
        text = read_learning_curves(curves)
        figure.text(
            0.5, -0.02, wrap(text, 40 + 60 * len(names)), ha="center", va="top", fontsize=10
        )
    figure.tight_layout()
    return finish(figure, path, show)
