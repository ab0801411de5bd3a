"""Recurrent layers (filled in by the RNN work)."""

__all__: list[str] = []
