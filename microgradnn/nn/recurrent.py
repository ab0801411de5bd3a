"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU`` on batch-first sequences (N, T, F).

A recurrent layer applies the same *cell* at every time step, carrying a state ``h`` (and
for the LSTM a memory ``c``) from one step to the next. Here the loop is written out in
the graph: step t is a separate group of nodes fed by step t-1, so ``loss.backward()`` is
backpropagation through time and ``viz.draw`` shows every step. The cells are plain
functions (:func:`rnn_cell`, :func:`lstm_cell`, :func:`gru_cell`) so one step can be drawn
or tested on its own.

Weights are stored like a Dense layer (``x @ W``): ``weight_ih`` is (features, G*units),
``weight_hh`` is (units, G*units), with the G gate blocks side by side in PyTorch's order
(LSTM: i, f, g, o; GRU: r, z, n). PyTorch's ``weight_ih_l0`` is our ``weight_ih.T``.

>>> import numpy as np
>>> lstm = LSTM(3, 5, seed=0)                     # 3 features in, 5 units
>>> lstm(np.zeros((2, 7, 3))).shape               # last hidden state of each sequence
(2, 5)
>>> LSTM(3, 5, return_sequences=True)(np.zeros((2, 7, 3))).shape
(2, 7, 5)
"""

from __future__ import annotations

import numpy as np

from microgradnn import kernels, ops
from microgradnn.nn import activations, interop
from microgradnn.nn.layers import as_input, as_rng, initialize
from microgradnn.nn.module import Module, Parameter
from microgradnn.tensor import Tensor, stack

__all__ = ["rnn_cell", "lstm_cell", "gru_cell", "SimpleRNN", "LSTM", "GRU"]


def _named(t: Tensor, name: str, step) -> Tensor:
    """Label an intermediate result for pictures: ``h[3]`` is the hidden state at step 3."""
    t.label = name if step is None else f"{name}[{step}]"
    return t


def _gate(z: Tensor, k: int, units: int, name=None, step=None) -> Tensor:
    """Block k of the gate pre-activations (columns k*units ... (k+1)*units)."""
    block = z[:, k * units : (k + 1) * units]
    return block if name is None else _named(block, name, step)


# ----------------------------------------------------------------------------------------
# cells: one time step
# ----------------------------------------------------------------------------------------
def rnn_cell(x_t, h, weight_ih, weight_hh, bias=None, activation="tanh", step=None) -> Tensor:
    """One step of an Elman RNN: ``h' = tanh(x_t W_ih + h W_hh + b)``.

    Args:
        x_t: inputs at this step (N, F).  h: previous state (N, H).
        weight_ih: (F, H).  weight_hh: (H, H).  bias: (H,) or None.
        activation: "tanh" (default) or another name from ``nn.activations``.
        step: time index used in node labels (None: no index).

    >>> import numpy as np
    >>> h = rnn_cell(np.ones((1, 2)), np.zeros((1, 3)), np.ones((2, 3)), np.ones((3, 3)))
    >>> np.round(h.data, 3)                # tanh(1 + 1)
    array([[0.964, 0.964, 0.964]])
    """
    x_t, h = as_input(x_t), as_input(h)
    z = x_t @ weight_ih + h @ weight_hh
    if bias is not None:
        z = z + bias
    return _named(activations.get(activation)(_named(z, "z", step)), "h", step)


def lstm_cell(
    x_t, h, c, weight_ih, weight_hh, bias=None, step=None, fused=False
) -> tuple[Tensor, Tensor]:
    """One LSTM step (PyTorch's equations and gate order i, f, g, o)::

        z  = x_t W_ih + h W_hh + b          all four gates at once, shape (N, 4H)
        i  = σ(z_i)                          input gate: how much new content to write
        f  = σ(z_f)                          forget gate: how much old memory to keep
        g  = tanh(z_g)                       candidate content
        o  = σ(z_o)                          output gate: how much memory to show
        c' = f * c + i * g                   new memory (a sum: gradients flow through it)
        h' = o * tanh(c')                    new hidden state

    Args:
        x_t: (N, F).  h, c: (N, H).  weight_ih: (F, 4H).  weight_hh: (H, 4H).  bias: (4H,).
        step: time index used in node labels.
        fused: False (default): every line above is its own graph node (~17 nodes, each
            gate drawn with its name). True: the same numbers from three fused nodes,
            ``gates`` = [i, f, g, o] (with both matmuls), ``c`` and ``h``
            (:class:`~microgradnn.kernels.LstmGates`, ``LstmMemory``, ``LstmOutput``): less
            Python work per step, faster training (the ``LSTM`` layer's default).

    Returns:
        ``(h', c')``.

    >>> import numpy as np
    >>> zeros = np.zeros((1, 2))
    >>> h, c = lstm_cell(np.ones((1, 1)), zeros, zeros, np.ones((1, 8)), np.zeros((2, 8)))
    >>> round(float(c.data[0, 0]), 4)      # f*0 + σ(1) tanh(1)
    0.5568
    >>> h, c = lstm_cell(np.ones((1, 1)), zeros, zeros, np.ones((1, 8)), np.zeros((2, 8)),
    ...                  fused=True)
    >>> round(float(c.data[0, 0]), 4)      # the same number from the fused nodes
    0.5568
    """
    x_t, h, c = as_input(x_t), as_input(h), as_input(c)
    if fused:
        _check_matrix_inputs("lstm_cell", x_t, h)
        weights = [as_input(w) for w in (weight_ih, weight_hh)]
        return _fused_lstm_cell(x_t, h, c, *weights, _maybe_input(bias), step)
    units = h.shape[-1]
    z = x_t @ weight_ih + h @ weight_hh
    if bias is not None:
        z = z + bias
    _named(z, "z", step)
    i = _named(_gate(z, 0, units, "z_i", step).sigmoid(), "i", step)
    f = _named(_gate(z, 1, units, "z_f", step).sigmoid(), "f", step)
    g = _named(_gate(z, 2, units, "z_g", step).tanh(), "g", step)
    o = _named(_gate(z, 3, units, "z_o", step).sigmoid(), "o", step)
    c_new = _named(f * c + i * g, "c", step)
    h_new = _named(o * c_new.tanh(), "h", step)
    return h_new, c_new


def _fused_lstm_cell(x_t, h, c, weight_ih, weight_hh, bias, step) -> tuple[Tensor, Tensor]:
    """:func:`lstm_cell` in three nodes: gates, c' and h' (kernels.LstmGates, LstmMemory,
    LstmOutput; their docstrings give the derivatives). Takes checked Tensors: the layers
    call it at every time step, after checking their input once."""
    inputs = [x_t, weight_ih, h, weight_hh]
    if bias is not None:
        inputs.append(bias)
    gates = _named(kernels.LSTM_GATES.apply(*inputs), "gates", step)
    c_new = _named(kernels.LSTM_MEMORY.apply(gates, c), "c", step)
    h_new = _named(kernels.LstmOutput().apply(gates, c_new), "h", step)
    return h_new, c_new


def gru_cell(
    x_t, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, step=None, fused=False
) -> Tensor:
    """One GRU step (PyTorch's equations and gate order r, z, n)::

        a  = x_t W_ih + b_ih,   b = h W_hh + b_hh     both (N, 3H)
        r  = σ(a_r + b_r)                 reset gate
        z  = σ(a_z + b_z)                 update gate: 1 keeps the old state
        n  = tanh(a_n + r * b_n)          candidate; r scales the recurrent part INCLUDING b_hn
        h' = (1 - z) * n + z * h

    (Keras's ``GRU(reset_after=True)`` uses the same placement of r.)

    Args:
        x_t: (N, F).  h: (N, H).  weight_ih: (F, 3H).  weight_hh: (H, 3H).
        bias_ih, bias_hh: (3H,) or None.  step: time index used in node labels.
        fused: False (default): every line above is its own graph node (~15 nodes, each
            gate drawn with its name). True: the same numbers from two fused nodes,
            ``gates`` = [r, z, n] (with both matmuls) and ``h``
            (:class:`~microgradnn.kernels.GruGates`, ``GruOutput``): less Python work per
            step, faster training (the ``GRU`` layer's default).

    >>> import numpy as np
    >>> h = gru_cell(np.zeros((1, 1)), np.ones((1, 2)), np.zeros((1, 6)), np.zeros((2, 6)))
    >>> h.data                             # z = σ(0) = 0.5, n = 0: half the old state
    array([[0.5, 0.5]])
    >>> gru_cell(np.zeros((1, 1)), np.ones((1, 2)), np.zeros((1, 6)), np.zeros((2, 6)),
    ...          fused=True).data          # the same number from the fused nodes
    array([[0.5, 0.5]])
    """
    x_t, h = as_input(x_t), as_input(h)
    if fused:
        _check_matrix_inputs("gru_cell", x_t, h)
        weights = [as_input(w) for w in (weight_ih, weight_hh)]
        return _fused_gru_cell(x_t, h, *weights, _maybe_input(bias_ih), _maybe_input(bias_hh), step)
    units = h.shape[-1]
    a = x_t @ weight_ih
    b = h @ weight_hh
    if bias_ih is not None:
        a = a + bias_ih
    if bias_hh is not None:
        b = b + bias_hh
    r = _named((_gate(a, 0, units) + _gate(b, 0, units)).sigmoid(), "r", step)
    z = _named((_gate(a, 1, units) + _gate(b, 1, units)).sigmoid(), "z", step)
    n = _named((_gate(a, 2, units) + r * _gate(b, 2, units)).tanh(), "n", step)
    return _named((1 - z) * n + z * h, "h", step)


def _fused_gru_cell(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh, step) -> Tensor:
    """:func:`gru_cell` in two nodes: gates and h' (kernels.GruGates, GruOutput; their
    docstrings give the derivatives). Takes checked Tensors, like :func:`_fused_lstm_cell`."""
    inputs = [x_t, weight_ih, h, weight_hh]
    if bias_ih is not None or bias_hh is not None:  # both or neither: a missing one is zeros
        zeros = Tensor(np.zeros(3 * h.shape[-1], dtype=h.dtype), requires_grad=False)
        inputs += [zeros if b is None else b for b in (bias_ih, bias_hh)]
    gates = _named(kernels.GruGates().apply(*inputs), "gates", step)
    return _named(kernels.GRU_OUTPUT.apply(gates, h), "h", step)


def _maybe_input(x):
    return None if x is None else as_input(x)


def _check_matrix_inputs(who: str, x_t: Tensor, h: Tensor) -> None:
    if x_t.ndim != 2 or h.ndim != 2:
        raise ValueError(
            f"{who}(fused=True) needs x_t (N, F) and the state (N, H), got shapes "
            f"{x_t.shape} and {h.shape}"
        )


# ----------------------------------------------------------------------------------------
# layers: the cell unrolled over time
# ----------------------------------------------------------------------------------------
class _Recurrent(Module):
    """Shared machinery: weights, input checks, the time loop, outputs."""

    gates = 1  # number of gate blocks in the weight matrices
    state_names = ("h",)

    def __init__(
        self,
        input_size: int,
        units: int,
        return_sequences: bool = False,
        return_state: bool = False,
        seed=None,
        dtype="float64",
    ):
        super().__init__()
        for value, name in ((input_size, "input_size"), (units, "units")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"{type(self).__name__} needs a positive int {name}, got {value!r}"
                )
        self.input_size, self.units = int(input_size), int(units)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.dtype = np.dtype(dtype)
        rng = as_rng(seed)
        width = self.gates * self.units
        # Keras defaults: Glorot for the input kernel, orthogonal for the recurrent kernel
        # (repeated multiplication by an orthogonal matrix neither explodes nor vanishes)
        kernel = initialize("glorot_uniform", (self.input_size, width), self.input_size, width, rng)
        self.weight_ih = Parameter(kernel, dtype=self.dtype, label="W_ih")
        self.weight_hh = Parameter(
            _orthogonal_blocks(rng, self.units, self.gates), self.dtype, "W_hh"
        )

    def _check_input(self, x) -> Tensor:
        x = as_input(x, self.dtype)
        name = type(self).__name__
        if x.ndim == 2 and x.shape[-1] == self.input_size:
            raise ValueError(
                f"{name} expects sequences (N, T, {self.input_size}), got shape {x.shape}; "
                f"for a batch of one sequence use x.reshape(1, *x.shape)"
            )
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            hint = ""
            if x.ndim == 3 and x.shape[1] == self.input_size:
                hint = "; this looks features-first (N, F, T): use x.transpose(0, 2, 1)"
            raise ValueError(
                f"{name} expects batch-first sequences (N, T, F) with F = {self.input_size} "
                f"features on the last axis, got shape {x.shape}{hint}"
            )
        if x.shape[1] == 0:
            raise ValueError(f"{name} got sequences with no time steps (shape {x.shape})")
        return x

    def _initial_state(self, initial_state, batch: int) -> list[Tensor]:
        if initial_state is None:
            zeros = np.zeros((batch, self.units), dtype=self.dtype)
            return [Tensor(zeros, False, label=f"{name}_init") for name in self.state_names]
        states = [initial_state] if len(self.state_names) == 1 else list(initial_state)
        if len(states) != len(self.state_names) and not isinstance(initial_state, Tensor):
            raise ValueError(
                f"{type(self).__name__} initial_state needs {len(self.state_names)} arrays "
                f"({', '.join(self.state_names)}), got {len(states)}"
            )
        states = [as_input(s, self.dtype) for s in states]
        for name, s in zip(self.state_names, states):
            if s.shape != (batch, self.units):
                raise ValueError(
                    f"{type(self).__name__} initial state {name} must have shape "
                    f"({batch}, {self.units}), got {s.shape}"
                )
        return states

    def forward(self, x, initial_state=None):
        """Run the cell over all T steps of ``x`` (N, T, F).

        Returns the last hidden state (N, units), or every hidden state (N, T, units) when
        ``return_sequences``; with ``return_state`` also the final state(s) as a tuple
        ``(output, h)`` (LSTM: ``(output, h, c)``).
        """
        x = self._check_input(x)
        state = self._initial_state(initial_state, x.shape[0])
        outputs = []
        for t, x_t in enumerate(_time_steps(x)):
            state = self._step(x_t, state, t)
            outputs.append(state[0])
        if self.return_sequences:
            output = stack(outputs, axis=1)
        else:
            output = state[0]
        return (output, *state) if self.return_state else output

    def _step(self, x_t, state, t):
        raise NotImplementedError

    def extra_repr(self) -> str:
        text = f"{self.input_size} -> {self.units}"
        if self.return_sequences:
            text += ", return_sequences=True"
        if self.return_state:
            text += ", return_state=True"
        if not getattr(self, "fused", True):  # LSTM and GRU steps can be built unfused
            text += ", fused=False"
        return text


def _time_steps(x: Tensor) -> list[Tensor]:
    """The cell's inputs x[:, t, :] for t = 0 .. T-1.

    * Plain input data needs no graph node: slice the array (labelled ``x[t]``).
    * A sequence that a recurrent layer below just stacked (``return_sequences=True``) is
      split back into the tensors it was stacked from. Slicing it instead would give every
      slice's backward a full (N, T, F) gradient array: O(T²) work for stacked layers.
    * Any other graph tensor is sliced (one ``getitem`` node per step).
    """
    steps = x.shape[1]
    if not x.requires_grad:
        return [_named(Tensor(x.data[:, t, :], requires_grad=False), "x", t) for t in range(steps)]
    if isinstance(x.op, ops.Stack) and x.op.axis % x.ndim == 1 and len(x.parents) == steps:
        return list(x.parents)
    return [_named(x[:, t, :], "x", t) for t in range(steps)]


def _orthogonal_blocks(rng, units: int, gates: int) -> np.ndarray:
    """(units, gates*units): one random orthogonal (units x units) block per gate."""
    blocks = []
    for _ in range(gates):
        q, r = np.linalg.qr(rng.standard_normal((units, units)))
        blocks.append(q * np.sign(np.diag(r)))  # sign fix: uniformly random orthogonal
    return np.concatenate(blocks, axis=1)


class SimpleRNN(_Recurrent):
    """Elman RNN: ``h_t = tanh(x_t W_ih + h_{t-1} W_hh + b)``, unrolled over time.

    Args:
        input_size: features per time step (F).
        units: size of the hidden state (H).
        activation: "tanh" (default) or e.g. "relu".
        return_sequences: return all hidden states (N, T, H) instead of the last (N, H).
        return_state: also return the final ``h``.
        seed, dtype: for the initial weights.

    Parameters: ``weight_ih`` (F, H), ``weight_hh`` (H, H), ``bias`` (H,). PyTorch's RNN has
    two biases that are always added together; ours is their sum.

    >>> import numpy as np
    >>> SimpleRNN(2, 4, return_sequences=True, seed=0)(np.ones((3, 5, 2))).shape
    (3, 5, 4)
    """

    def __init__(self, input_size: int, units: int, activation="tanh", **options):
        super().__init__(input_size, units, **options)
        self.bias = Parameter(np.zeros(self.units), self.dtype, "b")
        self.activation = activations.name_of(activation) or "linear"

    def _step(self, x_t, state, t):
        (h,) = state
        h = rnn_cell(x_t, h, self.weight_ih, self.weight_hh, self.bias, self.activation, t)
        return [h]


class LSTM(_Recurrent):
    """Long short-term memory layer (PyTorch's gate equations), unrolled over time.

    At every step (see :func:`lstm_cell`)::

        i, f, o = σ(...), σ(...), σ(...)      gates from  z = x_t W_ih + h W_hh + b
        g       = tanh(...)
        c_t     = f * c_{t-1} + i * g
        h_t     = o * tanh(c_t)

    Args:
        input_size: features per time step (F).
        units: size of h and c (H).
        return_sequences: return all h_t (N, T, H) instead of the last (N, H).
        return_state: return ``(output, h_T, c_T)``.
        unit_forget_bias: start the forget-gate bias at 1 (Keras default), so the memory is
            kept at the beginning of training.
        fused: True (default): each step is three graph nodes, ``gates[t]`` (both matmuls
            and all four gates), ``c[t]`` and ``h[t]`` (``lstm_cell(..., fused=True)``);
            training is 1.5-2x faster than with ``fused=False``, which builds ~17 nodes
            per step with every gate labelled (``i[3]``, ``f[3]``, ...) for pictures. Same
            numbers either way (to rounding).
        seed, dtype: for the initial weights.

    Parameters: ``weight_ih`` (F, 4H), ``weight_hh`` (H, 4H), ``bias`` (4H,), gate blocks
    in the order i, f, g, o. PyTorch: ``weight_ih_l0 = weight_ih.T``,
    ``weight_hh_l0 = weight_hh.T`` and ``bias_ih_l0 + bias_hh_l0 = bias``.

    Call as ``lstm(x, initial_state=(h0, c0))`` to start from a given state.

    >>> import numpy as np
    >>> out, h, c = LSTM(1, 3, return_state=True, seed=0)(np.ones((2, 4, 1)))
    >>> out.shape, h.shape, c.shape
    ((2, 3), (2, 3), (2, 3))
    """

    gates = 4
    state_names = ("h", "c")

    def __init__(
        self,
        input_size: int,
        units: int,
        unit_forget_bias: bool = True,
        fused: bool = True,
        **options,
    ):
        super().__init__(input_size, units, **options)
        bias = np.zeros(4 * self.units)
        if unit_forget_bias:
            bias[self.units : 2 * self.units] = 1.0
        self.bias = Parameter(bias, self.dtype, "b")
        self.fused = bool(fused)

    def _step(self, x_t, state, t):
        h, c = state
        weights = (self.weight_ih, self.weight_hh, self.bias)
        if self.fused:  # forward() checked the input once: straight to the three kernels
            return list(_fused_lstm_cell(x_t, h, c, *weights, t))
        return list(lstm_cell(x_t, h, c, *weights, step=t))


class GRU(_Recurrent):
    """Gated recurrent unit (PyTorch's equations), unrolled over time.

    At every step (see :func:`gru_cell`)::

        r   = σ(x_t W_ir + b_ir + h W_hr + b_hr)
        z   = σ(x_t W_iz + b_iz + h W_hz + b_hz)
        n   = tanh(x_t W_in + b_in + r * (h W_hn + b_hn))
        h_t = (1 - z) * n + z * h_{t-1}

    Args:
        input_size: features per time step (F).
        units: size of h (H).
        return_sequences: return all h_t (N, T, H) instead of the last (N, H).
        return_state: return ``(output, h_T)``.
        fused: True (default): each step is two graph nodes, ``gates[t]`` (both matmuls
            and the three gates) and ``h[t]`` (``gru_cell(..., fused=True)``); training is
            1.5-1.8x faster than with ``fused=False``, which builds ~15 nodes per step with
            every gate labelled (``r[3]``, ``z[3]``, ...) for pictures. Same numbers either
            way (to rounding).
        seed, dtype: for the initial weights.

    Parameters: ``weight_ih`` (F, 3H), ``weight_hh`` (H, 3H), ``bias_ih`` and ``bias_hh``
    (3H,), blocks in the order r, z, n. Two biases are needed because r multiplies b_hn.

    >>> import numpy as np
    >>> GRU(2, 3, seed=0)(np.ones((4, 6, 2))).shape
    (4, 3)
    """

    gates = 3

    def __init__(self, input_size: int, units: int, fused: bool = True, **options):
        super().__init__(input_size, units, **options)
        self.bias_ih = Parameter(np.zeros(3 * self.units), self.dtype, "b_ih")
        self.bias_hh = Parameter(np.zeros(3 * self.units), self.dtype, "b_hh")
        self.fused = bool(fused)

    def _step(self, x_t, state, t):
        (h,) = state
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if self.fused:  # forward() checked the input once: straight to the two kernels
            return [_fused_gru_cell(x_t, h, *weights, t)]
        return [gru_cell(x_t, h, *weights, step=t)]


# ----------------------------------------------------------------------------------------
# PyTorch converters (used by nn.interop.to_torch / from_torch; torch is imported lazily)
# ----------------------------------------------------------------------------------------
_TORCH_NAMES = {SimpleRNN: "RNN", LSTM: "LSTM", GRU: "GRU"}
_TORCH_CLASSES: dict = {}


def _torch_wrapper_class():
    """A torch module around nn.LSTM/GRU/RNN that returns what our layer returns (the last
    state or all states; optional final states), so it can sit inside a torch Sequential."""
    if "KerasStyleRecurrent" not in _TORCH_CLASSES:
        torch = interop.import_torch()

        class KerasStyleRecurrent(torch.nn.Module):
            def __init__(self, rnn, return_sequences=False, return_state=False):
                super().__init__()
                self.rnn = rnn
                self.return_sequences, self.return_state = return_sequences, return_state

            def forward(self, x, initial_state=None):
                if isinstance(initial_state, (tuple, list)):  # LSTM: (h0, c0) as in ours
                    initial_state = tuple(s.unsqueeze(0) for s in initial_state)
                elif initial_state is not None:
                    initial_state = initial_state.unsqueeze(0)
                output, final = self.rnn(x, initial_state)
                result = output if self.return_sequences else output[:, -1]
                if not self.return_state:
                    return result
                states = final if isinstance(final, tuple) else (final,)
                return (result, *(s[0] for s in states))

        _TORCH_CLASSES["KerasStyleRecurrent"] = KerasStyleRecurrent
    return _TORCH_CLASSES["KerasStyleRecurrent"]


def _recurrent_to_torch(layer: _Recurrent):
    torch = interop.import_torch()
    dtype = getattr(torch, layer.dtype.name)
    options = dict(batch_first=True, dtype=dtype)
    if isinstance(layer, SimpleRNN):
        if layer.activation not in ("tanh", "relu"):
            raise TypeError(f"to_torch: torch RNN has no {layer.activation!r} nonlinearity")
        options["nonlinearity"] = layer.activation
    rnn = getattr(torch.nn, _TORCH_NAMES[type(layer)])(layer.input_size, layer.units, **options)
    if isinstance(layer, GRU):
        bias_ih, bias_hh = layer.bias_ih.data, layer.bias_hh.data
    else:  # one bias of ours = torch's two biases added together
        bias_ih, bias_hh = layer.bias.data, np.zeros_like(layer.bias.data)
    with torch.no_grad():
        for name, value in [
            ("weight_ih_l0", layer.weight_ih.data.T),
            ("weight_hh_l0", layer.weight_hh.data.T),
            ("bias_ih_l0", bias_ih),
            ("bias_hh_l0", bias_hh),
        ]:
            getattr(rnn, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return _torch_wrapper_class()(rnn, layer.return_sequences, layer.return_state)


def _recurrent_from_torch(module):
    """torch LSTM/GRU/RNN (one layer, one direction) or our torch wrapper -> our layer.

    A bare torch layer becomes ours with ``return_sequences=True``, the closest to torch's
    ``output`` (torch also returns the final states, which ours returns on request).
    """
    name = type(module).__name__
    flags = dict(return_sequences=True, return_state=False)
    if name == "KerasStyleRecurrent":
        flags = dict(return_sequences=module.return_sequences, return_state=module.return_state)
        module, name = module.rnn, type(module.rnn).__name__
    kinds = {torch_name: ours for ours, torch_name in _TORCH_NAMES.items()}
    if name not in kinds:
        return None
    if module.num_layers != 1 or module.bidirectional or getattr(module, "proj_size", 0):
        raise TypeError(
            f"from_torch: only one-layer, one-direction {name} converts; stack our layers "
            "with return_sequences=True for more layers"
        )
    if not module.batch_first:
        raise TypeError(f"from_torch: {name} must be batch_first=True (ours is (N, T, F))")

    def numpy(tensor):
        return tensor.detach().cpu().numpy().copy()

    weight_ih = numpy(module.weight_ih_l0)
    cls = kinds[name]
    options = dict(dtype=weight_ih.dtype.name, **flags)
    if cls is SimpleRNN:
        options["activation"] = module.nonlinearity
    layer = cls(module.input_size, module.hidden_size, **options)
    layer.weight_ih.data = weight_ih.T.copy()
    layer.weight_hh.data = numpy(module.weight_hh_l0).T.copy()
    biases = [numpy(module.bias_ih_l0), numpy(module.bias_hh_l0)] if module.bias else None
    if cls is GRU:
        zeros = np.zeros(3 * layer.units, dtype=layer.dtype)
        layer.bias_ih.data, layer.bias_hh.data = biases if biases else (zeros, zeros.copy())
    else:
        layer.bias.data = biases[0] + biases[1] if biases else np.zeros_like(layer.bias.data)
    return layer


def _register_converters() -> None:
    for cls in (SimpleRNN, LSTM, GRU):
        interop.register_converter(cls, _recurrent_to_torch, _recurrent_from_torch, None)


_register_converters()
