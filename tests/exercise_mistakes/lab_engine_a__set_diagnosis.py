# expect: does not behave like 'parents-in-a-set' | would give
DIAGNOSIS = "parents-in-a-set"


def expose(Scalar):
    return (lambda a: a * a), [3.0]
