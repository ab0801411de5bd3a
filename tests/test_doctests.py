"""Every docstring example in the package runs and prints what it claims."""

import doctest
import importlib
import pkgutil

import pytest

import microgradnn

# scripts that are not part of the importable API (make_digits needs scikit-learn)
SKIP = {"microgradnn.datasets.make_digits", "microgradnn.__main__"}

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(microgradnn.__path__, prefix="microgradnn.")
    if info.name not in SKIP
)


def test_the_module_list_is_not_empty():
    assert "microgradnn.engine" in MODULES and "microgradnn.nn.layers" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
