"""CUSTOMS_HOLD: at customs for more than 3 days, or customs asks for information (at once)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.builders import T0, an_event
from tests.unit.rules.helpers import a_package_in, cancelled, facts_of
from trackguard.domain.orders import Package
from trackguard.domain.shipment import derive_state
from trackguard.domain.status import ExceptionReason, FlagCode, Severity, TrackingStatus
from trackguard.rules.customs_hold import customs_hold
from trackguard.rules.thresholds import Thresholds

SINCE = T0 + timedelta(days=1)


def at_customs(requested: bool = False) -> Package:
    return a_package_in(
        status=TrackingStatus.CUSTOMS,
        first_scan_at=T0,
        customs_since=SINCE,
        customs_information_requested=requested,
        last_description="Held by customs",
    )


def test_held_more_than_three_days() -> None:
    [finding] = customs_hold(facts_of(at_customs(), as_of=SINCE + timedelta(days=3, hours=1)))

    assert finding.code is FlagCode.CUSTOMS_HOLD
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence == {
        "customs_since": SINCE.isoformat(),
        "days_at_customs": 3.0,
        "information_requested": False,
        "carrier_description": "Held by customs",
    }
    assert "held at customs since 2026-11-03 09:00 UTC" in finding.message


def test_exactly_three_days_is_quiet() -> None:
    assert customs_hold(facts_of(at_customs(), as_of=SINCE + timedelta(days=3))) == []


def test_an_information_request_fires_at_once() -> None:
    [finding] = customs_hold(facts_of(at_customs(requested=True), as_of=SINCE + timedelta(hours=1)))

    assert finding.evidence["information_requested"] is True
    assert "Customs is asking for information" in finding.message


def test_threshold_comes_from_settings() -> None:
    facts = facts_of(
        at_customs(), as_of=SINCE + timedelta(days=4), thresholds=Thresholds(customs_hold_days=5)
    )

    assert customs_hold(facts) == []


def test_release_from_customs_ends_it() -> None:
    events = [
        an_event(TrackingStatus.IN_TRANSIT, T0, code="I1"),
        an_event(TrackingStatus.CUSTOMS, SINCE, code="C1"),
        an_event(
            TrackingStatus.EXCEPTION, SINCE + timedelta(days=1), code="C2", reason=ExceptionReason.CUSTOMS
        ),
    ]
    held = a_package_in().model_copy(update={"state": derive_state(events)})
    released_events = [*events, an_event(TrackingStatus.IN_TRANSIT, SINCE + timedelta(days=5), code="I2")]
    released = held.model_copy(update={"state": derive_state(released_events)})
    as_of = SINCE + timedelta(days=6)

    assert len(customs_hold(facts_of(held, as_of=as_of))) == 1
    assert customs_hold(facts_of(released, as_of=as_of)) == []


def test_never_at_customs_is_fine() -> None:
    moving = a_package_in(status=TrackingStatus.IN_TRANSIT, first_scan_at=T0)

    assert customs_hold(facts_of(moving, as_of=T0 + timedelta(days=10))) == []


def test_cancelled_orders_give_no_findings() -> None:
    assert (
        customs_hold(facts_of(at_customs(requested=True), order=cancelled(), as_of=SINCE + timedelta(days=5)))
        == []
    )
