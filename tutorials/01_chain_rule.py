# %% [markdown]
# # Tutorial 1: the chain rule, by hand and by the engine
#
# Backpropagation is nothing more than the chain rule of calculus applied node by node to a
# computation graph. In this tutorial we follow the lecture's example
#
#     f(x, y, z) = (x + y) z      with  x = -2, y = 5, z = -4
#
# first with pen and paper, then with microgradnn's `Value`, and we *draw* the graph before
# and after the backward pass. Then we watch the backward pass one step at a time, try a
# bigger expression (a sigmoid neuron), and check every gradient with finite differences.
#
# Run it with `python tutorials/01_chain_rule.py`; the pictures go to
# `tutorials/output/01_chain_rule/`. This tutorial has no training, so fast mode
# (`MICROGRADNN_FAST=1`) prints the same numbers.

# %%
import math

from microgradnn import Value, grad, viz
from microgradnn.testing import check_grad
from microgradnn.tutorial import finish, out_dir, quote

FIGURES = [
    "graph_forward.png",
    "graph_backward.png",
    "steps/step_00.png",
    "steps/step_04.png",
    "steps/backward.gif",
    "neuron_backward.png",
]

# %% [markdown]
# ## 1. By hand
#
# Give the intermediate result a name, q = x + y, so that f = q z. Each small piece has an
# easy *local* derivative:
#
#     ∂q/∂x = 1,  ∂q/∂y = 1,        ∂f/∂q = z,  ∂f/∂z = q
#
# The chain rule glues them together: to reach x we must pass through q, so
#
#     ∂f/∂x = ∂f/∂q · ∂q/∂x = z · 1 = -4
#     ∂f/∂y = ∂f/∂q · ∂q/∂y = z · 1 = -4
#     ∂f/∂z = q = x + y = 3
#
# Read it as "upstream gradient times local derivative". The forward pass computes the
# values (q = 3, f = -12); the backward pass starts from ∂f/∂f = 1 at the output and walks
# back, multiplying by each local derivative it meets.

# %%
x_, y_, z_ = -2.0, 5.0, -4.0
q_ = x_ + y_
f_ = q_ * z_
by_hand = {"x": z_ * 1.0, "y": z_ * 1.0, "z": q_}
print(f"forward by hand:  q = {q_}, f = {f_}")
print(f"backward by hand: df/dx = {by_hand['x']}, df/dy = {by_hand['y']}, df/dz = {by_hand['z']}")

# %% [markdown]
# ## 2. By the engine
#
# A `Value` wraps one number and remembers how it was computed (its parents and the
# operation). Calling `f.backward()` runs exactly the walk above, in reverse topological
# order, and stores each result in `.grad`.

# %%
x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"

# Before backward: every .grad is still 0. Draw the forward pass (values only).
forward_picture = viz.save_graph_picture(
    f, out_dir() / "graph_forward", show=("data",), show_local_grads=False
)

f.backward()
print(f"engine: f = {f.data}, df/dx = {x.grad}, df/dy = {y.grad}, df/dz = {z.grad}")
assert (x.grad, y.grad, z.grad) == (by_hand["x"], by_hand["y"], by_hand["z"])

# After backward: each box shows data and grad; each edge shows its local derivative and
# the product "upstream × local" that the chain rule sends along it.
viz.save_graph_picture(f, out_dir() / "graph_backward")
print(f"  wrote graph pictures in {forward_picture.parent.name}/")

# %% [markdown]
# **What to look at.** In `graph_forward.png` data flows left to right: x and y meet at the
# "+" node (q = 3), q and z meet at "×" (f = -12). In `graph_backward.png` the red cells
# are the gradients. Follow the edge from z into "×": its label says ∂f/∂z = q = 3, so z's
# gradient is 1 × 3. The edges from x and y into "+" carry the local derivative 1, so they
# simply copy q's gradient -4: **an addition node distributes the gradient unchanged**,
# while **a multiplication node swaps its inputs** (the gradient of z is the value of q and
# vice versa).

# %% [markdown]
# ## 3. The backward pass, one step at a time
#
# `viz.draw_backward_steps` replays the backward pass without touching `.grad` and writes
# one picture per step (`steps/step_00.png`, ...), an animated GIF and an HTML page with a
# slider. A node is processed only after every node that *uses* it is done, so its gradient
# is final when its frame appears. The captions spell out each chain-rule product:

# %%
steps = viz.draw_backward_steps(f, out_dir() / "steps")
for caption in steps.captions:
    print("  ", caption)

# %% [markdown]
# Open `steps/backward.gif` (or `steps/backward.html`): the highlighted node and the red
# edges are the ones used in the current step. Step 0 seeds ∂f/∂f = 1; steps 1 and 2
# handle the two inputs of "×"; steps 3 and 4 pass q's gradient through "+".

# %% [markdown]
# ## 4. A bigger expression: a sigmoid neuron
#
# The same machinery handles any composition. Take a neuron with two inputs,
#
#     f(w, x) = σ(w0 x0 + w1 x1 + w2),    σ(s) = 1 / (1 + e^(-s))
#
# with w = (2, -3, -3) and x = (-1, -2). Here s = -2 + 6 - 3 = 1 and f = σ(1) ≈
# 0.7311<!--sigma_of_1-->. The derivative of the sigmoid is σ'(s) = σ(s)(1 - σ(s)) ≈
# 0.1966<!--sigma_slope_at_1-->, and then ∂f/∂w0 = σ'(s) x0, ∂f/∂x0 = σ'(s) w0, and so on. We write
# σ with the elementary operations (exp, +, /) so that the graph shows every step.

# %%
w0, w1, w2 = Value(2.0, label="w0"), Value(-3.0, label="w1"), Value(-3.0, label="w2")
x0, x1 = Value(-1.0, label="x0"), Value(-2.0, label="x1")
s = w0 * x0 + w1 * x1 + w2
s.label = "s"
neuron = 1.0 / (1.0 + (-s).exp())
neuron.label = "f"
neuron.backward()

sigma = 1.0 / (1.0 + math.exp(-1.0))
local = sigma * (1 - sigma)
print(f"neuron output f = {neuron.data:.4f}  (σ(1) = {sigma:.4f}), σ'(1) = {local:.4f}")
for v, expected in ((w0, local * -1.0), (w1, local * -2.0), (w2, local), (x0, local * 2.0)):
    print(f"  df/d{v.label} = {v.grad:+.4f}   by hand: {expected:+.4f}")
    assert abs(v.grad - expected) < 1e-12
quote("sigma_of_1", neuron.data, ".4f")
quote("sigma_slope_at_1", local, ".4f")
quote("s_grad", s.grad, ".4f")
viz.save_graph_picture(neuron, out_dir() / "neuron_backward", rankdir="TB")

# %% [markdown]
# In `neuron_backward.png` find the node `s` (value 1, gradient ≈ 0.1966<!--s_grad-->): everything
# below it is the sigmoid, broken into negation, exp, +1 and a division. The gradient of `s`
# is the product of the four local derivatives along that chain, and it equals σ'(1). Each
# weight then gets σ'(1) times "the thing it multiplies".

# %% [markdown]
# ## 5. Checking gradients with finite differences
#
# How do we know the engine is right? Derivatives are limits of difference quotients, so
# for a small ε
#
#     ∂f/∂a ≈ (f(a + ε) - f(a - ε)) / (2ε)        (central difference, error O(ε²))
#
# This is slow (two evaluations per input) but needs no calculus, which makes it the
# perfect referee. We compare by hand first, then with `microgradnn.testing.check_grad`.


# %%
def f_numbers(a, b, c):
    return (a + b) * c


eps = 1e-6
numeric = [
    (f_numbers(x_ + eps, y_, z_) - f_numbers(x_ - eps, y_, z_)) / (2 * eps),
    (f_numbers(x_, y_ + eps, z_) - f_numbers(x_, y_ - eps, z_)) / (2 * eps),
    (f_numbers(x_, y_, z_ + eps) - f_numbers(x_, y_, z_ - eps)) / (2 * eps),
]
print("finite differences for (x+y)z:", [round(n, 6) for n in numeric])


def neuron_fn(a, b, c, d, e):
    return 1.0 / (1.0 + (-(a * d + b * e + c)).exp())


report = check_grad(neuron_fn, 2.0, -3.0, -3.0, -1.0, -2.0)
print("sigmoid neuron:", report)
quote("check_grad_error", report.max_abs_error, ".0e")

# The functional form grad(outputs, inputs) returns gradients without touching .grad:
a, b = Value(1.5), Value(-0.5)
ga, gb = grad((a * b).tanh(), [a, b])
print(f"grad(tanh(a b)) at (1.5, -0.5): ({ga:.4f}, {gb:.4f})")

# %% [markdown]
# The finite differences agree with the engine to about 2e-11<!--check_grad_error--> (the rounding
# error of the difference quotient). Whenever you write a new operation, a check like this is the
# first test to write.
#
# **Summary.** Forward pass: compute and remember. Backward pass: start with 1 at the
# output and, for every edge, multiply the upstream gradient by the local derivative; add
# up the contributions when a node feeds several others. The next tutorial goes back in
# time to the first neurons, before anybody used this rule to train them.

# %%
finish(FIGURES)

# %% [markdown]
# **Practise:** the lecture's (x + y)z node by node; then the broken-engine labs
# `lab_engine_a`…`d`, and paper worksheets: `python -m microgradnn worksheet new --level
# reused`. Run `python -m microgradnn exercises start chain_rule`, fill in `chain_rule.py`,
# then `python -m microgradnn exercises check chain_rule`.
