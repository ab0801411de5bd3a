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
