# %% [markdown]
# # Tutorial 7: optimizers compared
#
# The lecture lists GD, SGD, Nesterov, Adam, Adagrad, Adamax, RMSProp... They all use the
# same gradient g = ∂L/∂θ; they differ in how they turn it into a step. With learning rate
# η and step number t:
#
# * **GD / SGD**:   θ ← θ - η g   (GD on all samples, SGD on a sample or mini-batch);
# * **momentum**:   v ← μ v + g,  θ ← θ - η v   (a heavy ball: keeps moving in directions
#   where the gradients agree, damps the zig-zag where they alternate; μ = 0.9);
# * **Nesterov**:   the same, but the gradient is applied as if looking one step ahead
#   (θ ← θ - η (g + μ v)), which brakes earlier before overshooting;
# * **Adagrad**:    s ← s + g²,  θ ← θ - η g / (√s + ε)   (each weight gets its own step
#   size, which shrinks forever as squared gradients accumulate);
# * **RMSprop**:    s ← ρ s + (1 - ρ) g²,  θ ← θ - η g / (√s + ε)   (a moving average
#   instead of a sum, so the steps do not die out);
# * **Adam**:       m ← β1 m + (1 - β1) g,  v ← β2 v + (1 - β2) g², bias-corrected
#   m̂ = m/(1 - β1^t), v̂ = v/(1 - β2^t),  θ ← θ - η m̂ / (√v̂ + ε)   (momentum + RMSprop);
# * **Adamax**:     Adam with the infinity norm: u ← max(β2 u, |g|),
#   θ ← θ - η/(1 - β1^t) · m / u.
#
# All of them are in `microgradnn.optim` with PyTorch's names and formulas. We race them
# on a 2-D loss surface where we can *see* the trajectories, then on the same network.
# Figures go to `tutorials/output/07_optimizers/`. Fast mode (`MICROGRADNN_FAST=1`) runs
# fewer steps and epochs, so its numbers differ from the ones quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Tensor, data, nn, optim
from microgradnn.tutorial import finish, pick, quote, save

FIGURES = ["trajectories.png", "moons_optimizers.png"]

# Learning rates: each optimizer's own scale (adaptive methods normalize the gradient, so
# their η is roughly "distance per step", while SGD's η multiplies the raw gradient).
OPTIMIZERS = {
    "GD": lambda p: optim.GD(p, lr=0.001),
    "momentum": lambda p: optim.SGD(p, lr=0.001, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.001, momentum=0.9, nesterov=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.5),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01),
    "Adam": lambda p: optim.Adam(p, lr=0.05),
    "Adamax": lambda p: optim.Adamax(p, lr=0.1),
}

# %% [markdown]
# ## 1. A 2-D loss surface: the Rosenbrock valley
#
#     L(a, b) = (1 - a)² + 100 (b - a²)²
#
# has its minimum L = 0 at (1, 1), at the bottom of a long, curved, very narrow valley:
# the slope across the valley is huge, along it tiny. This is what makes training hard in
# many dimensions, drawn in two. Every optimizer starts at (-1.5, 2) and takes the same
# number of steps; the parameters are one Tensor θ = (a, b).


# %%
def rosenbrock(theta):
    a, b = theta[0], theta[1]
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2


steps = pick(200, 1000)
trajectories, final_losses = {}, {}
for name, make in OPTIMIZERS.items():
    theta = Tensor(np.array([-1.5, 2.0]), requires_grad=True)
    optimizer = make([theta])
    path, losses_seen = [theta.numpy().copy()], []
    for _ in range(steps):
        loss = rosenbrock(theta)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(theta.numpy().copy())
        losses_seen.append(loss.item())
    trajectories[name] = np.array(path)
    final_losses[name] = losses_seen
    a_end, b_end = path[-1]
    print(
        f"{name:9s} after {steps} steps: (a, b) = ({a_end:+.3f}, {b_end:+.3f}), "
        f"L = {rosenbrock(path[-1]):.2e}"
    )
    key = name.lower()
    quote(f"{key}_valley_loss", rosenbrock(path[-1]).item(), ".2g")
    quote(f"{key}_a", a_end, ".2f")
    quote(f"{key}_b", b_end, ".2f")

grid_a, grid_b = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
log_surface = np.log10((1 - grid_a) ** 2 + 100 * (grid_b - grid_a**2) ** 2 + 1e-3)
fig, axes = plt.subplots(2, 4, figsize=(17, 8.2))
for ax, (name, path), color in zip(axes.ravel(), trajectories.items(), plt.cm.tab10.colors):
    ax.contourf(grid_a, grid_b, log_surface, levels=25, cmap="Greys", alpha=0.35)
    ax.contour(grid_a, grid_b, log_surface, levels=12, colors="grey", linewidths=0.4)
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=1.2, color=color)
    ax.plot(-1.5, 2.0, "ks", ms=7)
    ax.plot(1.0, 1.0, "r*", ms=14)
    ax.plot(path[-1, 0], path[-1, 1], "o", ms=8, color=color, markeredgecolor="k")
    ax.set_title(f"{name}: final L = {rosenbrock(path[-1]):.1e}", fontsize=11)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 3)
ax = axes.ravel()[-1]
for (name, curve), color in zip(final_losses.items(), plt.cm.tab10.colors):
    ax.plot(curve, lw=1.5, color=color, label=name)
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_title("L(a, b) per step")
ax.legend(ncol=2, fontsize=8)
fig.suptitle(
    f"Rosenbrock valley, {steps} steps each from the black square to the red star (1, 1)",
    fontsize=13,
)
save(fig, "trajectories.png")

# %% [markdown]
# Full run (1,000 steps), what to see in `trajectories.png` (one panel per optimizer):
#
# * **GD** (η = 0.001<!--fixed-->; with 0.002<!--fixed--> the momentum variants below already blow
#   up across the steep walls) drops into the valley and then crawls along its floor: it ends at
#   (-0.66<!--gd_a-->, 0.44<!--gd_b-->) with L = 2.8<!--gd_valley_loss-->. A learning rate small
#   enough for the steep direction is far too small for the flat one.
# * **Momentum** and **Nesterov**, with the same η, build up speed along the floor and
#   reach (1, 1) (L = 5.7e-05<!--momentum_valley_loss--> and 2.3e-05<!--nesterov_valley_loss-->).
#   Note the zig-zag at the start: the heavy ball
#   first bounces between the walls. Nesterov's first jumps are the widest, but its
#   look-ahead then damps them faster.
# * **Adagrad** (η = 0.5) takes big first steps, then its accumulated squared gradients
#   shrink every step: it stops halfway (L = 1.6<!--adagrad_valley_loss-->). **Adamax** (η = 0.1)
#   also slows down (L = 0.27<!--adamax_valley_loss-->). **RMSprop** (η = 0.01) gets close but
#   keeps bouncing across the floor (the spikes in the last panel,
#   L = 0.055<!--rmsprop_valley_loss-->). **Adam** (η = 0.05) reaches
#   (0.98<!--adam_a-->, 0.96<!--adam_b-->), L = 0.00033<!--adam_valley_loss-->.
#
# No optimizer is best everywhere: the ranking depends on η (try other values!) and on the
# surface. This is why the optimizer and its learning rate are *hyper-parameters*
# (Tutorial 8).

# %% [markdown]
# ## 2. The same network, all the optimizers
#
# Now a real training problem: the 2-16-16-1 tanh network of Tutorial 6 on 400 noisy
# moons, mini-batches of 32 (full batch for GD), each optimizer with a customary learning
# rate. Same initial weights for everyone (seeded layers), same batch order (fit seed).

# %%
x_moons, y_moons = data.make_moons(400, noise=0.2, seed=1)
NETWORK_OPTIMIZERS = {
    "GD (full batch)": ("gd", 0.5, None),
    "SGD": ("sgd", 0.1, 32),
    "momentum": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9), None, 32),
    "Nesterov": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), None, 32),
    "Adagrad": ("adagrad", 0.1, 32),
    "RMSprop": ("rmsprop", 0.01, 32),
    "Adam": ("adam", 0.02, 32),
    "Adamax": ("adamax", 0.05, 32),
}
epochs = pick(8, 40)
fig, ax = plt.subplots(figsize=(8, 4.6))
for name, (choice, lr, batch_size) in NETWORK_OPTIMIZERS.items():
    model = nn.Sequential(
        [
            nn.Dense(2, 16, activation="tanh", seed=0),
            nn.Dense(16, 16, activation="tanh", seed=1),
            nn.Dense(16, 1, activation="sigmoid", seed=2),
        ]
    )
    optimizer = choice(model.parameters()) if callable(choice) else choice
    model.compile(optimizer, "binary_crossentropy", metrics=["accuracy"], lr=lr)
    history = model.fit(x_moons, y_moons, epochs=epochs, batch_size=batch_size, verbose=0, seed=0)
    curve = history.history["loss"]
    print(f"{name:16s} final loss {curve[-1]:.3f}, accuracy {history.history['accuracy'][-1]:.3f}")
    key = name.split()[0].lower()
    quote(f"{key}_net_loss", curve[-1], ".3f")
    quote(f"{key}_net_accuracy", history.history["accuracy"][-1], ".3f")
    ax.plot(range(1, epochs + 1), curve, lw=1.8, label=name, ls="--" if "GD" in name else "-")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (BCE)")
ax.set_title("Moons, 2-16-16-1 network: training loss per epoch for each optimizer")
ax.legend(ncol=2, fontsize=8)
save(fig, "moons_optimizers.png")

# %% [markdown]
# Full run (40 epochs): full-batch GD (40 updates only) and plain SGD end at a loss of
# 0.287<!--gd_net_loss--> and 0.284<!--sgd_net_loss--> (accuracy 0.885<!--gd_net_accuracy--> and
# 0.885<!--sgd_net_accuracy-->): they have learned little more than a straight line. Momentum,
# Nesterov and Adam reach 0.069<!--momentum_net_loss-->, 0.065<!--nesterov_net_loss--> and
# 0.065<!--adam_net_loss--> (accuracy 0.978<!--momentum_net_accuracy-->,
# 0.978<!--nesterov_net_accuracy--> and 0.978<!--adam_net_accuracy-->), Adamax
# 0.059<!--adamax_net_loss--> (0.973<!--adamax_net_accuracy-->), RMSprop
# 0.099<!--rmsprop_net_loss--> and Adagrad 0.126<!--adagrad_net_loss-->. In `moons_optimizers.png`,
# look at how early each curve drops: momentum-based methods and Adam get there in the fewest
# epochs, which is why Adam (with its default-ish η) is the usual first choice.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** one step of SGD, momentum and Adam. Run `python -m microgradnn exercises
# start optimizer_steps`, fill in `optimizer_steps.py`, then `python -m microgradnn
# exercises check optimizer_steps`.
