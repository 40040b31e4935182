"""Identification throughput and accuracy, trackguard's table against the PyPI package `tracking-numbers`.

Both judge the same numbers in one run: the dataset's test numbers when ../shared/reference is present,
else vectors generated here with the check-digit algorithms. Throughput is measured in alternating rounds
(ours, then the peer's, ROUNDS times) and the ratio is the median of the rounds' ratios, so a machine
whose load changes between rounds moves both sides of each ratio alike.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tracking_numbers

from trackguard.tracking import identify
from trackguard.tracking.checksums import mod10_check_digit, s10_check_digit, weighted_check_digit

DATASET = Path(__file__).parents[1] / ".." / "shared" / "reference" / "tracking_number_data" / "couriers"
MIN_SECONDS = 0.2
ROUNDS = 9

GOALS: dict[str, tuple[str, float]] = {
    "tracking_numbers_throughput_ratio_vs_peer": (">=", 3.0),
    "tracking_numbers_accuracy": ("==", 1.0),
}

# The dataset's courier code -> trackguard's carrier; DHL's file holds both DHL carriers.
OUR_CARRIER = {"canadapost": "canada_post"}
DHL_ECOMMERCE_FORMATS = {"DHL E-Commerce", "DHL E-Commerce (14)"}


@dataclass(frozen=True)
class Case:
    number: str
    courier_code: str
    carrier: str
    valid: bool


def _dataset_cases() -> list[Case]:
    cases = []
    for path in sorted(DATASET.glob("*.json")):
        courier = json.loads(path.read_text(encoding="utf-8"))
        for fmt in courier["tracking_numbers"]:
            code = courier["courier_code"]
            carrier = "dhl_ecommerce" if fmt["name"] in DHL_ECOMMERCE_FORMATS else OUR_CARRIER.get(code, code)
            cases += [Case(number, code, carrier, True) for number in fmt["test_numbers"]["valid"]]
            cases += [Case(number, code, carrier, False) for number in fmt["test_numbers"].get("invalid", [])]
    valid_for = {(case.carrier, case.number) for case in cases if case.valid}
    # An "invalid" number the dataset lists as valid in another format of the same carrier is valid.
    return [case for case in cases if case.valid or (case.carrier, case.number) not in valid_for]


def _generated_cases() -> list[Case]:
    ups_serial = "A1B2C3017654321"
    fedex_serial = "12345678901"
    ups = "1Z" + ups_serial + str(mod10_check_digit(ups_serial, 1, 2))
    fedex = fedex_serial + str(weighted_check_digit(fedex_serial, (3, 1, 7) * 4, 11, 10))
    s10 = f"RR12345678{s10_check_digit('12345678')}GB"
    flip = {ups: ups[:-1] + str((int(ups[-1]) + 1) % 10), fedex: fedex[:-1] + str((int(fedex[-1]) + 1) % 10)}
    return [
        Case(ups, "ups", "ups", True),
        Case(fedex, "fedex", "fedex", True),
        Case(s10, "s10", "royal_mail", True),
        Case(flip[ups], "ups", "ups", False),
        Case(flip[fedex], "fedex", "fedex", False),
        Case(s10[:-2] + "XX", "s10", "upu_s10", False),
    ]


def _ours_right(case: Case) -> bool:
    matches = identify(case.number)
    if case.courier_code == "s10":
        fits = any(match.valid and match.format == "UPU S10" for match in matches)
    else:
        fits = any(match.valid and match.carrier == case.carrier for match in matches)
    return fits == case.valid


def _peer_right(case: Case) -> bool:
    found: Any = tracking_numbers.get_tracking_number(case.number)
    fits = found is not None and found.valid and found.courier.code == case.courier_code
    return fits == case.valid


def _throughput(identify_one: Callable[[str], object], numbers: list[str]) -> float:
    """Numbers per second, repeating the whole list until MIN_SECONDS have passed."""
    judged = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < MIN_SECONDS:
        for number in numbers:
            identify_one(number)
        judged += len(numbers)
    return judged / elapsed


def run() -> dict[str, float]:
    cases = _dataset_cases() if DATASET.is_dir() else _generated_cases()
    numbers = [case.number for case in cases]
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(ROUNDS):
        ours.append(_throughput(identify, numbers))
        theirs.append(_throughput(tracking_numbers.get_tracking_number, numbers))
    return {
        "tracking_numbers_cases": float(len(cases)),
        "tracking_numbers_ours_per_second": statistics.median(ours),
        "tracking_numbers_peer_per_second": statistics.median(theirs),
        "tracking_numbers_throughput_ratio_vs_peer": statistics.median(
            mine / peer for mine, peer in zip(ours, theirs, strict=True)
        ),
        "tracking_numbers_accuracy": sum(map(_ours_right, cases)) / len(cases),
        "tracking_numbers_peer_accuracy": sum(map(_peer_right, cases)) / len(cases),
    }
