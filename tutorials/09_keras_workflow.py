# %% [markdown]
# # Tutorial 9: the Keras workflow on handwritten digits
#
# The lecture's second part implements networks in Keras. The workflow has five verbs,
# and microgradnn uses the same names so that moving to Keras (or back) is painless:
#
# 1. **build** the model: `Sequential([Dense(...), Dense(...)])`;
# 2. **compile**: choose the optimizer, the loss, and the metrics to report;
# 3. **fit**: train for some epochs on mini-batches, watching validation data;
# 4. **evaluate**: loss and metrics on the untouched test set;
# 5. **predict**: outputs for new inputs.
#
# The data are the 8x8 handwritten digits bundled with microgradnn (1,797 images, classes
# 0-9, no download needed). Figures go to `tutorials/output/09_keras_workflow/`. Fast mode
# (`MICROGRADNN_FAST=1`) trains fewer epochs, so its numbers differ from the ones quoted
# here.

# %%
import numpy as np

from microgradnn import data, metrics, nn, plots
from microgradnn.tutorial import finish, out_dir, pick, quote

FIGURES = ["digits.png", "learning_curves.png", "confusion_matrix.png", "mistakes.png"]

# %% [markdown]
# ## 1. The data
#
# Each image is 8x8 grey levels, flattened into 64 numbers in [0, 1]. We keep 70 % for
# training, 15 % for validation and 15 % for the final test, stratified by class.

# %%
x, y = data.load_digits()
print(f"images {x.shape}, labels {y.shape}, classes {np.unique(y).tolist()}")
(x_train, y_train), (x_val, y_val), (x_test, y_test) = data.train_val_test_split(
    x, y, sizes=(0.7, 0.15, 0.15), stratify=True, seed=0
)
print(f"train {len(x_train)}, validation {len(x_val)}, test {len(x_test)}")
plots.image_grid(
    x_train[:30],
    labels=y_train[:30],
    path=out_dir() / "digits.png",
    show=False,
    title="Training images with their labels",
)

# %% [markdown]
# ## 2. Build: a Sequential model
#
# 64 inputs → 64 ReLU units → 32 ReLU units → 10 softmax outputs (one probability per
# digit). In Keras this is
# `Sequential([Dense(64, activation="relu"), Dense(32, activation="relu"),
# Dense(10, activation="softmax")])`; here each Dense layer also names its input size.
# `summary()` prints the layers, output shapes and parameter counts.

# %%
model = nn.Sequential(
    [
        nn.Dense(64, 64, activation="relu", init="he_normal", seed=0),
        nn.Dense(64, 32, activation="relu", init="he_normal", seed=1),
        nn.Dense(32, 10, activation="softmax", seed=2),
    ]
)
model.summary(input_shape=(64,))
quote("parameters", sum(np.size(p.data) for p in model.parameters()), ",d")

# %% [markdown]
# 64·64 + 64 = 4,160 weights in the first layer, 64·32 + 32 = 2,080 in the second and
# 32·10 + 10 = 330 in the last: 6,570<!--parameters--> parameters.
#
# ## 3. Compile and fit
#
# The labels are integers 0-9, so the loss is the *sparse* categorical cross-entropy
# (the same as categorical cross-entropy on one-hot labels, without building them).
# Adam with α = 0.005<!--fixed-->, mini-batches of 32.

# %%
model.compile(
    optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.005
)
epochs = pick(5, 40)
history = model.fit(
    x_train,
    y_train,
    epochs=epochs,
    batch_size=32,
    validation_data=(x_val, y_val),
    verbose=2,
    seed=0,
)
plots.learning_curves(
    history,
    path=out_dir() / "learning_curves.png",
    show=False,
    title="Digits, 64-64-32-10 network",
)
val_losses = np.array(history.history["val_loss"])
quote("final_loss", history.history["loss"][-1], ".4f")
quote("final_accuracy", history.history["accuracy"][-1], ".3f")
quote("train_images", len(x_train), ",d")
quote("best_val_loss", val_losses.min(), ".3f")
quote("best_val_epoch", int(val_losses.argmin()) + 1, "d")
quote("final_val_loss", val_losses[-1], ".3f")
quote("final_val_accuracy", history.history["val_accuracy"][-1], ".2f")

# %% [markdown]
# `fit` prints one line per epoch (loss and accuracy on training and validation data) and
# returns a `History`; its `.history` dict holds the curves drawn in `learning_curves.png`.
# Full run: after 40 epochs the training loss is 0.0007<!--final_loss--> (accuracy
# 1.000<!--final_accuracy-->: the 1,259<!--train_images--> training images are memorized) while the
# validation loss, after a bumpy descent, is lowest at epoch 13<!--best_val_epoch-->
# (0.098<!--best_val_loss-->) and ends at 0.122<!--final_val_loss-->: mild over-fitting, although
# the validation accuracy ends at 0.97<!--final_val_accuracy-->. Tutorial 8's early stopping with
# `restore_best_weights=True` would keep the weights of that best epoch.
#
# ## 4. Evaluate on the test set, and look at the mistakes

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
probabilities = model.predict(x_test)
predicted = probabilities.argmax(axis=1)
matrix = metrics.confusion_matrix(y_test, predicted)
print("confusion matrix (rows = true digit, columns = predicted):")
print(matrix)
per_class = matrix.diagonal() / matrix.sum(axis=1)
print("recall per digit:", np.round(per_class, 3).tolist())
plots.confusion_matrix(
    y_test,
    predicted,
    path=out_dir() / "confusion_matrix.png",
    show=False,
    title=f"Digits test set: accuracy {test_accuracy:.3f}",
)
wrong = np.flatnonzero(predicted != y_test)
print(f"{len(wrong)} mistakes out of {len(y_test)} test images")
quote("test_loss", test_loss, ".4f")
quote("test_accuracy", test_accuracy, ".4f")
quote("mistakes", len(wrong), "d")
quote("test_images", len(y_test), "d")
pairs = sorted((int(y_test[i]), int(predicted[i])) for i in wrong)
quote("mistake_pairs", ", ".join(f"{t}→{p}" for t, p in pairs), "s")
shown = wrong[:20] if len(wrong) else np.arange(10)
plots.image_grid(
    x_test[shown],
    labels=y_test[shown],
    predictions=predicted[shown],
    path=out_dir() / "mistakes.png",
    show=False,
    title="Test mistakes (true → predicted)",
)

# %% [markdown]
# Full run (40 epochs): test loss 0.0510<!--test_loss-->, test accuracy 0.9813<!--test_accuracy-->,
# i.e. 5<!--mistakes--> mistakes among the 268<!--test_images--> test images
# (4→7, 5→3, 5→9, 6→1, 6→5<!--mistake_pairs-->). In `confusion_matrix.png` the diagonal holds
# the correct answers; every off-diagonal number is a mistake at (true digit, predicted
# digit). `mistakes.png` shows the misclassified images titled "true→predicted": at 8x8
# pixels several are hard even for a person (the 5→3 has a closed-looking top bar).
#
# A Dense network ignores that pixels have neighbours: it would do just as well on
# shuffled pixels. Tutorial 10 uses convolutions, which look at small patches.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** a Dense layer's backward pass. Run `python -m microgradnn exercises start
# dense_backward`, fill in `dense_backward.py`, then `python -m microgradnn exercises check
# dense_backward`.
