"""Learning-rate tools and run bookkeeping: ReduceLROnPlateau (callback), lr_find, CSVLogger,
set_seed."""

import copy
import csv

import numpy as np
import pytest

import microgradnn
from microgradnn import Value, data, nn, optim
from microgradnn.train import CSVLogger, ReduceLROnPlateau, lr_find


def _compiled(lr=1.0):
    return nn.Sequential([nn.Dense(1, 1, seed=0)]).compile("sgd", "mse", lr=lr)


def _stalling_losses(seed, n=80):
    rng = np.random.default_rng(seed)
    steps = rng.choice([-0.1, -1e-5, 0.0, 2e-5, 0.05], size=n, p=[0.3, 0.2, 0.2, 0.2, 0.1])
    return (5.0 + np.cumsum(steps)).tolist()


# --- ReduceLROnPlateau as a callback: Keras's counting ---------------------------------------
@pytest.mark.parity
@pytest.mark.parametrize(
    "options",
    [
        {"patience": 1},
        {"patience": 3, "factor": 0.5},
        {"patience": 2, "factor": 0.5, "cooldown": 1},
        {"patience": 2, "factor": 0.5, "cooldown": 3, "min_lr": 0.1},
        {"patience": 1, "min_delta": 1e-3, "cooldown": 2, "mode": "max"},
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_callback_counts_like_keras(options, seed):
    """Keras lowers the rate at the `patience`-th bad epoch and its cooldown of c epochs
    includes the epoch that ends it; torch tolerates `patience` bad epochs and ignores c
    whole epochs. So Keras(patience=k, cooldown=c) == torch(patience=k-1, cooldown=c-1)."""
    torch = pytest.importorskip("torch")
    values = _stalling_losses(seed)
    mode = options.get("mode", "min")
    if mode == "max":
        values = [-v for v in values]
    model = _compiled()
    callback = ReduceLROnPlateau(monitor="val_loss", **options)
    callback.set_model(model)
    callback.on_train_begin()
    weight = torch.zeros(1, requires_grad=True)
    reference = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD([weight], lr=1.0),
        mode=mode,
        factor=options.get("factor", 0.1),
        patience=options["patience"] - 1,
        threshold=options.get("min_delta", 1e-4),
        threshold_mode="abs",
        cooldown=max(options.get("cooldown", 0) - 1, 0),
        min_lr=options.get("min_lr", 0.0),
        eps=0.0,  # (Keras has no smallest change: it lowers the rate to 1e-9 and beyond)
    )
    ours, theirs = [], []
    for epoch, value in enumerate(values):
        logs = {"val_loss": value}
        callback.on_epoch_end(epoch, logs)
        reference.step(value)
        ours.append(logs["lr"])
        theirs.append(reference.get_last_lr()[0])
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)
    assert len(set(ours)) > 1


def test_callback_in_fit_lowers_the_rate_and_logs_it():
    zeros = np.zeros((16, 1))  # output b = 0 = target: the loss stays 0, no epoch improves
    model = _compiled(lr=0.8)
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    history = model.fit(zeros, zeros, epochs=6, verbose=0, callbacks=[callback])
    # epoch 1 sets the best; epochs 2, 3 are bad -> lower at 3; 4, 5 bad -> lower at 5
    assert history.history["lr"] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2]
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=2.0)


# --- lr_find ----------------------------------------------------------------------------------
def test_lr_find_brackets_the_divergence_rate_of_gradient_descent():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)) * [1.0, 2.0, 0.5]
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Sequential([nn.Dense(3, 1, seed=0)]).compile("sgd", "mse", lr=0.01)
    # full-batch gradient descent on mean squared error diverges once lr > 2 / λ_max of
    # the Hessian 2/n [X 1]ᵀ[X 1]
    design = np.hstack([x, np.ones((64, 1))])
    critical = 2 / np.linalg.eigvalsh(2 * design.T @ design / 64).max()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    finder = lr_find(model, x, y, start_lr=1e-4, end_lr=10.0, num_steps=80, batch_size=None)
    ratios = np.diff(np.log(finder.lrs))
    np.testing.assert_allclose(ratios, np.log(1e5) / 79)  # a geometric sweep
    assert finder.lrs[0] == pytest.approx(1e-4)
    assert finder.suggestion < critical < finder.lrs[-1]  # it stopped after diverging
    assert len(finder.lrs) < 80
    assert finder.smoothed[-1] > 4 * min(finder.smoothed)
    for key, value in model.state_dict().items():  # nothing learned, nothing changed
        np.testing.assert_array_equal(value, before[key])
    assert model.training_config.optimizer.lr == 0.01
    assert "start training with about" in finder.reading()


def test_lr_find_restores_the_optimizer_state():
    x = np.linspace(-1, 1, 20).reshape(-1, 1)
    model = nn.Sequential([nn.Dense(1, 1, seed=0)]).compile(optim.Adam, "mse", lr=0.01)
    model.fit(x, x, epochs=2, verbose=0)
    optimizer = model.training_config.optimizer
    moments = copy.deepcopy(optimizer.state)
    lr_find(model, x, x, num_steps=10, seed=0)
    for old, new in zip(moments, optimizer.state):
        assert old.keys() == new.keys()
        for key in old:
            np.testing.assert_array_equal(old[key], new[key])


def test_lr_finder_plot(tmp_path):
    from microgradnn import plots

    x = np.linspace(-1, 1, 32).reshape(-1, 1)
    model = nn.Sequential([nn.Dense(1, 1, seed=0)]).compile("sgd", "mse", lr=0.1)
    finder = lr_find(model, x, 3 * x, start_lr=1e-4, end_lr=10.0, num_steps=40, seed=0)
    figure = plots.lr_finder(finder, path=tmp_path / "lr.png")
    assert (tmp_path / "lr.png").stat().st_size > 0
    ax = figure.axes[0]
    assert ax.get_xscale() == "log"
    assert finder.reading() in " ".join(t.get_text() for t in figure.texts).replace("\n", " ")


# --- CSVLogger ---------------------------------------------------------------------------
def test_csv_logger_writes_the_history_row_by_row(tmp_path):
    x, y = data.make_moons(60, seed=0)
    model = nn.Sequential([nn.Dense(2, 4, activation="tanh", seed=0), nn.Dense(4, 1)])
    model.compile("adam", "mse", metrics=["mae"], lr=0.01)
    path = tmp_path / "logs" / "run.csv"
    history = model.fit(
        x, y, epochs=3, validation_split=0.2, verbose=0, callbacks=[CSVLogger(path)], seed=0
    )
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    for column, key in enumerate(rows[0][1:], start=1):
        assert [float(r[column]) for r in rows[1:]] == history.history[key]  # exact
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    assert len(rows) == 1 + 3 + 2 and rows.count(rows[0]) == 1  # one header only


# --- set_seed ----------------------------------------------------------------------------
def _seeded_run(seed):
    microgradnn.set_seed(seed)
    x, y = data.make_moons(80, noise=0.2)  # no seed anywhere below: the global one decides
    model = nn.Sequential(
        [nn.Dense(2, 8, activation="relu"), nn.Dropout(0.3), nn.Dense(8, 1, activation="sigmoid")]
    )
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], lr=0.05)
    history = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0)
    return history.history


def test_set_seed_makes_a_whole_run_repeat():
    try:
        first, second = _seeded_run(3), _seeded_run(3)
        other = _seeded_run(4)
    finally:
        microgradnn.set_seed(None)
    assert first == second
    assert first != other
    microgradnn.set_seed(None)  # back to fresh entropy: two unseeded layers differ
    assert not np.array_equal(nn.Dense(4, 4).weight.data, nn.Dense(4, 4).weight.data)
    with pytest.raises(ValueError, match="set_seed"):
        microgradnn.set_seed(-1)
    assert Value(1.0).data == 1.0
