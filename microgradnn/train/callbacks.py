"""Callbacks: code that ``fit`` calls at the start and end of training, epochs and batches.

Keras's names and hooks: ``History`` records the numbers, ``EarlyStopping`` stops when the
monitored number stops improving, ``TerminateOnNaN`` stops a diverging run,
``LambdaCallback`` wraps functions. Learning-rate callbacks are in
:mod:`microgradnn.train.learning_rate`, ``CSVLogger`` in :mod:`microgradnn.train.csv_logger`.

>>> h = History(); h.on_train_begin()
>>> h.on_epoch_end(0, {"loss": 0.5})
>>> h.history
{'loss': [0.5]}
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "Callback",
    "History",
    "EarlyStopping",
    "TerminateOnNaN",
    "LambdaCallback",
    "CallbackList",
    "monitor_mode",
    "monitored",
]


class Callback:
    """Base class for callbacks: override the hooks you need; all do nothing by default.

    ``fit`` sets ``self.model`` and ``self.params`` (epochs, batch size, samples, steps) and
    calls the hooks with ``logs``, a dict of the latest numbers (``"loss"``, ``"val_loss"``,
    metrics). Set ``self.model.stop_training = True`` to end training after this epoch.

    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch + 1}: loss {logs['loss']:.3f}")
    """

    model = None
    params: dict = {}

    def set_model(self, model) -> None:
        """Remember the model being trained."""
        self.model = model

    def set_params(self, params: dict) -> None:
        """Remember the run's settings (epochs, batch_size, samples, steps)."""
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once after the last epoch (also after an early stop)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (epochs count from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after each epoch with its training and validation numbers."""

    def on_batch_begin(self, batch, logs=None):
        """Called before each optimizer step."""

    def on_batch_end(self, batch, logs=None):
        """Called after each optimizer step with ``logs["loss"]`` of that batch."""


class History(Callback):
    """The record of a training run: ``history.history["loss"]`` has one number per epoch.

    Keys: ``"loss"``, each metric, and ``"val_"`` versions when there is validation data
    (plus ``"lr"`` with a ``LearningRateScheduler`` or ``ReduceLROnPlateau``).
    ``history.epoch`` lists the epoch numbers (from 0). Draw the learning curves with
    ``plots.learning_curves(history)``.

    >>> h = History(); h.on_train_begin()
    >>> h.on_epoch_end(0, {"loss": 0.5}); h.on_epoch_end(1, {"loss": 0.25})
    >>> h.history, h.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.history, self.epoch = {}, []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History({len(self.epoch)} epochs: {keys})"


def monitor_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if any(w in monitor for w in ("acc", "precision", "recall", "f1", "r2")) else "min"


def monitored(logs: dict, monitor: str, who: str) -> float:
    if monitor not in logs:
        hint = (
            " (pass validation_split or validation_data to fit, or monitor 'loss')"
            if monitor.startswith("val_")
            else ""
        )
        raise ValueError(
            f"{who} monitors {monitor!r}, which is not among the logged values {sorted(logs)}{hint}"
        )
    return float(logs[monitor])


class EarlyStopping(Callback):
    """Stop training when the monitored number stops improving, and optionally rewind.

    Args:
        monitor: a logged value, usually ``"val_loss"`` (needs validation data).
        patience: epochs without improvement to wait before stopping.
        min_delta: smallest change that counts as an improvement.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy-like names).
        restore_best_weights: at the end, load the weights of the best epoch (the
            over-fitting weights of later epochs are thrown away).
        verbose: print a line when stopping.

    After training: ``best_epoch`` (from 0), ``best`` and ``stopped_epoch`` (None if it never
    stopped early).

    >>> stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
        verbose: int = 0,
    ):
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), abs(min_delta)
        self.mode = monitor_mode(monitor, mode)
        self.restore_best_weights, self.verbose = restore_best_weights, verbose

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch, self.best_weights = None, None, None
        self.stopped_epoch, self.wait = None, 0

    def on_epoch_end(self, epoch, logs=None):
        value = monitored(logs or {}, self.monitor, "EarlyStopping")
        if math.isfinite(value) and self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)
        if self.verbose and self.stopped_epoch is not None:
            restored = " and restored its weights" if self.restore_best_weights else ""
            print(
                f"EarlyStopping: stopped after epoch {self.stopped_epoch + 1}; best "
                f"{self.monitor} = {self.best:.4g} at epoch {self.best_epoch + 1}{restored}"
            )


class TerminateOnNaN(Callback):
    """Stop at once when a batch loss becomes NaN or infinite (a diverging run).

    A NaN loss usually means the learning rate is too high or log(0) happened.

    >>> TerminateOnNaN().stopped_batch is None
    True
    """

    def __init__(self):
        self.stopped_batch = None

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self.stopped_batch = batch
            self.model.stop_training = True
            print(f"TerminateOnNaN: batch {batch} has loss {loss}; stopping training")


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. print every 10 epochs:

    >>> every_10 = LambdaCallback(on_epoch_end=lambda epoch, logs:
    ...     print(epoch + 1, round(logs["loss"], 3)) if (epoch + 1) % 10 == 0 else None)
    """

    def __init__(
        self, on_epoch_begin=None, on_epoch_end=None, on_batch_end=None, on_train_end=None
    ):
        if on_epoch_begin:
            self.on_epoch_begin = on_epoch_begin
        if on_epoch_end:
            self.on_epoch_end = on_epoch_end
        if on_batch_end:
            self.on_batch_end = on_batch_end
        if on_train_end:
            self.on_train_end = on_train_end


class CallbackList:
    def __init__(self, callbacks: Sequence[Callback], model, params: dict):
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be Callback objects, got {type(callback).__name__}; "
                    "wrap functions in LambdaCallback(on_epoch_end=...)"
                )
            callback.set_model(model)
            callback.set_params(params)
        self.callbacks = list(callbacks)

    def __getattr__(self, hook: str):
        def call_all(*args):
            for callback in self.callbacks:
                getattr(callback, hook)(*args)

        return call_all
