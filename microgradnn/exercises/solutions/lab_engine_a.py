"""Reference solution of lab_engine_a."""

DIAGNOSIS = "assigns-grad"


def expose(Scalar):
    return (lambda x: x * x + x), [3.0]
