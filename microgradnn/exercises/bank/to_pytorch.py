"""Exercise 12: export a microgradnn Dense network to PyTorch (weights transposed)."""

import numpy as np

from microgradnn.exercises.feedback import Skip, Wrong, check_array
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 12 (from here to PyTorch). Write `to_torch(model)`: given a microgradnn
`nn.Sequential` of `nn.Dense` layers, return a `torch.nn.Sequential` computing the same
function, in float64.

    ours:   Dense.weight W is (in, out) and computes  x W + b
    torch:  Linear.weight is (out, in) and computes   x Wᵀ + b      -> copy W.T

Each Dense layer has `in_features`, `out_features`, `weight.data`, `bias.data` and
`activation` (None, "relu", "tanh" or "sigmoid"); after a layer with an activation add the
matching torch module (torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid()).
Copy the numbers inside `with torch.no_grad():` (e.g. `linear.weight.copy_(...)`).

This exercise needs PyTorch (pip install torch); without it the check is skipped.
(microgradnn.nn.interop.to_torch does this for every layer type: compare afterwards.)
"""

ACTIVATIONS = (None, "relu", "tanh", "sigmoid")


def _model(sizes, activations, seed):
    from microgradnn import nn

    layers = [
        nn.Dense(a, b, activation=act, seed=seed + i)
        for i, (a, b, act) in enumerate(zip(sizes, sizes[1:], activations))
    ]
    for layer in layers:  # non-zero biases, so forgetting them shows
        layer.bias.data[...] = np.linspace(-0.5, 0.5, layer.out_features)
    return nn.Sequential(layers)


def _linears(torch, module):
    return [m for m in module.modules() if isinstance(m, torch.nn.Linear)]


def check(student):
    try:
        import torch
    except ImportError:
        raise Skip("torch is not installed: pip install torch, then check again") from None
    function = student.function("to_torch")

    def test(sizes, codes, seed, X):
        sizes = [int(s) for s in sizes]
        activations = [ACTIVATIONS[int(c) % 4] for c in codes[: len(sizes) - 1]]
        model = _model(sizes, activations, seed)
        described = f"Dense sizes {sizes}, activations {activations}"
        result = function(model)
        if not isinstance(result, torch.nn.Module):
            raise Wrong(
                f"to_torch should return a torch.nn.Module, got {type(result).__name__}",
                [described],
                hint="return torch.nn.Sequential(*layers)",
            )
        linears = _linears(torch, result)
        if len(linears) != len(model.layers):
            raise Wrong(
                f"expected {len(model.layers)} torch.nn.Linear layers, found {len(linears)}",
                [described],
                hint="one Linear per Dense layer",
            )
        for i, (dense, linear) in enumerate(zip(model.layers, linears)):
            W = dense.weight.data
            check_array(
                linear.weight.detach().numpy(),
                W.T,
                f"layer {i}: Linear.weight",
                on_input=described,
                hint="torch's weight is (out, in): copy W.T",
            )
            check_array(
                linear.bias.detach().numpy(),
                dense.bias.data,
                f"layer {i}: Linear.bias",
                on_input=described,
                hint="copy the bias too",
            )
        X = X[:, : sizes[0]]
        with torch.no_grad():
            out = result(torch.from_numpy(X.copy()))
        if out.dtype != torch.float64:
            raise Wrong(
                f"the torch model computes in {out.dtype}, expected torch.float64",
                [described],
                hint="torch.nn.Linear(..., dtype=torch.float64)",
            )
        check_array(
            out.numpy(),
            model(X).data,
            "the torch model's output",
            on_input=described,
            hint=f"the activations after each layer: {activations}",
            rtol=1e-9,
        )

    X = np.random.default_rng(0).uniform(-2, 2, size=(5, 4))
    fixed = [
        dict(sizes=[3, 4, 2], codes=[1, 0], seed=0, X=X),
        dict(sizes=[4, 3, 3, 1], codes=[2, 3, 0], seed=1, X=X),
    ]
    spec = {
        "sizes": ("array", ("layers",), 1, 4.99),
        "codes": ("array", (3,), 0, 3.99),
        "seed": ("int", 0, 50),
        "X": ("array", (3, 4), -2.0, 2.0),
    }
    for_all(
        lambda sizes, **kw: test(np.floor(sizes), np.floor(kw.pop("codes")), **kw),
        spec,
        dims={"layers": (2, 4)},
        fixed=fixed,
        n=6,
    )


EXERCISE = Exercise(
    name="to_pytorch",
    section=12,
    title="export a Dense network to PyTorch (checks need torch)",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("your torch model computes exactly what the microgradnn model computes",),
    needs=("torch",),
    time_limit=30.0,  # importing torch alone takes seconds
)
