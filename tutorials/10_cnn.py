# %% [markdown]
# # Tutorial 10: convolutional networks on digits, filters and feature maps
#
# The lecture: convolutional neural networks are useful for images and vision; they use
# specialized units called convolutional layers. A Dense layer connects every pixel to
# every unit and ignores where pixels are. A **convolutional layer** slides a small
# kernel K (say 3x3) over the image and computes, at every position,
#
#     out[i, j] = b + Σ_u Σ_v Σ_c  x[i + u, j + v, c] · K[u, v, c]
#
# The same few weights are reused at every position (weight sharing), so the layer finds a
# pattern wherever it appears. Each kernel produces one **feature map**; a layer with 16
# kernels produces 16 maps. **Max pooling** then keeps the largest value of each 2x2 block,
# halving the resolution and adding a little tolerance to small shifts.
#
# microgradnn stores images channels-last, (batch, height, width, channels), as Keras does.
# Figures go to `tutorials/output/10_cnn/`. Fast mode (`MICROGRADNN_FAST=1`) trains on fewer
# images for fewer epochs, so its numbers differ from the ones quoted here.

# %%
import matplotlib.pyplot as plt
import numpy as np

from microgradnn import Tensor, data, no_grad, plots
from microgradnn.nn import Conv2D, Dense, Flatten, MaxPool2D, Sequential, conv2d
from microgradnn.train import LearningRateScheduler
from microgradnn.tutorial import finish, out_dir, pick, quote, save

FIGURES = ["hand_filters.png", "learning_curves.png", "learned_filters.png", "feature_maps.png"]

# %% [markdown]
# ## 1. A convolution by hand: edge detectors
#
# Before learning anything, apply two hand-made 3x3 kernels to a digit: one responds to
# vertical edges (left column -1, right column +1), the other to horizontal edges.

# %%
x, y = data.load_digits(flatten=False)
x = x[..., None]  # (1797, 8, 8, 1): one grey channel, last
digit = x[:1]  # one image, kept as a batch of 1
vertical = np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
kernels = np.stack([vertical, vertical.T], axis=-1)[:, :, None, :]  # (3, 3, 1 in, 2 out)
with no_grad():
    edges = conv2d(Tensor(digit), Tensor(kernels), padding="same").numpy()
print(f"one digit {digit.shape} * kernels {kernels.shape} -> feature maps {edges.shape}")

fig, axes = plt.subplots(1, 5, figsize=(14, 3.2))
panels = [
    (digit[0, :, :, 0], f"digit (label {y[0]})", "gray_r"),
    (vertical, "kernel: vertical edges", "bwr"),
    (edges[0, :, :, 0], "its feature map", "bwr"),
    (vertical.T, "kernel: horizontal edges", "bwr"),
    (edges[0, :, :, 1], "its feature map", "bwr"),
]
for ax, (image, title, cmap) in zip(axes, panels):
    limit = np.abs(image).max() or 1.0
    vmin = 0 if cmap == "gray_r" else -limit
    ax.imshow(image, cmap=cmap, vmin=vmin, vmax=limit)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
save(fig, "hand_filters.png")

# %% [markdown]
# In `hand_filters.png` red means a strong positive response, blue a strong negative one.
# The vertical-edge map lights up (red/blue) on the left and right borders of the strokes
# and the horizontal-edge map on the top and bottom borders; flat regions give 0 (white).
# A CNN *learns* kernels like these from data instead of us designing them.

# %% [markdown]
# ## 2. A small CNN
#
#     8x8x1 → Conv 3x3, 16 filters, ReLU → MaxPool 2 → 4x4x16
#           → Conv 3x3, 32 filters, ReLU → MaxPool 2 → 2x2x32 → Flatten (128) → Dense 10
#
# The last layer gives 10 scores (logits); the loss applies the softmax itself
# (`from_logits=True`, numerically safer). Adam with α = 0.01, multiplied by 0.75 after
# each epoch by a `LearningRateScheduler` callback.

# %%
(x_train, y_train), (x_val, y_val), (x_test, y_test) = data.train_val_test_split(
    x, y, sizes=(0.7, 0.15, 0.15), stratify=True, seed=0
)
if pick(True, False):  # fast mode: a subset so that the script takes seconds
    x_train, y_train = x_train[:400], y_train[:400]
model = Sequential(
    [
        Conv2D(1, 16, 3, padding="same", activation="relu", seed=0),
        MaxPool2D(2),
        Conv2D(16, 32, 3, padding="same", activation="relu", seed=1),
        MaxPool2D(2),
        Flatten(),
        Dense(2 * 2 * 32, 10, seed=2),
    ]
)
model.summary(input_shape=(8, 8, 1))
model.compile(
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
    lr=0.01,
    loss_options={"from_logits": True},
)
decay = LearningRateScheduler(lambda epoch, lr: lr * 0.75 if epoch else lr)
epochs = pick(3, 12)
history = model.fit(
    x_train,
    y_train,
    epochs=epochs,
    batch_size=32,
    validation_data=(x_val, y_val),
    callbacks=[decay],
    verbose=2,
    seed=0,
)
test_loss, test_accuracy = model.evaluate(x_test, y_test)
print(f"CNN test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f} on {len(y_test)} images")
quote("epochs", epochs, "d")
quote("train_images", len(x_train), ",d")
quote("final_val_accuracy", history.history["val_accuracy"][-1], ".3f")
quote("test_loss", test_loss, ".4f")
quote("test_accuracy", test_accuracy, ".4f")
quote("mistakes", int(round((1 - test_accuracy) * len(y_test))), "d")
quote("test_images", len(y_test), "d")
quote("parameters", sum(np.size(p.data) for p in model.parameters()), ",d")
plots.learning_curves(
    history, path=out_dir() / "learning_curves.png", show=False, title="Digits CNN"
)

# %% [markdown]
# Full run (12<!--epochs--> epochs, 1,259<!--train_images--> training images): validation accuracy
# 0.993<!--final_val_accuracy--> after the last epoch, test loss 0.0460<!--test_loss--> and **test
# accuracy 0.9888<!--test_accuracy-->** (3<!--mistakes--> mistakes among 268<!--test_images-->
# images), against 0.9813<!--09.test_accuracy--> (5<!--09.mistakes--> mistakes) for the Dense
# network of Tutorial 9 on the same split. The CNN has 6,090<!--parameters--> parameters, fewer than
# the Dense network's 6,570<!--09.parameters-->, but it spends them on
# small kernels reused at every position.

# %% [markdown]
# ## 3. What did it learn? Filters and feature maps
#
# The first layer's 16 kernels are 3x3 images (weight shape (3, 3, 1, 16)). Feature maps
# are the outputs of a layer for one input: we call the layers one at a time.

# %%
filters = model.layers[0].weight.numpy()[:, :, 0, :]  # (3, 3, 16)
fig, axes = plt.subplots(2, 8, figsize=(12, 4.0))
for k, ax in enumerate(axes.ravel()):
    limit = np.abs(filters[:, :, k]).max()
    ax.imshow(filters[:, :, k], cmap="bwr", vmin=-limit, vmax=limit)
    ax.set_title(f"filter {k}", fontsize=9)
    ax.axis("off")
fig.suptitle("First-layer kernels after training (red +, blue -)")
save(fig, "learned_filters.png")

sample = x_test[:1]
with no_grad():
    first = model.layers[0](sample).numpy()[0]  # (8, 8, 16) after conv + ReLU
    pooled = model.layers[1](model.layers[0](sample))
    second = model.layers[2](pooled).numpy()[0]  # (4, 4, 32)
scores = model.predict(sample)[0]
print(f"test image of a {y_test[0]}: predicted {scores.argmax()}")

fig = plt.figure(figsize=(14, 6.4))
grid = fig.add_gridspec(4, 9)
ax = fig.add_subplot(grid[1:3, 0])
ax.imshow(sample[0, :, :, 0], cmap="gray_r")
ax.set_title(f"input: {y_test[0]}\npredicted {scores.argmax()}", fontsize=10)
ax.axis("off")
for k in range(16):
    ax = fig.add_subplot(grid[k // 8, 1 + k % 8])
    ax.imshow(first[:, :, k], cmap="viridis")
    ax.set_title(f"conv1 map {k}", fontsize=8)
    ax.axis("off")
for k in range(16):
    ax = fig.add_subplot(grid[2 + k // 8, 1 + k % 8])
    ax.imshow(second[:, :, k], cmap="viridis")
    ax.set_title(f"conv2 map {k}", fontsize=8)
    ax.axis("off")
fig.suptitle(
    "Feature maps of one test digit: rows 1-2 first conv layer (8x8), rows 3-4 second (4x4)"
)
save(fig, "feature_maps.png")

# %% [markdown]
# **What to look at.** In `learned_filters.png` 3x3 kernels trained on so few images are
# not as clean as textbook pictures, but several are oriented patterns: a red side next to
# a blue side (filters 2, 3 and 15, for instance) is an edge detector like the ones we
# wrote by hand. In
# `feature_maps.png` the first-layer maps (8x8) still look like the digit, each one
# highlighting different strokes or edges (dark maps are filters that do not fire on this
# image: ReLU set them to 0). The second-layer maps (4x4, after pooling) are coarser and
# more abstract: they respond to combinations of strokes, which the final Dense layer
# turns into class scores. This hierarchy, edges → parts → objects, is what made CNNs the
# workhorse of computer vision from LeCun (1998) to AlexNet (2012).

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** a convolution's forward and backward pass. Run `python -m microgradnn
# exercises start conv2d_backward`, fill in `conv2d_backward.py`, then `python -m
# microgradnn exercises check conv2d_backward`.
