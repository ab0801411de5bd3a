"""Convolution layers and functions (filled in by the CNN work)."""

__all__: list[str] = []
