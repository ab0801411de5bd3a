"""Chain-rule worksheets: a random expression to do by hand, an answer key, and grading.

A worksheet is fully determined by its level and seed (its id is ``"<level>-<seed>"``), so a
teacher can print it, and later grade typed answers, from the id alone. Levels:

* ``chain``: a plain chain of three operations;
* ``reused``: an input used twice, whose gradient contributions add up;
* ``branch``: an intermediate node feeding two branches that meet again;
* ``tanh``: a tanh neuron, z = w1 x1 + w2 x2 + b, f = tanh(z).

>>> sheet = make_worksheet("reused", seed=3)
>>> sheet.id, [step.name for step in sheet.steps][-1]
('reused-3', 'f')
>>> print(grade(sheet.id, sheet.answer_text()).title)
worksheet reused-3: all 9 answers right
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field

from microgradnn.exercises.feedback import Feedback, show

LEVELS = {
    "chain": "a plain chain of three operations",
    "reused": "an input used twice: its gradient contributions add up",
    "branch": "an intermediate node feeding two branches that meet again",
    "tanh": "a tanh neuron: z = w1 x1 + w2 x2 + b, f = tanh(z)",
}

_SYMBOL = {"+": "+", "-": "-", "*": "·"}


@dataclass
class Step:
    """One operation of the worksheet: ``name = left op right`` (or ``tanh(left)``)."""

    name: str
    op: str
    args: tuple

    def formula(self) -> str:
        if self.op == "tanh":
            return f"{self.name} = tanh({self.args[0]})"
        return f"{self.name} = {self.args[0]} {_SYMBOL[self.op]} {self.args[1]}"


@dataclass
class Worksheet:
    """A generated worksheet: inputs, steps, and the answers computed by the engine."""

    level: str
    seed: int
    inputs: dict
    steps: list
    forward: dict = field(default_factory=dict)  # node name -> value
    backward: dict = field(default_factory=dict)  # node name -> ∂f/∂node
    uses: dict = field(default_factory=dict)  # node name -> the steps that use it
    root: object = None

    @property
    def id(self) -> str:
        return f"{self.level}-{self.seed}"

    def answer_keys(self) -> list[str]:
        """The answer lines in order: forward values, then gradients from f back."""
        forward = [step.name for step in self.steps]
        order = [step.name for step in reversed(self.steps)] + list(self.inputs)
        return forward + [f"df/d{name}" for name in order]

    def expected(self, key: str) -> float:
        if key.startswith("df/d"):
            return self.backward[key[4:]]
        return self.forward[key]

    def template(self) -> str:
        """The blank answer file a student fills in (``name = value`` lines)."""
        lines = [
            f"# worksheet {self.id}: write each value after '=' (4 decimals are enough)",
            f"# inputs: {', '.join(f'{k} = {show(v)}' for k, v in self.inputs.items())}",
            "# forward pass: the value of each node",
        ]
        lines += [f"{step.name} = " for step in self.steps]
        lines.append("# backward pass: the gradient of f with respect to each node")
        lines += [f"{key} = " for key in self.answer_keys() if key.startswith("df/d")]
        return "\n".join(lines) + "\n"

    def answer_text(self) -> str:
        """The template filled with the right answers (the key, as a typed answer file)."""
        return "".join(
            f"{line}{show(round(self.expected(line.split(' =')[0]), 6))}\n"
            if not line.startswith("#")
            else line + "\n"
            for line in self.template().splitlines()
        )


def _value(rng: random.Random, level: str) -> float:
    if level == "tanh":
        return rng.choice([-1.0, -0.5, 0.5, 1.0, 1.5, -1.5, 2.0])
    return float(rng.choice([-3, -2, -1, 1, 2, 3]))  # small: done by hand


def _structure(level: str, rng: random.Random) -> tuple[list[str], list[Step]]:
    op = lambda: rng.choice(["+", "-", "*"])  # noqa: E731
    if level == "chain":
        return ["a", "b", "c", "d"], [
            Step("q", op(), ("a", "b")),
            Step("r", op(), ("q", "c")),
            Step("f", "*", ("r", "d")),
        ]
    if level == "reused":
        first = rng.choice([("x", "y"), ("y", "x")])
        return ["x", "y", "z"], [
            Step("q", "*", first),
            Step("r", op(), ("q", "z")),
            Step("f", rng.choice(["*", "+"]), ("r", "x")),
        ]
    if level == "branch":
        return ["a", "b", "c", "d"], [
            Step("q", op(), ("a", "b")),
            Step("u", "*", ("q", "c")),
            Step("v", op(), ("q", "d")),
            Step("f", "*", ("u", "v")),
        ]
    if level == "tanh":
        return ["x1", "w1", "x2", "w2", "b"], [
            Step("p1", "*", ("w1", "x1")),
            Step("p2", "*", ("w2", "x2")),
            Step("s", "+", ("p1", "p2")),
            Step("z", "+", ("s", "b")),
            Step("f", "tanh", ("z",)),
        ]
    raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")


def make_worksheet(level: str, seed: int = 0) -> Worksheet:
    """The worksheet ``level`` number ``seed`` (deterministic), with its answers."""
    from microgradnn import Value

    rng = random.Random(f"{level}-{seed}")
    names, steps = _structure(level, rng)
    inputs = {name: _value(rng, level) for name in names}
    if level == "tanh":  # keep z small, or tanh saturates and every gradient is ~0
        z = inputs["w1"] * inputs["x1"] + inputs["w2"] * inputs["x2"]
        inputs["b"] = min((-1.0, -0.5, 0.5, 1.0), key=lambda b: (abs(z + b), b))
    nodes = {name: Value(value, label=name) for name, value in inputs.items()}
    for step in steps:
        a = nodes[step.args[0]]
        if step.op == "tanh":
            out = a.tanh()
        else:
            b = nodes[step.args[1]]
            out = {"+": a + b, "-": a - b, "*": a * b}[step.op]
        out.label = step.name
        nodes[step.name] = out
    root = nodes[steps[-1].name]
    root.backward()
    sheet = Worksheet(level, int(seed), inputs, steps, root=root)
    sheet.forward = {step.name: float(nodes[step.name].data) for step in steps}
    sheet.backward = {name: float(node.grad) for name, node in nodes.items()}
    for step in steps:
        for arg in step.args:
            sheet.uses.setdefault(arg, []).append(step)
    return sheet


def parse_worksheet_id(text: str) -> tuple[str, int]:
    """``"reused-3"`` -> ``("reused", 3)`` with a clear error for anything else."""
    match = re.fullmatch(r"([a-z]+)-(\d+)", text.strip())
    if not match or match.group(1) not in LEVELS:
        raise ValueError(
            f"worksheet id {text!r} should look like reused-3 (levels: {', '.join(LEVELS)})"
        )
    return match.group(1), int(match.group(2))


def parse_answers(text: str) -> dict:
    """Typed answers: ``name = value`` lines (``#`` comments), or JSON (flat, or with
    ``"forward"`` and ``"backward"`` objects). Gradient names: ``df/dx`` or ``grad x``."""
    text = text.strip()
    if text.startswith("{"):
        data = json.loads(text)
        flat = dict(data.get("forward", {}))
        flat.update({f"df/d{k}": v for k, v in data.get("backward", {}).items()})
        flat.update({k: v for k, v in data.items() if k not in ("forward", "backward")})
        return {_normal(k): v for k, v in flat.items()}
    answers = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"line {number} ({line!r}) should look like 'q = 6'")
        answers[_normal(name)] = (value.strip(), number)
    return answers


def _normal(name: str) -> str:
    name = name.strip().replace("∂", "d").replace(" ", "")
    for prefix in ("df/d", "grad", "d"):
        if name.startswith(prefix) and len(name) > len(prefix) and prefix != "d":
            return "df/d" + name[len(prefix) :]
    return name


def _hint(sheet: Worksheet, key: str) -> str:
    if not key.startswith("df/d"):
        step = next(s for s in sheet.steps if s.name == key)
        return f"{step.formula()}: recompute it from the values above it"
    name = key[4:]
    if name == sheet.steps[-1].name:
        return "the gradient of f with respect to itself is 1"
    users = sheet.uses.get(name, [])
    if len(users) > 1:
        root = sheet.steps[-1].name
        terms = " + ".join(
            f"∂f/∂{name} directly (in {u.formula()})"
            if u.name == root
            else f"∂f/∂{u.name}·∂{u.name}/∂{name}"
            for u in users
        )
        return f"{name} is used {len(users)} times: add the contributions, ∂f/∂{name} = {terms}"
    user = users[0]
    local = {"+": "1", "-": "1" if user.args[0] == name else "-1", "tanh": f"1 - {user.name}²"}
    if user.op == "*":
        other = user.args[1] if user.args[0] == name else user.args[0]
        local["*"] = other
    return (
        f"∂f/∂{name} = ∂f/∂{user.name} · ∂{user.name}/∂{name}, and for "
        f"{user.formula()} the local derivative ∂{user.name}/∂{name} = {local[user.op]}"
    )


def grade(worksheet_id: str, text: str, reveal: bool = False) -> Feedback:
    """Grade typed answers line by line; ``Feedback.status`` is "pass" when all are right.

    Wrong lines get a hint; the right value is shown only with ``reveal=True`` (so a student
    can try again first).
    """
    level, seed = parse_worksheet_id(worksheet_id)
    sheet = make_worksheet(level, seed)
    try:
        answers = parse_answers(text)
    except (ValueError, json.JSONDecodeError) as error:
        return Feedback("error", f"worksheet {sheet.id}: cannot read the answers", [str(error)])
    lines, wrong, first_hint = [], 0, None
    for key in sheet.answer_keys():
        want = sheet.expected(key)
        raw = answers.get(key)
        raw, number = raw if isinstance(raw, tuple) else (raw, None)
        where = f" (line {number})" if number else ""
        try:
            got = float(raw)
        except (TypeError, ValueError):
            wrong += 1
            blank = raw in (None, "")
            lines.append(
                f"✗ {key}{where}: " + ("no answer yet" if blank else f"{raw!r} is not a number")
            )
            first_hint = first_hint or _hint(sheet, key)
            continue
        if abs(got - want) <= 6e-5 + 1e-4 * abs(want):  # 4 decimals are enough
            lines.append(f"✓ {key} = {show(got)}")
        else:
            wrong += 1
            verdict = f"expected {show(round(want, 4))}" if reveal else "wrong"
            lines.append(f"✗ {key} = {show(got)}{where}: {verdict}")
            lines.append(f"    hint: {_hint(sheet, key)}")
            first_hint = "fix the lines marked ✗ from the top: later values build on earlier ones"
    total = len(sheet.answer_keys())
    if not wrong:
        return Feedback("pass", f"worksheet {sheet.id}: all {total} answers right", lines)
    return Feedback(
        "fail", f"worksheet {sheet.id}: {wrong} of {total} answers wrong", lines, hint=first_hint
    )
