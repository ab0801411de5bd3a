"""Test-session settings shared by all test files."""

import os

import pytest
from hypothesis import settings

# On CI, Hypothesis explores the same examples every run (a red build must be reproducible);
# locally it keeps drawing new ones, which is how it finds new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Pictures are written to files in tests; never try to open a window.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """Run numpy's BLAS on one thread: on small CI machines threads only fight each other."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it tests still run, only slower on busy machines
        yield
        return
    with threadpool_limits(1):
        yield
