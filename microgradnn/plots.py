"""Pictures of learning: learning curves, decision boundaries, confusion matrices, images.

matplotlib is imported inside the functions, so ``import microgradnn`` stays fast. Each
function saves to ``path`` when given, otherwise shows the figure (pass ``show=False`` to do
neither), and returns the matplotlib ``Figure``.

>>> from microgradnn import plots
>>> history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5]}
>>> fig = plots.learning_curves(history, show=False)
>>> len(fig.axes)
1
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from microgradnn.nn.module import is_scalar_model

__all__ = [
    "learning_curves",
    "read_learning_curves",
    "decision_boundary",
    "confusion_matrix",
    "image_grid",
]

_TRAIN_COLOR, _VAL_COLOR = "#1f77b4", "#d62728"
_CLASS_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


# --- figure plumbing ------------------------------------------------------------------------
def _will_show(path, show) -> bool:
    return bool(show) if show is not None else path is None


def _new_figure(path, show, figsize, nrows=1, ncols=1):
    """A figure with a grid of axes; pyplot only when the figure will be shown on screen."""
    if _will_show(path, show):
        import matplotlib.pyplot as plt

        return plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(nrows, ncols, squeeze=False)


def _finish(figure, path, show):
    if path is not None:
        figure.savefig(os.fspath(path), dpi=120, bbox_inches="tight")
    if _will_show(path, show):
        import matplotlib.pyplot as plt

        plt.show()
    return figure


# --- learning curves ------------------------------------------------------------------------
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
        (name, _TRAIN_COLOR, "-", "training"),
        (f"val_{name}", _VAL_COLOR, "--", "validation"),
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
            best + 1, values[best], "o", color=_VAL_COLOR, ms=7, label=f"best (epoch {best + 1})"
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
    figure, axes = _new_figure(path, show, (5.2 * len(names), 4.0), 1, len(names))
    for ax, name in zip(axes[0], names):
        _draw_curve_panel(ax, curves, name)
    if title:
        figure.suptitle(title)
    if reading:
        text = read_learning_curves(curves)
        figure.text(
            0.5, -0.02, _wrap(text, 40 + 60 * len(names)), ha="center", va="top", fontsize=10
        )
    figure.tight_layout()
    return _finish(figure, path, show)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# --- decision boundary ----------------------------------------------------------------------
def _class_labels(y) -> np.ndarray:
    from microgradnn.metrics import to_numpy

    labels = to_numpy(y)
    if labels.ndim == 2 and labels.shape[1] > 1:
        return labels.argmax(axis=1)
    labels = labels.reshape(len(labels))
    if np.all(np.isin(labels, (-1, 1))) and np.any(labels == -1):
        return (labels > 0).astype(int)  # -1/+1 labels (hinge, tanh) -> 0/1 for colours
    return labels.astype(int)


def _grid(x: np.ndarray, resolution: int, padding: float):
    low, high = x.min(axis=0) - padding, x.max(axis=0) + padding
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _default_threshold(y, scores) -> float:
    labels = np.asarray(y).reshape(-1) if np.ndim(y) <= 1 else None
    if labels is not None and np.any(labels < 0):
        return 0.0  # -1/+1 targets: the sign decides
    if scores.min() >= 0.0 and scores.max() <= 1.0:
        return 0.5  # probabilities from a sigmoid
    return 0.0  # raw scores (logits)


def decision_boundary(
    model,
    x,
    y,
    path: str | os.PathLike | None = None,
    resolution: int | None = None,
    threshold: float | None = None,
    padding: float = 0.5,
    ax=None,
    show: bool | None = None,
    title: str | None = None,
):
    """Colour the plane by the model's prediction and draw the data on top (2-D inputs).

    Works for tensor models (``Sequential`` of ``Dense``), scalar ``nn.MLP`` models (which
    are evaluated point by point, so the default grid is coarser) and plain functions
    mapping an (m, 2) array to scores.

    One output column: the score is shaded and the boundary ``score = threshold`` drawn
    (threshold 0.5 for probabilities, 0 for raw scores or -1/+1 labels). Several columns:
    each region gets the colour of its arg-max class.

    >>> from microgradnn import nn, data
    >>> xs, ys = data.make_moons(50, seed=0)
    >>> model = nn.Sequential([nn.Dense(2, 8, activation="tanh", seed=0), nn.Dense(8, 1)])
    >>> fig = decision_boundary(model, xs, ys, show=False)
    """
    from matplotlib.colors import ListedColormap

    from microgradnn.metrics import to_numpy
    from microgradnn.train import predict

    x = to_numpy(x).astype(float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D inputs of shape (samples, 2), got {x.shape}")
    labels = _class_labels(y)
    if resolution is None:
        # Scalar models run point by point: a coarser grid keeps the picture to seconds.
        resolution = 40 if is_scalar_model(model) else 200
    gx, gy, grid = _grid(x, resolution, padding)
    scores = np.asarray(predict(model, grid, batch_size=4096, verbose=0), dtype=float)
    scores = scores.reshape(len(grid), -1)
    owns_figure = ax is None
    if owns_figure:
        figure, axes = _new_figure(path, show, (5.5, 5.0))
        ax = axes[0, 0]
    else:
        figure = ax.figure
    classes = max(int(labels.max()) + 1, scores.shape[1] if scores.shape[1] > 1 else 2)
    palette = [_CLASS_COLORS[c % len(_CLASS_COLORS)] for c in range(classes)]
    if scores.shape[1] == 1:
        level = _default_threshold(y, scores) if threshold is None else threshold
        surface = scores[:, 0].reshape(gx.shape)
        spread = max(np.abs(surface - level).max(), 1e-12)
        ax.contourf(
            gx,
            gy,
            surface,
            levels=20,
            cmap="RdBu_r",
            vmin=level - spread,
            vmax=level + spread,
            alpha=0.45,
        )
        ax.contour(gx, gy, surface, levels=[level], colors="k", linewidths=2)
    else:
        regions = scores.argmax(axis=1).reshape(gx.shape)
        ax.contourf(
            gx,
            gy,
            regions,
            levels=np.arange(classes + 1) - 0.5,
            cmap=ListedColormap(palette),
            alpha=0.3,
        )
        ax.contour(gx, gy, regions, levels=np.arange(classes) + 0.5, colors="k", linewidths=1)
    if scores.shape[1] == 1:
        palette = ["#2166ac", "#b2182b"] + palette[2:]  # match the blue/red shading
    for c in np.unique(labels):
        mask = labels == c
        ax.scatter(
            x[mask, 0],
            x[mask, 1],
            s=22,
            color=palette[c % len(palette)],
            edgecolors="k",
            linewidths=0.6,
            label=f"class {c}",
        )
    ax.set_xlim(gx.min(), gx.max())
    ax.set_ylim(gy.min(), gy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "decision boundary")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
    if owns_figure:
        return _finish(figure, path, show)
    if path is not None:  # drawing into the caller's axes: save if asked, never show
        figure.savefig(os.fspath(path), dpi=120, bbox_inches="tight")
    return figure


# --- confusion matrix -----------------------------------------------------------------------
def confusion_matrix(
    y_true,
    y_pred,
    class_names: Sequence[str] | None = None,
    normalize: bool = False,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    title: str | None = None,
):
    """Draw the confusion matrix: rows are true classes, columns predicted classes.

    ``y_pred`` may be labels or class scores. ``normalize=True`` shows each row as fractions
    (the recall of each class on the diagonal).

    >>> fig = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], show=False)
    >>> fig.axes[0].get_xlabel()
    'predicted class'
    """
    from microgradnn import metrics

    counts = metrics.confusion_matrix(y_true, y_pred)
    if class_names is not None and len(class_names) > len(counts):
        counts = metrics.confusion_matrix(y_true, y_pred, num_classes=len(class_names))
    values = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    size = len(counts)
    side = max(4.0, 0.55 * size + 2.0)
    figure, axes = _new_figure(path, show, (side + 1.0, side))
    ax = axes[0, 0]
    image = ax.imshow(values, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    names = (
        [str(n) for n in class_names] if class_names is not None else [str(i) for i in range(size)]
    )
    ax.set_xticks(range(size), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(size), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or ("confusion matrix (row fractions)" if normalize else "confusion matrix"))
    cutoff = values.max() / 2 if values.max() > 0 else 1
    for i in range(size):
        for j in range(size):
            text = f"{values[i, j]:.2f}" if normalize else str(counts[i, j])
            color = "white" if values[i, j] > cutoff else "black"
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize=9)
    figure.tight_layout()
    return _finish(figure, path, show)


# --- images -------------------------------------------------------------------------------
def image_grid(
    images,
    labels=None,
    predictions=None,
    columns: int = 10,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    title: str | None = None,
):
    """Show small grey images (e.g. digits) in a grid, with labels and predictions.

    Flat rows of a square number of pixels (64 for digits, 784 for MNIST) are reshaped.
    Wrong predictions are titled in red.

    >>> fig = image_grid(np.zeros((4, 64)), labels=[0, 1, 2, 3], show=False)
    >>> len(fig.axes)
    4
    """
    from microgradnn.metrics import to_numpy

    images = to_numpy(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"cannot reshape rows of {images.shape[1]} pixels into squares")
        images = images.reshape(len(images), side, side)
    count = len(images)
    columns = min(columns, count)
    rows = int(np.ceil(count / columns))
    figure, axes = _new_figure(path, show, (1.2 * columns, 1.35 * rows), rows, columns)
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(images[index], cmap="gray_r")
        caption, color = "", "black"
        if labels is not None:
            caption = str(int(labels[index]))
        if predictions is not None:
            guess = int(predictions[index])
            caption = f"{caption}→{guess}" if caption else str(guess)
            if labels is not None and guess != int(labels[index]):
                color = "red"
        ax.set_title(caption, fontsize=9, color=color)
    if title is None and labels is not None and predictions is not None:
        title = "true label → prediction (mistakes in red)"
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return _finish(figure, path, show)
