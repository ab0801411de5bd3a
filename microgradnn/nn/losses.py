"""Loss functions ``loss(y_pred, y_true, reduction="mean")`` and weight penalties.

Every loss first computes one number per element (or per sample for the cross-entropies),
then reduces: ``"mean"`` (default), ``"sum"``, or ``"none"`` (no reduction). They accept
Tensors (a batch) or, for the scalar lessons, a Value / list of Values with plain numbers as
targets. They are composites of the op table's primitives, so gradients (and second
derivatives) come from the chain rule; the one exception is the cross-entropy of a batch of
logits, a fused kernel (:class:`microgradnn.kernels.SoftmaxCrossEntropy`, gradient p - y)
that a test checks against its composite.

>>> from microgradnn import Tensor
>>> mse(Tensor([1.0, 3.0]), [0.0, 0.0]).item()   # (1 + 9) / 2
5.0
>>> from microgradnn import Value
>>> hinge([Value(2.0), Value(-0.5)], [1, 1]).data   # (0 + 1.5) / 2
0.75
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable

import numpy as np

from microgradnn import functional as F
from microgradnn import kernels
from microgradnn.engine import Node, grad
from microgradnn.errors import unknown_name
from microgradnn.tensor import Tensor
from microgradnn.value import Value, as_value

__all__ = [
    "mse",
    "mae",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "hinge",
    "l1_penalty",
    "l2_penalty",
    "gradient_penalty",
    "get",
    "EPSILON",
]

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] before taking logs (as Keras does),
#: so a confident wrong prediction costs about 16 instead of infinity.
EPSILON = 1e-7

_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------------------
# preparing inputs and reducing outputs
# ----------------------------------------------------------------------------------------
def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _flatten(items) -> list:
    if isinstance(items, (Node, numbers.Real)):
        return [items]
    if isinstance(items, np.ndarray):
        return items.ravel().tolist()
    flat = []
    for item in items:
        flat.extend(_flatten(item))
    return flat


def _target_tensor(y_true, like: Tensor) -> Tensor:
    if isinstance(y_true, Tensor):
        return y_true
    if isinstance(y_true, Node):
        raise TypeError("y_true must be a Tensor or an array when y_pred is a Tensor")
    return Tensor(np.asarray(y_true), requires_grad=False, dtype=like.dtype)


def _as_prediction(y_pred):
    """numpy predictions become constant Tensors (a loss of plain numbers, no gradient)."""
    if isinstance(y_pred, np.ndarray):
        return Tensor(y_pred, requires_grad=False)
    return y_pred


def _predictions_and_targets(y_pred, y_true, who: str):
    """Return (kind, prediction, target): ``"tensor"`` with matched shapes, or ``"value"``
    with two flat lists of equal length (Values and numbers)."""
    y_pred = _as_prediction(y_pred)
    if isinstance(y_pred, Tensor):
        target = _target_tensor(y_true, y_pred)
        if target.shape != y_pred.shape:
            if y_pred.shape == target.shape + (1,):  # (N,) targets for (N, 1) outputs
                target = target.reshape(y_pred.shape)
            else:
                raise ValueError(
                    f"{who}: y_pred has shape {y_pred.shape} but y_true has shape "
                    f"{target.shape}; they must match (reshape one of them)"
                )
        return "tensor", y_pred, target
    preds, targets = _flatten(y_pred), _flatten(y_true)
    if len(preds) != len(targets):
        raise ValueError(f"{who}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{who}: no predictions given")
    preds = [as_value(p) for p in preds]
    targets = [t.data if isinstance(t, Value) else float(t) for t in targets]
    return "value", preds, targets


def _target_numbers(kind: str, target) -> np.ndarray:
    return np.asarray(target.data if kind == "tensor" else target, dtype=float)


def _reduce(kind: str, losses, reduction: str):
    _check_reduction(reduction)
    if kind == "tensor":
        if reduction == "mean":
            return losses.mean()
        return losses.sum() if reduction == "sum" else losses
    if reduction == "none":
        return losses
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    return total * (1.0 / len(losses)) if reduction == "mean" else total


def _each(kind: str, preds, targets, rule: Callable):
    """Apply ``rule(prediction, target)`` to a whole tensor, or to each Value."""
    if kind == "tensor":
        return rule(preds, targets)
    return [rule(p, t) for p, t in zip(preds, targets)]


# ----------------------------------------------------------------------------------------
# regression
# ----------------------------------------------------------------------------------------
def mse(y_pred, y_true, reduction: str = "mean"):
    """Mean squared error: mean((ŷ - y)^2) over all elements. d/dŷ = 2 (ŷ - y) / n.

    >>> mse(Tensor([[1.0], [2.0]]), [[1.0], [4.0]]).item()
    2.0
    """
    kind, preds, targets = _predictions_and_targets(y_pred, y_true, "mse")
    return _reduce(kind, _each(kind, preds, targets, lambda p, t: (p - t) ** 2), reduction)


def mae(y_pred, y_true, reduction: str = "mean"):
    """Mean absolute error: mean(|ŷ - y|). d/dŷ = sign(ŷ - y) / n (0 at ŷ = y).

    >>> mae(Tensor([1.0, -1.0]), [0.0, 0.0]).item()
    1.0
    """
    kind, preds, targets = _predictions_and_targets(y_pred, y_true, "mae")
    return _reduce(kind, _each(kind, preds, targets, lambda p, t: abs(p - t)), reduction)


# ----------------------------------------------------------------------------------------
# classification with two classes
# ----------------------------------------------------------------------------------------
def _check_binary_targets(kind, targets, who: str) -> None:
    numbers_ = _target_numbers(kind, targets)
    if np.any((numbers_ < 0) | (numbers_ > 1)):
        raise ValueError(
            f"{who}: targets must be probabilities in [0, 1] (class labels 0/1), "
            f"got values from {numbers_.min()} to {numbers_.max()}"
        )


def _clip_probability(p, low: float, high: float):
    """Clip into [low, high]; outside the range the gradient is zero (like Tensor.clip)."""
    if isinstance(p, Tensor):
        return p.clip(low, high)
    if p.data < low:
        return Value(low, requires_grad=False)
    if p.data > high:
        return Value(high, requires_grad=False)
    return p


def binary_crossentropy(y_pred, y_true, reduction: str = "mean", from_logits: bool = False):
    """Binary cross-entropy  -[y log p + (1 - y) log(1 - p)]  for targets y in [0, 1].

    Args:
        y_pred: probabilities p (after a sigmoid), or raw scores z with ``from_logits=True``.
        y_true: labels 0/1 (or soft targets in [0, 1]).
        from_logits: take scores z and use the stable form
            ``log(1 + e^z) - z y``, which equals the formula above with
            p = sigmoid(z) but never overflows (no NaN at z = ±1000): it is
            softplus(z) - z y, and its gradient is simply sigmoid(z) - y.

    Probabilities are clipped to [EPSILON, 1 - EPSILON] so log(0) never happens.

    >>> round(binary_crossentropy(Tensor([0.9, 0.2]), [1, 0]).item(), 4)
    0.1643
    >>> binary_crossentropy(Tensor([1000.0]), [0.0], from_logits=True).item()
    1000.0
    """
    kind, preds, targets = _predictions_and_targets(y_pred, y_true, "binary_crossentropy")
    _check_binary_targets(kind, targets, "binary_crossentropy")
    if from_logits:

        def rule(z, y):
            return F.softplus(z) - z * y

    else:

        def rule(p, y):
            p = _clip_probability(p, EPSILON, 1.0 - EPSILON)
            return -(y * p.log() + (1.0 - y) * (1.0 - p).log())

    return _reduce(kind, _each(kind, preds, targets, rule), reduction)


def hinge(y_pred, y_true, reduction: str = "mean"):
    """Hinge (SVM) loss  max(0, 1 - y ŷ)  with labels y = -1 or +1 and raw scores ŷ.

    Correct answers with margin (y ŷ >= 1) cost nothing; d/dŷ = -y inside the margin.
    This is the loss of micrograd's two-moons demo.

    >>> hinge(Tensor([2.0, 0.5, -1.5]), [1, 1, 1]).item()   # (0 + 0.5 + 2.5) / 3
    1.0
    """
    kind, preds, targets = _predictions_and_targets(y_pred, y_true, "hinge")
    labels = _target_numbers(kind, targets)
    if not np.all(np.abs(labels) == 1):
        raise ValueError(
            "hinge: labels must be -1 or +1 "
            f"(got {sorted(set(np.unique(labels).tolist()))[:5]}); convert 0/1 labels with 2*y - 1"
        )
    return _reduce(kind, _each(kind, preds, targets, lambda s, y: (1.0 - y * s).relu()), reduction)


# ----------------------------------------------------------------------------------------
# classification with several classes (class axis last)
# ----------------------------------------------------------------------------------------
def _rows(y_pred) -> list[list[Value]]:
    """Scalar models: one sample's outputs (a list of Values) or a list of such lists."""
    rows = [y_pred] if y_pred and isinstance(y_pred[0], Node) else list(y_pred)
    return [[as_value(v) for v in row] for row in rows]


def _class_log_probs(y_pred, from_logits: bool):
    """log p for each class: log_softmax of scores, or log of clipped probabilities."""
    if isinstance(y_pred, Tensor):
        if from_logits:
            return F.log_softmax(y_pred, axis=-1)
        return y_pred.clip(EPSILON, 1.0).log()
    rows = _rows(y_pred)
    if from_logits:
        return [F.log_softmax(row) for row in rows]
    return [[_clip_probability(p, EPSILON, 1.0).log() for p in row] for row in rows]


def _softmax_cross_entropy(
    logits: Tensor, target_rows: np.ndarray, reduction: str, one_hot: bool = False
) -> Tensor:
    """Cross-entropy from logits, reduced, as ONE node (see kernels.SoftmaxCrossEntropy): its
    gradient is softmax(z) - y, the same numbers the log_softmax composite would give (the
    op checks ``reduction``)."""
    targets = np.asarray(target_rows, dtype=logits.dtype)
    return kernels.SoftmaxCrossEntropy(targets, reduction, one_hot).apply(logits)


def _check_class_axis(y_pred, who: str) -> None:
    if isinstance(y_pred, Tensor) and y_pred.ndim == 0:
        raise ValueError(f"{who}: y_pred needs a class axis (last), got a 0-d tensor")


def categorical_crossentropy(y_pred, y_true, reduction: str = "mean", from_logits: bool = False):
    """Cross-entropy with one-hot (or probability) targets: per sample -Σ_c y_c log p_c.

    The class axis is the LAST axis; the loss has one number per sample before reduction.

    Args:
        y_pred: probabilities (after softmax), or scores with ``from_logits=True``. Then
            log p = log_softmax(z), computed stably, and the gradient w.r.t. the scores is
            the famous ``softmax(z) - y`` (divided by the batch size for "mean").
        y_true: same shape as y_pred, rows summing to 1 (one-hot for hard labels).

    >>> round(categorical_crossentropy(Tensor([[0.5, 0.5]]), [[1.0, 0.0]]).item(), 4)
    0.6931
    >>> categorical_crossentropy(Tensor([[1000.0, -1000.0]]), [[0.0, 1.0]], from_logits=True).item()
    2000.0
    """
    who = "categorical_crossentropy"
    y_pred = _as_prediction(y_pred)
    _check_class_axis(y_pred, who)
    if isinstance(y_pred, Tensor):
        target = _target_tensor(y_true, y_pred)
        if target.shape != y_pred.shape:
            hint = (
                " (integer labels? use sparse_categorical_crossentropy)"
                if target.shape == y_pred.shape[:-1]
                else ""
            )
            raise ValueError(
                f"{who}: y_pred has shape {y_pred.shape} but y_true has shape {target.shape}; "
                f"they must match{hint}"
            )
        _check_probability_rows(target.data, who)
        if from_logits:
            return _softmax_cross_entropy(y_pred, target.data, reduction)
        per_sample = -(target * _class_log_probs(y_pred, from_logits)).sum(axis=-1)
        return _reduce("tensor", per_sample, reduction)
    log_probs = _class_log_probs(y_pred, from_logits)
    targets = np.asarray(_flatten(y_true), dtype=float)
    width = len(log_probs[0])
    if targets.size != len(log_probs) * width:
        raise ValueError(f"{who}: {len(log_probs)} samples of {width} classes need as many targets")
    targets = targets.reshape(len(log_probs), width)
    _check_probability_rows(targets, who)
    per_sample = [
        -sum((lp * float(t) for lp, t in zip(row, trow) if t), Value(0.0, requires_grad=False))
        for row, trow in zip(log_probs, targets)
    ]
    return _reduce("value", per_sample, reduction)


def _check_probability_rows(target: np.ndarray, who: str) -> None:
    if np.any(target < 0) or np.any(target > 1):
        raise ValueError(f"{who}: targets must be one-hot rows or probabilities in [0, 1]")


def sparse_categorical_crossentropy(
    y_pred, y_true, reduction: str = "mean", from_logits: bool = False
):
    """Cross-entropy with integer class labels: per sample -log p[label].

    Same as :func:`categorical_crossentropy` with ``one_hot(y_true)`` targets, but it only
    picks the log-probability of the true class (no one-hot matrix needed).

    Args:
        y_pred: shape (..., C), probabilities or (``from_logits=True``) scores.
        y_true: integer labels in [0, C) of shape (...) (a trailing axis of size 1 is fine).

    >>> round(sparse_categorical_crossentropy(Tensor([[0.2, 0.8]]), [1]).item(), 4)
    0.2231
    """
    who = "sparse_categorical_crossentropy"
    y_pred = _as_prediction(y_pred)
    _check_class_axis(y_pred, who)
    if isinstance(y_pred, Tensor):
        classes, batch_shape = y_pred.shape[-1], y_pred.shape[:-1]
        labels = _integer_labels(y_true, batch_shape, classes, who)
        if from_logits:
            one_hot_rows = _identity(classes, y_pred.dtype)[labels]  # row k = one_hot(k)
            return _softmax_cross_entropy(y_pred, one_hot_rows, reduction, one_hot=True)
        log_probs = _class_log_probs(y_pred, from_logits).reshape(-1, classes)
        picked = log_probs[np.arange(labels.size), labels.ravel()]
        return _reduce("tensor", -picked.reshape(batch_shape), reduction)
    log_probs = _class_log_probs(y_pred, from_logits)
    labels = _integer_labels(_flatten(y_true), (len(log_probs),), len(log_probs[0]), who)
    return _reduce("value", [-row[k] for row, k in zip(log_probs, labels.tolist())], reduction)


@functools.lru_cache(maxsize=32)
def _identity(classes: int, dtype) -> np.ndarray:
    """The identity matrix, made once per size: indexing its rows gives one-hot targets."""
    identity = np.eye(classes, dtype=dtype)
    identity.flags.writeable = False  # shared between calls: nobody may change it
    return identity


def _integer_labels(y_true, batch_shape: tuple, classes: int, who: str) -> np.ndarray:
    labels = np.asarray(y_true.data if isinstance(y_true, Node) else y_true)
    if labels.shape == batch_shape + (1,):
        labels = labels.reshape(batch_shape)
    if labels.shape != batch_shape:
        raise ValueError(
            f"{who}: expected integer labels of shape {batch_shape} for predictions with "
            f"{classes} classes, got shape {labels.shape}"
            + (" (one-hot targets? use categorical_crossentropy)" if labels.ndim > 1 else "")
        )
    if labels.dtype.kind not in "iu":  # floats are fine if they hold whole numbers
        if labels.size and not np.all(labels == np.round(labels)):
            raise ValueError(f"{who}: labels must be integers, got non-integer numbers")
    labels = labels.astype(np.intp, copy=False)
    # Read as unsigned, a negative label is a huge number: one max() finds both kinds of
    # bad label (a check that runs at every training step, so one pass instead of two).
    if labels.size and labels.view(np.uintp).max() >= classes:
        raise ValueError(
            f"{who}: labels must be in [0, {classes}), got min {labels.min()} and "
            f"max {labels.max()}"
        )
    return labels


# ----------------------------------------------------------------------------------------
# penalties (regularization terms added to a loss)
# ----------------------------------------------------------------------------------------
def _penalty_arguments(args, lam, count: int, who: str):
    """Accept both ``f(lam, *rest)`` (the lecture's order) and ``f(*rest, lam=...)``."""
    args = list(args)
    if args and isinstance(args[0], numbers.Real) and not isinstance(args[0], bool):
        if lam is not None:
            raise TypeError(f"{who}: lam given twice")
        lam = args.pop(0)
    if len(args) == count + 1 and lam is None:
        lam = args.pop()
    if len(args) != count:
        raise TypeError(f"{who}: expected {count} argument(s) besides lam, got {len(args)}")
    return (1.0 if lam is None else float(lam)), args


def _parameter_list(params) -> list[Node]:
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, Node):
        return [params]
    params = list(params)
    if not params:
        raise ValueError("no parameters given to the penalty")
    return params


def _total(terms):
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _sum_all(x):
    return x.sum() if isinstance(x, Tensor) else x


def l1_penalty(*args, lam: float | None = None):
    """λ Σ |w| over all given parameters (a model or a list): pushes weights to exactly 0.

    Call as ``l1_penalty(params, lam)`` or ``l1_penalty(lam, params)``.

    >>> l1_penalty([Value(2.0), Value(-3.0)], lam=0.1).data
    0.5
    """
    lam, (params,) = _penalty_arguments(args, lam, 1, "l1_penalty")
    return _total([_sum_all(abs(p)) for p in _parameter_list(params)]) * lam


def l2_penalty(*args, lam: float | None = None):
    """λ Σ w² over all given parameters (weight decay): keeps weights small.

    Note: its gradient is 2 λ w, so it equals SGD's ``weight_decay = 2 λ``.
    Call as ``l2_penalty(params, lam)`` or ``l2_penalty(lam, params)``.

    >>> l2_penalty([Value(2.0), Value(-3.0)], lam=0.1).data   # 0.1 * (4 + 9)
    1.3
    """
    lam, (params,) = _penalty_arguments(args, lam, 1, "l2_penalty")
    return _total([_sum_all(p * p) for p in _parameter_list(params)]) * lam


def gradient_penalty(*args, lam: float | None = None, per_sample: bool = False):
    """The lecture's λ₂ ‖∇_w ŷ‖²: penalize how strongly the output reacts to the weights.

    ∇_w ŷ is computed with ``grad(..., create_graph=True)``, so the penalty is itself a graph
    and its own gradient (a second derivative of ŷ) flows back into training.

    Args:
        lam: the weight λ₂ of the penalty.
        outputs: ŷ — a Value, a list of Values (one per sample), or a Tensor whose first
            axis is the batch.
        params: the weights w (a model or a list of parameters).
        per_sample: False (default): one backward pass, λ ‖∇_w Σ_i ŷ_i‖², the gradient of
            the summed outputs. True: the lecture's formula averaged over samples,
            λ (1/n) Σ_i ‖∇_w ŷ_i‖², which needs one backward pass per sample (slower;
            fine for the small models of the lessons). Both agree for a single output.

    Call as ``gradient_penalty(lam, outputs, params)`` (the lecture's order) or
    ``gradient_penalty(outputs, params, lam=...)``.

    >>> w = Value(3.0)
    >>> y_hat = w * w                              # dŷ/dw = 2w = 6
    >>> gradient_penalty(0.5, y_hat, [w]).data     # 0.5 * 6^2
    18.0
    >>> x = [1.0, -1.0]                            # two samples, ŷ_i = w x_i, dŷ_i/dw = x_i
    >>> gradient_penalty(1.0, [w * xi for xi in x], [w]).data                    # (1 - 1)^2
    0.0
    >>> gradient_penalty(1.0, [w * xi for xi in x], [w], per_sample=True).data  # (1 + 1) / 2
    1.0
    """
    lam, (outputs, params) = _penalty_arguments(args, lam, 2, "gradient_penalty")
    params = _parameter_list(params)
    samples = _per_sample_outputs(outputs) if per_sample else [_summed_output(outputs)]
    penalties = []
    for output in samples:
        grads = grad(output, params, create_graph=True)
        penalties.append(_total([_sum_all(g * g) for g in grads]))
    return _total(penalties) * (lam / len(penalties))


def _summed_output(outputs):
    if isinstance(outputs, Node):
        return _sum_all(outputs)
    return _total([_sum_all(o) for o in _flatten(outputs)])


def _per_sample_outputs(outputs) -> list:
    """One scalar node per sample: Tensor rows (summed over the other axes), or Values."""
    if isinstance(outputs, Tensor):
        if outputs.ndim == 0:
            return [outputs]
        return [outputs[i].sum() for i in range(outputs.shape[0])]
    if isinstance(outputs, Node):
        return [outputs]
    return [_summed_output(o) for o in outputs]


# ----------------------------------------------------------------------------------------
# lookup by name
# ----------------------------------------------------------------------------------------
_REGISTRY: dict[str, Callable] = {
    "mse": mse,
    "mean_squared_error": mse,
    "mae": mae,
    "mean_absolute_error": mae,
    "binary_crossentropy": binary_crossentropy,
    "bce": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "cce": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge,
}


def get(loss: str | Callable, **options) -> Callable:
    """A loss function by (Keras) name, optionally with settings; callables pass through.

    >>> f = get("binary_crossentropy", from_logits=True)
    >>> round(f(Tensor([0.0]), [1.0]).item(), 4)   # log 2
    0.6931
    """
    if callable(loss):
        return _with_options(loss, options)
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a name or a function, got {loss!r}")
    key = loss.lower().replace("-", "_")
    if key not in _REGISTRY:
        raise ValueError(unknown_name("loss", loss, _REGISTRY))
    return _with_options(_REGISTRY[key], options)


def _with_options(function: Callable, options: dict) -> Callable:
    if not options:
        return function

    def configured(y_pred, y_true, **more):
        return function(y_pred, y_true, **{**options, **more})

    configured.__name__ = getattr(function, "__name__", "loss")
    configured.__doc__ = function.__doc__
    return configured
