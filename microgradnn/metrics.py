"""How good are the predictions? Accuracy, confusion matrix, precision/recall/F1, R².

Every metric takes ``(y_true, y_pred)`` in that order (like the losses) and accepts numpy
arrays, lists, ``Tensor`` objects or lists of ``Value`` objects. Metrics are plain numbers
computed with numpy: they are for reading, never differentiated.

>>> from microgradnn import metrics
>>> metrics.accuracy([0, 1, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.2, 0.3]])
0.6666666666666666
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from microgradnn.engine import Node

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "top_k_accuracy",
    "confusion_matrix",
    "precision",
    "recall",
    "f1",
    "r2",
    "mse",
    "mae",
    "get",
    "to_numpy",
    "to_labels",
]


def to_numpy(values) -> np.ndarray:
    """Numbers from arrays, Tensors, Values or (nested) lists of them, as a float/int array.

    >>> from microgradnn import Value
    >>> to_numpy([Value(1.0), Value(2.5)]).tolist()
    [1.0, 2.5]
    """
    if isinstance(values, Node):  # a Tensor or a Value
        return np.asarray(values.data)
    if isinstance(values, (list, tuple)) and any(
        isinstance(v, (Node, list, tuple)) for v in values
    ):
        return np.array([to_numpy(v) for v in values])
    return np.asarray(values)


def to_labels(values, threshold: float = 0.5) -> np.ndarray:
    """Class labels from scores: argmax of rows with several columns, ``score > threshold``
    for a single column of scores, unchanged for integer labels.

    >>> to_labels([[0.2, 0.8], [0.9, 0.1]]).tolist()
    [1, 0]
    >>> to_labels([[0.7], [0.2]]).tolist()
    [1, 0]
    """
    array = to_numpy(values)
    if array.ndim >= 2 and array.shape[-1] > 1:
        return array.argmax(axis=-1)
    if array.ndim >= 2:
        array = array[..., 0]
    if array.dtype.kind == "f" and not np.all(array == np.round(array)):
        return (array > threshold).astype(np.int64)
    return array.astype(np.int64)


def _label_arrays(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} samples but y_pred has {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("cannot compute a metric on 0 samples")
    return y_true, y_pred


def _single_column(array: np.ndarray) -> bool:
    return array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)


def accuracy(y_true, y_pred, threshold: float | None = None) -> float:
    """Fraction of correct class predictions.

    ``y_pred`` may be class scores/probabilities (argmax is taken), labels, or a single
    column of scores for two classes: then ``score > threshold`` means class 1, with the
    threshold 0.5 (probabilities) by default, or 0 when ``y_true`` uses -1/+1 labels.
    ``y_true`` may be labels or one-hot rows.

    >>> accuracy([1, 0, 1, 1], [[0.8], [0.3], [0.4], [0.9]])
    0.75
    >>> accuracy([1, -1, -1], [2.5, -0.3, 0.1])   # -1/+1 labels: the sign decides
    0.6666666666666666
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    is_score = y_pred.dtype.kind == "f" and not np.all(y_pred == np.round(y_pred))
    if _single_column(y_pred) and _single_column(y_true) and is_score:
        signed = bool(np.any(y_true < 0))
        cut = threshold if threshold is not None else (0.0 if signed else 0.5)
        return binary_accuracy(y_true, y_pred, cut)
    labels_true = to_labels(y_true)
    labels_pred = to_labels(y_pred, 0.5 if threshold is None else threshold)
    return float(np.mean(labels_true.reshape(-1) == labels_pred.reshape(-1)))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of correct 0/1 predictions: ``y_pred > threshold`` compared with ``y_true``.

    Use ``threshold=0.0`` for logits (outputs before the sigmoid) or tanh outputs.

    >>> binary_accuracy([0, 1, 1], [0.2, 0.6, 0.4])
    0.6666666666666666
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    predicted = to_numpy(y_pred).reshape(len(y_pred), -1) > threshold
    # "> 0.5" reads both label conventions: 0/1 and -1/+1.
    truth = to_numpy(y_true).reshape(len(y_true), -1) > 0.5
    return float(np.mean(predicted == truth))


def categorical_accuracy(y_true, y_pred) -> float:
    """Accuracy for several classes: argmax of the scores against labels or one-hot rows.

    >>> categorical_accuracy([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]])
    0.5
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    truth = y_true.argmax(axis=-1) if y_true.ndim >= 2 and y_true.shape[-1] > 1 else y_true
    return float(np.mean(truth.reshape(-1) == y_pred.argmax(axis=-1).reshape(-1)))


def top_k_accuracy(y_true, y_pred, k: int = 5) -> float:
    """Fraction of samples whose true class is among the ``k`` highest scores.

    >>> top_k_accuracy([2, 0], [[0.1, 0.5, 0.4], [0.2, 0.5, 0.3]], k=2)
    0.5
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    if y_pred.ndim != 2:
        raise ValueError(
            f"top_k_accuracy needs scores of shape (samples, classes), got {y_pred.shape}"
        )
    if not 1 <= k <= y_pred.shape[1]:
        raise ValueError(
            f"k must be between 1 and the number of classes {y_pred.shape[1]}, got {k}"
        )
    truth = to_labels(y_true)
    top = np.argsort(-y_pred, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == truth[:, None], axis=1)))


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j.

    The diagonal holds the correct predictions; a large off-diagonal entry shows which
    classes the model mixes up. Scores are turned into labels first (see :func:`to_labels`).

    >>> confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    truth, predicted = to_labels(y_true).reshape(-1), to_labels(y_pred).reshape(-1)
    if min(truth.min(), predicted.min()) < 0:
        raise ValueError("confusion_matrix needs class labels >= 0")
    size = int(max(truth.max(), predicted.max())) + 1
    if num_classes is not None:
        if size > num_classes:
            raise ValueError(
                f"found label {size - 1}, which does not fit num_classes={num_classes}"
            )
        size = num_classes
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


def _safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # A class that is never predicted (or never present) gets 0 instead of a 0/0 warning.
    return np.divide(
        numerator, denominator, out=np.zeros_like(numerator, dtype=float), where=denominator > 0
    )


def _precision_recall(y_true, y_pred, average, positive):
    matrix = confusion_matrix(y_true, y_pred).astype(float)
    hits = np.diag(matrix)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    if average == "micro":
        total = matrix.sum()
        return hits.sum() / total, hits.sum() / total
    precision_per_class = _safe_ratio(hits, predicted)
    recall_per_class = _safe_ratio(hits, actual)
    if average is None:
        return precision_per_class, recall_per_class
    if average == "binary":
        if positive >= len(hits):
            return 0.0, 0.0
        return precision_per_class[positive], recall_per_class[positive]
    if average == "macro":
        # Average over the classes that occur (in y_true or y_pred), as scikit-learn does.
        present = (predicted + actual) > 0
        return precision_per_class[present], recall_per_class[present]
    raise ValueError(f"average must be 'binary', 'macro', 'micro' or None, got {average!r}")


def precision(y_true, y_pred, average: str | None = "binary", positive: int = 1):
    """Of the samples predicted as a class, the fraction that really are that class.

    ``average``: ``"binary"`` (the ``positive`` class only), ``"macro"`` (mean over the
    classes that occur),
    ``"micro"`` (pooled counts) or None (one value per class).

    >>> precision([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    p, _ = _precision_recall(y_true, y_pred, average, positive)
    return float(np.mean(p)) if average is not None else p


def recall(y_true, y_pred, average: str | None = "binary", positive: int = 1):
    """Of the samples that really are a class, the fraction predicted as that class.

    >>> recall([0, 1, 1, 1], [1, 1, 0, 1])
    0.6666666666666666
    """
    _, r = _precision_recall(y_true, y_pred, average, positive)
    return float(np.mean(r)) if average is not None else r


def f1(y_true, y_pred, average: str | None = "binary", positive: int = 1):
    """Harmonic mean of precision and recall, ``2 p r / (p + r)`` (0 when both are 0).

    With ``average="macro"`` the F1 of each class is computed and then averaged.

    >>> round(f1([0, 1, 1, 1], [1, 1, 0, 1]), 4)
    0.6667
    """
    p, r = _precision_recall(y_true, y_pred, average, positive)
    p, r = np.asarray(p, dtype=float), np.asarray(r, dtype=float)
    score = _safe_ratio(2 * p * r, p + r)
    return float(np.mean(score)) if average is not None else score


def r2(y_true, y_pred) -> float:
    """Coefficient of determination: 1 - (residual sum of squares) / (total sum of squares).

    1 is a perfect fit, 0 is no better than predicting the mean, negative is worse.
    Several output columns are averaged.

    >>> r2([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), r2([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    (1.0, 0.0)
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    y_true = y_true.reshape(len(y_true), -1).astype(float)
    y_pred = y_pred.reshape(len(y_pred), -1).astype(float)
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    perfect = np.where(residual == 0, 1.0, 0.0)  # constant targets: 1 if matched, else 0
    return float(np.mean(np.where(total > 0, 1.0 - _safe_ratio(residual, total), perfect)))


def mse(y_true, y_pred) -> float:
    """Mean squared error, as a number to read (the loss of the same name builds a graph).

    >>> mse([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    return float(np.mean((y_true.reshape(y_pred.shape) - y_pred) ** 2))


def mae(y_true, y_pred) -> float:
    """Mean absolute error.

    >>> mae([1.0, 2.0], [1.0, 4.0])
    1.0
    """
    y_true, y_pred = _label_arrays(y_true, y_pred)
    return float(np.mean(np.abs(y_true.reshape(y_pred.shape) - y_pred)))


def _macro(function):
    def metric(y_true, y_pred):
        return function(y_true, y_pred, average="macro")

    metric.__name__ = function.__name__
    metric.__doc__ = f"{function.__name__} averaged over classes (average='macro')."
    return metric


_BY_NAME: dict[str, Callable] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": categorical_accuracy,
    "top_k_accuracy": top_k_accuracy,
    "top_5_accuracy": top_k_accuracy,
    "precision": _macro(precision),
    "recall": _macro(recall),
    "f1": _macro(f1),
    "r2": r2,
    "mse": mse,
    "mean_squared_error": mse,
    "mae": mae,
    "mean_absolute_error": mae,
}


def get(metric: str | Callable) -> Callable:
    """A metric function by name (as in ``compile(metrics=["accuracy"])``), or the callable.

    Names: accuracy (acc), binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_accuracy (top 5), precision, recall, f1 (macro averages), r2, mse, mae.

    >>> get("accuracy") is accuracy
    True
    """
    if callable(metric):
        return metric
    if isinstance(metric, str) and metric.lower() in _BY_NAME:
        return _BY_NAME[metric.lower()]
    from microgradnn.errors import unknown_name

    raise ValueError(unknown_name("metric", metric, _BY_NAME))
