"""The shop sync as the processor builds it, for tests: registered sellers and recorded side effects."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.support.builders import T0
from tests.support.fakes import MemoryTokenVault
from trackguard.domain.orders import Platform
from trackguard.domain.sellers import Seller
from trackguard.secrets import SecretDocument
from trackguard.services.data_requests import DataRequestAnswer
from trackguard.services.erasure import SellerErasure
from trackguard.services.order_writer import OrderWriter
from trackguard.services.reauthorization import ShopLifecycle
from trackguard.services.shipments import ShipmentUpdater
from trackguard.services.shop_lifecycle import DataRequestSender, ShopifyLifecycle
from trackguard.services.shop_sync import PlatformShopSync, TikTokOrders
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops.shopify.webhook import ShopifyCustomersDataRequest
from trackguard.storage.store import Store
from trackguard_dev.signing import dev_secret_document, sign


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
    """TikTok authorisations keep their tokens in memory; Shopify's lifecycle records what it sends."""
    return PlatformShopSync(
        store,
        OrderWriter(store, updater),
        tiktok,
        authorizations=ShopLifecycle(store, MemoryTokenVault()),
        lifecycle=lifecycle or lifecycle_for(store),
        parked=release or RecordingRelease(),
    )


def register(store: Store, seller_id: str, at: datetime = T0) -> None:
    """A registered seller, as `trackguard sellers add` leaves it (without keys)."""
    platform = Platform.SHOPIFY if seller_id.endswith(".myshopify.com") else Platform.TIKTOK_SHOP
    store.sellers.create(Seller(seller_id=seller_id, platform=platform.value, created_at=at))


def dev_webhook_secrets() -> SecretDocument:
    """The dev secret document, as the webhook functions load it."""
    return SecretDocument(dev_secret_document())


def signed_shopify(
    topic: str,
    document: dict[str, Any],
    shop: str = "acme.myshopify.com",
    event_id: str = "e-1",
    triggered_at: datetime | None = None,
) -> RawDelivery:
    """A Shopify webhook as Shopify sends it: raw JSON body, HMAC of it, the shop in a header."""
    body = json.dumps(document).encode()
    headers = {
        "content-type": "application/json",
        **sign("shopify", body, triggered_at or T0),
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": shop,
        "x-shopify-event-id": event_id,
    }
    if triggered_at is not None:
        headers["x-shopify-triggered-at"] = triggered_at.isoformat()
    return RawDelivery(headers=headers, body=body, received_at=triggered_at or T0)


def signed_tiktok(body: bytes) -> RawDelivery:
    """A TikTok Shop webhook as TikTok signs it (its own ``sign``, keyed with the dev secrets)."""
    return RawDelivery(headers=sign("tiktok_shop", body, T0), body=body, received_at=T0)
