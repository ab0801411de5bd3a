"""Pictures of learning: learning curves, decision boundaries, confusion matrices, images,
and the inside of a network while it trains (activation histograms, update ratios, LR finder).

matplotlib is imported inside the functions, so ``import microgradnn`` stays fast. Each
function saves to ``path`` when given, otherwise shows the figure (pass ``show=False`` to do
neither), and returns the matplotlib ``Figure``.

>>> from microgradnn import plots
>>> history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5]}
>>> fig = plots.learning_curves(history, show=False)
>>> len(fig.axes)
1
"""

from microgradnn.plots.classification import confusion_matrix, decision_boundary
from microgradnn.plots.curves import learning_curves, read_learning_curves
from microgradnn.plots.images import image_grid
from microgradnn.plots.statistics import (
    activation_histograms,
    gradient_histograms,
    lr_finder,
    ratio_curves,
)

__all__ = [
    "learning_curves",
    "read_learning_curves",
    "decision_boundary",
    "confusion_matrix",
    "image_grid",
    "activation_histograms",
    "gradient_histograms",
    "ratio_curves",
    "lr_finder",
]
