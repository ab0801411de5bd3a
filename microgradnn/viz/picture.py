"""``GraphPicture``: a ``graphviz.Digraph`` that renders with the renderer we found.

The ``graphviz`` Python package always runs a program called ``dot``. When only
``graphviz-pure`` is installed (``pip install microgradnn`` gives you that), its ``pipe``,
``render`` and Jupyter display would fail. This subclass routes them through
:mod:`microgradnn.viz.renderers` instead, and everything else (``.source``, ``.save()``,
``.body``, ``.attr()``) is plain ``graphviz``.
"""

from __future__ import annotations

import os
from pathlib import Path

import graphviz

from microgradnn.viz import renderers

#: Resolution of PNG/JPEG pictures (Graphviz's default of 96 looks blurry on modern screens).
DEFAULT_DPI = 144
_IMAGE_SUFFIXES = {"svg", "png", "jpg", "jpeg"}


class GraphPicture(graphviz.Digraph):
    """A Graphviz digraph that knows how to draw itself without a system Graphviz.

    ``render("f.svg")`` writes the picture to ``f.svg`` (the suffix picks the format).
    In Jupyter the picture is shown inline as SVG.

    >>> from microgradnn import Value
    >>> from microgradnn.viz import draw
    >>> picture = draw(Value(1.0, label="x") * 2)
    >>> isinstance(picture, graphviz.Digraph)
    True
    """

    @classmethod
    def from_dot(cls, dot_source: str) -> GraphPicture:
        """Wrap DOT text produced by :func:`microgradnn.viz.to_dot` (``digraph name {...}``)."""
        header, _, rest = dot_source.partition("{\n")
        name = header.split()[1] if len(header.split()) > 1 else None
        body = rest.rstrip()
        if body.endswith("}"):
            body = body[:-1]
        picture = cls(name=name, format="svg")
        picture.body.extend(line + "\n" for line in body.splitlines() if line.strip())
        return picture

    # --- rendering through our renderer -----------------------------------------------------
    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op=None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ):
        """Return the rendered picture as bytes (or text when ``encoding`` is given).

        >>> from microgradnn.viz import find_renderer, draw
        >>> from microgradnn import Value
        >>> find_renderer() is None or draw(Value(1.0)).pipe("svg")[:5] == b"<?xml"
        True
        """
        format = format or self.format or "svg"
        dpi = DEFAULT_DPI if format in ("png", "jpg", "jpeg") else None
        data = renderers.render_bytes(self.source, format, dpi=dpi)
        return data.decode(encoding) if encoding else data

    def render(
        self,
        filename=None,
        directory=None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op=None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile=None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """Draw the picture to a file and return its path.

        ``render("f.svg")`` or ``render("f.png")`` writes exactly that file (the suffix picks
        the format). ``render("f", format="png")`` writes ``f.png``. Like ``graphviz``,
        ``outfile=`` is accepted too. The DOT source is written next to it only when
        ``cleanup`` is False and ``filename`` has no picture suffix (``graphviz``'s habit).
        """
        target = outfile if outfile is not None else filename
        if target is None:
            target = self.filename  # graphviz default: "<name>.gv"
        target = Path(directory or "", os.fspath(target))
        suffix = target.suffix.lower().lstrip(".")
        if format is None and suffix in _IMAGE_SUFFIXES:
            format = suffix
            output = target
        else:
            format = renderers.check_format(format or self.format or "svg")
            output = target if suffix == format else target.with_name(f"{target.name}.{format}")
            if not cleanup:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(self.source, encoding="utf-8")
        if raise_if_result_exists and output.exists():
            raise FileExistsError(f"{output} already exists (raise_if_result_exists=True)")
        dpi = DEFAULT_DPI if format in ("png", "jpg", "jpeg") else None
        renderers.render_file(self.source, output, format=format, dpi=dpi)
        if view or quiet_view:
            self._view(os.fspath(output), format=format, quiet=quiet_view)
        return os.fspath(output)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Jupyter display: SVG, or a readable message (not a traceback) without a renderer."""
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except renderers.RendererNotFoundError as error:
            return {
                "text/plain": f"{error}\n\nDOT source (paste into any Graphviz viewer):\n"
                f"{self.source}"
            }

    def save_png(self, path, dpi: int = DEFAULT_DPI) -> Path:
        """Write a PNG picture to ``path`` and return it (convenience for scripts)."""
        return renderers.render_file(self.source, Path(path), format="png", dpi=dpi)

    def save_svg(self, path) -> Path:
        """Write an SVG picture to ``path`` and return it: sharp at any size, for slides.

        >>> import tempfile, pathlib
        >>> from microgradnn import Value
        >>> from microgradnn.viz import draw, find_renderer
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> find_renderer() is None or draw(Value(1.0)).save_svg(folder / "x.svg").exists()
        True
        """
        return renderers.render_file(self.source, Path(path), format="svg")
