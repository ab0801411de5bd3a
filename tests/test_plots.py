"""Plots: they render to PNG, show the right things, and the learning-curve reading is right."""

import subprocess
import sys

import numpy as np
import pytest

from microgradnn import data, nn, plots

matplotlib = pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


def _png_ok(path, min_width=300):
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width >= min_width
        pixels = np.asarray(image.convert("L"))
    assert pixels.std() > 10  # not a blank picture


# --- the reading of learning curves ------------------------------------------------------------
EPOCHS = np.arange(50)
SHAPES = {
    "over-fitting": {
        "loss": 1.0 / (1 + EPOCHS),
        "val_loss": 0.4 + 0.0004 * (EPOCHS - 15) ** 2,
    },
    "not converged": {"loss": 1.0 - 0.015 * EPOCHS, "val_loss": 1.05 - 0.015 * EPOCHS},
    "under-fitting": {"loss": 0.7 - 0.0005 * EPOCHS, "val_loss": 0.72 - 0.0005 * EPOCHS},
    "good fit": {"loss": 0.1 + np.exp(-EPOCHS / 5), "val_loss": 0.15 + np.exp(-EPOCHS / 5)},
    "validation loss is well below": {
        "loss": 0.5 + np.exp(-EPOCHS / 5),
        "val_loss": 0.2 + np.exp(-EPOCHS / 5),
    },
    "diverged": {"loss": np.r_[1.0, 2.0, np.nan], "val_loss": np.r_[1.0, 2.0, 3.0]},
}


@pytest.mark.parametrize("expected", sorted(SHAPES))
def test_reading_of_typical_curves(expected):
    assert plots.read_learning_curves(SHAPES[expected]).startswith(expected)


def test_reading_ignores_noise_around_a_tiny_loss():
    rng = np.random.default_rng(0)
    loss = np.exp(-EPOCHS / 4) + 1e-3
    val = np.exp(-EPOCHS / 4) + 1e-3 * rng.uniform(0.2, 3.0, len(EPOCHS))  # wiggles near 0
    assert plots.read_learning_curves({"loss": loss, "val_loss": val}).startswith("good fit")


def test_reading_without_validation_and_too_short():
    flat = {"loss": 0.1 + np.exp(-EPOCHS / 3)}
    assert "add validation data" in plots.read_learning_curves(flat)
    assert plots.read_learning_curves({"loss": [1.0, 0.5]}).startswith("too few")


# --- learning curves -----------------------------------------------------------------------------
def test_learning_curves_png(tmp_path):
    history = {key: list(values) for key, values in SHAPES["over-fitting"].items()}
    history["accuracy"] = list(np.linspace(0.5, 1.0, 50))
    history["val_accuracy"] = list(np.linspace(0.5, 0.8, 50))
    path = tmp_path / "curves.png"
    figure = plots.learning_curves(history, path=path, title="demo")
    _png_ok(path, min_width=800)
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy"]
    loss_ax = figure.axes[0]
    assert [line.get_label() for line in loss_ax.lines][:2] == ["training", "validation"]
    texts = " ".join(t.get_text() for t in figure.texts)
    assert "over-fitting" in texts
    best = int(np.argmin(history["val_loss"])) + 1
    assert f"best (epoch {best})" in [line.get_label() for line in loss_ax.lines]


def test_learning_curves_takes_a_history_object_and_selects_metrics():
    x, y = data.make_classic("simple", 30, seed=0)
    model = nn.Dense(2, 1, activation="sigmoid", seed=0)
    model.compile("adam", "binary_crossentropy", ["accuracy", "f1"], lr=0.1)
    history = model.fit(x, y, epochs=3, verbose=0)
    figure = plots.learning_curves(history, show=False, metrics=["accuracy"])
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy"]
    with pytest.raises(TypeError, match="History"):
        plots.learning_curves([1, 2, 3], show=False)


# --- decision boundaries --------------------------------------------------------------------------
def test_decision_boundary_tensor_model(tmp_path):
    x, y = data.make_moons(100, noise=0.1, seed=0)
    model = nn.Sequential(
        [nn.Dense(2, 16, activation="tanh", seed=0), nn.Dense(16, 1, activation="sigmoid", seed=1)]
    )
    model.compile("adam", "binary_crossentropy", lr=0.05).fit(x, y, epochs=30, verbose=0, seed=0)
    path = tmp_path / "boundary.png"
    figure = plots.decision_boundary(model, x, y, path=path, title="moons")
    _png_ok(path)
    ax = figure.axes[0]
    assert ax.get_title() == "moons" and len(ax.collections) >= 3
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["class 0", "class 1"]


def test_decision_boundary_multiclass_and_scalar_and_function(tmp_path):
    x, y = data.make_blobs(60, centers=[[0, 0], [3, 3], [0, 3]], std=0.3, seed=0)
    softmax_model = nn.Dense(2, 3, activation="softmax", seed=0)
    softmax_model.compile("adam", "sparse_categorical_crossentropy", lr=0.1).fit(
        x, y, epochs=20, verbose=0
    )
    plots.decision_boundary(softmax_model, x, y, path=tmp_path / "three.png")
    _png_ok(tmp_path / "three.png")
    mlp = nn.MLP(2, [3, 1], seed=0)
    plots.decision_boundary(
        mlp, x[:20], np.where(y[:20] == 0, -1, 1), resolution=15, path=tmp_path / "mlp.png"
    )
    _png_ok(tmp_path / "mlp.png")
    figure = plots.decision_boundary(
        lambda t: (t[:, :1] - t[:, 1:]).sigmoid(), x, y == 0, show=False
    )
    assert figure.axes[0].get_xlabel() == "$x_1$"


def test_decision_boundary_into_existing_axes_and_errors(tmp_path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4))
    axes = figure.subplots(1, 2)
    for ax, name in zip(axes, ("xor", "circle")):
        x, y = data.make_classic(name, 40, seed=0)
        plots.decision_boundary(lambda t: t[:, :1] * t[:, 1:], x, y, ax=ax, title=name)
    assert [ax.get_title() for ax in figure.axes] == ["xor", "circle"]
    with pytest.raises(ValueError, match="2-D inputs"):
        plots.decision_boundary(lambda t: t, np.zeros((5, 3)), np.zeros(5), show=False)


# --- confusion matrix and images -----------------------------------------------------------
def test_confusion_matrix_plot(tmp_path):
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    path = tmp_path / "confusion.png"
    figure = plots.confusion_matrix(y_true, y_pred, class_names=["cat", "dog", "eel"], path=path)
    _png_ok(path)
    ax = figure.axes[0]
    numbers = [t.get_text() for t in ax.texts]
    assert numbers == ["1", "1", "0", "0", "1", "0", "1", "0", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
    normalized = plots.confusion_matrix(y_true, y_pred, normalize=True, show=False)
    assert normalized.axes[0].texts[8].get_text() == "0.67"


def test_image_grid(tmp_path):
    x, y = data.load_digits()
    path = tmp_path / "digits.png"
    wrong = y[:20].copy()
    wrong[3] = (wrong[3] + 1) % 10
    figure = plots.image_grid(x[:20], labels=y[:20], predictions=wrong, columns=10, path=path)
    _png_ok(path)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[0] == f"{y[0]}→{y[0]}"
    assert figure.axes[3].title.get_color() == "red"
    with pytest.raises(ValueError, match="squares"):
        plots.image_grid(np.zeros((2, 10)), show=False)


def test_importing_plots_does_not_import_matplotlib():
    modules = "microgradnn.plots, microgradnn.train, microgradnn.data, microgradnn.metrics"
    code = f"import sys, {modules}; print('matplotlib' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_training_demo_runs_and_writes_pictures(tmp_path, capsys):
    from microgradnn import demo_training

    result = demo_training.run(tmp_path)
    output = capsys.readouterr().out
    assert result["train_accuracy"] == 1.0 and result["test_accuracy"] >= 0.95
    assert "epoch  15/60" in output and "Final accuracy" in output
    assert len(output.splitlines()) < 15  # sparse progress, not one line per epoch
    _png_ok(tmp_path / "two_moons_boundary.png")
    _png_ok(tmp_path / "two_moons_curves.png", min_width=800)
