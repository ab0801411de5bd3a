"""Broken-engine lab C (see bank/_lab.py)."""

from microgradnn.exercises.bank._lab import make_exercise

EXERCISE = make_exercise("C")
