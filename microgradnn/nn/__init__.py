"""Neural-network building blocks: modules, layers, scalar models, activations, losses.

>>> import numpy as np
>>> from microgradnn import nn
>>> model = nn.Sequential([nn.Dense(2, 4, activation="relu", seed=0), nn.Dense(4, 1, seed=0)])
>>> model(np.zeros((3, 2))).shape
(3, 1)

Scalar models on ``Value`` for the first lessons: ``nn.Neuron``, ``nn.Layer``, ``nn.MLP``.
Losses live in ``nn.losses`` and activations by name in ``nn.activations``.
"""

from microgradnn.nn import activations, interop, losses
from microgradnn.nn import conv as _conv
from microgradnn.nn import recurrent as _recurrent
from microgradnn.nn.classic import Adaline, Perceptron
from microgradnn.nn.interop import from_torch, register_converter, to_torch
from microgradnn.nn.layers import (
    INITIALIZERS,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Linear,
    Sequential,
    initialize,
)
from microgradnn.nn.module import Module, Parameter, count_parameters
from microgradnn.nn.normalization import BatchNormalization, LayerNormalization
from microgradnn.nn.scalar import MLP, Layer, Neuron

__all__ = [
    "Module",
    "Parameter",
    "count_parameters",
    "Neuron",
    "Layer",
    "MLP",
    "Dense",
    "Linear",
    "Activation",
    "Dropout",
    "Flatten",
    "Sequential",
    "BatchNormalization",
    "LayerNormalization",
    "initialize",
    "INITIALIZERS",
    "Perceptron",
    "Adaline",
    "activations",
    "losses",
    "interop",
    "to_torch",
    "from_torch",
    "register_converter",
    *_conv.__all__,
    *_recurrent.__all__,
]

from microgradnn.nn.conv import *  # noqa: F401,F403,E402
from microgradnn.nn.recurrent import *  # noqa: F401,F403,E402
