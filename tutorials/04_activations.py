# %% [markdown]
# # Tutorial 4: activation functions and their derivatives
#
# Without an activation function a network is a chain of matrix products, and a product
# of matrices is just one matrix: the network would be a linear model, however deep.
# The activation φ bends each neuron's output. Backpropagation multiplies by φ'(s) at
# every neuron, so **the derivative matters as much as the function**: where φ' is close
# to 0 the gradient dies ("vanishing gradients"), where it is 1 it passes unchanged.
#
# The lecture lists the traditional ones (sigmoid, tanh), the modern ones (ReLU, Leaky
# ReLU, ELU), SmeLU (2020), and softmax for the output of a classifier. We plot each one
# with its derivative, and the derivative is **not** typed into this tutorial: we ask the
# engine (`backward`) for it and compare with the closed-form formula.
#
# Figures go to `tutorials/output/04_activations/`. This tutorial has no training, so fast
# mode (`MICROGRADNN_FAST=1`) only uses fewer plotting points; the numbers are the same.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Tensor, ops
from microgradnn import functional as F
from microgradnn.tutorial import finish, pick, quote, save

FIGURES = ["activations.png", "softmax.png"]

# %% [markdown]
# ## 1. Derivatives from the engine
#
# For an elementwise function, the derivative at many points at once is one backward pass:
# put the points in a Tensor x, compute y = φ(x) and call `y.sum().backward()`. Since
# ∂(Σ_j y_j)/∂x_i = φ'(x_i), the gradient `x.grad` is φ' evaluated at every point.


# %%
def value_and_derivative(function, xs):
    """φ(xs) and φ'(xs), the derivative computed by backpropagation."""
    x = Tensor(xs, requires_grad=True)
    y = function(x)
    y.sum().backward()
    return y.numpy(), np.asarray(x.grad)


# An even number of points never hits x = 0 exactly, where ReLU-like functions have a kink
# and any value between the left and right slopes is a valid choice (a subgradient).
xs = np.linspace(-4, 4, pick(200, 800))


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


# Each entry: engine function, closed-form derivative (for the check), formula for the title.
ACTIVATIONS = {
    "sigmoid": (F.sigmoid, lambda x: sigmoid_np(x) * (1 - sigmoid_np(x)), "1 / (1 + e^{-x})"),
    "tanh": (F.tanh, lambda x: 1 - np.tanh(x) ** 2, "\\tanh(x)"),
    "ReLU": (F.relu, lambda x: (x > 0).astype(float), "\\max(0, x)"),
    "Leaky ReLU": (
        lambda t: F.leaky_relu(t, alpha=0.1),
        lambda x: np.where(x > 0, 1.0, 0.1),
        "\\max(0.1x, x)",
    ),
    "ELU": (F.elu, lambda x: np.where(x > 0, 1.0, np.exp(x)), "x \\;|\\; e^x - 1"),
    "SmeLU (β=1)": (
        lambda t: F.smelu(t, beta=1.0),
        lambda x: np.clip((x + 1) / 2, 0, 1),
        "0 \\;|\\; (x+β)^2/4β \\;|\\; x",
    ),
}

# %% [markdown]
# The closed forms used for the check:
#
# * sigmoid σ(x) = 1/(1 + e^(-x)):  σ' = σ (1 - σ), at most 0.25 (at x = 0);
# * tanh:  tanh' = 1 - tanh², at most 1;
# * ReLU max(0, x):  0 for x < 0, 1 for x > 0 (the engine uses 0 at exactly x = 0);
# * Leaky ReLU max(αx, x) (α = 0.1 here so it is visible; the default is 0.01): α or 1;
# * ELU (α = 1):  x for x > 0, e^x - 1 below, derivative 1 or e^x;
# * SmeLU: 0 below -β, the parabola (x + β)²/(4β) on [-β, β], x above β; its derivative
#   (x + β)/(2β) climbs linearly from 0 to 1, so unlike ReLU it has no jump.

# %%
fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
errors = []
for ax, (name, (function, derivative, formula)) in zip(axes.ravel(), ACTIVATIONS.items()):
    ys, dys = value_and_derivative(function, xs)
    away_from_kinks = np.min(np.abs(xs[:, None] - np.array([-1.0, 0.0, 1.0])), axis=1) > 1e-9
    error = np.max(np.abs(dys - derivative(xs))[away_from_kinks])
    errors.append(error)
    at_two = value_and_derivative(function, np.array([-2.0, 2.0]))[1]
    print(
        f"{name:12s} max |engine φ' - formula φ'| = {error:.1e}   "
        f"φ'(-2) = {at_two[0]:.3f}, φ'(2) = {at_two[1]:.3f}"
    )
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)
    ax.plot(xs, ys, lw=2.2, label="φ(x)")
    ax.plot(xs, dys, lw=2, ls="--", label="φ'(x) by backward()")
    ax.set_title(f"{name}:  ${formula}$", fontsize=11)
    ax.set_ylim(-1.3, 2.2)
    ax.set_xlabel("x")
    ax.legend(loc="upper left", fontsize=9)
fig.suptitle("Activation functions (solid) and their derivatives computed by the engine (dashed)")
save(fig, "activations.png")
quote("largest_activation_error", max(errors), ".0e")

# Which of them are primitives of the op table (a derivative written by hand, next to the
# forward formula) and which are composites (derived by the chain rule through primitives)?
TABLE_NAMES = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "smelu"}
primitives = sorted(n for n in TABLE_NAMES if n in ops.OP_TABLE)
print("primitives in ops.OP_TABLE:", primitives)
print(
    "composites:", sorted(TABLE_NAMES - set(primitives)), "and softmax:", "softmax" in ops.OP_TABLE
)
quote("primitive_count", len(primitives), "d")
quote("composite_names", ", ".join(sorted(TABLE_NAMES - set(primitives))), "s")

# %% [markdown]
# **What to look at in `activations.png`.**
#
# * Sigmoid: the dashed derivative is a small bump of height 0.25. Ten sigmoid layers
#   multiply ten such factors: at best 0.25¹⁰ ≈ 1e-6<!--fixed-->, which is why deep sigmoid networks
#   hardly learned (the vanishing-gradient problem of the 1990s).
# * tanh: the same shape, but centred at 0 and with slope 1 at the origin; both saturate
#   (derivative ≈ 0) for |x| > 3.
# * ReLU: derivative exactly 1 for positive inputs, so gradients pass unchanged through
#   active neurons, and it is cheap. The price: a neuron with negative input gets zero
#   gradient (it can "die").
# * Leaky ReLU and ELU keep a small slope (α, or e^x) on the left, so no neuron is
#   completely silent.
# * SmeLU: the derivative is a ramp between -β and β instead of a jump, a smooth ReLU.
#
# The printed errors are 0 up to rounding (the largest is 1e-16<!--largest_activation_error-->):
# the engine's derivatives are exactly the textbook ones. Where do they come from?
# 5<!--primitive_count--> of the six (sigmoid, tanh, ReLU, Leaky ReLU, ELU) are **primitives** of
# the op table (`microgradnn.ops.OP_TABLE`): each has its derivative written by hand beside its
# forward formula, so this check tests those hand-written formulas. The other one,
# smelu<!--composite_names-->, is a **composite**: it is built from primitives (two ReLUs, sums
# and a product), and its derivative comes from the chain rule through them, with no formula
# of its own. Softmax below is a composite too (exp, sum, division).

# %% [markdown]
# ## 2. Softmax: an activation for a whole layer
#
# For classification with k classes, the output layer turns k scores z (logits) into
# probabilities:
#
#     softmax(z)_i = e^{z_i} / Σ_j e^{z_j}      (positive, summing to 1)
#
# Its derivative is a k x k Jacobian: ∂s_i/∂z_j = s_i (δ_ij - s_j). We vary the first
# logit z_0 while the others stay at 0 and -1, and ask the engine for ∂s_0/∂z_0, which should
# be s_0 (1 - s_0), and ∂s_1/∂z_0 = -s_1 s_0.

# %%
z0 = np.linspace(-5, 5, pick(101, 401))
logits = np.stack([z0, np.zeros_like(z0), -np.ones_like(z0)], axis=1)  # (points, 3 classes)

z = Tensor(logits, requires_grad=True)
probs = F.softmax(z, axis=1)
probs[:, 0].sum().backward()
d_s0 = np.asarray(z.grad)[:, 0]  # ∂s_0/∂z_0 at each point

z_again = Tensor(logits, requires_grad=True)
F.softmax(z_again, axis=1)[:, 1].sum().backward()
d_s1 = np.asarray(z_again.grad)[:, 0]  # ∂s_1/∂z_0

p = probs.numpy()
error_s0 = np.max(np.abs(d_s0 - p[:, 0] * (1 - p[:, 0])))
error_s1 = np.max(np.abs(d_s1 + p[:, 1] * p[:, 0]))
print(f"softmax rows sum to 1: max |Σ s - 1| = {np.max(np.abs(p.sum(axis=1) - 1)):.1e}")
print(f"∂s0/∂z0 vs s0(1 - s0): max error {error_s0:.1e}")
print(f"∂s1/∂z0 vs -s1 s0:     max error {error_s1:.1e}")
quote("largest_softmax_error", max(error_s0, error_s1), ".0e")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
for k, name in enumerate(["$s_0$ (logit $z_0$ varies)", "$s_1$ (logit 0)", "$s_2$ (logit -1)"]):
    axes[0].plot(z0, p[:, k], lw=2, label=name)
axes[0].stackplot(z0, p.T, alpha=0.12, colors=["C0", "C1", "C2"])
axes[0].set_xlabel("$z_0$")
axes[0].set_ylabel("probability")
axes[0].set_title("softmax of (z0, 0, -1): the three probabilities add to 1")
axes[0].legend(fontsize=9)
axes[1].plot(z0, d_s0, lw=2, label="$\\partial s_0/\\partial z_0$ by backward()")
axes[1].plot(z0, p[:, 0] * (1 - p[:, 0]), "k:", lw=2, label="$s_0(1-s_0)$")
axes[1].plot(z0, d_s1, lw=2, label="$\\partial s_1/\\partial z_0$ by backward()")
axes[1].plot(z0, -p[:, 1] * p[:, 0], "k--", lw=1, label="$-s_1 s_0$")
axes[1].axhline(0, color="grey", lw=0.6)
axes[1].set_xlabel("$z_0$")
axes[1].set_title("two entries of the softmax Jacobian")
axes[1].legend(fontsize=9)
save(fig, "softmax.png")

# %% [markdown]
# In `softmax.png` (left) raising z_0 takes probability away from the other two classes
# smoothly: softmax is a "soft" arg-max. On the right the engine's derivatives lie exactly
# on the dotted formulas (printed errors at most 9e-17<!--largest_softmax_error-->). Raising z_0
# increases s_0 the most when the model is undecided (s_0 ≈ 0.5) and lowers s_1 at the same time
# (negative curve).
#
# **Which one to use?** The lecture's rule: ReLU (or a relative) in hidden layers; at the
# output, sigmoid for two classes, softmax for several, and linear (no activation) for
# regression. Tutorial 5 pairs each output with its loss.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** each activation and its derivative as a `Function`. Run `python -m
# microgradnn exercises start activation_functions`, fill in `activation_functions.py`, then
# `python -m microgradnn exercises check activation_functions`.
