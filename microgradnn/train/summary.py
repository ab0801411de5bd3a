"""``summary``: a Keras-style table of a model's layers, output shapes and parameter counts.

>>> from microgradnn import nn
>>> text = summary(nn.Sequential([nn.Dense(2, 4), nn.Dense(4, 1)]), (2,), print_fn=None)
>>> text.splitlines()[0]
'Model: Sequential'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from microgradnn.engine import Node, no_grad
from microgradnn.nn.module import is_scalar_model
from microgradnn.value import Value

__all__ = ["summary"]


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
    modes = [getattr(layer, "training", None) for _, layer in rows]
    for _, layer in rows:  # evaluation mode: a batch of one must not count as data
        _set_mode(layer, False)
    with no_grad():
        current = [0.0] * int(np.prod(input_shape)) if scalar else np.zeros((1, *input_shape))
        for _, layer in rows:
            try:
                current = layer(current)
                shapes.append(_shape_text(current))
            except Exception:  # a layer that cannot run on zeros: keep the table readable
                shapes += ["?"] * (len(rows) - len(shapes))
                break
    for (_, layer), mode in zip(rows, modes):
        _set_mode(layer, mode)
    return shapes


def _set_mode(layer, training) -> None:
    if training is not None and callable(getattr(layer, "train", None)):
        layer.train(training)


def _size(arrays) -> int:
    return sum(int(np.size(getattr(a, "data", a))) for a in arrays)


def _buffers(module) -> list:
    named = getattr(module, "named_buffers", None)
    return [array for _, array in named()] if named is not None else []


def _parameter_names(model) -> str | None:
    """``w[1][1,1] … b[3][1]``: the first and last parameter names of a scalar model."""
    labels = [p.label for p in model.parameters() if getattr(p, "label", None)]
    if not labels:
        return None
    return labels[0] if len(labels) == 1 else f"{labels[0]} … {labels[-1]}"


def summary(model, input_shape: Sequence[int] | None = None, print_fn=print) -> str:
    """A table of the layers, their output shapes and parameter counts (like Keras).

    Output shapes are shown when ``input_shape`` (one sample, e.g. ``(64,)``) is given.

    >>> from microgradnn import nn
    >>> text = summary(nn.Sequential([nn.Dense(2, 4), nn.Dense(4, 1)]), (2,), print_fn=None)
    >>> print(text.splitlines()[-3])
    Total params: 17
    """
    rows = _layer_rows(model)
    counts = [_size(layer.parameters()) + _size(_buffers(layer)) for _, layer in rows]
    shapes = _output_shapes(rows, input_shape, is_scalar_model(model))
    scalar = is_scalar_model(model)
    # scalar models count layers from 1, as their parameter names do (w[l][j,i], b[l][j])
    labels = [f"{name.lower()}_{i + scalar} ({name})" for i, (name, _) in enumerate(rows)]
    width = max(28, *(len(label) + 2 for label in labels))
    line = "─" * (width + 36)
    text = [f"Model: {type(model).__name__}", line]
    text.append(f"{'Layer (type)':<{width}}{'Output shape':<22}{'Param #':>14}")
    text.append(line)
    for label, shape, count in zip(labels, shapes, counts):
        text.append(f"{label:<{width}}{shape:<22}{count:>14,}")
    trainable, fixed = _size(model.parameters()), _size(_buffers(model))
    text += [line, f"Total params: {trainable + fixed:,}", f"Trainable params: {trainable:,}"]
    named = _parameter_names(model) if scalar else None
    if named:
        text.append(f"Parameter names: {named}")
    if fixed:  # e.g. batch normalization's running statistics, as Keras counts them
        text.append(f"Non-trainable params: {fixed:,}")
    text.append(line)
    result = "\n".join(text)
    if print_fn is not None:
        print_fn(result)
    return result
