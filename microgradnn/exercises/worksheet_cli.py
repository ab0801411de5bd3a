"""Printable worksheets (HTML and PNG, blank and key) and `python -m microgradnn worksheet`.

>>> import tempfile
>>> paths = write_worksheet(make_worksheet("chain", 1), tempfile.mkdtemp())
>>> sorted(p.name for p in paths)
['answers.txt', 'key.html', 'key.png', 'worksheet.html', 'worksheet.png']
"""

from __future__ import annotations

import argparse
import html
import io
import sys
from pathlib import Path

from microgradnn.exercises.feedback import show
from microgradnn.exercises.worksheet import LEVELS, grade, make_worksheet, parse_worksheet_id
from microgradnn.viz import to_dot

USAGE = """\
  worksheet levels                               the levels, one per line
  worksheet new [--level L] [--seed N] [--out D] worksheet.html/.png, key.html/.png, answers.txt
  worksheet grade ID ANSWERS [--reveal]          grade a typed answer file (text or JSON)
  worksheet quiz ID                              answer at the prompt, checked line by line
e.g.  worksheet new --level reused --seed 3   then   worksheet grade reused-3 answers.txt
"""


def _graph_dot(sheet, key: bool) -> str:
    if key:
        return to_dot(sheet.root, show_local_grads=True)
    return to_dot(sheet.root, show=())  # structure and names only: the numbers are the work


def _picture(dot: str, format: str) -> bytes | None:
    from microgradnn.viz import find_renderer
    from microgradnn.viz.renderers import RenderError, render_bytes

    if find_renderer() is None:
        return None
    try:
        return render_bytes(dot, format, dpi=110 if format == "png" else None)
    except RenderError:
        return None


def _rows(sheet, key: bool):
    forward = [
        (s.formula(), show(round(sheet.forward[s.name], 4)) if key else "") for s in sheet.steps
    ]
    backward = []
    for name in [s.name for s in reversed(sheet.steps)] + list(sheet.inputs):
        answer = show(round(sheet.backward[name], 4)) if key else ""
        backward.append((f"∂f/∂{name}", answer))
    return forward, backward


def worksheet_html(sheet, key: bool = False) -> str:
    """The worksheet (or its answer key) as one self-contained HTML page."""
    svg = _picture(_graph_dot(sheet, key), "svg")
    picture = svg.decode("utf-8") if svg else "<p><i>(install Graphviz to see the graph)</i></p>"
    forward, backward = _rows(sheet, key)

    def table(title, rows):
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td class='blank'>{html.escape(b)}</td></tr>"
            for a, b in rows
        )
        return f"<table><tr><th>{title}</th><th>value</th></tr>{body}</table>"

    inputs = ", ".join(f"{k} = {show(v)}" for k, v in sheet.inputs.items())
    title = f"Chain-rule worksheet {sheet.id}" + (" — answer key" if key else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}
table{{border-collapse:collapse;margin:1em 2em 1em 0;display:inline-table;vertical-align:top}}
td,th{{border:1px solid #555;padding:6px 14px;font-size:1.1em}} td.blank{{min-width:7em}}
@media print{{body{{margin:0}}}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Level <b>{sheet.level}</b>: {html.escape(LEVELS[sheet.level])}. Inputs: <b>{inputs}</b>.</p>
<p>Forward: compute each node from the inputs. Backward: start with ∂f/∂f = 1 and apply the
chain rule node by node; a node used twice gets the <b>sum</b> of its contributions.</p>
{picture}
{table("forward", forward)}{table("backward", backward)}
<p>Type your answers into <code>answers.txt</code> and run
<code>python -m microgradnn worksheet grade {sheet.id} answers.txt</code>.</p>
</body></html>
"""


def worksheet_png(sheet, key: bool = False) -> bytes:
    """The worksheet (or key) as a PNG: the graph above the forward and backward tables."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    graph = _picture(_graph_dot(sheet, key), "png")
    forward, backward = _rows(sheet, key)
    fig = plt.figure(figsize=(10, 8 if graph else 5))
    title = f"Chain-rule worksheet {sheet.id}" + (" (answer key)" if key else "")
    inputs = ", ".join(f"{k} = {show(v)}" for k, v in sheet.inputs.items())
    fig.suptitle(f"{title}\ninputs: {inputs}", fontsize=13)
    if graph:
        ax = fig.add_axes([0.02, 0.45, 0.96, 0.45])
        ax.imshow(plt.imread(io.BytesIO(graph)))
        ax.axis("off")
    for i, (name, rows) in enumerate((("forward", forward), ("backward", backward))):
        ax = fig.add_axes([0.05 + 0.48 * i, 0.03, 0.42, 0.38 if graph else 0.75])
        ax.axis("off")
        cells = [[a, b if b else " " * 12] for a, b in rows]
        table = ax.table(
            cellText=cells,
            colLabels=[name, "value"],
            loc="upper center",
            cellLoc="left",
            colWidths=[0.55, 0.45],
        )
        table.auto_set_font_size(False)
        table.set_fontsize(11)
        table.scale(1, 1.6)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def write_worksheet(sheet, folder) -> list[Path]:
    """Write worksheet.html/.png, key.html/.png and the blank answers.txt into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, key in (("worksheet", False), ("key", True)):
        page = folder / f"{stem}.html"
        page.write_text(worksheet_html(sheet, key), encoding="utf-8")
        image = folder / f"{stem}.png"
        image.write_bytes(worksheet_png(sheet, key))
        written += [page, image]
    answers = folder / "answers.txt"
    answers.write_text(sheet.template(), encoding="utf-8")
    return [*written, answers]


def worksheet_main(argv=None) -> int:
    """Entry point of ``python -m microgradnn worksheet``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m microgradnn worksheet",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Chain-rule worksheets to do by hand.",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("levels", help="list the levels")
    new = sub.add_parser("new", help="write a worksheet and its answer key")
    new.add_argument("--level", default="chain", choices=sorted(LEVELS))
    new.add_argument("--seed", type=int, default=0)
    new.add_argument("--out", default=None, help="folder (default worksheet-LEVEL-SEED)")
    check = sub.add_parser("grade", help="grade typed answers")
    check.add_argument("id", help="the worksheet id printed on it, e.g. reused-3")
    check.add_argument("answers", help="answer file (name = value lines, or JSON)")
    check.add_argument("--reveal", action="store_true", help="show the right values too")
    quiz = sub.add_parser("quiz", help="answer a worksheet line by line at the prompt")
    quiz.add_argument("id", help="e.g. reused-3")
    args = parser.parse_args(argv)
    if args.action == "levels":
        for level, text in LEVELS.items():
            print(f"{level:7} {text}")
        return 0
    if args.action == "quiz":
        return _quiz(args.id)
    if args.action == "new":
        sheet = make_worksheet(args.level, args.seed)
        folder = Path(args.out or f"worksheet-{sheet.id}")
        paths = write_worksheet(sheet, folder)
        print(f"worksheet {sheet.id}: wrote {', '.join(p.name for p in paths)} in {folder}")
        return 0
    try:
        parse_worksheet_id(args.id)
        text = Path(args.answers).read_text(encoding="utf-8")
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    feedback = grade(args.id, text, reveal=args.reveal)
    print(feedback.text())
    return 0 if feedback.passed else 1


def _quiz(worksheet_id: str) -> int:
    """Ask each forward value and gradient at the prompt; two tries per line, then the hint."""
    from microgradnn.exercises.worksheet import _hint

    try:
        sheet = make_worksheet(*parse_worksheet_id(worksheet_id))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    inputs = ", ".join(f"{k} = {show(v)}" for k, v in sheet.inputs.items())
    print(f"worksheet {sheet.id}: {LEVELS[sheet.level]}\ninputs: {inputs}")
    print("steps: " + "; ".join(step.formula() for step in sheet.steps))
    right = 0
    for key in sheet.answer_keys():
        want = sheet.expected(key)
        for attempt in range(2):
            try:
                answer = input(f"{key} = ").strip()
            except EOFError:
                print()
                return 1
            try:
                ok = abs(float(answer) - want) <= 6e-5 + 1e-4 * abs(want)
            except ValueError:
                ok = False
            if ok:
                right += 1
                print("  ✓")
                break
            print(
                f"  ✗ hint: {_hint(sheet, key)}"
                if attempt == 0
                else f"  ✗ it is {show(round(want, 4))}; on to the next one"
            )
    total = len(sheet.answer_keys())
    print(f"{right} of {total} right")
    return 0 if right == total else 1
