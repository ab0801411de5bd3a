"""The Keras-style training loop: results that must hold, batch modes, validation, errors."""

import time

import numpy as np
import pytest

from microgradnn import data, nn, optim, train
from microgradnn.nn import losses


def moons_model(seed=0):
    return nn.Sequential(
        [
            nn.Dense(2, 32, activation="tanh", seed=seed),
            nn.Dense(32, 32, activation="tanh", seed=seed + 1),
            nn.Dense(32, 1, activation="sigmoid", seed=seed + 2),
        ]
    )


class CountSteps(train.Callback):
    def on_train_begin(self, logs=None):
        self.steps, self.sizes = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps.append(0)

    def on_batch_end(self, batch, logs=None):
        self.steps[-1] += 1
        self.sizes.append(logs["size"])


# --- results that must hold ------------------------------------------------------------------
def test_two_moons_reaches_100_percent_train_and_95_percent_test():
    x, y = data.make_moons(500, noise=0.1, seed=0)
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = data.train_val_test_split(x, y, seed=0)
    model = moons_model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], lr=0.01)
    history = model.fit(
        x_tr, y_tr, epochs=60, batch_size=32, validation_data=(x_va, y_va), verbose=0, seed=0
    )
    _, train_accuracy = model.evaluate(x_tr, y_tr)
    _, test_accuracy = model.evaluate(x_te, y_te)
    assert train_accuracy == 1.0
    assert test_accuracy >= 0.95
    assert history.history["loss"][-1] < history.history["loss"][0] / 10


@pytest.mark.slow
def test_digits_mlp_reaches_97_percent_test_accuracy_within_a_minute():
    start = time.perf_counter()
    x, y = data.load_digits()
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = data.train_val_test_split(
        x, y, (0.7, 0.15, 0.15), stratify=y, seed=0
    )
    scaler = data.Standardizer().fit(x_tr)
    x_tr, x_va, x_te = scaler.transform(x_tr), scaler.transform(x_va), scaler.transform(x_te)
    model = nn.Sequential(
        [nn.Dense(64, 128, activation="relu", init="he_normal", seed=0), nn.Dense(128, 10, seed=1)]
    )
    model.compile(
        "adam",
        "sparse_categorical_crossentropy",
        ["accuracy"],
        lr=0.001,
        loss_options={"from_logits": True},
    )
    model.fit(x_tr, y_tr, epochs=30, batch_size=32, validation_data=(x_va, y_va), verbose=0, seed=0)
    _, test_accuracy = model.evaluate(x_te, y_te)
    elapsed = time.perf_counter() - start
    print(f"digits: test accuracy {test_accuracy:.4f} in {elapsed:.1f} s")
    assert test_accuracy >= 0.97
    assert elapsed < 60


# --- batch modes -----------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size, steps", [(None, 1), (1, 23), (5, 5), (23, 1), (100, 1)])
def test_batch_modes_take_the_expected_number_of_steps(batch_size, steps):
    x, y = data.make_sine(23, seed=0)
    model = nn.Sequential([nn.Dense(1, 4, activation="tanh", seed=0), nn.Dense(4, 1, seed=1)])
    model.compile("sgd", "mse", lr=0.01)
    counter = CountSteps()
    model.fit(x, y, epochs=2, batch_size=batch_size, callbacks=[counter], verbose=0, seed=0)
    assert counter.steps == [steps, steps]
    assert sum(counter.sizes) == 2 * 23


def test_full_batch_gd_matches_the_formula():
    """One epoch of full-batch GD on linear regression = one step of w -= lr * dL/dw."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Dense(3, 1, seed=0)
    w0, b0 = model.weight.data.copy(), model.bias.data.copy()
    model.compile(optim.SGD(model.parameters(), lr=0.1), "mse")
    model.fit(x, y, epochs=1, batch_size=None, shuffle=False, verbose=0)
    residual = x @ w0 + b0 - y
    w1 = w0 - 0.1 * 2 * x.T @ residual / len(x)
    b1 = b0 - 0.1 * 2 * residual.mean(axis=0)
    assert np.allclose(model.weight.data, w1) and np.allclose(model.bias.data, b1)


def test_stochastic_gd_updates_after_every_sample_in_order():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    model = nn.Dense(2, 1, seed=0)
    w, b = model.weight.data.copy(), model.bias.data.copy()
    model.compile("sgd", "mse", lr=0.05)
    model.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    for xi, yi in zip(x, y):
        residual = xi @ w + b - yi
        w, b = w - 0.05 * 2 * np.outer(xi, residual), b - 0.05 * 2 * residual
    assert np.allclose(model.weight.data, w) and np.allclose(model.bias.data, b)


def test_scalar_mlp_fit_equals_the_hand_written_loop():
    x, y = data.make_moons(24, noise=0.1, seed=0)
    signs = 2 * y - 1
    by_fit, by_hand = nn.MLP(2, [4, 1], seed=3), nn.MLP(2, [4, 1], seed=3)
    by_fit.compile("sgd", "hinge", ["accuracy"], lr=0.1)
    by_fit.fit(x, signs, epochs=3, batch_size=8, shuffle=False, verbose=0)
    opt = optim.SGD(by_hand.parameters(), lr=0.1)
    for _ in range(3):
        for start in range(0, 24, 8):
            scores = [by_hand(list(row)) for row in x[start : start + 8]]
            loss = losses.hinge(scores, signs[start : start + 8])
            opt.zero_grad()
            loss.backward()
            opt.step()
    fitted = [p.data for p in by_fit.parameters()]
    assert fitted == pytest.approx([p.data for p in by_hand.parameters()], abs=1e-12)


def test_scalar_mlp_learns_and_predicts():
    x, y = data.make_classic("simple", 40, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    model.compile("sgd", "hinge", ["accuracy"], lr=0.1)
    history = model.fit(x, 2 * y - 1, epochs=15, batch_size=4, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.9
    scores = model.predict(x)
    assert scores.shape == (40, 1)
    assert np.mean((scores[:, 0] > 0) == (y == 1)) >= 0.9


# --- validation --------------------------------------------------------------------------------
class RecordTargets:
    """A metric that remembers the targets it was given (to see the validation part)."""

    __name__ = "recorder"

    def __init__(self):
        self.seen = []

    def __call__(self, y_true, y_pred):
        self.seen.append(np.array(y_true))
        return 0.0


def _fit_with_recorder(x, y, seed, split=0.2):
    recorder = RecordTargets()
    model = nn.Dense(1, 1, seed=0)
    model.compile("sgd", "mse", [recorder], lr=0.01)
    history = model.fit(
        x, y, epochs=1, batch_size=None, validation_split=split, verbose=0, seed=seed
    )
    return recorder.seen[-1], history  # the last call is the validation evaluation


def test_validation_split_shuffles_before_splitting_and_is_seeded():
    x = np.arange(50.0)[:, None]
    y = np.repeat([0.0, 1.0], 25)  # sorted: Keras' tail split would hold only class 1
    val_a, history = _fit_with_recorder(x, y, seed=0)
    val_b, _ = _fit_with_recorder(x, y, seed=0)
    val_c, _ = _fit_with_recorder(x, y, seed=1)
    assert len(val_a) == 10 and 0 < val_a.sum() < 10
    assert np.array_equal(val_a, val_b)
    assert set(history.history) == {"loss", "recorder", "val_loss", "val_recorder"}
    assert not np.array_equal(val_c, val_a)


def test_validation_data_is_used_as_given():
    x, y = data.make_sine(40, seed=0)
    x_val, y_val = data.make_sine(10, seed=1)
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", lr=0.01)
    history = model.fit(x, y, epochs=2, validation_data=(x_val, y_val), verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x_val, y_val))


def test_history_and_evaluate_formats():
    x, y = data.make_blobs(60, centers=3, seed=0)
    model = nn.Sequential([nn.Dense(2, 3, activation="softmax", seed=0)])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy", "f1"], lr=0.05)
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, seed=0)
    assert list(history.history) == ["loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"]
    assert all(len(v) == 3 for v in history.history.values()) and history.epoch == [0, 1, 2]
    loss, accuracy, f1 = model.evaluate(x, y)
    as_dict = model.evaluate(x, y, return_dict=True)
    assert as_dict == {"loss": loss, "accuracy": accuracy, "f1": f1}
    assert accuracy == pytest.approx(np.mean(model.predict(x).argmax(axis=1) == y))
    assert "3 epochs" in repr(history)


def test_categorical_and_logits_accuracy():
    x, y = data.make_blobs(90, centers=[[0, 0], [4, 4], [0, 4]], std=0.3, seed=0)
    model = nn.Dense(2, 3, seed=0)
    model.compile(
        "adam", "categorical_crossentropy", ["accuracy"], lr=0.1, loss_options={"from_logits": True}
    )
    history = model.fit(x, data.one_hot(y), epochs=30, verbose=0, seed=0)
    assert history.history["accuracy"][-1] > 0.9
    binary = nn.Dense(2, 1, seed=0)
    binary.compile(
        "adam", "binary_crossentropy", ["accuracy"], lr=0.1, loss_options={"from_logits": True}
    )
    x2, y2 = data.make_classic("diagonal", 80, seed=0)
    binary.fit(x2, y2, epochs=40, verbose=0, seed=0)
    logits = binary.predict(x2)[:, 0]
    assert binary.evaluate(x2, y2)[1] == pytest.approx(np.mean((logits > 0) == (y2 == 1)))


# --- predict -----------------------------------------------------------------------------------
def test_predict_is_batched_graph_free_and_keeps_the_mode():
    model = nn.Sequential(
        [nn.Dense(3, 8, activation="relu", seed=0), nn.Dropout(0.5, seed=0), nn.Dense(8, 2, seed=1)]
    )
    x = np.random.default_rng(0).normal(size=(37, 3))
    whole = model.predict(x, batch_size=None)
    assert np.array_equal(whole, model.predict(x, batch_size=5))  # dropout is off in predict
    assert model.training  # predict restored training mode
    assert all(p.grad is None for p in model.parameters())
    assert isinstance(whole, np.ndarray) and whole.shape == (37, 2)


def test_predict_accepts_plain_functions():
    assert train.predict(lambda t: t * 2.0, np.ones((3, 2))).tolist() == [[2.0, 2.0]] * 3


def test_float32_model_stays_float32():
    x, y = data.make_sine(32, seed=0)
    model = nn.Sequential(
        [
            nn.Dense(1, 8, activation="tanh", seed=0, dtype="float32"),
            nn.Dense(8, 1, seed=1, dtype="float32"),
        ]
    )
    model.compile("adam", "mse", lr=0.01)
    model.fit(x, y, epochs=2, verbose=0, seed=0)
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model.predict(x).dtype == np.float32


# --- output ------------------------------------------------------------------------------------
def test_verbose_levels(capsys):
    x, y = data.make_sine(20, seed=0)
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", ["mae"], lr=0.01)
    model.fit(x, y, epochs=3, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=3, verbose=1)  # not a terminal: one line per epoch, no bar
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/3") and "mae:" in lines[0]
    model.fit(x, y, epochs=2, verbose=2, validation_split=0.5, seed=0)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "val_loss" in lines[1]
    model.fit(x, y, epochs=2, verbose=1, progress_bar=True)
    output = capsys.readouterr().out
    assert "Epoch 2/2 - " in output and "/1 [00:" in output  # the line and the tqdm bar


def test_summary_lists_layers_shapes_and_counts():
    model = nn.Sequential([nn.Dense(64, 32, activation="relu"), nn.Dense(32, 10)])
    text = model.summary(input_shape=(64,), print_fn=None)
    assert "(None, 32)" in text and "(None, 10)" in text
    assert "2,080" in text and "330" in text and "Total params: 2,410" in text
    assert "?" in train.summary(model, print_fn=None)  # no input shape: shapes unknown
    scalar = train.summary(nn.MLP(2, [3, 1]), input_shape=(2,), print_fn=None)
    assert "(3,)" in scalar and "Total params: 13" in scalar


def test_module_methods_delegate_to_train():
    x, y = data.make_sine(10, seed=0)
    model = nn.Dense(1, 1, seed=0)
    assert model.compile("sgd", "mse", lr=0.1) is model
    assert isinstance(model.fit(x, y, verbose=0), train.History)
    assert model.training_config.loss_name == "mse"


# --- errors ------------------------------------------------------------------------------------
def _compiled():
    return nn.Dense(2, 1, seed=0).compile("sgd", "mse", lr=0.1)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"x": np.zeros((0, 2)), "y": np.zeros(0)}, ValueError, "empty"),
        ({"x": np.zeros((5, 2)), "y": np.zeros(4)}, ValueError, "same number of samples"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": -3}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"validation_split": 1.0}, ValueError, "validation_split"),
        ({"validation_split": 0.01}, ValueError, "empty training or validation"),
        ({"callbacks": [print]}, TypeError, "LambdaCallback"),
    ],
)
def test_fit_errors_are_clear(kwargs, error, message):
    arguments = {"x": np.zeros((10, 2)), "y": np.zeros(10), "verbose": 0, **kwargs}
    with pytest.raises(error, match=message):
        _compiled().fit(**arguments)


def test_not_compiled():
    with pytest.raises(RuntimeError, match="compile"):
        nn.Dense(2, 1).fit(np.zeros((3, 2)), np.zeros(3), verbose=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"loss": "mse2"}, "Did you mean 'mse'"),
        ({"loss": "binary_crossentropi"}, "Did you mean 'binary_crossentropy'"),
        ({"optimizer": "adamm"}, "Did you mean 'adam'"),
        ({"metrics": ["acuracy"]}, "Did you mean 'accuracy'"),
    ],
)
def test_unknown_names_get_a_suggestion(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.compile(nn.Dense(2, 1), **kwargs)


def test_loss_must_be_a_scalar():
    model = nn.Dense(2, 1).compile("sgd", lambda p, t: losses.mse(p, t, reduction="none"))
    with pytest.raises(ValueError, match="one number"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)


def test_fit_accepts_a_dataloader():
    x, y = data.make_sine(23, seed=0)
    loader = data.DataLoader(x, y, batch_size=5, shuffle=True, drop_last=True)
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", lr=0.01)
    counter = CountSteps()
    history = model.fit(loader, epochs=2, callbacks=[counter], verbose=0, seed=0)
    assert counter.steps == [4, 4] and len(history.epoch) == 2
    with pytest.raises(ValueError, match="already holds y"):
        model.fit(loader, y, verbose=0)


def test_scalar_multiclass_outputs():
    x, y = data.make_blobs(30, centers=[[0, 0], [3, 3], [0, 3]], std=0.3, seed=0)
    model = nn.MLP(2, [6, 3], seed=0)
    model.compile(
        "adam",
        "sparse_categorical_crossentropy",
        ["accuracy"],
        lr=0.05,
        loss_options={"from_logits": True},
    )
    history = model.fit(x, y, epochs=8, batch_size=10, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    scores = model.predict(x)
    assert scores.shape == (30, 3)
    assert model.evaluate(x, y)[1] == pytest.approx(np.mean(scores.argmax(axis=1) == y))


def test_optimizer_built_for_another_model_is_refused():
    other = nn.Dense(2, 1)
    with pytest.raises(ValueError, match="does not hold this model's parameters"):
        train.compile(nn.Dense(2, 1), optim.SGD(other.parameters(), lr=0.1), "mse")
