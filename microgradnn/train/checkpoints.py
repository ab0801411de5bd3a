"""Saving and loading weights: ``.npz`` files written atomically, read without pickle.

>>> import os, tempfile
>>> from microgradnn import nn
>>> path = save_weights(nn.Dense(2, 1, seed=0), os.path.join(tempfile.mkdtemp(), "w"))
>>> os.path.basename(path)
'w.npz'
"""

from __future__ import annotations

import math
import os
import tempfile
import zipfile

import numpy as np

from microgradnn.train.callbacks import Callback, monitor_mode, monitored

__all__ = ["save_weights", "load_weights", "ModelCheckpoint"]


def _weights_path(path) -> str:
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


def save_weights(model, path) -> str:
    """Save every parameter into a ``.npz`` file (no pickle), atomically.

    The file is written under a temporary name in the same folder and then renamed, so a
    crash never leaves a half-written file under the real name. ``.npz`` is added if missing.
    Returns the path written.

    >>> from microgradnn import nn
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> os.path.basename(save_weights(nn.Dense(2, 1), os.path.join(folder, "w")))
    'w.npz'
    """
    path = _weights_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    state = {name: np.asarray(value) for name, value in model.state_dict().items()}
    descriptor, temp = tempfile.mkstemp(dir=folder, prefix=".weights-", suffix=".npz.tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            np.savez(stream, **state)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return path


def load_weights(model, path, strict: bool = True) -> None:
    """Load weights saved by :func:`save_weights` or :class:`ModelCheckpoint` into ``model``.

    Raises ``ValueError`` naming the file when it is damaged or not a weights file.
    The file is read with ``allow_pickle=False``, so it can only contain numbers.

    >>> from microgradnn import nn
    >>> import tempfile, os
    >>> path = save_weights(nn.Dense(2, 1, seed=0), os.path.join(tempfile.mkdtemp(), "w"))
    >>> copy = nn.Dense(2, 1, seed=1)
    >>> load_weights(copy, path)
    >>> bool((copy.weight.data == nn.Dense(2, 1, seed=0).weight.data).all())
    True
    """
    path = _weights_path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            state = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(
            f"cannot read weights from {path}: the file is damaged or not a .npz weights file "
            f"({type(error).__name__}: {error}); save it again with save_weights"
        ) from None
    model.load_state_dict(state, strict=strict)


class ModelCheckpoint(Callback):
    """Save the weights after epochs, to a ``.npz`` file (atomic write, no pickle).

    Args:
        filepath: where to save; may contain fields such as ``"ckpt-{epoch:03d}.npz"`` or
            ``"{val_loss:.3f}"`` (epochs count from 1 in names).
        monitor: the logged value deciding what is "best" (with ``save_best_only``).
        save_best_only: only save when ``monitor`` improves.
        mode: ``"min"``, ``"max"`` or ``"auto"``.

    Load the saved weights with ``train.load_weights(model, path)``.

    >>> checkpoint = ModelCheckpoint("best.npz", monitor="val_loss", save_best_only=True)
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        verbose: int = 0,
    ):
        self.filepath, self.monitor = os.fspath(filepath), monitor
        self.save_best_only, self.verbose = save_best_only, verbose
        self.mode = monitor_mode(monitor, mode)
        self.best = None
        self.saved: list[str] = []

    def on_train_begin(self, logs=None):
        self.best = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = monitored(logs, self.monitor, "ModelCheckpoint")
            better = self.best is None or (
                value < self.best if self.mode == "min" else value > self.best
            )
            if not (math.isfinite(value) and better):
                return
            self.best = value
        path = save_weights(self.model, self.filepath.format(epoch=epoch + 1, **logs))
        self.saved.append(path)
        if self.verbose:
            print(f"ModelCheckpoint: saved weights of epoch {epoch + 1} to {path}")
