"""Learning-rate schedules: change an optimizer's ``lr`` as training goes on (torch names).

Call ``schedule.step()`` once per epoch, after that epoch's optimizer steps (as in PyTorch);
``ReduceLROnPlateau.step(val_loss)`` takes the number it watches.

>>> from microgradnn import Value
>>> from microgradnn.optim import SGD
>>> schedule = ExponentialLR(SGD([Value(0.0)], lr=1.0), gamma=0.5)
>>> schedule.step(); schedule.get_last_lr()
0.5
"""

from __future__ import annotations

import math

import numpy as np

from microgradnn.engine import Node
from microgradnn.optim.optimizer import Optimizer

__all__ = ["StepLR", "ExponentialLR", "ReduceLROnPlateau"]


class _Schedule:
    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def step(self) -> None:
        """Advance one epoch and set the optimizer's ``lr`` for the next one."""
        self.last_epoch += 1
        self.optimizer.lr = self._next_lr(self.optimizer.lr)

    def get_last_lr(self) -> float:
        """The learning rate currently set in the optimizer."""
        return self.optimizer.lr

    def _next_lr(self, lr: float) -> float:
        raise NotImplementedError


class StepLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    η_epoch = η₀ · γ^⌊epoch / step_size⌋.

    >>> from microgradnn import Value
    >>> from microgradnn.optim import SGD
    >>> schedule = StepLR(SGD([Value(0.0)], lr=1.0), step_size=2, gamma=0.5)
    >>> rates = []
    >>> for _ in range(4):
    ...     schedule.step(); rates.append(schedule.get_last_lr())
    >>> rates
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma if self.last_epoch % self.step_size == 0 else lr


class ExponentialLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every epoch: η_epoch = η₀ · γ^epoch.

    >>> from microgradnn import Value
    >>> from microgradnn.optim import SGD
    >>> schedule = ExponentialLR(SGD([Value(0.0)], lr=1.0), gamma=0.5)
    >>> schedule.step(); schedule.step(); schedule.get_last_lr()
    0.25
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = gamma

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma


class ReduceLROnPlateau:
    """Lower the learning rate when a measured number (usually the validation loss) stops
    improving, with ``torch.optim.lr_scheduler.ReduceLROnPlateau``'s rules.

    Call ``scheduler.step(value)`` once per epoch with the number to watch. After each call:

    - the value is **better** than the best so far when, for ``mode="min"``,
      ``value < best · (1 - threshold)`` (``threshold_mode="rel"``) or
      ``value < best - threshold`` (``"abs"``); mirrored for ``mode="max"``;
    - a better value becomes the best and resets the count of bad epochs, any other adds one;
    - during ``cooldown`` epochs after a reduction bad epochs are not counted;
    - once the count exceeds ``patience``, lr ← max(lr · factor, min_lr) (a change smaller
      than ``eps`` is skipped), the cooldown starts and the count restarts.

    So ``patience=2`` tolerates two bad epochs and lowers the rate at the third.

    >>> from microgradnn import Value
    >>> from microgradnn.optim import SGD
    >>> scheduler = ReduceLROnPlateau(SGD([Value(0.0)], lr=1.0), factor=0.5, patience=1)
    >>> for loss in [1.0, 0.9, 0.95, 0.95, 0.97, 0.8]:
    ...     scheduler.step(loss)
    >>> scheduler.get_last_lr(), scheduler.best
    (0.5, 0.8)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule needs an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0.0 <= factor < 1.0:
            raise ValueError(
                f"factor must be in [0, 1) (the rate is multiplied by it), got {factor}"
            )
        if patience < 0 or cooldown < 0:
            raise ValueError(f"patience and cooldown must be >= 0, got {patience} and {cooldown}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, float(factor), int(patience)
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.cooldown, self.min_lr, self.eps = int(cooldown), float(min_lr), float(eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0

    def is_better(self, value: float, best: float) -> bool:
        """Whether ``value`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            bar = (
                best * (1 - self.threshold)
                if self.threshold_mode == "rel"
                else best - self.threshold
            )
            return value < bar
        bar = best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return value > bar

    def step(self, value) -> None:
        """Record this epoch's ``value`` (a number or a one-element Tensor) and lower the
        learning rate if it has stopped improving."""
        value = float(np.asarray(value.data if isinstance(value, Node) else value).reshape(-1)[0])
        self.last_epoch += 1
        if self.is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # bad epochs right after a reduction do not count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def _reduce(self) -> None:
        old = self.optimizer.lr
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            self.optimizer.lr = new

    def get_last_lr(self) -> float:
        """The learning rate currently set in the optimizer."""
        return self.optimizer.lr
