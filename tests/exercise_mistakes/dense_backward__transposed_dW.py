# expect: dW has shape | transposed
"""Reference solution of dense_backward."""


def dense_backward(X, W, b, dY):
    return dY @ W.T, dY.T @ X, dY.sum(axis=0)
