"""The processor builds its shop sync for the first shop delivery: a batch of carrier events never does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from types import SimpleNamespace

from trackguard.services.messages import TrackingUpdateMessage
from trackguard.services.processing import OrderKey, Processor, ShopSync

NOW = datetime(2026, 11, 3, 15, tzinfo=UTC)


class Refreshes:
    def __init__(self) -> None:
        self.refreshed: list[set[str]] = []

    def refresh(self, numbers: Iterable[str], now: datetime) -> set[OrderKey]:
        self.refreshed.append(set(numbers))
        return {("shop-1", "o-1")}


class Judges:
    def __init__(self) -> None:
        self.judged: list[OrderKey] = []

    def judge(self, seller_id: str, order_id: str, now: datetime, catch_up: bool) -> None:
        self.judged.append((seller_id, order_id))


class ActiveSellers:
    def is_active(self, seller_id: str) -> bool:
        return True


def no_shop_sync() -> ShopSync:
    raise AssertionError("a batch of carrier events must not load the shop platforms")


def test_a_batch_of_carrier_events_is_judged_without_building_the_shop_sync() -> None:
    updater, judge = Refreshes(), Judges()
    processor = Processor(
        store=SimpleNamespace(sellers=ActiveSellers()),  # reads no delivery; asks if sellers are active
        build_shop_sync=no_shop_sync,
        updater=updater,
        judge=judge,
        clock=lambda: NOW,
    )
    message = TrackingUpdateMessage(numbers=("1Z999AA10123456784",))

    processor.start_batch([message])
    processor.handle(message)

    assert (updater.refreshed, judge.judged) == ([{"1Z999AA10123456784"}], [("shop-1", "o-1")])
