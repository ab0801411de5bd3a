# expect: lms_update: new w is wrong | target minus output
def perceptron_update(w, b, x, y, lr):
    if (1.0 if w @ x + b >= 0 else -1.0) != y:
        return w + lr * y * x, b + lr * y
    return w, b


def lms_update(w, b, x, y, lr):
    error = (w @ x + b) - y
    return w + lr * error * x, b + lr * error
