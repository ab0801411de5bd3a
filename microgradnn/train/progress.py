"""What ``fit`` prints: one line of numbers per epoch, and a tqdm bar on a terminal.

>>> format_logs({"loss": 0.25, "accuracy": 0.9})
'loss: 0.2500 - accuracy: 0.9000'
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress", "format_logs"]


def format_logs(logs: dict) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


class Progress:
    """One line of numbers per epoch; on a terminal (verbose=1) also a tqdm bar while the
    epoch runs."""

    def __init__(self, verbose: int, progress_bar: bool | None, epochs: int, steps: int):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        if progress_bar is None:
            progress_bar = verbose == 1 and sys.stdout.isatty()
        self.use_bar = bool(progress_bar) and verbose > 0
        self.bar = None

    def start_epoch(self, epoch: int) -> None:
        self.started = time.perf_counter()
        if self.use_bar:
            from tqdm import tqdm  # the plain bar: also fine in notebooks, no widgets needed

            self.bar = tqdm(
                total=self.steps,
                desc=f"Epoch {epoch + 1}/{self.epochs}",
                unit="batch",
                leave=False,  # replaced by the full line of numbers when the epoch ends
                file=sys.stdout,
                bar_format="{desc} {bar:20} {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
            )

    def batch_done(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"loss: {loss:.4f}", refresh=False)

    def end_epoch(self, epoch: int, logs: dict) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.verbose > 0:
            seconds = time.perf_counter() - self.started
            print(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.2f}s - {format_logs(logs)}")
