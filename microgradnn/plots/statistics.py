"""Pictures of the inside of a network while it trains, from a ``train.LayerStatistics``.

- :func:`activation_histograms`: for every layer, how its outputs are spread at each record
  (one column per record, dark where many values fall), with the saturated or dead fraction;
- :func:`gradient_histograms`: the same for the gradients of each layer's parameters;
- :func:`ratio_curves`: gradient-to-data and update-to-data ratios of every layer over the
  run, on a log axis, with the healthy band around 1e-3 shaded.

- :func:`lr_finder`: the learning-rate range test of ``train.lr_find``.

The first two print the one-line reading of :func:`microgradnn.train.statistics.read_statistics`
under the figure.

>>> import numpy as np
>>> from microgradnn import nn
>>> from microgradnn.train import LayerStatistics
>>> x = np.random.default_rng(0).normal(size=(32, 2)); y = x[:, :1] * x[:, 1:]
>>> model = nn.Sequential([nn.Dense(2, 8, activation="tanh", seed=0), nn.Dense(8, 1, seed=1)])
>>> stats = LayerStatistics()
>>> _ = model.compile("sgd", "mse", lr=0.1).fit(x, y, epochs=4, verbose=0, callbacks=[stats])
>>> len(activation_histograms(stats, show=False).axes) >= 2
True
"""

from __future__ import annotations

import math
import os

import numpy as np

from microgradnn.plots.figures import CLASS_COLORS, finish, new_figure, wrap
from microgradnn.train.statistics import read_statistics

__all__ = ["activation_histograms", "gradient_histograms", "ratio_curves", "lr_finder"]

#: update-to-data ratios in this band are the usual sign of healthy learning
HEALTHY_BAND = (1e-4, 3e-2)


def _check_recorded(stats) -> None:
    if not getattr(stats, "steps", None):
        raise ValueError(
            "these statistics hold no record yet: pass the LayerStatistics to "
            "fit(..., callbacks=[stats]) and train at least one epoch"
        )


def _time_axis(stats) -> tuple[np.ndarray, str]:
    if stats.every is None:
        return np.asarray(stats.epochs) + 1, "epoch"
    return np.asarray(stats.steps), "optimizer step"


#: the whole output range of bounded activations, so a signal that shrinks is seen shrinking
_FIXED_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _value_range(samples: list, activation: str | None) -> tuple[float, float]:
    if activation in _FIXED_RANGES:
        return _FIXED_RANGES[activation]
    filled = [s for s in samples if len(s)]
    if not filled:
        return -1.0, 1.0
    low = min(float(s.min()) for s in filled)
    high = max(float(s.max()) for s in filled)
    return (low - 0.5, high + 0.5) if high - low < 1e-12 else (low, high)


def _histogram_columns(samples: list, edges: np.ndarray) -> np.ndarray:
    """One column per record: the fraction of that record's values in each bin."""
    columns = []
    for values in samples:
        counts, _ = np.histogram(values, bins=edges)
        columns.append(counts / max(len(values), 1))
    return np.array(columns).T


def _panel_note(history: dict) -> str:
    saturated, dead = history["saturated"][-1], history["dead"][-1]
    if not math.isnan(saturated):
        return f"saturated at the end: {saturated:.0%}"
    if not math.isnan(dead):
        return f"dead units at the end: {dead:.0%}"
    return f"std at the end: {history['activation_std'][-1]:.3g}"


def _add_reading(figure, stats, columns: int) -> None:
    text = "Reading: " + read_statistics(stats)
    figure.text(0.5, -0.02, wrap(text, 50 + 45 * columns), ha="center", va="top", fontsize=10)


_MAX_COLUMNS = 5  # panels per row in the per-layer histograms


def _layer_histograms(stats, kind: str, path, show, bins: int, title: str | None):
    """One panel per layer: x the record, y the value, shade the fraction of values there."""
    from matplotlib.colors import PowerNorm
    from matplotlib.ticker import MaxNLocator

    _check_recorded(stats)
    names = stats.layer_names
    times, time_label = _time_axis(stats)
    columns = min(len(names), _MAX_COLUMNS)  # deep models wrap into rows: readable at a glance
    rows = -(-len(names) // columns)
    figure, axes = new_figure(path, show, (3.6 * columns, 3.4 * rows), rows, columns)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, name, activation in zip(axes.flat, names, stats.activations):
        if kind == "activations":
            samples = stats.samples[name]
            low, high = _value_range(samples, activation)
            note = _panel_note(stats.history[name])
        else:
            samples = stats.grad_samples[name]
            largest = max((float(np.abs(s).max()) for s in samples if len(s)), default=1.0)
            low, high = -largest or -1.0, largest or 1.0  # symmetric around 0
            note = f"gradient norm at the end: {stats.history[name]['grad_norm'][-1]:.2g}"
        edges = np.linspace(low, high, bins + 1)
        image = _histogram_columns(samples, edges)
        half = (times[1] - times[0]) / 2 if len(times) > 1 else 0.5
        # a power scale (gamma < 1) keeps thin tails visible next to a pile of zeros
        shade = PowerNorm(gamma=0.4, vmin=0.0, vmax=max(float(image.max()), 1e-12))
        ax.imshow(
            image,
            origin="lower",
            aspect="auto",
            cmap="Greys",
            norm=shade,
            extent=(times[0] - half, times[-1] + half, low, high),
            interpolation="nearest",
        )
        ax.set_title(f"{name}\n{note}", fontsize=10)
        ax.set_xlabel(time_label)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    for ax in axes[:, 0]:
        ax.set_ylabel("output value" if kind == "activations" else "gradient value")
    default = f"Layer {'outputs' if kind == 'activations' else 'gradients'} over training"
    figure.suptitle(title or default + " (dark = many values)", y=1.02)
    figure.tight_layout()
    _add_reading(figure, stats, columns)
    return finish(figure, path, show)


def activation_histograms(
    stats,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    bins: int = 40,
    title: str | None = None,
):
    """Histograms of every layer's outputs over time, side by side in one image.

    Each panel is one layer: the horizontal axis is the epoch (or step) of each record, the
    vertical axis the output value, and the shade the fraction of outputs with that value.
    A tanh layer whose shade piles up at -1 and +1 is saturated; a ReLU layer with a dark
    band at 0 has dead units; a band that shrinks to a line towards the last layers means
    the signal vanishes on its way forward.

    See the module docstring for an example.
    """
    return _layer_histograms(stats, "activations", path, show, bins, title)


def gradient_histograms(
    stats,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    bins: int = 40,
    title: str | None = None,
):
    """Histograms of every layer's parameter gradients over time, one panel per layer.

    Each panel has its own symmetric value axis (its largest gradient), so compare the
    numbers on the axes: gradients that shrink from the last layer to the first vanish on
    the way back; gradients that grow explode.

    >>> import numpy as np
    >>> from microgradnn import nn
    >>> from microgradnn.train import LayerStatistics
    >>> x = np.random.default_rng(0).normal(size=(16, 2)); y = x[:, :1]
    >>> model = nn.Sequential([nn.Dense(2, 4, activation="tanh", seed=0), nn.Dense(4, 1)])
    >>> stats = LayerStatistics()
    >>> _ = model.compile("sgd", "mse").fit(x, y, epochs=2, verbose=0, callbacks=[stats])
    >>> gradient_histograms(stats, show=False).axes[0].get_ylabel()
    'gradient value'
    """
    return _layer_histograms(stats, "gradients", path, show, bins, title)


def ratio_curves(
    stats,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    title: str | None = None,
):
    """Gradient-to-data ‖g‖/‖θ‖ and update-to-data ‖Δθ‖/‖θ‖ of every layer, log axis.

    The shaded band (1e-4 to 3e-2) is where updates usually are when a layer learns well;
    a curve far below it stalls, far above it the steps are too large.

    >>> from microgradnn.train import LayerStatistics
    >>> stats = LayerStatistics(); stats.every = 1
    >>> stats.layer_names, stats.steps, stats.epochs = ["layer 1 (Dense)"], [1, 2], [0, 0]
    >>> numbers = {"grad_to_data": [0.1, 0.05], "update_to_data": [1e-3, 5e-4]}
    >>> nan = [float("nan")] * 2
    >>> stats.history = {"layer 1 (Dense)": {**numbers, "saturated": nan, "dead": nan}}
    >>> [ax.get_yscale() for ax in ratio_curves(stats, show=False).axes]
    ['log', 'log']
    """
    _check_recorded(stats)
    times, time_label = _time_axis(stats)
    figure, axes = new_figure(path, show, (11.0, 4.0), 1, 2)
    panels = (
        ("grad_to_data", "gradient-to-data ratio ‖g‖ / ‖θ‖"),
        ("update_to_data", "update-to-data ratio ‖Δθ‖ / ‖θ‖"),
    )
    from matplotlib.ticker import MaxNLocator

    for ax, (key, label) in zip(axes[0], panels):
        for i, name in enumerate(stats.layer_names):
            values = np.asarray(stats.history[name][key], dtype=float)
            if np.all(~np.isfinite(values) | (values <= 0)):
                continue  # a layer without parameters has no ratio to draw
            color = CLASS_COLORS[i % len(CLASS_COLORS)]
            ax.plot(times, values, marker="o", ms=3, lw=1.6, color=color, label=name)
        ax.set_yscale("log")
        ax.set_xlabel(time_label)
        ax.set_title(label, fontsize=11)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.grid(True, which="major", alpha=0.3)
    axes[0, 1].axhspan(*HEALTHY_BAND, color="#2ca02c", alpha=0.12, label="usual healthy band")
    axes[0, 1].axhline(1e-3, color="#2ca02c", ls="--", lw=1)
    axes[0, 1].legend(fontsize=8, loc="best")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    _add_reading(figure, stats, 2)
    return finish(figure, path, show)


def lr_finder(
    finder,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    title: str | None = None,
):
    """The learning-rate range test of ``train.lr_find``: loss against the learning rate
    (log axis), raw and smoothed, with the suggested rate marked.

    >>> from microgradnn.train import LRFinder
    >>> finder = LRFinder(lrs=[1e-3, 1e-2, 1e-1, 1.0], losses=[1.0, 0.8, 0.3, 5.0],
    ...                   smoothed=[1.0, 0.9, 0.6, 2.0], suggestion=1e-2, min_loss_lr=0.1)
    >>> lr_finder(finder, show=False).axes[0].get_xscale()
    'log'
    """
    if not finder.lrs:
        raise ValueError("this LRFinder holds no measurement: run train.lr_find(model, x, y)")
    figure, axes = new_figure(path, show, (6.5, 4.2))
    ax = axes[0, 0]
    ax.plot(finder.lrs, finder.losses, color="#bbbbbb", lw=1, label="batch loss")
    ax.plot(finder.lrs, finder.smoothed, color=CLASS_COLORS[0], lw=2, label="smoothed loss")
    at = int(np.argmin(np.abs(np.log(finder.lrs) - math.log(finder.suggestion))))
    ax.plot(
        finder.suggestion,
        finder.smoothed[at],
        "o",
        color=CLASS_COLORS[3],
        ms=8,
        label=f"suggested lr = {finder.suggestion:.2g}",
    )
    ax.axvline(finder.suggestion, color=CLASS_COLORS[3], ls=":", lw=1)
    ax.set_xscale("log")
    # the last points of a diverging run would squash the interesting part of the curve
    lowest = int(np.argmin(finder.smoothed))
    low = min(finder.smoothed[lowest], min(finder.losses[: lowest + 1]))
    best = finder.smoothed[0]
    ax.set_ylim(low - 0.1 * abs(best - low) - 1e-12, max(finder.smoothed[0], low) * 1.5 + 1e-12)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    ax.set_title(title or "Learning-rate range test")
    ax.legend(fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    figure.tight_layout()
    text = "Reading: " + finder.reading()
    figure.text(0.5, -0.02, wrap(text, 90), ha="center", va="top", fontsize=10)
    return finish(figure, path, show)
