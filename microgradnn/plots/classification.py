"""Pictures of a classifier: its decision boundary over the plane, its confusion matrix.

>>> fig = confusion_matrix([0, 1, 1], [0, 1, 0], show=False)
>>> len(fig.axes) >= 1
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from microgradnn.metrics import to_numpy
from microgradnn.nn.module import is_scalar_model
from microgradnn.plots.figures import CLASS_COLORS, finish, new_figure
from microgradnn.train.loop import predict

__all__ = ["decision_boundary", "confusion_matrix"]


def _class_labels(y) -> np.ndarray:
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
        figure, axes = new_figure(path, show, (5.5, 5.0))
        ax = axes[0, 0]
    else:
        figure = ax.figure
    classes = max(int(labels.max()) + 1, scores.shape[1] if scores.shape[1] > 1 else 2)
    palette = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(classes)]
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
        return finish(figure, path, show)
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
    figure, axes = new_figure(path, show, (side + 1.0, side))
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
    return finish(figure, path, show)
