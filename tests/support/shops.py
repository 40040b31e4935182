"""The shop sync as the processor builds it, for tests: registered sellers and recorded side effects."""

from __future__ import annotations

from datetime import datetime

from tests.support.builders import T0
from trackguard.domain.orders import Platform
from trackguard.domain.sellers import Seller
from trackguard.services.data_requests import DataRequestAnswer
from trackguard.services.erasure import SellerErasure
from trackguard.services.order_writer import OrderWriter
from trackguard.services.shipments import ShipmentUpdater
from trackguard.services.shop_lifecycle import DataRequestSender, ShopifyLifecycle
from trackguard.services.shop_sync import PlatformShopSync, TikTokOrders
from trackguard.sources.shops.shopify import ShopifyCustomersDataRequest
from trackguard.storage.store import Store


class RecordingRelease:
    """Stands in for the processing queue: which sellers' parked deliveries were released."""

    def __init__(self) -> None:
        self.released: list[str] = []

    def release(self, seller_id: str) -> int:
        self.released.append(seller_id)
        return 0


class RecordingDataRequests:
    def __init__(self) -> None:
        self.sent: list[tuple[str, ShopifyCustomersDataRequest]] = []

    def send(self, seller: Seller, request: ShopifyCustomersDataRequest, now: datetime) -> None:
        self.sent.append((seller.seller_id, request))


def _not_built() -> SellerErasure:
    raise AssertionError("this test erases no shop")


def lifecycle_for(
    store: Store,
    erasure: SellerErasure | None = None,
    data_requests: DataRequestSender | DataRequestAnswer | None = None,
) -> ShopifyLifecycle:
    answer = data_requests or RecordingDataRequests()
    return ShopifyLifecycle(store, (lambda: erasure) if erasure else _not_built, lambda: answer)


def shop_sync_for(
    store: Store,
    updater: ShipmentUpdater,
    tiktok: TikTokOrders,
    lifecycle: ShopifyLifecycle | None = None,
    release: RecordingRelease | None = None,
) -> PlatformShopSync:
    return PlatformShopSync(
        store,
        OrderWriter(store, updater),
        tiktok,
        lifecycle or lifecycle_for(store),
        release or RecordingRelease(),
    )


def register(store: Store, seller_id: str, at: datetime = T0) -> None:
    """A registered seller, as `trackguard sellers add` leaves it (without keys)."""
    platform = Platform.SHOPIFY if seller_id.endswith(".myshopify.com") else Platform.TIKTOK_SHOP
    store.sellers.create(Seller(seller_id=seller_id, platform=platform.value, created_at=at))
