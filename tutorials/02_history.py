# %% [markdown]
# # Tutorial 2: the first neurons (1943-1969)
#
# The lecture's history starts long before backpropagation:
#
# * **1943, McCulloch and Pitts**: a neuron is a threshold unit. It adds up binary inputs
#   with fixed weights and fires (outputs 1) when the sum reaches a threshold. Nothing is
#   learned; a person chooses the weights.
# * **1958, Rosenblatt's perceptron**: the same unit, but the weights are *learned* from
#   examples with a simple rule that only acts on mistakes.
# * **1959-60, Widrow and Hoff's ADALINE**: learn from the *linear* output with the
#   least-mean-squares (LMS) rule, which is gradient descent on a squared error, the
#   ancestor of everything we do later.
# * **1969, Minsky and Papert**: one such unit draws a straight line, so it can never
#   compute XOR. This result froze the field for a decade.
#
# The perceptron and ADALINE live in `microgradnn.nn.classic` (written with numpy: their
# rules are explicit formulas, no autodiff needed). Pictures go to
# `tutorials/output/02_history/`. Fast mode (`MICROGRADNN_FAST=1`) uses fewer epochs and
# points, so its numbers differ from the ones quoted below (which come from a full run).

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import data
from microgradnn.nn import Adaline, Perceptron
from microgradnn.tutorial import finish, pick, quote, save

FIGURES = ["mcculloch_pitts.png", "perceptron_gates.png", "perceptron_errors.png", "adaline.png"]

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}

# %% [markdown]
# ## 1. The McCulloch-Pitts neuron
#
# Output y = 1 if w · x ≥ θ, else 0. With weights (1, 1):
#
# * threshold θ = 2 gives AND (both inputs must be on),
# * threshold θ = 1 gives OR (one is enough),
# * a single input with weight -1 and θ = 0 gives NOT.
#
# Geometrically, w · x = θ is a line in the plane of inputs: the unit fires on one side.


# %%
def mcculloch_pitts(x, weights, threshold):
    """Fire (1) when the weighted sum of binary inputs reaches the threshold."""
    return (np.asarray(x) @ np.asarray(weights) >= threshold).astype(int)


for name, theta in (("AND", 2), ("OR", 1)):
    outputs = mcculloch_pitts(INPUTS, [1, 1], theta)
    print(f"McCulloch-Pitts {name} (w = (1, 1), θ = {theta}): {outputs.tolist()}")
    assert outputs.tolist() == GATES[name].tolist()
print("McCulloch-Pitts NOT (w = -1, θ = 0):", mcculloch_pitts([[0], [1]], [-1], 0).tolist())


def draw_gate(ax, labels, line=None, title=""):
    """Four corners of the unit square coloured by label, and a separating line."""
    colors = np.where(np.asarray(labels) == 1, "#d62728", "#1f77b4")
    ax.scatter(INPUTS[:, 0], INPUTS[:, 1], c=colors, s=160, edgecolors="k", zorder=3)
    for (a, b), label in zip(INPUTS, labels):
        ax.annotate(str(label), (a, b), xytext=(8, 8), textcoords="offset points", fontsize=11)
    if line is not None:  # w0 x0 + w1 x1 + b = 0
        w, b = line
        xs = np.linspace(-0.5, 1.5, 2)
        if abs(w[1]) > 1e-12:
            ax.plot(xs, -(w[0] * xs + b) / w[1], "k--", lw=2)
        else:
            ax.axvline(-b / w[0], color="k", ls="--", lw=2)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
draw_gate(axes[0], GATES["AND"], (np.array([1, 1]), -2), "AND: $x_1 + x_2 \\geq 2$")
draw_gate(axes[1], GATES["OR"], (np.array([1, 1]), -1), "OR: $x_1 + x_2 \\geq 1$")
fig.suptitle("McCulloch-Pitts units: fixed weights, a threshold, a line (red = fires)")
save(fig, "mcculloch_pitts.png")

# %% [markdown]
# In `mcculloch_pitts.png` the dashed line is w · x = θ; the unit fires on and beyond it.
# Notice the line passes *through* the corner points: a threshold unit with ≥ counts them
# as firing.

# %% [markdown]
# ## 2. Rosenblatt's perceptron learns AND and OR, and fails on XOR
#
# The perceptron predicts ŷ = sign(w · x + b) with labels ±1 and, for every sample it gets
# **wrong**, nudges the line towards that sample:
#
#     w ← w + η y x,     b ← b + η y
#
# If a line separating the classes exists, this stops after finitely many mistakes (the
# perceptron convergence theorem). For XOR no line exists, so it never settles.

# %%
epochs = pick(20, 100)
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
errors_per_gate = {}
for ax, (name, labels) in zip(axes, GATES.items()):
    perceptron = Perceptron(lr=1.0, epochs=epochs, seed=0).fit(INPUTS, labels)
    accuracy = perceptron.score(INPUTS, labels)
    errors_per_gate[name] = perceptron.errors_
    print(
        f"perceptron {name}: {len(perceptron.errors_)} epochs, mistakes in the last epoch "
        f"{perceptron.errors_[-1]}, accuracy {accuracy:.2f}"
    )
    quote(f"{name}_epochs", len(perceptron.errors_), "d")
    quote(f"{name}_last_mistakes", perceptron.errors_[-1], "d")
    quote(f"{name}_accuracy", accuracy, ".2f")
    title = f"{name}: accuracy {accuracy:.2f}"
    draw_gate(ax, labels, (perceptron.w, perceptron.b), title)
fig.suptitle("Perceptron after training: the learned line (red = class 1)")
save(fig, "perceptron_gates.png")

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, errors in errors_per_gate.items():
    ax.plot(range(1, len(errors) + 1), errors, marker="o", ms=3, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("mistakes in the epoch")
ax.set_title("Perceptron mistakes per epoch: AND/OR reach 0, XOR never does")
ax.legend()
save(fig, "perceptron_errors.png")

# %% [markdown]
# Full run (100 epochs, seed 0): AND is learned in 6<!--AND_epochs--> epochs and OR in
# 5<!--OR_epochs--> (the last of them is the epoch without mistakes, accuracy
# 1.00<!--AND_accuracy--> and 1.00<!--OR_accuracy-->); XOR runs all 100<!--XOR_epochs--> epochs,
# still makes 2<!--XOR_last_mistakes--> mistakes in the last one and ends with accuracy
# 0.50<!--XOR_accuracy-->; its final line is not even
# inside the square (the dashed line at the bottom edge of the XOR panel): the rule keeps
# jumping from one bad line to another. In `perceptron_errors.png` the XOR curve never
# touches zero.
# That is Minsky and Papert's point: four points, and no line puts the two red corners on
# one side and the two blue corners on the other. Tutorial 3 solves XOR with a hidden layer.

# %% [markdown]
# ## 3. ADALINE and the LMS rule
#
# ADALINE uses the same linear unit z = w · x + b but learns from the *size* of the error
# of z, even when the predicted sign is right:
#
#     w ← w + η (y - z) x        (y = ±1)
#
# This is exactly one step of gradient descent on the squared error ½ (y - z)², since
# ∂/∂w ½ (y - z)² = -(y - z) x. Because the cost is a smooth bowl, it converges (for a
# small η) even when the classes overlap, where the perceptron would oscillate forever.
# We train it on two overlapping Gaussian blobs, one sample at a time ("online", the
# original LMS) and with the full gradient each epoch ("batch").

# %%
x_blobs, y_blobs = data.make_blobs(
    pick(100, 400), centers=[[-1.0, -1.0], [1.0, 1.0]], std=0.9, seed=1
)
adaline_epochs = pick(15, 60)
online = Adaline(lr=0.01, epochs=adaline_epochs, mode="online", seed=0).fit(x_blobs, y_blobs)
batch = Adaline(lr=0.1, epochs=adaline_epochs, mode="batch", seed=0).fit(x_blobs, y_blobs)
perceptron = Perceptron(epochs=adaline_epochs, seed=0).fit(x_blobs, y_blobs)
for name, model in (("ADALINE online", online), ("ADALINE batch", batch)):
    print(f"{name}: final cost {model.cost_[-1]:.4f}, accuracy {model.score(x_blobs, y_blobs):.3f}")
    key = name.split()[1]
    quote(f"{key}_cost", model.cost_[-1], ".3f")
    quote(f"{key}_accuracy", model.score(x_blobs, y_blobs), ".3f")
quote("perceptron_fewest_mistakes", min(perceptron.errors_[-5:]), "d")
quote("perceptron_most_mistakes", max(perceptron.errors_[-5:]), "d")
quote("perceptron_accuracy", perceptron.score(x_blobs, y_blobs), ".3f")
print(
    f"perceptron on the same blobs: mistakes per epoch {perceptron.errors_[-5:]} (last 5), "
    f"accuracy {perceptron.score(x_blobs, y_blobs):.3f}"
)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
axes[0].plot(range(1, adaline_epochs + 1), online.cost_, label="online (LMS), η = 0.01")
axes[0].plot(range(1, adaline_epochs + 1), batch.cost_, label="batch GD, η = 0.1")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("mean ½ (y - z)²")
axes[0].set_title("ADALINE cost per epoch")
axes[0].legend()
ax = axes[1]
colors = np.where(y_blobs == 1, "#d62728", "#1f77b4")
ax.scatter(x_blobs[:, 0], x_blobs[:, 1], c=colors, s=14, edgecolors="k", linewidths=0.3)
xs = np.linspace(x_blobs[:, 0].min(), x_blobs[:, 0].max(), 2)
for model, style, name in ((online, "k-", "ADALINE (online)"), (perceptron, "g--", "perceptron")):
    ax.plot(xs, -(model.w[0] * xs + model.b) / model.w[1], style, lw=2, label=name)
ax.set_ylim(x_blobs[:, 1].min() - 0.5, x_blobs[:, 1].max() + 0.5)
ax.set_title("Overlapping blobs: learned lines")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.legend(loc="upper left")
save(fig, "adaline.png")

# %% [markdown]
# Full run (400 points, 60 epochs): both ADALINE variants settle at a cost of about 0.13,
# 0.136<!--online_cost--> online and 0.133<!--batch_cost--> in batch, and reach an accuracy of
# 0.963<!--online_accuracy--> and 0.963<!--batch_accuracy--> (the blobs overlap, so 1 is
# impossible). The perceptron never stops updating: it still makes
# 22<!--perceptron_fewest_mistakes-->-27<!--perceptron_most_mistakes--> mistakes in each of its
# last five epochs, and its line keeps jumping (its final accuracy,
# 0.963<!--perceptron_accuracy--> in this run, depends on where the last mistake left it).
# In `adaline.png` (left) the batch curve (one gradient step per epoch) falls smoothly and
# flattens; the online LMS rule makes 400 small steps per epoch, so it is already at the
# bottom after the first epoch and then jitters slightly, because every sample pulls the
# line its own way. On the right, the ADALINE line sits in
# the middle of the overlap, where the squared error is smallest.
#
# **From here.** One unit = one line. To bend the boundary we need layers of units with
# smooth activations, and a way to send the error back through them: backpropagation,
# which the chain rule of Tutorial 1 provides.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** one perceptron update and one LMS update. Run `python -m microgradnn
# exercises start perceptron_lms`, fill in `perceptron_lms.py`, then `python -m microgradnn
# exercises check perceptron_lms`.
