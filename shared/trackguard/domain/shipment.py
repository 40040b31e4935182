"""A package's shipment state, derived from the whole set of its carrier events.

The state is a pure function of the *set* of events: any arrival order, and any number of duplicates,
gives the same state. Events are put in one total order — time, then how far along the journey the
status is, then the natural key — and the state is read off that order. "No record" answers
(NOT_FOUND, PENDING) never hide or outdate what the carrier already said.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from trackguard.domain.events import CarrierEvent
from trackguard.domain.orders import Destination, ShipmentState
from trackguard.domain.status import ExceptionReason, TrackingStatus

_JOURNEY_RANK = {
    TrackingStatus.NOT_FOUND: 0,
    TrackingStatus.PENDING: 1,
    TrackingStatus.EXPIRED: 2,
    TrackingStatus.INFO_RECEIVED: 3,
    TrackingStatus.IN_TRANSIT: 4,
    TrackingStatus.CUSTOMS: 5,
    TrackingStatus.OUT_FOR_DELIVERY: 6,
    TrackingStatus.AVAILABLE_FOR_PICKUP: 7,
    TrackingStatus.DELIVERY_FAILED: 8,
    TrackingStatus.EXCEPTION: 9,
    TrackingStatus.DELIVERED: 10,
}

T = TypeVar("T")

_NO_NEWS = frozenset({TrackingStatus.NOT_FOUND, TrackingStatus.PENDING})


def _order_key(event: CarrierEvent) -> tuple[object, ...]:
    return (event.occurred_at, _JOURNEY_RANK[event.status], event.event_key)


def derive_state(events: Iterable[CarrierEvent]) -> ShipmentState:
    unique = {event.event_key: event for event in events}
    timeline = sorted(unique.values(), key=_order_key)
    if not timeline:
        return ShipmentState()
    informative = [event for event in timeline if event.status not in _NO_NEWS] or timeline
    current = informative[-1]
    scans = [event for event in timeline if event.status.is_physical_scan]
    delivered = [event for event in timeline if event.status is TrackingStatus.DELIVERED]
    customs_run = _trailing_customs_run(timeline) if _is_customs(current) else []
    return ShipmentState(
        status=current.status,
        reason=current.reason,
        event_count=len(timeline),
        first_event_at=timeline[0].occurred_at,
        first_scan_at=scans[0].occurred_at if scans else None,
        last_event_at=informative[-1].occurred_at,
        delivered_at=delivered[0].occurred_at if delivered else None,
        customs_since=customs_run[0].occurred_at if customs_run else None,
        customs_information_requested=any(e.reason is ExceptionReason.CUSTOMS for e in customs_run),
        destination=_latest_destination(timeline),
        origin_country=_latest_value(e.origin_country for e in timeline),
        estimated_delivery=_latest_value(e.estimated_delivery for e in timeline),
        last_source_code=current.source_code,
        last_description=current.source_description,
        last_location=current.location.describe() if current.location else "",
    )


def _is_customs(event: CarrierEvent) -> bool:
    return event.status is TrackingStatus.CUSTOMS or (
        event.status is TrackingStatus.EXCEPTION and event.reason is ExceptionReason.CUSTOMS
    )


def _trailing_customs_run(timeline: list[CarrierEvent]) -> list[CarrierEvent]:
    run: list[CarrierEvent] = []
    for event in reversed(timeline):
        if not _is_customs(event):
            break
        run.append(event)
    return run[::-1]


def _latest_destination(timeline: list[CarrierEvent]) -> Destination:
    return Destination(
        postal_code=_latest_value(e.destination_postal_code for e in timeline),
        country=_latest_value(e.destination_country for e in timeline),
    )


def _latest_value(values: Iterable[T | None]) -> T | None:
    latest: T | None = None
    for value in values:
        if value is not None:
            latest = value
    return latest
