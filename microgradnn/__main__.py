"""Command line: ``python -m microgradnn demo`` and ``python -m microgradnn graph "(x+y)*z" ...``.

Run ``python -m microgradnn --help`` for the list of commands.
"""

from __future__ import annotations

import argparse
import sys


def _demo(argv: list[str]) -> int:
    from microgradnn.demo import main as demo_main

    return demo_main(argv)


def _graph(argv: list[str]) -> int:
    from microgradnn.viz import graph_main

    return graph_main(argv)


def _exercises(argv: list[str]) -> int:
    from microgradnn.exercises.cli import exercises_main

    return exercises_main(argv)


def _worksheet(argv: list[str]) -> int:
    from microgradnn.exercises.worksheet_cli import worksheet_main

    return worksheet_main(argv)


COMMANDS = {
    "demo": (_demo, "the lecture's (x+y)*z example forward and backward, then a small network"),
    "graph": (_graph, 'draw the graph of an expression, e.g. graph "(x+y)*z" --values x=-2,y=5'),
    "exercises": (_exercises, "practise each lecture section: list, show, start, check NAME"),
    "worksheet": (_worksheet, "chain-rule worksheets to print, and grading of typed answers"),
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m microgradnn`` and the ``microgradnn`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        parser = argparse.ArgumentParser(
            prog="python -m microgradnn",
            description="microgradnn: see how neural networks learn.",
            epilog="\n".join(f"  {name:9} {help}" for name, (_, help) in COMMANDS.items()),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("command", choices=sorted(COMMANDS), help="what to run")
        parser.parse_args(argv[:1])  # prints help or a clear error and exits
        return 2
    command, _ = COMMANDS[argv[0]]
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
