"""Find a program that turns DOT text into pictures, and run it.

Order of preference:

1. ``$MICROGRADNN_DOT`` if set (a command name or a path), for users who want a specific one;
2. Graphviz's ``dot`` when it is on PATH (system packages: apt, brew, conda);
3. ``graphviz-pure``, the pure-Rust port installed by ``pip install graphviz-pure`` (a core
   dependency of microgradnn, so a fresh ``pip install microgradnn`` can render pictures
   without system packages).

When none is found, rendering raises :class:`RendererNotFoundError` with install hints
instead of a subprocess traceback. Producing DOT text never needs a renderer.

>>> find_renderer() is None or find_renderer().command != ""
True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "install a Graphviz renderer: `pip install graphviz-pure` (no system packages needed), "
    "or Graphviz itself: `sudo apt install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS), `conda install -c conda-forge graphviz`"
)
#: Output formats every supported renderer writes.
FORMATS = ("svg", "png", "jpg", "jpeg", "dot", "json", "plain")
#: Seconds a renderer may take before we stop it. Pictures are summarized above a few hundred
#: nodes, so a normal picture takes a second or two; only ``summarize=False`` on a huge graph
#: gets near this. Override with the environment variable ``MICROGRADNN_RENDER_TIMEOUT``.
TIMEOUT_SECONDS = 30.0
#: Largest side of PNG/JPEG pictures, in inches (8640 pixels at 144 dpi).
MAX_BITMAP_INCHES = 60


class RendererNotFoundError(RuntimeError):
    """No program to lay out and draw graphs was found (``dot`` or ``graphviz-pure``)."""


class RenderError(RuntimeError):
    """The renderer ran but failed (its error message is included)."""


@dataclass(frozen=True)
class Renderer:
    """A found layout program: ``command`` is the full path, ``name`` what it is."""

    name: str
    command: str

    def run(self, dot_source: str, format: str = "svg", *, dpi: int | None = None) -> bytes:
        """Lay out ``dot_source`` and return the picture's bytes in ``format``.

        >>> r = find_renderer()
        >>> r is None or r.run("digraph { a -> b }", "svg").startswith(b"<?xml")
        True
        """
        format = check_format(format)
        args = [self.command, f"-T{format}"]
        if format in ("png", "jpg", "jpeg"):
            # Bitmaps of huge graphs can reach 10^8 pixels and take minutes: scale them down
            # to at most MAX_BITMAP_INCHES a side (a graph's own size attribute still wins).
            if "size=" not in dot_source:  # a -G option would override the graph's own size
                args.append(f"-Gsize={MAX_BITMAP_INCHES},{MAX_BITMAP_INCHES}")
            if dpi is not None:
                args.append(f"-Gdpi={int(dpi)}")
        try:
            done = subprocess.run(
                args,
                input=dot_source.encode("utf-8"),
                capture_output=True,
                timeout=_timeout(),
                check=False,
            )
        except FileNotFoundError:
            raise RendererNotFoundError(
                f"the renderer {self.command!r} disappeared; {INSTALL_HINT}"
            ) from None
        except subprocess.TimeoutExpired:
            raise RenderError(
                f"{self.name} took more than {_timeout():g} s to lay out this graph "
                f"({dot_source.count(chr(10)):,} DOT lines), so it was stopped: the graph is too "
                "big to draw in full. Draw a summary instead (viz.draw(root) does so by default, "
                "summarize=True forces it), or only the part near the output (max_nodes=50)"
            ) from None
        if done.returncode != 0 or not done.stdout:
            message = _clean_messages(done.stderr)
            raise RenderError(
                f"{self.name} could not render the graph (exit code {done.returncode}): {message}"
            )
        return done.stdout


def _timeout() -> float:
    """The render timeout in seconds (``MICROGRADNN_RENDER_TIMEOUT`` or the default)."""
    text = os.environ.get("MICROGRADNN_RENDER_TIMEOUT")
    try:
        return float(text) if text else TIMEOUT_SECONDS
    except ValueError:
        return TIMEOUT_SECONDS


def _clean_messages(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").splitlines()
    useful = [line for line in lines if line.strip() and "no value for width" not in line]
    return " | ".join(useful[:5]) or "no error message"


def check_format(format: str) -> str:
    """Lower-case ``format`` and check that renderers support it.

    >>> check_format(".PNG")
    'png'
    """
    format = str(format).lower().lstrip(".")
    if format not in FORMATS:
        raise ValueError(
            f"cannot render to {format!r}; supported formats: {', '.join(FORMATS)} "
            "(PDF is not supported by graphviz-pure: render SVG and convert it)"
        )
    return format


def _search_path() -> str:
    """PATH plus the folder of this Python (a venv's bin when it is not activated)."""
    here = str(Path(sys.executable).parent)
    return os.pathsep.join(p for p in (os.environ.get("PATH", ""), here) if p)


def find_renderer() -> Renderer | None:
    """The renderer pictures will use, or None when none is installed.

    >>> r = find_renderer()
    >>> r is None or r.name in ("dot", "graphviz-pure", "custom")
    True
    """
    path = _search_path()
    custom = os.environ.get("MICROGRADNN_DOT")
    if custom:
        found = shutil.which(custom, path=path)
        if found:
            return Renderer("custom", found)
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name, path=path)
        if found:
            return Renderer(name, found)
    return None


def require_renderer() -> Renderer:
    """Like :func:`find_renderer` but raises :class:`RendererNotFoundError` with install hints.

    >>> find_renderer() is None or require_renderer() == find_renderer()
    True
    """
    renderer = find_renderer()
    if renderer is None:
        raise RendererNotFoundError(f"no program to draw graphs was found; {INSTALL_HINT}")
    return renderer


def render_bytes(dot_source: str, format: str = "svg", *, dpi: int | None = None) -> bytes:
    """Lay out DOT text with the best available renderer and return the bytes.

    >>> find_renderer() is None or render_bytes("digraph { a }", "png")[:4] == b"\\x89PNG"
    True
    """
    return require_renderer().run(dot_source, format, dpi=dpi)


def render_file(dot_source: str, path, *, format: str | None = None, dpi: int | None = None):
    """Write a picture of ``dot_source`` to ``path`` (format from the suffix by default).

    Returns the :class:`pathlib.Path` written. ``.dot``/``.gv`` writes the DOT text itself.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> render_file("digraph { a -> b }", folder / "ab.dot").name
    'ab.dot'
    """
    path = Path(path)
    suffix = (format or path.suffix.lstrip(".") or "svg").lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in ("dot", "gv"):
        path.write_text(dot_source, encoding="utf-8")
        return path
    path.write_bytes(render_bytes(dot_source, suffix, dpi=dpi))
    return path
