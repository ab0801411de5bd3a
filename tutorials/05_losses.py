# %% [markdown]
# # Tutorial 5: classifiers, function approximators, and their losses
#
# The lecture sees a network in two ways:
#
# * **as a classifier**: k output neurons, one per class, with a softmax (or a sigmoid for
#   two classes), so that output i reads as P(x is in class i);
# * **as a function approximator**: d linear output neurons that approximate y = f(x) in
#   R^d (regression).
#
# The *loss function* measures the discrepancy between ŷ_i and the ground truth y_i, and
# it must match the output: cross-entropy for probabilities, MSE or MAE for numbers. The
# lecture also adds regularization terms,
#
#     L = (1/n) Σ ||y_i - ŷ_i||_1 + λ1 Σ |w_ij| + λ2 ||∇_w ŷ_i||²_2,
#
# and the last term, a *gradient penalty*, needs second derivatives. We meet all of them.
# Figures go to `tutorials/output/05_losses/`. Fast mode (`MICROGRADNN_FAST=1`) trains
# fewer epochs on fewer points, so its numbers differ from the ones quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Tensor, Value, data, grad, nn, optim, plots
from microgradnn.nn import losses
from microgradnn.tutorial import finish, out_dir, pick, quote, save

FIGURES = [
    "classifier_vs_regressor.png",
    "losses.png",
    "cross_entropy_fused.png",
    "cross_entropy_expanded.png",
    "l1_weights.png",
]

# %% [markdown]
# ## 1. The same kind of network, two jobs
#
# Both models below are 2 Dense layers with a tanh hidden layer. Only the output layer and
# the loss differ:
#
# * classifier: 3 outputs with **softmax** + **categorical cross-entropy** on 3 blobs;
# * approximator: 1 **linear** output + **MSE** on noisy samples of sin(x).

# %%
epochs = pick(40, 200)
x_cls, y_cls = data.make_blobs(pick(150, 300), centers=[[-2, 0], [2, 0], [0, 2.5]], std=0.8, seed=0)
classifier = nn.Sequential(
    [nn.Dense(2, 16, activation="tanh", seed=0), nn.Dense(16, 3, activation="softmax", seed=1)]
)
classifier.compile("adam", "categorical_crossentropy", metrics=["accuracy"], lr=0.02)
classifier.fit(x_cls, data.one_hot(y_cls, 3), epochs=epochs, batch_size=32, verbose=0, seed=0)
probabilities = classifier.predict(x_cls[:3])
print("classifier: P(class) for the first 3 points:")
for p, label in zip(probabilities, y_cls[:3]):
    print(f"  {np.round(p, 3)}  sums to {p.sum():.3f}, true class {label}")
cls_loss, cls_acc = classifier.evaluate(x_cls, data.one_hot(y_cls, 3))
print(f"classifier: cross-entropy {cls_loss:.3f}, accuracy {cls_acc:.3f}")
quote("cls_loss", cls_loss, ".3f")
quote("cls_accuracy", cls_acc, ".3f")

x_reg, y_reg = data.make_sine(pick(60, 120), noise=0.1, seed=0)
regressor = nn.Sequential([nn.Dense(1, 16, activation="tanh", seed=0), nn.Dense(16, 1, seed=1)])
regressor.compile("adam", "mse", lr=0.02)
regressor.fit(x_reg, y_reg, epochs=epochs, batch_size=16, verbose=0, seed=0)
reg_mse = regressor.evaluate(x_reg, y_reg)
print(f"approximator: MSE {reg_mse:.4f} (the noise alone has variance 0.01)")
quote("reg_mse", reg_mse, ".4f")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
plots.decision_boundary(
    classifier, x_cls, y_cls, ax=axes[0], title="classifier: softmax + cross-entropy"
)
grid = np.linspace(-np.pi, np.pi, 200)[:, None]
axes[1].scatter(x_reg, y_reg, s=12, color="grey", label="noisy samples")
axes[1].plot(grid, np.sin(grid), "k--", lw=1, label="sin(x)")
axes[1].plot(grid, regressor.predict(grid), lw=2.5, label="network ŷ(x)")
axes[1].set_title("function approximator: linear output + MSE")
axes[1].set_xlabel("x")
axes[1].legend()
save(fig, "classifier_vs_regressor.png")

# %% [markdown]
# Full run (200 epochs): the classifier reaches a cross-entropy of 0.082<!--cls_loss--> and
# accuracy 0.957<!--cls_accuracy--> on its 300 points (the blobs overlap a little); each row of
# probabilities sums to 1. The approximator reaches an MSE of 0.0117<!--reg_mse-->, close to the
# noise variance 0.01, so it follows sin(x) and ignores the noise. In `classifier_vs_regressor.png`
# the left panel colours each region by the most probable class; the right panel shows the smooth
# curve ŷ(x) over the noisy samples.

# %% [markdown]
# ## 2. The four losses of the lecture and their gradients
#
# For one sample with error e = ŷ - y:
#
# * MSE  e²: gradient 2e, large errors are punished quadratically (and pull hard);
# * MAE  |e|: gradient ±1, every error pulls with the same force (robust to outliers);
# * BCE  -[y log ŷ + (1 - y) log(1 - ŷ)] for ŷ in (0, 1): for y = 1 it is -log ŷ, which
#   explodes when the model is confidently wrong (ŷ → 0);
# * CCE  -Σ_j y_j log ŷ_j: with a one-hot y this is -log(probability of the true class).
#
# Below each loss is computed with `microgradnn.nn.losses` on a grid of predictions and
# its derivative comes from `backward()`. First a numeric check on a tiny batch:

# %%
y_true = np.array([1.0, 0.0, 1.0])
y_pred = Tensor([0.9, 0.2, 0.4], requires_grad=True)
by_hand = {
    "mse": np.mean((y_pred.numpy() - y_true) ** 2),
    "mae": np.mean(np.abs(y_pred.numpy() - y_true)),
    "bce": -np.mean(y_true * np.log([0.9, 0.2, 0.4]) + (1 - y_true) * np.log([0.1, 0.8, 0.6])),
}
for name, function in (
    ("mse", losses.mse),
    ("mae", losses.mae),
    ("bce", losses.binary_crossentropy),
):
    print(f"{name}: losses.{function.__name__} = {function(y_pred, y_true).item():.4f}", end="")
    print(f"   by hand = {by_hand[name]:.4f}")
cce = losses.categorical_crossentropy(Tensor([[0.7, 0.2, 0.1]]), [[1.0, 0.0, 0.0]]).item()
print(
    f"cce of probabilities (0.7, 0.2, 0.1) for class 0: {cce:.4f} = -log 0.7 = {-np.log(0.7):.4f}"
)


def loss_curve(function, predictions, target):
    """The loss for each prediction (no reduction) and its derivative by backward()."""
    p = Tensor(predictions, requires_grad=True)
    values = function(p, np.full_like(predictions, target), reduction="none")
    values.sum().backward()
    return values.numpy(), np.asarray(p.grad)


fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
errors = np.linspace(-2, 2, 401)
for name, function in (("MSE", losses.mse), ("MAE", losses.mae)):
    values, slopes = loss_curve(function, errors, 0.0)
    line = axes[0].plot(errors, values, lw=2, label=f"{name}")[0]
    axes[0].plot(errors, slopes, ls="--", color=line.get_color(), label=f"d{name}/dŷ")
axes[0].set_title("regression: MSE and MAE vs error ŷ - y")
axes[0].set_xlabel("ŷ - y")
axes[0].set_ylim(-2.2, 4.2)
probs = np.linspace(0.01, 0.99, 197)
for target in (1.0, 0.0):
    values, slopes = loss_curve(losses.binary_crossentropy, probs, target)
    line = axes[1].plot(probs, values, lw=2, label=f"BCE, y = {target:.0f}")[0]
    axes[1].plot(probs, slopes, ls="--", color=line.get_color(), label=f"dBCE/dŷ, y = {target:.0f}")
axes[1].set_ylim(-10, 10)
axes[1].set_title("two classes: binary cross-entropy vs ŷ")
axes[1].set_xlabel("predicted probability ŷ of class 1")
# CCE: three classes, the true class gets probability q and the others share the rest.
q = np.linspace(0.01, 0.99, 197)
rows = np.stack([q, (1 - q) / 2, (1 - q) / 2], axis=1)
cce_values = losses.categorical_crossentropy(
    Tensor(rows), np.tile([1.0, 0.0, 0.0], (len(q), 1)), reduction="none"
).numpy()
axes[2].plot(q, cce_values, lw=2, label="CCE = -log q")
axes[2].set_title("several classes: categorical cross-entropy")
axes[2].set_xlabel("probability q given to the true class")
for ax in axes:
    ax.axhline(0, color="grey", lw=0.6)
    ax.legend(fontsize=8)
save(fig, "losses.png")

# %% [markdown]
# **What to look at in `losses.png`.** Left: the MSE parabola and its straight-line
# derivative 2e, against the MAE "V" whose derivative jumps between -1 and +1. Middle: for
# y = 1 the BCE is -log ŷ (it shoots up as ŷ → 0) and its derivative -1/ŷ is huge there:
# a confidently wrong classifier receives a strong push, which is what makes
# cross-entropy train faster than MSE on probabilities. Right: CCE only looks at the
# probability of the true class, and is 0 when that probability is 1.

# %% [markdown]
# **One node, and the formula it stands for.** On a batch of logits,
# `categorical_crossentropy(..., from_logits=True)` is ONE graph node, a fused kernel
# (`microgradnn.kernels.SoftmaxCrossEntropy`): its forward pass computes
# L = -Σ_c y_c log softmax(z)_c and its backward pass is the famous p − y. A kernel is there
# for speed only: `viz.draw(loss, expand=True)` draws the same node as the primitives it
# stands for (shift by the max, exp, sum, log, product, sum), with the same numbers, and a
# test checks that the two agree to second order.

# %%
from microgradnn import viz  # noqa: E402  (pictures of graphs)

logits = Tensor([[2.0, 1.0, 0.1]], label="z")
ce = losses.categorical_crossentropy(logits, [[1.0, 0.0, 0.0]], from_logits=True)
ce.label = "L"
ce.backward()
probs = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum()
print(f"loss = {ce.item():.4f}, dL/dz = {np.round(logits.grad, 4)}")
print(f"p - y = {np.round(probs - [[1.0, 0.0, 0.0]], 4)}  (the same numbers)")
assert np.allclose(logits.grad, probs - [[1.0, 0.0, 0.0]])
viz.save_graph_picture(ce, out_dir() / "cross_entropy_fused", rankdir="LR")
viz.save_graph_picture(ce, out_dir() / "cross_entropy_expanded", expand=True)

# %% [markdown]
# ## 3. L1 regularization: λ1 Σ |w|
#
# Add λ1 Σ|w| to the loss and every weight feels an extra constant pull λ1 · sign(w)
# towards 0. Weights that do not help the fit go to (nearly) exactly zero: L1 *selects*
# features. We fit a linear model y = x · w_true with 10 inputs of which only 3 matter,
# with and without the penalty. The training loop is written out: loss = MSE + penalty,
# backward, step.

# %%
rng = np.random.default_rng(0)
n_features = 10
w_true = np.zeros(n_features)
w_true[[0, 3, 7]] = [2.0, -1.5, 1.0]
x_lin = rng.standard_normal((pick(40, 60), n_features))
y_lin = x_lin @ w_true + 0.5 * rng.standard_normal(len(x_lin))
x_in = Tensor(x_lin, requires_grad=False)


def fit_linear(lam1, steps):
    layer = nn.Dense(n_features, 1, seed=0)
    optimizer = optim.SGD(layer.parameters(), lr=0.05)
    for _ in range(steps):
        loss = losses.mse(layer(x_in), y_lin[:, None])
        if lam1 > 0:
            loss = loss + losses.l1_penalty([layer.weight], lam=lam1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return layer.weight.numpy().ravel()


steps = pick(150, 600)
w_plain, w_l1 = fit_linear(0.0, steps), fit_linear(0.1, steps)
irrelevant = w_true == 0
print(
    "useful weights (true 2, -1.5, 1):",
    np.round(w_plain[~irrelevant], 3),
    np.round(w_l1[~irrelevant], 3),
)
print(
    f"mean |w| of the 7 irrelevant inputs: plain {np.abs(w_plain[irrelevant]).mean():.3f}, ", end=""
)
print(f"with L1 (λ1 = 0.1) {np.abs(w_l1[irrelevant]).mean():.3f}")
quote("useless_plain", np.abs(w_plain[irrelevant]).mean(), ".3f")
quote("useless_l1", np.abs(w_l1[irrelevant]).mean(), ".3f")
shrink = np.abs(w_plain[~irrelevant]) - np.abs(w_l1[~irrelevant])
quote("useful_shrink", shrink.mean(), ".2f")

fig, ax = plt.subplots(figsize=(9, 3.8))
index = np.arange(n_features)
ax.bar(index - 0.27, w_true, 0.27, color="k", label="true weights")
ax.bar(index, w_plain, 0.27, label="MSE only")
ax.bar(index + 0.27, w_l1, 0.27, label="MSE + 0.1 Σ|w|")
ax.axhline(0, color="grey", lw=0.6)
ax.set_xticks(index)
ax.set_xlabel("input feature")
ax.set_ylabel("learned weight")
ax.set_title("L1 regularization pushes the weights of useless inputs to zero")
ax.legend()
save(fig, "l1_weights.png")

# %% [markdown]
# Full run (60 samples, 600 gradient-descent steps): the mean |w| of the 7 useless inputs
# drops from 0.041<!--useless_plain--> without the penalty to 0.014<!--useless_l1--> with it (not
# exactly 0: with a fixed step the constant pull ±λ1 makes them hop around zero), while the 3
# useful weights shrink only slightly, by 0.05<!--useful_shrink--> on average (about λ1/2). In
# `l1_weights.png` the orange bars are close to zero wherever the black bars are zero.

# %% [markdown]
# ## 4. The gradient penalty and second-order gradients
#
# The lecture's last term λ2 ||∇_w ŷ||² penalizes how strongly the output reacts to the
# weights. To train with it we need the gradient *of a gradient*. The engine can do this:
# `grad(y, w, create_graph=True)` returns ∂y/∂w as a new graph (not just a number), and
# differentiating that graph gives second derivatives.
#
# A hand-checkable example: ŷ = tanh(w x) with w = 0.5, x = 2. Then
#
#     ∂ŷ/∂w = x (1 - tanh²(wx))
#     P = (∂ŷ/∂w)²,   ∂P/∂w = 2 (∂ŷ/∂w) · ∂²ŷ/∂w²,   ∂²ŷ/∂w² = -2 x² tanh(wx) (1 - tanh²(wx))

# %%
w = Value(0.5, label="w")
x_value = 2.0
y_hat = (w * x_value).tanh()
(dy_dw,) = grad(y_hat, [w], create_graph=True)  # a Value that is itself a graph
penalty = dy_dw * dy_dw
(dp_dw,) = grad(penalty, [w])

t = np.tanh(0.5 * x_value)
first = x_value * (1 - t**2)
second = -2 * x_value**2 * t * (1 - t**2)
print(f"∂ŷ/∂w   engine {dy_dw.data:.6f}   formula {first:.6f}")
print(f"∂P/∂w   engine {dp_dw:.6f}   formula {2 * first * second:.6f}")


def penalty_at(w_number):
    return (x_value * (1 - np.tanh(w_number * x_value) ** 2)) ** 2


eps = 1e-6
numeric = (penalty_at(0.5 + eps) - penalty_at(0.5 - eps)) / (2 * eps)
print(f"∂P/∂w   finite differences {numeric:.6f}")
quote("penalty_slope", dp_dw, ".6f")
assert abs(numeric - dp_dw) < 1e-6 and abs(2 * first * second - dp_dw) < 1e-12
library = losses.gradient_penalty(1.0, (w * x_value).tanh(), [w])
print(f"losses.gradient_penalty(1.0, ŷ, [w]) = {library.data:.6f} = (∂ŷ/∂w)² = {first**2:.6f}")

# %% [markdown]
# All three agree (∂P/∂w = -4.298521<!--penalty_slope--> in every mode).
# `losses.gradient_penalty(λ2, ŷ, params)` builds this term for a whole model; because it is a
# graph, adding it to the loss and calling `backward()` trains with it like any other term. The same
# mechanism gives Hessian-vector products and the penalties of WGAN-GP.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** MSE, binary and softmax cross-entropy gradients (p − y). Run `python -m
# microgradnn exercises start loss_gradients`, fill in `loss_gradients.py`, then `python -m
# microgradnn exercises check loss_gradients`.
