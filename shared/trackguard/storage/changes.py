"""What a table change means: the table's stream is how stored data starts its processing.

A raw delivery or a carrier event is processed because it was stored, not because a second request
enqueued it: there is no window in which data is stored but never processed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trackguard.storage import keys


@dataclass(frozen=True)
class DeliveryStored:
    source: str
    delivery_id: str


@dataclass(frozen=True)
class EventStored:
    tracking_number: str


TableChange = DeliveryStored | EventStored


def change_of(item_keys: Mapping[str, str]) -> TableChange | None:
    """The change an inserted item's keys describe, or None for items nobody processes."""
    pk, sk = item_keys.get("pk", ""), item_keys.get("sk", "")
    delivery = keys.delivery_of(pk)
    if delivery is not None:
        return DeliveryStored(*delivery)
    number = keys.tracking_number_of_event(pk, sk)
    return EventStored(number) if number else None
