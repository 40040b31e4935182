"""A tracking number as trackguard stores and compares it: the one normaliser of the whole package."""

from __future__ import annotations


def normalize_number(raw: str) -> str:
    """Every whitespace character dropped, upper case: senders and sellers write one number many ways."""
    return "".join(raw.split()).upper()
