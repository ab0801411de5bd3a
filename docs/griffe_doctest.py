"""A griffe extension for the API pages: doctest examples in docstrings become code blocks.

microgradnn's docstrings show their examples as plain ``>>>`` lines (so ``doctest`` runs
them); Markdown would read those as nested quotes. This wraps each example block in a
fenced ``pycon`` block before mkdocstrings renders the docstring.
"""

from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    """Wrap every run of ``>>>`` lines (with their output) in a pycon fence.

    >>> print(fence_doctests("Adds.\\n\\n>>> 1 + 1\\n2\\n\\nMore."))
    Adds.
    <BLANKLINE>
    ```pycon
    >>> 1 + 1
    2
    ```
    <BLANKLINE>
    More.
    """
    out, inside, fence_indent = [], False, ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if not inside and stripped.startswith(">>>"):
            fence_indent = line[: len(line) - len(stripped)]
            out.append(f"{fence_indent}```pycon")
            inside = True
        elif inside and not stripped:
            out.append(f"{fence_indent}```")
            inside = False
        out.append(line)
    if inside:
        out.append(f"{fence_indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the ``>>>`` examples of every docstring griffe loads."""

    def on_instance(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
