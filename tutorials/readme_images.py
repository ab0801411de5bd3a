# %% [markdown]
# # The pictures in the README
#
# Every image in the README is drawn by this script with `microgradnn.viz`, so it always
# matches the code. Run it from the repository root:
#
#     python tutorials/readme_images.py
#
# It writes `tutorials/images/*.png` and `*.gif` (committed, so the README shows them on
# GitHub). It needs a renderer: Graphviz's `dot`, or `pip install graphviz-pure`.

# %%
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from microgradnn import Tensor, Value, nn, viz

IMAGES = REPO_ROOT / "tutorials" / "images"


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
    print(f"wrote {path.relative_to(REPO_ROOT)}")
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
    print(f"wrote {gif.relative_to(REPO_ROOT)} and {still.relative_to(REPO_ROOT)}")
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
    save(viz.draw(loss, rankdir="TB", precision=3), "tensor_graph.png")


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
    out = neuron([Value(0.5, label="x0"), Value(-1.5, label="x1")])
    out.label = "out"
    out.backward()
    save(viz.draw(out, rankdir="TB", show_local_grads=True), "neuron_graph.png")


# %%
def main() -> int:
    if viz.find_renderer() is None:
        print(f"cannot draw the README pictures: {viz.INSTALL_HINT}")
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    lecture_pictures()
    lecture_steps()
    tensor_picture()
    network_pictures()
    neuron_picture()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
