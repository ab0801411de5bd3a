# %% [markdown]
# # The pictures in the README
#
# Every image in the README is drawn by this script with `microgradnn.viz`, so it always
# matches the code. Run it from the repository root:
#
#     python tutorials/readme_images.py
#
# It writes `tutorials/images/*.png` and `*.gif` (committed, so the README shows them on
# GitHub). The pictures are always laid out by `graphviz-pure` (installed with microgradnn),
# so anyone, and CI, redraws them pixel for pixel:
#
#     python tutorials/readme_images.py --check
#
# draws every picture into a temporary folder and fails when a committed image differs from
# what the code draws now (then run the script without `--check` and commit the images).

# %%
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# One renderer for everyone: the committed pictures must be reproducible on any machine.
os.environ["MICROGRADNN_DOT"] = "graphviz-pure"

from microgradnn import Tensor, Value, nn, viz  # noqa: E402
from microgradnn.nn import losses  # noqa: E402

IMAGES = REPO_ROOT / "tutorials" / "images"
#: Pictures drawn with microgradnn.viz (the tutorial_*.png figures come from matplotlib).
DRAWN = [
    "lecture_forward.png",
    "lecture_backward.png",
    "lecture_backward_steps.gif",
    "lecture_backward_step3.png",
    "tensor_graph.png",
    "network_blocks.png",
    "network_neurons.png",
    "neuron_graph.png",
    "mlp_summary.png",
]


def lecture_example():
    """f = (x + y) z at x = -2, y = 5, z = -4, with the lecture's names q and f."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def save(picture, name: str) -> Path:
    path = picture.save_png(IMAGES / name)
    print(f"wrote {path.name}")
    return path


# %% [markdown]
# ## 1. The lecture's example, forward and backward


# %%
def lecture_pictures() -> None:
    f = lecture_example()
    save(viz.draw(f, show=("data",)), "lecture_forward.png")
    f.backward()
    save(viz.draw(f, show_local_grads=True), "lecture_backward.png")


# %% [markdown]
# ## 2. Backpropagation step by step (an animated GIF, plus one still frame)


# %%
def lecture_steps() -> None:
    steps = viz.draw_backward_steps(
        lecture_example(), IMAGES / "lecture_steps", format="png", gif=True, html=False
    )
    gif = IMAGES / "lecture_backward_steps.gif"
    steps.gif.replace(gif)
    still = IMAGES / "lecture_backward_step3.png"
    steps.frames[3].replace(still)
    for frame in steps.frames:  # keep the repository small: the GIF holds every frame
        frame.unlink(missing_ok=True)
    (IMAGES / "lecture_steps").rmdir()
    print(f"wrote {gif.name} and {still.name}")
    for caption in steps.captions:
        print("   ", caption)


# %% [markdown]
# ## 3. A tensor graph: one dense layer and a mean squared error


# %%
def tensor_picture() -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(8, 3)), requires_grad=False, label="x")
    y = Tensor(rng.normal(size=(8, 2)), requires_grad=False, label="y")
    w = Tensor(rng.normal(size=(3, 2)) * 0.5, label="W")
    b = Tensor(np.array([0.1, -0.2]), label="b")
    h = (x @ w + b).tanh()
    h.label = "h"
    loss = ((h - y) ** 2).mean()
    loss.label = "loss"
    loss.backward()
    save(viz.draw(loss, precision=3), "tensor_graph.png")


# %% [markdown]
# ## 4. Networks: layer blocks, and every neuron of a small MLP


# %%
def network_pictures() -> None:
    model = nn.Sequential(
        [
            nn.Dense(4, 16, activation="relu", seed=0),
            nn.Dropout(0.2),
            nn.Dense(16, 8, activation="relu", seed=1),
            nn.Dense(8, 3, activation="softmax", seed=2),
        ]
    )
    save(viz.draw_network(model), "network_blocks.png")
    mlp = nn.MLP(3, [4, 4, 1], seed=0)
    save(viz.draw_network(mlp), "network_neurons.png")


# %% [markdown]
# ## 5. A neuron as the engine sees it


# %%
def neuron_picture() -> None:
    neuron = nn.Neuron(2, activation="tanh", seed=0)
    out = neuron([Value(0.5, label="x1"), Value(-1.5, label="x2")])
    out.label = "out"
    out.backward()
    save(viz.draw(out, show_local_grads=True), "neuron_graph.png")


# %% [markdown]
# ## 6. The README's scalar network on three samples: 1,233 nodes, drawn as a summary


# %%
def network_summary_picture() -> None:
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    x, y = [[2.0, 3.0], [-1.0, 0.5], [0.5, -1.0]], [1, -1, -1]
    loss = losses.hinge([model(xi) for xi in x], y) + losses.l2_penalty(model, lam=1e-4)
    loss.backward()
    save(viz.draw(loss), "mlp_summary.png")


# %%
def draw_all() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    lecture_pictures()
    lecture_steps()
    tensor_picture()
    network_pictures()
    neuron_picture()
    network_summary_picture()


def pixels(path: Path):
    """Every frame of an image as RGBA bytes (PNG/GIF compression may differ, pixels not)."""
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        return [(f.size, f.convert("RGBA").tobytes()) for f in ImageSequence.Iterator(image)]


def check() -> int:
    """Redraw every picture into a temporary folder; list those that differ from the commit."""
    global IMAGES
    committed = IMAGES
    with tempfile.TemporaryDirectory() as folder:
        IMAGES = Path(folder)
        try:
            draw_all()
        finally:
            IMAGES = committed
        stale = [
            name
            for name in DRAWN
            if not (committed / name).exists()
            or pixels(committed / name) != pixels(Path(folder) / name)
        ]
    if stale:
        print(
            f"these committed pictures differ from what the code draws: {', '.join(stale)}\n"
            "redraw them with `python tutorials/readme_images.py` and commit tutorials/images/"
        )
        return 1
    print(f"all {len(DRAWN)} pictures match the code")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Draw (or --check) the README pictures.")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    if (
        shutil.which(
            "graphviz-pure",
            path=os.pathsep.join([os.environ.get("PATH", ""), str(Path(sys.executable).parent)]),
        )
        is None
    ):
        print(f"cannot draw the README pictures without graphviz-pure: {viz.INSTALL_HINT}")
        return 1
    if args.check:
        return check()
    draw_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
