"""The examples in the docstrings of the nn part run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = [
    "microgradnn.functional",
    "microgradnn.optim",
    "microgradnn.nn",
    "microgradnn.nn.module",
    "microgradnn.nn.layers",
    "microgradnn.nn.scalar",
    "microgradnn.nn.activations",
    "microgradnn.nn.losses",
    "microgradnn.nn.classic",
    "microgradnn.nn.interop",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    if name != "microgradnn.nn":
        assert result.attempted > 0
