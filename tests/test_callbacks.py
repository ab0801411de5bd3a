"""Callbacks: early stopping on a real over-fitting run, NaN guard, checkpoints, schedules."""

import math
import os

import numpy as np
import pytest

from microgradnn import data, nn, optim, train
from microgradnn.nn import losses


def overfitting_setup(seed=0):
    """16 noisy samples of a sine and a 1-64-64-1 network: it memorizes the noise."""
    x, y = data.make_sine(16, noise=0.3, seed=seed)
    x_val, y_val = data.make_sine(100, noise=0.3, seed=seed + 1)
    model = nn.Sequential(
        [
            nn.Dense(1, 64, activation="tanh", seed=seed),
            nn.Dense(64, 64, activation="tanh", seed=seed + 1),
            nn.Dense(64, 1, seed=seed + 2),
        ]
    )
    model.compile("adam", "mse", lr=0.01)
    return model, (x, y), (x_val, y_val)


def fit_overfitting(callbacks=(), epochs=400):
    """Train the over-fitting setup full-batch; returns (model, history, validation data)."""
    model, (x, y), validation = overfitting_setup()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=None,
        validation_data=validation,
        callbacks=list(callbacks),
        verbose=0,
    )
    return model, history, validation


def test_the_overfitting_run_really_overfits():
    _, history, _ = fit_overfitting()
    val_loss = np.array(history.history["val_loss"])
    best = int(val_loss.argmin())
    assert best < 300 and val_loss[-1] > 1.2 * val_loss[best]
    assert history.history["loss"][-1] < history.history["loss"][best]


def test_early_stopping_stops_and_restores_the_best_weights():
    stopper = train.EarlyStopping(monitor="val_loss", patience=20, restore_best_weights=True)
    model, history, (x_val, y_val) = fit_overfitting([stopper])
    val_loss = history.history["val_loss"]
    assert stopper.stopped_epoch is not None and stopper.stopped_epoch < 399
    assert len(val_loss) == stopper.stopped_epoch + 1
    assert stopper.stopped_epoch - stopper.best_epoch == 21  # patience 20, stop on the 21st
    assert stopper.best_epoch == int(np.argmin(val_loss))
    assert model.evaluate(x_val, y_val) == pytest.approx(min(val_loss), rel=1e-12)
    assert min(val_loss) < val_loss[-1]


def test_without_restore_the_last_weights_stay():
    stopper = train.EarlyStopping(patience=20)
    model, history, (x_val, y_val) = fit_overfitting([stopper])
    assert model.evaluate(x_val, y_val) == pytest.approx(history.history["val_loss"][-1], rel=1e-12)


def _feed(callback, values, monitor="val_loss"):
    """Drive a callback with a made-up sequence of logged values; returns the stop epoch."""

    class Dummy:
        stop_training = False

        def state_dict(self):
            return {}

    callback.set_model(Dummy())
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {monitor: value})
        if callback.model.stop_training:
            return epoch
    return None


def test_early_stopping_patience_min_delta_and_mode():
    assert _feed(train.EarlyStopping(patience=0), [3, 2, 2.5, 1]) == 2
    assert _feed(train.EarlyStopping(patience=2), [3, 2, 2.5, 2.1, 1, 5, 5, 5]) == 7
    assert _feed(train.EarlyStopping(patience=1, min_delta=0.5), [3, 2.8, 2.6, 2.4]) == 2
    accuracy = train.EarlyStopping(monitor="val_accuracy", patience=1)
    assert accuracy.mode == "max"
    assert _feed(accuracy, [0.5, 0.6, 0.55, 0.58], monitor="val_accuracy") == 3


def test_early_stopping_names_a_missing_monitor():
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", lr=0.1)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(np.zeros((5, 1)), np.zeros(5), callbacks=[train.EarlyStopping()], verbose=0)
    with pytest.raises(ValueError, match="mode"):
        train.EarlyStopping(mode="up")


def test_terminate_on_nan_stops_at_the_bad_batch(capsys):
    calls = {"n": 0}

    def loss_that_breaks(y_pred, y_true):
        calls["n"] += 1
        loss = losses.mse(y_pred, y_true)
        return loss * math.nan if calls["n"] >= 7 else loss  # NaN from the 7th batch on

    x, y = data.make_sine(20, seed=0)
    model = nn.Dense(1, 1, seed=0).compile("sgd", loss_that_breaks, lr=0.01)
    guard = train.TerminateOnNaN()
    history = model.fit(x, y, epochs=10, batch_size=5, shuffle=False, callbacks=[guard], verbose=0)
    assert guard.stopped_batch == 2  # 4 batches per epoch: the 7th is batch 2 of epoch 2
    assert len(history.epoch) == 2 and calls["n"] == 7
    assert "TerminateOnNaN" in capsys.readouterr().out


def test_model_checkpoint_saves_the_best_and_loads_back(tmp_path):
    path = tmp_path / "best.npz"
    checkpoint = train.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    _, history, (x_val, y_val) = fit_overfitting([checkpoint], epochs=150)
    assert path.exists() and len(checkpoint.saved) >= 2
    assert os.listdir(tmp_path) == ["best.npz"]  # no temporary files left behind
    fresh, _, _ = overfitting_setup(seed=5)
    train.load_weights(fresh, path)
    assert fresh.evaluate(x_val, y_val) == pytest.approx(
        min(history.history["val_loss"]), rel=1e-12
    )


def test_model_checkpoint_every_epoch_with_name_fields(tmp_path):
    x, y = data.make_sine(10, seed=0)
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", lr=0.1)
    pattern = str(tmp_path / "epoch{epoch:02d}-{loss:.2f}.npz")
    model.fit(x, y, epochs=3, callbacks=[train.ModelCheckpoint(pattern)], verbose=0)
    names = sorted(os.listdir(tmp_path))
    assert [n[:7] for n in names] == ["epoch01", "epoch02", "epoch03"]


def test_weights_round_trip_for_scalar_models(tmp_path):
    source, target = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    written = train.save_weights(source, tmp_path / "mlp")
    assert written.endswith("mlp.npz")
    train.load_weights(target, written)
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a zip file", b"PK\x03\x04 truncated zip"],
)
def test_loading_a_damaged_file_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="damaged or not a .npz weights file"):
        train.load_weights(nn.Dense(1, 1), path)


def test_loading_refuses_pickled_objects(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, weight=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="damaged or not a .npz weights file"):
        train.load_weights(nn.Dense(1, 1), path)


def test_truncated_checkpoint_is_reported(tmp_path):
    path = train.save_weights(nn.Dense(4, 4, seed=0), tmp_path / "w.npz")
    content = open(path, "rb").read()
    with open(path, "wb") as stream:
        stream.write(content[: len(content) // 2])
    with pytest.raises(ValueError, match="damaged"):
        train.load_weights(nn.Dense(4, 4), path)


def test_learning_rate_scheduler_with_a_function():
    x, y = data.make_sine(10, seed=0)
    model = nn.Dense(1, 1, seed=0).compile("sgd", "mse", lr=0.8)
    scheduler = train.LearningRateScheduler(lambda epoch, lr: 0.8 * 0.5**epoch)
    history = model.fit(x, y, epochs=4, callbacks=[scheduler], verbose=0)
    assert history.history["lr"] == [0.8, 0.4, 0.2, 0.1]
    assert model.training_config.optimizer.lr == 0.1


def test_learning_rate_scheduler_with_an_optim_schedule():
    x, y = data.make_sine(10, seed=0)
    model = nn.Dense(1, 1, seed=0)
    opt = optim.SGD(model.parameters(), lr=1.0)
    model.compile(opt, "mse")
    schedule = train.LearningRateScheduler(optim.StepLR(opt, step_size=2, gamma=0.5))
    history = model.fit(x, y, epochs=5, callbacks=[schedule], verbose=0)
    assert history.history["lr"] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_bad_schedules():
    with pytest.raises(TypeError, match="schedule"):
        train.LearningRateScheduler(0.1)
    x, y = data.make_sine(4, seed=0)
    model = nn.Dense(1, 1).compile("sgd", "mse")
    with pytest.raises(ValueError, match="invalid learning rate"):
        model.fit(x, y, callbacks=[train.LearningRateScheduler(lambda e, lr: -1.0)], verbose=0)


def test_callback_protocol_order_and_stop_training():
    events = []

    class Recorder(train.Callback):
        def on_train_begin(self, logs=None):
            events.append(("train_begin", self.params["epochs"], self.params["steps"]))

        def on_epoch_begin(self, epoch, logs=None):
            events.append(("epoch_begin", epoch))

        def on_batch_end(self, batch, logs=None):
            events.append(("batch", batch))

        def on_epoch_end(self, epoch, logs=None):
            events.append(("epoch_end", epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            events.append(("train_end",))

    x, y = data.make_sine(6, seed=0)
    model = nn.Dense(1, 1).compile("sgd", "mse", ["mae"])
    model.fit(x, y, epochs=5, batch_size=3, callbacks=[Recorder()], verbose=0)
    assert events == [
        ("train_begin", 5, 2),
        ("epoch_begin", 0),
        ("batch", 0),
        ("batch", 1),
        ("epoch_end", 0, ["loss", "mae"]),
        ("epoch_begin", 1),
        ("batch", 0),
        ("batch", 1),
        ("epoch_end", 1, ["loss", "mae"]),
        ("train_end",),
    ]


def test_lambda_callback(capsys):
    x, y = data.make_sine(6, seed=0)
    model = nn.Dense(1, 1).compile("sgd", "mse")
    printer = train.LambdaCallback(on_epoch_end=lambda epoch, logs: print(f"done {epoch}"))
    model.fit(x, y, epochs=2, callbacks=[printer], verbose=0)
    assert capsys.readouterr().out.split() == ["done", "0", "done", "1"]
