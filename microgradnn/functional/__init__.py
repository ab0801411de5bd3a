"""Functions built on the op table: activations, softmax, one-hot, convolution and pooling.

* :mod:`microgradnn.functional.activations` -- sigmoid, tanh, relu, leaky_relu, elu, smelu,
  softplus, softmax, log_softmax, logsumexp, one_hot. Most are composites of primitives
  (softmax = exp / sum of exp); ``leaky_relu`` and ``elu`` are primitives of the op table
  (:mod:`microgradnn.ops.elementwise`), applied here.
* :mod:`microgradnn.functional.conv` -- im2col, conv2d, max/avg pooling on channels-last
  images; windows are cut by the fused kernel ``kernels.Im2Col``.

>>> from microgradnn import Tensor
>>> softmax(Tensor([[1000.0, 1000.0]])).data   # no overflow: shifted by the max first
array([[0.5, 0.5]])
"""

from microgradnn.functional.activations import (
    elu,
    leaky_relu,
    linear,
    log_softmax,
    logsumexp,
    one_hot,
    relu,
    sigmoid,
    smelu,
    softmax,
    softplus,
    tanh,
)
from microgradnn.functional.conv import (
    avg_pool2d,
    col2im,
    conv2d,
    conv_output_size,
    global_avg_pool2d,
    im2col,
    max_pool2d,
)

__all__ = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "smelu",
    "softplus",
    "softmax",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "im2col",
    "col2im",
    "conv_output_size",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "global_avg_pool2d",
]
