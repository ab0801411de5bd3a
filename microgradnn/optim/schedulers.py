"""Learning-rate schedules: change an optimizer's ``lr`` as training goes on (torch names).

Call ``schedule.step()`` once per epoch, after that epoch's optimizer steps (as in PyTorch).

>>> from microgradnn import Value
>>> from microgradnn.optim import SGD
>>> schedule = ExponentialLR(SGD([Value(0.0)], lr=1.0), gamma=0.5)
>>> schedule.step(); schedule.get_last_lr()
0.5
"""

from __future__ import annotations

from microgradnn.optim.optimizer import Optimizer

__all__ = ["StepLR", "ExponentialLR"]


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
