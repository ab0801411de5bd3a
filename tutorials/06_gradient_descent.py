# %% [markdown]
# # Tutorial 6: gradient descent, SGD and mini-batches; epochs; the two moons
#
# Training repeats two steps until a stopping rule says enough: the **forward** pass
# computes the predictions and the loss, the **backward** pass computes ∂L/∂w for every
# weight, and the weights move against the gradient:
#
#     w^(k+1) = w^(k) - α ∇_w L        (α = learning rate, or step size)
#
# The lecture distinguishes three ways of choosing *which samples* enter L at each step:
#
# * **(batch) gradient descent**: L over all n samples, one step per pass over the data;
# * **stochastic gradient descent (SGD)**: one random sample per step, n steps per pass;
# * **mini-batch gradient descent**: random batches of b samples, n/b steps per pass.
#
# One pass over all the samples is an **epoch**. `model.fit(..., batch_size=...)` covers
# all three: `batch_size=None` is full-batch GD, `1` is SGD, `32` mini-batches.
# Figures go to `tutorials/output/06_gradient_descent/`. Fast mode (`MICROGRADNN_FAST=1`)
# trains fewer epochs, so its numbers differ from the ones quoted here.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Value, data, nn, plots
from microgradnn.tutorial import finish, out_dir, pick, quote, save

FIGURES = ["paths_gd_sgd.png", "moons_loss.png", "moons_boundary.png"]

# %% [markdown]
# ## 1. The paths of GD and SGD on a two-parameter problem
#
# Fit a line ŷ = a x + b to 50 points by MSE. With only two weights we can draw the loss
# surface L(a, b) as contour lines and the path of the weights on it. Gradient descent
# follows the exact gradient: a smooth path. SGD follows the gradient of one random sample
# at a time: a noisy path that wanders, but each step costs 1/50 of a GD step.

# %%
rng = np.random.default_rng(0)
x_line = rng.uniform(-1, 1, 50)
y_line = 2.0 * x_line - 1.0 + 0.2 * rng.standard_normal(50)


def mse_of(a, b, xs, ys):
    """The loss as a Value graph (a and b are Values, xs and ys plain numbers)."""
    total = 0.0
    for xi, yi in zip(xs, ys):
        total = total + (a * xi + b - yi) ** 2
    return total * (1.0 / len(xs))


def descend(batch, steps, lr, seed=0):
    """Follow the gradient on batches of `batch` samples; returns the path of (a, b)."""
    a, b = Value(-1.5), Value(1.5)
    order_rng = np.random.default_rng(seed)
    path = [(a.data, b.data)]
    for _ in range(steps):
        chosen = order_rng.choice(len(x_line), batch, replace=False)
        loss = mse_of(a, b, x_line[chosen], y_line[chosen])
        a.grad = b.grad = 0.0
        loss.backward()
        a.data -= lr * a.grad
        b.data -= lr * b.grad
        path.append((a.data, b.data))
    return np.array(path)


path_steps = pick(40, 60)
paths = {
    "gradient descent (50 samples per step)": descend(50, path_steps, 0.2),
    "SGD (1 sample per step)": descend(1, path_steps, 0.2),
    "mini-batch (10 samples per step)": descend(10, path_steps, 0.2),
}
for name, path in paths.items():
    print(f"{name}: after {path_steps} steps a = {path[-1, 0]:.3f}, b = {path[-1, 1]:.3f}")

grid_a, grid_b = np.meshgrid(np.linspace(-2, 3.5, 120), np.linspace(-3, 2, 120))
surface = ((grid_a[..., None] * x_line + grid_b[..., None] - y_line) ** 2).mean(axis=-1)
fig, ax = plt.subplots(figsize=(7.5, 5.5))
contours = ax.contour(grid_a, grid_b, surface, levels=np.geomspace(0.05, 8, 14), cmap="viridis")
ax.clabel(contours, fontsize=7, fmt="%.2g")
for (name, path), style in zip(paths.items(), ("o-", ".-", "s-")):
    ax.plot(path[:, 0], path[:, 1], style, ms=3, lw=1.3, label=name)
ax.plot(2.0, -1.0, "k*", ms=14, label="true (a, b) = (2, -1)")
ax.set_xlabel("slope a")
ax.set_ylabel("intercept b")
ax.set_title(f"{path_steps} steps of each method on the MSE surface of a line fit")
ax.legend(fontsize=8, loc="upper right")
save(fig, "paths_gd_sgd.png")

# %% [markdown]
# In `paths_gd_sgd.png` the blue GD path cuts the contour lines at right angles (the
# gradient is perpendicular to the level sets) and slides smoothly into the valley. The
# SGD path zig-zags: each sample has its own idea of the best line. Mini-batches average
# 10 samples and are in between. Near the minimum SGD keeps jittering; this is why, in
# practice, the learning rate is often lowered over time.

# %% [markdown]
# ## 2. The two moons: same network, three batch sizes
#
# Two interleaving half-circles cannot be separated by a line. We train the same 2-16-16-1
# network (tanh hidden layers, sigmoid output, binary cross-entropy, plain SGD updates with
# α = 0.3) with full-batch GD, mini-batches of 16, and single-sample SGD, for the same
# number of epochs. All three see every sample once per epoch; they differ in how many
# weight updates they make per epoch: 1, 10 and 160.

# %%
x_moons, y_moons = data.make_moons(200, noise=0.15, seed=0)
(x_train, y_train), (x_test, y_test) = data.train_test_split(x_moons, y_moons, 0.2, seed=0)
epochs = pick(10, 100)


def moons_model():
    model = nn.Sequential(
        [
            nn.Dense(2, 16, activation="tanh", seed=0),
            nn.Dense(16, 16, activation="tanh", seed=1),
            nn.Dense(16, 1, activation="sigmoid", seed=2),
        ]
    )
    return model.compile("sgd", "binary_crossentropy", metrics=["accuracy"], lr=0.3)


runs = {}
KEYS = {"full-batch GD": "gd", "mini-batch 16": "minibatch", "SGD (batch 1)": "sgd"}
for name, batch_size in (("full-batch GD", None), ("mini-batch 16", 16), ("SGD (batch 1)", 1)):
    model = moons_model()
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, seed=0)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test)
    runs[name] = (model, history.history["loss"])
    steps = epochs * -(-len(x_train) // (batch_size or len(x_train)))  # ceil(n / b) per epoch
    quote(f"{KEYS[name]}_steps", steps, ",d")
    quote(f"{KEYS[name]}_loss", history.history["loss"][-1], ".3f")
    quote(f"{KEYS[name]}_accuracy", test_acc, ".3f")
    print(
        f"{name:14s} {epochs} epochs in {seconds:5.1f} s: "
        f"train loss {history.history['loss'][-1]:.3f}, "
        f"test accuracy {test_acc:.3f}"
    )

fig, ax = plt.subplots(figsize=(7, 4))
for name, (_, curve) in runs.items():
    ax.plot(range(1, epochs + 1), curve, lw=2, label=name)
ax.set_xlabel("epoch (one pass over the 160 training points)")
ax.set_ylabel("training loss (BCE)")
ax.set_title("Same network, same α = 0.3: more updates per epoch learn faster")
ax.legend()
save(fig, "moons_loss.png")

# %% [markdown]
# Full run (100 epochs): full-batch GD has made only 100<!--gd_steps--> steps and its boundary is
# still nearly straight (train loss 0.273<!--gd_loss-->, test accuracy 0.850<!--gd_accuracy-->).
# Mini-batches of 16 (1,000<!--minibatch_steps--> steps) bend the boundary around the moons (train
# loss 0.074<!--minibatch_loss-->, test accuracy 0.975<!--minibatch_accuracy-->). SGD
# (16,000<!--sgd_steps--> steps) also learns the moons, but with α = 0.3 a single sample pushes the
# weights too far: its loss ends at 0.132<!--sgd_loss--> and its test accuracy at
# 0.925<!--sgd_accuracy-->, noisier than mini-batches. It also pays for its many updates with
# time: every step has the fixed cost of a forward and backward pass, so it takes many times
# longer than mini-batches (compare the seconds printed above; they depend on your machine).
# Mini-batches are the usual compromise, and the reason `fit` defaults to
# `batch_size=32`.
#
# In `moons_loss.png` read the curves per epoch: GD descends slowly but smoothly; SGD
# falls fastest at first, then stays noisy, and mini-batches end lowest.

# %%
model, _ = runs["mini-batch 16"]
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
plots.decision_boundary(
    runs["full-batch GD"][0], x_moons, y_moons, ax=axes[0], title="full-batch GD"
)
plots.decision_boundary(model, x_moons, y_moons, ax=axes[1], title="mini-batches of 16")
save(fig, "moons_boundary.png")

# %% [markdown]
# `moons_boundary.png` colours the plane by the predicted probability (red = class 1,
# blue = class 0); the black line is ŷ = 0.5. After the same number of epochs, the
# full-batch model has barely bent its line, while the mini-batch model wraps each moon.

# %% [markdown]
# ## 3. Watching it learn
#
# In a notebook, `fit(..., live=True)` redraws one figure after every epoch: the loss and
# accuracy curves (training and held-out data), the prediction over the plane, and what each
# of the 16 units of the first hidden layer computes there. In a terminal nothing is drawn (the
# progress bar stays). The run is kept as `history.live`, and `save_html` writes it as one page
# with a slider over the epochs: open `moons_replay.html` in a browser, press *play* and watch
# the boundary bend while the hidden units turn into the pieces it is made of.

# %%
model = moons_model()
history = model.fit(
    x_train,
    y_train,
    epochs=epochs,
    batch_size=16,
    validation_data=(x_test, y_test),
    verbose=0,
    seed=0,
    live=True,
)
print("replay:", history.live.save_html(out_dir() / "moons_replay.html").name)

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** one epoch of mini-batch gradient descent, step by step. Run `python -m
# microgradnn exercises start minibatch_sgd`, fill in `minibatch_sgd.py`, then `python -m
# microgradnn exercises check minibatch_sgd`.
