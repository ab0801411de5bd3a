"""The shared check of the four broken-engine labs (lab_engine_a ... lab_engine_d)."""

import math

from microgradnn.exercises import labs
from microgradnn.exercises.feedback import Wrong
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Broken-engine lab, engine {letter}. `labs.mystery_engine("{letter}")` is a small scalar
autodiff engine (+ - * / ** exp log tanh sigmoid, and labs.softmax) with ONE of the classic
bugs:

    assigns-grad           backward does parent.grad = ... instead of +=
    no-topological-order   backward visits nodes breadth-first, not in topological order
    parents-in-a-set       a node's parents are kept in a set: a * a loses an edge
    overflow               sigmoid / softmax call exp naively and overflow

Find it. Probe the engine with small expressions:

    from microgradnn.exercises import labs
    Scalar = labs.mystery_engine("{letter}")
    labs.check_function(Scalar, lambda a, b: a * b + a, 2.0, 3.0)   # AssertionError if wrong
    x = Scalar(2.0); y = x * x; y.backward(); print(labs.draw(y))   # or labs.draw(y, "y.png")

Compare with `labs.reference_engine()`, which is correct. Then fill in the starter:
DIAGNOSIS (one of the four names) and `expose(Scalar)`, which returns (f, inputs): a small
function of Scalars and the numbers to call it with, on which engine {letter} goes wrong
(wrong gradient, or a crash) while the reference engine is right. The lab confirms both.
"""


def _misbehaves(Scalar, f, inputs) -> str | None:
    """Why ``f`` at ``inputs`` goes wrong on this engine (None when it behaves)."""
    try:
        labs.check_function(Scalar, f, *inputs)
        out = f(*[Scalar(x) for x in inputs])
    except AssertionError as error:
        return str(error).splitlines()[0]
    except (OverflowError, ZeroDivisionError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    if not math.isfinite(out.data):
        return f"the output is {out.data}"
    return None


SYMPTOMS = {
    "assigns-grad": "try a node used twice, e.g. f(x) = x * x + x: its gradients must add up",
    "no-topological-order": "try a node reached along paths of different lengths, e.g. "
    "q = x * y; f = q + q.tanh()",
    "parents-in-a-set": "try the same node twice in ONE operation: f(a) = a * a",
    "overflow": "try a very negative input to sigmoid, f(x) = x.sigmoid() at x = -1000",
}


def _probe_q(x, y):
    q = x * y
    return q + q.tanh()


#: Small expressions that tell the bugs apart (with the numbers to try them on).
PROBES = [
    ("x * y + x", lambda x, y: x * y + x, [2.0, 3.0]),
    ("a * a", lambda a: a * a, [3.0]),
    ("q = x * y; q + tanh(q)", _probe_q, [0.5, 1.5]),
    ("sigmoid(x)", lambda x: x.sigmoid(), [-1000.0]),
]


def _behaviour(Scalar, f, inputs):
    """What an engine does on f(inputs): its gradients, or the error it raises."""
    nodes = [Scalar(x) for x in inputs]
    try:
        out = f(*nodes)
        out.backward()
    except (OverflowError, ZeroDivisionError, ValueError) as error:
        return f"raises {type(error).__name__}"
    return "gradients " + ", ".join(f"{n.grad:.6g}" for n in nodes)


def _tell_apart(letter, claimed, f, inputs) -> list[str]:
    """A probe on which engine `letter` does not behave like an engine with `claimed` bug."""
    actual = labs.mystery_engine(letter)
    imagined = type("Scalar", (labs._Scalar,), {"BUG": claimed})
    for name, probe, values in [("your example", f, inputs), *PROBES]:
        seen, expected = _behaviour(actual, probe, values), _behaviour(imagined, probe, values)
        if seen != expected:
            return [
                f"on {name} at {values}: engine {letter} gives {seen}",
                f"an engine whose bug is {claimed!r} would give {expected}",
            ]
    return []


def make_check(letter: str):
    def check(student):
        diagnosis = getattr(student.module, "DIAGNOSIS", None)
        expose = student.function("expose")
        if diagnosis not in labs.BUGS:
            raise Wrong(
                f"DIAGNOSIS should be one of {sorted(labs.BUGS)}, got {diagnosis!r}",
                student.where("DIAGNOSIS"),
                hint="probe the engine first (see `show`)",
            )
        result = expose(labs.mystery_engine(letter))
        if not isinstance(result, (tuple, list)) or len(result) != 2 or not callable(result[0]):
            raise Wrong(
                "expose(Scalar) should return (f, inputs)",
                hint="e.g. return (lambda a: a * a), [3.0]",
            )
        f, inputs = result[0], [float(x) for x in result[1]]
        reference_problem = _misbehaves(labs.reference_engine(), f, inputs)
        if reference_problem:
            raise Wrong(
                "your example also goes wrong on the CORRECT engine",
                [reference_problem, f"inputs {inputs}"],
                hint="choose an f that a correct engine differentiates fine",
            )
        problem = _misbehaves(labs.mystery_engine(letter), f, inputs)
        if problem is None:
            raise Wrong(
                f"your example does not expose engine {letter}'s bug",
                [f"engine {letter} gets f right at inputs {inputs}"],
                hint=SYMPTOMS[labs.bug_of(letter)]
                if diagnosis == labs.bug_of(letter)
                else "find an expression where check_function fails first",
            )
        if diagnosis != labs.bug_of(letter):
            raise Wrong(
                f"engine {letter} does not behave like {diagnosis!r}",
                [
                    f"your example does expose a bug: {problem}",
                    *_tell_apart(letter, diagnosis, f, inputs),
                ],
                hint="several bugs can spoil the same example: find one that only "
                "the right bug explains (see the probe above)",
            )
        student.confirmed = f"{problem}; bug: {labs.BUGS[diagnosis]}"

    return check


def make_exercise(letter: str) -> Exercise:
    return Exercise(
        name=f"lab_engine_{letter.lower()}",
        section=1,
        title=f"broken-engine lab: find the bug in mystery engine {letter}",
        instructions=INSTRUCTIONS.format(letter=letter),
        check=make_check(letter),
        passed_lines=(f"diagnosis confirmed: engine {letter} has exactly that bug",),
    )
