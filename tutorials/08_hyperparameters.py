# %% [markdown]
# # Tutorial 8: hyper-parameters, train/validation/test, learning curves, early stopping
#
# **Parameters** (weights and biases) are learned by gradient descent. **Hyper-parameters**
# are everything *we* choose: number and type of layers, their sizes and activations, the
# loss, the optimizer and its learning rate α, the batch size, the number of epochs. They
# cannot be learned by gradient descent, so we try values and *measure*.
#
# Measuring on the training data would be cheating: a big enough network memorizes it.
# The lecture splits the data in three:
#
# * **training** data: used to compute the loss and the weights;
# * **validation** data: evaluated after every epoch, never used for the weights; it
#   guides our choices (hyper-parameters, when to stop);
# * **test** data: touched once, at the very end, to report performance.
#
# Typical proportions are 80/10/10, 60/20/20 or 50/40/10, depending on how much data you
# can spare. Here we use 60/20/20 on a small, noisy two-moons set, read learning curves
# for under- and over-fitting, stop early, and sweep the learning rate.
# Figures go to `tutorials/output/08_hyperparameters/`. Fast mode (`MICROGRADNN_FAST=1`)
# trains far fewer epochs, so its numbers (and curves) differ from the ones quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import data, nn, plots
from microgradnn.train import EarlyStopping
from microgradnn.tutorial import finish, out_dir, pick, quote, save

FIGURES = [
    "split.png",
    "curves_underfit.png",
    "curves_overfit.png",
    "early_stopping.png",
    "learning_rates.png",
]

# %% [markdown]
# ## 1. Splitting the data
#
# `data.train_val_test_split` shuffles and splits; `stratify=True` keeps the same class
# proportions in every part (important for small or unbalanced data sets).

# %%
x_all, y_all = data.make_moons(200, noise=0.3, seed=0)
(x_train, y_train), (x_val, y_val), (x_test, y_test) = data.train_val_test_split(
    x_all, y_all, sizes=(0.6, 0.2, 0.2), stratify=True, seed=0
)
print(f"train {len(x_train)}, validation {len(x_val)}, test {len(x_test)} samples")
print(f"class-1 fraction: {y_train.mean():.2f} / {y_val.mean():.2f} / {y_test.mean():.2f}")

fig, ax = plt.subplots(figsize=(6, 4.6))
for (xs, ys), name, marker in (
    ((x_train, y_train), "train", "o"),
    ((x_val, y_val), "validation", "s"),
    ((x_test, y_test), "test", "^"),
):
    ax.scatter(
        xs[:, 0],
        xs[:, 1],
        c=np.where(ys == 1, "#d62728", "#1f77b4"),
        marker=marker,
        s=30,
        edgecolors="k",
        linewidths=0.4,
        label=name,
    )
ax.set_title("Noisy moons split 60/20/20 (colour = class, marker = part)")
legend = ax.legend()
for handle in legend.legend_handles:
    handle.set_facecolor("white")
save(fig, "split.png")

# %% [markdown]
# ## 2. Under-fitting: the model is too simple
#
# A single Dense layer with a sigmoid is logistic regression: its boundary is a straight
# line, and no amount of training bends it. Both curves flatten at a high loss, close to
# each other. Full run (200 epochs): train loss 0.352<!--small_loss-->, validation loss
# 0.364<!--small_val_loss-->.
#
# Careful: the automatic reading `plots.read_learning_curves` calls this a "good fit",
# because the two curves are close and flat. A rule of thumb cannot know that
# 0.35<!--small_loss_rounded--> is a *high* loss for this problem; the bigger network below
# reaches 0.19<!--big_best_val_rounded--> on the same validation data. Under-fitting is judged by
# comparing models, not one curve.


# %%
def network(hidden, seed=0):
    """2 -> hidden... -> 1 with tanh hidden layers and a sigmoid output."""
    widths = [2, *hidden]
    layers = [
        nn.Dense(widths[i], widths[i + 1], activation="tanh", seed=seed + i)
        for i in range(len(hidden))
    ]
    layers.append(nn.Dense(widths[-1], 1, activation="sigmoid", seed=seed + 10))
    return nn.Sequential(layers)


def train(model, epochs, lr=0.01, callbacks=None):
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], lr=lr)
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=16,
        validation_data=(x_val, y_val),
        callbacks=callbacks,
        verbose=0,
        seed=0,
    )


small = network([])
history_small = train(small, pick(30, 200))
print("under-fitting:", plots.read_learning_curves(history_small))
plots.learning_curves(
    history_small,
    path=out_dir() / "curves_underfit.png",
    show=False,
    title="Too simple: logistic regression (a straight line)",
)
print(
    f"  final train loss {history_small.history['loss'][-1]:.3f}, "
    f"val loss {history_small.history['val_loss'][-1]:.3f}"
)
quote("small_loss", history_small.history["loss"][-1], ".3f")
quote("small_loss_rounded", history_small.history["loss"][-1], ".2f")
quote("small_val_loss", history_small.history["val_loss"][-1], ".3f")

# %% [markdown]
# ## 3. Over-fitting: the model is too flexible for 120 points
#
# Two hidden layers of 64 tanh units (4,417<!--big_weights--> weights for 120<!--train_points-->
# training points), trained for a long
# time (400 epochs). Training loss keeps falling; validation loss falls, reaches a minimum, and
# then *rises*: the network is learning the noise of the training points, which does not carry
# over to new data.

# %%
epochs_long = pick(40, 400)
big = network([64, 64])
history_big = train(big, epochs_long)
val_curve = np.array(history_big.history["val_loss"])
best_epoch = int(val_curve.argmin())
print("over-fitting:", plots.read_learning_curves(history_big))
quote("big_weights", sum(np.size(p.data) for p in big.parameters()), ",d")
quote("train_points", len(x_train), "d")
quote("big_best_val", val_curve[best_epoch], ".3f")
quote("big_best_val_rounded", val_curve[best_epoch], ".2f")
quote("big_best_epoch", best_epoch + 1, "d")
quote("big_final_loss", history_big.history["loss"][-1], ".3f")
quote("big_final_val_loss", val_curve[-1], ".3f")
quote("one_val_point_percent", 100 / len(x_val), ".1f")
print(
    f"  best validation loss {val_curve[best_epoch]:.3f} at epoch {best_epoch + 1}; "
    f"at the end: train {history_big.history['loss'][-1]:.3f}, val {val_curve[-1]:.3f}"
)
plots.learning_curves(
    history_big,
    path=out_dir() / "curves_overfit.png",
    show=False,
    title="Too flexible, trained too long: 2-64-64-1",
)

# %% [markdown]
# **How to read `curves_underfit.png` and `curves_overfit.png`** (the lecture's pictures
# of learning curves): under-fitting shows two high, flat curves close together. Over-fitting
# shows a growing *gap*: training loss goes down, validation loss turns upward after the
# dotted line (its best epoch). The ideal is in between: both low and close. Full run:
# the best validation loss is 0.194<!--big_best_val--> at epoch 195<!--big_best_epoch-->; after
# 400 epochs the training loss is 0.087<!--big_final_loss--> and the validation loss has climbed
# back to 0.512<!--big_final_val_loss-->. The accuracy panel is noisier (40 validation points: one
# point is 2.5<!--one_val_point_percent--> %) but tells the same story.

# %% [markdown]
# ## 4. Early stopping
#
# If validation loss is what we care about, stop when it stops improving. The
# `EarlyStopping` callback watches `val_loss`, waits `patience` epochs for an improvement,
# stops, and (with `restore_best_weights=True`) rewinds the weights to the best epoch.

# %%
stopper = EarlyStopping(monitor="val_loss", patience=pick(5, 30), restore_best_weights=True)
stopped = network([64, 64])
history_stopped = train(stopped, epochs_long, callbacks=[stopper])
ran = len(history_stopped.history["loss"])
print(f"early stopping: ran {ran} of {epochs_long} epochs, best epoch {stopper.best_epoch + 1}")
quote("stopped_after", ran, "d")
quote("stopped_best_epoch", stopper.best_epoch + 1, "d")

results = {}
for name, model in (
    ("logistic regression", small),
    ("2-64-64-1, all epochs", big),
    ("2-64-64-1, early stopping", stopped),
):
    results[name] = model.evaluate(x_test, y_test)
    print(f"  TEST {name:26s} loss {results[name][0]:.3f}, accuracy {results[name][1]:.3f}")
    key = {"l": "logistic", "2-64-64-1, a": "big", "2-64-64-1, e": "stopped"}
    key = next(v for k, v in key.items() if name.startswith(k))
    quote(f"{key}_test_loss", results[name][0], ".3f")
    quote(f"{key}_test_accuracy", results[name][1], ".3f")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
axes[0].plot(history_big.history["loss"], color="C0", alpha=0.5, label="train (no stopping)")
axes[0].plot(val_curve, color="C3", alpha=0.5, label="validation (no stopping)")
axes[0].plot(
    history_stopped.history["val_loss"], color="C3", lw=2.5, label="validation, early stopping"
)
axes[0].axvline(stopper.best_epoch, color="k", ls=":", label="best epoch (weights restored)")
axes[0].axvline(ran - 1, color="grey", ls="--", label="training stopped")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("binary cross-entropy")
axes[0].set_ylim(0, max(1.0, float(val_curve[: ran + 1].max()) * 1.1))
axes[0].set_title("Early stopping on validation loss")
axes[0].legend(fontsize=8)
plots.decision_boundary(big, x_train, y_train, ax=axes[1], title="")
axes[1].set_title("over-fitted boundary (all epochs), training points")
save(fig, "early_stopping.png")

# %% [markdown]
# Full run (400 epochs, patience 30): training stopped after 166<!--stopped_after--> epochs and
# restored the weights of epoch 135<!--stopped_best_epoch--> (the validation loss had not improved
# for 30 epochs; the run without stopping later dips slightly lower at epoch
# 195<!--big_best_epoch--> before climbing, so patience is itself a hyper-parameter). The
# **test** set, which none of these choices looked at, gives the honest summary:
#
# | model | test loss | test accuracy |
# |---|---|---|
# | logistic regression | 0.317<!--logistic_test_loss--> | 0.850<!--logistic_test_accuracy--> |
# | 2-64-64-1, all 400 epochs | 0.366<!--big_test_loss--> | 0.875<!--big_test_accuracy--> |
# | 2-64-64-1, early stopping | 0.258<!--stopped_test_loss--> | 0.925<!--stopped_test_accuracy--> |
#
# In `early_stopping.png` (right) the over-fitted boundary grows thin fingers and islands
# to reach individual noisy training points; that is the rising validation loss.

# %% [markdown]
# ## 5. A hyper-parameter sweep: the learning rate
#
# The same 2-16-16-1 network trained with Adam at five learning rates; we pick the one
# with the lowest validation loss (not test loss: the test set must stay unseen).

# %%
rates = [0.0003, 0.001, 0.01, 0.1, 0.5]
sweep_epochs = pick(20, 100)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
best = None
for lr in rates:
    history = train(network([16, 16]), sweep_epochs, lr=lr)
    val_loss = min(history.history["val_loss"])
    print(f"lr = {lr:<7g} best validation loss {val_loss:.3f}")
    quote(f"lr_{lr:g}".replace(".", "_"), val_loss, ".3f")
    ax.plot(history.history["val_loss"], lw=1.8, label=f"α = {lr:g}")
    if best is None or val_loss < best[1]:
        best = (lr, val_loss)
print(f"chosen learning rate: {best[0]:g}")
quote("chosen_lr", best[0], "g")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax.set_ylim(0, 1.0)
ax.set_title("Learning-rate sweep (2-16-16-1, Adam): validation loss per epoch")
ax.legend()
save(fig, "learning_rates.png")

# %% [markdown]
# Full run (100 epochs each), best validation loss: α = 0.0003<!--fixed-->:
# 0.373<!--lr_0_0003-->, 0.001<!--fixed-->: 0.356<!--lr_0_001-->, 0.01: 0.243<!--lr_0_01-->,
# 0.1: 0.199<!--lr_0_1-->, 0.5: 0.401<!--lr_0_5-->, so we choose α = 0.1<!--chosen_lr-->. In
# `learning_rates.png`: too small and the curve barely moves in 100 epochs; too large (α = 0.5) and
# it jumps around; the middle values reach the lowest validation loss. The same search applies to
# every hyper-parameter (layer sizes, batch size, epochs...); for a careful estimate with little
# data, repeat it over several splits (k-fold cross-validation, `data.kfold_indices`).
#
# Some networks do not learn at any learning rate: in a deep network the first layers can
# receive almost no gradient, or far too much. Tutorial 13
# ([`13_vanishing_exploding.py`](13_vanishing_exploding.py)) looks inside a deep network while
# it trains and shows the cures (ReLU with He initialization, Glorot for tanh, batch
# normalization, gradient clipping).

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** when early stopping stops, and which epoch it restores. Run `python -m
# microgradnn exercises start early_stopping`, fill in `early_stopping.py`, then `python -m
# microgradnn exercises check early_stopping`.
