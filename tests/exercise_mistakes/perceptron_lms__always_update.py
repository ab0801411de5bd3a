# expect: perceptron_update: new w is wrong | nothing may change
def perceptron_update(w, b, x, y, lr):
    return w + lr * y * x, b + lr * y


def lms_update(w, b, x, y, lr):
    error = y - (w @ x + b)
    return w + lr * error * x, b + lr * error
