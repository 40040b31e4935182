"""Text from senders made inert before a seller reads it: in a spreadsheet, a browser or a mail client.

Order ids, tracking numbers and carriers' descriptions arrive from outside. Shown to a seller, a NUL,
another control character or a bidi override (which makes ``exe.txt`` read as ``txt.exe``) must not
reach them, and a CSV cell must never be read as a formula, whichever separator the seller's spreadsheet
splits on: Excel in a semicolon locale splits ``x;=1+2`` into ``x`` and a formula ``=1+2``. So every
part of a cell that starts after a separator (``,`` ``;`` ``|``, tab or line break), as well as the cell
itself, gets a leading ``'`` when it starts with a formula character.
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and line feed, DEL, C1 controls
    "\u061c\u200e\u200f"  # the Arabic letter mark and the LTR/RTL marks
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2066-\u2069"  # bidi isolates
    "]"
)
_LINE_BREAKS = re.compile("[\t\n]+")
CELL_SEPARATORS = frozenset(",;|\t\r\n")
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")  # with their full-width forms


def inert_text(text: str) -> str:
    """The text without control characters (tab and line feed stay) and without bidi controls."""
    return _INVISIBLE.sub("", text)


def inert_line(text: str) -> str:
    """One line of inert text (an e-mail subject): tabs and line feeds become spaces."""
    return _LINE_BREAKS.sub(" ", inert_text(text))


def inert_cell(text: str) -> str:
    """A CSV cell no spreadsheet reads as a formula, in any locale: see the module's docstring."""
    cell: list[str] = []
    part_starts = True
    for character in inert_text(text):
        if part_starts and character in FORMULA_STARTS:
            cell.append("'")
        cell.append(character)
        part_starts = character in CELL_SEPARATORS or (part_starts and character == " ")
    return "".join(cell)
