"""Tracking numbers the way carriers issue them: each format's check digit computed, each number verified
against trackguard.tracking before it is used (a demo that plants bad numbers must start from good ones).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from trackguard.tracking import VerdictKind, checksums, judge_number
from trackguard.tracking.formats import FEDEX_317

ALPHANUMERIC = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
S10_SERVICE_PREFIXES = ("RR", "LZ", "EA", "RB")


class NumberGenerationError(RuntimeError):
    pass


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def ups(rng: random.Random) -> str:
    shipper = "".join(rng.choice(ALPHANUMERIC) for _ in range(6))
    serial = shipper + rng.choice(("01", "02", "03", "12", "13")) + _digits(rng, 7)
    return f"1Z{serial}{checksums.mod10_check_digit(serial, 1, 2)}"


def fedex(rng: random.Random) -> str:
    serial = rng.choice("3567") + _digits(rng, 10)
    return f"{serial}{checksums.weighted_check_digit(serial, FEDEX_317[:11], 11, 10)}"


def usps(rng: random.Random) -> str:
    serial = "94001" + "9" + _digits(rng, 8) + _digits(rng, 7)
    return f"{serial}{checksums.mod10_check_digit(serial, 3, 1, reverse=True)}"


def dhl(rng: random.Random) -> str:
    serial = rng.choice("123456789") + _digits(rng, 8)
    return f"{serial}{int(serial) % 7}"


def china_post(rng: random.Random) -> str:
    serial = _digits(rng, 8)
    return f"{rng.choice(S10_SERVICE_PREFIXES)}{serial}{checksums.s10_check_digit(serial)}CN"


def yunexpress(rng: random.Random) -> str:
    return "YT" + _digits(rng, 16)


def cainiao(rng: random.Random) -> str:
    return "LP" + _digits(rng, 14)


def four_px(rng: random.Random) -> str:
    return "4PX" + _digits(rng, 13) + "CN"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "ups": ups,
    "fedex": fedex,
    "usps": usps,
    "dhl": dhl,
    "china_post": china_post,
    "yunexpress": yunexpress,
    "cainiao": cainiao,
    "4px": four_px,
}
CHECK_DIGIT_CARRIERS = ("ups", "fedex", "usps", "dhl", "china_post")
_ACCEPTED = frozenset({VerdictKind.VALID, VerdictKind.PLAUSIBLE})


def valid_number(carrier: str, rng: random.Random) -> str:
    """A number trackguard judges valid (or, without a check digit, plausible) for ``carrier``."""
    number = GENERATORS[carrier](rng)
    verdict = judge_number(number, carrier)
    if verdict.kind not in _ACCEPTED or carrier not in verdict.detected_carriers:
        raise NumberGenerationError(f"generated {number} is {verdict.kind} for {carrier}")
    return number


def mistyped_number(carrier: str, rng: random.Random) -> str:
    """A valid number of a check-digit carrier with one digit mistyped, so that no format accepts it."""
    for _ in range(50):
        number = valid_number(carrier, rng)
        positions = [index for index, char in enumerate(number) if char.isdigit()]
        index = rng.choice(positions)
        typo = number[:index] + str((int(number[index]) + rng.randint(1, 9)) % 10) + number[index + 1 :]
        if judge_number(typo, carrier).kind is VerdictKind.INVALID_FORMAT:
            return typo
    raise NumberGenerationError(f"no mistyped {carrier} number found in 50 tries")


def mismatched_number(number: str, declared: str) -> str:
    """``number`` after checking that trackguard sees it as another carrier's than ``declared``."""
    verdict = judge_number(number, declared)
    if verdict.kind is not VerdictKind.CARRIER_MISMATCH:
        raise NumberGenerationError(f"{number} declared {declared} is {verdict.kind}, not a mismatch")
    return number
