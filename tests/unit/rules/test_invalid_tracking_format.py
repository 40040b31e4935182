"""INVALID_TRACKING_FORMAT: no format of the declared carrier (or of any), or a wrong check digit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.builders import T0, a_package
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import ShipmentState
from trackguard.domain.status import FlagCode, Severity, TrackingStatus
from trackguard.rules.invalid_tracking_format import invalid_tracking_format

AS_OF = T0 + timedelta(days=1)


def test_a_wrong_check_digit() -> None:
    package = a_package(tracking_number="1z5r 8939 0357 5671 28", declared_carrier="ups")

    [finding] = invalid_tracking_format(facts_of(package, as_of=AS_OF))

    assert finding.code is FlagCode.INVALID_TRACKING_FORMAT
    assert finding.severity is Severity.HIGH
    assert finding.package_id == "p-1"
    assert finding.tracking_number == "1z5r 8939 0357 5671 28"
    assert finding.message == (
        "Tracking 1Z5R89390357567128 looks like a UPS number but its check digit is wrong. "
        "Check the number on the label and upload the correct one in TikTok Seller Center."
    )
    assert finding.evidence == {
        "normalized_number": "1Z5R89390357567128",
        "declared_carrier": "ups",
        "detected_carriers": "ups",
        "verdict": "INVALID_FORMAT",
    }


def test_no_format_of_the_declared_carrier() -> None:
    [finding] = invalid_tracking_format(facts_of(a_package(tracking_number="1Z123", declared_carrier="ups")))

    assert "1Z123 does not match any UPS tracking number format" in finding.message


def test_no_format_of_any_carrier_when_undeclared() -> None:
    package = a_package(tracking_number="HELLO", declared_carrier="undeclared")

    [finding] = invalid_tracking_format(facts_of(package, order=None))

    assert "does not match any known carrier's tracking number format" in finding.message
    assert "your seller center" in finding.message


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z5R89390357567127", "ups"),
        ("1Z5R89390357567127", "undeclared"),
        ("9400111206206406260787", "usps"),
        ("986578788855", "fedex"),
        ("9400111206206406260787", "ups"),  # valid for another carrier: CARRIER_MISMATCH's business
    ],
)
def test_a_valid_number_is_fine(number: str, carrier: str) -> None:
    assert (
        invalid_tracking_format(facts_of(a_package(tracking_number=number, declared_carrier=carrier))) == []
    )


def test_a_carrier_without_known_formats_is_not_judged() -> None:
    package = a_package(tracking_number="33ABC1234567", declared_carrier="australia_post")

    assert invalid_tracking_format(facts_of(package)) == []


def test_a_post_is_judged_on_its_own_s10_numbers() -> None:
    package = a_package(tracking_number="RR123456784GB", declared_carrier="royal_mail")

    [finding] = invalid_tracking_format(facts_of(package))

    assert "check digit is wrong" in finding.message


def test_a_carrier_scan_proves_the_number() -> None:
    scanned = a_package(
        tracking_number="1Z5R89390357567128",
        state=ShipmentState(status=TrackingStatus.IN_TRANSIT, first_scan_at=T0),
    )

    assert invalid_tracking_format(facts_of(scanned, as_of=AS_OF)) == []


def test_a_label_alone_proves_nothing() -> None:
    label_only = a_package(
        tracking_number="1Z5R89390357567128",
        state=ShipmentState(status=TrackingStatus.INFO_RECEIVED, first_event_at=T0),
    )

    assert len(invalid_tracking_format(facts_of(label_only, as_of=AS_OF))) == 1


def test_a_corrected_number_ends_it() -> None:
    assert len(invalid_tracking_format(facts_of(a_package(tracking_number="1Z5R89390357567128")))) == 1
    assert invalid_tracking_format(facts_of(a_package(tracking_number="1Z5R89390357567127"))) == []


def test_the_ingest_verdict_is_not_trusted() -> None:
    package = a_package(tracking_number="1Z5R89390357567128", number_verdict="VALID")

    assert len(invalid_tracking_format(facts_of(package))) == 1


def test_cancelled_orders_give_no_findings() -> None:
    package = a_package(tracking_number="1Z5R89390357567128")

    assert invalid_tracking_format(facts_of(package, order=cancelled())) == []
