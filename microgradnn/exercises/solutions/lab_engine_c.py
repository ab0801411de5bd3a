"""Reference solution of lab_engine_c."""

DIAGNOSIS = "no-topological-order"


def expose(Scalar):
    def f(x, y):
        q = x * y
        return q + q.tanh()

    return f, [0.5, 1.5]
