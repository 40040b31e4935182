"""The six check-digit algorithms of the tracking-number formats. Each answers: does `check` fit `serial`?

They run for every candidate format of every number judged, so each turns its serial into a bytes object
of digit values with one ``bytes.translate`` and sums or weights those in C (``sum`` over bytes, ``map``
with ``operator.mul``) instead of converting character by character in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _value_table(values: dict[str, int]) -> bytes:
    """A ``bytes.translate`` table: each ASCII character in ``values`` becomes its value, others stay."""
    table = bytearray(range(256))
    for char, value in values.items():
        table[ord(char)] = value
    return bytes(table)


_DIGIT_VALUES = {digit: int(digit) for digit in "0123456789"}
# A letter counts as (ord - 3) % 10 in a mod-10 serial: the dataset's rule for UPS serials.
_MOD10_VALUES = _value_table({**_DIGIT_VALUES, **{c: (ord(c) - 3) % 10 for c in _ALPHANUMERIC[10:]}})
_DIGITS = _value_table(_DIGIT_VALUES)
_LUHN_DOUBLED = _value_table({digit: sum(divmod(2 * value, 10)) for digit, value in _DIGIT_VALUES.items()})


def _values(serial: str, table: bytes) -> bytes:
    """The serial's values; a format's ``\\d`` also admits other scripts' digits, read as their value."""
    if not serial.isascii():
        serial = "".join(str(int(char)) if char.isdecimal() else char for char in serial)
    return serial.encode("ascii").translate(table)


def mod10_check_digit(serial: str, evens_multiplier: int, odds_multiplier: int, reverse: bool = False) -> int:
    """Weighted sum mod 10 where position 0 is even; products are not digit-summed (this is not Luhn)."""
    values = _values(serial[::-1] if reverse else serial, _MOD10_VALUES)
    total = evens_multiplier * sum(values[0::2]) + odds_multiplier * sum(values[1::2])
    return (10 - total % 10) % 10


def mod10(
    serial: str, check: str, evens_multiplier: int, odds_multiplier: int, reverse: bool = False
) -> bool:
    return mod10_check_digit(serial, evens_multiplier, odds_multiplier, reverse) == int(check)


def luhn_check_digit(serial: str) -> int:
    """Every second digit from the right doubled, its digits summed (a table lookup), plus the rest."""
    total = sum(_values(serial[::-2], _LUHN_DOUBLED)) + sum(_values(serial[-2::-2], _DIGITS))
    return (10 - total % 10) % 10


def luhn(serial: str, check: str) -> bool:
    return luhn_check_digit(serial) == int(check)


def mod7(serial: str, check: str) -> bool:
    return int(serial) % 7 == int(check)


def s10_check_digit(serial: str) -> int:
    remainder = _weighted_sum(serial, S10_WEIGHTS) % 11
    if remainder == 0:
        return 5
    if remainder == 1:
        return 0
    return 11 - remainder


def s10(serial: str, check: str) -> bool:
    return s10_check_digit(serial) == int(check)


def weighted_check_digit(serial: str, weights: Sequence[int], modulo1: int, modulo2: int) -> int:
    return _weighted_sum(serial, weights) % modulo1 % modulo2


def weighted(serial: str, check: str, weights: Sequence[int], modulo1: int, modulo2: int) -> bool:
    """FedEx's sum of products with repeating weights, then two moduli."""
    return weighted_check_digit(serial, weights, modulo1, modulo2) == int(check)


def _weighted_sum(serial: str, weights: Sequence[int]) -> int:
    if len(serial) != len(weights):
        raise ValueError(f"{len(serial)} digits against {len(weights)} weights")
    total: int = sum(map(mul, _values(serial, _DIGITS), weights))
    return total


def mod37_36_check_char(serial: str) -> str:
    """ISO/IEC 7064 MOD 37,36 hybrid over 0-9A-Z."""
    product = 36
    for char in serial:
        total = (product + _ALPHANUMERIC.index(char)) % 36 or 36
        product = total * 2 % 37
    return _ALPHANUMERIC[(37 - product) % 36]


def mod37_36(serial: str, check: str) -> bool:
    return mod37_36_check_char(serial) == check
