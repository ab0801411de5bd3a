"""Pictures of networks: layer blocks for any model, or every neuron of a small MLP.

Works by duck typing, so it needs nothing from :mod:`microgradnn.nn` at import time:

* a model with ``.layers`` (``Sequential``, scalar ``MLP``) or a single layer;
* dense layers expose ``.weight`` of shape ``(in_features, out_features)`` and ``.activation``;
* scalar layers expose ``.neurons``, each with ``.w`` (list of Values), ``.b``, ``.activation``.

>>> class Dense:   # any object shaped like nn.Dense works
...     def __init__(self, n_in, n_out, activation=None):
...         import numpy as np
...         self.weight = type("W", (), {"shape": (n_in, n_out), "data": np.ones((n_in, n_out))})()
...         self.activation = activation
>>> class Model:
...     layers = [Dense(2, 3, "tanh"), Dense(3, 1)]
>>> "3 units" in network_to_dot(Model())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from microgradnn.nn.module import is_scalar_model
from microgradnn.viz.dot import GRAPH_NAME, escape, fmt

_BLOCK_COLORS = {
    "dense": "#dbeafe",
    "linear": "#dbeafe",
    "layer": "#dbeafe",
    "conv": "#dcfce7",
    "pool": "#ccfbf1",
    "activation": "#fef3c7",
    "dropout": "#f3f4f6",
    "flatten": "#f3f4f6",
    "rnn": "#ede9fe",
    "lstm": "#ede9fe",
    "gru": "#ede9fe",
}
_ACTIVATION_SYMBOL = {None: "Σ", "linear": "Σ", "sigmoid": "σ", "relu": "ReLU", "tanh": "tanh"}
POSITIVE, NEGATIVE = "#2563eb", "#dc2626"
_MUTED = "#6b7280"


@dataclass
class _Block:
    kind: str
    details: list[str]
    params: int
    width: int | None  # features coming out of this layer, when known


@dataclass
class _NeuronLayer:
    activation: str | None
    weights: np.ndarray  # (inputs, units)
    bias: np.ndarray | None = field(default=None)


def _layers_of(model) -> list:
    layers = getattr(model, "layers", None)
    if layers is not None:
        return list(layers)
    if hasattr(model, "neurons") or hasattr(model, "weight") or hasattr(model, "w"):
        return [model]
    children = getattr(model, "children", None)
    if callable(children):
        return list(children())
    raise TypeError(
        f"draw_network needs a model with .layers (Sequential, MLP) or a layer, "
        f"got {type(model).__name__}"
    )


def _activation_name(activation) -> str | None:
    if activation is None:
        return None
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", None) or type(activation).__name__


def _param_count(layer) -> int:
    counter = getattr(layer, "num_parameters", None)
    if callable(counter):
        return int(counter())
    parameters = getattr(layer, "parameters", None)
    if callable(parameters):
        return int(sum(np.size(p.data) for p in parameters()))
    if hasattr(layer, "neurons"):
        return sum(len(n.w) + 1 for n in layer.neurons)
    total = 0
    for name in ("weight", "bias"):
        tensor = getattr(layer, name, None)
        if tensor is not None:
            total += int(np.prod(tensor.shape))
    return total


def _input_width(layer) -> int | None:
    for name in ("in_features", "in_channels", "input_size"):
        value = getattr(layer, name, None)
        if isinstance(value, int):
            return value
    if hasattr(layer, "neurons") and layer.neurons:
        return len(layer.neurons[0].w)
    if hasattr(layer, "w"):
        return len(layer.w)
    weight = getattr(layer, "weight", None)
    if weight is not None and len(weight.shape) == 2:
        return int(weight.shape[0])
    return None


def _input_kind(layer) -> str:
    return "channel" if isinstance(getattr(layer, "in_channels", None), int) else "feature"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _block(layer, width: int | None) -> _Block:
    kind = type(layer).__name__
    details: list[str] = []
    out = width
    weight = getattr(layer, "weight", None)
    activation = _activation_name(getattr(layer, "activation", None))
    if hasattr(layer, "neurons"):
        out = len(layer.neurons)
        activation = _activation_name(getattr(layer.neurons[0], "activation", None))
        details.append(f"{_input_width(layer)} → {out} neurons")
    elif hasattr(layer, "w") and hasattr(layer, "b"):  # a single scalar Neuron
        out = 1
        details.append(f"{len(layer.w)} inputs → 1 neuron")
    elif weight is not None and len(weight.shape) == 2:
        out = int(weight.shape[1])
        details.append(f"{int(weight.shape[0])} → {out} units")
    elif weight is not None and len(weight.shape) == 4:  # conv (kh, kw, in, out)
        kh, kw, cin, cout = (int(n) for n in weight.shape)
        out = cout
        details.append(f"{cout} filters {kh}×{kw}, {cin} → {cout} channels")
    elif isinstance(getattr(layer, "units", None), int):
        out = layer.units
        details.append(f"{_input_width(layer)} → {out} units")
    elif isinstance(getattr(layer, "p", None), float):
        details.append(f"p = {fmt(layer.p)}")
    elif kind.lower() == "flatten":
        out = None
    if not details and kind.lower() != "activation":  # pooling, ...: their own description
        extra = getattr(layer, "extra_repr", None)
        text = extra() if callable(extra) else ""
        if text:
            details.append(text.replace("_", " "))
    if activation and kind.lower() != "activation":
        details.append(f"activation {activation}")
    elif kind.lower() == "activation":
        details.append(str(activation or "linear"))
    return _Block(kind, details, _param_count(layer), out)


def _block_color(kind: str) -> str:
    lower = kind.lower()
    for key, color in _BLOCK_COLORS.items():
        if key in lower:
            return color
    return "#f3f4f6"


def _header(rankdir: str, title: str | None) -> list[str]:
    graph = f'rankdir={rankdir} bgcolor="white" nodesep=0.25 ranksep=0.5 pad=0.2'
    if title:
        graph += f' label=<{escape(title)}> labelloc=b fontsize=13 fontname="Helvetica"'
    return [
        f"digraph {GRAPH_NAME} {{\n",
        f"\tgraph [{graph}]\n",
        '\tnode [fontname="Helvetica" fontsize=12]\n',
        '\tedge [fontname="Helvetica" fontsize=10 color="#6b7280" fontcolor="#374151" '
        "arrowsize=0.7]\n",
    ]


def _blocks_dot(model, rankdir: str) -> str:
    layers = _layers_of(model)
    width = _input_width(layers[0]) if layers else None
    blocks = []
    for layer in layers:
        block = _block(layer, width)
        blocks.append(block)
        width = block.width
    total = sum(b.params for b in blocks)
    lines = _header(rankdir, f"{type(model).__name__}: {total:,} trainable parameters")
    first_width = _input_width(layers[0]) if layers else None
    input_text = "data" if first_width is None else _plural(first_width, _input_kind(layers[0]))
    lines.append(
        f'\tinput [shape=box style="rounded,filled" fillcolor="#ffffff" color="#6b7280" '
        f"label=<<b>Input</b><br/>{escape(input_text)}>]\n"
    )
    previous, width = "input", first_width
    for i, block in enumerate(blocks):
        rows = [
            f'<tr><td bgcolor="{_block_color(block.kind)}"><b>{escape(block.kind)}</b></td></tr>'
        ]
        rows += [f"<tr><td>{escape(text)}</td></tr>" for text in block.details]
        params = f'<font color="{_MUTED}" point-size="10">{block.params:,} params</font>'
        rows.append(f"<tr><td>{params}</td></tr>")
        table = (
            '<table border="0" cellborder="0" cellspacing="0" cellpadding="3" '
            f'style="rounded" bgcolor="#ffffff">{"".join(rows)}</table>'
        )
        lines.append(
            f'\tlayer{i} [shape=box style="rounded" color="#6b7280" margin=0.05 label=<{table}>]\n'
        )
        label = f" [label=<{width}>]" if width is not None else ""
        lines.append(f"\t{previous} -> layer{i}{label}\n")
        previous, width = f"layer{i}", block.width
    label = f" [label=<{width}>]" if width is not None else ""
    lines.append(
        '\toutput [shape=box style="rounded,filled" fillcolor="#dcfce7" color="#6b7280" '
        "label=<<b>Output</b>>]\n"
    )
    lines.append(f"\t{previous} -> output{label}\n")
    lines.append("}\n")
    return "".join(lines)


# --- neuron by neuron ----------------------------------------------------------------------
def _neuron_layers(model) -> list[_NeuronLayer]:
    """Weights and activations per layer, from a scalar MLP or a stack of Dense layers."""
    result: list[_NeuronLayer] = []
    for layer in _layers_of(model):
        if hasattr(layer, "neurons"):
            weights = np.array([[float(w.data) for w in n.w] for n in layer.neurons]).T
            bias = np.array([float(n.b.data) for n in layer.neurons])
            activation = _activation_name(getattr(layer.neurons[0], "activation", None))
            result.append(_NeuronLayer(activation, weights, bias))
        elif hasattr(layer, "w") and hasattr(layer, "b"):
            weights = np.array([[float(w.data)] for w in layer.w])
            bias = np.array([float(layer.b.data)])
            result.append(_NeuronLayer(_activation_name(layer.activation), weights, bias))
        elif getattr(layer, "weight", None) is not None and len(layer.weight.shape) == 2:
            weights = np.asarray(getattr(layer.weight, "data", np.zeros(layer.weight.shape)))
            bias = getattr(layer, "bias", None)
            bias = None if bias is None else np.asarray(bias.data)
            activation = _activation_name(getattr(layer, "activation", None))
            result.append(_NeuronLayer(activation, weights, bias))
        elif type(layer).__name__.lower() == "activation" and result:
            result[-1].activation = _activation_name(layer.activation)
        elif type(layer).__name__.lower() in ("dropout",):
            continue
        else:
            raise ValueError(
                f"cannot draw a {type(layer).__name__} neuron by neuron; "
                'use draw_network(model, style="blocks")'
            )
    if not result:
        raise ValueError("the model has no layers with weights to draw")
    return result


def _shown_units(count: int, max_units: int) -> list[int | None]:
    """Indices of the units drawn; None marks the "…" placeholder for the hidden middle."""
    if count <= max_units:
        return list(range(count))
    return [*range(max_units - 2), None, count - 1]


_X_STEP, _Y_STEP = 2.2, 0.8  # inches between layers and between neurons


def _column_y(count: int, tallest: int) -> list[float]:
    """Vertical positions of ``count`` units, centred on the tallest column."""
    top = (tallest - 1) * _Y_STEP / 2
    offset = (tallest - count) * _Y_STEP / 2
    return [top - offset - i * _Y_STEP for i in range(count)]


def _neurons_dot(model, show_weights: bool, max_units: int) -> str:
    """Every neuron a circle at a fixed grid position (neato with pinned positions).

    Pinning the positions keeps x1, x2, ... in order from top to bottom, like the classic
    drawings, instead of letting the layout reorder them to reduce crossings.
    """
    layers = _neuron_layers(model)
    n_in = layers[0].weights.shape[0]
    total = sum(l.weights.size + (0 if l.bias is None else l.bias.size) for l in layers)
    sizes = " → ".join(str(n) for n in [n_in, *(l.weights.shape[1] for l in layers)])
    columns = [_shown_units(n_in, max_units)]
    columns += [_shown_units(l.weights.shape[1], max_units) for l in layers]
    tallest = max(len(c) for c in columns)
    lines = [
        f"digraph {GRAPH_NAME} {{\n",
        '\tgraph [layout=neato splines=line bgcolor="white" pad=0.3 outputorder=edgesfirst]\n',
        '\tnode [fontname="Helvetica" fontsize=10]\n',
        "\tedge [arrowsize=0.4]\n",
    ]
    scale = max((float(np.abs(l.weights).max()) for l in layers if l.weights.size), default=1.0)
    scale = scale or 1.0
    for k, units in enumerate(columns):
        x = k * _X_STEP
        ys = _column_y(len(units), tallest)
        layer = layers[k - 1] if k else None
        last = k == len(layers)
        lines.extend(_layer_nodes(k, units, x, ys, layer, last=last))
        lines.append(_layer_frame(k, x, ys, tallest, layer, last=last))
        if layer is not None:
            ends = (columns[k - 1], _column_y(len(columns[k - 1]), tallest), units, ys)
            lines.extend(_weight_edges(k, ends, layer.weights, scale, show_weights))
    bottom = _column_y(tallest, tallest)[-1] - 1.25
    middle = (len(columns) - 1) * _X_STEP / 2
    title = f"{type(model).__name__} {sizes}: {total:,} parameters"
    legend = (
        f'<br/><font point-size="10" color="{_MUTED}">edges are weights: '
        f'<font color="{POSITIVE}">blue w &gt; 0</font>, <font color="{NEGATIVE}">red w &lt; 0'
        "</font>, thicker = larger |w|</font>"
    )
    lines.append(
        f"\ttitle [shape=plaintext label=<{escape(title)}{legend}> fontsize=13 "
        f'pos="{middle:.2f},{bottom:.2f}!"]\n'
    )
    lines.append("}\n")
    return "".join(lines)


def _layer_nodes(k, units, x, ys, layer, *, last) -> list[str]:
    fill = "#ffffff" if layer is None else ("#dcfce7" if last else "#dbeafe")
    symbol = None if layer is None else _ACTIVATION_SYMBOL.get(layer.activation, layer.activation)
    fontsize = 10 if len(symbol or "") <= 4 else 8
    lines = []
    for position, (unit, y) in enumerate(zip(units, ys)):
        node, pos = f"n{k}_{position}", f'pos="{x:.2f},{y:.2f}!"'
        if unit is None:
            # a vertical ellipsis from middle dots: the "⋮" glyph is missing from common fonts
            dots = "<b>·<br/>·<br/>·</b>"
            lines.append(f"\t{node} [label=<{dots}> shape=plaintext fontsize=14 {pos}]\n")
            continue
        if layer is None:
            label = f"x{unit + 1}"
        else:
            label = escape(symbol)
            if layer.bias is not None:
                bias = escape(fmt(layer.bias[unit], 2))
                label += f'<br/><font point-size="8" color="#6b7280">b={bias}</font>'
        lines.append(
            f'\t{node} [label=<{label}> shape=circle style=filled fillcolor="{fill}" '
            f'color="#374151" width=0.55 fixedsize=true fontsize={fontsize} {pos}]\n'
        )
    return lines


def _layer_frame(k, x, ys, tallest, layer, *, last) -> str:
    """A rounded box around the column, and its title underneath."""
    if layer is None:
        title = "inputs"
    else:
        kind = "output layer" if last else f"hidden layer {k}"
        title = f"{kind}<br/>{layer.weights.shape[1]} × {escape(layer.activation or 'linear')}"
    low = _column_y(tallest, tallest)[-1]
    height = (ys[0] - ys[-1]) + 0.9
    centre = (ys[0] + ys[-1]) / 2
    return (
        f'\tframe{k} [label="" shape=box style=rounded color="#d1d5db" width=0.95 '
        f'height={height:.2f} fixedsize=true pos="{x:.2f},{centre:.2f}!"]\n'
        f'\tcaption{k} [shape=plaintext label=<{title}> fontsize=11 fontcolor="#374151" '
        f'pos="{x:.2f},{low - 0.75:.2f}!"]\n'
    )


#: Where a weight's value is written, as a fraction of the way along its edge. At 1/4 the
#: labels of one gap sit in one column, at least 0.2 inch apart for layers of up to 3 units
#: apart (0.75 dy_source + 0.25 dy_target never cancels for small integer steps).
_LABEL_AT = 0.25


def _weight_edges(k, ends, weights, scale, show_weights) -> list[str]:
    previous, previous_ys, units, ys = ends
    x_label = (k - 1 + _LABEL_AT) * _X_STEP
    lines = []
    for i, source in enumerate(previous):
        for j, target in enumerate(units):
            tail, head = f"n{k - 1}_{i}", f"n{k}_{j}"
            if source is None or target is None:
                lines.append(f'\t{tail} -> {head} [style=dotted color="#d1d5db" arrowhead=none]\n')
                continue
            w = float(weights[source, target])
            color = POSITIVE if w >= 0 else NEGATIVE
            width = 0.4 + 2.6 * min(abs(w) / scale, 1.0)
            name = f"w[{k}][{target + 1},{source + 1}]"  # as the scalar models name it
            lines.append(
                f'\t{tail} -> {head} [color="{color}" penwidth={width:.2f} '
                f'tooltip="{name} = {fmt(w, 4)}"]\n'
            )
            if show_weights:  # a small white-backed node on the edge, drawn above the lines
                y = previous_ys[i] + _LABEL_AT * (ys[j] - previous_ys[i])
                lines.append(
                    f"\tw{k}_{i}_{j} [label=<{escape(fmt(w, 2))}> shape=plaintext style=filled "
                    f'fillcolor="white" fontcolor="{color}" fontsize=8 width=0 height=0 '
                    f'margin=0.01 pos="{x_label:.2f},{y:.2f}!"]\n'
                )
    return lines


def network_to_dot(
    model,
    *,
    style: str = "auto",
    rankdir: str = "LR",
    show_weights: bool = False,
    max_units: int = 12,
) -> str:
    """DOT text of a network picture (see :func:`draw_network`).

    >>> class Neuron:
    ...     def __init__(self):
    ...         self.w = [type("V", (), {"data": 0.5})(), type("V", (), {"data": -1.0})()]
    ...         self.b = type("V", (), {"data": 0.0})()
    ...         self.activation = "tanh"
    >>> "tanh" in network_to_dot(Neuron(), style="neurons")
    True
    """
    if style not in ("auto", "blocks", "neurons"):
        raise ValueError(f'style must be "auto", "blocks" or "neurons", got {style!r}')
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 3:
        raise ValueError(f"max_units must be an int >= 3, got {max_units!r}")
    if style == "auto":
        style = "neurons" if is_scalar_model(model) else "blocks"
    if style == "neurons":
        return _neurons_dot(model, show_weights, max_units)
    return _blocks_dot(model, rankdir)


def draw_network(
    model,
    *,
    style: str = "auto",
    rankdir: str = "LR",
    show_weights: bool = False,
    max_units: int = 12,
):
    """A picture of a network, as a ``graphviz.Digraph`` (shown inline in Jupyter).

    Args:
        model: ``Sequential`` / ``MLP`` / a single layer or neuron.
        style: ``"blocks"`` (one box per layer with units, activation and parameter count),
            ``"neurons"`` (every neuron a circle, every weight an edge: blue positive, red
            negative, thicker = larger) or ``"auto"`` (neurons for scalar MLPs, else blocks).
        rankdir: ``"LR"`` (default) or ``"TB"``.
        show_weights: write each weight's value on its edge (neurons style).
        max_units: layers wider than this are drawn with "···" in the middle.

    >>> from microgradnn import nn
    >>> picture = draw_network(nn.MLP(2, [3, 1], seed=0))
    >>> "hidden layer 1" in picture.source
    True
    """
    from microgradnn.viz.picture import GraphPicture

    return GraphPicture.from_dot(
        network_to_dot(
            model, style=style, rankdir=rankdir, show_weights=show_weights, max_units=max_units
        )
    )
