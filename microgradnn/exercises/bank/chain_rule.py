"""Exercise 1: the chain rule on the lecture's graph f(x, y, z) = (x + y) z."""

from microgradnn import Value
from microgradnn.exercises.graphs import check_graph
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
The lecture's backpropagation example: f(x, y, z) = (x + y) z, e.g. x = -2, y = 5, z = -4.

    q = x + y        ∂q/∂x = 1,  ∂q/∂y = 1
    f = q z          ∂f/∂q = z,  ∂f/∂z = q

    ∂f/∂x = ∂f/∂q · ∂q/∂x        (the chain rule)

Fill in `forward_backward(x, y, z)` in the starter file: the forward values q and f, the four
local derivatives, and the three gradients ∂f/∂x, ∂f/∂y, ∂f/∂z, using only + - * and the
numbers you have already computed (no microgradnn: you are the engine here).

The checks try the lecture's numbers, then many random ones; each local derivative is
checked on its own, so the feedback says which edge or node of the graph is wrong and
draws the graph with it in red.
"""

KEYS = {
    "q": ("data", "q"),
    "f": ("data", "f"),
    "dq_dx": ("local", "q", "x"),
    "dq_dy": ("local", "q", "y"),
    "df_dq": ("local", "f", "q"),
    "df_dz": ("local", "f", "z"),
    "df_dx": ("grad", "x"),
    "df_dy": ("grad", "y"),
    "df_dz_total": ("grad", "z"),
}

HINTS = {
    "q": "q is the sum node: q = x + y",
    "f": "f multiplies q by z",
    "dq_dx": "nudge x by a tiny h: q changes by h, so ∂q/∂x = 1 whatever the values",
    "dq_dy": "q = x + y: ∂q/∂y = 1",
    "df_dq": "f = q z: treat z as a constant, so ∂f/∂q = z",
    "df_dz": "f = q z: treat q as a constant, so ∂f/∂z = q (the value of x + y)",
    "df_dx": "chain rule: ∂f/∂x = ∂f/∂q · ∂q/∂x (the gradient arriving at q times the local one)",
    "df_dy": "chain rule: ∂f/∂y = ∂f/∂q · ∂q/∂y",
    "df_dz_total": "z feeds f directly, so its gradient is the local derivative ∂f/∂z",
}


ADDED = "the chain rule multiplies the derivatives along the path; it does not add them"
MISTAKES = {
    "df_dx": lambda e: [(e["df_dq"] + e["dq_dx"], ADDED), (e["dq_dx"], "multiply by ∂f/∂q too")],
    "df_dy": lambda e: [(e["df_dq"] + e["dq_dy"], ADDED), (e["dq_dy"], "multiply by ∂f/∂q too")],
    "df_dq": lambda e: [(e["q"], "∂(q z)/∂q is the OTHER factor, z")],
    "df_dz": lambda e: [(e["df_dq"], "∂(q z)/∂z is the OTHER factor, q = x + y")],
}


def build(x, y, z):
    """The lecture's graph with labelled nodes (the expected answers come from it)."""
    x, y, z = Value(x, label="x"), Value(y, label="y"), Value(z, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def check(student):
    forward_backward = student.function("forward_backward")

    def test(x, y, z):
        answers = forward_backward(x, y, z)
        check_graph(
            build,
            dict(x=x, y=y, z=z),
            answers,
            KEYS,
            hints=HINTS,
            student=student,
            picture_name="chain_rule-feedback",
            mistakes=MISTAKES,
        )

    lecture = {"x": -2.0, "y": 5.0, "z": -4.0}
    spec = {name: ("float", -5.0, 5.0) for name in "xyz"}
    for_all(test, spec, fixed=[lecture], n=30)


EXERCISE = Exercise(
    name="chain_rule",
    section=1,
    title="chain rule values of f = (x + y) z, node by node",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=(
        "f = -12, ∂f/∂x = ∂f/∂y = -4, ∂f/∂z = 3 at the lecture's point: you are an engine",
    ),
)
