"""The six check-digit algorithms of the tracking-number formats. Each answers: does `check` fit `serial`?"""

from __future__ import annotations

from collections.abc import Sequence

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _mod10_values(chars: str) -> list[int]:
    """A digit is itself; a letter counts as (ord - 3) % 10, the dataset's rule for UPS serials."""
    if chars.isdigit():
        return list(map(int, chars))
    return [int(char) if char.isdigit() else (ord(char) - 3) % 10 for char in chars]


def mod10_check_digit(serial: str, evens_multiplier: int, odds_multiplier: int, reverse: bool = False) -> int:
    """Weighted sum mod 10 where position 0 is even; products are not digit-summed (this is not Luhn)."""
    values = _mod10_values(serial[::-1] if reverse else serial)
    total = evens_multiplier * sum(values[0::2]) + odds_multiplier * sum(values[1::2])
    return (10 - total % 10) % 10


def mod10(
    serial: str, check: str, evens_multiplier: int, odds_multiplier: int, reverse: bool = False
) -> bool:
    return mod10_check_digit(serial, evens_multiplier, odds_multiplier, reverse) == int(check)


def luhn_check_digit(serial: str) -> int:
    doubled = [2 * int(char) for char in serial[::-2]]
    total = sum(value - 9 if value > 9 else value for value in doubled) + sum(map(int, serial[-2::-2]))
    return (10 - total % 10) % 10


def luhn(serial: str, check: str) -> bool:
    return luhn_check_digit(serial) == int(check)


def mod7(serial: str, check: str) -> bool:
    return int(serial) % 7 == int(check)


def s10_check_digit(serial: str) -> int:
    remainder = sum(int(char) * weight for char, weight in zip(serial, S10_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 5
    if remainder == 1:
        return 0
    return 11 - remainder


def s10(serial: str, check: str) -> bool:
    return s10_check_digit(serial) == int(check)


def weighted_check_digit(serial: str, weights: Sequence[int], modulo1: int, modulo2: int) -> int:
    return sum(int(char) * weight for char, weight in zip(serial, weights, strict=True)) % modulo1 % modulo2


def weighted(serial: str, check: str, weights: Sequence[int], modulo1: int, modulo2: int) -> bool:
    """FedEx's sum of products with repeating weights, then two moduli."""
    return weighted_check_digit(serial, weights, modulo1, modulo2) == int(check)


def mod37_36_check_char(serial: str) -> str:
    """ISO/IEC 7064 MOD 37,36 hybrid over 0-9A-Z."""
    product = 36
    for char in serial:
        total = (product + _ALPHANUMERIC.index(char)) % 36 or 36
        product = total * 2 % 37
    return _ALPHANUMERIC[(37 - product) % 36]


def mod37_36(serial: str, check: str) -> bool:
    return mod37_36_check_char(serial) == check
