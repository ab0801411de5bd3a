"""Keras-style training: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, callbacks.

The same functions are methods of every model (``model.fit(...)`` calls ``train.fit(model,
...)``), so the lecture's Keras workflow works as is:

>>> import numpy as np
>>> from microgradnn import nn, data
>>> x, y = data.make_moons(200, noise=0.1, seed=0)
>>> model = nn.Sequential([nn.Dense(2, 16, activation="tanh", seed=0),
...                        nn.Dense(16, 1, activation="sigmoid", seed=1)])
>>> _ = model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], lr=0.05)
>>> history = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0, seed=0)
>>> sorted(history.history)
['accuracy', 'loss', 'val_accuracy', 'val_loss']

What ``fit`` does, written out by hand for a scalar model (``nn.MLP`` on ``Value``), is the
loop of the first lessons. Each epoch visits the samples in a new random order; each batch
runs the forward pass, the loss, the backward pass and one optimizer step:

>>> from microgradnn import optim
>>> from microgradnn.nn import losses
>>> mlp = nn.MLP(2, [8, 1], seed=0)                  # tanh hidden layer, linear output
>>> signs = 2 * y - 1                                 # labels -1/+1 for the hinge loss
>>> opt = optim.SGD(mlp.parameters(), lr=0.05)
>>> rng = np.random.default_rng(0)
>>> for epoch in range(3):
...     order = rng.permutation(len(x))
...     for start in range(0, len(x), 20):            # mini-batches of 20 samples
...         batch = order[start:start + 20]
...         scores = [mlp(list(x[i])) for i in batch]  # one sample at a time
...         loss = losses.hinge(scores, signs[batch])
...         opt.zero_grad()
...         loss.backward()
...         opt.step()

``fit`` runs exactly this loop (``mlp.compile("sgd", "hinge", lr=0.05); mlp.fit(x, signs)``).
Scalar models build one small graph per number, so they are about a thousand times slower
than tensor models (``nn.Sequential`` of ``nn.Dense``): use them for a few hundred samples.

The package, one concern per module:

- :mod:`~microgradnn.train.config`: ``compile`` (optimizer, loss and metrics by name);
- :mod:`~microgradnn.train.loop`: ``fit``, ``evaluate``, ``predict``;
- :mod:`~microgradnn.train.steps`: one batch through a model (tensor or scalar);
- :mod:`~microgradnn.train.callbacks`: ``History``, ``EarlyStopping``, ... ;
- :mod:`~microgradnn.train.learning_rate`: ``LearningRateScheduler``, ``ReduceLROnPlateau``,
  ``lr_find``;
- :mod:`~microgradnn.train.csv_logger`: ``CSVLogger``;
- :mod:`~microgradnn.train.checkpoints`: ``save_weights``, ``load_weights``, ``ModelCheckpoint``;
- :mod:`~microgradnn.train.progress`: the lines and the bar ``fit`` prints;
- :mod:`~microgradnn.train.statistics`: ``LayerStatistics``, looking inside while training;
- :mod:`~microgradnn.train.summary`: the table of layers.

``nn`` sits below ``train`` and never imports it: importing this package hands ``compile``,
``fit``, ``evaluate``, ``predict`` and ``summary`` to ``nn.Module``
(:func:`microgradnn.nn.module.install_training_loop`), which is how ``model.fit`` finds them;
``import microgradnn`` imports this package, so every model has them.
"""

from microgradnn.nn.module import install_training_loop, is_scalar_model
from microgradnn.train.callbacks import (
    Callback,
    EarlyStopping,
    History,
    LambdaCallback,
    TerminateOnNaN,
)
from microgradnn.train.checkpoints import ModelCheckpoint, load_weights, save_weights
from microgradnn.train.config import TrainingConfig, compile
from microgradnn.train.csv_logger import CSVLogger
from microgradnn.train.learning_rate import (
    LearningRateScheduler,
    LRFinder,
    ReduceLROnPlateau,
    lr_find,
)
from microgradnn.train.live import LivePlot
from microgradnn.train.loop import evaluate, fit, predict
from microgradnn.train.statistics import LayerStatistics
from microgradnn.train.summary import summary

__all__ = [
    "compile",
    "fit",
    "evaluate",
    "predict",
    "summary",
    "is_scalar_model",
    "TrainingConfig",
    "History",
    "Callback",
    "EarlyStopping",
    "TerminateOnNaN",
    "ModelCheckpoint",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "lr_find",
    "LRFinder",
    "LambdaCallback",
    "CSVLogger",
    "LayerStatistics",
    "LivePlot",
    "save_weights",
    "load_weights",
]

install_training_loop(compile=compile, fit=fit, evaluate=evaluate, predict=predict, summary=summary)
