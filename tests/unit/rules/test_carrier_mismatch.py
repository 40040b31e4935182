"""CARRIER_MISMATCH: the number is valid only for a carrier other than the declared one."""

from __future__ import annotations

import pytest

from tests.support.builders import T0, a_package
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import ShipmentState
from trackguard.domain.status import FlagCode, Severity, TrackingStatus
from trackguard.rules.carrier_mismatch import carrier_mismatch

USPS_NUMBER = "9400111206206406260787"


def test_a_usps_number_declared_as_ups() -> None:
    [finding] = carrier_mismatch(facts_of(a_package(tracking_number=USPS_NUMBER, declared_carrier="ups")))

    assert finding.code is FlagCode.CARRIER_MISMATCH
    assert finding.severity is Severity.HIGH
    assert finding.tracking_number == USPS_NUMBER
    assert finding.message == (
        f"Tracking {USPS_NUMBER} looks like a USPS number, not a UPS one. "
        "In TikTok Seller Center, change the carrier to USPS, or upload the UPS number."
    )
    assert finding.evidence == {
        "normalized_number": USPS_NUMBER,
        "declared_carrier": "ups",
        "detected_carriers": "usps",
    }


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        (USPS_NUMBER, "usps"),  # the right carrier
        (USPS_NUMBER, "undeclared"),  # nothing declared, nothing to contradict
        ("1Z5R89390357567128", "usps"),  # fits no carrier validly: INVALID_TRACKING_FORMAT's business
        ("LZ123456785CN", "usps"),  # S10 mail handed over between posts: plausible
    ],
)
def test_no_mismatch(number: str, carrier: str) -> None:
    assert carrier_mismatch(facts_of(a_package(tracking_number=number, declared_carrier=carrier))) == []


def test_correcting_the_declared_carrier_ends_it() -> None:
    corrected = a_package(tracking_number=USPS_NUMBER, declared_carrier="usps")

    assert carrier_mismatch(facts_of(corrected)) == []


def test_a_scan_does_not_end_it() -> None:
    scanned = a_package(
        tracking_number=USPS_NUMBER,
        declared_carrier="ups",
        state=ShipmentState(status=TrackingStatus.IN_TRANSIT, first_scan_at=T0),
    )

    assert len(carrier_mismatch(facts_of(scanned))) == 1


def test_works_before_the_order_is_known() -> None:
    package = a_package(tracking_number=USPS_NUMBER, declared_carrier="ups")

    [finding] = carrier_mismatch(facts_of(package, order=None))

    assert "your seller center" in finding.message


def test_cancelled_orders_give_no_findings() -> None:
    package = a_package(tracking_number=USPS_NUMBER, declared_carrier="ups")

    assert carrier_mismatch(facts_of(package, order=cancelled())) == []
