"""End-to-end results for CNNs and RNNs (seeded): digits accuracy, sequence MSE, LSTM picture.

The digits CNN trains in a few seconds; the sequence runs take about 10 s each and are marked
slow: ``python -m pytest tests/test_conv_rnn_results.py -m "slow or not slow" -q -s``
(``-s`` prints the numbers).
"""

import contextlib

import numpy as np
import pytest

from microgradnn import Tensor, no_grad, optim
from microgradnn.data import load_digits, train_test_split
from microgradnn.nn import GRU, LSTM, Conv2D, Dense, Flatten, MaxPool2D, Sequential, losses
from microgradnn.nn.recurrent import lstm_cell
from microgradnn.train import LearningRateScheduler


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Small matrices + a busy 2-core machine: threaded BLAS spins and runs 5x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional (bench extra); the tests still pass, only slower
        limits = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=1)
    with limits:
        yield


def train(model, x, y, loss, epochs, lr, batch_size=32, gamma=1.0, clip=None, seed=0):
    """Minibatch Adam with an exponential learning-rate decay (a plain loop on purpose)."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    schedule = optim.ExponentialLR(optimizer, gamma=gamma)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss(model(x[batch]), y[batch]).backward()
            if clip is not None:
                optim.clip_grad_norm(model.parameters(), clip)
            optimizer.step()
        schedule.step()
    return model


def predict(model, x):
    with no_grad():
        return model(x).data


# ------------------------------------------------------------------------------- digits
def small_cnn(seed=0):
    """8x8x1 -> conv 16 -> pool -> conv 32 -> pool -> 2x2x32 -> 10 logits (~6k parameters)."""
    return Sequential(
        [
            Conv2D(1, 16, 3, padding="same", activation="relu", seed=seed),
            MaxPool2D(2),
            Conv2D(16, 32, 3, padding="same", activation="relu", seed=seed + 1),
            MaxPool2D(2),
            Flatten(),
            Dense(2 * 2 * 32, 10, seed=seed + 2),
        ]
    )


def test_small_cnn_reaches_98_percent_on_the_bundled_digits():
    """Keras style: compile, fit, evaluate (about 3 s)."""
    x, y = load_digits(flatten=False)
    x = x[..., None]  # channels last: (1797, 8, 8, 1)
    (x_train, y_train), (x_test, y_test) = train_test_split(x, y, 0.2, stratify=y, seed=0)
    model = small_cnn()
    model.compile(
        optimizer="adam",
        lr=1e-2,
        loss="sparse_categorical_crossentropy",
        loss_options={"from_logits": True},
        metrics=["accuracy"],
    )
    decay = LearningRateScheduler(lambda epoch, lr: lr * 0.75 if epoch else lr)
    model.fit(x_train, y_train, epochs=8, batch_size=32, seed=0, verbose=0, callbacks=[decay])
    _, accuracy = model.evaluate(x_test, y_test)
    print(f"\nCNN test accuracy on digits: {accuracy:.4f} ({len(y_test)} test images)")
    assert accuracy >= 0.98


# ---------------------------------------------------------------------- noisy sine waves
def noisy_sine_windows(n, steps=20, noise=0.1, seed=0):
    """Windows of sines with random phase and frequency; target = the next (noisy) value."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    frequency = rng.uniform(0.15, 0.35, size=(n, 1))
    t = np.arange(steps + 1)[None, :]
    series = np.sin(frequency * t + phase) + noise * rng.standard_normal((n, steps + 1))
    return series[:, :steps, None], series[:, steps:]


@pytest.mark.slow
@pytest.mark.parametrize("layer", [LSTM, GRU])
def test_recurrent_net_predicts_the_next_value_of_a_noisy_sine(layer):
    x_train, y_train = noisy_sine_windows(1024, seed=0)
    x_test, y_test = noisy_sine_windows(512, seed=1)
    predict_mean = float(np.mean((y_test - y_train.mean()) ** 2))
    repeat_last = float(np.mean((y_test - x_test[:, -1]) ** 2))
    model = Sequential([layer(1, 16, seed=0), Dense(16, 1, seed=1)])
    train(model, x_train, y_train, losses.mse, epochs=10, lr=1e-2, gamma=0.9, clip=1.0)
    mse = float(np.mean((predict(model, x_test) - y_test) ** 2))
    print(
        f"\n{layer.__name__} test MSE {mse:.4f}; baselines: predict the mean {predict_mean:.4f}, "
        f"repeat the last value {repeat_last:.4f}; noise floor 0.01"
    )
    assert mse < 0.5 * repeat_last
    assert mse < 0.1 * predict_mean


# --------------------------------------------------------------------- LSTM step picture
def test_one_lstm_step_draws_as_a_readable_graph(tmp_path):
    viz = pytest.importorskip("microgradnn.viz")
    lstm = LSTM(2, 3, seed=0)
    x_t = Tensor([[0.5, -1.0]], requires_grad=False, label="x_t")
    h = Tensor([[0.1, -0.2, 0.3]], requires_grad=False, label="h_prev")
    c = Tensor([[0.5, 0.5, 0.5]], requires_grad=False, label="c_prev")
    h_new, _ = lstm_cell(x_t, h, c, lstm.weight_ih, lstm.weight_hh, lstm.bias)
    out = h_new.sum()
    out.label = "sum(h)"
    out.backward()
    dot = viz.to_dot(out)
    names = ["x_t", "h_prev", "c_prev", "W_ih", "W_hh", "b", "z", "i", "f", "g", "o", "c", "h"]
    for name in names:  # every input, gate and state is a named box
        assert f"<b>{name}</b>" in dot, name
    assert "mean" in dot  # big tensors are summarized, not printed in full
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer (dot or graphviz-pure) installed")
    png = tmp_path / "lstm_step.png"
    png.write_bytes(viz.render_bytes(dot, "png"))
    from PIL import Image

    with Image.open(png) as image:
        width, height = image.size
    assert width > 1000 and height > 200  # a full graph, not an error stub
