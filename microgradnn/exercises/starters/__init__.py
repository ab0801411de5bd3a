"""Starter files: what a student fills in (never the solutions)."""
