"""Reference solution of lab_engine_b."""

DIAGNOSIS = "parents-in-a-set"


def expose(Scalar):
    return (lambda a: a * a), [3.0]
