"""Exercise to_pytorch: a microgradnn Sequential of Dense layers -> torch.nn.Sequential.

Check it with:  python -m microgradnn exercises check to_pytorch to_pytorch.py
"""

import torch


def to_torch(model):
    layers = []
    for dense in model.layers:
        linear = torch.nn.Linear(dense.in_features, dense.out_features, dtype=torch.float64)
        # TODO: copy dense.weight.data and dense.bias.data into linear (mind the shapes)
        layers.append(linear)
        # TODO: add the activation module after the layer when dense.activation is set
    return torch.nn.Sequential(*layers)
