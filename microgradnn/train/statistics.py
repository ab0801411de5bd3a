"""Looking inside a network while it trains: per-layer statistics, recorded by a callback.

:class:`LayerStatistics` watches each layer of a model during ``fit`` and writes down, every
``every`` optimizer steps (or once per epoch):

- the **activations** (the layer's outputs on the training batch): mean, standard deviation,
  the fraction **saturated** (tanh and sigmoid units on their flat ends, where the slope is
  below 6% of its maximum: ``|a| > 0.97`` for tanh, ``|2a - 1| > 0.97`` for sigmoid) and the
  fraction **dead** (ReLU units that output 0 for every sample of the batch), and a sample
  of the values for histograms;
- the **gradients** of the layer's parameters: their norm ‖g‖, the gradient-to-data ratio
  ‖g‖ / ‖θ‖ and the update-to-data ratio ‖Δθ‖ / ‖θ‖, where Δθ is what the optimizer step
  really changed (norms over all the layer's parameters together).

An update-to-data ratio near 1e-3 is the usual sign of healthy learning; 1e-5 means the layer
hardly moves (vanishing gradients, or a learning rate too small); 1e-1 means every step
rewrites a tenth of the weights (too large: the run may diverge).

>>> import numpy as np
>>> from microgradnn import nn
>>> x = np.random.default_rng(0).normal(size=(32, 2)); y = x[:, :1] * x[:, 1:]
>>> model = nn.Sequential([nn.Dense(2, 8, activation="tanh", seed=0), nn.Dense(8, 1, seed=1)])
>>> stats = LayerStatistics()
>>> _ = model.compile("sgd", "mse", lr=0.1).fit(x, y, epochs=3, verbose=0, callbacks=[stats])
>>> stats.layer_names
['layer 1 (Dense, tanh)', 'layer 2 (Dense)']
>>> len(stats.history["layer 1 (Dense, tanh)"]["update_to_data"]), stats.epochs
(3, [0, 1, 2])

Draw them with ``plots.activation_histograms(stats)`` and ``plots.ratio_curves(stats)``;
``stats.reading()`` says in one line what the numbers mean.
"""

from __future__ import annotations

import math

import numpy as np

from microgradnn.engine import Node
from microgradnn.optim.optimizer import gradient_of
from microgradnn.train.callbacks import Callback

__all__ = [
    "LayerStatistics",
    "activation_statistics",
    "parameter_statistics",
    "read_statistics",
    "STATISTICS",
]

#: |t| above this is "saturated" (t = a for tanh, 2a - 1 for sigmoid): slope below 6% of max
SATURATION = 0.97
#: activation values kept per layer and record, for the histograms
SAMPLE_SIZE = 2000
STATISTICS = (
    "activation_mean",
    "activation_std",
    "saturated",
    "dead",
    "grad_norm",
    "grad_to_data",
    "update_to_data",
)


def _numbers(output) -> np.ndarray:
    """A layer's output as a float array (a Tensor, a Value, or a list of Values)."""
    if isinstance(output, Node):
        return np.asarray(output.data, dtype=np.float64)
    if isinstance(output, (list, tuple)):
        return np.array([_numbers(item) for item in output], dtype=np.float64)
    return np.asarray(output, dtype=np.float64)


def activation_statistics(a, activation: str | None) -> dict[str, float]:
    """Mean, std, fraction saturated and fraction dead of one batch of outputs ``a``
    (samples along the first axis) of a layer whose activation is ``activation``.

    ``saturated`` is NaN unless the activation is tanh or sigmoid, ``dead`` NaN unless it is
    relu: the question does not apply to other layers.

    >>> stats = activation_statistics(np.array([[0.99, 0.0], [-0.5, 0.0]]), "tanh")
    >>> stats["activation_mean"], stats["saturated"]
    (0.1225, 0.25)
    >>> activation_statistics(np.array([[0.0, 1.0], [0.0, 0.0]]), "relu")["dead"]
    0.5
    """
    a = np.asarray(a, dtype=np.float64)
    stats = {"activation_mean": float(a.mean()), "activation_std": float(a.std())}
    stats["saturated"] = stats["dead"] = math.nan
    if activation == "tanh":
        stats["saturated"] = float(np.mean(np.abs(a) > SATURATION))
    elif activation == "sigmoid":
        stats["saturated"] = float(np.mean(np.abs(2 * a - 1) > SATURATION))
    elif activation == "relu":
        units = a.reshape(len(a), -1) if a.ndim > 1 else a.reshape(-1, 1)
        stats["dead"] = float(np.mean(np.all(units == 0, axis=0)))
    return stats


def parameter_statistics(params, before: list) -> dict[str, float]:
    """‖g‖, ‖g‖/‖θ‖ and ‖Δθ‖/‖θ‖ over the parameters ``params`` of one layer, where
    ``before`` holds their values θ before the optimizer step (norms over all of them).

    >>> from microgradnn import Value
    >>> w = Value(2.0); w.grad = 0.5
    >>> before = [w.data]; w.data = 1.9          # the step moved w by 0.1
    >>> stats = parameter_statistics([w], before)
    >>> stats["grad_norm"], stats["grad_to_data"], round(stats["update_to_data"], 6)
    (0.5, 0.25, 0.05)
    """
    grad_sq = data_sq = update_sq = 0.0
    for p, old in zip(params, before):
        g = gradient_of(p)
        if g is not None:
            grad_sq += float(np.sum(np.square(g)))
        data_sq += float(np.sum(np.square(old)))  # θ where the gradient was taken
        update_sq += float(np.sum(np.square(np.asarray(p.data) - old)))
    data_norm = math.sqrt(data_sq)
    grad_norm = math.sqrt(grad_sq)
    ratio = (lambda top: top / data_norm) if data_norm > 0 else (lambda top: math.nan)
    return {
        "grad_norm": grad_norm,
        "grad_to_data": ratio(grad_norm),
        "update_to_data": ratio(math.sqrt(update_sq)),
    }


def _activation_name(module) -> str | None:
    """The activation a module ends with: ``Dense(..., activation="tanh")``, ``Activation``,
    a scalar ``Layer`` (its neurons'), or the last such sub-module."""
    name = getattr(module, "activation", None)
    if name is None and getattr(module, "neurons", None):
        name = getattr(module.neurons[0], "activation", None)
    if name is None and callable(getattr(module, "modules", None)):
        inner = [m for m in module.modules() if m is not module]
        names = [_activation_name(m) for m in inner]
        name = next((n for n in reversed(names) if n), None)
    return name if isinstance(name, str) else None


def _default_layers(model) -> list:
    layers = getattr(model, "layers", None)
    if isinstance(layers, (list, tuple)) and layers:
        return list(layers)
    return [model]


def _sample(values: np.ndarray, size: int) -> np.ndarray:
    """At most ``size`` values, evenly spaced through the batch (no randomness needed)."""
    flat = values.reshape(-1)
    if len(flat) <= size:
        return flat.copy()
    return flat[np.linspace(0, len(flat) - 1, size).astype(int)]


class LayerStatistics(Callback):
    """Record activation and gradient statistics of every layer while ``fit`` trains.

    Args:
        every: record every ``every`` optimizer steps (counted over the whole run); None
            (default) records once per epoch, on the epoch's first batch (so the first
            record shows the network as it was initialized).
        layers: the modules to watch; default: ``model.layers`` (a ``Sequential`` or an
            ``MLP``), else the model itself.
        sample_size: activation values kept per layer and record (for histograms).

    After ``fit``:

    - ``layer_names``: e.g. ``["layer 1 (Dense, tanh)", ...]`` (numbered from 1);
    - ``history[name][statistic]``: one number per record, for each name of
      :data:`STATISTICS` (``activation_mean``, ``activation_std``, ``saturated``, ``dead``,
      ``grad_norm``, ``grad_to_data``, ``update_to_data``); NaN where it does not apply
      (``dead`` for a tanh layer, gradients for a layer without parameters);
    - ``samples[name]``: one array of activation values per record (for histograms);
    - ``grad_samples[name]``: one array of the layer's parameter gradients per record;
    - ``steps`` and ``epochs``: the optimizer step (from 1) and epoch (from 0) of each record.

    The activations are caught with forward hooks (``module.register_forward_hook``), only
    on the training batches being recorded; the hooks are removed when training ends.

    >>> stats = LayerStatistics(every=10)
    >>> stats.every
    10
    """

    def __init__(self, every: int | None = None, layers=None, sample_size: int = SAMPLE_SIZE):
        if every is not None and (isinstance(every, bool) or int(every) != every or every < 1):
            raise ValueError(f"every must be a positive number of steps or None, got {every!r}")
        self.every = None if every is None else int(every)
        self.watch = None if layers is None else list(layers)
        self.sample_size = int(sample_size)

    # --- fit's hooks ----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self.layers = self.watch if self.watch is not None else _default_layers(self.model)
        activations = [_activation_name(layer) for layer in self.layers]
        self.activations = activations
        self.layer_names = [
            f"layer {i} ({type(layer).__name__}{', ' + act if act and act != 'linear' else ''})"
            for i, (layer, act) in enumerate(zip(self.layers, activations), start=1)
        ]
        self.history = {name: {key: [] for key in STATISTICS} for name in self.layer_names}
        self.samples = {name: [] for name in self.layer_names}
        self.grad_samples = {name: [] for name in self.layer_names}
        self.steps, self.epochs = [], []
        self._step, self._epoch, self._armed = 0, 0, False
        self._outputs = [[] for _ in self.layers]
        self._handles = [
            layer.register_forward_hook(self._catcher(i)) for i, layer in enumerate(self.layers)
        ]

    def on_train_end(self, logs=None):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_begin(self, batch, logs=None):
        self._step += 1
        self._armed = self._records_now(batch)
        if self._armed:
            self._outputs = [[] for _ in self.layers]
            self._before = [
                [np.array(p.data, dtype=np.float64) for p in layer.parameters()]
                for layer in self.layers
            ]

    def on_batch_end(self, batch, logs=None):
        if not self._armed:
            return
        self._armed = False
        self.steps.append(self._step)
        self.epochs.append(self._epoch)
        for i, (layer, name) in enumerate(zip(self.layers, self.layer_names)):
            self._record_layer(i, layer, name)

    # --- the work ------------------------------------------------------------------------------
    def _records_now(self, batch: int) -> bool:
        if self.every is not None:
            return self._step % self.every == 0
        return batch == 0  # the epoch's first (full-size) batch

    def _catcher(self, index: int):
        def catch(module, args, output):
            if self._armed:  # training batches being recorded only (not validation)
                self._outputs[index].append(_numbers(output))

        return catch

    def _record_layer(self, index: int, layer, name: str) -> None:
        outputs = self._outputs[index]
        if outputs:
            # scalar models run once per sample: stack those rows into one batch
            single = outputs[0].ndim <= 1 and len(outputs) > 1
            a = np.stack(outputs) if single else np.concatenate(outputs)
            stats = activation_statistics(a, self.activations[index])
            self.samples[name].append(_sample(a, self.sample_size))
        else:
            stats = dict.fromkeys(STATISTICS[:4], math.nan)
            self.samples[name].append(np.empty(0))
        params = layer.parameters()
        grads = [np.ravel(g) for g in map(gradient_of, params) if g is not None]
        gathered = np.concatenate(grads) if grads else np.empty(0)
        self.grad_samples[name].append(_sample(gathered, self.sample_size))
        if params:
            stats.update(parameter_statistics(params, self._before[index]))
        else:
            stats.update(dict.fromkeys(STATISTICS[4:], math.nan))
        for key in STATISTICS:
            self.history[name][key].append(stats[key])

    def reading(self) -> str:
        """One line saying what the last record means (see :func:`read_statistics`)."""
        return read_statistics(self)


def _power_of_ten(x: float) -> str:
    return f"1e{round(math.log10(x)):d}" if x > 0 else "0"


def read_statistics(stats: LayerStatistics) -> str:
    """A one-line reading of the last record: stalled or too-large updates, saturated or
    dead units (hidden layers: a confident output layer is fine), gradients that vanish or
    explode with depth; else that learning looks healthy.

    >>> s = LayerStatistics(); s.layer_names = ["layer 1 (Dense)", "layer 2 (Dense)"]
    >>> keys = {"saturated": [float("nan")], "dead": [float("nan")]}
    >>> s.history = {"layer 1 (Dense)": {"update_to_data": [2e-5], "grad_norm": [1e-4], **keys},
    ...              "layer 2 (Dense)": {"update_to_data": [1e-3], "grad_norm": [0.5], **keys}}
    >>> for finding in read_statistics(s).split("; "):
    ...     print(finding)
    layer 1's updates are 2e-05 of its weights: learning stalls
    layer 1's gradient is 1e-4 of layer 2's: gradients vanish on the way back
    """
    findings = []
    output_layer = stats.layer_names[-1] if len(stats.layer_names) > 1 else None
    last = {
        name: {k: v[-1] for k, v in stats.history[name].items() if v} for name in stats.layer_names
    }
    for name, numbers in last.items():
        short = name.split(" (")[0]
        ratio = numbers.get("update_to_data", math.nan)
        if ratio < 1e-4:
            findings.append(f"{short}'s updates are {ratio:.0e} of its weights: learning stalls")
        elif ratio > 3e-2:
            findings.append(
                f"{short}'s updates are {ratio:.0e} of its weights: steps too large, may diverge"
            )
        hidden = name != output_layer  # a confident output layer is not a problem
        if hidden and numbers.get("saturated", 0) > 0.5:
            findings.append(f"{numbers['saturated']:.0%} of {short}'s units are saturated")
        if hidden and numbers.get("dead", 0) > 0.5:
            findings.append(f"{numbers['dead']:.0%} of {short}'s ReLU units are dead")
    norms = [
        (name.split(" (")[0], last[name].get("grad_norm", math.nan)) for name in stats.layer_names
    ]
    norms = [(n, g) for n, g in norms if math.isfinite(g)]
    if len(norms) >= 2 and norms[-1][1] > 0:
        ratio = norms[0][1] / norms[-1][1]
        if ratio < 1e-2:
            findings.append(
                f"{norms[0][0]}'s gradient is {_power_of_ten(ratio)} of {norms[-1][0]}'s: "
                "gradients vanish on the way back"
            )
        elif ratio > 1e2:
            findings.append(
                f"{norms[0][0]}'s gradient is {_power_of_ten(ratio)} times {norms[-1][0]}'s: "
                "gradients explode on the way back"
            )
    if not findings:
        ratios = [n["update_to_data"] for n in last.values() if n.get("update_to_data", 0) > 0]
        if not ratios:
            return "no layer with parameters was recorded"
        return (
            f"updates are {min(ratios):.0e} to {max(ratios):.0e} of the weights in every "
            "layer: learning looks healthy"
        )
    return "; ".join(findings)
