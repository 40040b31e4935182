"""Tracking-number intelligence: which carrier formats a number fits, and what sellers declared."""

from trackguard.tracking.carriers import UNDECLARED, resolve_carrier

__all__ = ["UNDECLARED", "resolve_carrier"]
