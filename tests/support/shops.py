"""The shop sync as the processor builds it, for tests: registered sellers and recorded side effects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support.builders import T0
from trackguard.domain.orders import Platform
from trackguard.domain.sellers import Seller
from trackguard.secrets import WebhookSecrets
from trackguard.services.data_requests import DataRequestAnswer
from trackguard.services.erasure import SellerErasure
from trackguard.services.order_writer import OrderWriter
from trackguard.services.shipments import ShipmentUpdater
from trackguard.services.shop_lifecycle import DataRequestSender, ShopifyLifecycle
from trackguard.services.shop_sync import PlatformShopSync, TikTokOrders
from trackguard.sources.base import RawDelivery
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


DEV_SECRETS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "local" / "secrets.json").read_text()
)


def dev_webhook_secrets(**sections: Any) -> WebhookSecrets:
    """The dev secrets document, with some sections replaced."""
    return WebhookSecrets.model_validate(DEV_SECRETS | sections)


def signed_shopify(
    topic: str,
    document: dict[str, Any],
    shop: str = "acme.myshopify.com",
    event_id: str = "e-1",
    triggered_at: datetime | None = None,
    secret: str = DEV_SECRETS["shopify"]["client_secret"],
) -> RawDelivery:
    """A Shopify webhook as Shopify sends it: raw JSON body, HMAC of it, the shop in a header."""
    body = json.dumps(document).encode()
    headers = {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode(),
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": shop,
        "x-shopify-event-id": event_id,
    }
    if triggered_at is not None:
        headers["x-shopify-triggered-at"] = triggered_at.isoformat()
    return RawDelivery(headers=headers, body=body, received_at=triggered_at or T0)


def signed_tiktok(body: bytes) -> RawDelivery:
    """A TikTok Shop webhook as TikTok signs it: hex HMAC of app key + body, keyed with the app secret."""
    app = DEV_SECRETS["tiktok_shop"]
    signature = hmac.new(app["app_secret"].encode(), app["app_key"].encode() + body, hashlib.sha256)
    return RawDelivery(headers={"authorization": signature.hexdigest()}, body=body, received_at=T0)
