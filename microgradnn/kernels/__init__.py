"""Fused kernels: fast ops that sit beside the calculus table, never in it.

A kernel computes what several primitives compute, as one graph node: fewer nodes means
less Python work per training step. Each kernel's docstring gives its derivative, and each
defines ``reference(*inputs)``, the composite of primitives it must equal;
``tests/test_kernels.py`` checks every kernel against its reference (value, gradient,
second derivative) and ``viz.draw(root, expand=True)`` draws the reference instead.

* :class:`Dot`        a scalar neuron's  Σ wᵢxᵢ + b            (Value)
* :class:`Affine`     a dense layer's    x @ W + b              (Tensor)
* :class:`SoftmaxCrossEntropy`  cross-entropy of softmax, gradient p - y
* :class:`Im2Col`, :class:`Col2Im`   sliding windows for convolution and pooling
* :class:`LstmGates`, :class:`LstmMemory`, :class:`LstmOutput`   one LSTM step
* :class:`GruGates`, :class:`GruOutput`   one GRU step

>>> from microgradnn import Tensor
>>> x, w = Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])
>>> AFFINE.apply(x, w).data, AFFINE.reference(x, w).data
(array([[11.]]), array([[11.]]))
"""

from microgradnn.kernels.base import Kernel, SavesForBackward
from microgradnn.kernels.cross_entropy import SoftmaxCrossEntropy
from microgradnn.kernels.dense import Affine
from microgradnn.kernels.gru import GruGates, GruOutput
from microgradnn.kernels.lstm import LstmGates, LstmMemory, LstmOutput
from microgradnn.kernels.neuron import Dot, dot_op
from microgradnn.kernels.windows import Col2Im, Im2Col

AFFINE = Affine()
LSTM_GATES, LSTM_MEMORY = LstmGates(), LstmMemory()  # LstmOutput keeps tanh(c'): one per node
GRU_OUTPUT = GruOutput()  # GruGates keeps b_n: one per node

#: Every kernel class, for the test that checks each against its reference.
KERNELS = [Dot, Affine, SoftmaxCrossEntropy, Im2Col, Col2Im]
KERNELS += [LstmGates, LstmMemory, LstmOutput, GruGates, GruOutput]

__all__ = [
    "AFFINE",
    "GRU_OUTPUT",
    "KERNELS",
    "LSTM_GATES",
    "LSTM_MEMORY",
    "Affine",
    "Col2Im",
    "Dot",
    "GruGates",
    "GruOutput",
    "Im2Col",
    "Kernel",
    "dot_op",
    "LstmGates",
    "LstmMemory",
    "LstmOutput",
    "SavesForBackward",
    "SoftmaxCrossEntropy",
]
