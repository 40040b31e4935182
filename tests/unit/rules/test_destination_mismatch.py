"""DESTINATION_MISMATCH: the carrier's destination differs from the buyer's, after normalising."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.builders import T0, an_order
from tests.unit.rules.helpers import a_package_in, cancelled, facts_of
from trackguard.domain.orders import Destination, Package
from trackguard.domain.status import FlagCode, Severity, TrackingStatus
from trackguard.rules.destination_mismatch import destination_mismatch

AS_OF = T0 + timedelta(days=3)
BUYER_95110 = an_order()  # 95110, US


def heading_to(postal_code: str | None = None, country: str | None = None, **state: Any) -> Package:
    return a_package_in(destination=Destination(postal_code=postal_code, country=country), **state)


def test_delivered_to_another_zip() -> None:
    package = heading_to("10001", "US", status=TrackingStatus.DELIVERED, delivered_at=T0 + timedelta(days=2))

    [finding] = destination_mismatch(facts_of(package, as_of=AS_OF))

    assert finding.code is FlagCode.DESTINATION_MISMATCH
    assert finding.severity is Severity.HIGH
    assert finding.message.startswith(
        "Tracking 1Z5R89390357567127 was delivered to 10001 US, but the buyer's address is 95110 US."
    )
    assert finding.evidence == {
        "carrier_postal_code": "10001",
        "carrier_country": "US",
        "buyer_postal_code": "95110",
        "buyer_country": "US",
    }


def test_in_transit_to_another_country() -> None:
    [finding] = destination_mismatch(facts_of(heading_to(country="CA"), as_of=AS_OF))

    assert "is addressed to CA" in finding.message


def test_a_different_country_is_a_mismatch_even_with_the_same_postal_code() -> None:
    assert len(destination_mismatch(facts_of(heading_to("95110", "MX"), as_of=AS_OF))) == 1


@pytest.mark.parametrize(
    ("carrier_postal", "carrier_country"),
    [
        ("95110-1234", "US"),
        ("95110", "USA"),
        ("951", "US"),
        ("95110", None),
        (None, "us"),
        (None, None),
    ],
)
def test_the_same_place_written_differently(carrier_postal: str | None, carrier_country: str | None) -> None:
    assert destination_mismatch(facts_of(heading_to(carrier_postal, carrier_country), as_of=AS_OF)) == []


def test_leading_zeros_lost_by_the_platform() -> None:
    order = an_order(destination=Destination(postal_code="501", country="US"))

    assert destination_mismatch(facts_of(heading_to("00501-0001", "US"), order=order, as_of=AS_OF)) == []


def test_a_buyer_without_postal_code_is_compared_by_country_only() -> None:
    order = an_order(destination=Destination(country="GB"))

    assert destination_mismatch(facts_of(heading_to("SW1A 1AA", "GB"), order=order, as_of=AS_OF)) == []
    assert len(destination_mismatch(facts_of(heading_to("SW1A 1AA", "IE"), order=order, as_of=AS_OF))) == 1


def test_uk_outward_code_from_the_carrier() -> None:
    order = an_order(destination=Destination(postal_code="sw1a1aa", country="GBR"))

    assert destination_mismatch(facts_of(heading_to("SW1A", "GB"), order=order, as_of=AS_OF)) == []
    assert len(destination_mismatch(facts_of(heading_to("E1", "GB"), order=order, as_of=AS_OF))) == 1


def test_a_corrected_destination_ends_it() -> None:
    assert len(destination_mismatch(facts_of(heading_to("10001", "US"), as_of=AS_OF))) == 1
    assert destination_mismatch(facts_of(heading_to("95110", "US"), as_of=AS_OF)) == []


def test_needs_the_order() -> None:
    assert destination_mismatch(facts_of(heading_to("10001", "US"), order=None, as_of=AS_OF)) == []


def test_cancelled_orders_give_no_findings() -> None:
    facts = facts_of(heading_to("10001", "US"), order=cancelled(BUYER_95110), as_of=AS_OF)

    assert destination_mismatch(facts) == []
