# %% [markdown]
# # Tutorial 12: from here to PyTorch
#
# Everything in microgradnn has a counterpart in the libraries the lecture points to. The
# names were chosen to match: the engine and optimizers follow PyTorch, the training loop
# follows Keras. Side by side:
#
#     microgradnn                                   PyTorch
#     -------------------------------------------   --------------------------------------------
#     Tensor(x, requires_grad=True)                 torch.tensor(x, requires_grad=True)
#     loss.backward(); w.grad                       loss.backward(); w.grad
#     with no_grad(): ...                           with torch.no_grad(): ...
#     grad(y, [w], create_graph=True)               torch.autograd.grad(y, [w], create_graph=True)
#     nn.Dense(64, 32, activation="relu")           nn.Linear(64, 32), nn.ReLU()
#     nn.Sequential([...])                          nn.Sequential(...)
#     losses.sparse_categorical_crossentropy(       nn.functional.cross_entropy(logits, y)
#         logits, y, from_logits=True)
#     optim.SGD(model.parameters(), lr, momentum)   torch.optim.SGD(model.parameters(), lr,
#                                                                   momentum)
#     opt.zero_grad(); loss.backward(); opt.step()  opt.zero_grad(); loss.backward(); opt.step()
#
# Two conventions differ: our Dense weight is (in, out) and computes x @ W (as Keras),
# torch's Linear weight is (out, in) and computes x @ W.T; and images are channels-last
# here, channels-first in torch. `microgradnn.nn.interop.to_torch` / `from_torch` copy a
# model with its weights in either direction and take care of the transposes.
#
# In this tutorial we build one model, copy it to PyTorch, and check that both compute the
# same outputs, the same gradients, and the same training run. **The PyTorch half runs
# only if torch is installed**; without it the script trains our model alone.
# Figures go to `tutorials/output/12_to_pytorch/`. Fast mode (`MICROGRADNN_FAST=1`) trains
# fewer steps, so its numbers differ from the ones quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Tensor, data, nn, optim
from microgradnn.nn import losses
from microgradnn.tutorial import finish, pick, quote, save

try:
    import torch
except ImportError:  # the microgradnn half still runs
    torch = None
    print("torch is not installed: only the microgradnn half runs (pip install torch)")

FIGURES = ["side_by_side_training.png"]

# %% [markdown]
# ## 1. One model, two libraries
#
# A 64-32-10 classifier for the bundled digits. `to_torch` turns each Dense layer into a
# `Linear` (weights transposed) followed by its activation.

# %%
x, y = data.load_digits()
(x_train, y_train), (x_test, y_test) = data.train_test_split(x, y, 0.2, stratify=y, seed=0)
model = nn.Sequential([nn.Dense(64, 32, activation="relu", seed=0), nn.Dense(32, 10, seed=1)])
print(model)
torch_model = None
if torch is not None:
    from microgradnn.nn.interop import from_torch, to_torch

    torch_model = to_torch(model)
    print(torch_model)

# %% [markdown]
# ## 2. Same outputs, same gradients
#
# We feed the same 8 images to both models and compare the logits; then we compute the
# cross-entropy loss in each library, call `backward()` in each, and compare the
# gradient of the first weight matrix (ours is the transpose of torch's).

# %%
batch_x, batch_y = x_train[:8], y_train[:8]
ours = model(Tensor(batch_x, requires_grad=False))
loss = losses.sparse_categorical_crossentropy(ours, batch_y, from_logits=True)
model.zero_grad()
loss.backward()
print(f"microgradnn loss on 8 images: {loss.item():.10f}")
if torch is not None:
    theirs = torch_model(torch.from_numpy(batch_x))
    torch_loss = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(batch_y))
    torch_model.zero_grad()
    torch_loss.backward()
    print(f"PyTorch     loss on 8 images: {torch_loss.item():.10f}")
    output_gap = np.max(np.abs(ours.numpy() - theirs.detach().numpy()))
    grad_ours = np.asarray(model.layers[0].weight.grad)
    grad_torch = torch_model[0].weight.grad.numpy().T
    grad_gap = np.max(np.abs(grad_ours - grad_torch))
    print(f"max |logits difference|   = {output_gap:.2e}")
    print(f"max |gradient difference| = {grad_gap:.2e}  (first layer, 64 x 32 weights)")
    quote("first_loss", loss.item(), ".10f")
    quote("torch_first_loss", torch_loss.item(), ".10f")
    quote("logits_gap", output_gap, ".1e")
    quote("gradient_gap", grad_gap, ".1e")

# %% [markdown]
# Both differences are at the level of float64 rounding (about 1e-16<!--fixed-->): the two libraries
# compute the same function and the same chain rule, only the order of some additions
# differs.

# %% [markdown]
# ## 3. Training side by side
#
# The same mini-batches (same random order), the same optimizer (SGD with momentum 0.9,
# α = 0.05), in both libraries. If the engines agree, the loss curves coincide step by
# step.

# %%
steps_per_epoch = len(x_train) // 32
epochs = pick(1, 5)
ours_opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
if torch is not None:
    torch_opt = torch.optim.SGD(torch_model.parameters(), lr=0.05, momentum=0.9)
rng = np.random.default_rng(0)
ours_curve, torch_curve = [], []
for _ in range(epochs):
    order = rng.permutation(len(x_train))
    for k in range(steps_per_epoch):
        index = order[k * 32 : (k + 1) * 32]
        xb, yb = x_train[index], y_train[index]
        loss = losses.sparse_categorical_crossentropy(
            model(Tensor(xb, requires_grad=False)), yb, from_logits=True
        )
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()
        ours_curve.append(loss.item())
        if torch is not None:
            torch_loss = torch.nn.functional.cross_entropy(
                torch_model(torch.from_numpy(xb)), torch.from_numpy(yb)
            )
            torch_opt.zero_grad()
            torch_loss.backward()
            torch_opt.step()
            torch_curve.append(torch_loss.item())

test_logits = model(Tensor(x_test, requires_grad=False)).numpy()
ours_accuracy = float(np.mean(test_logits.argmax(axis=1) == y_test))
print(f"after {len(ours_curve)} steps: microgradnn test accuracy {ours_accuracy:.4f}")
fig, axes = plt.subplots(1, 2 if torch is not None else 1, figsize=(12, 4.2), squeeze=False)
axes = axes[0]
axes[0].plot(ours_curve, lw=2.5, label="microgradnn")
if torch is not None:
    with torch.no_grad():
        torch_logits = torch_model(torch.from_numpy(x_test)).numpy()
    torch_accuracy = float(np.mean(torch_logits.argmax(axis=1) == y_test))
    gaps = np.abs(np.array(ours_curve) - np.array(torch_curve))
    print(f"after {len(torch_curve)} steps: PyTorch     test accuracy {torch_accuracy:.4f}")
    print(f"largest loss difference over the whole run: {gaps.max():.2e}")
    weight_gap = np.max(
        np.abs(model.layers[0].weight.numpy() - torch_model[0].weight.detach().numpy().T)
    )
    print(f"largest first-layer weight difference at the end: {weight_gap:.2e}")
    quote("steps", len(ours_curve), "d")
    quote("accuracy", ours_accuracy, ".4f")
    quote("torch_accuracy", torch_accuracy, ".4f")
    quote("loss_gap", gaps.max(), ".1e")
    quote("weight_gap", weight_gap, ".1e")
    axes[0].plot(torch_curve, lw=1, ls="--", color="k", label="PyTorch")
    exact = gaps == 0
    steps_axis = np.arange(len(gaps))
    axes[1].semilogy(steps_axis[~exact], gaps[~exact], ".", ms=5, label="difference")
    axes[1].semilogy(
        steps_axis[exact],
        np.full(exact.sum(), 1e-18),
        "x",
        ms=5,
        color="C2",
        label=f"exactly equal ({exact.sum()} steps), drawn at 1e-18",
    )
    axes[1].set_ylim(5e-19, 1e-13)
    axes[1].set_xlabel("step")
    axes[1].set_title("|loss(microgradnn) - loss(PyTorch)| per step")
    axes[1].legend(fontsize=8, loc="upper right")
axes[0].set_xlabel("step (mini-batch of 32)")
axes[0].set_ylabel("cross-entropy")
axes[0].set_title("The same training run in both libraries")
axes[0].legend()
save(fig, "side_by_side_training.png")

# %% [markdown]
# Full run (5 epochs = 220<!--steps--> steps): loss on the first 8 images
# 2.3914737473<!--first_loss--> in microgradnn and 2.3914737473<!--torch_first_loss--> in PyTorch,
# logits within 1.8e-16<!--logits_gap--> and gradients within 2.8e-17<!--gradient_gap-->. After
# training, both models reach the same test accuracy, 0.9610<!--accuracy--> and
# 0.9610<!--torch_accuracy-->, their losses never differ by more than 4.4e-16<!--loss_gap--> at
# any step, and their weights end within 7.8e-16<!--weight_gap--> of each other. In
# `side_by_side_training.png` (left) the two loss curves lie exactly on top of each other; the right
# panel shows the difference per step: zero or a few units of float64 rounding (about
# 1e-16<!--fixed-->), with no drift.

# %% [markdown]
# ## 4. And back
#
# `from_torch` copies a torch model into microgradnn (a `Linear` followed by `ReLU` becomes
# one `Dense(..., activation="relu")`), so you can train in PyTorch and inspect, draw or
# continue in microgradnn, or the reverse.

# %%
if torch is not None:
    back = from_torch(torch_model)
    print(back)
    back_logits = back(Tensor(x_test, requires_grad=False)).numpy()
    print(
        f"from_torch(torch_model) reproduces the torch logits: max difference "
        f"{np.max(np.abs(back_logits - torch_logits)):.2e}"
    )

# %% [markdown]
# **Where to go next.** Everything you built here by hand exists in PyTorch at scale: GPU
# tensors, hundreds of layer types, data loaders, mixed precision. The ideas are the ones
# of these twelve tutorials: a graph of operations, the chain rule applied backwards, an
# optimizer step, a loss that matches the output, and honest validation.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** export a Dense network to PyTorch. Run `python -m microgradnn exercises
# start to_pytorch`, fill in `to_pytorch.py`, then `python -m microgradnn exercises check
# to_pytorch`.
