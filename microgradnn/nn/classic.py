"""The first learning machines: Rosenblatt's Perceptron (1958) and Widrow & Hoff's ADALINE
(1960).

Both compute a weighted sum z = w · x + b and answer with its sign. They differ in how they
learn, one sample at a time:

* Perceptron: only when it is *wrong*, w ← w + η y x  (labels y = ±1).
* ADALINE (LMS / delta rule): always, proportionally to the error of the *linear* output,
  w ← w + η (y - z) x. That is gradient descent on the squared error ½ (y - z)², the
  ancestor of backpropagation.

They are written with numpy (no autodiff) because the rules are explicit formulas. A single
one of them separates classes with a straight line only, so neither can learn XOR
(Minsky & Papert, 1969).

>>> import numpy as np
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> and_labels = np.array([0, 0, 0, 1])
>>> Perceptron(seed=0).fit(X, and_labels).predict(X).tolist()
[0, 0, 0, 1]
"""

from __future__ import annotations

import numpy as np

from microgradnn.nn.layers import as_rng

__all__ = ["Perceptron", "Adaline"]


class _LinearUnit:
    """Shared parts: data checks, label mapping to ±1, the net input and prediction."""

    def __init__(self, lr: float, epochs: int, shuffle: bool, seed):
        if lr <= 0:
            raise ValueError(f"lr must be positive, got {lr}")
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        self.lr, self.epochs, self.shuffle = float(lr), epochs, shuffle
        self._rng = as_rng(seed)
        self.w: np.ndarray | None = None
        self.b = 0.0
        self.classes_: np.ndarray | None = None

    def _prepare(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y).ravel()
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (samples, features), got shape {X.shape}")
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels")
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"need exactly two classes, got {classes.tolist()}")
        self.classes_ = classes
        signs = np.where(y == classes[1], 1.0, -1.0)  # the larger label is the + class
        self.w = 0.01 * self._rng.standard_normal(X.shape[1])
        self.b = 0.0
        return X, signs

    def _order(self, n: int) -> np.ndarray:
        return self._rng.permutation(n) if self.shuffle else np.arange(n)

    def net_input(self, X) -> np.ndarray:
        """The weighted sums z = X w + b (one per sample)."""
        if self.w is None:
            raise RuntimeError(f"{type(self).__name__} is not trained yet: call fit(X, y) first")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.w):
            raise ValueError(
                f"{type(self).__name__} was trained on {len(self.w)} features, got shape {X.shape}"
            )
        return X @ self.w + self.b

    def predict(self, X) -> np.ndarray:
        """Class labels (the same values as in ``y`` given to fit): sign of the net input."""
        return np.where(self.net_input(X) >= 0, self.classes_[1], self.classes_[0])

    def score(self, X, y) -> float:
        """Fraction of samples classified correctly."""
        return float(np.mean(self.predict(X) == np.asarray(y).ravel()))


class Perceptron(_LinearUnit):
    """Rosenblatt's perceptron with a step activation.

    Learning rule, for each sample (x, y) with y = ±1 and prediction ŷ = sign(w · x + b)::

        if ŷ ≠ y:   w ← w + η y x,   b ← b + η y      (nothing changes when correct)

    It stops early after an epoch without mistakes. If the classes can be separated by a
    line (a hyperplane) this happens after finitely many updates (the perceptron
    convergence theorem); otherwise it never settles.

    Args:
        lr: learning rate η.
        epochs: maximum passes over the data.
        shuffle: visit samples in a new random order each epoch.
        seed: int or numpy Generator (initial weights and order).

    Attributes after ``fit``: ``w``, ``b``, ``errors_`` (mistakes per epoch), ``classes_``.

    >>> import numpy as np
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> p = Perceptron(seed=0).fit(X, [0, 1, 1, 1])   # OR is linearly separable
    >>> p.errors_[-1], p.score(X, [0, 1, 1, 1])
    (0, 1.0)
    """

    def __init__(self, lr: float = 1.0, epochs: int = 50, shuffle: bool = True, seed=None):
        super().__init__(lr, epochs, shuffle, seed)
        self.errors_: list[int] = []

    def fit(self, X, y) -> Perceptron:
        """Learn from samples ``X`` (n, features) and two-class labels ``y``; returns self."""
        X, signs = self._prepare(X, y)
        self.errors_ = []
        for _ in range(self.epochs):
            mistakes = 0
            for i in self._order(len(X)):
                predicted = 1.0 if X[i] @ self.w + self.b >= 0 else -1.0
                if predicted != signs[i]:
                    self.w = self.w + self.lr * signs[i] * X[i]
                    self.b += self.lr * signs[i]
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                break
        return self


class Adaline(_LinearUnit):
    """ADALINE (ADAptive LInear NEuron) trained with the Widrow–Hoff / LMS rule.

    Learning rule: gradient descent on the squared error of the linear output z = w · x + b::

        online (LMS, one sample at a time):  w ← w + η (y - z) x,        b ← b + η (y - z)
        batch (full gradient descent):        w ← w + η/n Σ (y - z) x,   b ← b + η/n Σ (y - z)

    with targets y = ±1. Predictions use the sign of z. Unlike the perceptron it also learns
    from correct answers (pushing z towards ±1) and converges (for small η) to the
    least-squares line even when the classes overlap.

    Args:
        lr: learning rate η (small: 0.01 for standardized inputs).
        epochs: passes over the data.
        mode: ``"online"`` (LMS) or ``"batch"``.
        shuffle, seed: as in :class:`Perceptron`.

    Attributes after ``fit``: ``w``, ``b``, ``cost_`` (mean ½ (y - z)² per epoch).

    >>> import numpy as np
    >>> X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    >>> a = Adaline(lr=0.05, epochs=50, seed=0).fit(X, [0, 0, 0, 1])   # AND
    >>> a.predict(X).tolist(), a.cost_[-1] < a.cost_[0]
    ([0, 0, 0, 1], True)
    """

    def __init__(
        self,
        lr: float = 0.01,
        epochs: int = 50,
        mode: str = "online",
        shuffle: bool = True,
        seed=None,
    ):
        super().__init__(lr, epochs, shuffle, seed)
        if mode not in ("online", "batch"):
            raise ValueError(f"mode must be 'online' or 'batch', got {mode!r}")
        self.mode = mode
        self.cost_: list[float] = []

    def fit(self, X, y) -> Adaline:
        """Learn from samples ``X`` (n, features) and two-class labels ``y``; returns self."""
        X, signs = self._prepare(X, y)
        self.cost_ = []
        for _ in range(self.epochs):
            if self.mode == "online":
                for i in self._order(len(X)):
                    error = signs[i] - (X[i] @ self.w + self.b)
                    self.w = self.w + self.lr * error * X[i]
                    self.b += self.lr * error
            else:
                errors = signs - (X @ self.w + self.b)
                self.w = self.w + self.lr * X.T @ errors / len(X)
                self.b += self.lr * float(errors.mean())
            errors = signs - (X @ self.w + self.b)
            cost = float(0.5 * np.mean(errors**2))
            if not np.isfinite(cost):
                raise FloatingPointError(
                    f"Adaline diverged (cost {cost}); use a smaller lr than {self.lr} "
                    "or standardize the inputs"
                )
            self.cost_.append(cost)
        return self
