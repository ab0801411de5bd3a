"""The list of exercises, one module per exercise in :mod:`microgradnn.exercises.bank`.

Each bank module defines ``EXERCISE``, an :class:`Exercise`: its name, the lecture section
(tutorial) it belongs to, the instructions, and the hidden ``check(student)``. The starter
file the student fills in is ``starters/<name>.py``; the reference solution, which the checks
compare against and which CI checks passes, is ``solutions/<name>.py``.

>>> [e.name for e in all_exercises()][:2]
['chain_rule', 'perceptron_lms']
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent

#: Bank modules in the order of the lecture (and of the tutorials).
BANK = [
    "chain_rule",
    "perceptron_lms",
    "neuron_by_hand",
    "activation_functions",
    "loss_gradients",
    "minibatch_sgd",
    "optimizer_steps",
    "early_stopping",
    "dense_backward",
    "conv2d_backward",
    "rnn_bptt",
    "to_pytorch",
    "lab_engine_a",
    "lab_engine_b",
    "lab_engine_c",
    "lab_engine_d",
]


@dataclass(frozen=True)
class Exercise:
    """One exercise: what to do, for which tutorial, and how it is checked."""

    name: str
    section: int  # the tutorial number (1-12) this exercise practises
    title: str
    instructions: str
    check: Callable = field(repr=False)
    passed_lines: tuple = ()
    needs: tuple = ()  # optional packages, e.g. ("torch",)
    time_limit: float = 10.0  # seconds for one check in its own process

    @property
    def tutorial(self) -> str:
        matches = sorted((HERE.parent.parent / "tutorials").glob(f"{self.section:02d}_*.py"))
        return matches[0].name if matches else f"tutorial {self.section}"

    @property
    def starter_path(self) -> Path:
        return HERE / "starters" / f"{self.name}.py"

    @property
    def solution_path(self) -> Path:
        return HERE / "solutions" / f"{self.name}.py"

    def text(self) -> str:
        """The instructions as ``exercises show`` prints them."""
        head = f"{self.name} (lecture section {self.section}): {self.title}"
        return f"{head}\n{'=' * len(head)}\n\n{self.instructions.strip()}\n"


_CACHE: dict[str, Exercise] = {}


def get_exercise(name: str) -> Exercise:
    """The exercise called ``name``; a ``KeyError`` suggests close names.

    >>> get_exercise("chain_rule").section
    1
    """
    name = name.replace("-", "_")
    if name not in BANK:
        close = difflib.get_close_matches(name, BANK, n=3)
        tip = f" (did you mean {', '.join(close)}?)" if close else ""
        raise KeyError(f"no exercise {name!r}{tip}; `exercises list` shows them all")
    if name not in _CACHE:
        _CACHE[name] = importlib.import_module(f"microgradnn.exercises.bank.{name}").EXERCISE
    return _CACHE[name]


def all_exercises() -> list[Exercise]:
    """Every exercise, in lecture order."""
    return [get_exercise(name) for name in BANK]
