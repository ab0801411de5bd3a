# expect: also goes wrong on the CORRECT engine | math domain error
DIAGNOSIS = "overflow"


def expose(Scalar):
    return (lambda x: x.log()), [-1.0]
