"""Helpers shared by the LSTM and GRU kernels: gate blocks side by side on the last axis."""

from __future__ import annotations

import functools

import numpy as np


def _sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)) = (1 + tanh(z/2)) / 2, written over z (a fresh array the
    caller owns). The tanh form never overflows (e^(-z) does, below z = -88 in float32), so
    no numpy ``errstate`` is needed to silence a warning: that Python context manager cost
    more than the four array operations."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5
    return z


def _block_width(width: int, blocks: int, name: str) -> int:
    """H, the width of one gate block, after checking that there are ``blocks`` equal ones."""
    if width % blocks:
        raise ValueError(f"{name}: z needs {blocks} equal gate blocks, got {width} columns")
    return width // blocks


@functools.lru_cache(maxsize=64)
def _tanh_block(width: int, dtype) -> np.ndarray:
    """t = 1 on the g (tanh) block of the gates, 0 on the sigmoid blocks i, f, o; made once
    per width and read-only, because every time step of every LSTM uses it."""
    units = _block_width(width, 4, "lstm_gates")
    marker = np.zeros(width, dtype=dtype)
    marker[2 * units : 3 * units] = 1.0
    marker.flags.writeable = False
    return marker


@functools.lru_cache(maxsize=64)
def _lstm_gate_scales(width: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """(s, b) such that s * tanh(s * z) + b is [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)] at once:
    s = 1/2 and b = 1/2 on the sigmoid blocks (σ(z) = tanh(z/2)/2 + 1/2), s = 1 and b = 0
    on the g block. Made once per width, read-only."""
    tanh_block = _tanh_block(width, dtype)
    scale, offset = 0.5 + 0.5 * tanh_block, 0.5 - 0.5 * tanh_block
    scale.flags.writeable = offset.flags.writeable = False
    return scale, offset


def _gate_blocks(m, gates, count: int = 4) -> list:
    """The ``count`` equal blocks of gates side by side on the last axis: i, f, g, o of an
    LSTM's (..., 4H), r, z, n of a GRU's (..., 3H) (views of arrays, nodes in a graph)."""
    units = m.shape(gates)[-1] // count
    return [m.getitem(gates, (..., slice(k * units, (k + 1) * units))) for k in range(count)]


def _units(name: str, gates, state, blocks: int = 4, state_name: str = "memory") -> int:
    """H, the width of the state (LSTM memory c, GRU hidden h), after checking that the gates
    are ``blocks`` blocks of it."""
    units = state.shape[-1]
    if gates.shape[-1] != blocks * units:
        raise ValueError(
            f"{name}: the gates need {blocks} blocks as wide as the {state_name} ({units}), "
            f"got {gates.shape[-1]} columns"
        )
    return units
