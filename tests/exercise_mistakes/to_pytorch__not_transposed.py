# expect: layer 0: Linear.weight | copy W.T
"""Reference solution of to_pytorch."""

import torch

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def to_torch(model):
    layers = []
    for dense in model.layers:
        linear = torch.nn.Linear(dense.in_features, dense.out_features, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.from_numpy(dense.weight.data).reshape(dense.out_features, dense.in_features)
            )
            linear.bias.copy_(torch.from_numpy(dense.bias.data))
        layers.append(linear)
        if dense.activation:
            layers.append(ACTIVATIONS[dense.activation]())
    return torch.nn.Sequential(*layers)
