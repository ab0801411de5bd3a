"""Helpers shared by the LSTM and GRU kernels: gate blocks side by side on the last axis."""

from __future__ import annotations

import functools

import numpy as np


def _sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), written over z (a fresh array the caller owns)."""
    np.negative(z, out=z)
    with np.errstate(over="ignore"):  # e^(-z) = inf for very negative z: σ -> 0, right
        np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


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
