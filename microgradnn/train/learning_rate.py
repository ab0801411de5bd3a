"""Learning-rate tools: set it per epoch, lower it on a plateau, find a good one.

- :class:`LearningRateScheduler`: a function ``(epoch, lr) -> lr`` or an ``optim`` schedule;
- :class:`ReduceLROnPlateau`: Keras's callback, lower the rate when ``val_loss`` stalls;
- :func:`lr_find`: the learning-rate range test (loss against a growing rate).

>>> import numpy as np
>>> from microgradnn import nn
>>> x = np.linspace(-1, 1, 32).reshape(-1, 1); y = 3 * x
>>> model = nn.Sequential([nn.Dense(1, 1, seed=0)]).compile("sgd", "mse", lr=0.1)
>>> finder = lr_find(model, x, y, start_lr=1e-4, end_lr=10.0, num_steps=40, seed=0)
>>> 1e-4 < finder.suggestion < 10.0
True
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from microgradnn.data import batch_indices
from microgradnn.nn.module import is_scalar_model
from microgradnn.seeding import as_rng
from microgradnn.train.callbacks import Callback, monitor_mode, monitored
from microgradnn.train.config import config_of
from microgradnn.train.steps import check_data, forward_batch, input_dtype, loss_number, scalar_loss

__all__ = ["LearningRateScheduler", "ReduceLROnPlateau", "lr_find", "LRFinder"]


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    ``schedule`` is either a function ``schedule(epoch, lr) -> new_lr`` (epochs from 0) or a
    schedule object from :mod:`microgradnn.optim` (``StepLR``, ``ExponentialLR``), which is
    stepped after each epoch. The rate used is logged as ``"lr"``.

    >>> def halve_every_10(epoch, lr):
    ...     return lr * 0.5 if epoch > 0 and epoch % 10 == 0 else lr
    >>> scheduler = LearningRateScheduler(halve_every_10)
    """

    def __init__(self, schedule, verbose: int = 0):
        if not callable(schedule) and not callable(getattr(schedule, "step", None)):
            raise TypeError("schedule must be a function (epoch, lr) -> lr or an optim schedule")
        self.schedule, self.verbose = schedule, verbose

    def _optimizer(self):
        return config_of(self.model).optimizer

    def on_epoch_begin(self, epoch, logs=None):
        if callable(self.schedule) and not hasattr(self.schedule, "optimizer"):
            optimizer = self._optimizer()
            new_lr = float(self.schedule(epoch, optimizer.lr))
            if not math.isfinite(new_lr) or new_lr < 0:
                raise ValueError(f"the schedule returned an invalid learning rate {new_lr}")
            optimizer.lr = new_lr
            if self.verbose:
                print(f"Epoch {epoch + 1}: learning rate {new_lr:.4g}")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = self._optimizer().lr
        if hasattr(self.schedule, "optimizer"):
            self.schedule.step()


class ReduceLROnPlateau(Callback):
    """Lower the learning rate when the monitored number stops improving (Keras's callback).

    Args:
        monitor: a logged value, usually ``"val_loss"``.
        factor: the rate is multiplied by it at each reduction (< 1).
        patience: epochs without improvement after which the rate is lowered.
        min_delta: an improvement must beat the best by more than this (absolute).
        cooldown: epochs to wait after a reduction before counting bad epochs again.
        min_lr: the rate never goes below it.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy-like names).
        verbose: print a line at each reduction.

    The counting is Keras's: ``patience=2`` lowers the rate at the second epoch without
    improvement. (``optim.ReduceLROnPlateau``, the scheduler, counts as torch does and
    lowers it at the third: torch's ``patience`` is the number of bad epochs tolerated.)
    The rate is logged as ``"lr"``.

    >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-4)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        if not 0.0 <= factor < 1.0:
            raise ValueError(
                f"factor must be in [0, 1) (the rate is multiplied by it), got {factor}"
            )
        if patience < 0 or cooldown < 0:
            raise ValueError(f"patience and cooldown must be >= 0, got {patience} and {cooldown}")
        self.monitor, self.factor, self.patience = monitor, float(factor), int(patience)
        self.verbose, self.min_delta = verbose, abs(float(min_delta))
        self.cooldown, self.min_lr = int(cooldown), float(min_lr)
        self.mode = monitor_mode(monitor, mode)

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = self.cooldown_counter = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        value = monitored(logs, self.monitor, "ReduceLROnPlateau")
        optimizer = config_of(self.model).optimizer
        if self.cooldown_counter > 0:  # just after a reduction: bad epochs do not count
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(value):
            self.best, self.wait = value, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and optimizer.lr > self.min_lr:
                optimizer.lr = max(optimizer.lr * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0
                if self.verbose:
                    print(
                        f"Epoch {epoch + 1}: ReduceLROnPlateau sets the rate to {optimizer.lr:.4g}"
                    )
        logs["lr"] = optimizer.lr


# --- the learning-rate range test ------------------------------------------------------------
@dataclass
class LRFinder:
    """What :func:`lr_find` measured: one loss per learning rate tried.

    Attributes: ``lrs`` (growing geometrically), ``losses`` (the batch losses), ``smoothed``
    (an exponential moving average of them, which is what to read), ``suggestion`` (the rate
    where the smoothed loss falls fastest per factor of ten) and ``min_loss_lr`` (the rate of
    the lowest smoothed loss; a tenth of it is the other common choice).
    Draw it with ``plots.lr_finder(finder)``.
    """

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    suggestion: float = math.nan
    min_loss_lr: float = math.nan

    def reading(self) -> str:
        """One line: the suggested rate and why.

        >>> LRFinder(suggestion=0.01, min_loss_lr=0.1).reading()
        'the loss falls fastest near lr = 0.01 (lowest near 0.1): start training with about 0.01'
        """
        return (
            f"the loss falls fastest near lr = {self.suggestion:.2g} (lowest near "
            f"{self.min_loss_lr:.2g}): start training with about {self.suggestion:.2g}"
        )


def _steepest_descent(lrs: list[float], smoothed: list[float]) -> float:
    """The rate where d(smoothed loss)/d(log10 lr) is most negative, between the first tenth
    of the sweep (where the moving average is still settling) and the lowest loss."""
    stop = int(np.argmin(smoothed)) + 1
    start = min(len(lrs) // 10, max(stop - 3, 0))
    if stop - start < 3:
        return lrs[max(stop - 1, 0)]
    slopes = np.gradient(np.asarray(smoothed[start:stop]), np.log10(lrs[start:stop]))
    return float(lrs[start + int(np.argmin(slopes))])


def lr_find(
    model,
    x,
    y,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    batch_size: int | None = 32,
    smoothing: float = 0.98,
    diverge: float = 4.0,
    seed=None,
) -> LRFinder:
    """The learning-rate range test: train a few steps with a rate growing from ``start_lr``
    to ``end_lr`` (geometrically) and watch the loss.

    The loss first barely moves (rate too small), then falls (good rates), then shoots up
    (too large). The suggested rate is where it falls fastest. The run stops early once the
    smoothed loss exceeds ``diverge`` times its best. Afterwards the model's weights, the
    optimizer's state and its learning rate are put back as they were: nothing is learned.

    Args:
        model: a compiled model (its optimizer and loss are used).
        x, y: training data; batches of ``batch_size`` are drawn in a shuffled order.
        num_steps: how many rates to try (one optimizer step each).
        smoothing: β of the moving average ``s ← β s + (1 - β) loss`` (bias-corrected).
        seed: the batch order.

    See the module docstring for an example; ``plots.lr_finder(finder)`` draws the curve.
    """
    config = config_of(model)
    x, y = check_data(x, y, "lr_find")
    if not 0 < start_lr < end_lr:
        raise ValueError(f"need 0 < start_lr < end_lr, got {start_lr} and {end_lr}")
    if num_steps < 2:
        raise ValueError(f"num_steps must be at least 2, got {num_steps}")
    optimizer = config.optimizer
    saved = model.state_dict(), copy.deepcopy(optimizer.state), optimizer.lr
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    finder = LRFinder()
    try:
        _range_test(model, config, x, y, lrs, batch_size, smoothing, diverge, as_rng(seed), finder)
    finally:
        model.load_state_dict(saved[0])
        optimizer.state, optimizer.lr = saved[1], saved[2]
    finder.min_loss_lr = float(finder.lrs[int(np.argmin(finder.smoothed))])
    finder.suggestion = _steepest_descent(finder.lrs, finder.smoothed)
    return finder


def _range_test(model, config, x, y, lrs, batch_size, smoothing, diverge, rng, finder) -> None:
    scalar, dtype = is_scalar_model(model), input_dtype(model)
    batches: list = []
    average, best = 0.0, math.inf
    for step, lr in enumerate(lrs, start=1):
        if not batches:  # a new shuffled pass over the data when the last one is used up
            batches = batch_indices(len(x), batch_size, True, seed=rng)
        index = batches.pop(0)
        config.optimizer.lr = float(lr)
        loss = scalar_loss(config.loss(forward_batch(model, x[index], scalar, dtype), y[index]))
        config.optimizer.zero_grad()
        loss.backward()
        config.optimizer.step()
        value = loss_number(loss)
        average = smoothing * average + (1 - smoothing) * value
        smoothed = average / (1 - smoothing**step)  # bias correction of the first steps
        finder.lrs.append(float(lr))
        finder.losses.append(value)
        finder.smoothed.append(smoothed)
        best = min(best, smoothed)
        if not math.isfinite(smoothed) or smoothed > diverge * best:
            break
