"""Figure plumbing shared by the plots: new figures, saving or showing, colours, wrapping.

Every plot saves to ``path`` when given, otherwise shows the figure (``show=False`` does
neither), and returns the matplotlib ``Figure``. pyplot is only used to show on screen.

>>> figure, axes = new_figure(path=None, show=False, figsize=(3, 2), nrows=1, ncols=2)
>>> axes.shape
(1, 2)
"""

from __future__ import annotations

import os

__all__ = ["new_figure", "finish", "will_show", "wrap", "TRAIN_COLOR", "VAL_COLOR", "CLASS_COLORS"]

TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#d62728"
CLASS_COLORS = (
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


def will_show(path, show) -> bool:
    return bool(show) if show is not None else path is None


def new_figure(path, show, figsize, nrows=1, ncols=1):
    """A figure with a grid of axes; pyplot only when the figure will be shown on screen."""
    if will_show(path, show):
        import matplotlib.pyplot as plt

        return plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(nrows, ncols, squeeze=False)


def finish(figure, path, show):
    if path is not None:
        figure.savefig(os.fspath(path), dpi=120, bbox_inches="tight")
    if will_show(path, show):
        import matplotlib.pyplot as plt

        plt.show()
    return figure


def wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
