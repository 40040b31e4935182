"""The processor's shop sync is built on the first shop delivery: a cold start loads no shop platform."""

from collections.abc import Iterable
from datetime import UTC, datetime

from trackguard.services.processing import OrderKey, ShopSync, ShopSyncOnFirstUse
from trackguard.storage.deliveries import DeliveryStatus, StoredDelivery

NOW = datetime(2026, 11, 3, 15, tzinfo=UTC)
DELIVERY = StoredDelivery("shopify", "d-1", NOW, DeliveryStatus.RECEIVED, b"{}", {})


class RecordingShopSync:
    def __init__(self) -> None:
        self.prefetched: list[list[StoredDelivery]] = []

    def prefetch(self, deliveries: Iterable[StoredDelivery]) -> None:
        self.prefetched.append(list(deliveries))

    def apply(self, delivery: StoredDelivery, now: datetime) -> set[OrderKey]:
        return {("shop-1", delivery.delivery_id)}


class Builds:
    def __init__(self) -> None:
        self.count = 0
        self.shop_sync = RecordingShopSync()

    def __call__(self) -> ShopSync:
        self.count += 1
        return self.shop_sync


def test_nothing_is_built_until_the_first_shop_delivery() -> None:
    builds = Builds()

    ShopSyncOnFirstUse(builds)

    assert builds.count == 0


def test_the_shop_sync_is_built_once_and_reused() -> None:
    builds = Builds()
    shop_sync = ShopSyncOnFirstUse(builds)

    shop_sync.prefetch([DELIVERY])
    touched = shop_sync.apply(DELIVERY, NOW)

    assert (touched, builds.count) == ({("shop-1", "d-1")}, 1)
    assert builds.shop_sync.prefetched == [[DELIVERY]]
