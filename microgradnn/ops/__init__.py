"""The op table: every primitive operation, defined once (forward + local derivative).

Each op is a small class with two methods:

``forward(m, *xs)``
    computes the output from the inputs' data, using the math backend ``m``.

``backward(m, g, out, xs, needs)``
    applies the chain rule: given the upstream gradient ``g`` = d(loss)/d(out), returns one
    gradient per input, d(loss)/d(x_i) = g * d(out)/d(x_i). ``needs[i]`` says whether input i
    needs a gradient at all (so expensive work such as a matmul can be skipped).

The formulas use ordinary operators (``+ - * / @ **``) and the functions of the backend
``m`` (see :mod:`microgradnn.backends` for the interface). With floats or arrays they give
numbers; with graph nodes (``create_graph=True``) they build a graph, so one formula serves
first and higher derivatives. Broadcasting is undone once, by the engine, not in each op.

Where to find an op's derivative (the operator you typed -> the module):

* ``+ - * / ** @`` and unary ``-``  -> :mod:`microgradnn.ops.arithmetic`
* ``exp log sqrt tanh sigmoid relu ...`` -> :mod:`microgradnn.ops.elementwise`
* ``sum mean max``                   -> :mod:`microgradnn.ops.reductions`
* ``reshape transpose [] cat stack`` -> :mod:`microgradnn.ops.shape`

Fused fast ops (a dense layer's ``x @ W + b``, softmax cross-entropy, LSTM/GRU steps,
im2col) are not primitives: they live in :mod:`microgradnn.kernels`, each with the
composite of primitives it must equal.

Read an op like a line of a calculus table, e.g. :class:`Mul`:
``d(a*b)/da = b`` and ``d(a*b)/db = a``, so ``backward`` returns ``(g * b, g * a)``.

>>> from microgradnn import Value
>>> MUL.apply(Value(3.0), Value(4.0)).data
12.0
"""

from microgradnn.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, PowConst, Sub
from microgradnn.ops.base import OP_TABLE, Op
from microgradnn.ops.elementwise import (
    Abs,
    Cos,
    Elu,
    Exp,
    LeakyRelu,
    Log,
    Maximum,
    Minimum,
    Relu,
    Sigmoid,
    Sin,
    Sqrt,
    Tanh,
    Where,
)
from microgradnn.ops.reductions import Max, Mean, Sum
from microgradnn.ops.shape import (
    BroadcastTo,
    Cast,
    Concatenate,
    GetItem,
    Reshape,
    ScatterAdd,
    Stack,
    SumTo,
    Transpose,
)

# Shared instances of the ops that carry no parameters (one object, many nodes).
ADD, SUB, MUL, DIV, NEG, POW, MATMUL = Add(), Sub(), Mul(), Div(), Neg(), Pow(), MatMul()
EXP, LOG, SQRT, TANH, SIGMOID = Exp(), Log(), Sqrt(), Tanh(), Sigmoid()
RELU, ABS, SIN, COS, MAXIMUM, MINIMUM = Relu(), Abs(), Sin(), Cos(), Maximum(), Minimum()

__all__ = [
    "ABS",
    "ADD",
    "COS",
    "DIV",
    "EXP",
    "LOG",
    "MATMUL",
    "MAXIMUM",
    "MINIMUM",
    "MUL",
    "NEG",
    "OP_TABLE",
    "POW",
    "RELU",
    "SIGMOID",
    "SIN",
    "SQRT",
    "SUB",
    "TANH",
    "Abs",
    "Add",
    "BroadcastTo",
    "Cast",
    "Concatenate",
    "Cos",
    "Div",
    "Elu",
    "Exp",
    "GetItem",
    "LeakyRelu",
    "Log",
    "MatMul",
    "Max",
    "Maximum",
    "Mean",
    "Minimum",
    "Mul",
    "Neg",
    "Op",
    "Pow",
    "PowConst",
    "Relu",
    "Reshape",
    "ScatterAdd",
    "Sigmoid",
    "Sin",
    "Sqrt",
    "Stack",
    "Sub",
    "Sum",
    "SumTo",
    "Tanh",
    "Transpose",
    "Where",
]
