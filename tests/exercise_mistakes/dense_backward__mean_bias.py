# expect: db is wrong | not the mean
"""Reference solution of dense_backward."""


def dense_backward(X, W, b, dY):
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)
