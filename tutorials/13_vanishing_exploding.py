# %% [markdown]
# # Tutorial 13: vanishing and exploding gradients
#
# Backpropagation multiplies. The gradient that reaches layer 1 of a deep network is a
# product with one factor per layer above it: for ``a_l = φ(W_l a_{l-1} + b_l)``,
#
#     ∂L/∂a_{l-1} = W_lᵀ (φ'(z_l) ⊙ ∂L/∂a_l)
#
# so each layer scales the gradient by roughly |W| · φ'. If that factor is below 1, the
# gradient *vanishes* on its way down and the first layers stop learning; above 1 it
# *explodes* and one step throws the weights away. The lecture's history section names this
# "the exploding or vanishing gradient problem"; it is why deep networks were hard to train
# before ReLU, careful initialization (Glorot 2010, He 2015) and batch normalization (2015).
#
# We train the same deep network (64 inputs, 8 hidden layers of 32 units, 10 digit scores)
# on the bundled 8x8 digits and *look inside* with module hooks
# (`register_forward_hook`, `register_full_backward_hook`): activations on the way up,
# gradients on the way down. Figures go to `tutorials/output/13_vanishing_exploding/`.
# Fast mode (`MICROGRADNN_FAST=1`) trains fewer epochs, so its numbers differ from the ones
# quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import data, nn, optim, plots
from microgradnn.train import Callback, LayerStatistics, TerminateOnNaN
from microgradnn.tutorial import finish, out_dir, pick, quote, save

np.seterr(over="ignore", invalid="ignore")  # the exploding runs overflow on purpose

FIGURES = [
    "gradient_profile.png",
    "activations.png",
    "sigmoid_training.png",
    "gradient_histograms.png",
    "exploding.png",
    "cures.png",
]

DEPTH, WIDTH = 8, 32
EPOCHS = pick(3, 30)
LR = 0.1  # plain SGD, the same for every network below

x, y = data.load_digits()
(x_train, y_train), (x_test, y_test) = data.train_test_split(
    x, y, test_size=0.2, stratify=True, seed=0
)
print(f"train {len(x_train)}, test {len(x_test)} digits; {DEPTH} hidden layers of {WIDTH}")


# %%
def deep_mlp(activation, init="glorot_uniform", batch_norm=False, seed=0):
    """64 -> DEPTH hidden layers of WIDTH units -> 10 scores (logits)."""
    sizes = [64] + [WIDTH] * DEPTH
    layers = []
    for i in range(DEPTH):
        if batch_norm:  # Dense -> normalize -> activation
            layers += [
                nn.Dense(sizes[i], WIDTH, init=init, seed=seed + i),
                nn.BatchNormalization(WIDTH, momentum=0.9),
                nn.Activation(activation),
            ]
        else:
            layers.append(
                nn.Dense(sizes[i], WIDTH, activation=activation, init=init, seed=seed + i)
            )
    layers.append(nn.Dense(WIDTH, 10, init=init, seed=seed + DEPTH))
    return nn.Sequential(layers)


def dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, nn.Dense)]


def loss_of(model, xb, yb):
    return nn.losses.sparse_categorical_crossentropy(model(xb), yb, from_logits=True)


# %% [markdown]
# ## 1. Looking inside with hooks
#
# A *forward hook* `fn(module, inputs, output)` sees what a layer outputs; a *full backward
# hook* `fn(module, grad_input, grad_output)` sees ∂L/∂(its output) and ∂L/∂(its input)
# while `backward()` runs. Both are called with the same arguments as in PyTorch.
# `probe` runs one batch through a model and keeps, for every hidden Dense layer, its
# activations, the norm of the gradient arriving at its output, and the norm of its weight
# gradient. The handles remove the hooks again, so the model is untouched afterwards.


# %%
def probe(model, xb, yb):
    """Activations, ‖∂L/∂a_l‖ and ‖∂L/∂W_l‖ for the hidden layers, from one batch."""
    hidden = dense_layers(model)[:-1]
    outputs, grad_outputs = [], []
    handles = []
    for layer in hidden:
        handles.append(layer.register_forward_hook(lambda m, a, out: outputs.append(out.data)))
        handles.append(
            layer.register_full_backward_hook(
                lambda m, grad_in, grad_out: grad_outputs.append(np.linalg.norm(grad_out[0]))
            )
        )
    model.zero_grad()
    loss_of(model, xb, yb).backward()
    for handle in handles:
        handle.remove()
    return {
        "activations": outputs,
        "grad_output": grad_outputs[::-1],  # backward meets the last layer first
        "grad_weight": [np.linalg.norm(layer.weight.grad) for layer in hidden],
    }


SETUPS = {  # name: (activation, initializer)
    "sigmoid, Glorot": ("sigmoid", "glorot_uniform"),
    "tanh, Glorot": ("tanh", "glorot_uniform"),
    "ReLU, He": ("relu", "he_normal"),
    "ReLU, U(-1, 1)": ("relu", "uniform"),
}
batch_x, batch_y = x_train[:256], y_train[:256]
probes = {name: probe(deep_mlp(*setup), batch_x, batch_y) for name, setup in SETUPS.items()}

sig = probes["sigmoid, Glorot"]
print("sigmoid network at initialization (one batch of 256):")
print("  layer   mean a   std a   σ'(z) = a(1-a)   ‖∂L/∂a‖    ‖∂L/∂W‖")
for i, a in enumerate(sig["activations"]):
    slope = (a * (1 - a)).mean()
    print(
        f"  {i + 1:5d}  {a.mean():7.3f} {a.std():7.3f}   {slope:12.3f}   "
        f"{sig['grad_output'][i]:9.2e}  {sig['grad_weight'][i]:9.2e}"
    )
shrink = (sig["grad_output"][0] / sig["grad_output"][-1]) ** (1 / (DEPTH - 1))
mean_slope = np.mean([(a * (1 - a)).mean() for a in sig["activations"]])
print(f"gradient shrinks by {shrink:.3f} per layer on the way down; mean σ'(z) = {mean_slope:.3f}")
print(
    f"layer 1 gets {sig['grad_weight'][0] / sig['grad_weight'][-1]:.1e} of layer {DEPTH}'s gradient"
)
print(f"0.25 ** {DEPTH - 1} = {0.25 ** (DEPTH - 1):.1e}")
quote("mean_slope", mean_slope, ".3f")
quote("shrink", shrink, ".3f")
quote("quarter_power", 0.25 ** (DEPTH - 1), ".1e")
quote("layer1_share", sig["grad_weight"][0] / sig["grad_weight"][-1], ".1e")

# %% [markdown]
# Full run: the sigmoid's outputs sit around 0.5 in every layer, where its slope
# σ'(z) = a(1 - a) is at most 1/4 (measured mean: 0.234<!--mean_slope-->). Glorot's
# initialization keeps |W| near 1, so each layer multiplies the gradient by about 1/4: measured
# 0.230<!--shrink--> per layer. Over 7 layers that is 0.25⁷ = 6.1e-05<!--quarter_power-->, and
# layer 1's weight gradient is 4.1e-05<!--layer1_share--> of the last hidden layer's. Nothing is
# broken; the chain rule is doing exactly what it says.
#
# `gradient_profile.png` shows the same measurement for four networks that differ only in
# activation and initialization (left: the gradient arriving at each layer, right: the
# spread of each layer's activations).

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
layers_axis = np.arange(1, DEPTH + 1)
for name, seen in probes.items():
    axes[0].semilogy(layers_axis, seen["grad_output"], "o-", label=name)
    axes[1].semilogy(layers_axis, [a.std() for a in seen["activations"]], "o-", label=name)
axes[0].set_title("Gradient arriving at each layer, ‖∂L/∂a_l‖ (one batch, at init)")
axes[1].set_title("Spread of each layer's activations, std(a_l)")
for ax in axes:
    ax.set_xlabel("hidden layer (1 = next to the input)")
    ax.set_xticks(layers_axis)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
save(fig, "gradient_profile.png")

# %% [markdown]
# Read the left panel from right to left, as backpropagation does. Sigmoid + Glorot falls in
# a straight line on the log axis: a constant factor per layer, *vanishing*. ReLU with
# weights drawn from U(-1, 1) (the scalar neurons' default from tutorial 3, far too large
# for 32 inputs) rises in a straight line: *exploding*, and its activations (right) grow by
# the same factor layer after layer. tanh + Glorot and ReLU + He stay flat: their
# initializations are *designed* so that the factor is 1 (Glorot: Var(W) = 2 / (fan_in +
# fan_out); He: Var(W) = 2 / fan_in, twice as much because ReLU zeroes half its inputs).
#
# `activations.png` shows the activations themselves, one histogram per layer.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
colours = plt.cm.viridis(np.linspace(0, 0.9, DEPTH))
panels = {  # name: (bins, which values)
    "sigmoid, Glorot": (np.linspace(0, 1, 81), lambda a: a),
    "tanh, Glorot": (np.linspace(-1, 1, 81), lambda a: a),
    "ReLU, He": (np.linspace(0, 1.5, 61), lambda a: a[a > 0]),
}
for ax, (name, (bins, values)) in zip(axes, panels.items()):
    for i, a in enumerate(probes[name]["activations"]):
        ax.hist(
            values(a).ravel(), bins=bins, histtype="step", color=colours[i], label=f"layer {i + 1}"
        )
    ax.set_title(name)
    ax.set_xlabel("activation value")
relu_zeros = np.mean([np.mean(a == 0) for a in probes["ReLU, He"]["activations"]])
axes[2].set_title(f"ReLU, He (values > 0; the other {relu_zeros:.0%} are exactly 0)")
axes[0].set_ylabel("count (256 samples x 32 units)")
axes[0].legend(fontsize=7, ncol=2)
save(fig, "activations.png")
print(f"ReLU, He: {relu_zeros:.1%} of the hidden activations are 0")
quote("relu_zero_percent", relu_zeros, ".0%")
for name in ("sigmoid, Glorot", "tanh, Glorot", "ReLU, He"):
    acts = probes[name]["activations"]
    # how much a unit's output varies from sample to sample: the information passed on
    per_unit = [a.std(axis=0).mean() for a in acts]
    print(
        f"{name}: a unit's spread over the samples, layer 1: {per_unit[0]:.2g}, "
        f"layer {DEPTH}: {per_unit[-1]:.2g}"
    )
    key = name.split(",")[0].lower()
    quote(f"{key}_spread_first", per_unit[0], ".2g")
    quote(f"{key}_spread_last", per_unit[-1], ".2g")

# %% [markdown]
# The sigmoid histograms pile up in a band around 0.5, where the slope is ~1/4, and from
# layer 3 on they turn into spikes of 256: each spike is one unit giving *the same* output for
# all 256 digits. The forward signal fades like the gradient does: how much a unit's output
# varies from one digit to the next falls from 0.075<!--sigmoid_spread_first--> in layer 1 to
# 2.7e-06<!--sigmoid_spread_last--> in layer 8, so the output layer cannot tell the digits apart.
# tanh's histograms are centred on 0 and stay wide (a unit's spread 0.26<!--tanh_spread_first--> in
# layer 1, 0.14<!--tanh_spread_last--> in layer 8), with slopes up to 1. ReLU + He switches
# 56%<!--relu_zero_percent--> of the units off (exactly 0, not drawn) and keeps a tail of positive
# values.

# %% [markdown]
# ## 2. Training: the first layers stop learning
#
# The `LayerStatistics` callback (`microgradnn.train`) watches every layer while `fit`
# trains (with forward hooks, like `probe` above) and writes down, every few optimizer
# steps, each layer's activation statistics and its *update-to-data ratio* ‖Δθ‖ / ‖θ‖: what
# fraction of its weights the step changed. Around 1e-3<!--fixed--> is healthy; 1e-6<!--fixed-->
# means the layer is frozen. `stats.reading()` says in one line what the last record means.


# %%
class ClippedSGD(optim.SGD):
    """SGD that first rescales the gradients so their total norm is at most ``max_norm``."""

    def __init__(self, params, lr, max_norm=None):
        super().__init__(params, lr=lr)
        self.max_norm = max_norm

    def step(self):
        if self.max_norm is not None:
            optim.clip_grad_norm(self.params, self.max_norm)
        super().step()


def train(model, clip=None, epochs=EPOCHS, callbacks=()):
    """SGD at LR on the training digits; with ``clip``, gradients are clipped to that norm."""
    model.compile(
        ClippedSGD(model.parameters(), lr=LR, max_norm=clip),
        "sparse_categorical_crossentropy",
        ["accuracy"],
        loss_options={"from_logits": True},
    )
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=32,
        verbose=0,
        seed=0,
        callbacks=[TerminateOnNaN(), *callbacks],
    )


sigmoid_model, tanh_model = deep_mlp("sigmoid"), deep_mlp("tanh")
sigmoid_stats = LayerStatistics(every=5, sample_size=100)
tanh_stats = LayerStatistics(every=5, sample_size=100)
sigmoid_history = train(sigmoid_model, callbacks=[sigmoid_stats])
tanh_history = train(tanh_model, callbacks=[tanh_stats])


def update_ratios(stats):
    """(records, layers) array of update-to-data ratios from a LayerStatistics callback."""
    return np.array([stats.history[name]["update_to_data"] for name in stats.layer_names]).T


ratios = update_ratios(sigmoid_stats)
late = ratios[-len(ratios) // 4 :].mean(axis=0)  # average over the last quarter of training
print(
    f"sigmoid, after {EPOCHS} epochs: loss {sigmoid_history.history['loss'][-1]:.3f}, "
    f"training accuracy {sigmoid_history.history['accuracy'][-1]:.3f}"
)
print(
    f"tanh,    after {EPOCHS} epochs: loss {tanh_history.history['loss'][-1]:.3f}, "
    f"training accuracy {tanh_history.history['accuracy'][-1]:.3f}"
)
print("sigmoid update-to-data ratio per layer (last quarter of training):")
print("  " + "  ".join(f"{r:.1e}" for r in late))
print(f"chance level: loss ln(10) = {np.log(10):.3f}, accuracy 0.100")
print("reading, sigmoid:", sigmoid_stats.reading())
print("reading, tanh:   ", tanh_stats.reading())
quote("sigmoid_loss", sigmoid_history.history["loss"][-1], ".3f")
quote("sigmoid_accuracy", sigmoid_history.history["accuracy"][-1], ".3f")
quote("tanh_loss", tanh_history.history["loss"][-1], ".3f")
quote("tanh_accuracy", tanh_history.history["accuracy"][-1], ".3f")
quote("output_update", late[-1], ".1e")
quote("layer1_update", late[0], ".1e")
sigmoid_reading = sigmoid_stats.reading().split("; ")
quote("sigmoid_reading_first", sigmoid_reading[0], "s")
quote("sigmoid_reading_last", sigmoid_reading[-1], "s")
quote("tanh_reading", tanh_stats.reading(), "s")

# %% [markdown]
# Full run (30 epochs of SGD): the sigmoid network ends at loss 2.312<!--sigmoid_loss--> and
# training accuracy 0.081<!--sigmoid_accuracy-->, chance level (ln 10 = 2.303<!--fixed-->; one digit
# in ten). The tanh network, identical except for the activation, reaches loss
# 0.014<!--tanh_loss--> and training accuracy 0.998<!--tanh_accuracy-->. In `sigmoid_training.png`
# (left) the update-to-data ratios of the sigmoid network fan out by layer, about half a decade
# per layer: the output layer moves by 1.3e-02<!--output_update--> of its weights per step, layer 1
# by 1.2e-07<!--layer1_update-->. The first layers keep their random initial weights, and the
# layers above them see inputs that do not depend on the digit. The callback's reading says
# the same: "layer 1's updates are 1e-07 of its weights: learning
# stalls<!--sigmoid_reading_first-->", and "layer 1's gradient is 1e-5 of layer 9's: gradients
# vanish on the way back<!--sigmoid_reading_last-->". For tanh (middle) all layers move together;
# its reading: "updates are 6e-04 to 2e-03 of the weights in every layer: learning looks
# healthy<!--tanh_reading-->".

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
steps = np.array(sigmoid_stats.steps)
for i in range(ratios.shape[1]):
    name = "output" if i == DEPTH else f"layer {i + 1}"
    axes[0].semilogy(steps, ratios[:, i], color=plt.cm.viridis(i / DEPTH), lw=1, label=name)
axes[0].set_title("sigmoid + Glorot: update-to-data ratio ‖Δθ‖/‖θ‖")
tanh_r = update_ratios(tanh_stats)
for i in range(tanh_r.shape[1]):
    axes[1].semilogy(tanh_stats.steps, tanh_r[:, i], color=plt.cm.viridis(i / DEPTH), lw=1)
axes[1].set_title("tanh + Glorot: the same ratios")
for ax in axes[:2]:
    ax.axhline(1e-3, color="k", ls=":", lw=1)
    ax.set_xlabel("SGD step")
axes[0].legend(fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.14))
for ax in axes[:2]:
    ax.set_ylim(0.5 * min(ratios.min(), tanh_r.min()), 2 * max(ratios.max(), tanh_r.max()))
axes[2].plot(sigmoid_history.history["loss"], "o-", label="sigmoid + Glorot")
axes[2].plot(tanh_history.history["loss"], "o-", label="tanh + Glorot")
axes[2].axhline(np.log(10), color="grey", ls="--", lw=1, label="chance: ln 10")
axes[2].set_xlabel("epoch")
axes[2].set_title("Training loss")
axes[2].legend()
save(fig, "sigmoid_training.png")

# %% [markdown]
# `plots.gradient_histograms` draws the same run as pictures: one panel per layer, training
# time to the right, the spread of the layer's weight gradients up and down (dark = many
# values). Each panel has its own scale, so read the numbers on the axes and in the titles:
# from the output layer back to layer 1 the panels look alike, and only the scale shrinks,
# by about a factor of four per layer.

# %%
plots.gradient_histograms(sigmoid_stats, path=out_dir() / "gradient_histograms.png", show=False)

# %% [markdown]
# ## 3. Exploding: a bad initial scale
#
# ReLU with weights from U(-1, 1): Var(W) = 1/3, while He's rule asks for 2/32 = 0.0625<!--fixed-->
# with 32 inputs. Each layer multiplies the signal by about sqrt(32 · (1/3) / 2) ≈ 2.3, forward
# *and* backward. The first SGD step is then huge; we stop the run (`TerminateOnNaN`) as
# soon as the loss is no longer a number. Gradient clipping (`optim.clip_grad_norm`)
# rescales all gradients together whenever their total norm exceeds a limit (here 1): the
# direction is kept, the step is bounded.


# %%
class StepLosses(Callback):
    """The loss of every step, and the total gradient norm before any clipping."""

    def on_train_begin(self, logs=None):
        self.losses, self.grad_norms = [], []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


wild_probe = probes["ReLU, U(-1, 1)"]
growth = (wild_probe["grad_output"][0] / wild_probe["grad_output"][-1]) ** (1 / (DEPTH - 1))
print(
    f"ReLU, U(-1, 1): gradient grows by {growth:.2f} per layer on the way down "
    f"(theory sqrt(32 / 3 / 2) = {np.sqrt(32 / 3 / 2):.2f}); "
    f"std of layer {DEPTH}'s activations {wild_probe['activations'][-1].std():.3g}"
)
wild, clipped = StepLosses(), StepLosses()
wild_history = train(deep_mlp("relu", "uniform"), callbacks=[wild])
clipped_model = deep_mlp("relu", "uniform")
clipped_history = train(clipped_model, clip=1.0, callbacks=[clipped])
print("no clipping: loss per step", ", ".join(f"{v:.3g}" for v in wild.losses))
print(
    f"clipping at 1: first loss {clipped.losses[0]:.3g}, after {EPOCHS} epochs "
    f"{clipped_history.history['loss'][-1]:.3f}, training accuracy "
    f"{clipped_history.history['accuracy'][-1]:.3f}"
)
quote("growth", growth, ".2f")
quote("growth_theory", np.sqrt(32 / 3 / 2), ".2f")
quote("wild_std", wild_probe["activations"][-1].std(), ".3g")
quote("wild_losses", ", ".join(f"{v:.3g}" for v in wild.losses if np.isfinite(v)), "s")
quote("wild_finite_steps", sum(np.isfinite(v) for v in wild.losses), "d")
quote("clipped_first", clipped.losses[0], ".3g")
quote("clipped_loss", clipped_history.history["loss"][-1], ".3f")
quote("clipped_accuracy", clipped_history.history["accuracy"][-1], ".3f")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for name in ("ReLU, U(-1, 1)", "ReLU, He"):
    axes[0].semilogy(
        layers_axis, [a.std() for a in probes[name]["activations"]], "o-", label=f"{name}: std(a_l)"
    )
    axes[0].semilogy(layers_axis, probes[name]["grad_output"], "s--", label=f"{name}: ‖∂L/∂a_l‖")
axes[0].set_xlabel("hidden layer")
axes[0].set_title("Signal up, gradient down (at init)")
axes[0].legend(fontsize=8)
# the losses reach 1e300: plot their exponent, log10(loss), on an ordinary axis
finite = np.log10([v for v in wild.losses if np.isfinite(v)])
steps_wild = np.arange(1, len(finite) + 1)
axes[1].semilogx(steps_wild, finite, "o-", ms=4, color="C3", label="no clipping")
axes[1].plot(
    steps_wild[-1], finite[-1], "X", ms=12, color="C3", label="next step: not finite, stopped"
)
axes[1].semilogx(
    np.arange(1, len(clipped.losses) + 1),
    np.log10(clipped.losses),
    lw=1,
    color="C0",
    alpha=0.8,
    label="gradients clipped to norm 1",
)
axes[1].set_xlabel("SGD step (log scale)")
axes[1].set_ylabel("log10(training loss)")
axes[1].set_title("Training loss per step, ReLU + U(-1, 1)")
axes[1].legend()
save(fig, "exploding.png")

# %% [markdown]
# Full run: going down, the gradient grows by 2.50<!--growth--> per layer (theory
# 2.31<!--growth_theory-->), and the last hidden layer's activations already have a standard
# deviation of 675<!--wild_std-->. Without clipping the losses of the first
# 4<!--wild_finite_steps--> steps are 2.79e+03, 3.69e+14, 6.58e+67, 8.79e+302<!--wild_losses-->, and
# the next one is no longer a number (`exploding.png`, right, plots the exponent). With clipping
# the run survives: the loss falls from 2.79e+03<!--clipped_first--> to 0.792<!--clipped_loss-->
# after 30 epochs (training accuracy 0.772<!--clipped_accuracy-->).
# Clipping treats the symptom (steps too large), not the cause (the scale of the weights);
# the cures below remove the cause.

# %% [markdown]
# ## 4. The cures side by side
#
# Same data, same depth, same SGD at α = 0.1, same epochs; only one thing changes per row.
# Batch normalization (`nn.BatchNormalization`, between each Dense and its sigmoid) re-centres
# and rescales every layer's inputs to mean 0 and variance 1 on each batch, so the sigmoid
# works in its steep middle part and the gradient keeps its size.

# %%
CURES = {  # name: (model, clipping)
    "sigmoid, Glorot (vanishes)": (lambda: deep_mlp("sigmoid"), None),
    "ReLU, U(-1, 1) (explodes)": (lambda: deep_mlp("relu", "uniform"), None),
    "ReLU, He": (lambda: deep_mlp("relu", "he_normal"), None),
    "tanh, Glorot": (lambda: deep_mlp("tanh"), None),
    "sigmoid + BatchNormalization": (lambda: deep_mlp("sigmoid", batch_norm=True), None),
    "ReLU, U(-1, 1) + clipping at 1": (lambda: deep_mlp("relu", "uniform"), 1.0),
}
results = {}
for row, (name, (make, clip)) in enumerate(CURES.items(), start=1):
    model = make()
    start = probe(model, batch_x, batch_y)
    history = train(model, clip=clip)
    test_loss, test_accuracy = model.compile(
        "sgd", "sparse_categorical_crossentropy", ["accuracy"], loss_options={"from_logits": True}
    ).evaluate(x_test, y_test)
    ratio = start["grad_output"][0] / start["grad_output"][-1]
    results[name] = (history.history["loss"], ratio, test_accuracy)
    print(
        f"{name:32s} ‖∂L/∂a_1‖ / ‖∂L/∂a_{DEPTH}‖ at init {ratio:8.1e}   "
        f"final training loss {history.history['loss'][-1]:8.3g}   "
        f"test accuracy {test_accuracy:.3f}"
    )
    quote(f"row{row}_ratio", ratio, ".2g")
    quote(f"row{row}_loss", history.history["loss"][-1], ".3g")
    quote(f"row{row}_accuracy", test_accuracy, ".3f")

fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), gridspec_kw={"width_ratios": [3, 2]})
for name, (losses, _, accuracy) in results.items():
    losses = [v if np.isfinite(v) else np.nan for v in losses]
    label = f"{name}: test accuracy {accuracy:.2f}"
    if not np.isfinite(losses).all():
        label = f"{name}: loss NaN in epoch 1"
    axes[0].semilogy(np.arange(1, len(losses) + 1), losses, "o-", ms=3, label=label)
axes[0].axhline(np.log(10), color="grey", ls="--", lw=1)
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("training loss (log scale)")
axes[0].set_title("Training loss; dashed: chance level ln 10")
axes[0].legend(fontsize=8)
names = list(results)
axes[1].barh(names, [results[n][1] for n in names], color=[f"C{i}" for i in range(len(names))])
axes[1].set_xscale("log")
axes[1].axvline(1, color="k", lw=1)
axes[1].invert_yaxis()
axes[1].set_title(f"Gradient at layer 1 / at layer {DEPTH}, at initialization")
save(fig, "cures.png")

# %% [markdown]
# Full run (30 epochs each):
#
# | network | gradient layer 1 / layer 8 | final loss | test accuracy |
# |---|---|---|---|
# | sigmoid, Glorot | 3.4e-05<!--row1_ratio--> (vanishes) | 2.31<!--row1_loss--> |
# 0.100<!--row1_accuracy--> |
# | ReLU, U(-1, 1) | 6.1e+02<!--row2_ratio--> (explodes) | nan<!--row2_loss--> |
# 0.100<!--row2_accuracy--> |
# | ReLU, He | 0.54<!--row3_ratio--> | 0.00436<!--row3_loss--> | 0.975<!--row3_accuracy--> |
# | tanh, Glorot | 0.48<!--row4_ratio--> | 0.0143<!--row4_loss--> | 0.975<!--row4_accuracy--> |
# | sigmoid + BatchNormalization | 0.88<!--row5_ratio--> | 0.113<!--row5_loss--> |
# 0.972<!--row5_accuracy--> |
# | ReLU, U(-1, 1) + clipping at 1 | 6.1e+02<!--row6_ratio--> | 0.792<!--row6_loss--> |
# 0.691<!--row6_accuracy--> |
#
# The three cures that fix the *cause* keep the gradient ratio near 1 and reach the same test
# accuracy; batch normalization even rescues the sigmoid, the very activation that failed in
# the first row. Clipping only makes the exploding network survive: it still has to undo its
# bad scale one bounded step at a time, and after 30 epochs it is far behind.
#
# ## 5. What to remember
#
# * The gradient reaching a layer is a product of one factor per layer above it; a factor a
#   little below or above 1, raised to the depth, vanishes or explodes.
# * Measure it: hooks (`register_forward_hook`, `register_full_backward_hook`) show each
#   layer's activations and gradients; the update-to-data ratio ‖ΔW‖/‖W‖ says which layers
#   actually learn (around 1e-3<!--fixed--> is healthy).
# * Cures: an activation whose slope is 1 where it works (ReLU, tanh near 0), an
#   initialization that keeps the variance (He for ReLU, Glorot for tanh/sigmoid),
#   normalization layers (`nn.BatchNormalization`, `nn.LayerNormalization`), and gradient
#   clipping (`optim.clip_grad_norm`) as a seat belt.

# %%
finish(FIGURES)
