"""The last part of ``python -m microgradnn demo``: train a small network on two moons.

It splits the data into training / validation / test parts, trains a 2-32-32-1 tanh MLP with
Adam in mini-batches (a few seconds, seeded), prints the progress every few epochs and the
test accuracy, and saves the decision boundary and the learning curves as PNG pictures.
"""

from __future__ import annotations

from pathlib import Path

from microgradnn import data, nn, plots
from microgradnn.train import LambdaCallback

EPOCHS = 60
PRINT_EVERY = 15


def build_model(seed: int = 0) -> nn.Sequential:
    """The demo's network: two tanh hidden layers of 32 neurons, a sigmoid output."""
    return nn.Sequential(
        [
            nn.Dense(2, 32, activation="tanh", seed=seed),
            nn.Dense(32, 32, activation="tanh", seed=seed + 1),
            nn.Dense(32, 1, activation="sigmoid", seed=seed + 2),
        ]
    )


def _print_sometimes(epoch: int, logs: dict) -> None:
    if (epoch + 1) % PRINT_EVERY == 0 or epoch == 0:
        print(
            f"  epoch {epoch + 1:3d}/{EPOCHS}: loss {logs['loss']:.4f}, "
            f"accuracy {logs['accuracy']:.1%}, validation accuracy {logs['val_accuracy']:.1%}"
        )


def run(out_dir: Path, epochs: int = EPOCHS, seed: int = 0) -> dict:
    """Train on two moons and write ``two_moons_boundary.png`` and ``two_moons_curves.png``.

    Returns the final numbers: ``{"train_accuracy", "test_accuracy", "epochs"}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    x, y = data.make_moons(500, noise=0.1, seed=seed)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data.train_val_test_split(
        x, y, sizes=(0.8, 0.1, 0.1), seed=seed
    )
    print(
        f"\nA small network learns two moons: {len(x_train)} training, {len(x_val)} "
        f"validation and {len(x_test)} test points."
    )
    model = build_model(seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], lr=0.01)
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=32,
        validation_data=(x_val, y_val),
        callbacks=[LambdaCallback(on_epoch_end=_print_sometimes)],
        verbose=0,
        seed=seed,
    )
    _, train_accuracy = model.evaluate(x_train, y_train)
    _, test_accuracy = model.evaluate(x_test, y_test)
    print(f"Final accuracy: training {train_accuracy:.1%}, test {test_accuracy:.1%}")
    boundary = out_dir / "two_moons_boundary.png"
    title = f"2-32-32-1 MLP, test accuracy {test_accuracy:.1%}"
    plots.decision_boundary(model, x_train, y_train, path=boundary, show=False, title=title)
    curves = out_dir / "two_moons_curves.png"
    plots.learning_curves(history, path=curves, show=False)
    print(f"Decision boundary written to {boundary}")
    print(f"Learning curves written to {curves}")
    return {"train_accuracy": train_accuracy, "test_accuracy": test_accuracy, "epochs": epochs}
