"""Watch a network learn: curves, decision boundary and hidden units, live and replayed.

``LivePlot`` is a callback. Once per epoch it records the losses and metrics (training and
validation) and, for 2-D inputs, the decision boundary over the plane, what every unit of the
first hidden layer computes there, and the weights of each Dense layer. In a notebook it
redraws one figure in place; in a terminal it draws nothing (the progress bar shows the
progress). ``save_html`` writes the recording as one self-contained page with a slider over
the epochs: no files beside it, no network, and the same training run (same seeds) gives
the same bytes. ``model.fit(..., live=True)`` adds a ``LivePlot`` for you.

>>> import numpy as np
>>> from microgradnn import nn, data
>>> from microgradnn.train import LivePlot
>>> x, y = data.make_moons(60, noise=0.1, seed=0)
>>> model = nn.Sequential([nn.Dense(2, 4, activation="tanh", seed=0),
...                        nn.Dense(4, 1, activation="sigmoid", seed=1)])
>>> live = LivePlot(x, y, grid=12)
>>> _ = model.compile("adam", "binary_crossentropy", ["accuracy"], lr=0.05).fit(
...     x, y, epochs=3, verbose=0, callbacks=[live], seed=0)
>>> len(live.frames), sorted(live.frames[0]["logs"])
(3, ['accuracy', 'loss'])
"""

from __future__ import annotations

import base64
import html
import json
import sys
from pathlib import Path

import numpy as np

from microgradnn.train.callbacks import Callback

__all__ = ["LivePlot", "in_notebook"]

MAX_WEIGHTS = 4096  # weights of all Dense layers together; bigger models record no weights


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where figures can be redrawn in place).

    >>> in_notebook()
    False
    """
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _bytes_of(values: np.ndarray, scale: float) -> str:
    """Values in [-scale, scale] as base64 bytes 0..255 (compact, exact to replay)."""
    scaled = np.clip(np.asarray(values, dtype=float) / (scale or 1.0), -1.0, 1.0)
    return base64.b64encode(np.round((scaled + 1.0) * 127.5).astype(np.uint8).tobytes()).decode()


class LivePlot(Callback):
    """Record (and in a notebook, redraw) the training once per epoch.

    Args:
        x, y: the training inputs and labels; with 2-D inputs the boundary, the hidden
            units and the points are drawn (other inputs: curves and weights only).
        grid: points per side of the plane grid for the boundary (units use half as many).
        max_units: how many units of the first hidden layer to map.
        display: redraw a figure in place; default: only inside a notebook.

    >>> LivePlot().frames
    []
    """

    def __init__(self, x=None, y=None, grid: int = 40, max_units: int = 16, display=None):
        super().__init__()
        self.x = None if x is None else np.asarray(x, dtype=float)
        self.y = None if y is None else np.asarray(y)
        self.grid, self.max_units = int(grid), int(max_units)
        self.display = in_notebook() if display is None else bool(display)
        self.frames: list[dict] = []
        self._handle = None

    # --- recording ------------------------------------------------------------------------
    @property
    def planar(self) -> bool:
        """True when the inputs are points of the plane (boundary and unit maps possible)."""
        return self.x is not None and self.x.ndim == 2 and self.x.shape[1] == 2

    def _plane(self, n: int) -> np.ndarray:
        (x0, y0), (x1, y1) = self.x.min(axis=0) - 0.5, self.x.max(axis=0) + 0.5
        xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y1, y0, n))  # top row first
        return np.column_stack([xs.ravel(), ys.ravel()])

    def on_train_begin(self, logs=None):
        self.frames = []

    def on_epoch_end(self, epoch, logs=None):
        frame = {"epoch": epoch + 1, "logs": {k: float(v) for k, v in (logs or {}).items()}}
        was_training = getattr(self.model, "training", False)
        if callable(getattr(self.model, "train", None)):
            self.model.train(False)  # dropout off while we look
        try:
            if self.planar:
                frame["boundary"] = self._boundary()
                frame["units"] = self._units()
            frame["weights"] = self._weights()
        finally:
            if callable(getattr(self.model, "train", None)):
                self.model.train(was_training)
        self.frames.append(frame)
        if self.display:
            self._redraw()

    def _boundary(self) -> np.ndarray:
        scores = np.asarray(self.model.predict(self._plane(self.grid)), dtype=float)
        if scores.ndim == 2 and scores.shape[1] > 1:  # several classes: the predicted class
            return scores.argmax(axis=1) / (scores.shape[1] - 1)
        return scores.reshape(-1)  # one probability per point

    def _units(self) -> np.ndarray | None:
        """The first hidden Dense layer's outputs over a coarse grid: (units, points)."""
        from microgradnn.engine import no_grad
        from microgradnn.nn.layers import Dense
        from microgradnn.tensor import Tensor

        signal = Tensor(self._plane(self.grid // 2), requires_grad=False)
        with no_grad():
            for layer in getattr(self.model, "layers", []):
                signal = layer(signal)
                if isinstance(layer, Dense):
                    return signal.numpy()[:, : self.max_units].T
        return None

    def _weights(self) -> list[np.ndarray]:
        from microgradnn.nn.layers import Dense

        dense = [m for m in getattr(self.model, "layers", []) if isinstance(m, Dense)]
        if sum(layer.weight.data.size for layer in dense) > MAX_WEIGHTS:
            return []
        return [layer.weight.numpy().copy() for layer in dense]

    # --- the live figure (notebooks) -------------------------------------------------------
    def figure(self, index: int = -1):
        """A matplotlib figure of frame ``index``: curves, boundary and the hidden units."""
        import matplotlib.pyplot as plt

        frame = self.frames[index]
        units = frame.get("units")
        unit_count = 0 if units is None else len(units)
        unit_rows = -(-unit_count // 8)  # eight maps per row
        fig = plt.figure(figsize=(12, 3.8 + 1.25 * unit_rows))
        grid = fig.add_gridspec(1 + unit_rows, 8, height_ratios=[2.2] + [1] * unit_rows)
        self._draw_curves(fig.add_subplot(grid[0, :3]), "loss", index)
        metric = next(
            (k for k in frame["logs"] if k not in ("loss", "lr") and "val_" not in k), None
        )
        if metric:
            self._draw_curves(
                fig.add_subplot(grid[0, 3:5] if self.planar else grid[0, 3:]), metric, index
            )
        if self.planar:
            self._draw_map(fig.add_subplot(grid[0, 5:]), frame["boundary"], self.grid, points=True)
            fig.axes[-1].set_title(f"epoch {frame['epoch']}: prediction over the plane")
        for unit in range(unit_count):
            ax = fig.add_subplot(grid[1 + unit // 8, unit % 8])
            self._draw_map(ax, units[unit], self.grid // 2, diverging=True)
            ax.set_title(f"unit {unit + 1}", fontsize=8)
        fig.tight_layout()
        return fig

    def _draw_curves(self, ax, key: str, index: int) -> None:
        shown = self.frames[: len(self.frames) + index + 1 if index < 0 else index + 1]
        epochs = [f["epoch"] for f in shown]
        for name, style in ((key, "-"), (f"val_{key}", "--")):
            values = [f["logs"].get(name, np.nan) for f in shown]
            if not np.all(np.isnan(values)):
                ax.plot(epochs, values, style, lw=1.8, label=name)
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.legend(fontsize=8)

    def _draw_map(self, ax, values, n: int, points: bool = False, diverging: bool = False):
        values = np.asarray(values, dtype=float).reshape(n, n)
        (x0, y0), (x1, y1) = self.x.min(axis=0) - 0.5, self.x.max(axis=0) + 0.5
        limit = max(np.abs(values).max(), 1e-12)
        ax.imshow(
            values,
            extent=(x0, x1, y0, y1),
            cmap="RdBu_r",
            vmin=-limit if diverging else 0.0,
            vmax=limit if diverging else 1.0,
            aspect="auto" if points else "equal",
        )
        if points and self.y is not None:
            labels = self.y.reshape(len(self.y), -1)
            labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
            ax.scatter(*self.x.T, c=labels, cmap="RdBu_r", s=26, edgecolors="w", linewidths=0.6)
        ax.set_xticks([])
        ax.set_yticks([])

    def _redraw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.figure()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)

    # --- the replay page -------------------------------------------------------------------
    def replay_data(self) -> dict:
        """The recording as plain JSON-ready data (rounded; bytes for the maps)."""
        keys = sorted({k for f in self.frames for k in f["logs"]})
        data = {
            "epochs": [f["epoch"] for f in self.frames],
            "logs": {
                k: [round(f["logs"].get(k, float("nan")), 6) for f in self.frames] for k in keys
            },
            "grid": self.grid,
            "points": [],
            "boundary": [],
            "units": [],
            "weights": [],
        }
        for key, values in data["logs"].items():  # JSON has no NaN
            data["logs"][key] = [v if np.isfinite(v) else None for v in values]
        if self.planar:
            labels = (self.y if self.y is not None else np.zeros(len(self.x))).reshape(
                len(self.x), -1
            )
            labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
            chosen = np.linspace(0, len(self.x) - 1, min(len(self.x), 400)).astype(int)
            (x0, y0), (x1, y1) = self.x.min(axis=0) - 0.5, self.x.max(axis=0) + 0.5
            data["extent"] = [round(float(v), 4) for v in (x0, x1, y0, y1)]
            data["points"] = [
                [round(float(self.x[i, 0]), 3), round(float(self.x[i, 1]), 3), int(labels[i])]
                for i in chosen
            ]
            data["boundary"] = [_bytes_of(2 * f["boundary"] - 1, 1.0) for f in self.frames]
            data["units"] = [
                [_bytes_of(u, np.abs(u).max()) for u in f["units"]]
                if f["units"] is not None
                else []
                for f in self.frames
            ]
        data["weights"] = [
            [
                {
                    "shape": list(w.shape),
                    "max": round(float(np.abs(w).max()), 4),
                    "bytes": _bytes_of(w, np.abs(w).max()),
                }
                for w in f["weights"]
            ]
            for f in self.frames
        ]
        return data

    def to_html(self, title: str = "Training replay") -> str:
        """The replay page as text (see :meth:`save_html`)."""
        if not self.frames:
            raise ValueError(
                "LivePlot has recorded nothing yet: pass it to fit(..., callbacks=[live])"
            )
        payload = json.dumps(self.replay_data(), sort_keys=True, separators=(",", ":"))
        page = (Path(__file__).with_name("live_page.html")).read_text(encoding="utf-8")
        return page.replace("__TITLE__", html.escape(title)).replace(
            "__DATA__", payload.replace("</", "<\\/")
        )

    def save_html(self, path, title: str = "Training replay") -> Path:
        """Write the replay page (one self-contained file with a slider over the epochs).

        >>> import tempfile, numpy as np
        >>> from microgradnn import nn
        >>> live = LivePlot(np.zeros((4, 2)), np.zeros(4), grid=8)
        >>> model = nn.Sequential([nn.Dense(2, 1, activation="sigmoid", seed=0)])
        >>> _ = model.compile("sgd", "binary_crossentropy").fit(
        ...     live.x, live.y, epochs=2, verbose=0, callbacks=[live])
        >>> live.save_html(tempfile.mkdtemp() + "/replay.html").name
        'replay.html'
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(title), encoding="utf-8")
        return path
