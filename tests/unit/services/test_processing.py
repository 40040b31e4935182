"""The processor builds its shop sync for the first shop delivery: a batch of carrier events never does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from tests.support.fakes import RecordingPublisher, UnreadTable
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import Judgement, OrderJudge
from trackguard.services.messages import TrackingUpdateMessage
from trackguard.services.processing import OrderKey, Processor, ShopSync
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.sellers import SellerRepository
from trackguard.storage.store import Store

NOW = datetime(2026, 11, 3, 15, tzinfo=UTC)


class ActiveSellers(SellerRepository):
    def is_active(self, seller_id: str) -> bool:
        return True


class Refreshes(ShipmentUpdater):
    def __init__(self, store: Store) -> None:
        super().__init__(store, RecordingPublisher())
        self.refreshed: list[set[str]] = []

    def refresh(self, numbers: Iterable[str], now: datetime) -> set[OrderKey]:
        self.refreshed.append(set(numbers))
        return {("shop-1", "o-1")}


class Judges(OrderJudge):
    def __init__(self, store: Store) -> None:
        super().__init__(store, RecordingPublisher(), Thresholds())
        self.judged: list[OrderKey] = []

    def judge(self, seller_id: str, order_id: str, as_of: datetime, catch_up: bool = False) -> Judgement:
        self.judged.append((seller_id, order_id))
        return Judgement()


def no_shop_sync() -> ShopSync:
    raise AssertionError("a batch of carrier events must not load the shop platforms")


def test_a_batch_of_carrier_events_is_judged_without_building_the_shop_sync() -> None:
    table = UnreadTable("unused")
    store = replace(Store.for_table(table, due_shards=1), sellers=ActiveSellers(table))
    updater, judge = Refreshes(store), Judges(store)
    processor = Processor(
        store=store,  # reads no delivery; asks if sellers are active
        build_shop_sync=no_shop_sync,
        updater=updater,
        judge=judge,
        clock=lambda: NOW,
    )
    message = TrackingUpdateMessage(numbers=("1Z999AA10123456784",))

    processor.start_batch([message])
    processor.handle(message)

    assert (updater.refreshed, judge.judged) == ([{"1Z999AA10123456784"}], [("shop-1", "o-1")])
