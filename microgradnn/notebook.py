"""Sliders in Jupyter: step through the backward pass one chain-rule step at a time.

``steps_slider(viz.draw_backward_steps(f, "steps"))`` shows the pictures of the steps with a
slider. With the ``widgets`` extra (``pip install "microgradnn[widgets]"``, ipywidgets) it
is a live widget; without it, the self-contained HTML page that ``draw_backward_steps``
wrote is shown inline (it has its own slider). Outside Jupyter it returns that page's path.

>>> from microgradnn import Value, viz
>>> import tempfile
>>> x = Value(2.0, label="x"); f = x * x; f.label = "f"; f.backward()
>>> steps = viz.draw_backward_steps(f, tempfile.mkdtemp())
>>> steps_slider(steps).name   # not in a notebook: the page to open
'backward.html'
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

__all__ = ["steps_slider"]


def _in_notebook() -> bool:
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _widget(steps):
    """An ipywidgets slider over the step pictures (PNG or SVG files)."""
    import ipywidgets as widgets

    frames = [Path(p).read_bytes() for p in steps.frames]
    picture_format = Path(steps.frames[0]).suffix.lstrip(".").replace("svg", "svg+xml")
    picture = widgets.Image(value=frames[0], format=picture_format)
    caption = widgets.Label(steps.captions[0] if steps.captions else "")
    slider = widgets.IntSlider(value=0, min=0, max=len(frames) - 1, description="step")

    def show(change):
        picture.value = frames[change["new"]]
        caption.value = steps.captions[change["new"]] if steps.captions else ""

    slider.observe(show, names="value")
    return widgets.VBox([widgets.HBox([slider, caption]), picture])


def steps_slider(steps):
    """Show the backward steps with a slider: a widget, else the HTML page, else its path.

    ``steps`` is what :func:`microgradnn.viz.draw_backward_steps` returns. See the module
    docstring for an example.
    """
    if not steps.frames:
        raise ValueError("no backward steps to show: draw_backward_steps wrote no pictures")
    if not _in_notebook():
        return steps.html
    try:
        return _widget(steps)
    except ImportError:  # no ipywidgets: the page's own slider, inline
        from IPython.display import HTML

        if steps.html is None:
            raise ValueError(
                "steps_slider needs ipywidgets (pip install ipywidgets) or the HTML page: "
                "call draw_backward_steps(..., html=True)"
            ) from None
        page = html.escape(Path(steps.html).read_text(encoding="utf-8"))
        return HTML(f'<iframe srcdoc="{page}" style="width:100%;height:32em;border:0"></iframe>')
