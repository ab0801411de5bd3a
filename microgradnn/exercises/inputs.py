"""Inputs for the hidden checks: the lecture's own numbers first, then Hypothesis examples.

A spec describes the inputs: sizes (``dims``) shared between arrays, then each input as
``("float", low, high)``, ``("array", ("n", "i"), low, high)`` or ``("int", low, high)``.
Hypothesis draws examples and shrinks a failure to a small one, so the feedback shows simple
numbers. Without Hypothesis installed, seeded numpy random inputs are used instead.

>>> seen = []
>>> for_all(lambda x: seen.append(x), {"x": ("float", -1.0, 1.0)}, fixed=[{"x": 0.5}], n=3)
>>> seen[0], len(seen) >= 2
(0.5, True)
"""

from __future__ import annotations

import time

import numpy as np

SHRINK_SECONDS = 1.0


def for_all(test, spec: dict, *, dims: dict | None = None, fixed=(), n: int = 25, seed: int = 0):
    """Call ``test(**inputs)`` on each fixed case, then on ``n`` drawn cases."""
    for case in fixed:
        test(**case)
    if n <= 0:
        return
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        rng = np.random.default_rng(seed)
        for _ in range(n):
            test(**_numpy_case(spec, dims or {}, rng))
        return
    _hypothesis_run(test, spec, dims or {}, n)


def _numpy_case(spec, dims, rng) -> dict:
    sizes = {name: int(rng.integers(low, high + 1)) for name, (low, high) in dims.items()}
    case = {}
    for name, (kind, *args) in spec.items():
        if kind == "float":
            case[name] = float(rng.uniform(*args))
        elif kind == "int":
            case[name] = int(rng.integers(args[0], args[1] + 1))
        else:
            shape = tuple(sizes[d] if isinstance(d, str) else d for d in args[0])
            case[name] = rng.uniform(args[1], args[2], size=shape)
    return case


def _strategy(spec, dims):
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    def floats(low, high):
        return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)

    def inputs(sizes):
        parts = {}
        for name, (kind, *args) in spec.items():
            if kind == "float":
                parts[name] = floats(*args)
            elif kind == "int":
                parts[name] = st.integers(*args)
            else:
                shape = tuple(sizes[d] if isinstance(d, str) else d for d in args[0])
                parts[name] = hnp.arrays(np.float64, shape, elements=floats(args[1], args[2]))
        return st.fixed_dictionaries(parts)

    sizes = st.fixed_dictionaries({k: st.integers(lo, hi) for k, (lo, hi) in dims.items()})
    return sizes.flatmap(inputs)


def _hypothesis_run(test, spec, dims, n):
    from hypothesis import HealthCheck, Verbosity, given, settings

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: feedback a student can reproduce
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(_strategy(spec, dims))
    def run(case):
        # Shrinking to a small failing example is worth about a second, not a student's
        # whole time limit: after that, every call repeats the smallest failure seen so far.
        if failure and time.monotonic() - failure[0] > SHRINK_SECONDS:
            raise failure[1]
        try:
            test(**case)
        except Exception as error:
            failure[:] = [failure[0] if failure else time.monotonic(), error]
            raise

    failure: list = []
    run()
