"""Reference solution of perceptron_lms."""


def perceptron_update(w, b, x, y, lr):
    predicted = 1.0 if w @ x + b >= 0 else -1.0
    if predicted != y:
        w = w + lr * y * x
        b = b + lr * y
    return w, b


def lms_update(w, b, x, y, lr):
    error = y - (w @ x + b)
    return w + lr * error * x, b + lr * error
