"""Broken-engine lab D: which classic bug does mystery engine D have?

Read the lab:   python -m microgradnn exercises show lab_engine_d
Check it with:  python -m microgradnn exercises check lab_engine_d lab_engine_d.py
"""

from microgradnn.exercises import labs

Scalar = labs.mystery_engine("D")
# Probe it, e.g.:  labs.check_function(Scalar, lambda a, b: a * b, 2.0, 3.0)

DIAGNOSIS = None  # TODO: "assigns-grad", "no-topological-order", "parents-in-a-set" or "overflow"


def expose(Scalar):
    """(f, inputs) on which this engine goes wrong and a correct engine does not."""

    def f(a):
        return a + 1.0  # TODO: an expression that shows the bug

    return f, [1.0]
