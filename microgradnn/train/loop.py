"""The training loop: ``fit``, ``evaluate`` and ``predict`` (Keras's names and behaviour).

>>> import numpy as np
>>> from microgradnn import nn
>>> from microgradnn.train.config import compile
>>> x = np.array([[0.0], [1.0]]); y = 3 * x
>>> model = compile(nn.Dense(1, 1, seed=0), "sgd", "mse", lr=0.1)
>>> history = fit(model, x, y, epochs=3, verbose=0)
>>> len(history.history["loss"])
3
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from microgradnn.data import DataLoader, batch_indices
from microgradnn.engine import no_grad
from microgradnn.nn.module import is_scalar_model
from microgradnn.seeding import as_rng
from microgradnn.train.callbacks import Callback, CallbackList, History
from microgradnn.train.config import TrainingConfig, config_of
from microgradnn.train.progress import Progress, format_logs
from microgradnn.train.steps import (
    check_data,
    check_epochs,
    forward_batch,
    input_dtype,
    loss_number,
    output_numbers,
    scalar_loss,
)

__all__ = ["fit", "evaluate", "predict"]


def _validation_parts(x, y, validation_split, validation_data, rng):
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = check_data(*validation_data, who="validation_data")
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
    outputs = forward_batch(model, xb, scalar, dtype)
    loss = scalar_loss(config.loss(outputs, yb))
    config.optimizer.zero_grad()
    loss.backward()
    config.optimizer.step()
    return loss_number(loss), output_numbers(outputs, scalar)


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
    live: bool = False,
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
        live: in a notebook, redraw the curves (and for 2-D inputs the decision boundary and
            the hidden units) once per epoch with a :class:`~microgradnn.train.LivePlot`,
            kept as ``history.live`` (``history.live.save_html("replay.html")``); in a
            terminal the progress bar stays the only display.

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
    config = config_of(model)
    drop_last = False
    if isinstance(x, DataLoader):  # the loader brings its data and batching settings
        if y is not None:
            raise ValueError("fit(model, loader): the DataLoader already holds y; pass y=None")
        loader = x
        x, y, batch_size = loader.x, loader.y, loader.batch_size
        shuffle, drop_last = loader.shuffle, loader.drop_last
    x, y = check_data(x, y, "fit")
    epochs = check_epochs(epochs)
    rng = as_rng(seed)
    x, y, x_val, y_val = _validation_parts(x, y, validation_split, validation_data, rng)
    scalar, dtype = is_scalar_model(model), input_dtype(model)
    first_batches = batch_indices(len(x), batch_size, False, drop_last)  # checks batch_size
    history = History()
    if live:
        from microgradnn.train.live import LivePlot, in_notebook

        history.live = LivePlot(x, y, display=in_notebook())
        callbacks = [*(callbacks or []), history.live]
    params = {"epochs": epochs, "batch_size": batch_size, "samples": len(x)}
    params["steps"] = len(first_batches)
    callback_list = CallbackList([*(callbacks or []), history], model, params)
    progress = Progress(verbose, progress_bar, epochs, len(first_batches))
    was_training = getattr(model, "training", True)
    model.stop_training = False
    callback_list.on_train_begin({})
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch, {})
        progress.start_epoch(epoch)
        set_mode(model, training=True)
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
    set_mode(model, training=was_training)
    model.history = history  # as in Keras: the last run stays reachable from the model
    return history


def set_mode(model, training: bool) -> None:
    if callable(getattr(model, "train", None)):
        model.train(training)


# --- evaluate / predict ------------------------------------------------------------------------
def _predict_batches(model, x: np.ndarray, batch_size, scalar: bool):
    dtype = input_dtype(model)
    for index in batch_indices(len(x), batch_size, shuffle=False):
        yield index, forward_batch(model, x[index], scalar, dtype)


def predict(model, x, batch_size: int | None = 256, verbose: int = 0) -> np.ndarray:
    """The model's outputs for ``x`` as a numpy array, in batches, without building graphs.

    Runs in evaluation mode (dropout off) under ``no_grad``. Scalar models return shape
    (samples, outputs). ``model`` may also be any function of a Tensor.

    >>> from microgradnn import nn
    >>> predict(nn.Dense(3, 2, seed=0), np.zeros((5, 3))).shape
    (5, 2)
    """
    x, _ = check_data(x, None, "predict")
    scalar = is_scalar_model(model)
    was_training = getattr(model, "training", None)
    set_mode(model, training=False)
    try:
        with no_grad():
            parts = [
                output_numbers(out, scalar)
                for _, out in _predict_batches(model, x, batch_size, scalar)
            ]
    finally:
        if was_training is not None:
            set_mode(model, training=was_training)
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
    >>> model = nn.Dense(1, 1, seed=0).compile("sgd", "mse")
    >>> evaluate(model, np.zeros((4, 1)), np.zeros(4))
    0.0
    """
    config = config_of(model)
    x, y = check_data(x, y, "evaluate")
    scalar = is_scalar_model(model)
    was_training = getattr(model, "training", None)
    set_mode(model, training=False)
    total, parts = 0.0, []
    try:
        with no_grad():
            for index, outputs in _predict_batches(model, x, batch_size, scalar):
                total += loss_number(config.loss(outputs, y[index])) * len(index)
                parts.append(output_numbers(outputs, scalar))
    finally:
        if was_training is not None:
            set_mode(model, training=was_training)
    results = {"loss": total / len(x), **_compute_metrics(config, y, np.concatenate(parts))}
    if verbose:
        print(format_logs(results))
    if return_dict:
        return results
    return results["loss"] if len(results) == 1 else list(results.values())
