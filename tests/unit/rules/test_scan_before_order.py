"""SCAN_BEFORE_ORDER: the first carrier event more than 24 h before the order was created."""

from __future__ import annotations

from datetime import timedelta

from tests.support.builders import T0
from tests.unit.rules.helpers import a_package_in, cancelled, facts_of
from trackguard.domain.status import FlagCode, Severity, TrackingStatus
from trackguard.rules.scan_before_order import scan_before_order
from trackguard.rules.thresholds import Thresholds

AS_OF = T0 + timedelta(days=2)


def test_a_first_event_more_than_24_hours_before_the_order() -> None:
    first_event_at = T0 - timedelta(hours=30)
    package = a_package_in(status=TrackingStatus.DELIVERED, first_event_at=first_event_at)

    [finding] = scan_before_order(facts_of(package, as_of=AS_OF))

    assert finding.code is FlagCode.SCAN_BEFORE_ORDER
    assert finding.severity is Severity.HIGH
    assert finding.evidence == {
        "first_event_at": first_event_at.isoformat(),
        "order_created_at": T0.isoformat(),
        "hours_before_order": 30,
    }
    assert "30 hours before the order was placed" in finding.message


def test_exactly_24_hours_before_is_still_fine() -> None:
    package = a_package_in(first_event_at=T0 - timedelta(hours=24))

    assert scan_before_order(facts_of(package, as_of=AS_OF)) == []


def test_a_label_made_just_before_the_order_is_fine() -> None:
    package = a_package_in(first_event_at=T0 - timedelta(hours=23))

    assert scan_before_order(facts_of(package, as_of=AS_OF)) == []


def test_a_replaced_number_ends_it() -> None:
    fresh = a_package_in(first_event_at=T0 + timedelta(hours=5))

    assert scan_before_order(facts_of(fresh, as_of=AS_OF)) == []


def test_no_events_no_finding() -> None:
    assert scan_before_order(facts_of(a_package_in(), as_of=AS_OF)) == []


def test_threshold_comes_from_settings() -> None:
    package = a_package_in(first_event_at=T0 - timedelta(hours=30))
    facts = facts_of(package, as_of=AS_OF, thresholds=Thresholds(scan_before_order_hours=48))

    assert scan_before_order(facts) == []


def test_needs_the_order() -> None:
    package = a_package_in(first_event_at=T0 - timedelta(days=10))

    assert scan_before_order(facts_of(package, order=None, as_of=AS_OF)) == []


def test_cancelled_orders_give_no_findings() -> None:
    package = a_package_in(first_event_at=T0 - timedelta(days=10))

    assert scan_before_order(facts_of(package, order=cancelled(), as_of=AS_OF)) == []
