"""Reference solution of lab_engine_d."""

DIAGNOSIS = "overflow"


def expose(Scalar):
    return (lambda x: x.sigmoid()), [-1000.0]
