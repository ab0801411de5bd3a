# expect: does not expose engine C's bug | paths of different lengths
DIAGNOSIS = "no-topological-order"


def expose(Scalar):
    return (lambda x, y: x * y), [2.0, 3.0]
