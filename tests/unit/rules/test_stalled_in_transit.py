"""STALLED_IN_TRANSIT: no carrier news for 5 business days (domestic) or 10 (cross-border)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.builders import T0, a_package, an_order
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import Destination, Package, ShipmentState
from trackguard.domain.status import ExceptionReason, FlagCode, Severity, TrackingStatus
from trackguard.rules.stalled_in_transit import is_cross_border, stalled_in_transit
from trackguard.rules.thresholds import Thresholds

LAST_EVENT_AT = T0  # a Monday, 09:00 UTC
ONE_WEEK_LATER = LAST_EVENT_AT + timedelta(days=7)  # 5 business days


def quiet_since(
    last_event_at: datetime = LAST_EVENT_AT,
    status: TrackingStatus = TrackingStatus.IN_TRANSIT,
    origin: str | None = "US",
    **fields: Any,
) -> Package:
    state = ShipmentState(
        status=status,
        first_scan_at=last_event_at - timedelta(days=1),
        last_event_at=last_event_at,
        origin_country=origin,
        last_description="Departed facility",
        last_location="Louisville, US",
        **fields.pop("state", {}),
    )
    return a_package(state=state, **fields)


def test_a_domestic_parcel_quiet_for_five_business_days() -> None:
    [finding] = stalled_in_transit(facts_of(quiet_since(), as_of=ONE_WEEK_LATER))

    assert finding.code is FlagCode.STALLED_IN_TRANSIT
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence == {
        "last_event_at": LAST_EVENT_AT.isoformat(),
        "business_days_without_update": 5,
        "journey": "domestic",
        "carrier_status": "IN_TRANSIT",
        "last_location": "Louisville, US",
    }
    assert "no carrier update for 5 business days" in finding.message
    assert "Departed facility" in finding.message


def test_an_hour_short_is_quiet() -> None:
    assert stalled_in_transit(facts_of(quiet_since(), as_of=ONE_WEEK_LATER - timedelta(hours=1))) == []


def test_a_weekend_does_not_count() -> None:
    thursday = T0 + timedelta(days=3)
    next_tuesday = thursday + timedelta(days=5)  # 5 calendar days, 3 business days

    assert stalled_in_transit(facts_of(quiet_since(thursday), as_of=next_tuesday)) == []


def test_a_cross_border_parcel_gets_ten_business_days() -> None:
    package = quiet_since(origin="CN")

    assert stalled_in_transit(facts_of(package, as_of=ONE_WEEK_LATER)) == []
    assert stalled_in_transit(facts_of(package, as_of=LAST_EVENT_AT + timedelta(days=14, hours=-1))) == []
    [finding] = stalled_in_transit(facts_of(package, as_of=LAST_EVENT_AT + timedelta(days=14)))
    assert finding.evidence["journey"] == "cross-border"


def test_thresholds_come_from_settings() -> None:
    thresholds = Thresholds(stalled_domestic_business_days=2, stalled_cross_border_business_days=3)

    assert (
        len(stalled_in_transit(facts_of(quiet_since(), as_of=T0 + timedelta(days=2), thresholds=thresholds)))
        == 1
    )
    cross_border = facts_of(quiet_since(origin="CN"), as_of=T0 + timedelta(days=2), thresholds=thresholds)
    assert stalled_in_transit(cross_border) == []


def test_a_new_event_ends_it() -> None:
    moved = quiet_since(ONE_WEEK_LATER - timedelta(hours=2))

    assert stalled_in_transit(facts_of(moved, as_of=ONE_WEEK_LATER)) == []


def test_delivery_ends_it() -> None:
    delivered = quiet_since(status=TrackingStatus.DELIVERED, state={"delivered_at": LAST_EVENT_AT})

    assert stalled_in_transit(facts_of(delivered, as_of=ONE_WEEK_LATER + timedelta(days=7))) == []


def test_a_returned_parcel_is_not_in_transit() -> None:
    returned = quiet_since(status=TrackingStatus.EXCEPTION, state={"reason": ExceptionReason.RETURNED})

    assert stalled_in_transit(facts_of(returned, as_of=ONE_WEEK_LATER + timedelta(days=7))) == []


def test_a_parcel_at_customs_is_left_to_customs_hold() -> None:
    at_customs = quiet_since(status=TrackingStatus.CUSTOMS, state={"customs_since": LAST_EVENT_AT})

    assert stalled_in_transit(facts_of(at_customs, as_of=ONE_WEEK_LATER + timedelta(days=7))) == []


def test_a_parcel_never_scanned_is_left_to_no_carrier_scan() -> None:
    label_only = a_package(
        state=ShipmentState(status=TrackingStatus.INFO_RECEIVED, first_event_at=T0, last_event_at=T0)
    )

    assert stalled_in_transit(facts_of(label_only, as_of=T0 + timedelta(days=30))) == []


def test_cancelled_orders_give_no_findings() -> None:
    assert stalled_in_transit(facts_of(quiet_since(), order=cancelled(), as_of=ONE_WEEK_LATER)) == []


@pytest.mark.parametrize(
    ("origin", "carrier", "buyer_country", "expected"),
    [
        ("US", "ups", "US", False),
        ("CN", "ups", "US", True),
        ("cn", "usps", "US", True),
        (None, "yunexpress", "US", True),
        (None, "cainiao", None, True),
        (None, "4px", "GB", True),
        (None, "yanwen", "US", True),
        (None, "china_post", "US", True),
        (None, "china_post", "CN", False),
        (None, "sf_express", "DE", True),
        (None, "sf_express", "CN", False),
        (None, "ups", "US", False),
        ("US", "yunexpress", "US", False),  # a known origin outweighs the carrier
    ],
)
def test_cross_border_or_domestic(
    origin: str | None, carrier: str, buyer_country: str | None, expected: bool
) -> None:
    package = quiet_since(origin=origin, declared_carrier=carrier)

    assert is_cross_border(package, buyer_country) is expected


def test_the_detected_carrier_outweighs_the_declared_one() -> None:
    package = quiet_since(origin=None, declared_carrier="usps", detected_carrier="yunexpress")

    assert is_cross_border(package, "US")


def test_the_carrier_destination_stands_in_for_an_unknown_buyer_country() -> None:
    package = quiet_since(origin="DE", state={"destination": Destination(country="DE")})
    order = an_order(destination=Destination())

    assert stalled_in_transit(facts_of(package, order=order, as_of=ONE_WEEK_LATER)) != []
    assert not is_cross_border(package, None)
