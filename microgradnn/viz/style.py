"""Colours and font sizes shared by every picture (one place to tune them for a projector).

Sizes are in points; pictures render at 144 dpi, so 14 pt text is 28 px high: readable on a
1920-px-wide projector image even when the picture is scaled to the screen.

>>> FONT_SIZE >= 14
True
"""

GRAPH_NAME = "microgradnn"
#: Op symbols as a maths book prints them (the engine's ASCII forms read like code).
PRETTY_SYMBOLS = {"*": "×", "/": "÷"}


def pretty_symbol(op) -> str:
    """The symbol an op is drawn with (``×`` for ``*``).

    >>> from microgradnn import Value
    >>> pretty_symbol((Value(1.0) * 2).op)
    '×'
    """
    display = str(op.display)
    return PRETTY_SYMBOLS.get(display, display)


# --- colours (Tailwind-like palette: soft fills, dark text) -------------------------------
LEAF_FILL = "#dbeafe"  # inputs and parameters
INNER_FILL = "#f3f4f6"  # intermediate results
ROOT_FILL = "#dcfce7"  # the output the picture is about
CONST_FILL = "#ffffff"
GRAD_FILL = "#fee2e2"
PENDING_FILL = "#f9fafb"  # a gradient not computed yet (backward frames)
HIGHLIGHT_FILL = "#fca5a5"
HIGHLIGHT_COLOR = "#dc2626"
BORDER_COLOR = "#6b7280"
OP_FILL = "#fef3c7"
OP_BORDER = "#b45309"
EDGE_COLOR = "#6b7280"
EDGE_TEXT = "#374151"
MUTED_TEXT = "#6b7280"

FONT = "Helvetica"
#: Text in boxes, operator symbols and edge labels: one size, so a formula reads as one line.
FONT_SIZE = 14
#: Secondary text (shapes, hints), still readable from the back of a room.
SMALL_FONT_SIZE = 12
TITLE_FONT_SIZE = 16
