"""Data for learning: toy 2-D sets, a bundled digits set, MNIST on request, splits and batches.

>>> from microgradnn import data
>>> x, y = data.make_moons(200, noise=0.1, seed=0)
>>> x.shape, y.shape, sorted(set(y.tolist()))
((200, 2), (200,), [0, 1])
>>> (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = data.train_val_test_split(x, y, seed=0)
>>> len(x_tr), len(x_va), len(x_te)
(160, 20, 20)

One module per job:

- :mod:`~microgradnn.data.toy`: generated 2-D sets (moons, circles, spirals, ...) and curves;
- :mod:`~microgradnn.data.digits`: the bundled 8x8 digits (no download);
- :mod:`~microgradnn.data.mnist`: MNIST / Fashion-MNIST, downloaded with checksum and cache;
- :mod:`~microgradnn.data.splits`: train / validation / test splits, k-fold indices;
- :mod:`~microgradnn.data.batches`: batch indices and ``DataLoader``;
- :mod:`~microgradnn.data.encoding`: ``one_hot`` and ``Standardizer``.

Nothing here touches the network unless you call :func:`load_mnist` or
:func:`load_fashion_mnist`.
"""

from microgradnn.data.batches import DataLoader, batch_indices
from microgradnn.data.digits import load_digits
from microgradnn.data.encoding import Standardizer, one_hot
from microgradnn.data.mnist import (
    REMOTE_DATASETS,
    DownloadError,
    data_home,
    load_fashion_mnist,
    load_mnist,
    read_idx,
)
from microgradnn.data.splits import kfold_indices, train_test_split, train_val_test_split
from microgradnn.data.toy import (
    CLASSIC_SETS,
    REGRESSION_CURVES,
    make_blobs,
    make_circles,
    make_classic,
    make_moons,
    make_regression_curve,
    make_sine,
    make_spirals,
    make_xor,
)

__all__ = [
    "make_xor",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_blobs",
    "make_regression_curve",
    "make_sine",
    "make_classic",
    "CLASSIC_SETS",
    "REGRESSION_CURVES",
    "train_val_test_split",
    "train_test_split",
    "kfold_indices",
    "batch_indices",
    "DataLoader",
    "one_hot",
    "Standardizer",
    "load_digits",
    "load_mnist",
    "load_fashion_mnist",
    "read_idx",
    "data_home",
    "REMOTE_DATASETS",
    "DownloadError",
]
