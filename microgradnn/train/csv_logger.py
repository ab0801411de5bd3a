"""``CSVLogger``: write each epoch's numbers to a CSV file, one row per epoch (Keras's callback).

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
>>> logger = CSVLogger(path); logger.on_train_begin()
>>> logger.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75}); logger.on_train_end()
>>> print(open(path).read().strip())
epoch,accuracy,loss
0,0.75,0.5
"""

from __future__ import annotations

import csv
import os

from microgradnn.train.callbacks import Callback

__all__ = ["CSVLogger"]


class CSVLogger(Callback):
    """Append one row per epoch to a CSV file: ``epoch`` (from 0) then the logged numbers
    in alphabetical order (``loss``, metrics, ``val_*``, ``lr``), as Keras writes it.

    Args:
        filename: the CSV file (its folder is created if needed).
        separator: the column separator.
        append: add to an existing file (no second header) instead of starting a new one.

    Each row is flushed at once, so the file can be read (or plotted) while training runs,
    and it survives a crash.

    >>> logger = CSVLogger("training.csv", append=True)
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self.keys: list[str] | None = None
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        folder = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(folder, exist_ok=True)
        has_rows = self.append and os.path.exists(self.filename)
        has_rows = has_rows and os.path.getsize(self.filename) > 0
        self._header_written = has_rows
        self.keys = None
        self._file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file, delimiter=self.separator)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not self._header_written:
                self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(_cell(logs.get(key, "")) for key in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


def _cell(value):
    """Numbers as Python writes them (repr: no digits lost); anything else as text."""
    return repr(float(value)) if isinstance(value, (int, float)) else value
