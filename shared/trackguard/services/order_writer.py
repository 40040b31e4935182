"""Write what a platform says about an order into the store, keeping what trackguard learned itself.

A platform snapshot knows the order and its packages; trackguard adds when each number was first seen,
which orders the platform combined into one parcel, and the number's verdict. A number that changed is
re-derived at once from the events already stored under it (an orphan event finds its order here).
"""

from __future__ import annotations

from datetime import datetime

from trackguard.domain.orders import OrderKey, OrderSnapshot, Package
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.stats import StatsRepository
from trackguard.storage.store import Store
from trackguard.tracking import judge_number


class OrderWriter:
    def __init__(self, store: Store, updater: ShipmentUpdater) -> None:
        self._store = store
        self._updater = updater

    def save(self, snapshot: OrderSnapshot, now: datetime) -> set[OrderKey]:
        """Store the snapshot; an update older than the stored one is ignored. Returns orders touched."""
        if snapshot.order is not None and not self._store.orders.save_order(snapshot.order):
            return set()
        stored = {
            p.package_id: p for p in self._store.orders.view(snapshot.seller_id, snapshot.order_id).packages
        }
        new_numbers: list[str] = []
        for package in snapshot.packages:
            previous = stored.get(package.package_id)
            merged = merge_package(package, previous, now)
            if merged == previous:
                continue
            self._store.orders.save_package(merged, previous)
            if merged.tracking_number and (
                previous is None or previous.tracking_number != merged.tracking_number
            ):
                new_numbers.append(merged.tracking_number)
                StatsRepository(self._store.table).count_package_with_number(
                    merged.seller_id, merged.order_id, merged.package_id, merged.number_first_seen_at or now
                )
        if new_numbers:
            self._updater.refresh(new_numbers, now)
        return {(snapshot.seller_id, snapshot.order_id)}

    def combine(self, seller_id: str, package_id: str, order_ids: tuple[str, ...]) -> set[OrderKey]:
        """Record that the platform packed these orders into one parcel (they share its number)."""
        for order_id in order_ids:
            others = tuple(sorted(set(order_ids) - {order_id}))
            stored = {p.package_id: p for p in self._store.orders.view(seller_id, order_id).packages}
            previous = stored.get(package_id)
            base = previous or Package(seller_id=seller_id, order_id=order_id, package_id=package_id)
            combined = tuple(sorted(set(base.combined_order_ids) | set(others)))
            if previous is None or combined != previous.combined_order_ids:
                self._store.orders.save_package(
                    base.model_copy(update={"combined_order_ids": combined}), previous
                )
        return {(seller_id, order_id) for order_id in order_ids}


def merge_package(package: Package, previous: Package | None, now: datetime) -> Package:
    """The platform's view of a package, plus what trackguard keeps across updates."""
    same_number = previous is not None and previous.tracking_number == package.tracking_number
    first_seen = previous.number_first_seen_at if previous is not None and same_number else None
    changes: dict[str, object] = {
        "number_first_seen_at": (first_seen or now) if package.tracking_number else None,
        "combined_order_ids": tuple(
            sorted(set(package.combined_order_ids) | set(previous.combined_order_ids if previous else ()))
        ),
        "shipped_at": _earliest(package.shipped_at, previous.shipped_at if previous else None),
        "state": previous.state if previous is not None and same_number else package.state,
    }
    if package.tracking_number:
        verdict = judge_number(package.tracking_number, package.declared_carrier)
        changes["number_verdict"] = verdict.kind.value
        changes["detected_carrier"] = verdict.detected_carriers[0] if verdict.detected_carriers else None
    return package.model_copy(update=changes)


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    known = [at for at in (first, second) if at is not None]
    return min(known) if known else None
