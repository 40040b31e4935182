"""The edge limits every source is held to (CONTRACT §2): beyond them a delivery is refused whole (400).

Checked after parsing and before anything is stored, so a refused delivery writes nothing. Long text is
not refused: ``CarrierEvent`` cuts it and marks it (``text_cut``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trackguard.errors import PayloadError
from trackguard.sources.base import CarrierDelivery

MAX_ID_CHARS = 128
MAX_EVENTS_PER_DELIVERY = 500
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_EVENT_AHEAD = timedelta(days=365)


def check_id(value: str | None, field: str) -> None:
    """An order, package or delivery id of at most 128 characters."""
    if value is not None and len(value) > MAX_ID_CHARS:
        raise _refused(f"{field} is longer than {MAX_ID_CHARS} characters", [field], "string_too_long")


def check_carrier_delivery(delivery: CarrierDelivery, received_at: datetime) -> None:
    """At most 500 events, each dated between 2000-01-01 and one year after the delivery arrived."""
    check_id(delivery.delivery_id, "delivery id")
    if len(delivery.events) > MAX_EVENTS_PER_DELIVERY:
        raise _refused(
            f"{len(delivery.events)} events in one delivery; at most {MAX_EVENTS_PER_DELIVERY}",
            ["events"],
            "too_long",
        )
    latest = received_at + LATEST_EVENT_AHEAD
    for index, event in enumerate(delivery.events):
        if not EARLIEST_EVENT <= event.occurred_at <= latest:
            raise _refused(
                "an event time is before 2000-01-01 or more than a year ahead",
                ["events", index, "occurred_at"],
                "datetime_out_of_range",
            )


def _refused(message: str, location: list[Any], kind: str) -> PayloadError:
    return PayloadError(message, [{"loc": location, "msg": message, "type": kind}])
