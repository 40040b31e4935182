"""Re-derive the shipment state of every package carrying a number whose events changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from trackguard.domain.shipment import derive_state
from trackguard.storage.store import Store
from trackguard.storage.tracking import PackageRef


class Publisher(Protocol):
    def publish(self, events: list[tuple[str, dict[str, Any]]]) -> None: ...


@dataclass(frozen=True)
class StateChange:
    package: PackageRef
    tracking_number: str
    previous_status: str
    status: str


class ShipmentUpdater:
    def __init__(self, store: Store, publisher: Publisher) -> None:
        self._store = store
        self._publisher = publisher

    def refresh(self, numbers: Iterable[str], now: datetime) -> set[tuple[str, str]]:
        """Update each package of each number; return the (seller, order) pairs touched."""
        touched: set[tuple[str, str]] = set()
        changes: list[StateChange] = []
        for number in sorted(set(numbers)):
            record = self._store.tracking.load(number)
            state = derive_state(record.events)
            for ref in record.packages:
                previous = self._store.orders.update_state(ref, number, state)
                touched.add((ref.seller_id, ref.order_id))
                if previous is not None and previous is not state.status:
                    changes.append(StateChange(ref, number, previous.value, state.status.value))
        if changes:
            self._publisher.publish([("ShipmentStatusChanged", _detail(change, now)) for change in changes])
        return touched


def _detail(change: StateChange, now: datetime) -> dict[str, Any]:
    return {
        "seller_id": change.package.seller_id,
        "order_id": change.package.order_id,
        "package_id": change.package.package_id,
        "tracking_number": change.tracking_number,
        "previous_status": change.previous_status,
        "status": change.status,
        "changed_at": now.isoformat(),
    }
