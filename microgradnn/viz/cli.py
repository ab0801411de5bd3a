"""``python -m microgradnn graph``: draw the graph of a formula typed on the command line.

Examples::

    python -m microgradnn graph "(x+y)*z" --values x=-2,y=5,z=-4 -o f.svg
    python -m microgradnn graph "q = x + y; f = q * z" --values x=-2,y=5,z=-4 --backward -o f.png
    python -m microgradnn graph "tanh(x*w + b)" --values x=1,w=0.5,b=0.1 --steps -o neuron.png
    python -m microgradnn graph "(x+y)*z" --values x=-2,y=5,z=-4 -o -      # DOT text to stdout

Exit codes: 0 success, 2 bad expression / values / options, 1 picture could not be drawn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microgradnn import expression as expr_lib
from microgradnn.viz import dot as dotlib
from microgradnn.viz import renderers

_PICTURE_SUFFIXES = ("svg", "png", "jpg", "jpeg")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m microgradnn graph",
        description="Draw the computation graph of a formula: values, and with --backward "
        "the gradients and the chain rule on every edge.",
        epilog="examples:" + __doc__.split("Examples::", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "expression",
        help='formula, e.g. "(x+y)*z" or "q = x + y; f = q * z" (names label the results); '
        f"functions: {', '.join(expr_lib.FUNCTIONS)}",
    )
    parser.add_argument(
        "--values",
        action="append",
        default=[],
        metavar="x=-2,y=5",
        help="input values (repeat the option or separate with commas)",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="graph.svg",
        help="picture to write: .svg (default graph.svg), .png, .jpg, or .dot for DOT text; "
        "'-' prints the DOT text",
    )
    parser.add_argument(
        "--backward", action="store_true", help="run backpropagation and show the gradients"
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="also write the backward pass step by step (PNG per step, GIF, HTML slider) "
        "into the folder <output name>_steps/",
    )
    parser.add_argument(
        "--no-local-grads",
        action="store_true",
        help="do not write the local derivatives (and chain-rule products) on the edges",
    )
    parser.add_argument(
        "--rankdir",
        default="auto",
        choices=dotlib.VALID_RANKDIR,
        help="layout direction (default auto: whichever fits a 16:9 slide better)",
    )
    parser.add_argument("--precision", type=int, default=4, help="significant digits")
    return parser


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def graph_main(argv=None) -> int:
    """Run the ``graph`` command with ``argv`` (without the word ``graph``); return exit code.

    >>> graph_main(["(x+y)*z", "--values", "x=-2,y=5,z=-4", "-o", "-"]) == 0  # doctest: +ELLIPSIS
    digraph microgradnn {
    ...
    True
    """
    args = _parser().parse_args(argv)
    if args.precision < 1:
        return _error("--precision must be at least 1")
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if args.output != "-" and suffix not in (*_PICTURE_SUFFIXES, "dot", "gv"):
        return _error(
            f"cannot tell the picture format from {args.output!r}: end it with .svg, .png, "
            ".jpg or .dot (or use -o - for DOT text on stdout)"
        )
    try:
        values = {}
        for chunk in args.values:
            for name, value in expr_lib.parse_values(chunk).items():
                if name in values:
                    raise ValueError(f"value for {name!r} is given twice")
                values[name] = value
        root = expr_lib.parse(args.expression).evaluate(values)
    except (SyntaxError, ValueError) as error:
        return _error(str(error))
    backward = args.backward or args.steps
    if backward and root.requires_grad:
        root.backward()
    _print_summary(root, backward, args.precision)
    options = {
        "rankdir": args.rankdir,
        "precision": args.precision,
        "show": ("data", "grad") if backward else ("data",),
        "show_local_grads": not args.no_local_grads,
    }
    code = _write_picture(root, args.output, options)
    if args.steps and code == 0:
        code = _write_steps(root, args.output, args.rankdir, args.precision)
    return code


def _print_summary(root, backward: bool, precision: int) -> None:
    name = root.label or "f"
    print(f"{name} = {dotlib.fmt(root.data, precision)}", file=sys.stderr)
    if not backward:
        return
    if not root.requires_grad:
        print("(no variables: nothing to differentiate)", file=sys.stderr)
        return
    leaves = [n for n in dotlib.collect_nodes(root) if n.op is None and n.requires_grad]
    for leaf in leaves:
        print(f"∂{name}/∂{leaf.label} = {dotlib.fmt(leaf.grad, precision)}", file=sys.stderr)


def _write_picture(root, output: str, options: dict) -> int:
    text = dotlib.to_dot(root, **options)
    if output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(output)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("dot", "gv"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
        return 0
    if suffix not in _PICTURE_SUFFIXES:
        return _error(
            f"cannot tell the picture format from {output!r}: end it with .svg, .png, .jpg or .dot"
        )
    try:
        from microgradnn.viz.picture import DEFAULT_DPI

        dpi = DEFAULT_DPI if suffix != "svg" else None
        renderers.render_file(text, path, format=suffix, dpi=dpi)
    except renderers.RendererNotFoundError as error:
        fallback = path.with_suffix(".dot")
        fallback.parent.mkdir(parents=True, exist_ok=True)
        fallback.write_text(text, encoding="utf-8")
        print(f"error: {error}\nwrote the DOT text to {fallback} instead", file=sys.stderr)
        return 1
    except renderers.RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _write_steps(root, output: str, rankdir: str, precision: int) -> int:
    from microgradnn.viz.frames import draw_backward_steps

    if not root.requires_grad:
        return _error("--steps needs at least one variable to differentiate")
    base = Path("graph" if output == "-" else output)
    folder = base.with_name(f"{base.stem}_steps")
    try:
        result = draw_backward_steps(root, folder, rankdir=rankdir, precision=precision)
    except (renderers.RendererNotFoundError, renderers.RenderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(result.frames)} steps to {folder}/", file=sys.stderr)
    for extra in (result.gif, result.html):
        if extra is not None:
            print(f"wrote {extra}", file=sys.stderr)
    return 0
