# expect: does not behave like 'assigns-grad' | would give
DIAGNOSIS = "assigns-grad"


def expose(Scalar):
    return (lambda a: a * a + a), [3.0]
