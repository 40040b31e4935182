"""The check-digit algorithms against their definitions, written out digit by digit.

The module computes them on bytes in C for speed; these references say what each algorithm is, so any
serial on which the two disagree is a bug in the fast version.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trackguard.tracking.checksums import (
    S10_WEIGHTS,
    luhn_check_digit,
    mod10_check_digit,
    s10_check_digit,
    weighted_check_digit,
)
from trackguard.tracking.formats import FEDEX_317, identify

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=40)
UPS_SERIALS = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=15, max_size=15)


def reference_mod10(serial: str, evens: int, odds: int) -> int:
    values = [int(char) if char.isdigit() else (ord(char) - 3) % 10 for char in serial]
    total = sum(value * (evens if position % 2 == 0 else odds) for position, value in enumerate(values))
    return (10 - total % 10) % 10


def reference_luhn(serial: str) -> int:
    total = 0
    for position, char in enumerate(reversed(serial)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


@given(UPS_SERIALS, st.sampled_from([(1, 2), (3, 1), (1, 3)]))
def test_mod10_is_the_weighted_sum_of_each_value(serial: str, multipliers: tuple[int, int]) -> None:
    assert mod10_check_digit(serial, *multipliers) == reference_mod10(serial, *multipliers)


@given(DIGITS)
def test_mod10_reversed_reads_the_serial_from_the_right(serial: str) -> None:
    assert mod10_check_digit(serial, 3, 1, reverse=True) == reference_mod10(serial[::-1], 3, 1)


@given(DIGITS)
def test_luhn_doubles_every_second_digit_from_the_right(serial: str) -> None:
    assert luhn_check_digit(serial) == reference_luhn(serial)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_s10_weights_the_eight_digits(serial: str) -> None:
    remainder = sum(int(char) * weight for char, weight in zip(serial, S10_WEIGHTS, strict=True)) % 11
    assert s10_check_digit(serial) == {0: 5, 1: 0}.get(remainder, 11 - remainder)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_fedex_weighting_is_the_sum_of_products(serial: str) -> None:
    total = sum(int(char) * weight for char, weight in zip(serial, FEDEX_317, strict=False))
    assert weighted_check_digit(serial, FEDEX_317[:11], 11, 10) == total % 11 % 10


def test_digits_of_another_script_count_as_their_value() -> None:
    """A format's \\d admits them after the first character (which picks the candidate formats): the
    number is judged as its ASCII twin is, with no crash and no false check-digit failure."""
    serial = "12345678901"
    ascii_number = serial + str(weighted_check_digit(serial, FEDEX_317[:11], 11, 10))
    arabic_indic = ascii_number[0] + ascii_number[1:].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    twin = {(match.format, match.valid) for match in identify(ascii_number)}
    assert {(match.format, match.valid) for match in identify(arabic_indic)} == twin
    assert ("FedEx Express (12)", True) in twin
