"""Backpropagation one node at a time: a picture per step of the chain rule.

:func:`backward_frames` replays the backward pass without touching any ``.grad``: it starts
at the output (d(out)/d(out) = 1) and visits the nodes breadth first from the output, a node
only once every node that uses it is done (so its gradient is final). Each frame highlights
the node whose gradient was just completed, shows the gradients known so far, and writes the
chain-rule sum that produced it. For the lecture's f = (x + y) z the frames read
∂f/∂f = 1, ∂f/∂q = -4, ∂f/∂z = 3, ∂f/∂x = -4, ∂f/∂y = -4.

:func:`draw_backward_steps` writes one picture per frame plus an animated GIF (Pillow) and a
self-contained HTML page with a slider.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from microgradnn import engine
from microgradnn.engine import Node
from microgradnn.viz import dot as dotlib
from microgradnn.viz import graph as graphlib
from microgradnn.viz import renderers
from microgradnn.viz.text import data_text, fmt, is_tensor, paren


@dataclass
class BackwardFrame:
    """One step of the backward pass.

    Attributes:
        step: 0 for the output, then 1, 2, ... in the order gradients become final.
        node: the node whose gradient is completed in this step.
        name: its name in the picture (label, or ``v3`` style for unnamed nodes).
        grad: its gradient d(output)/d(node) (a float, or an array for tensors).
        caption: the chain rule that produced it, e.g. ``∂f/∂x = ∂f/∂q · ∂q/∂x = (-4) · 1 = -4``.
        dot: DOT text of the picture for this step.
    """

    step: int
    node: Node = field(repr=False)
    name: str
    grad: object
    caption: str
    dot: str = field(repr=False)

    def draw(self):
        """This frame as a :class:`~microgradnn.viz.picture.GraphPicture` (Jupyter shows it)."""
        from microgradnn.viz.picture import GraphPicture

        return GraphPicture.from_dot(self.dot)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return self.draw()._repr_mimebundle_(include, exclude, **kwargs)


@dataclass
class Step:
    """One node's gradient and the chain-rule terms it is the sum of (one per consumer)."""

    node: Node
    grad: object
    terms: list  # (child, local derivative or None, child grad, share)


def seed_of(root: Node, grad):
    """The gradient the backward pass starts from (1 for a scalar output), checked."""
    if not isinstance(root, Node):
        raise TypeError(f"backward_frames needs a Value or Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(
            "this result does not depend on anything that needs a gradient, so there is no "
            "backward pass to show (create inputs with requires_grad=True)"
        )
    return root._seed_gradient(grad)


def replay_backward(root: Node, seed) -> list[Step]:
    """The backward pass in "breadth first from the output" order, without side effects.

    The gradients come from the engine's public :func:`microgradnn.grad` (which never
    touches ``.grad``); this function only decides the order in which a teacher shows
    them (a node once every node that uses it is done) and collects, for each node, the
    chain-rule terms its gradient is the sum of.
    """
    nodes = [n for n in graphlib.collect_nodes(root) if n.requires_grad]
    final = dict(zip(map(id, nodes), engine.grad(root, nodes, grad_outputs=seed)))
    waiting: dict[int, int] = {}  # consumers whose gradient is not shown yet
    users: dict[int, list[tuple[Node, int]]] = {}
    for node in nodes:
        for position, parent in enumerate(node.parents):
            if parent.requires_grad:
                waiting[id(parent)] = waiting.get(id(parent), 0) + 1
                users.setdefault(id(parent), []).append((node, position))
    shares_of: dict[int, list] = {}
    steps: list[Step] = []
    queue = deque([root])
    while queue:
        node = queue.popleft()
        terms = []
        for child, position in users.get(id(node), []):
            local = None if is_tensor(child) else graphlib.local_derivatives(child)[position]
            terms.append((child, local, final[id(child)], shares_of[id(child)][position]))
        steps.append(Step(node, final[id(node)], terms))
        if node.is_leaf:
            continue
        shares_of[id(node)] = graphlib.gradient_shares(node, final[id(node)])
        for parent in node.parents:
            if parent.requires_grad:
                waiting[id(parent)] -= 1
                if waiting[id(parent)] == 0:
                    queue.append(parent)
    return steps


def _caption(step: Step, name_of, root_name: str, precision: int) -> str:
    name = name_of(step.node)
    if not step.terms:
        grad = step.grad
        shown = data_text(grad, precision)
        return f"∂{root_name}/∂{root_name} = {shown}  (the start: the output's own gradient)"
    total = data_text(step.grad, precision)
    if isinstance(step.grad, (np.ndarray, np.generic)) or is_tensor(step.node):
        parts = " + ".join(
            f"(from {name_of(child)})" for child, _local, _child_grad, _share in step.terms
        )
        return f"∂{root_name}/∂{name} = {parts} = {total}"
    symbols = " + ".join(
        f"∂{root_name}/∂{name_of(child)} · ∂{name_of(child)}/∂{name}" for child, *_ in step.terms
    )
    numbers = " + ".join(
        f"{paren(fmt(child_grad, precision))} · "
        f"{paren(fmt(local, precision) if local is not None else '?')}"
        for _child, local, child_grad, _share in step.terms
    )
    return f"∂{root_name}/∂{name} = {symbols} = {numbers} = {total}"


def backward_frames(
    root: Node,
    *,
    grad=None,
    rankdir: str = "auto",
    show_local_grads: bool = True,
    precision: int = 4,
    max_nodes: int | None = None,
    max_steps: int = 300,
) -> list[BackwardFrame]:
    """The backward pass of ``root`` as a list of frames, one per node, output first.

    Nothing is modified: no ``.grad`` changes. ``grad`` is the upstream gradient for a
    non-scalar tensor output (as in ``backward``). One picture per node is meant for small
    graphs: more than ``max_steps`` steps raise a ``ValueError`` (raise the limit if you
    really want thousands of pictures).

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y; q.label = "q"
    >>> f = q * z; f.label = "f"
    >>> [(frame.name, frame.grad) for frame in backward_frames(f)]
    [('f', 1.0), ('q', -4.0), ('z', 3.0), ('x', -4.0), ('y', -4.0)]
    """
    seed = seed_of(root, grad)
    dotlib.check_options(rankdir, ("data", "grad"), precision, max_nodes)
    steps = replay_backward(root, seed)
    if len(steps) > max_steps:
        raise ValueError(
            f"this graph has {len(steps)} nodes that need a gradient, so the backward pass "
            f"would take {len(steps)} pictures (max_steps={max_steps}); draw a smaller "
            "expression, or pass max_steps=... to allow more"
        )
    final = {id(s.node): s.grad for s in steps}
    options = dotlib.Options(
        rankdir, ("data", "grad"), show_local_grads, precision, max_nodes, set()
    )
    names = dotlib.DotBuilder(root, options)  # only for names shared by all frames
    rankdir = names.rankdir  # chosen once: every frame has the same layout
    captions = [_caption(s, names.name_of, names.root_name, precision) for s in steps]
    total = len(steps)
    titles = [f"Backward step {i} of {total - 1}:  {c}" for i, c in enumerate(captions)]
    widest = max(titles, key=len)
    frames = []
    known: dict[int, object] = {}
    for i, step in enumerate(steps):
        known[id(step.node)] = step.grad
        focus = {(id(step.node), id(child)) for child, *_ in step.terms}
        frame_options = dotlib.Options(
            rankdir, ("data", "grad"), show_local_grads, precision, max_nodes, {id(step.node)}
        )
        frame_options.grads = dotlib.GradView(dict(known), final, focus)
        frame_options.title = titles[i]
        frame_options.title_spacer = widest
        dot = "".join(dotlib.DotBuilder(root, frame_options).lines())
        frames.append(
            BackwardFrame(i, step.node, names.name_of(step.node), step.grad, captions[i], dot)
        )
    return frames


# =========================================================================================
# Files: one picture per step, a GIF, an HTML page with a slider
# =========================================================================================
@dataclass
class BackwardSteps:
    """What :func:`draw_backward_steps` wrote."""

    frames: list[Path]
    gif: Path | None
    html: Path | None
    captions: list[str]


def draw_backward_steps(
    root: Node,
    out_dir,
    format: str = "png",
    gif: bool = True,
    html: bool = True,
    *,
    seconds_per_step: float = 1.6,
    **options,
) -> BackwardSteps:
    """Write the backward pass of ``root`` as pictures: ``step_00.png``, ``step_01.png``, ...

    Also writes ``backward.gif`` (an animation; needs Pillow) and ``backward.html`` (a
    self-contained page with a slider) when asked. ``options`` go to :func:`backward_frames`.

    >>> from microgradnn import Value
    >>> import tempfile
    >>> from microgradnn.viz import find_renderer
    >>> x = Value(3.0, label="x"); f = x * x; f.label = "f"
    >>> find_renderer() is None or len(draw_backward_steps(f, tempfile.mkdtemp()).frames) == 2
    True
    """
    format = renderers.check_format(format)
    frames = backward_frames(root, **options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(frames) - 1)))
    paths = []
    for frame in frames:
        path = out_dir / f"step_{frame.step:0{digits}d}.{format}"
        paths.append(renderers.render_file(frame.dot, path, format=format, dpi=_dpi(format)))
    gif_path = _write_gif(frames, paths, format, out_dir, seconds_per_step) if gif else None
    html_path = _write_html(frames, paths, out_dir, seconds_per_step) if html else None
    return BackwardSteps(paths, gif_path, html_path, [f.caption for f in frames])


def _dpi(format: str) -> int | None:
    from microgradnn.viz.picture import DEFAULT_DPI

    return DEFAULT_DPI if format in ("png", "jpg", "jpeg") else None


def _write_gif(frames, paths, format, out_dir: Path, seconds: float) -> Path | None:
    try:
        from PIL import Image
    except ImportError:
        warnings.warn(
            "Pillow is not installed, so no GIF was written (pip install pillow)", stacklevel=3
        )
        return None
    import io

    images = []
    for frame, path in zip(frames, paths):
        data = (
            path.read_bytes()
            if format == "png"
            else renderers.render_bytes(frame.dot, "png", dpi=_dpi("png"))
        )
        images.append(Image.open(io.BytesIO(data)).convert("RGB"))
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    canvas = []
    for im in images:  # frames have the same layout; pad in case a renderer differs by a pixel
        page = Image.new("RGB", (width, height), "white")
        page.paste(im, (0, 0))
        canvas.append(page.convert("P", palette=Image.Palette.ADAPTIVE, colors=255))
    durations = [int(seconds * 1000)] * len(canvas)
    durations[-1] *= 2  # linger on the finished picture
    gif_path = out_dir / "backward.gif"
    canvas[0].save(gif_path, save_all=True, append_images=canvas[1:], duration=durations, loop=0)
    return gif_path


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Backpropagation step by step</title>
<style>
 body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }}
 #controls {{ display: flex; gap: .6em; align-items: center; margin-bottom: .8em; }}
 #slider {{ width: 22em; }}
 #caption {{ font-size: 1.1em; margin: .4em 0 1em; min-height: 1.4em; }}
 img {{ max-width: 100%; border: 1px solid #e5e7eb; }}
</style></head><body>
<h2>Backpropagation, one node at a time</h2>
<div id="controls">
 <button id="prev" title="previous step (left arrow)">&#9664;</button>
 <input id="slider" type="range" min="0" max="{last}" value="0">
 <button id="next" title="next step (right arrow)">&#9654;</button>
 <button id="play">play</button>
 <span id="counter"></span>
</div>
<div id="caption"></div>
<img id="frame" alt="computation graph at this backward step">
<script>
const frames = {frames};
const captions = {captions};
const slider = document.getElementById("slider");
let timer = null;
function show(i) {{
  i = Math.max(0, Math.min(frames.length - 1, i));
  slider.value = i;
  document.getElementById("frame").src = frames[i];
  document.getElementById("caption").textContent = captions[i];
  document.getElementById("counter").textContent = "step " + i + " of " + (frames.length - 1);
}}
slider.oninput = () => show(Number(slider.value));
document.getElementById("prev").onclick = () => show(Number(slider.value) - 1);
document.getElementById("next").onclick = () => show(Number(slider.value) + 1);
document.getElementById("play").onclick = () => {{
  if (timer) {{ clearInterval(timer); timer = null; return; }}
  if (Number(slider.value) === frames.length - 1) show(0);
  timer = setInterval(() => {{
    if (Number(slider.value) >= frames.length - 1) {{ clearInterval(timer); timer = null; return; }}
    show(Number(slider.value) + 1);
  }}, {milliseconds});
}};
document.addEventListener("keydown", (e) => {{
  if (e.key === "ArrowLeft") show(Number(slider.value) - 1);
  if (e.key === "ArrowRight") show(Number(slider.value) + 1);
}});
show(0);
</script></body></html>
"""


def _data_uri(path: Path) -> str:
    kind = {"svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
    mime = kind.get(path.suffix.lstrip(".").lower(), "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _json_for_script(value) -> str:
    # "</" inside a <script> would end it early; escaping the slash keeps the page intact.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _write_html(frames, paths, out_dir: Path, seconds: float) -> Path:
    page = _HTML_PAGE.format(
        last=len(frames) - 1,
        frames=_json_for_script([_data_uri(p) for p in paths]),
        captions=_json_for_script([f"Step {f.step}: {f.caption}" for f in frames]),
        milliseconds=int(seconds * 1000),
    )
    html_path = out_dir / "backward.html"
    html_path.write_text(page, encoding="utf-8")
    return html_path


__all__ = ["BackwardFrame", "BackwardSteps", "backward_frames", "draw_backward_steps"]
