"""Exercise 8: the early-stopping rule on a list of validation losses."""

import numpy as np

from microgradnn.exercises.feedback import Wrong, show, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 8 (train / validation / test, early stopping). After each epoch we look at the
validation loss. An epoch *improves* when its loss is below the best so far by more than
min_delta:  loss < best - min_delta  (the first epoch always improves).

    best = +inf, wait = 0
    for each epoch e (counted from 0) with validation loss L_e:
        if L_e improves:  best = L_e, best_epoch = e, wait = 0
        else:             wait = wait + 1
                          if wait >= patience: stop after epoch e

Fill in `early_stopping(val_losses, patience, min_delta=0.0)` returning (stop_epoch,
best_epoch): the epoch after which training stops (None if it never stops) and the epoch
whose weights restore_best_weights would bring back. patience >= 1.
"""


def trace(val_losses, patience, min_delta=0.0):
    """The reference rule, with one row (epoch, loss, best, wait, event) per epoch."""
    best, best_epoch, wait, rows = np.inf, None, 0, []
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait, event = loss, epoch, 0, "improves"
        else:
            wait += 1
            event = "stop" if wait >= patience else ""
        rows.append((epoch, loss, best, wait, event))
        if event == "stop":
            return epoch, best_epoch, rows
    return None, best_epoch, rows


def _table(rows) -> list[str]:
    lines = ["the rule step by step:", "  epoch   val_loss       best   wait"]
    for epoch, loss, best, wait, event in rows[:12]:
        lines.append(f"  {epoch:5} {show(loss):>10} {show(best):>10} {wait:6}   {event}")
    return lines


def check(student):
    function = student.function("early_stopping")

    def test(losses, patience, min_delta):
        losses = [float(v) for v in np.round(losses, 2)]  # ties happen, as in real training
        got = unpack(
            function(list(losses), patience, min_delta),
            ("stop_epoch", "best_epoch"),
            "early_stopping",
        )
        stop, best, rows = trace(losses, patience, min_delta)
        setup = [f"val_losses={losses}, patience={patience}, min_delta={show(min_delta)}"]
        for what, value, want in (("stop_epoch", got[0], stop), ("best_epoch", got[1], best)):
            if value != want:
                hint = _hint(losses, patience, min_delta, what, value, want)
                raise Wrong(
                    f"{what} is wrong",
                    [*setup, f"expected {want}, got {value}", *_table(rows)],
                    hint=hint,
                )

    fixed = [
        dict(losses=np.array([1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.6]), patience=3, min_delta=0.0),
        dict(losses=np.array([1.0, 0.9, 0.9, 0.9, 0.5]), patience=2, min_delta=0.0),
        dict(losses=np.array([1.0, 0.95, 0.93, 0.5]), patience=2, min_delta=0.1),
    ]
    spec = {
        "losses": ("array", ("n",), 0.0, 1.0),
        "patience": ("int", 1, 4),
        "min_delta": ("float", 0.0, 0.2),
    }
    for_all(test, spec, dims={"n": (1, 12)}, fixed=fixed, n=40)


def _hint(losses, patience, min_delta, what, value, want):
    if what == "stop_epoch" and trace(losses, patience + 1, min_delta)[0] == value:
        return (
            "you stop one epoch too late (or never): stop as soon as wait >= patience, "
            "returning (epoch, best_epoch)"
        )
    if patience > 1 and trace(losses, patience - 1, min_delta)[0] == value:
        return "you stop one epoch too early: stop when wait >= patience, after counting it"
    if (
        trace(losses, patience, 0.0)[:2] == (value, value)
        or min_delta
        and (trace(losses, patience, 0.0)[0 if what == "stop_epoch" else 1] == value)
    ):
        return "an improvement must beat the best by more than min_delta: L < best - min_delta"
    if trace([v + 1e-9 * i for i, v in enumerate(losses)], patience, min_delta)[:1] != (want,):
        return "a loss equal to the best is not an improvement (use <, not <=)"
    return "reset wait to 0 on every improvement, and compare with the best so far"


EXERCISE = Exercise(
    name="early_stopping",
    section=8,
    title="the early-stopping rule: when to stop, which epoch to restore",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("your rule stops where Keras' EarlyStopping would",),
)
