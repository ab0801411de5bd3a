"""Exercise 3: one sigmoid neuron, forward and backward by hand."""

from microgradnn import Value
from microgradnn.exercises.graphs import check_graph
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 3 (from one neuron to an MLP). The lecture's neuron with two inputs:

    z = w1 x1 + w2 x2 + b          (the weighted sum in the cell body)
    ŷ = σ(z) = 1 / (1 + e^(-z))    (the firing rate)

Backward, with the chain rule and σ'(z) = σ(z) (1 - σ(z)):

    ∂ŷ/∂z = σ(z)(1 - σ(z)),   ∂ŷ/∂wi = ∂ŷ/∂z · xi,   ∂ŷ/∂b = ∂ŷ/∂z,   ∂ŷ/∂xi = ∂ŷ/∂z · wi

Fill in `neuron(x1, x2, w1, w2, b)`: return z, ŷ and the gradients of ŷ with respect to
z, w1, w2, b, x1, x2 (use math.exp; no microgradnn). The checks compare each node of the
neuron's graph on its own and draw the graph with the first wrong node in red.
"""

KEYS = {
    "z": ("data", "z"),
    "y_hat": ("data", "y_hat"),
    "dy_dz": ("local", "y_hat", "z"),
    "dy_dw1": ("grad", "w1"),
    "dy_dw2": ("grad", "w2"),
    "dy_db": ("grad", "b"),
    "dy_dx1": ("grad", "x1"),
    "dy_dx2": ("grad", "x2"),
}

HINTS = {
    "z": "z = w1 x1 + w2 x2 + b",
    "y_hat": "ŷ = σ(z) = 1 / (1 + exp(-z)); mind the minus sign in the exponent",
    "dy_dz": "σ'(z) = σ(z) (1 - σ(z)): use the ŷ you computed",
    "dy_dw1": "∂ŷ/∂w1 = ∂ŷ/∂z · ∂z/∂w1, and ∂z/∂w1 = x1 (the input w1 multiplies)",
    "dy_dw2": "∂ŷ/∂w2 = ∂ŷ/∂z · x2",
    "dy_db": "∂z/∂b = 1, so ∂ŷ/∂b = ∂ŷ/∂z",
    "dy_dx1": "∂z/∂x1 = w1 (a product's derivative is the other factor)",
    "dy_dx2": "∂ŷ/∂x2 = ∂ŷ/∂z · w2",
}


MISTAKES = {
    "dy_dz": lambda e: [(e["y_hat"], "that is σ(z); its derivative is σ(z) (1 - σ(z))")],
    "dy_dw1": lambda e: [(e["dy_dz"], "times ∂z/∂w1 = x1 (chain rule)")],
    "dy_db": lambda e: [(1.0, "b enters z with ∂z/∂b = 1, but ŷ = σ(z): multiply by σ'(z)")],
}


def build(x1, x2, w1, w2, b):
    """The neuron's graph with labelled nodes."""
    x1, x2 = Value(x1, label="x1"), Value(x2, label="x2")
    w1, w2, b = Value(w1, label="w1"), Value(w2, label="w2"), Value(b, label="b")
    p1, p2 = w1 * x1, w2 * x2
    p1.label, p2.label = "p1", "p2"
    s = p1 + p2
    s.label = "s"
    z = s + b
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "y_hat"
    return y_hat


def check(student):
    neuron = student.function("neuron")

    def test(x1, x2, w1, w2, b):
        inputs = dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b)
        check_graph(
            build,
            inputs,
            neuron(**inputs),
            KEYS,
            hints=HINTS,
            student=student,
            picture_name="neuron_by_hand-feedback",
            mistakes=MISTAKES,
        )

    fixed = [dict(x1=1.0, x2=-2.0, w1=0.5, w2=0.25, b=0.5)]
    spec = {name: ("float", -3.0, 3.0) for name in ("x1", "x2", "w1", "w2", "b")}
    for_all(test, spec, fixed=fixed, n=30)


EXERCISE = Exercise(
    name="neuron_by_hand",
    section=3,
    title="a sigmoid neuron's forward and backward pass by hand",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("every node of the neuron agrees with the engine",),
)
