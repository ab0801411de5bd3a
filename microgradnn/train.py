"""Keras-style training: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, callbacks.

The same functions are methods of every model (``model.fit(...)`` calls ``train.fit(model,
...)``), so the lecture's Keras workflow works as is:

>>> import numpy as np
>>> from microgradnn import nn, data
>>> x, y = data.make_moons(200, noise=0.1, seed=0)
>>> model = nn.Sequential([nn.Dense(2, 16, activation="tanh", seed=0),
...                        nn.Dense(16, 1, activation="sigmoid", seed=1)])
>>> _ = model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], lr=0.05)
>>> history = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0, seed=0)
>>> sorted(history.history)
['accuracy', 'loss', 'val_accuracy', 'val_loss']

What ``fit`` does, written out by hand for a scalar model (``nn.MLP`` on ``Value``), is the
loop of the first lessons. Each epoch visits the samples in a new random order; each batch
runs the forward pass, the loss, the backward pass and one optimizer step:

>>> from microgradnn import optim
>>> from microgradnn.nn import losses
>>> mlp = nn.MLP(2, [8, 1], seed=0)                  # tanh hidden layer, linear output
>>> signs = 2 * y - 1                                 # labels -1/+1 for the hinge loss
>>> opt = optim.SGD(mlp.parameters(), lr=0.05)
>>> rng = np.random.default_rng(0)
>>> for epoch in range(3):
...     order = rng.permutation(len(x))
...     for start in range(0, len(x), 20):            # mini-batches of 20 samples
...         batch = order[start:start + 20]
...         scores = [mlp(list(x[i])) for i in batch]  # one sample at a time
...         loss = losses.hinge(scores, signs[batch])
...         opt.zero_grad()
...         loss.backward()
...         opt.step()

``fit`` runs exactly this loop (``mlp.compile("sgd", "hinge", lr=0.05); mlp.fit(x, signs)``).
Scalar models build one small graph per number, so they are about a thousand times slower
than tensor models (``nn.Sequential`` of ``nn.Dense``): use them for a few hundred samples.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from microgradnn import metrics as metrics_module
from microgradnn.data import DataLoader, batch_indices
from microgradnn.engine import Node, no_grad
from microgradnn.errors import unknown_name
from microgradnn.tensor import Tensor
from microgradnn.value import Value

__all__ = [
    "compile",
    "fit",
    "evaluate",
    "predict",
    "summary",
    "is_scalar_model",
    "History",
    "Callback",
    "EarlyStopping",
    "TerminateOnNaN",
    "ModelCheckpoint",
    "LearningRateScheduler",
    "LambdaCallback",
    "save_weights",
    "load_weights",
]


# --- what compile() remembers ---------------------------------------------------------------
@dataclass
class TrainingConfig:
    """The choices made by :func:`compile`, stored on the model as ``model.training_config``."""

    optimizer: object
    loss: Callable
    loss_name: str
    metrics: dict[str, Callable] = field(default_factory=dict)


_suggest = unknown_name


def _resolve_loss(loss, loss_options: dict) -> tuple[Callable, str]:
    from microgradnn.nn import losses

    if isinstance(loss, str):
        try:
            function = losses.get(loss, **loss_options)
        except ValueError:
            raise ValueError(_suggest("loss", loss, getattr(losses, "_REGISTRY", ()))) from None
        return function, loss.lower().replace("-", "_")
    if callable(loss):
        return losses.get(loss, **loss_options), getattr(loss, "__name__", "loss")
    raise TypeError(f"loss must be a name like 'mse' or a function (y_pred, y_true), got {loss!r}")


def _resolve_optimizer(model, optimizer, lr: float | None):
    from microgradnn import optim

    if isinstance(optimizer, optim.Optimizer):
        held = {id(p) for p in optimizer.params}
        if not all(id(p) in held for p in model.parameters()):
            raise ValueError(
                "the optimizer does not hold this model's parameters (was it built for another "
                "model?); create it with e.g. optim.Adam(model.parameters(), lr=0.01)"
            )
        if lr is not None:
            optimizer.lr = float(lr)
        return optimizer
    params = model.parameters()
    if not params:
        raise ValueError(f"{type(model).__name__} has no trainable parameters to optimize")
    options = {} if lr is None else {"lr": lr}
    if isinstance(optimizer, str):
        try:
            return optim.get(optimizer, params, **options)
        except ValueError as error:
            if "unknown optimizer" not in str(error):
                raise
            known = getattr(optim, "_REGISTRY", ())
            raise ValueError(_suggest("optimizer", optimizer, known)) from None
    return optim.get(optimizer, params, **options)


def _accuracy_for(loss_name: str, from_logits: bool) -> Callable:
    """Keras picks the right accuracy from the loss; so do we (raw scores cut at 0)."""
    threshold = 0.0 if from_logits or loss_name == "hinge" else None

    def accuracy(y_true, y_pred):
        return metrics_module.accuracy(y_true, y_pred, threshold=threshold)

    return accuracy


def _resolve_metrics(metrics, loss_name: str, from_logits: bool) -> dict[str, Callable]:
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    resolved = {}
    for metric in metrics:
        if isinstance(metric, str) and metric.lower() in ("accuracy", "acc"):
            resolved[metric] = _accuracy_for(loss_name, from_logits)
            continue
        try:
            function = metrics_module.get(metric)
        except ValueError:
            raise ValueError(_suggest("metric", metric, metrics_module._BY_NAME)) from None
        resolved[metric if isinstance(metric, str) else function.__name__] = function
    return resolved


def compile(
    model,
    optimizer="adam",
    loss="mse",
    metrics: Sequence[str | Callable] | None = None,
    lr: float | None = None,
    loss_options: dict | None = None,
):
    """Choose how ``model`` learns: optimizer, loss and the metrics to report.

    Args:
        model: an ``nn.Module`` (tensor layers or a scalar ``nn.MLP``).
        optimizer: a name (``"sgd"``, ``"gd"``, ``"adam"``, ``"rmsprop"``, ``"adagrad"``,
            ``"adamax"``) or an optimizer built on ``model.parameters()``.
        loss: ``"mse"``, ``"mae"``, ``"binary_crossentropy"``, ``"categorical_crossentropy"``,
            ``"sparse_categorical_crossentropy"``, ``"hinge"``, or a function
            ``loss(y_pred, y_true)``.
        metrics: names (``"accuracy"``, ``"precision"``, ``"f1"``, ``"r2"``, ...) or functions
            ``metric(y_true, y_pred)``, reported every epoch.
        lr: learning rate for an optimizer given by name (its default otherwise).
        loss_options: extra settings for the loss, e.g. ``{"from_logits": True}``.

    Returns the model (so ``model.compile(...).fit(...)`` chains).

    >>> from microgradnn import nn
    >>> model = nn.Sequential([nn.Dense(3, 2, seed=0)])
    >>> compile(model, "sgd", "mse", lr=0.1).training_config.optimizer.lr
    0.1
    """
    loss_options = dict(loss_options or {})
    loss_fn, loss_name = _resolve_loss(loss, loss_options)
    config = TrainingConfig(
        optimizer=_resolve_optimizer(model, optimizer, lr),
        loss=loss_fn,
        loss_name=loss_name,
        metrics=_resolve_metrics(metrics, loss_name, bool(loss_options.get("from_logits"))),
    )
    model.training_config = config
    return model


def _config(model) -> TrainingConfig:
    config = getattr(model, "training_config", None)
    if config is None:
        raise RuntimeError(
            f"{type(model).__name__} is not compiled: call "
            "model.compile(optimizer='adam', loss='mse') (or train.compile(model, ...)) first"
        )
    return config


# --- data checks ------------------------------------------------------------------------------
def _as_array(values, name: str) -> np.ndarray:
    if isinstance(values, Node):
        return np.asarray(values.data)
    array = np.asarray(values)
    if array.dtype == object:
        raise TypeError(f"{name} must be numbers (a rectangular array), got ragged or mixed data")
    return array


def _check_data(x, y, who: str) -> tuple[np.ndarray, np.ndarray | None]:
    x = _as_array(x, "x")
    if x.ndim == 0:
        raise ValueError(f"{who}: x must have samples along its first axis, got a single number")
    if len(x) == 0:
        raise ValueError(f"{who}: the data set is empty (x has 0 samples)")
    if y is None:
        return x, None
    y = _as_array(y, "y")
    if y.ndim == 0 or len(y) != len(x):
        count = "a single number" if y.ndim == 0 else f"{len(y)} samples"
        raise ValueError(
            f"{who}: x and y must have the same number of samples, got {len(x)} and {count}"
        )
    return x, y


def _check_epochs(epochs) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    return int(epochs)


# --- running a model on a batch --------------------------------------------------------------
def is_scalar_model(model) -> bool:
    """True for models whose parameters are ``Value`` scalars (``nn.Neuron/Layer/MLP``).

    >>> from microgradnn import nn
    >>> is_scalar_model(nn.MLP(2, [3, 1])), is_scalar_model(nn.Dense(2, 1))
    (True, False)
    """
    parameters = getattr(model, "parameters", None)
    if not callable(parameters):
        return False
    params = parameters()
    return bool(params) and all(isinstance(p, Value) for p in params)


def _input_dtype(model):
    params = model.parameters() if callable(getattr(model, "parameters", None)) else []
    for p in params:
        if isinstance(p, Tensor):
            return p.dtype
    return None


def _forward(model, xb: np.ndarray, scalar: bool, dtype):
    """Outputs for a batch: a Tensor, or (scalar models) a list with one output per sample."""
    if scalar:
        return [model(row.tolist()) for row in xb]
    if xb.dtype.kind not in "f" or (dtype is not None and xb.dtype != dtype):
        xb = xb.astype(dtype if dtype is not None else np.float64)
    return model(Tensor(xb, requires_grad=False))


def _output_numbers(outputs, scalar: bool) -> np.ndarray:
    """Plain numbers of a batch of outputs, shape (samples, outputs) for scalar models."""
    if not scalar:
        return np.array(outputs.data if isinstance(outputs, Node) else outputs)
    rows = [
        [v.data for v in out] if isinstance(out, (list, tuple)) else [out.data] for out in outputs
    ]
    return np.array(rows, dtype=np.float64)


def _loss_number(loss) -> float:
    if isinstance(loss, Node):
        return float(np.asarray(loss.data).reshape(-1)[0]) if np.size(loss.data) == 1 else math.nan
    return float(loss)


def _scalar_loss(loss) -> Node:
    if not isinstance(loss, Node) or np.size(loss.data) != 1:
        raise ValueError(
            "the loss must return one number (a scalar Tensor or Value) to call backward(); "
            "use reduction='mean' or 'sum'"
        )
    return loss


# --- History and callbacks -----------------------------------------------------------------
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
    (plus ``"lr"`` with a :class:`LearningRateScheduler`). ``history.epoch`` lists the epoch
    numbers (from 0). ``history.plot()`` draws the learning curves.

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

    def plot(self, path=None, **options):
        """Draw the learning curves (see :func:`microgradnn.plots.learning_curves`)."""
        from microgradnn import plots

        return plots.learning_curves(self, path=path, **options)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History({len(self.epoch)} epochs: {keys})"


def _monitor_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if any(w in monitor for w in ("acc", "precision", "recall", "f1", "r2")) else "min"


def _monitored(logs: dict, monitor: str, who: str) -> float:
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
        self.mode = _monitor_mode(monitor, mode)
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
        value = _monitored(logs or {}, self.monitor, "EarlyStopping")
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
        return _config(self.model).optimizer

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


# --- saving weights --------------------------------------------------------------------------
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
        self.mode = _monitor_mode(monitor, mode)
        self.best = None
        self.saved: list[str] = []

    def on_train_begin(self, logs=None):
        self.best = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
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


class _CallbackList:
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


# --- progress display ------------------------------------------------------------------------
def _format_logs(logs: dict) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


class _Progress:
    """One line of numbers per epoch; on a terminal (verbose=1) also a tqdm bar while the
    epoch runs."""

    def __init__(self, verbose: int, progress_bar: bool | None, epochs: int, steps: int):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        if progress_bar is None:
            progress_bar = verbose == 1 and sys.stdout.isatty()
        self.use_bar = bool(progress_bar) and verbose > 0
        self.bar = None

    def start_epoch(self, epoch: int) -> None:
        self.started = time.perf_counter()
        if self.use_bar:
            from tqdm import tqdm  # the plain bar: also fine in notebooks, no widgets needed

            self.bar = tqdm(
                total=self.steps,
                desc=f"Epoch {epoch + 1}/{self.epochs}",
                unit="batch",
                leave=False,  # replaced by the full line of numbers when the epoch ends
                file=sys.stdout,
                bar_format="{desc} {bar:20} {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
            )

    def batch_done(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"loss: {loss:.4f}", refresh=False)

    def end_epoch(self, epoch: int, logs: dict) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.verbose > 0:
            seconds = time.perf_counter() - self.started
            print(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.2f}s - {_format_logs(logs)}")


# --- fit ---------------------------------------------------------------------------------------
def _validation_parts(x, y, validation_split, validation_data, rng):
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = _check_data(*validation_data, who="validation_data")
        return x, y, x_val, y_val
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
    if validation_split == 0.0:
        return x, y, None, None
    count = int(round(validation_split * len(x)))
    if count == 0 or count == len(x):
        raise ValueError(
            f"validation_split={validation_split} of {len(x)} samples leaves an empty "
            "training or validation part; use more data or another fraction"
        )
    order = rng.permutation(len(x))  # shuffled first: unlike Keras, which takes the tail
    val, train_part = order[:count], order[count:]
    return x[train_part], y[train_part], x[val], y[val]


def _compute_metrics(config: TrainingConfig, y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    return {name: float(function(y_true, y_pred)) for name, function in config.metrics.items()}


def _train_step(model, config, xb, yb, scalar, dtype):
    outputs = _forward(model, xb, scalar, dtype)
    loss = _scalar_loss(config.loss(outputs, yb))
    config.optimizer.zero_grad()
    loss.backward()
    config.optimizer.step()
    return _loss_number(loss), _output_numbers(outputs, scalar)


def _run_epoch(model, config, x, y, batches, scalar, dtype, callbacks, progress) -> dict:
    total, seen, predictions = 0.0, 0, []
    for step, index in enumerate(batches):
        callbacks.on_batch_begin(step, {})
        loss, outputs = _train_step(model, config, x[index], y[index], scalar, dtype)
        total, seen = total + loss * len(index), seen + len(index)
        predictions.append(outputs)
        progress.batch_done(loss)
        callbacks.on_batch_end(step, {"loss": loss, "size": len(index)})
        if getattr(model, "stop_training", False):
            break
    logs = {"loss": total / max(seen, 1)}
    order = np.concatenate(batches[: len(predictions)])
    # Metrics of the predictions made during the epoch (as Keras reports them).
    logs.update(_compute_metrics(config, y[order], np.concatenate(predictions)))
    return logs


def fit(
    model,
    x,
    y=None,
    epochs: int = 1,
    batch_size: int | None = 32,
    validation_split: float = 0.0,
    validation_data=None,
    shuffle: bool = True,
    callbacks: Sequence[Callback] | None = None,
    verbose: int = 1,
    seed=None,
    progress_bar: bool | None = None,
) -> History:
    """Train a compiled model; returns a :class:`History` of losses and metrics per epoch.

    Args:
        x, y: training inputs (samples first) and targets (labels, one-hot rows or numbers);
            or ``x`` a :class:`~microgradnn.data.DataLoader` (then its batch size, shuffling
            and ``drop_last`` are used, and ``y`` stays None).
        epochs: passes over the training data.
        batch_size: samples per optimizer step: ``None`` = full-batch gradient descent (one
            step per epoch), ``1`` = stochastic gradient descent, ``n`` = mini-batches of n.
        validation_split: fraction of (x, y) held out to measure ``val_loss`` after every
            epoch. **Unlike Keras**, which holds out the *last* samples unshuffled, the data are
            shuffled (with ``seed``) before the split, so sorted data sets still get a fair
            validation part.
        validation_data: an explicit ``(x_val, y_val)`` instead of ``validation_split``.
        shuffle: visit the samples in a new random order each epoch.
        callbacks: e.g. ``[EarlyStopping(patience=5, restore_best_weights=True)]``.
        verbose: 0 silent; 1 a progress bar on a terminal (one line per epoch otherwise);
            2 one line per epoch.
        seed: makes the validation split and the batch order repeatable.
        progress_bar: force the tqdm bar on (True) or off (False) whatever the output is.

    Training loss and metrics are averaged over the batches of the epoch, computed while
    the weights were changing (as in Keras); validation numbers use the weights at the end
    of the epoch, in evaluation mode (dropout off). Scalar models (``nn.MLP``) are trained
    one sample at a time inside each batch, which is much slower.

    >>> import numpy as np
    >>> from microgradnn import nn
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * x + 1
    >>> model = nn.Sequential([nn.Dense(1, 1, seed=0)]).compile("sgd", "mse", lr=0.1)
    >>> history = model.fit(x, y, epochs=200, batch_size=None, verbose=0)
    >>> round(history.history["loss"][-1], 4), np.round(model.predict(x).ravel(), 2)
    (0.0, array([1., 3., 5., 7.]))
    """
    config = _config(model)
    drop_last = False
    if isinstance(x, DataLoader):  # the loader brings its data and batching settings
        if y is not None:
            raise ValueError("fit(model, loader): the DataLoader already holds y; pass y=None")
        loader = x
        x, y, batch_size = loader.x, loader.y, loader.batch_size
        shuffle, drop_last = loader.shuffle, loader.drop_last
    x, y = _check_data(x, y, "fit")
    epochs = _check_epochs(epochs)
    rng = np.random.default_rng(seed)
    x, y, x_val, y_val = _validation_parts(x, y, validation_split, validation_data, rng)
    scalar, dtype = is_scalar_model(model), _input_dtype(model)
    first_batches = batch_indices(len(x), batch_size, False, drop_last)  # checks batch_size
    history = History()
    params = {"epochs": epochs, "batch_size": batch_size, "samples": len(x)}
    params["steps"] = len(first_batches)
    callback_list = _CallbackList([*(callbacks or []), history], model, params)
    progress = _Progress(verbose, progress_bar, epochs, len(first_batches))
    was_training = getattr(model, "training", True)
    model.stop_training = False
    callback_list.on_train_begin({})
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch, {})
        progress.start_epoch(epoch)
        _set_mode(model, training=True)
        batches = batch_indices(len(x), batch_size, shuffle, drop_last, seed=rng)
        logs = _run_epoch(model, config, x, y, batches, scalar, dtype, callback_list, progress)
        if x_val is not None:
            val = evaluate(model, x_val, y_val, return_dict=True)
            logs.update({f"val_{key}": value for key, value in val.items()})
        callback_list.on_epoch_end(epoch, logs)
        progress.end_epoch(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end({})
    _set_mode(model, training=was_training)
    model.history = history  # as in Keras: the last run stays reachable from the model
    return history


def _set_mode(model, training: bool) -> None:
    if callable(getattr(model, "train", None)):
        model.train(training)


# --- evaluate / predict ------------------------------------------------------------------------
def _predict_batches(model, x: np.ndarray, batch_size, scalar: bool):
    dtype = _input_dtype(model)
    for index in batch_indices(len(x), batch_size, shuffle=False):
        yield index, _forward(model, x[index], scalar, dtype)


def predict(model, x, batch_size: int | None = 256, verbose: int = 0) -> np.ndarray:
    """The model's outputs for ``x`` as a numpy array, in batches, without building graphs.

    Runs in evaluation mode (dropout off) under ``no_grad``. Scalar models return shape
    (samples, outputs). ``model`` may also be any function of a Tensor.

    >>> from microgradnn import nn
    >>> predict(nn.Dense(3, 2, seed=0), np.zeros((5, 3))).shape
    (5, 2)
    """
    x, _ = _check_data(x, None, "predict")
    scalar = is_scalar_model(model)
    was_training = getattr(model, "training", None)
    _set_mode(model, training=False)
    try:
        with no_grad():
            parts = [
                _output_numbers(out, scalar)
                for _, out in _predict_batches(model, x, batch_size, scalar)
            ]
    finally:
        if was_training is not None:
            _set_mode(model, training=was_training)
    if verbose:
        print(f"predicted {len(x)} samples")
    return np.concatenate(parts)


def evaluate(
    model, x, y, batch_size: int | None = 256, verbose: int = 0, return_dict: bool = False
):
    """Loss and metrics of a compiled model on ``(x, y)``, without training.

    Returns the loss alone when no metrics were compiled, else ``[loss, metric1, ...]``
    (as Keras), or a dict ``{"loss": ..., "accuracy": ...}`` with ``return_dict=True``.

    >>> from microgradnn import nn
    >>> model = compile(nn.Dense(1, 1, seed=0), "sgd", "mse")
    >>> evaluate(model, np.zeros((4, 1)), np.zeros(4))
    0.0
    """
    config = _config(model)
    x, y = _check_data(x, y, "evaluate")
    scalar = is_scalar_model(model)
    was_training = getattr(model, "training", None)
    _set_mode(model, training=False)
    total, parts = 0.0, []
    try:
        with no_grad():
            for index, outputs in _predict_batches(model, x, batch_size, scalar):
                total += _loss_number(config.loss(outputs, y[index])) * len(index)
                parts.append(_output_numbers(outputs, scalar))
    finally:
        if was_training is not None:
            _set_mode(model, training=was_training)
    results = {"loss": total / len(x), **_compute_metrics(config, y, np.concatenate(parts))}
    if verbose:
        print(_format_logs(results))
    if return_dict:
        return results
    return results["loss"] if len(results) == 1 else list(results.values())


# --- summary ----------------------------------------------------------------------------------
def _layer_rows(model) -> list[tuple[str, object]]:
    layers = getattr(model, "layers", None)
    if isinstance(layers, (list, tuple)) and layers:
        return [(type(layer).__name__, layer) for layer in layers]
    return [(type(model).__name__, model)]


def _shape_text(output) -> str:
    if isinstance(output, (list, tuple)):
        return f"({len(output)},)"
    if isinstance(output, Value):
        return "(1,)"
    shape = np.shape(output.data if isinstance(output, Node) else output)
    return str((None, *shape[1:]))


def _output_shapes(rows, input_shape, scalar: bool) -> list[str]:
    if input_shape is None:
        return ["?"] * len(rows)
    shapes = []
    with no_grad():
        current = [0.0] * int(np.prod(input_shape)) if scalar else np.zeros((1, *input_shape))
        for _, layer in rows:
            try:
                current = layer(current)
                shapes.append(_shape_text(current))
            except Exception:  # a layer that cannot run on zeros: keep the table readable
                return shapes + ["?"] * (len(rows) - len(shapes))
    return shapes


def summary(model, input_shape: Sequence[int] | None = None, print_fn=print) -> str:
    """A table of the layers, their output shapes and parameter counts (like Keras).

    Output shapes are shown when ``input_shape`` (one sample, e.g. ``(64,)``) is given.

    >>> from microgradnn import nn
    >>> text = summary(nn.Sequential([nn.Dense(2, 4), nn.Dense(4, 1)]), (2,), print_fn=None)
    >>> print(text.splitlines()[-3])
    Total params: 17
    """
    rows = _layer_rows(model)
    counts = [sum(int(np.size(p.data)) for p in layer.parameters()) for _, layer in rows]
    shapes = _output_shapes(rows, input_shape, is_scalar_model(model))
    width = max(28, *(len(f"{name}") + 8 for name, _ in rows))
    line = "─" * (width + 36)
    text = [f"Model: {type(model).__name__}", line]
    text.append(f"{'Layer (type)':<{width}}{'Output shape':<22}{'Param #':>14}")
    text.append(line)
    for i, ((name, _), shape, count) in enumerate(zip(rows, shapes, counts)):
        label = f"{name.lower()}_{i} ({name})"
        text.append(f"{label:<{width}}{shape:<22}{count:>14,}")
    total = sum(int(np.size(p.data)) for p in model.parameters())
    text += [line, f"Total params: {total:,}", f"Trainable params: {total:,}", line]
    result = "\n".join(text)
    if print_fn is not None:
        print_fn(result)
    return result
