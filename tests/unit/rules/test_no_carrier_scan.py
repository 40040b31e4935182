"""NO_CARRIER_SCAN: 24 h after the number was first seen, still no physical scan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.builders import T0, a_package
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import Package, ShipmentState
from trackguard.domain.status import FlagCode, Severity, TrackingStatus
from trackguard.rules.no_carrier_scan import no_carrier_scan
from trackguard.rules.thresholds import Thresholds

SEEN_AT = T0 + timedelta(hours=3)


def package_with(status: TrackingStatus = TrackingStatus.INFO_RECEIVED, **state: Any) -> Package:
    return a_package(number_first_seen_at=SEEN_AT, state=ShipmentState(status=status, **state))


@pytest.mark.parametrize(
    "status", [TrackingStatus.PENDING, TrackingStatus.INFO_RECEIVED, TrackingStatus.NOT_FOUND]
)
def test_no_scan_24_hours_after_the_number_was_seen(status: TrackingStatus) -> None:
    [finding] = no_carrier_scan(facts_of(package_with(status), as_of=SEEN_AT + timedelta(hours=24)))

    assert finding.code is FlagCode.NO_CARRIER_SCAN
    assert finding.severity is Severity.MEDIUM
    assert finding.tracking_number == "1Z5R89390357567127"
    assert finding.evidence["hours_without_scan"] == 24
    assert finding.evidence["number_first_seen_at"] == SEEN_AT.isoformat()
    assert finding.evidence["carrier_status"] == status.value
    assert "24 hours" in finding.message


def test_one_hour_short_is_quiet() -> None:
    assert no_carrier_scan(facts_of(package_with(), as_of=SEEN_AT + timedelta(hours=23))) == []


def test_a_scan_ends_it() -> None:
    scanned = package_with(TrackingStatus.IN_TRANSIT, first_scan_at=SEEN_AT + timedelta(hours=30))

    assert no_carrier_scan(facts_of(scanned, as_of=SEEN_AT + timedelta(hours=40))) == []


def test_without_first_seen_the_shipped_time_starts_the_clock() -> None:
    package = a_package(shipped_at=SEEN_AT)

    assert no_carrier_scan(facts_of(package, as_of=SEEN_AT + timedelta(hours=23))) == []
    assert len(no_carrier_scan(facts_of(package, as_of=SEEN_AT + timedelta(hours=24)))) == 1


def test_no_clock_no_finding() -> None:
    assert no_carrier_scan(facts_of(a_package(), as_of=T0 + timedelta(days=30))) == []


def test_threshold_comes_from_settings() -> None:
    facts = facts_of(
        package_with(), as_of=SEEN_AT + timedelta(hours=48), thresholds=Thresholds(no_carrier_scan_hours=72)
    )

    assert no_carrier_scan(facts) == []


def test_works_before_the_order_is_known() -> None:
    assert len(no_carrier_scan(facts_of(package_with(), order=None, as_of=SEEN_AT + timedelta(days=2)))) == 1


def test_cancelled_orders_give_no_findings() -> None:
    facts = facts_of(package_with(), order=cancelled(), as_of=SEEN_AT + timedelta(days=2))

    assert no_carrier_scan(facts) == []
